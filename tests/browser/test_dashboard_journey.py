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


def _groups_of_two(world) -> None:
    """Bedrijfsvoering (2 people) may be shown on its own (see test_small_groups.py for
    what happens to smaller groups)."""
    world.organisation.min_group_size = 2
    world.organisation.save(update_fields=["min_group_size"])


@pytest.mark.django_db(transaction=True)
def test_hr_filters_the_dashboard_and_downloads_the_csv(world, strategy, open_session):  # noqa: F811
    _groups_of_two(world)
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
    expect(heatmap.get_by_role("row", name="Bedrijfsvoering")).to_contain_text("50 %")
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


def _luminance(rgb: str) -> float:
    red, green, blue = (int(part) / 255 for part in re.findall(r"\d+", rgb)[:3])
    linear = [
        c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (red, green, blue)
    ]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(first: str, second: str) -> float:
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [1280, 390])
def test_heatmap_cells_are_coloured_by_share_with_readable_numbers(
    world,
    strategy,  # noqa: F811
    open_session,
    width,
):
    """Issue 16, item 1: Bootstrap's table cell background painted every cell white. Zorg:
    2 of its 8 people contribute to each goal (25 %); Bedrijfsvoering: 1 of 2 to
    Digitalisering (50 %), nobody to Inzetbaarheid (0 %)."""
    _groups_of_two(world)
    hr = open_session(viewport={"width": width, "height": 900})
    page = hr.page
    hr.sign_in(world.hr.email, PASSWORD)
    page.goto("/hr/alignment/")
    heatmap = page.get_by_test_id("table-heatmap")
    expect(heatmap).to_be_visible()
    cells = heatmap.locator("tbody td")
    found = cells.evaluate_all(
        """cells => cells.map(cell => ({
            text: cell.innerText.replace(/\\s+/g, " ").trim(),
            background: getComputedStyle(cell).backgroundColor,
            shadow: getComputedStyle(cell).boxShadow,
            color: getComputedStyle(cell).color,
            share: cell.querySelector(".heat-share")
                ? getComputedStyle(cell.querySelector(".heat-share")).color : null,
        }))"""
    )
    # Three different values, three different colours.
    assert len({cell["background"] for cell in found}) == 3, found
    by_text = {cell["text"]: cell for cell in found}
    assert set(by_text) == {"2 25 %", "1 50 %", "0 0 %"}, found
    expected = {
        "0 0 %": "rgb(255, 255, 255)",
        "2 25 %": "rgb(169, 203, 230)",
        "1 50 %": "rgb(46, 101, 144)",
    }
    for text, background in expected.items():
        cell = by_text[text]
        assert cell["background"] == background, cell
        # Nothing painted over it (Bootstrap's inset shadow carries its own colour).
        assert "rgba(0, 0, 0, 0)" in cell["shadow"] or cell["shadow"] == "none", cell
        assert _contrast(cell["color"], cell["background"]) >= 4.5, cell
        assert _contrast(cell["share"], cell["background"]) >= 4.5, cell
    assert_accessible(page, context="[data-testid=table-heatmap]")
    page.get_by_test_id("table-heatmap").scroll_into_view_if_needed()
    hr.screenshot(f"dashboard-heatmap-{width}", full_page=False)
    hr.assert_no_console_errors()
