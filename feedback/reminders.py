"""A reminder to each person who has not answered yet, at 09:00 local time the
organisation's reminder lead time before the due date.

Decided once per invitation and due date: the conditional UPDATE that sets
``Invitation.reminded_for`` claims it, in the transaction that queues the message in the
outbox, so a second sweep (or a second beat) sends nothing. Called from the one reminder
sweep (``conversations.tasks.reminders_sweep``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q

from people.models import Organisation
from people.outbox import outbox_send

from .models import Invitation

LOCAL_TIME = datetime.time(9, 0)


def _slot(day: datetime.date, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, LOCAL_TIME, tzinfo=tz)


@transaction.atomic
def feedback_reminders_sweep(*, now: datetime.datetime) -> int:
    """Queue the reminders due at ``now``; returns how many were decided."""
    sent = 0
    for organisation in Organisation.objects.all():
        tz = organisation.tzinfo
        today = now.astimezone(tz).date()
        lead = datetime.timedelta(days=organisation.reminder_lead_days)
        waiting = (
            Invitation.objects.filter(
                request__organisation=organisation,
                status=Invitation.Status.INVITED,
                person__is_active=True,
                request__due_date__gte=today,
                request__due_date__lte=today + lead,
            )
            .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("request__due_date")))
            .select_related("request__about", "person")
        )
        for invitation in waiting:
            feedback = invitation.request
            slot = _slot(feedback.due_date - lead, tz)
            if now < slot or invitation.created_at >= slot:
                continue  # not yet; or asked within the lead time (the request itself is new)
            claimed = (
                Invitation.objects.filter(pk=invitation.pk)
                .exclude(reminded_for=feedback.due_date)
                .update(reminded_for=feedback.due_date)
            )
            if not claimed:
                continue
            outbox_send(
                recipient=invitation.person,
                kind="feedback_reminder",
                context={
                    "request_id": feedback.pk,
                    "name": feedback.about.full_name,
                    "upward": feedback.is_upward,
                    "due": feedback.due_date.isoformat(),
                },
                link=invitation.get_absolute_url(),
            )
            sent += 1
    return sent
