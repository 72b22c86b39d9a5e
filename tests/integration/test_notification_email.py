"""Notification e-mail through a real Celery worker on Redis and a real SMTP server.

At least once, and exactly once unless a worker dies between the mail server accepting
the message and the row being marked: each test ends when the broker has nothing left
to deliver, so a duplicate would have arrived by then.
"""

import pytest
from django.conf import settings
from django.db import transaction

from people.models import OutgoingMessage
from people.outbox import outbox_send
from people.tasks import outbox_deliver

from .harness import process_alive, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def notification_create(*, recipient, kind, title, body="", link="") -> OutgoingMessage:
    """A message in the inbox and by e-mail, whose text is as given; returns its e-mail."""
    context = {"title": title, "body": body}
    _inbox, email = outbox_send(recipient=recipient, kind="text", context=context, link=link)
    return email


def _row(notification: OutgoingMessage) -> OutgoingMessage:
    return OutgoingMessage.objects.get(pk=notification.pk)


def _emailed(notification: OutgoingMessage):
    return lambda: _row(notification).sent_at is not None


def test_committed_notifications_are_emailed_once_in_each_recipients_language(
    world, celery_worker, smtp_server, broker
):
    world.colleague.language = "en"
    world.colleague.save(update_fields=["language"])
    with transaction.atomic():
        dutch = notification_create(
            recipient=world.employee,
            kind="plan",
            title="Je POP is bijgewerkt",
            body="Jeroen heeft een doel toegevoegd.",
            link="/plans/mine/",
        )
        english = notification_create(
            recipient=world.colleague, kind="plan", title="Your plan was updated", link="/"
        )
        assert broker.pending() == 0, "a task went out before the commit"

    smtp_server.wait_for_messages(2, details=celery_worker.log)
    wait_until(_emailed(dutch), what="the Dutch notification to be marked e-mailed")
    wait_until(_emailed(english), what="the English notification to be marked e-mailed")
    broker.wait_until_idle(details=celery_worker.log)

    messages = {message.envelope_to: message for message in smtp_server.messages}
    assert len(smtp_server.messages) == 2, [m.subject for m in smtp_server.messages]
    nl = messages[(world.employee.email,)]
    assert nl.to == [world.employee.email]
    assert nl.message["From"] == settings.DEFAULT_FROM_EMAIL
    assert nl.subject == "Je POP is bijgewerkt"
    assert nl.text.startswith("Hallo Sanne,")
    assert "Jeroen heeft een doel toegevoegd." in nl.text
    assert f"{settings.SITE_URL}/plans/mine/" in nl.text
    assert '<html lang="nl">' in nl.html
    assert "Openen in POP Platform" in nl.html
    assert nl.attachments == []

    en = messages[(world.colleague.email,)]
    assert en.to == [world.colleague.email]
    assert en.subject == "Your plan was updated"
    assert en.text.startswith("Hello Daan,")
    assert '<html lang="en">' in en.html
    assert "Open in POP Platform" in en.html

    for notification in (dutch, english):
        row = _row(notification)
        assert (row.attempts, row.last_error, row.failed_at) == (1, "", None)


def test_the_same_task_enqueued_twice_sends_one_email(world, celery_worker, smtp_server, broker):
    # A message to be e-mailed whose task this test queues itself, twice.
    notification = OutgoingMessage.objects.create(
        recipient=world.employee,
        channel="email",
        kind="text",
        context={"title": "Twee keer in de wachtrij"},
    )
    # Hold the mail server so that both runs are busy at once (the worker has two processes).
    smtp_server.hold()
    outbox_deliver.delay(notification.pk)
    outbox_deliver.delay(notification.pk)

    # One run reaches the mail server and waits there; the other finds it busy and
    # retries later.
    wait_until(
        lambda: (
            smtp_server.held_total >= 2
            or (smtp_server.held == 1 and "DeliveryInProgress" in celery_worker.log())
        ),
        what="one run at the mail server and the other one retrying",
        details=celery_worker.log,
    )
    assert smtp_server.held_total == 1, "both runs talked to the mail server"
    assert _row(notification).attempts == 1
    smtp_server.release()

    smtp_server.wait_for_messages(1, details=celery_worker.log)
    wait_until(_emailed(notification), what="the notification to be marked e-mailed")
    # The retried run finds it e-mailed and ends.
    broker.wait_until_idle(details=celery_worker.log)
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].subject == "Twee keer in de wachtrij"
    assert _row(notification).attempts == 1
    log = celery_worker.log()
    assert log.count("succeeded in") == 2, log
    assert log.count(": True\n") == 1 and log.count(": False\n") == 1, log


def test_a_worker_killed_while_sending_is_redelivered_and_emails_once(
    world, celery_worker, smtp_server, broker
):
    smtp_server.hold()
    with transaction.atomic():
        notification = notification_create(
            recipient=world.employee, kind="plan", title="Gesprek gepland"
        )
    wait_until(lambda: smtp_server.held == 1, what="the worker to be at the mail server")
    row = _row(notification)
    assert (row.attempts, row.sent_at) == (1, None)

    processes = celery_worker.processes()
    assert len(processes) == 1 + celery_worker.concurrency  # main process and pool
    celery_worker.kill()
    assert not [pid for pid in processes if process_alive(pid)]
    # The mail server notices the dropped connection; it never accepted the message.
    wait_until(lambda: smtp_server.held == 0, what="the SMTP session to end")
    smtp_server.release()
    assert smtp_server.messages == []

    celery_worker.start()
    smtp_server.wait_for_messages(1, timeout=20, details=celery_worker.log)
    wait_until(_emailed(notification), what="the notification to be marked e-mailed")
    broker.wait_until_idle(details=celery_worker.log)

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].to == [world.employee.email]
    assert smtp_server.messages[0].subject == "Gesprek gepland"
    row = _row(notification)
    assert row.attempts == 2
    assert row.last_error == ""
    assert row.failed_at is None


def test_smtp_down_is_recorded_and_retried_until_it_is_delivered_once(
    world, celery_worker, smtp_server, broker
):
    smtp_server.stop()  # nothing listens on its port now
    with transaction.atomic():
        notification = notification_create(
            recipient=world.employee, kind="plan", title="Voortgangsgesprek"
        )

    failed = wait_until(
        lambda: (row := _row(notification)).attempts >= 2 and row,
        what="two failed attempts",
        details=celery_worker.log,
    )
    assert "Connection refused" in failed.last_error
    assert failed.sent_at is None
    assert failed.failed_at is None  # retrying, not given up

    smtp_server.start()
    smtp_server.wait_for_messages(1, timeout=30, details=celery_worker.log)
    wait_until(_emailed(notification), what="the notification to be marked e-mailed")
    broker.wait_until_idle(details=celery_worker.log)

    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].subject == "Voortgangsgesprek"
    row = _row(notification)
    # The attempt counter is raised before sending, so the attempt seen as "second" above
    # may itself be the one that got through once the server was back.
    assert row.attempts >= 2
    assert "Connection refused" in row.last_error  # the last failure stays on record
    assert row.failed_at is None
