"""The in-app inbox: own notifications only, marked read in place, e-mailed once."""

from django.core import mail
from django.urls import reverse

from people.models import Notification
from people.services import notification_create
from tests.factories import NotificationFactory


def test_inbox_lists_only_my_notifications(world, as_user):
    mine = NotificationFactory(recipient=world.employee, title="Je POP is bijgewerkt")
    NotificationFactory(recipient=world.colleague, title="Niet voor jou")
    html = as_user(world.employee).get(reverse("people:inbox")).content.decode()
    assert mine.title in html
    assert "Niet voor jou" not in html
    assert '1<span class="visually-hidden"> ongelezen</span>' in html


def test_mark_read_with_htmx_returns_the_fragment(world, as_user):
    notification = NotificationFactory(recipient=world.employee)
    response = as_user(world.employee).post(
        reverse("people:notification-read", args=[notification.uuid]), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert f'id="notification-{notification.uuid}"' in html
    assert "Nieuw" not in html
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
        notification_create(recipient=world.colleague, kind="test", title="Plan updated", link="/")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [world.colleague.email]
    assert message.body.startswith("Hello Daan,")
    assert "http://" in message.body
    # Sending again (a redelivered task) does not send twice.
    from people.tasks import notification_send_email

    notification = Notification.objects.get(recipient=world.colleague)
    assert notification_send_email(notification.pk) is False
    assert len(mail.outbox) == 1


def test_inbox_query_count_does_not_grow(world, as_user, django_assert_max_num_queries):
    client = as_user(world.employee)
    NotificationFactory.create_batch(3, recipient=world.employee)
    with django_assert_max_num_queries(8) as few:
        client.get(reverse("people:inbox"))
    NotificationFactory.create_batch(30, recipient=world.employee)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("people:inbox"))
