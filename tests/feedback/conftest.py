"""A plan with items (``tests.plans.conftest.make_pop``) and three more colleagues to ask."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from feedback import services
from feedback.models import FeedbackRequest
from people.models import User
from tests.factories import UserFactory
from tests.plans.conftest import Pop, make_pop


@dataclass
class Asked:
    pop: Pop
    answerers: list[User]


def make_answerers(world, count: int = 3) -> list[User]:
    names = ["Daan Visser", "Noor Bos", "Ruben Dekker", "Eva Smits", "Lars Mertens"]
    people = [world.colleague]
    for index, name in enumerate(names[1:count]):
        people.append(
            UserFactory(
                organisation=world.organisation,
                unit=world.other_team,
                line_manager=world.other_manager,
                full_name=name,
                email=f"answerer{index}@zorg.test",
            )
        )
    return people


@pytest.fixture
def asked(world) -> Asked:
    return Asked(make_pop(world), make_answerers(world))


def due(days: int = 14) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def ask(asked: Asked, world, *, anonymous: bool = True, by=None) -> FeedbackRequest:
    return services.request_create(
        plan=asked.pop.plan,
        by=by or world.employee,
        items=[asked.pop.gap],
        people=asked.answerers,
        due_date=due(),
        anonymous=anonymous,
        share_description=False,
    )


def answer_all(feedback: FeedbackRequest, person: User, text: str) -> None:
    invitation = feedback.invitations.get(person=person)
    for question in feedback.questions.all():
        services.answer_save(
            invitation=invitation,
            question=question,
            by=person,
            body=f"{text} ({question.position})",
            score=None,
            expected_version=1,
        )
