"""The in-app inbox: own notifications only, marked read in place; the outbox e-mails
each message once."""

import datetime

import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import translation

from people import outbox
from people.models import Notification, OutgoingMessage
from people.outbox import DeliveryInProgress, outbox_send
from people.tasks import outbox_deliver
from tests.conftest import lock_held_elsewhere
from tests.factories import NotificationFactory, OutgoingMessageFactory
from tests.integration.harness import free_port


def notification_email(*, notification_id: int) -> bool:
    return outbox.outbox_deliver(message_id=notification_id)


def test_inbox_lists_only_my_notifications(world, as_user):
    NotificationFactory(recipient=world.employee, title="Je POP is bijgewerkt")
    NotificationFactory(recipient=world.colleague, title="Niet voor jou")
    html = as_user(world.employee).get(reverse("people:inbox")).content.decode()
    assert "Je POP is bijgewerkt" in html
    assert "Niet voor jou" not in html
    assert '1<span class="visually-hidden"> ongelezen</span>' in html


def test_mark_read_with_htmx_returns_the_fragment(world, as_user):
    notification = NotificationFactory(recipient=world.employee, title="Je POP is bijgewerkt")
    response = as_user(world.employee).post(
        reverse("people:notification-read", args=[notification.uuid]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="notification-{notification.uuid}"' in html
    assert ">Nieuw<" not in html  # the "new" badge is gone
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_someone_elses_notification_is_404_for_everyone_else(world, as_user):
    notification = NotificationFactory(recipient=world.employee)
    url = reverse("people:notification-read", args=[notification.uuid])
    for person in (world.colleague, world.manager, world.hr, world.other_hr):
        assert as_user(person).post(url).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_read_needs_post(world, as_user):
    notification = NotificationFactory(recipient=world.employee)
    url = reverse("people:notification-read", args=[notification.uuid])
    assert as_user(world.employee).get(url).status_code == 405


def test_mark_all_read(world, as_user):
    NotificationFactory.create_batch(3, recipient=world.employee)
    other = NotificationFactory(recipient=world.colleague)
    as_user(world.employee).post(reverse("people:notifications-read-all"))
    assert not Notification.objects.filter(recipient=world.employee, read_at=None).exists()
    other.refresh_from_db()
    assert other.read_at is None


def test_notification_is_emailed_once_in_the_recipients_language(
    world, django_capture_on_commit_callbacks
):
    world.colleague.language = "en"
    world.colleague.save()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_send(
            recipient=world.colleague, kind="text", context={"title": "Plan updated"}, link="/"
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.colleague.email]
    assert message.body.startswith("Hello Daan,")
    assert "http://" in message.body
    # Sending again (a redelivered task) does not send twice.
    email = OutgoingMessage.objects.get(recipient=world.colleague, channel="email")
    assert outbox_deliver(email.pk) is False
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=world.colleague).count() == 1  # in the inbox


def test_inbox_query_count_does_not_grow(world, as_user, django_assert_max_num_queries):
    client = as_user(world.employee)
    NotificationFactory.create_batch(3, recipient=world.employee)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("people:inbox"))
    NotificationFactory.create_batch(30, recipient=world.employee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("people:inbox"))


@pytest.fixture
def retries_in_process():
    """``apply()`` runs each retry at once, in-process, as a worker would run them later.

    Celery re-raises a retry instead when eager exceptions propagate, so not here.
    """
    from pop_platform.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def smtp_nobody_listens(settings, retries_in_process):
    """Real SMTP sending to a port on which nothing listens: the connection is refused."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 2
    return settings


def test_smtp_failures_are_counted_retried_and_finally_given_up(world, smtp_nobody_listens):
    smtp_nobody_listens.TASK_MAX_RETRIES = 2
    notification = OutgoingMessageFactory(recipient=world.employee)
    # In-process, as a worker runs it: each retry at once, until it gives up.
    result = outbox_deliver.apply(args=[notification.pk], throw=False)
    assert result.failed()
    assert isinstance(result.result, ConnectionRefusedError)
    notification.refresh_from_db()
    assert notification.attempts == 3  # the first try and two retries
    assert notification.last_error.startswith("ConnectionRefusedError:")
    assert notification.failed_at is not None
    assert notification.sent_at is None


def test_a_later_successful_send_clears_the_given_up_mark(world, smtp_nobody_listens, settings):
    settings.TASK_MAX_RETRIES = 0
    notification = OutgoingMessageFactory(recipient=world.employee)
    assert outbox_deliver.apply(args=[notification.pk], throw=False).failed()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver.delay(notification.pk).get() is True
    notification.refresh_from_db()
    assert len(mail.outbox) == 1
    assert notification.attempts == 2
    assert notification.sent_at is not None
    assert notification.failed_at is None
    assert notification.last_error.startswith("ConnectionRefusedError:")


def test_a_run_that_finds_another_one_sending_waits_without_an_attempt(world):
    """Two runs of the task at once (enqueued twice): only the lock holder sends."""
    notification = OutgoingMessageFactory(recipient=world.employee)
    with (
        lock_held_elsewhere(f"outbox:{notification.pk}"),
        pytest.raises(DeliveryInProgress),
    ):
        notification_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert notification.attempts == 0
    assert mail.outbox == []
    # Once the other run has let go, a redelivered task sends it.
    assert notification_email(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_nothing_is_sent_or_counted_for_someone_who_left(world):
    notification = OutgoingMessageFactory(recipient=world.employee)
    world.employee.is_active = False
    world.employee.save(update_fields=["is_active"])
    assert notification_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.attempts == 0
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)  # the run reconnects, as a worker does
def test_a_database_gone_for_a_moment_after_the_mail_server_accepted_does_not_send_twice(
    world, monkeypatch
):
    monkeypatch.setattr(outbox, "RECORD_SENT_PATIENCE", 10.0)
    notification = OutgoingMessageFactory(recipient=world.employee)
    refused = []

    def restarting(execute, sql, params, many, context):
        if 'SET "sent_at"' in sql and len(refused) < 2:
            refused.append(sql)
            raise OperationalError("terminating connection due to administrator command")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(restarting):
        assert notification_email(notification_id=notification.pk) is True
    assert len(refused) == 2 and len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.sent_at is not None and notification.attempts == 1


# --- Stored as a kind and its parameters, read in the reader's language and time zone ----


def test_a_notification_made_in_dutch_is_read_in_english_with_the_readers_local_time(
    world, as_user
):
    """Made while Dutch was active (and the employee still read Dutch); read after she
    switched to English, and again after the organisation's time zone changed."""
    from conversations.services import conversation_schedule

    starts_at = datetime.datetime(2030, 10, 28, 9, 0, tzinfo=datetime.UTC)  # 10:00 in Amsterdam
    with translation.override("nl"):  # the manager plans it on a Dutch page
        conversation_schedule(
            manager=world.manager, employee=world.employee, kind="development", starts_at=starts_at
        )
    client = as_user(world.employee)
    html = client.get(reverse("people:inbox")).content.decode()
    assert "Uitnodiging: ontwikkelgesprek met Jeroen de Vries" in html
    assert "Wanneer: maandag 28 oktober 2030, 10:00" in html
    client.post(reverse("people:set-language"), {"language": "en"})
    html = client.get(reverse("people:inbox")).content.decode()
    assert "Invitation: development conversation with Jeroen de Vries" in html
    assert "When: Monday 28 October 2030, 10:00" in html
    assert "Uitnodiging" not in html and "oktober" not in html
    # Read again after the organisation moved its clocks to New York: 05:00 there.
    world.organisation.timezone = "America/New_York"
    world.organisation.save(update_fields=["timezone"])
    html = client.get(reverse("people:inbox")).content.decode()
    assert "When: Monday 28 October 2030, 05:00" in html
    # The manager reads the same kind of message in Dutch.
    manager = as_user(world.manager).get(reverse("people:inbox")).content.decode()
    assert "Uitnodiging: ontwikkelgesprek met Sanne Jansen" in manager
    assert "maandag 28 oktober 2030, 05:00" in manager


def test_what_is_stored_is_a_kind_and_its_parameters_not_text(world):
    with translation.override("nl"):
        (inbox, _email) = outbox_send(
            recipient=world.employee,
            kind="goal_approved",
            context={"title": "Beeldzorg leren", "comment": "Mooi!"},
            link="/goals/",
        )
    stored = OutgoingMessage.objects.get(pk=inbox.pk)
    assert (stored.kind, stored.context) == (
        "goal_approved",
        {"title": "Beeldzorg leren", "comment": "Mooi!"},
    )
    with translation.override("en"):
        assert outbox.message_render(stored).title == "Your goal is approved: Beeldzorg leren"
    with translation.override("nl"):
        assert outbox.message_render(stored).title == "Je doel is goedgekeurd: Beeldzorg leren"


# --- Links: only paths on this site --------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "https://evil.example/plans/",
        "//evil.example/plans/",
        "/\\evil.example",
        "javascript:alert(1)",
        "plans/mine/",
        "/plans/\nSet-Cookie: x",
    ],
)
def test_a_link_that_is_not_a_path_on_this_site_is_refused_when_made(world, link):
    with pytest.raises(ValueError, match="Not a path on this site"):
        outbox_send(recipient=world.employee, kind="text", context={"title": "Kijk"}, link=link)
    assert not OutgoingMessage.objects.exists()


def test_a_stored_link_elsewhere_is_not_shown_nor_followed(world, as_user):
    """Stored before links were checked (or by a migration): dropped when shown."""
    evil = NotificationFactory(
        recipient=world.employee, title="Klik hier", link="javascript:alert(document.cookie)"
    )
    away = NotificationFactory(recipient=world.employee, title="Ga weg", link="//evil.example/x")
    mine = NotificationFactory(recipient=world.employee, title="Je POP", link="/plans/mine/")
    client = as_user(world.employee)
    for page in (reverse("dashboards:home"), reverse("people:inbox")):
        html = client.get(page).content.decode()
        assert "javascript:" not in html and "evil.example" not in html, page
        assert "Klik hier" in html and "Ga weg" in html
    assert 'href="/plans/mine/"' in client.get(reverse("dashboards:home")).content.decode()
    for notification in (evil, away):
        response = client.post(reverse("people:notification-read", args=[notification.uuid]))
        assert response["Location"] == reverse("people:inbox")
    response = client.post(reverse("people:notification-read", args=[mine.uuid]))
    assert response["Location"] == "/plans/mine/"
