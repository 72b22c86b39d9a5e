"""Reminders through a real Celery worker on Redis and a real SMTP server.

A planned conversation yields exactly one reminder e-mail per recipient: when two sweeps
decide at the same moment (two threads on PostgreSQL, as two beats would), when the beat
task runs twice, and when the worker is killed with SIGKILL while it is at the mail
server and started again. Each test ends when the broker has nothing left to deliver, so
a duplicate would have arrived by then.
"""

import datetime
import threading
import zoneinfo
from collections import Counter

import pytest
from django.db import connections

from conversations.models import Conversation, ReminderDelivery
from conversations.reminders import reminders_sweep
from conversations.tasks import reminders_sweep as reminders_sweep_task
from people.models import Notification, OutgoingMessage

from .harness import process_alive, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
# The conversation is on Saturday 15 June 2030 at 10:00; with three days' lead time its
# "coming up" reminder is due on Wednesday 12 June at 09:00 local (07:00 UTC).
STARTS = datetime.datetime(2030, 6, 15, 10, 0, tzinfo=AMS)
SLOT = datetime.datetime(2030, 6, 12, 7, 0, tzinfo=datetime.UTC)


def _conversation(world) -> Conversation:
    """The conversation; this week's digest counts as decided, so that the sweep at
    ``SLOT`` decides only the two "coming up" reminders."""
    ReminderDelivery.objects.create(
        kind="digest",
        recipient=world.manager,
        object_type="user",
        object_id=world.manager.pk,
        due_slot=datetime.datetime(2030, 6, 10, 7, 0, tzinfo=datetime.UTC),
    )
    return Conversation.objects.create(
        organisation=world.organisation,
        employee=world.employee,
        manager=world.manager,
        kind="development",
        starts_at=STARTS,
        location="Kamer 2.14",
    )


#: The e-mail deliveries in the outbox (each reminder is also in the inbox).
EMAILS = OutgoingMessage.objects.filter(channel="email")


def _upcoming(conversation: Conversation):
    """The "coming up" reminders' e-mails about ``conversation``."""
    return EMAILS.filter(kind="reminder_upcoming", context__conversation_id=conversation.pk)


def _upcoming_mails(smtp_server) -> Counter:
    return Counter(
        message.to[0]
        for message in smtp_server.messages
        if message.subject.startswith("Binnenkort:")
    )


def _sweep_in_threads(count: int) -> list[list[int]]:
    """``count`` sweeps deciding at the same moment, each in its own transaction."""
    barrier = threading.Barrier(count)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            barrier.wait(timeout=10)
            results.append(reminders_sweep(now=SLOT))
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    return results


def test_two_sweeps_at_the_same_moment_send_one_reminder_per_recipient(
    world, celery_worker, smtp_server, broker
):
    conversation = _conversation(world)
    results = _sweep_in_threads(2)
    created = sorted(len(ids) for ids in results)
    assert created[0] == 0 and created[1] >= 2, (
        created
    )  # one sweep decided, the other found it done

    smtp_server.wait_for_messages(2, details=celery_worker.log)
    # The beat task twice more (real clock): nothing new for this conversation.
    reminders_sweep_task.delay()
    reminders_sweep_task.delay()
    broker.wait_until_idle(details=celery_worker.log)
    wait_until(
        lambda: not EMAILS.filter(sent_at__isnull=True, attempts__gt=0).exists(),
        what="every delivery to be marked sent",
        details=celery_worker.log,
    )
    broker.wait_until_idle(details=celery_worker.log)

    assert _upcoming_mails(smtp_server) == {world.employee.email: 1, world.manager.email: 1}
    pairs = Counter((m.to[0], m.subject) for m in smtp_server.messages)
    assert max(pairs.values()) == 1, pairs
    assert ReminderDelivery.objects.filter(kind="upcoming", object_id=conversation.pk).count() == 2
    upcoming = _upcoming(conversation)
    assert upcoming.count() == 2
    assert [(d.attempts, d.last_error) for d in upcoming] == [(1, ""), (1, "")]
    assert len(smtp_server.messages) == EMAILS.filter(sent_at__isnull=False, skipped=False).count()
    mail = next(
        m
        for m in smtp_server.messages
        if m.to == [world.employee.email] and m.subject.startswith("Binnenkort:")
    )
    assert mail.subject == "Binnenkort: ontwikkelgesprek met Jeroen de Vries"
    assert "zaterdag 15 juni 2030, 10:00" in mail.text
    assert '<html lang="nl">' in mail.html and "Open het gesprek" in mail.html
    ((filename, content_type, content),) = mail.attachments
    assert (filename, content_type) == ("uitnodiging.ics", "text/calendar")
    assert (
        b"METHOD:REQUEST" in content and f"UID:{conversation.uuid}@pop-platform".encode() in content
    )
    print(
        f"\nsweeps created {created}; e-mails: {len(smtp_server.messages)}; upcoming per recipient: {dict(_upcoming_mails(smtp_server))}"
    )


def test_a_worker_killed_at_the_mail_server_sends_each_reminder_once(
    world, celery_worker, smtp_server, broker
):
    conversation = _conversation(world)
    smtp_server.hold()
    (created,) = _sweep_in_threads(1)
    assert ReminderDelivery.objects.filter(kind="upcoming", object_id=conversation.pk).count() == 2
    upcoming = _upcoming(conversation)
    assert upcoming.count() == 2
    wait_until(
        lambda: smtp_server.held == 2,
        what="both sends to be at the mail server",
        details=celery_worker.log,
    )
    assert list(upcoming.values_list("attempts", flat=True)) == [1, 1]

    processes = celery_worker.processes()
    celery_worker.kill()
    assert not [pid for pid in processes if process_alive(pid)]
    wait_until(lambda: smtp_server.held == 0, what="the SMTP sessions to end")
    smtp_server.release()
    assert smtp_server.messages == []

    celery_worker.start()
    wait_until(
        lambda: upcoming.filter(sent_at__isnull=False).count() == 2,
        what="both deliveries to be marked sent after the restart",
        timeout=30,
        details=celery_worker.log,
    )
    broker.wait_until_idle(details=celery_worker.log)

    assert _upcoming_mails(smtp_server) == {world.employee.email: 1, world.manager.email: 1}
    assert len(smtp_server.messages) == len(created)
    attempts = sorted(upcoming.values_list("attempts", flat=True))
    assert attempts == [2, 2]  # the killed try and the redelivery
    assert Notification.objects.filter(kind="reminder_upcoming").count() == 2  # in-app once each
    print(f"\nafter SIGKILL and restart: {len(smtp_server.messages)} e-mails, attempts {attempts}")
