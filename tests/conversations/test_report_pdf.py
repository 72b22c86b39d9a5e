"""The report of a held conversation as a PDF, and its agreements in the plan PDF."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations import services
from plans import pdf
from tests.plans.conftest import pdf_info, pdf_text

from .conftest import (
    EMPLOYEE_ANSWER,
    EMPLOYEE_PRIVATE,
    MANAGER_ANSWER,
    MANAGER_PRIVATE,
    SHARED,
    start_it,
)

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf

GENERATED = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def _url(conversation) -> str:
    return reverse("conversations:conversation-report-pdf", args=[conversation.uuid])


def test_the_report_has_agenda_shared_notes_and_agreements_never_private_notes(
    world, held, as_user
):
    response = as_user(world.employee).get(_url(held))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="ontwikkelgesprek')
    text = pdf_text(response.content)
    for expected in (
        "GESPREKSVERSLAG",
        "1. Agenda",
        "Werkdruk",
        "2. Gedeelde aantekeningen",
        SHARED,
        "3. Afspraken",
        "Sanne volgt de opleiding beeldzorg",
        "Jeroen regelt een buddy",
        "1 juni 2026",
        "Sanne Jansen",
        "Jeroen de Vries",
        "Pagina 1 van 1",
    ):
        assert expected in text, expected
    for secret in (EMPLOYEE_PRIVATE, MANAGER_PRIVATE, EMPLOYEE_ANSWER, MANAGER_ANSWER):
        assert secret not in text
    info = pdf_info(response.content)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Ontwikkelgesprek met Sanne Jansen: verslag"


def test_the_report_is_in_the_employees_language(world, held, as_user):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    text = pdf_text(as_user(world.manager).get(_url(held)).content)
    assert "CONVERSATION REPORT" in text and "3. Agreements" in text and "Page 1 of 1" in text
    assert "GESPREKSVERSLAG" not in text


@pytest.mark.parametrize(
    "persona", ["employee", "manager", "colleague", "other_manager", "hr", "other_hr", "anonymous"]
)
def test_permission_matrix(world, held, as_user, persona):
    response = as_user(world.personas()[persona]).get(_url(held))
    if persona == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif persona in ("employee", "manager"):
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
    else:  # HR sees compliance, never what was said (conversations.access)
        assert response.status_code == 404


def test_only_a_held_conversation_has_a_report(world, conversation, as_user):
    assert as_user(world.employee).get(_url(conversation)).status_code == 404
    assert as_user(world.manager).post(_url(conversation)).status_code == 405


def test_the_conversation_page_links_to_the_report_once_held(world, held, conversation, as_user):
    page = as_user(world.employee).get(held.get_absolute_url()).content.decode()
    assert _url(held) in page


def test_the_plan_pdf_shows_the_agreements_of_the_last_held_conversation(world, pop, held):
    document = pdf.plan_document(plan_id=pop.plan.pk, language="nl")
    assert document.agreements is not None
    text = pdf_text(pdf.plan_pdf(document=document, generated_at=GENERATED))
    held_on = timezone.localtime(held.held_at)
    assert f"Ontwikkelgesprek, gehouden op {held_on.day} " in text
    assert "Sanne volgt de opleiding beeldzorg" in text and "Jeroen regelt een buddy" in text
    assert SHARED not in text and EMPLOYEE_PRIVATE not in text
    # A newer held conversation replaces them.
    newer = services.conversation_schedule(
        manager=world.manager,
        employee=world.employee,
        kind="check_in",
        starts_at=timezone.now() + datetime.timedelta(days=1),
        location="",
    )
    start_it(newer)
    services.agreement_add(
        conversation=newer, by=world.manager, text="Volgende check-in in mei", owner=world.manager
    )
    services.conversation_mark_held(conversation=newer, by=world.manager)
    text = pdf_text(
        pdf.plan_pdf(
            document=pdf.plan_document(plan_id=pop.plan.pk, language="nl"),
            generated_at=GENERATED,
        )
    )
    assert "Volgende check-in in mei" in text and "Jeroen regelt een buddy" not in text


def test_the_agreements_column_says_afspraak_not_akkoord(world, pop, held, as_user):
    """Issue 16, item 7: section 6 of the plan PDF and the report headed the column
    "Akkoord" (the plan's sign-off) where it lists agreements ("Afspraak")."""
    report = pdf_text(as_user(world.employee).get(_url(held)).content)
    document = pdf.plan_document(plan_id=pop.plan.pk, language="nl")
    plan = pdf_text(pdf.plan_pdf(document=document, generated_at=GENERATED))
    section = plan[plan.index("6. Afspraken uit het laatste gesprek") :]
    for text in (report[report.index("3. Afspraken") :], section):
        assert "Afspraak Wie Uiterlijk" in text and "Akkoord Wie" not in text
