"""Work requested while the broker (Redis) was down, or lost with it, is picked up by the
outbox's beat entry once it is back: each e-mail goes out once, and nothing older than a
week."""

import datetime
import time

from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from people.models import Notification, OutgoingMessage
from people.outbox import NOT_TRIED_AFTER, not_retried_after, outbox_requeue
from tests.factories import OutgoingMessageFactory

from .conftest import schedule_form

LATER = NOT_TRIED_AFTER + datetime.timedelta(seconds=1)


def _subjects(mailoutbox) -> list[tuple[str, str]]:
    return sorted((message.to[0], message.subject) for message in mailoutbox)


def test_with_the_broker_down_the_pages_work_and_the_sweep_sends_everything_once_it_is_back(
    world, pop, as_user, mailoutbox, broker_down, django_capture_on_commit_callbacks
):
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        scheduled = as_user(world.manager).post(
            reverse("conversations:conversation-new"), schedule_form(world.employee)
        )
        requested = as_user(world.colleague).post(
            reverse("conversations:conversation-new"),
            {"mode": "request", "kind": "check_in", "note": "Even bijpraten?"},
        )
    assert time.monotonic() - started < 3
    conversation = Conversation.objects.get(employee=world.employee)
    assert scheduled.status_code == 302 and scheduled["Location"] == conversation.get_absolute_url()
    assert requested.status_code == 302
    assert as_user(world.employee).get(conversation.get_absolute_url()).status_code == 200
    emails = OutgoingMessage.objects.filter(channel="email")
    invitations = emails.filter(kind="reminder_invitation")
    assert [(m.attempts, m.sent_at) for m in invitations] == [(0, None), (0, None)]
    request = emails.get(recipient=world.manager, kind="conversation_requested")
    assert (request.attempts, request.sent_at) == (0, None)
    assert mailoutbox == []

    broker_down.conf.task_always_eager = True  # Redis is back (and empty)
    now = timezone.now()
    assert outbox_requeue(now=now) == []  # their tasks may still be queued
    picked_up = outbox_requeue(now=now + LATER)
    assert sorted(picked_up) == sorted([*(m.pk for m in invitations), request.pk])
    assert _subjects(mailoutbox) == [
        (world.employee.email, "Uitnodiging: ontwikkelgesprek met Jeroen de Vries"),
        (world.manager.email, "Daan Visser wil graag een check-in met je"),
        (world.manager.email, "Uitnodiging: ontwikkelgesprek met Sanne Jansen"),
    ]
    assert all(m.sent_at and m.attempts == 1 for m in invitations.all())
    # The next sweeps find nothing left, also not the invitations' in-app copies.
    assert outbox_requeue(now=now + datetime.timedelta(hours=1)) == []
    assert len(mailoutbox) == 3
    # Those copies were in the inbox at once, whatever the broker did.
    copies = Notification.objects.filter(kind="reminder_invitation")
    assert copies.count() == 2 and not copies.filter(sent_at__isnull=True).exists()


def test_a_retry_dropped_with_the_broker_is_queued_again_after_the_longest_wait(world, mailoutbox):
    """A worker that loses Redis forgets the retries it was waiting for: the row was
    tried once, failed, and nothing will try it again."""
    now = timezone.now()
    tried = OutgoingMessageFactory(recipient=world.employee, title="Later", created_at=now)
    OutgoingMessage.objects.filter(pk=tried.pk).update(
        attempts=1, attempted_at=now, last_error="ConnectionRefusedError: ..."
    )
    assert outbox_requeue(now=now + LATER) == []  # may be waiting
    late = now + not_retried_after() + datetime.timedelta(seconds=1)
    assert outbox_requeue(now=late) == [tried.pk]
    tried.refresh_from_db()
    assert tried.sent_at is not None and tried.attempts == 2
    assert [m.subject for m in mailoutbox] == ["Later"]


def test_given_up_sent_and_week_old_work_is_left_alone(world, mailoutbox):
    now = timezone.now()
    make = lambda title, **fields: OutgoingMessageFactory(  # noqa: E731
        **{"recipient": world.employee, "title": title, **fields}
    )
    make("Opgegeven", failed_at=now, attempts=6)
    make("Verstuurd", sent_at=now, attempts=1)
    make("Van vorige maand", created_at=now - datetime.timedelta(days=8))
    make("Voor iemand die vertrok", recipient=world.colleague)
    world.colleague.is_active = False
    world.colleague.save(update_fields=["is_active"])
    assert outbox_requeue(now=now + LATER) == []
    assert mailoutbox == []
