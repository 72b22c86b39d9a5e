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


@pytest.mark.django_db(transaction=True)
def test_signed_out_in_another_tab_the_next_htmx_update_goes_to_sign_in(open_session):
    """htmx follows a 302 itself: without HX-Redirect the sign-in page would appear inside
    the goal tree. The whole page goes to sign in, and back to the goals after it."""
    seed_people(people=20)
    session = open_session()
    session.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    goals = session.page
    goals.goto("/goals/")
    expect(goals.get_by_role("heading", level=1)).to_have_text("Doelen")

    other_tab = session.context.new_page()
    other_tab.goto("/")
    other_tab.get_by_role("button", name="Uitloggen").click()
    expect(other_tab).to_have_url(re.compile(r"/accounts/login/$"))

    goals.get_by_label("Zoeken").fill("zorg")
    goals.get_by_label("Zoeken").press("Enter")  # the filter form's htmx request
    expect(goals).to_have_url(re.compile(r"/accounts/login/\?next=%2Fgoals%2F$"))
    expect(goals.get_by_role("heading", level=1)).to_have_count(1)
    expect(goals.get_by_role("heading", level=1)).to_have_text("Inloggen")
    goals.get_by_label("E-mailadres").fill(EMPLOYEE_EMAIL)
    goals.get_by_role("button", name="Volgende").click()
    goals.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    goals.get_by_role("button", name="Inloggen").click()
    expect(goals).to_have_url(re.compile(r"/goals/"))
    expect(goals.get_by_role("heading", level=1)).to_have_text("Doelen")
