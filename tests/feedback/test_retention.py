"""Retention: a leaver's named feedback stays without their name; feedback about the
leaver goes."""

from __future__ import annotations

import pytest

from feedback.models import Answer, FeedbackRequest, Invitation
from people.retention import people_anonymise
from tests.conftest import client_for

from .conftest import answer_all, ask

pytestmark = pytest.mark.django_db


def test_a_leavers_named_feedback_is_anonymised(world, asked):
    feedback = ask(asked, world, anonymous=False)
    leaver = asked.answerers[0]
    answer_all(feedback, leaver, "Duidelijke uitleg aan cliënten")
    people_anonymise(organisation=world.organisation, people=[leaver], reason="test")
    assert not Invitation.objects.filter(person=leaver).exists()
    assert Answer.objects.filter(body__startswith="Duidelijke uitleg").exists()
    html = client_for(world.employee).get(feedback.get_absolute_url()).content.decode()
    assert "Duidelijke uitleg aan cliënten (0)" in html
    assert leaver.full_name not in html


def test_feedback_about_a_leaver_is_removed(world, asked):
    feedback = ask(asked, world)
    answer_all(feedback, asked.answerers[0], "Iets over Sanne")
    people_anonymise(organisation=world.organisation, people=[world.employee], reason="test")
    assert not FeedbackRequest.objects.filter(pk=feedback.pk).exists()
    assert not Answer.objects.exists()
