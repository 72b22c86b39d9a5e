"""The plan PDF in real Chromium: request it, watch it being made, download it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, seed_people
from people.models import User
from plans import tasks
from tests.browser.conftest import assert_accessible
from tests.factories import GoalFactory
from tests.plans.conftest import pdf_text


@pytest.mark.pdf
@pytest.mark.django_db(transaction=True)
def test_employee_requests_waits_for_and_downloads_their_plan_pdf(
    open_session, media_root, monkeypatch
):
    seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    org_goal = GoalFactory(
        organisation=sanne.organisation,
        level="organisation",
        title="Digitalisering van de zorg",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
    )
    GoalFactory(
        owner_person=sanne,
        parent=org_goal,
        title="Twintig cliënten met beeldzorg",
        target_value=20,
        current_value=6,
    )
    # The worker: requested renders wait in this queue until the browser polls, so the
    # page really shows "being made" and then, through htmx polling, the download.
    queue: list[int] = []
    monkeypatch.setattr(
        tasks.plan_render_pdf, "apply_async", lambda args, **options: queue.extend(args)
    )

    def worker(route):
        while queue:
            tasks.plan_render_pdf(queue.pop(0))
        route.continue_()

    employee = open_session()
    page = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Mijn POP").click()
    page.get_by_role("button", name="Begin aan mijn POP").click()
    page.get_by_test_id("plan-pdf-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pdf van de POP van Sanne Jansen")
    assert_accessible(page)
    page.get_by_role("button", name="Pdf maken").click()
    expect(page.get_by_test_id("pdf-working")).to_be_visible()
    assert len(queue) == 1
    page.route(re.compile(r".*/pdf/(\?state=working)?$"), worker)
    download_link = page.get_by_test_id("pdf-download")
    expect(download_link).to_be_visible()
    expect(page.get_by_test_id("pdf-ready")).to_contain_text("Een pdf van 2 pagina's")
    assert_accessible(page)
    employee.screenshot("pdf-ready")
    with page.expect_download() as info:
        download_link.click()
    download = info.value
    assert re.fullmatch(r"pop-sanne-\S+\.pdf", download.suggested_filename)
    text = pdf_text(Path(download.path()).read_bytes())
    assert "Twintig cliënten met beeldzorg" in text
    assert "Persoonlijk ontwikkelingsplan" in text and "Pagina 1 van 2" in text
    employee.assert_no_console_errors()
