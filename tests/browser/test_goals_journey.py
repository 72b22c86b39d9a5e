"""The goal cascade in real Chromium: the employee proposes a goal under a team goal and
watches the SMART hints disappear, the manager approves it, the employee checks in, and
the new progress rolls up to the team goal and the organisation goal on /goals/."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from goals.models import Goal
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD, GoalFactory

ROLL_UP = {"metric": "none", "start_value": None, "target_value": None, "current_value": None}


def node(page, title):
    """The tree node of one goal (its own line, not its children)."""
    return (
        page.get_by_test_id("goal-node")
        .filter(has=page.get_by_role("link", name=title, exact=True))
        .last.locator(".goal-line")
        .first
    )


@pytest.mark.django_db(transaction=True)
def test_employee_proposes_manager_approves_progress_rolls_up(world, open_session):
    org_goal = GoalFactory(
        organisation=world.organisation,
        level="organisation",
        title="Duurzame inzetbaarheid van alle medewerkers",
        **ROLL_UP,
    )
    team_goal = GoalFactory(
        level="team",
        owner_unit=world.team,
        parent=org_goal,
        title="Werkdruk in Wijkteam Noord eerlijk verdeeld",
        **ROLL_UP,
    )
    GoalFactory(
        owner_person=world.colleague,
        parent=team_goal,
        title="Roosterwensen van het team verzamelen",
        current_value=10,  # 100 %
        visibility="team",
    )
    due = team_goal.due_date - datetime.timedelta(days=14)

    employee = open_session()
    page = employee.page
    employee.sign_in(world.employee.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Doelen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Doelen")
    expect(node(page, team_goal.title).get_by_test_id("progress-percent")).to_have_text("100%")

    # Propose a goal under the team goal; the SMART hints follow the typing.
    page.get_by_role("link", name=team_goal.title).click()
    page.get_by_role("link", name="Doel toevoegen dat hieraan bijdraagt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nieuw persoonlijk doel")
    expect(page.get_by_label("Draagt bij aan")).to_have_value(str(team_goal.pk))
    smart = page.get_by_test_id("smart-check")
    measurable = smart.locator("[data-criterion=measurable]")
    time_bound = smart.locator("[data-criterion=time_bound]")
    expect(measurable).to_contain_text("Kies een streefwaarde")
    expect(time_bound).to_contain_text("Kies een einddatum.")
    expect(smart.locator("[data-criterion=acceptable]")).to_contain_text("in orde")

    page.get_by_label("Titel").fill("Vijf collega's inwerken op de nieuwe planning")
    page.get_by_label("Wat wil je precies bereiken?").fill(
        "Elke nieuwe collega kan zelfstandig de weekplanning maken."
    )
    page.get_by_label("Waarom is het acceptabel en realistisch?").fill(
        "Een uur per week, afgesproken in het teamoverleg."
    )
    page.get_by_label("Startwaarde").fill("0")
    page.get_by_label("Streefwaarde").fill("5")
    expect(measurable).to_have_class(re.compile("smart-met"))
    expect(time_bound).to_have_class(re.compile("smart-missing"))
    page.get_by_label("Einddatum").fill(due.isoformat())
    expect(time_bound).to_have_class(re.compile("smart-met"))
    expect(smart.get_by_test_id("smart-hint")).to_have_count(0)
    assert_accessible(page)
    employee.screenshot("goals-form-nl")
    page.get_by_role("button", name="Voorstellen aan mijn leidinggevende").click()

    expect(page.get_by_test_id("goal-status")).to_have_text("Voorgesteld")
    expect(page.get_by_role("status").first).to_contain_text("Het doel is opgeslagen.")
    goal_url = page.url
    goal = Goal.objects.get(title="Vijf collega's inwerken op de nieuwe planning")
    assert (goal.status, goal.parent_id) == ("proposed", team_goal.pk)

    # The manager approves it with a comment.
    manager = open_session()
    manager.sign_in(world.manager.email, PASSWORD)
    manager.page.goto(goal_url)
    manager.page.get_by_label("Toelichting voor de medewerker").fill("Goed plan, succes!")
    manager.page.get_by_role("button", name="Goedkeuren").click()
    expect(manager.page.get_by_test_id("goal-status")).to_have_text("Actief")
    manager.assert_no_console_errors()

    # The employee records a check-in in place (htmx).
    page.reload()
    expect(page.get_by_test_id("goal-status")).to_have_text("Actief")
    expect(page.get_by_test_id("review-comment")).to_contain_text("Goed plan, succes!")
    page.get_by_label("Bereikte waarde").fill("3")
    page.get_by_label("Vertrouwen (0–10)").fill("8")
    page.get_by_label("Notitie").fill("Drie collega's zijn ingewerkt.")
    page.get_by_role("button", name="Check-in opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Je check-in is opgeslagen.")).to_be_visible()
    expect(page.locator("#progress-heading")).to_be_focused()
    progress = page.get_by_test_id("goal-progress")
    expect(progress.get_by_test_id("progress-percent")).to_have_text("60%")
    expect(page.get_by_test_id("check-ins")).to_contain_text("Drie collega's zijn ingewerkt.")
    expect(page.locator("svg[role=img] title")).to_have_text("Voortgang in de tijd")
    assert_accessible(page)
    employee.screenshot("goal-detail-nl")

    # The new progress rolls up: team goal = (100 % + 60 %) / 2, organisation goal likewise.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Doelen").click()
    expect(node(page, team_goal.title).get_by_test_id("progress-percent")).to_have_text("80%")
    expect(node(page, org_goal.title).get_by_test_id("progress-percent")).to_have_text("80%")
    expect(node(page, goal.title).get_by_test_id("progress-percent")).to_have_text("60%")
    assert_accessible(page)
    employee.screenshot("goals-cascade-nl")

    # The filters update the tree in place and keep the address bar in step.
    page.get_by_label("Status").select_option("archived")
    expect(page.get_by_test_id("goal-summary")).to_contain_text("0 doelen")
    expect(page.get_by_text("Geen doelen die bij deze filters passen.")).to_be_visible()
    expect(page).to_have_url(re.compile(r"status=archived"))
    employee.assert_no_console_errors()
