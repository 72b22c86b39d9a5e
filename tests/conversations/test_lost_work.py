"""Work requested while the broker (Redis) was down, or lost with it, is picked up by the
beat sweep once it is back: each e-mail goes out once, and nothing older than a week."""

import datetime
import time

from django.urls import reverse
from django.utils import timezone
from pop_platform.delivery import NOT_TRIED_AFTER, not_retried_after

from conversations import reminders
from conversations.models import Conversation, ReminderDelivery
from people.models import Notification

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
    invitations = ReminderDelivery.objects.filter(kind="invitation", object_id=conversation.pk)
    assert [(d.attempts, d.sent_at) for d in invitations] == [(0, None), (0, None)]
    request = Notification.objects.get(recipient=world.manager, kind="conversation_requested")
    assert (request.email_attempts, request.emailed_at) == (0, None)
    assert mailoutbox == []

    broker_down.conf.task_always_eager = True  # Redis is back (and empty)
    now = timezone.now()
    nothing_yet = reminders.lost_work_requeue(now=now)  # their tasks may still be queued
    assert (nothing_yet.deliveries, nothing_yet.notifications) == ([], [])
    picked_up = reminders.lost_work_requeue(now=now + LATER)
    assert sorted(picked_up.deliveries) == sorted(d.pk for d in invitations)
    assert picked_up.notifications == [request.pk]
    assert _subjects(mailoutbox) == [
        (world.employee.email, "Uitnodiging: ontwikkelgesprek met Jeroen de Vries"),
        (world.manager.email, "Daan Visser wil graag een check-in met je"),
        (world.manager.email, "Uitnodiging: ontwikkelgesprek met Sanne Jansen"),
    ]
    assert all(d.sent_at and d.attempts == 1 for d in invitations.all())
    # The next sweeps find nothing left, also not the invitations' in-app copies.
    again = reminders.lost_work_requeue(now=now + datetime.timedelta(hours=1))
    assert (again.deliveries, again.notifications) == ([], [])
    assert len(mailoutbox) == 3
    # Those copies are marked as reaching the person otherwise (as the reminder itself).
    copies = Notification.objects.filter(pk__in=invitations.values("notification_id"))
    assert copies.count() == 2 and not copies.filter(email_wanted=True).exists()


def test_a_retry_dropped_with_the_broker_is_queued_again_after_the_longest_wait(world, mailoutbox):
    """A worker that loses Redis forgets the retries it was waiting for: the row was
    tried once, failed, and nothing will try it again."""
    now = timezone.now()
    tried = Notification.objects.create(recipient=world.employee, kind="plan", title="Later")
    Notification.objects.filter(pk=tried.pk).update(
        email_attempts=1, updated_at=now, email_error="ConnectionRefusedError: ..."
    )
    assert reminders.lost_work_requeue(now=now + LATER).notifications == []  # may be waiting
    late = now + not_retried_after() + datetime.timedelta(seconds=1)
    assert reminders.lost_work_requeue(now=late).notifications == [tried.pk]
    tried.refresh_from_db()
    assert tried.emailed_at is not None and tried.email_attempts == 2
    assert [m.subject for m in mailoutbox] == ["Later"]


def test_given_up_sent_and_week_old_work_is_left_alone(world, mailoutbox):
    now = timezone.now()
    make = lambda title, **fields: Notification.objects.create(  # noqa: E731
        **{"recipient": world.employee, "kind": "plan", "title": title, **fields}
    )
    make("Opgegeven", email_failed_at=now, email_attempts=6)
    make("Verstuurd", emailed_at=now, email_attempts=1)
    old = make("Van vorige maand")
    Notification.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(days=8))
    make("Voor iemand die vertrok", recipient=world.colleague)
    world.colleague.is_active = False
    world.colleague.save(update_fields=["is_active"])
    delivery = ReminderDelivery.objects.create(
        kind="digest",
        recipient=world.manager,
        object_type="user",
        object_id=world.manager.pk,
        due_slot=now,
        failed_at=now,
        attempts=6,
    )
    picked_up = reminders.lost_work_requeue(now=now + LATER)
    assert (picked_up.deliveries, picked_up.notifications) == ([], [])
    assert mailoutbox == []
    delivery.refresh_from_db()
    assert delivery.sent_at is None
