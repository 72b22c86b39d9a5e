"""HR sets the conversation policy in the app: preparation questions per kind and the
cadence per unit (no Django admin needed)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from conversations.cadence import unit_policies
from conversations.models import PreparationQuestion, UnitCadence
from people.models import AuditEvent

from .conftest import EMPLOYEE_ANSWER

pytestmark = pytest.mark.django_db


def _texts(organisation, kind: str) -> list[str]:
    return list(
        PreparationQuestion.objects.filter(organisation=organisation, kind=kind, is_active=True)
        .order_by("position", "id")
        .values_list("text_nl", flat=True)
    )


def test_hr_adds_rewords_and_reorders_questions(world, conversation, as_user):
    client = as_user(world.hr)
    kind = conversation.kind
    first, second = _texts(world.organisation, kind)[:2]
    response = client.post(
        reverse("conversations:question-list"),
        {
            "kind": kind,
            "audience": "employee",
            "text_nl": "Waar ben je trots op?",
            "text_en": "What are you proud of?",
        },
    )
    assert response.url.endswith(f"#kind-{kind}")
    assert _texts(world.organisation, kind)[-1] == "Waar ben je trots op?"
    question = PreparationQuestion.objects.get(
        organisation=world.organisation, kind=kind, text_nl=first
    )
    client.post(
        reverse("conversations:question-edit", args=[question.uuid]),
        {"audience": "both", "text_nl": "Wat ging er goed?", "text_en": "What went well?"},
    )
    client.post(reverse("conversations:question-move", args=[question.uuid]), {"direction": "down"})
    assert _texts(world.organisation, kind)[:2] == [second, "Wat ging er goed?"]
    client.post(reverse("conversations:question-move", args=[question.uuid]), {"direction": "up"})
    assert _texts(world.organisation, kind)[0] == "Wat ging er goed?"
    # The employee's next conversation asks the new wording.
    page = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert "Wat ging er goed?" in page and "Waar ben je trots op?" in page
    # Asked of the employee only (issue 16): the manager prepares without it.
    added = PreparationQuestion.objects.get(text_nl="Waar ben je trots op?")
    assert added.audience == "employee"
    question.refresh_from_db()
    assert question.audience == "both"
    manager_page = as_user(world.manager).get(conversation.get_absolute_url()).content.decode()
    assert "Wat ging er goed?" in manager_page and "Waar ben je trots op?" not in manager_page
    assert (
        AuditEvent.objects.filter(actor=world.hr, object_type="preparation question").count() == 4
    )


def test_a_retired_question_is_no_longer_asked_but_its_answers_stay(world, conversation, as_user):
    answered = conversation.preparation_answers.get(body=EMPLOYEE_ANSWER).question
    other = (
        PreparationQuestion.objects.filter(organisation=world.organisation, kind=conversation.kind)
        .exclude(pk=answered.pk)
        .first()
    )
    client = as_user(world.hr)
    for question in (answered, other):
        response = client.post(
            reverse("conversations:question-active", args=[question.uuid]),
            {"active": "0"},
            follow=True,
        )
    assert (
        "Antwoorden die al gegeven zijn, blijven bij hun gesprekken." in response.content.decode()
    )
    page = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert answered.text_nl in page and EMPLOYEE_ANSWER in page  # answered: still shown
    assert other.text_nl not in page  # not answered: no longer asked
    client.post(reverse("conversations:question-active", args=[other.uuid]), {"active": "1"})
    assert (
        other.text_nl
        in as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    )


def test_hr_sets_and_clears_a_units_cadence(world, as_user):
    client = as_user(world.hr)
    edit = reverse("conversations:cadence-edit", args=[world.department.uuid])
    client.post(edit, {"checkin_cadence_weeks": "4", "conversation_interval_months": ""})
    policies = unit_policies(world.organisation)
    # The department's teams follow it; the interval stays the organisation's.
    assert policies[world.team.pk].checkin_cadence_weeks == 4
    assert policies[world.team.pk].conversation_interval_months == 12
    listing = client.get(reverse("conversations:cadence-list")).content.decode()
    assert "eigen ritme" in listing and "van een bovenliggende afdeling" in listing
    refused = client.post(edit, {"checkin_cadence_weeks": "99"})
    assert "hoogstens 52 is" in refused.content.decode()
    client.post(edit, {"checkin_cadence_weeks": ""})
    assert not UnitCadence.objects.filter(unit=world.department).exists()
    assert unit_policies(world.organisation)[world.team.pk].checkin_cadence_weeks == 6
