"""Stored user text in real Chromium: the pages that show every payload of
``tests/stored_text.py`` (and an htmx swap of an item's form) run no script, request
nothing from the local listener and report no Content-Security-Policy violation."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.conversations.conftest import conversation  # noqa: F401
from tests.factories import PASSWORD
from tests.plans.conftest import listener, pop  # noqa: F401
from tests.stored_text import stored  # noqa: F401


def _assert_nothing_ran(session, stored) -> None:  # noqa: F811
    page = session.page
    page.wait_for_load_state("load")  # images (and so any injected one) are in by then
    assert page.evaluate("typeof window.__x") == "undefined", page.url
    assert stored.hits == [], stored.hits
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_pages_with_hostile_text_run_no_script(world, pop, stored, open_session):  # noqa: F811
    visits = {
        world.employee: [
            reverse("dashboards:home"),
            reverse("goals:goal-list"),
            pop.goal.get_absolute_url(),
            stored.conversation.get_absolute_url(),
            stored.held.get_absolute_url(),
            reverse("people:inbox"),
        ],
        world.manager: [reverse("conversations:team"), stored.unlinked_goal.get_absolute_url()],
        world.hr: [reverse("dashboards:alignment"), reverse("plans:competency-list")],
    }
    for person, urls in visits.items():
        session = open_session()
        session.sign_in(person.email, PASSWORD)
        _assert_nothing_ran(session, stored)
        for url in urls:
            session.page.goto(url)
            _assert_nothing_ran(session, stored)
        if person == world.employee:
            page = session.page
            page.goto(pop.plan.get_absolute_url())
            _assert_nothing_ran(session, stored)
            # An htmx swap: the action's edit form, with the stored text in its fields.
            action = page.locator(f"#item-action-{pop.action.uuid}")
            action.get_by_role("link", name="Bewerken").click()
            form = page.locator(f"form#item-action-{pop.action.uuid}")
            # A text input drops line breaks; everything else is there, as text.
            expect(form.get_by_label("Titel")).to_have_value(pop.action.title.replace("\r\n", ""))
            _assert_nothing_ran(session, stored)
            session.screenshot("stored-text-plan-edit")
