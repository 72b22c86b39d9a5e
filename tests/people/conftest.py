"""A full scenario for the privacy tests: every model that refers to a person has a row,
through every one of its person fields, on top of the ``world`` personas."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from conversations import services as conversation_services
from conversations.models import Conversation, ReminderDelivery
from feedback import services as feedback_services
from feedback.models import Compliment
from goals.models import Goal, GoalUpdate
from people.models import AuditEvent, ChatChannel, Invitation, NotificationChoice
from people.services import audit_record
from plans.models import (
    DevelopmentPlan,
    LevelAssessment,
    PlanChange,
    PlanComment,
    PlanExport,
    PlanVersion,
    PlanVisit,
)
from tests.conversations.conftest import conversation, start_it
from tests.factories import NotificationFactory
from tests.plans.conftest import EMPLOYEE_NOTE, MANAGER_NOTE, Pop, pop

EMPLOYEE_COMMENT = "Ik wil hier volgend jaar mee verder."
MANAGER_COMMENT = "Goed plan!"
EMPLOYEE_CONVERSATION_NOTE = "Ik durf niet te zeggen dat ik wil stoppen."
MANAGER_CONVERSATION_NOTE = "Let op verzuim na de zomer."
SHARED_NOTE = "We bespraken de werkdruk en de opleiding beeldzorg."
AGREEMENT = "Sanne volgt de opleiding beeldzorg"
AGENDA_EMPLOYEE = "Werkdruk in de avonddienst"
AGENDA_MANAGER = "Rol als aandachtsvelder"
CHECK_IN_NOTE = "Vijf cliënten begeleid, loopt goed."
REQUEST_NOTE = "Ik wil het over mijn rooster hebben."
FEEDBACK_ANSWER = "Sanne legt beeldbellen geduldig uit aan cliënten."


@dataclass
class Scenario:
    pop: Pop
    conversation: Conversation
    requested: Conversation


@pytest.fixture
def scenario(world, pop, conversation) -> Scenario:
    """The employee's plan, goals and conversations, with their manager's part in each."""
    employee, manager = world.employee, world.manager
    now = timezone.now()
    Goal.objects.filter(pk=pop.goal.pk).update(
        created_by=employee, proposed_by=employee, approved_by=manager, approved_at=now
    )
    Goal.objects.filter(pk=pop.team_goal.pk).update(created_by=manager, approved_by=manager)
    GoalUpdate.objects.create(
        goal=pop.goal, value=5, confidence=7, note=CHECK_IN_NOTE, author=manager
    )
    PlanComment.objects.create(plan=pop.plan, author=employee, body=EMPLOYEE_COMMENT)
    DevelopmentPlan.objects.filter(pk=pop.plan.pk).update(
        manager_agreed_by=manager, manager_agreed_at=now
    )
    PlanVersion.objects.create(
        plan=pop.plan,
        number=1,
        snapshot={"ambition": pop.plan.employee_ambition},
        employee_agreed_at=now,
        manager_agreed_at=now,
        manager=manager,
    )
    PlanChange.objects.create(
        plan=pop.plan,
        author=manager,
        operation=PlanChange.Operation.CHANGED,
        item_type="action",
        item_uuid=pop.action.uuid,
        item_label=pop.action.title,
        field="title",
        old="E-learning",
        new=pop.action.title,
    )
    PlanVisit.objects.create(plan=pop.plan, user=manager, last_seen_at=now)
    # A compliment on a completed step (issue 19).
    Compliment.objects.create(
        organisation=world.organisation,
        giver=manager,
        receiver=employee,
        step=pop.step,
        text="Knap gedaan!",
    )
    # Both views of the gap's current level (issue 19).
    for side, author, level in (("employee", employee, 2), ("manager", manager, 4)):
        LevelAssessment.objects.create(
            gap=pop.gap,
            side=side,
            author=author,
            level=level,
            reason=f"Zo zie ik het ({side}).",
            sequence=1,
        )
    # Invited by HR, and two-factor sign-in set up (issue 15).
    Invitation.objects.create(
        person=employee, invited_by=world.hr, expires_at=now + datetime.timedelta(days=14)
    )
    TOTPDevice.objects.create(user=employee, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=employee, name="recovery codes", confirmed=True)
    # Her own Teams channel and notification choices (issue 18).
    ChatChannel.objects.create(
        organisation=world.organisation,
        person=employee,
        service="teams",
        url="https://contoso.webhook.office.com/sanne",
    )
    NotificationChoice.objects.create(person=employee, topic="reminders", delivery="chat")
    PlanExport.objects.create(
        plan=pop.plan, requested_by=employee, language="nl", fingerprint="f" * 64, status="done"
    )

    # Named feedback on her gap, asked by her manager; another manager answered (issue 19).
    feedback = feedback_services.request_create(
        plan=pop.plan,
        by=manager,
        items=[pop.gap],
        people=[world.other_manager],
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        anonymous=False,
        share_description=False,
    )
    feedback_services.answer_save(
        invitation=feedback.invitations.get(person=world.other_manager),
        question=feedback.questions.first(),
        by=world.other_manager,
        body=FEEDBACK_ANSWER,
        score=None,
        expected_version=1,
    )

    conversation_services.agenda_item_add(
        conversation=conversation, by=employee, text=AGENDA_EMPLOYEE
    )
    conversation_services.agenda_item_add(
        conversation=conversation, by=manager, text=AGENDA_MANAGER
    )
    for author, body in (
        (employee, EMPLOYEE_CONVERSATION_NOTE),
        (manager, MANAGER_CONVERSATION_NOTE),
    ):
        conversation_services.private_note_save(
            conversation=conversation, by=author, body=body, expected_version=1
        )
    conversation_services.shared_note_save(
        conversation=conversation, by=manager, body=SHARED_NOTE, expected_version=1
    )
    conversation_services.agreement_add(
        conversation=conversation,
        by=manager,
        text=AGREEMENT,
        owner=employee,
        due_date=datetime.date(2026, 6, 1),
    )
    requested = conversation_services.conversation_request(
        employee=employee, kind="check_in", note=REQUEST_NOTE
    )

    NotificationFactory(recipient=employee, title="Je gesprek is gepland")
    # A reminder decided for each of them (the week's digest, a goal due).
    ReminderDelivery.objects.create(
        kind="digest",
        recipient=manager,
        object_type="user",
        object_id=manager.pk,
        due_slot=timezone.now(),
    )
    ReminderDelivery.objects.create(
        kind="goal_due",
        recipient=employee,
        object_type="goal",
        object_id=1,
        due_slot=timezone.now(),
    )
    audit_record(
        actor=manager,
        subject=employee,
        action=AuditEvent.Action.READ,
        object_type="development_plan",
        object_id=str(pop.plan.uuid),
        summary="page",
    )
    LogEntry.objects.create(
        user=manager,
        content_type=ContentType.objects.get_for_model(Goal),
        object_id=str(pop.team_goal.pk),
        object_repr=pop.team_goal.title,
        action_flag=CHANGE,
        change_message="Gewijzigd: titel.",
    )
    return Scenario(pop=pop, conversation=conversation, requested=requested)


__all__ = [
    "EMPLOYEE_NOTE",
    "MANAGER_NOTE",
    "conversation",
    "pop",
    "scenario",
    "start_it",
]
