"""Sign in as the demo employee, see the Dutch home page, switch to English, sign out."""

import re

import pytest
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, seed_people
from tests.browser.conftest import assert_accessible


@pytest.mark.django_db(transaction=True)
def test_employee_signs_in_switches_language_and_signs_out(open_session):
    seed_people(people=20)
    session = open_session()
    page = session.page

    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen")
    assert_accessible(page)
    session.screenshot("sign-in-nl")

    session.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne")
    expect(page.get_by_test_id("person-name")).to_have_text("Sanne Jansen")
    expect(page.get_by_test_id("person-unit")).to_have_text("Wijkteam Noord")
    expect(page.get_by_test_id("person-manager")).to_have_text("Jeroen de Vries")
    expect(page.get_by_test_id("person-roles")).to_have_text("Medewerker")
    assert_accessible(page)
    session.screenshot("home-employee-nl")

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Sanne")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("person-roles")).to_have_text("Employee")
    assert_accessible(page)
    session.screenshot("home-employee-en")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/$"))
    session.assert_no_console_errors()
