"""An in-place (htmx) action while the server is briefly unavailable: htmx leaves the
page as it was, so the page says what happened; the next action that works clears it."""

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, seed_people
from tests.browser.conftest import assert_accessible

UNAVAILABLE = "POP Platform is tijdelijk niet beschikbaar"


@pytest.mark.django_db(transaction=True)
def test_an_action_during_a_database_restart_says_so_and_the_retry_works(open_session):
    seed_people(people=20)
    session = open_session()
    page = session.page
    session.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    page.get_by_role("link", name="Mijn POP").click()
    page.get_by_role("button", name="Begin aan mijn POP").click()  # her first plan
    page.get_by_test_id("plan-pdf-link").click()
    message = page.get_by_test_id("request-failed")
    expect(message).to_be_hidden()

    # What the server answers while the database restarts (pop_platform/errors.py).
    page.route(
        "**/pdf/",
        lambda route: route.fulfill(
            status=503,
            headers={"Retry-After": "15"},
            content_type="text/html; charset=utf-8",
            body=f"<!doctype html><h1>{UNAVAILABLE}</h1>",
        ),
    )
    page.get_by_role("button", name="Pdf maken").click()
    expect(message).to_be_visible()
    expect(message).to_have_text(
        "Dat lukte niet: POP Platform is tijdelijk niet beschikbaar. Wat je hebt ingevuld, "
        "staat nog op deze pagina; probeer het over een minuut opnieuw."
    )
    expect(page.get_by_role("button", name="Pdf maken")).to_be_visible()  # page unchanged
    assert_accessible(page)
    session.screenshot("request-failed-nl")

    page.unroute("**/pdf/")
    page.get_by_role("button", name="Pdf maken").click()
    expect(page.get_by_test_id("pdf-download")).to_be_visible()
    expect(message).to_be_hidden()
