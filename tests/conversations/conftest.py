"""A planned conversation between the ``world`` employee and manager, with their plan."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Conversation, PreparationAnswer, PreparationQuestion
from conversations.services import conversation_schedule
from tests.plans.conftest import pop  # noqa: F401  (the plan fixture)

EMPLOYEE_ANSWER = "Ik wil leren coachen; mijn werkdruk is hoog."
MANAGER_ANSWER = "Sanne pakt veel op; ik wil haar rol als aandachtsvelder bespreken."
SHARED = "We bespraken de werkdruk en de opleiding <b>beeldzorg</b> https://evil.example/x.png"
EMPLOYEE_PRIVATE = "Ik durf niet te zeggen dat ik wil stoppen."
MANAGER_PRIVATE = "Let op verzuim na de zomer."


def in_days(days: int, hour: int = 10) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(
        day, datetime.time(hour, 0), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def conversation(world, pop) -> Conversation:  # noqa: F811
    return make_conversation(world)


def make_conversation(world) -> Conversation:
    """An ontwikkelgesprek in a week, both sides prepared."""
    conversation = conversation_schedule(
        manager=world.manager,
        employee=world.employee,
        kind="development",
        starts_at=in_days(7),
        location="Kamer 2.14",
    )
    first = PreparationQuestion.objects.filter(
        organisation=world.organisation, kind="development"
    ).first()
    PreparationAnswer.objects.create(
        conversation=conversation, question=first, author=world.employee, body=EMPLOYEE_ANSWER
    )
    PreparationAnswer.objects.create(
        conversation=conversation, question=first, author=world.manager, body=MANAGER_ANSWER
    )
    return conversation


@pytest.fixture
def held(world, conversation) -> Conversation:
    return make_held(world, conversation)


def make_held(world, conversation: Conversation) -> Conversation:
    """The conversation started and held: an agenda item, shared notes, each side's
    private note and two agreements."""
    services.agenda_item_add(conversation=conversation, by=world.employee, text="Werkdruk")
    start_it(conversation)
    services.shared_note_save(
        conversation=conversation, by=world.manager, body=SHARED, expected_version=1
    )
    for author, body in ((world.employee, EMPLOYEE_PRIVATE), (world.manager, MANAGER_PRIVATE)):
        services.private_note_save(
            conversation=conversation, by=author, body=body, expected_version=1
        )
    services.agreement_add(
        conversation=conversation,
        by=world.manager,
        text="Sanne volgt de opleiding beeldzorg",
        owner=world.employee,
        due_date=datetime.date(2026, 6, 1),
    )
    services.agreement_add(
        conversation=conversation,
        by=world.employee,
        text="Jeroen regelt een buddy",
        owner=world.manager,
    )
    return services.conversation_mark_held(conversation=conversation, by=world.manager)


def start_it(conversation: Conversation) -> Conversation:
    """Move the conversation to an hour ago (it has started)."""
    Conversation.objects.filter(pk=conversation.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=1)
    )
    conversation.refresh_from_db()
    return conversation
