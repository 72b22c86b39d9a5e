"""The plan page as people use it on a phone and a desktop (issue 16, items 3, 4 and 5):
the agreement summary first and the forms folded away; the agreed versions, their page,
comparison and PDF; the "what changed" panel with its switch and the history on demand.
Each page is checked with axe-core and photographed at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD
from plans.models import DevelopmentPlan
from tests.browser.conftest import assert_accessible
from tests.browser.pages import build_demo
from tests.plans.conftest import pdf_text

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _open_plan(open_session, demo, viewport, person=None):
    session = open_session(viewport=viewport)
    session.sign_in((person or demo.employee).email, DEMO_PASSWORD)
    session.page.goto(demo.plan.get_absolute_url())
    return session


@pytest.mark.django_db(transaction=True)
def test_on_a_phone_the_agreement_is_within_two_screens(open_session):
    """At 390 x 844 the plan was 10,580 px tall and the akkoord section began at 8,610 px;
    every action showed an open "Nieuwe stap" form and a comment box."""
    demo = build_demo()
    DevelopmentPlan.objects.filter(pk=demo.plan.pk).update(employee_agreed_at=None)
    session = _open_plan(open_session, demo, PHONE)
    page = session.page
    status = page.get_by_test_id("plan-status")
    button = page.get_by_role("button", name="Akkoord geven")
    expect(button).to_be_visible()
    for element in (status, button):
        box = element.bounding_box()
        assert box["y"] + box["height"] <= 2 * PHONE["height"], box
    # Forms folded: no step or comment field shows until asked for.
    expect(page.get_by_label("Nieuwe stap").first).to_be_hidden()
    expect(page.get_by_label("Reactie toevoegen").first).to_be_hidden()
    finished = page.get_by_test_id("finished-actions").first
    expect(finished).to_be_visible()
    expect(finished.get_by_test_id("action-card").first).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 7_000, height
    # The section navigation leads to the actions.
    page.get_by_role("navigation", name="Onderdelen van het POP").get_by_role(
        "link", name="Acties"
    ).click()
    expect(page).to_have_url(re.compile(r"#plan-actions$"))
    # A folded form opens and works (without JavaScript too: it is a <details>).
    card = page.get_by_test_id("action-card").first
    card.get_by_text("Stap toevoegen").first.click()
    expect(card.get_by_label("Nieuwe stap")).to_be_visible()
    assert_accessible(page)
    session.screenshot("plan-phone-collapsed", full_page=False)
    session.screenshot("plan-phone-collapsed-full")
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_collapsed_plan_and_its_history_panel(open_session, viewport):
    demo = build_demo()
    session = _open_plan(open_session, demo, viewport, person=demo.manager)
    page = session.page
    width = viewport["width"]
    assert_accessible(page)
    session.screenshot(f"plan-collapsed-{width}")
    panel = page.locator("#plan-changes")
    panel.get_by_role("link", name="Sinds versie 1").click()
    expect(panel.get_by_test_id("changes-version")).to_contain_text(
        "Hoe het plan nu verschilt van vastgestelde versie 1"
    )
    # After the swap, focus moves to the panel's heading (announced to screen readers).
    expect(page.locator("#plan-changes-heading")).to_be_focused()
    panel = page.locator("#plan-changes")
    panel.get_by_role("link", name="Alles").click()
    history = page.get_by_test_id("changes-history")
    expect(history).to_contain_text("Jeroen de Vries wijzigde ontwikkelactie")
    assert "?changes=history" not in page.url  # swapped in place by htmx
    assert_accessible(page, context="#plan-changes")
    page.locator("#plan-changes").scroll_into_view_if_needed()
    session.screenshot(f"plan-history-panel-{width}", full_page=False)
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_agreed_version_opens_compares_and_prints(open_session, viewport):
    demo = build_demo()
    session = _open_plan(open_session, demo, viewport)
    page = session.page
    width = viewport["width"]
    versions = page.get_by_test_id("versions")
    versions.get_by_text("Vastgestelde versie").click()
    versions.get_by_role("link", name="Versie 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("POP van Sanne Jansen, versie 1")
    expect(page.get_by_test_id("version-mark")).to_contain_text(
        "door Sanne Jansen en Jeroen de Vries"
    )
    expect(page.get_by_test_id("version-action").first).to_be_visible()
    assert_accessible(page)
    session.screenshot(f"plan-version-{width}")
    page.get_by_label("Vergelijken met").select_option("current")
    page.get_by_role("button", name="Vergelijken").click()
    comparison = page.get_by_test_id("comparison")
    expect(comparison).to_contain_text("Versie 1 en het plan nu vergeleken")
    assert_accessible(page)
    comparison.scroll_into_view_if_needed()
    session.screenshot(f"plan-version-compared-{width}", full_page=False)
    with page.expect_download() as info:
        page.get_by_test_id("version-pdf").click()
    text = pdf_text(info.value.path().read_bytes())
    assert "Vastgestelde versie 1" in text and "door Sanne Jansen en Jeroen de Vries" in text
    session.assert_no_console_errors()
