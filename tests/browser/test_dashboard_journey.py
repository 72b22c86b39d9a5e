"""The strategy dashboard and the home pages in real Chromium: HR opens the dashboard,
filters on a department, downloads the CSV; axe-core checks the dashboard and the home
page of the employee, the manager and HR."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.dashboards.conftest import strategy  # noqa: F401 - the fixture
from tests.factories import PASSWORD


@pytest.mark.django_db(transaction=True)
def test_hr_filters_the_dashboard_and_downloads_the_csv(world, strategy, open_session):  # noqa: F811
    hr = open_session()
    page = hr.page
    hr.sign_in(world.hr.email, PASSWORD)
    expect(page.get_by_test_id("home-hr")).to_contain_text("De organisatie in cijfers")
    assert_accessible(page)
    hr.screenshot("dashboard-home-hr")

    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    navigation.get_by_text("HR", exact=True).click()  # HR's pages are in one menu
    navigation.get_by_role("link", name="Strategie-dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Strategie-dashboard")
    strategy_table = page.get_by_test_id("table-strategy")
    expect(strategy_table.get_by_role("row", name="Digitalisering")).to_contain_text("92 %")
    heatmap = page.get_by_test_id("table-heatmap")
    expect(heatmap.get_by_role("rowheader", name="Bedrijfsvoering")).to_be_visible()
    expect(heatmap.get_by_role("row", name="Bedrijfsvoering")).to_contain_text("< 3")
    assert_accessible(page)
    hr.screenshot("dashboard-alignment")

    # Filter on the department: its teams become the rows.
    page.get_by_label("Afdeling of team", exact=True).select_option(label="Zorg")
    page.get_by_role("button", name="Tonen").click()
    expect(page).to_have_url(
        re.compile(rf"/hr/alignment/\?unit={world.department.pk}&period=\d{{4}}$")
    )
    expect(heatmap.get_by_role("rowheader", name="Wijkteam Noord")).to_be_visible()
    expect(heatmap.get_by_role("rowheader", name="Bedrijfsvoering")).to_have_count(0)
    expect(page.get_by_label("Afdeling of team", exact=True)).to_have_value(
        str(world.department.pk)
    )
    hr.screenshot("dashboard-alignment-zorg")

    with page.expect_download() as info:
        page.get_by_test_id("csv-link").click()
    download = info.value
    assert download.suggested_filename.startswith("alignment-")
    raw = download.path().read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    units = {row[0] for row in rows if row}
    assert "Wijkteam Noord" in units and "Bedrijfsvoering" not in units
    assert ["Plandekking"] in rows
    hr.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("persona", ["employee", "manager"])
def test_home_pages_are_accessible(world, strategy, open_session, persona):  # noqa: F811
    session = open_session()
    page = session.page
    session.sign_in(getattr(world, persona).email, PASSWORD)
    expect(page.get_by_test_id("home-plan")).to_be_visible()
    expect(page.get_by_test_id("home-goals")).to_be_visible()
    if persona == "manager":
        expect(page.get_by_test_id("home-team")).to_contain_text("Noor de Boer")
    else:
        expect(page.get_by_test_id("home-goals")).to_contain_text("50 %")
        expect(page.get_by_test_id("home-team")).to_have_count(0)
    assert_accessible(page)
    session.screenshot(f"dashboard-home-{persona}")
    session.assert_no_console_errors()
