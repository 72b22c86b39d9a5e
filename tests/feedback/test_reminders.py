"""A reminder before the due date to whoever has not answered: once, through the outbox."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from feedback.models import Invitation
from feedback.reminders import feedback_reminders_sweep
from people.models import OutgoingMessage

from .conftest import answer_all, ask

pytestmark = pytest.mark.django_db


def test_each_person_who_has_not_answered_is_reminded_once(world, asked):
    feedback = ask(asked, world)
    Invitation.objects.filter(request=feedback).update(
        created_at=timezone.now() - datetime.timedelta(days=20)
    )
    answer_all(feedback, asked.answerers[0], "Al gedaan")
    tz = world.organisation.tzinfo
    lead = datetime.timedelta(days=world.organisation.reminder_lead_days)
    slot = datetime.datetime.combine(feedback.due_date - lead, datetime.time(9), tzinfo=tz)

    assert feedback_reminders_sweep(now=slot - datetime.timedelta(minutes=1)) == 0
    assert feedback_reminders_sweep(now=slot) == 2
    assert feedback_reminders_sweep(now=slot + datetime.timedelta(hours=1)) == 0
    reminded = OutgoingMessage.objects.filter(kind="feedback_reminder", channel="in_app")
    assert sorted(m.recipient_id for m in reminded) == sorted(p.pk for p in asked.answerers[1:])


def test_people_asked_within_the_lead_time_are_not_reminded_at_once(world, asked):
    from feedback import services

    services.request_create(
        plan=asked.pop.plan,
        by=world.employee,
        items=[asked.pop.gap],
        people=asked.answerers,
        due_date=timezone.localdate() + datetime.timedelta(days=1),
        anonymous=True,
        share_description=False,
    )
    assert feedback_reminders_sweep(now=timezone.now()) == 0
