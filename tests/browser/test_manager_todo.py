"""A manager's to-do list leads somewhere (issue 16, item 8): from the home page and the
team page, each item opens the page where it is done. At 1280 and 390 px, with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible
from tests.browser.pages import build_demo


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_the_manager_goes_from_the_to_do_list_to_the_work(open_session, width):
    demo = build_demo()
    session = open_session(viewport={"width": width, "height": 900})
    page = session.page
    session.sign_in(demo.manager.email, DEMO_PASSWORD)
    team = page.get_by_test_id("home-team")
    expect(team).to_contain_text("hebben iets van je nodig")
    assert_accessible(page)
    session.screenshot(f"manager-home-todo-{width}")
    # The proposal to review: one click to the goal, where the buttons to review it are.
    team.get_by_role(
        "link", name=f"Voorgesteld doel om te beoordelen: {demo.proposed_goal.title}"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.proposed_goal.title)
    expect(page.get_by_role("button", name="Goedkeuren")).to_be_visible()
    # The team page: names lead to the plans, the goals to review have a column.
    page.goto("/team/")
    rows = page.get_by_test_id("team-row")
    sanne = rows.filter(has_text="Sanne Jansen")
    expect(
        rows.filter(has_text=demo.proposed_goal.title).get_by_test_id("goals-to-review")
    ).to_contain_text(demo.proposed_goal.title)
    assert_accessible(page)
    session.screenshot(f"manager-team-{width}")
    sanne.get_by_test_id("team-person").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("POP van Sanne Jansen")
    # Planning from the team page starts from the kind that is due.
    page.goto("/team/")
    overdue = page.get_by_test_id("team-row").filter(has=page.get_by_test_id("overdue")).first
    overdue.get_by_role("link", name=re.compile("Gesprek plannen")).click()
    expect(page.get_by_label("Soort gesprek")).not_to_have_value("")
    session.screenshot(f"manager-schedule-{width}")
    session.assert_no_console_errors()
