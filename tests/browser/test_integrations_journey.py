"""Issue 18 in real Chromium: HR connects the HR system (an API client whose token works
once copied), subscribes a webhook and reads its delivery log, sets the Teams channel and
makes conversation invitations mandatory by e-mail; an employee chooses her own
notifications on a phone; the API's documentation runs under the strict policy. Each
page is checked with axe-core; screenshots in var/screenshots/."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from people.models import ApiClient
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.receiver import Receiver

PHONE = {"viewport": {"width": 390, "height": 844}}


def assert_fits_the_screen(page) -> None:
    """Nothing wider than the phone's screen (a table may scroll inside its own box)."""
    wider = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                && !e.closest('.table-responsive') && e.getClientRects().length)
            .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    assert wider == [], wider[:5]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.mark.django_db(transaction=True)
def test_hr_connects_the_organisations_systems(
    world, open_session, live_server, settings, receiver
):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    hr = open_session()
    hr.sign_in(world.hr.email, PASSWORD)
    page = hr.page
    page.goto(reverse("people:person-list"))
    page.get_by_role("link", name="Koppelingen", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Koppelingen")
    assert_accessible(page)
    hr.screenshot("integrations-empty")

    # An API client for the HR system: its token, once.
    page.get_by_text("API-koppeling toevoegen", exact=True).click()
    page.get_by_label("Naam").fill("AFAS nachtelijke synchronisatie")
    page.get_by_label("medewerkers en eenheden lezen").check()
    page.get_by_label("medewerkers en eenheden toevoegen, wijzigen en deactiveren").check()
    page.get_by_role("button", name="Koppeling en token maken").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Het nieuwe token")
    token = page.get_by_test_id("token").input_value()
    assert token.startswith("pop_")
    assert_accessible(page)
    hr.screenshot("integrations-token")
    answer = Client().get("/api/v1/people", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert answer.status_code == 200 and world.employee.email in answer.content.decode()

    # A webhook: a private address is refused with the reason, a public one is taken.
    page.get_by_role("link", name="Terug naar koppelingen").click()
    expect(page.get_by_test_id("api-clients")).to_contain_text("AFAS nachtelijke synchronisatie")
    page.get_by_text("Webhook toevoegen", exact=True).click()
    page.get_by_label("Adres (URL)").fill("https://10.0.0.5/pop")
    page.get_by_label("een plan krijgt akkoord van beiden").check()
    page.get_by_role("button", name="Abonneren").click()
    expect(page.get_by_text("Dit adres ligt in een privé-netwerk")).to_be_visible()
    expect(page.get_by_label("Adres (URL)")).to_have_value("https://10.0.0.5/pop")  # kept
    assert_accessible(page)
    hr.screenshot("integrations-webhook-refused")
    # The learning platform's receiver runs on this machine (the operator allows that).
    settings.WEBHOOK_ALLOW_PRIVATE = True
    page.get_by_label("Adres (URL)").fill(receiver.url + "/pop")
    page.get_by_label("een medewerker wordt gedeactiveerd").check()
    page.get_by_role("button", name="Abonneren").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(receiver.url + "/pop")
    receiver.secrets["/pop"] = page.get_by_label("Ondertekeningsgeheim").input_value()
    page.get_by_test_id("send-test").click()
    expect(page.locator("#messages")).to_contain_text("Er is een testbericht onderweg")
    [event] = receiver.accepted("/pop")  # signed with the secret on the page
    assert event.verified and event.json["type"] == "test"
    expect(page.get_by_test_id("delivery-log")).to_contain_text("afgeleverd")
    expect(page.get_by_test_id("delivery-log")).to_contain_text("200")
    assert_accessible(page)
    hr.screenshot("integrations-webhook-detail")

    # Teams for the organisation; invitations always by e-mail.
    page.get_by_role("link", name="← Koppelingen").click()
    page.get_by_text("Kanaal instellen", exact=True).click()
    page.get_by_label("Dienst").select_option("teams")
    page.get_by_label("URL van de inkomende webhook").fill(
        "https://zorg.webhook.office.com/webhookb2/x"
    )
    page.get_by_role("button", name="Kanaal opslaan").click()
    expect(page.locator("#messages")).to_contain_text("Meldingen kunnen nu naar dit kanaal.")
    page.get_by_label("Uitnodigingen en verzoeken voor gesprekken: verplicht").select_option(
        "email"
    )
    page.get_by_role("button", name="Beleid opslaan").click()
    expect(page.locator("#messages")).to_contain_text("Het meldingenbeleid is opgeslagen.")
    assert_accessible(page)
    hr.screenshot("integrations-configured")
    hr.assert_no_console_errors()
    assert ApiClient.objects.filter(name="AFAS nachtelijke synchronisatie").exists()

    # HR on a phone.
    phone = open_session(**PHONE)
    phone.sign_in(world.hr.email, PASSWORD)
    phone.page.goto(reverse("integrations:overview"))
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Koppelingen")
    assert_fits_the_screen(phone.page)
    assert_accessible(phone.page)
    phone.screenshot("integrations-390")

    # Sanne on her phone: reminders in Teams, invitations by e-mail (mandatory).
    sanne = open_session(**PHONE)
    sanne.sign_in(world.employee.email, PASSWORD)
    sanne.page.goto(reverse("people:profile"))
    sanne.page.get_by_test_id("notifications-link").click()
    expect(sanne.page.get_by_role("heading", level=1)).to_have_text("Mijn meldingen")
    invitations = sanne.page.get_by_label("Uitnodigingen en verzoeken voor gesprekken")
    assert invitations.locator("option").all_inner_texts() == [
        "in de app en per e-mail",
        "in de app, per e-mail en in Teams of Slack",
    ]
    sanne.page.get_by_label("Herinneringen").select_option("chat")
    sanne.page.get_by_role("button", name="Opslaan", exact=True).click()
    expect(sanne.page.locator("#messages")).to_contain_text(
        "Uw meldingsinstellingen zijn opgeslagen."
    )
    expect(sanne.page.get_by_label("Herinneringen")).to_have_value("chat")
    assert_fits_the_screen(sanne.page)
    assert_accessible(sanne.page)
    sanne.screenshot("integrations-my-notifications-390")
    sanne.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_the_api_documentation_runs_under_the_strict_policy(open_session):
    reader = open_session()
    page = reader.page
    page.goto(reverse("integrations:api-docs"))
    expect(page.get_by_role("heading", level=1)).to_have_text("API-documentatie")
    expect(page.locator(".swagger-ui .info")).to_contain_text("Every request carries an API client")
    expect(page.locator("h1:visible")).to_have_count(1)  # Swagger UI's own title is hidden
    expect(page.get_by_text("/api/v1/people").first).to_be_visible()
    assert_accessible(page, context=".api-docs")
    reader.screenshot("api-docs")
    reader.assert_no_console_errors()  # no CSP refusal, no script error
    phone = open_session(**PHONE)
    phone.page.goto(reverse("integrations:api-docs"))
    expect(phone.page.get_by_text("/api/v1/people").first).to_be_visible()
    assert_accessible(phone.page, context=".api-docs")
    phone.screenshot("api-docs-390")
