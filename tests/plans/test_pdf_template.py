"""The blank POP template: the plan's sections as form fields, with the strategic goals."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from goals.models import Goal
from plans import pdf
from tests.factories import GoalFactory

from .conftest import pdf_info, pdf_text

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf

URL = reverse("plans:plan-template-pdf")


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def strategic(world):
    def org_goal(title, **fields):
        values = {"metric": "none", "start_value": None, "target_value": None}
        values["current_value"] = None
        return GoalFactory(
            organisation=world.organisation,
            level="organisation",
            title=title,
            **{**values, **fields},
        )

    return {
        "active": org_goal("Duurzame inzetbaarheid van iedere medewerker"),
        "second": org_goal("Digitale zorg voor iedere cliënt"),
        "cancelled": org_goal("Oud doel dat niet meer geldt", status=Goal.Status.CANCELLED),
        "elsewhere": GoalFactory(
            organisation=world.other_organisation,
            level="organisation",
            title="Doel van een andere organisatie",
            metric="none",
            start_value=None,
            target_value=None,
            current_value=None,
        ),
    }


def test_dutch_template_lists_strategic_goals_and_has_fields_for_every_section(
    world, strategic, as_user
):
    response = as_user(world.employee).get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith("attachment;")
    file = response.content
    text = pdf_text(file)
    assert "Persoonlijk ontwikkelingsplan" in text
    for number, section in enumerate(pdf.SECTIONS, start=1):
        with translation.override("nl"):
            assert f"{number}. {section.title}" in text
    assert "Duurzame inzetbaarheid van iedere medewerker" in text
    assert "Digitale zorg voor iedere cliënt" in text
    assert "Oud doel dat niet meer geldt" not in text
    assert "Doel van een andere organisatie" not in text
    assert "Pagina 1 van" in text
    info = pdf_info(file)
    assert info["Tagged"] == "yes"
    assert info["Title"] == "Persoonlijk ontwikkelingsplan (POP): sjabloon"
    fields = PdfReader(io.BytesIO(file)).get_fields()
    for section in pdf.SECTIONS:
        assert any(name.startswith(f"{section.key}-") for name in fields), section.key
    for name in ("cover-name", "ambitions-own", "goals-1-goal", "actions-5-cost"):
        assert fields[name]["/FT"] == "/Tx"
    assert fields["strategic-1"]["/FT"] == "/Btn"
    assert fields["strategic-2"]["/FT"] == "/Btn"
    assert "strategic-3" not in fields


def test_english_template(world, strategic, as_user):
    text = pdf_text(as_user(world.employee).get(URL, {"lang": "en"}).content)
    assert "Personal development plan" in text
    assert "1. Ambitions" in text and "4. Development actions" in text
    assert "Page 1 of" in text
    assert "Duurzame inzetbaarheid van iedere medewerker" in text
    assert "Ontwikkelacties" not in text


def test_unknown_language_falls_back_to_dutch(world, as_user):
    text = pdf_text(as_user(world.employee).get(URL, {"lang": "xx"}).content)
    assert "1. Ambities" in text


def test_each_organisation_gets_its_own_goals(world, strategic, as_user):
    text = pdf_text(as_user(world.other_hr).get(URL).content)
    assert "Doel van een andere organisatie" in text
    assert "Duurzame inzetbaarheid" not in text
    assert "Gemeente Elders" in text


def test_the_template_is_cached_until_the_goals_change(world, strategic, as_user, monkeypatch):
    renders = []
    real = pdf.template_pdf

    def counting(**kwargs):
        renders.append(kwargs["language"])
        return real(**kwargs)

    monkeypatch.setattr(pdf, "template_pdf", counting)
    client = as_user(world.employee)
    first = client.get(URL).content
    assert client.get(URL).content == first
    assert as_user(world.manager).get(URL).content == first
    assert renders == ["nl"]
    GoalFactory(
        organisation=world.organisation,
        level="organisation",
        title="Nieuw strategisch doel",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    assert "Nieuw strategisch doel" in pdf_text(client.get(URL).content)
    assert renders == ["nl", "nl"]


def test_anonymous_is_sent_to_sign_in_and_post_is_refused(world, as_user):
    response = as_user(None).get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert as_user(world.employee).post(URL).status_code == 405


def test_the_template_asks_for_knowledge_sharing_and_keeps_my_goals_with_its_table(
    world, strategic, as_user
):
    """Issue 16, item 7: no field for the knowledge-sharing agreement, and the "Mijn
    doelen" heading stood alone at the bottom of page 2."""
    file = as_user(world.employee).get(URL).content
    fields = PdfReader(io.BytesIO(file)).get_fields()
    assert fields["actions-1-sharing"]["/FT"] == "/Tx"
    pages = pdf_text(file).split("\f")
    heading = next(page for page in pages if "Mijn doelen" in page)
    assert "Doel (specifiek en meetbaar)" in heading
    assert heading.index("Mijn doelen") < heading.index("Doel (specifiek en meetbaar)")
    assert "Kennisdeling: hoe pas je toe wat je leert" in pdf_text(file)
    # No section heading ends a page: each shares its page with the first of its fields.
    for heading, first in (
        ("3. Competenties om te ontwikkelen", "Waarom het belangrijk is"),
        ("4. Ontwikkelacties", "Actie 1"),
        ("6. Afspraken uit het laatste gesprek", "Uiterlijk"),
    ):
        page = next(page for page in pages if heading in page)
        assert first in page[page.index(heading) :], heading


def test_the_template_is_linked_from_the_start_page_and_the_pop_menu(world, as_user):
    from plans.models import DevelopmentPlan

    DevelopmentPlan.objects.filter(employee=world.employee).delete()
    html = as_user(world.employee).get(reverse("plans:plan-mine")).content.decode()
    assert 'data-testid="plan-start"' in html
    assert f'href="{URL}" data-testid="start-template"' in html
    assert f'href="{URL}" data-testid="menu-template"' in html  # the POP menu beside "Mijn POP"
