"""Anonymity that holds: nothing below the floor, merged and unattributed above it, and
the manager reads nothing unless the employee shares it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import services
from feedback.models import FeedbackPolicy
from tests.conftest import client_for

from .conftest import answer_all, ask

pytestmark = pytest.mark.django_db

TEXTS = ["Zet beeldbellen al goed in", "Helpt het team met e-health", "Durft te vragen"]


def page(user, feedback) -> str:
    response = client_for(user).get(feedback.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_below_the_floor_nothing_is_shown_then_all_answers_merged(world, asked):
    feedback = ask(asked, world)
    for person, text in zip(asked.answerers[:2], TEXTS, strict=False):
        answer_all(feedback, person, text)
    html = page(world.employee, feedback)
    assert 'data-testid="below-floor"' in html
    assert "1 more answer is needed" in html or "nog 1 antwoord" in html.lower()
    for text in TEXTS:
        assert text not in html
    answer_all(feedback, asked.answerers[2], TEXTS[2])
    html = page(world.employee, feedback)
    for text in TEXTS:
        assert f"{text} (0)" in html and f"{text} (1)" in html
    for person in asked.answerers:
        assert person.full_name not in html


def test_an_anonymous_request_never_names_who_answered(world, asked):
    feedback = ask(asked, world)
    answer_all(feedback, asked.answerers[0], TEXTS[0])
    html = page(world.employee, feedback)
    assert 'data-testid="people"' not in html
    assert "1 of 3" in html.replace("1 van 3", "1 of 3")
    for person in asked.answerers:
        assert person.full_name not in html


def test_named_feedback_shows_the_author(world, asked):
    feedback = ask(asked, world, anonymous=False)
    answer_all(feedback, asked.answerers[1], TEXTS[1])
    html = page(world.employee, feedback)
    assert f"{TEXTS[1]} (0)" in html
    assert asked.answerers[1].full_name in html


def test_the_manager_reads_answers_only_when_shared(world, asked):
    feedback = ask(asked, world)
    for person, text in zip(asked.answerers, TEXTS, strict=True):
        answer_all(feedback, person, text)
    html = page(world.manager, feedback)
    assert 'data-testid="not-shared"' in html
    for text in TEXTS:
        assert text not in html
    services.request_share(feedback=feedback, by=world.employee, shared=True)
    html = page(world.manager, feedback)
    for text in TEXTS:
        assert f"{text} (0)" in html
    for person in asked.answerers:
        assert person.full_name not in html


def test_the_floor_is_an_organisation_setting_never_below_three(world, asked):
    FeedbackPolicy.objects.create(organisation=world.organisation, anonymity_floor=4)
    asked.answerers.append(world.other_manager)
    feedback = ask(asked, world)
    for person, text in zip(asked.answerers[:3], TEXTS, strict=True):
        answer_all(feedback, person, text)
    assert 'data-testid="below-floor"' in page(world.employee, feedback)
    response = client_for(world.hr).post(
        reverse("feedback:settings"), {"form": "policy", "anonymity_floor": 2}
    )
    assert response.status_code == 200
    assert FeedbackPolicy.objects.get(organisation=world.organisation).anonymity_floor == 4


def test_the_order_of_anonymous_answers_is_drawn_per_view(world, asked):
    feedback = ask(asked, world)
    for person, text in zip(asked.answerers, TEXTS, strict=True):
        answer_all(feedback, person, text)
    orders = set()
    for _attempt in range(30):
        html = page(world.employee, feedback)
        orders.add(tuple(sorted(TEXTS, key=lambda text, html=html: html.index(f"{text} (0)"))))
    assert len(orders) > 1
