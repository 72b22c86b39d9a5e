"""Journey (c) of issue 19 in real Chromium: Sanne's completed step and achieved goal get a
compliment ("schouderklopje"); she sees them on her plan and in her notifications.

Her plan is seen by her line manager (and HR), not by her teammates: Jeroen compliments
the step on her plan. A teammate sees her goal, shared with the team, and compliments it
on the goal's page."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from goals.models import Goal
from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, MANAGER_EMAIL, seed_people
from people.models import User
from plans.models import ActionStep, CompetencyGap, DevelopmentAction, DevelopmentPlan
from tests.browser.conftest import axe_serious
from tests.factories import PASSWORD, GoalFactory, UserFactory
from tests.plans.conftest import make_competency


@pytest.mark.django_db(transaction=True)
def test_compliments_on_a_step_and_a_goal_reach_sanne(open_session):
    result = seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    teammate = UserFactory(
        organisation=result.organisation,
        unit=sanne.unit,
        line_manager=sanne.line_manager,
        full_name="Daan Visser",
        email="daan.visser@example.com",
    )
    plan = DevelopmentPlan.objects.create(
        employee=sanne, organisation=result.organisation, yearly_budget=1500
    )
    gap = CompetencyGap.objects.create(
        plan=plan, competency=make_competency(result.organisation), current_level=2, desired_level=4
    )
    action = DevelopmentAction.objects.create(
        plan=plan, gap=gap, kind="elearning", title="E-learning beeldzorg"
    )
    step = ActionStep.objects.create(
        action=action, title="Module 1: basis", done_on=datetime.date(2026, 11, 30)
    )
    goal = GoalFactory(
        organisation=result.organisation,
        owner_person=sanne,
        title="Tien cliënten begeleid met beeldzorg",
        status=Goal.Status.ACHIEVED,
        visibility=Goal.Visibility.TEAM,
    )
    problems: list[str] = []

    manager = open_session()
    page = manager.page
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    page.goto(plan.get_absolute_url())
    place = page.locator(f"#compliments-step-{step.uuid}")
    place.get_by_text("Schouderklopje geven").click()
    place.get_by_role("button", name="Versturen").click()  # empty: asked for, nothing sent
    place = page.locator(f"#compliments-step-{step.uuid}")
    expect(place.get_by_label("Jouw schouderklopje")).to_be_focused()
    expect(place).to_contain_text("Schrijf eerst een paar woorden.")
    problems += axe_serious(
        page, where="compliment error", context=f"#compliments-step-{step.uuid}"
    )
    place.get_by_label("Jouw schouderklopje").fill("Knap gedaan, de eerste module is binnen!")
    place.get_by_role("button", name="Versturen").click()
    expect(page.locator("#live-status")).to_have_text("Je schouderklopje is verstuurd.")
    expect(page.locator(f"#compliments-step-{step.uuid}")).to_contain_text(
        "Jeroen de Vries: Knap gedaan, de eerste module is binnen!"
    )

    colleague = open_session()
    cpage = colleague.page
    colleague.sign_in(teammate.email, PASSWORD)
    cpage.goto(goal.get_absolute_url())
    place = cpage.locator(f"#compliments-goal-{goal.uuid}")
    place.get_by_text("Schouderklopje geven").click()
    place.get_by_label("Jouw schouderklopje").fill("Gefeliciteerd, Sanne!")
    place.get_by_role("button", name="Versturen").click()
    expect(cpage.locator(f"#compliments-goal-{goal.uuid}")).to_contain_text("Gefeliciteerd, Sanne!")
    problems += axe_serious(cpage, where="goal with a compliment")
    colleague.screenshot("compliment-goal-page")

    employee = open_session()
    epage = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    epage.goto(plan.get_absolute_url())
    on_step = epage.locator(f"#compliments-step-{step.uuid}")
    expect(on_step).to_contain_text("Knap gedaan, de eerste module is binnen!")
    expect(on_step.get_by_text("Schouderklopje geven")).to_have_count(0)  # not to oneself
    expect(epage.locator(f"#compliments-goal-{goal.uuid}")).to_contain_text("Gefeliciteerd, Sanne!")
    problems += axe_serious(epage, where="plan with compliments", context="#plan-actions")
    epage.locator(f"#item-step-{step.uuid}").scroll_into_view_if_needed()
    employee.screenshot("compliment-on-plan-1280")
    epage.set_viewport_size({"width": 390, "height": 844})
    employee.screenshot("compliment-on-plan-390")
    epage.set_viewport_size({"width": 1280, "height": 900})
    epage.goto(reverse("people:inbox"))
    expect(
        epage.get_by_text("Jeroen de Vries gaf je een schouderklopje: Module 1: basis")
    ).to_be_visible()
    expect(
        epage.get_by_text(
            f"{teammate.full_name} gaf je een schouderklopje: Tien cliënten begeleid met beeldzorg"
        )
    ).to_be_visible()
    employee.screenshot("compliment-notifications")
    assert problems == [], "\n".join(problems)
    for session in (manager, colleague, employee):
        session.assert_no_console_errors()
