"""A development conversation in real Chromium: the manager plans an ontwikkelgesprek,
the employee adds to the agenda and prepares, the manager records notes and an agreement
that becomes a development action, and the action shows on the employee's plan."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, MANAGER_EMAIL, seed_people
from people.models import User
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan
from tests.browser.conftest import assert_accessible
from tests.plans.conftest import make_competency


@pytest.mark.django_db(transaction=True)
def test_manager_and_employee_hold_a_development_conversation(open_session):
    result = seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    plan = DevelopmentPlan.objects.create(
        employee=sanne, organisation=result.organisation, yearly_budget=1500
    )
    CompetencyGap.objects.create(
        plan=plan, competency=make_competency(result.organisation), current_level=2, desired_level=4
    )
    day = timezone.localdate() + datetime.timedelta(days=7)

    manager = open_session()
    page = manager.page
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Gesprekken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gesprekken")
    page.get_by_role("link", name="Gesprek plannen").click()
    page.get_by_label("Met").select_option(label="Sanne Jansen")
    page.get_by_label("Soort gesprek").select_option(label="ontwikkelgesprek")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Tijd").fill("10:30")
    page.get_by_label("Plaats of videolink").fill("Kamer 2.14")
    assert_accessible(page)
    manager.screenshot("conversation-plan-form")
    page.get_by_role("button", name="Plannen en uitnodigen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ontwikkelgesprek")
    expect(page.get_by_test_id("status")).to_have_text("gepland")
    conversation_url = page.url

    employee = open_session()
    epage = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    epage.get_by_role("link", name="Gesprekken").click()
    epage.get_by_test_id("upcoming").get_by_role("link", name="Ontwikkelgesprek").click()
    expect(epage.get_by_role("heading", level=1)).to_have_text("Ontwikkelgesprek")
    epage.get_by_label("Nieuw agendapunt").fill("Mijn werkdruk en de opleiding coachen")
    epage.get_by_role("button", name="Op de agenda zetten").click()
    expect(epage.get_by_test_id("agenda")).to_contain_text("Mijn werkdruk en de opleiding coachen")
    epage.get_by_label("Wat wil je leren of verder ontwikkelen?").fill(
        "Coachend leidinggeven aan stagiairs."
    )
    epage.get_by_role("button", name="Mijn voorbereiding opslaan").click()
    expect(epage.locator("#conv-preparation")).to_contain_text("Je voorbereiding is opgeslagen.")
    expect(epage.locator("#live-status")).to_have_text("Je voorbereiding is opgeslagen.")
    assert_accessible(epage)
    employee.screenshot("conversation-employee-prepared")

    page.goto(conversation_url)
    expect(page.get_by_test_id("agenda")).to_contain_text("Mijn werkdruk en de opleiding coachen")
    # Before the start the manager does not see Sanne's answers, only that she prepared.
    expect(page.get_by_text("Coachend leidinggeven aan stagiairs.")).to_have_count(0)
    expect(page.get_by_text("Sanne Jansen heeft zich voorbereid.")).to_be_visible()
    page.get_by_label("Aantekeningen die jij en Sanne Jansen allebei zien en bewerken").fill(
        "Sanne wil groeien in coachen; werkdruk is hoog."
    )
    page.get_by_role("button", name="Aantekeningen opslaan").click()
    expect(page.locator("#conv-notes")).to_contain_text("Opgeslagen.")
    expect(page.locator("#live-status")).to_have_text("Opgeslagen.")
    page.get_by_label("Nieuwe afspraak").fill("Opleiding coachen volgen")
    page.get_by_label("Einddatum").fill((day + datetime.timedelta(days=90)).isoformat())
    page.get_by_role("button", name="Afspraak toevoegen").click()
    agreements = page.get_by_test_id("agreements")
    expect(agreements).to_contain_text("Opleiding coachen volgen")
    # What it serves and its kind are asked (the kind preselected from "Opleiding").
    expect(agreements.get_by_label("Soort actie")).to_have_value("training")
    agreements.get_by_label("Op het plan, voor").select_option(index=1)
    agreements.get_by_role("button", name="Maak ontwikkelactie").click()
    expect(page.get_by_test_id("on-plan")).to_contain_text("Opleiding coachen volgen")
    assert_accessible(page)
    manager.screenshot("conversation-manager-agreement")

    action = DevelopmentAction.objects.get(title="Opleiding coachen volgen")
    assert (action.plan, action.kind) == (plan, "training")
    epage.get_by_role("link", name="Mijn POP").click()
    expect(epage.locator("#plan-actions")).to_contain_text("Opleiding coachen volgen")
    expect(epage.get_by_test_id("next-conversation")).to_contain_text("Ontwikkelgesprek")
    employee.screenshot("conversation-action-on-plan")
    manager.assert_no_console_errors()
    employee.assert_no_console_errors()
