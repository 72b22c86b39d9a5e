"""The POP in real Chromium: writing it together, agreeing on it, and a co-editing
conflict between two browsers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, MANAGER_EMAIL, seed_people
from people.models import User
from plans.models import DevelopmentAction, DevelopmentPlan, PlanVersion
from tests.browser.conftest import assert_accessible
from tests.factories import GoalFactory
from tests.plans.conftest import make_action, make_competency


def _setup():
    result = seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    org_goal = GoalFactory(
        organisation=result.organisation,
        level="organisation",
        title="Digitalisering van de zorg",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    team_goal = GoalFactory(
        level="team",
        owner_unit=sanne.unit,
        parent=org_goal,
        title="Beeldzorg in Wijkteam Noord",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    goal = GoalFactory(
        owner_person=sanne,
        parent=team_goal,
        title="Twintig cliënten met beeldzorg",
        target_value=20,
        current_value=6,
    )
    make_competency(result.organisation)
    return sanne, goal


@pytest.mark.django_db(transaction=True)
def test_employee_and_manager_write_and_agree_on_the_plan(open_session):
    sanne, goal = _setup()
    employee = open_session()
    page = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Mijn POP").click()
    # No plan yet: the page invites Sanne to start one; only the button creates it.
    expect(page.get_by_test_id("plan-start")).to_contain_text("Je hebt nog geen POP.")
    assert_accessible(page)
    employee.screenshot("plan-start-employee")
    assert not DevelopmentPlan.objects.filter(employee=sanne).exists()
    page.get_by_role("button", name="Begin aan mijn POP").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("POP van Sanne Jansen")
    expect(page.get_by_test_id("plan-goal")).to_contain_text(
        "Digitalisering van de zorg › Beeldzorg in Wijkteam Noord › Twintig cliënten met beeldzorg"
    )
    expect(page.get_by_test_id("plan-goal").get_by_test_id("progress-percent")).to_have_text("30%")
    assert_accessible(page)
    employee.screenshot("plan-empty-employee")

    # The ambition, edited in place.
    page.get_by_role("link", name="Bewerken mijn ambitie").click()
    page.get_by_label("Mijn ambitie").fill("Doorgroeien naar specialistisch wijkverpleegkundige.")
    page.get_by_role("button", name="Opslaan").click()
    expect(page.get_by_test_id("employee-ambition")).to_have_text(
        "Doorgroeien naar specialistisch wijkverpleegkundige."
    )

    # A competency gap.
    page.get_by_text("Competentie toevoegen").click()
    gap_form = page.locator("#add-gap")
    gap_form.get_by_label("Competentie").select_option(label="Digitale vaardigheden")
    gap_form.get_by_label("Huidig niveau").fill("2")
    gap_form.get_by_label("Gewenst niveau").fill("4")
    gap_form.get_by_label("Waarom het belangrijk is").fill("Collega's meenemen in beeldzorg.")
    gap_form.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_test_id("gap-title")).to_have_text("Digitale vaardigheden")

    # An action: first with a due date before the start (kept input, clear message).
    page.get_by_text("Ontwikkelactie toevoegen").click()
    action_form = page.locator("#add-action")
    action_form.get_by_label("Titel").fill("E-learning Zorg op afstand")
    action_form.get_by_label("Soort").select_option("elearning")
    action_form.get_by_label("Doel").select_option(label=goal.title)
    action_form.get_by_label("Startdatum").fill("2026-03-01")
    action_form.get_by_label("Einddatum").fill("2026-02-01")
    action_form.get_by_label("Kosten (€)").fill("95")
    action_form.get_by_label("Afspraak over kennisdeling").fill("Ik deel het in het teamoverleg.")
    action_form.get_by_role("button", name="Toevoegen").click()
    action_form = page.locator("#add-action")
    expect(action_form).to_contain_text("De einddatum kan niet vóór de begindatum liggen.")
    expect(action_form.get_by_label("Titel")).to_have_value("E-learning Zorg op afstand")
    expect(action_form.get_by_label("Afspraak over kennisdeling")).to_have_value(
        "Ik deel het in het teamoverleg."
    )
    assert_accessible(page)
    employee.screenshot("plan-action-validation")
    action_form.get_by_label("Einddatum").fill("2026-04-15")
    action_form.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_test_id("action-title")).to_have_text("E-learning Zorg op afstand")
    expect(page.get_by_test_id("budget-used")).to_have_text("€ 95,00")
    assert_accessible(page)  # after the htmx swaps
    employee.screenshot("plan-after-edits-employee")

    # The manager comments and gives akkoord.
    manager = open_session()
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    plan = DevelopmentPlan.objects.get(employee=sanne)
    mpage = manager.page
    mpage.goto(plan.get_absolute_url())
    card = mpage.get_by_test_id("action-card")
    card.get_by_text("Reactie schrijven").click()  # the comment form is folded away
    card.get_by_label("Reactie toevoegen").fill("Goed plan, ik plan de uren in.")
    card.get_by_role("button", name="Reageren").click()
    expect(card.get_by_test_id("comments")).to_contain_text("Goed plan, ik plan de uren in.")
    mpage.get_by_role("button", name="Akkoord geven").click()
    expect(mpage.get_by_test_id("akkoord-manager")).to_contain_text("Jeroen de Vries gaf akkoord")
    manager.screenshot("plan-manager-akkoord")

    # The employee sees the comment and agrees: version 1 is frozen.
    page.reload()
    expect(page.get_by_test_id("changes-visit")).to_contain_text("Jeroen de Vries reageerde op")
    expect(page.get_by_test_id("action-card").get_by_test_id("comments")).to_contain_text(
        "Goed plan, ik plan de uren in."
    )
    page.get_by_role("button", name="Akkoord geven").click()
    expect(page.get_by_role("status").first).to_contain_text("versie 1 is vastgelegd")
    expect(page.get_by_test_id("plan-status")).to_have_text("Akkoord")
    expect(page.get_by_test_id("latest-version")).to_contain_text("Versie 1 vastgesteld")
    assert PlanVersion.objects.get(plan=plan).number == 1
    assert_accessible(page)
    employee.screenshot("plan-agreed-version-1")
    employee.assert_no_console_errors()
    manager.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_two_browsers_edit_the_same_action_and_see_the_conflict(open_session):
    sanne, goal = _setup()
    plan = DevelopmentPlan.objects.create(
        employee=sanne, organisation=sanne.organisation, yearly_budget=1500
    )
    action = make_action(
        plan,
        None,
        goal=goal,
        title="Meelopen met Team Digitale Zorg",
        kind="shadowing",
        description="Drie dagdelen meelopen.",
    )
    employee, manager = open_session(), open_session()
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    forms = {}
    for session in (employee, manager):
        session.page.goto(plan.get_absolute_url())
        session.page.get_by_role("link", name=f"Bewerken {action.title}").click()
        forms[session] = session.page.locator(f"form#item-action-{action.uuid}")
        expect(forms[session].get_by_label("Omschrijving")).to_be_visible()

    sanne_text = "Drie dagdelen meelopen, daarna een werkinstructie schrijven."
    jeroen_text = "Twee dagdelen meelopen en één dag bij de storingsdienst."
    forms[employee].get_by_label("Omschrijving").fill(sanne_text)
    forms[employee].get_by_role("button", name="Opslaan").click()
    expect(employee.page.get_by_test_id("action-description")).to_have_text(sanne_text)

    forms[manager].get_by_label("Omschrijving").fill(jeroen_text)
    forms[manager].get_by_role("button", name="Opslaan").click()
    conflict = manager.page.locator(f"form#item-action-{action.uuid}")
    expect(conflict.get_by_test_id("conflict")).to_contain_text(
        re.compile(r"Sanne Jansen heeft dit om \d\d:\d\d opgeslagen")
    )
    expect(conflict.get_by_label("Omschrijving")).to_have_value(jeroen_text)  # mine, kept
    expect(conflict.get_by_test_id("their-description")).to_contain_text(sanne_text)
    assert_accessible(manager.page)
    manager.screenshot("plan-conflict-manager")

    # Jeroen combines both and saves his version.
    combined = f"{sanne_text} Plus één dag bij de storingsdienst."
    conflict.get_by_label("Omschrijving").fill(combined)
    conflict.get_by_role("button", name="Mijn versie opslaan").click()
    expect(manager.page.get_by_test_id("action-description")).to_have_text(combined)
    manager.screenshot("plan-conflict-resolved-manager")
    employee.page.reload()
    expect(employee.page.get_by_test_id("action-description")).to_have_text(combined)
    expect(employee.page.get_by_test_id("changes-visit")).to_contain_text(
        "Jeroen de Vries wijzigde"
    )
    employee.screenshot("plan-conflict-resolved-employee")
    action.refresh_from_db()
    assert action.description == combined and action.version == 3
    assert DevelopmentAction.objects.count() == 1
    employee.assert_no_console_errors()
    manager.assert_no_console_errors()
