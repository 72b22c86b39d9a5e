"""The plan PDF, read back: sections, goals, language, page numbers, tags, safety."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from pypdf import PdfReader

from plans import pdf, services
from plans.items import kind_named
from plans.models import DevelopmentAction
from plans.pdf import Agreement, ConversationAgreements

from .conftest import EMPLOYEE_NOTE, MANAGER_NOTE, make_action, pdf_info, pdf_text

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf

GENERATED = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def _render(plan, language: str = "nl") -> bytes:
    document = pdf.plan_document(plan_id=plan.pk, language=language)
    return pdf.plan_pdf(document=document, generated_at=GENERATED)


def _agree(plan, world) -> None:
    plan.refresh_from_db()
    services.plan_agree(plan=plan, by=world.employee, revision=plan.revision)
    plan.refresh_from_db()
    services.plan_agree(plan=plan, by=world.manager, revision=plan.revision)
    plan.refresh_from_db()


def test_dutch_plan_pdf_has_every_section_the_goals_and_page_numbers(pop):
    file = _render(pop.plan)
    text = pdf_text(file)
    pages = text.split("\f")[:-1]
    for heading in (
        "Persoonlijk ontwikkelingsplan",
        "1. Ambities",
        "2. Doelen",
        "3. Competenties om te ontwikkelen",
        "4. Ontwikkelacties",
        "5. Budget",
        "6. Afspraken uit het laatste gesprek",
    ):
        assert heading in text
    # Cover: person, unit, manager, agreement status.
    cover = pages[0]
    assert "Sanne Jansen, Wijkverpleegkundige" in cover
    assert "Wijkteam Noord" in cover and "Jeroen de Vries" in cover
    assert "Nog geen versie vastgesteld." in cover
    assert "Wacht op het akkoord van Jeroen de Vries" in cover
    # Goals with their path up to the organisation goal, and progress (5 of 20 = 25%).
    assert "Twintig cliënten begeleiden met beeldzorg" in text
    assert "Digitale zorg voor iedere cliënt › Beeldzorg in Wijkteam Noord ›" in text
    assert "25%" in text
    # Gaps, actions (kind, priority, status, dates, cost), budget.
    assert "Digitale vaardigheden" in text and "Gebruikt beeldbellen met hulp." in text
    assert "E-learning beeldzorg" in text
    for value in (
        "e-learning",
        "gemiddeld",
        "gepland",
        "1 februari 2026",
        "1 april 2026",
        "€ 150,00",
    ):
        assert value in text
    assert "€ 1.500,00" in text and "€ 1.350,00" in text
    assert "Er is nog geen gehouden gesprek met afspraken vastgelegd." in text
    # Every page: page X of Y, the organisation's name and the generation date.
    for number, page in enumerate(pages, start=1):
        assert f"Pagina {number} van {len(pages)}" in page
        assert "Gemaakt op 2 maart 2026, 10:30" in page
    assert all("zorggroep test" in page.lower() for page in pages)
    info = pdf_info(file)
    assert info["Title"] == "Persoonlijk ontwikkelingsplan van Sanne Jansen"
    assert info["Tagged"] == "yes"
    assert int(info["Pages"]) == len(pages) >= 2


def test_the_pdf_is_tagged_pdf_ua_with_language_and_structure(pop):
    reader = PdfReader(io.BytesIO(_render(pop.plan)))
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "nl"
    assert catalog["/MarkInfo"]["/Marked"] == True  # noqa: E712 - a pypdf BooleanObject
    roles = set()

    def walk(node):
        node = node.get_object()
        if hasattr(node, "get") and node.get("/S"):
            roles.add(str(node["/S"]))
        kids = node.get("/K") if hasattr(node, "get") else None
        for kid in kids if isinstance(kids, list) else ([kids] if kids is not None else []):
            if hasattr(kid, "get_object") and hasattr(kid.get_object(), "get"):
                walk(kid)

    walk(catalog["/StructTreeRoot"])
    assert {"/H1", "/H2", "/Table", "/TH", "/TD"} <= roles
    assert b"pdfuaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()


def test_the_owner_language_english(pop, world):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    language = pdf.owner_language(pop.plan)
    assert language == "en"
    text = pdf_text(_render(pop.plan, language))
    for heading in (
        "Personal development plan",
        "1. Ambitions",
        "2. Goals",
        "4. Development actions",
    ):
        assert heading in text
    assert "Page 1 of" in text and "Generated on 2 March 2026" in text
    assert "Twintig cliënten begeleiden met beeldzorg" in text
    assert "Pagina" not in text and "Ontwikkelacties" not in text


def test_an_agreed_version_carries_the_agreement(pop, world):
    _agree(pop.plan, world)
    text = pdf_text(_render(pop.plan))
    cover = text.split("\f")[0]
    assert "Status van het plan: akkoord" in cover
    assert "Versie 1 vastgesteld op" in cover
    assert "Sanne Jansen gaf akkoord op" in cover
    assert "Jeroen de Vries gaf akkoord op" in cover
    # A later change: the cover says so and names who still has to agree.
    services.item_update(
        plan=pop.plan,
        kind=kind_named("action"),
        item=pop.action,
        by=world.employee,
        expected_version=pop.action.version,
        changes={"title": "E-learning beeldzorg, deel 2"},
    )
    cover = pdf_text(_render(pop.plan)).split("\f")[0]
    assert "Versie 1 vastgesteld op" in cover
    assert "sinds die versie gewijzigd" in cover
    assert "Wacht op het akkoord van Sanne Jansen" in cover


def test_private_notes_and_comments_stay_out(pop):
    text = pdf_text(_render(pop.plan))
    assert EMPLOYEE_NOTE[:30] not in text and MANAGER_NOTE[:30] not in text
    assert "Goed plan!" not in text


def test_user_html_and_urls_render_as_text_and_request_nothing(pop, world, listener):
    base, hits = listener
    hostile = (
        f'<img src="{base}/img.png"><link rel="stylesheet" href="{base}/a.css">'
        f"<style>@import url({base}/import.css);</style>"
        f'<div style="background: url({base}/bg.png)">x</div> {base}/plain-link'
    )
    plan = pop.plan
    plan.employee_ambition = hostile
    plan.save(update_fields=["employee_ambition"])
    make_action(plan, pop.gap, title=f'<iframe src="{base}/frame"></iframe>', provider=base)
    world.organisation.name = f'Zorg <img src="{base}/org.png">'
    world.organisation.save(update_fields=["name"])
    text = pdf_text(_render(plan))
    assert f'<img src="{base}/img.png">' in text.replace("\n", "")
    assert '<iframe src="' in text
    assert hits == []


def test_agreements_of_the_last_conversation_come_from_the_registered_source(pop):
    def source(plan):
        return ConversationAgreements(
            title="Voortgangsgesprek",
            held_on=datetime.date(2026, 2, 12),
            agreements=(
                Agreement("Sanne volgt module 2 voor de zomer.", "Sanne Jansen"),
                Agreement("Jeroen regelt een buddy.", "Jeroen de Vries", done=True),
            ),
        )

    before = pdf.plan_document(plan_id=pop.plan.pk, language="nl").fingerprint()
    pdf.register_agreements_source(source)
    try:
        document = pdf.plan_document(plan_id=pop.plan.pk, language="nl")
        text = pdf_text(pdf.plan_pdf(document=document, generated_at=GENERATED))
        assert document.fingerprint() != before
    finally:
        pdf.unregister_agreements_source(source)
    assert "Voortgangsgesprek, gehouden op 12 februari 2026." in text
    assert "Sanne volgt module 2 voor de zomer." in text
    assert "Jeroen regelt een buddy." in text and "afgerond" in text


def test_the_fingerprint_follows_content_language_and_agreement(pop, world):
    def fingerprint(language="nl"):
        return pdf.plan_document(plan_id=pop.plan.pk, language=language).fingerprint()

    first = fingerprint()
    assert fingerprint() == first
    assert fingerprint("en") != first
    pop.goal.current_value = 10
    pop.goal.save(update_fields=["current_value"])
    second = fingerprint()
    assert second != first
    _agree(pop.plan, world)
    assert fingerprint() != second


def test_a_plan_with_200_actions_renders_with_repeated_table_headers(pop):
    kinds, statuses = list(DevelopmentAction.Kind), list(DevelopmentAction.Status)
    DevelopmentAction.objects.bulk_create(
        DevelopmentAction(
            plan=pop.plan,
            gap=pop.gap,
            kind=kinds[number % len(kinds)],
            status=statuses[number % len(statuses)],
            priority=1 + number % 3,
            title=f"Actie nummer {number:03d}",
            cost=Decimal(10),
            due_date=timezone.localdate(),
        )
        for number in range(200)
    )
    file = _render(pop.plan)
    text = pdf_text(file)
    pages = text.split("\f")[:-1]
    assert int(pdf_info(file)["Pages"]) == len(pages)
    assert 8 <= len(pages) <= pdf.PLAN_MAX_PAGES
    assert all(f"Actie nummer {number:03d}" in text for number in range(200))
    action_pages = [page for page in pages if "Actie nummer" in page]
    assert len(action_pages) >= 5
    # The header row repeats on every page the actions table runs over.
    assert all("Soort" in page and "Prioriteit" in page for page in action_pages)
    assert "€ 1.650,00" in text  # 150 not cancelled × € 10 + the fixture's € 150


def test_each_action_shows_its_description_knowledge_sharing_steps_and_reflection(world, pop):
    """Issue 16, item 7: the plan PDF left these out."""
    from plans.models import ActionStep

    pop.action.knowledge_transfer = "Ik geef een teamoverleg over beeldzorg."
    pop.action.reflection = "Beeldbellen blijkt voor oudere cliënten goed te werken."
    pop.action.hours = 12
    pop.action.save()
    ActionStep.objects.create(
        action=pop.action, title="Module 2: gesprekstechniek", done_on=datetime.date(2026, 3, 1)
    )
    document = pdf.plan_document(plan_id=pop.plan.pk, language="nl")
    text = pdf_text(pdf.plan_pdf(document=document, generated_at=GENERATED))
    actions = text[text.index("4. Ontwikkelacties") : text.index("5. Budget")]
    for expected in (
        "Beschrijving: Module 1 tot en met 4.",
        "Kennisdeling: Ik geef een teamoverleg over beeldzorg.",
        "Stappen: ○ Module 1: basis ✓ Module 2: gesprekstechniek (afgerond op 1 maart 2026)",
        "Reflectie: Beeldbellen blijkt voor oudere cliënten goed te werken.",
    ):
        assert expected in actions, expected
    # The facts table, as pypdf reads it: its headers, then its values.
    assert "Uren Kosten" in actions and "1 april 2026 12 € 150,00" in actions
