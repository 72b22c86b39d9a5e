"""Privacy in real Chromium: the manager reads a report's plan; the employee downloads all
data about themselves from their profile; HR finds the manager's read in the audit trail.
axe-core checks the profile and the audit trail (also with a filter error shown)."""

import json

import pytest
from playwright.sync_api import expect

from plans.services import plan_get_or_create
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_manager_read_is_in_the_audit_trail_and_the_employee_downloads_their_data(
    world, open_session
):
    plan = plan_get_or_create(employee=world.employee)

    manager = open_session()
    manager.sign_in(world.manager.email, PASSWORD)
    manager.page.goto(plan.get_absolute_url())
    expect(manager.page.get_by_role("heading", level=1)).to_contain_text("Sanne Jansen")

    employee = open_session()
    page = employee.page
    employee.sign_in(world.employee.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
        "link", name="Sanne Jansen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn profiel")
    expect(page.get_by_test_id("profile-details")).to_contain_text("Jeroen de Vries")
    assert_accessible(page)
    employee.screenshot("privacy-profile")
    with page.expect_download() as info:
        page.get_by_role("link", name="Downloaden als JSON-bestand").click()
    data = json.loads(info.value.path().read_text(encoding="utf-8"))
    who_read = next(s for s in data["sections"] if s["model"] == "people.AuditEvent")
    assert [row["actor"] for row in who_read["rows"]] == ["Jeroen de Vries"]

    hr = open_session()
    page = hr.page
    hr.sign_in(world.hr.email, PASSWORD)
    page.goto("/organisation/settings/")
    page.get_by_role("link", name="Open het auditlog").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Auditlog")
    page.get_by_label("Wiens gegevens").fill("Sanne")
    page.get_by_label("Wat").select_option(label="Ingezien")
    page.get_by_role("button", name="Tonen").click()
    row = page.get_by_test_id("audit-table").get_by_role("row").nth(1)
    expect(row).to_contain_text("Jeroen de Vries")
    expect(row).to_contain_text("Ontwikkelplan · planpagina")
    expect(row).to_contain_text("127.0.0.1")
    expect(row.get_by_role("link", name="Ontwikkelplan")).to_have_attribute(
        "href", plan.get_absolute_url()
    )
    assert_accessible(page)
    hr.screenshot("privacy-audit-trail")
    page.get_by_label("Van").fill("2026-03-12")
    page.get_by_label("Tot en met").fill("2026-03-10")
    page.get_by_role("button", name="Tonen").click()
    expect(
        page.get_by_text("Het einde van de periode kan niet vóór het begin liggen.")
    ).to_be_visible()
    assert_accessible(page)
    for session in (manager, employee, hr):
        session.assert_no_console_errors()
