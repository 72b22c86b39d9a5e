"""Upward feedback: a manager's reports answer anonymously about the manager's support;
the manager sees figures once the floor is reached, HR only organisation-wide ones."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from feedback import services
from feedback.models import FeedbackRequest
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import due

pytestmark = pytest.mark.django_db

COMMENTS = ["Neemt altijd tijd voor mijn POP", "Denkt mee over scholing", "Geeft eerlijke feedback"]


def reports_of(world, count: int):
    people = [world.employee, world.colleague]
    for index in range(count - 2):
        people.append(
            UserFactory(
                organisation=world.organisation,
                unit=world.team,
                line_manager=world.manager,
                full_name=f"Medewerker {index}",
                email=f"report{index}@zorg.test",
            )
        )
    return people


def answer(feedback: FeedbackRequest, person, score: int, comment: str) -> None:
    invitation = feedback.invitations.get(person=person)
    for question in feedback.questions.all():
        services.answer_save(
            invitation=invitation,
            question=question,
            by=person,
            body=comment,
            score=score,
            expected_version=1,
        )


def test_a_round_for_four_reports_shows_figures_from_the_third_answer(world):
    reports = reports_of(world, 4)
    feedback = services.upward_round_launch(manager=world.manager, by=world.hr, due_date=due())
    assert feedback.anonymous and feedback.invitations.count() == 4
    page = reverse("feedback:request-detail", args=[feedback.uuid])
    for person, score, comment in zip(reports[:2], (4, 5), COMMENTS, strict=False):
        answer(feedback, person, score, comment)
    html = client_for(world.manager).get(page).content.decode()
    assert 'data-testid="below-floor"' in html and COMMENTS[0] not in html
    answer(feedback, reports[2], 3, COMMENTS[2])
    html = client_for(world.manager).get(page).content.decode()
    assert "Gemiddeld 4,0 van 5 (3 scores)" in html
    for comment in COMMENTS:
        assert comment in html
    for person in reports:
        assert person.full_name not in html
    # HR launched it and sees that it runs, never its answers.
    html = client_for(world.hr).get(page).content.decode()
    assert "3 van 4" in html and COMMENTS[0] not in html and "Gemiddeld" not in html


def test_a_manager_with_fewer_reports_than_the_floor_cannot_start_a_round(world):
    with pytest.raises(ValidationError):
        services.upward_round_launch(manager=world.manager, by=world.manager, due_date=due())
    assert not FeedbackRequest.objects.exists()


def test_hr_sees_organisation_figures_only_from_the_minimum_group_size(world):
    reports = reports_of(world, 6)
    feedback = services.upward_round_launch(manager=world.manager, by=world.hr, due_date=due())
    for person in reports[:4]:
        answer(feedback, person, 4, "")
    html = client_for(world.hr).get(reverse("feedback:settings")).content.decode()
    assert 'data-testid="upward-too-few"' in html and 'data-testid="upward-figures"' not in html
    answer(feedback, reports[4], 2, "")
    html = client_for(world.hr).get(reverse("feedback:settings")).content.decode()
    assert 'data-testid="upward-figures"' in html
    assert "3,6" in html  # (4 × 4 + 2) / 5


def test_only_hr_or_the_manager_themself_starts_a_round(world):
    reports_of(world, 4)
    with pytest.raises(PermissionDenied):
        services.upward_round_launch(manager=world.manager, by=world.other_manager, due_date=due())
    response = client_for(world.colleague).get(reverse("feedback:upward-new"))
    assert response.status_code == 404
