"""Roll-out journeys in real Chromium (issue 15): HR sets up single sign-on against a real
OpenID Connect provider; HR uploads a people file, invites, and a new person sets a
password and two-factor sign-in; HR builds a unit and makes its manager someone's manager.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.core import mail
from django.urls import reverse
from django_otp.oath import TOTP
from playwright.sync_api import expect

from people.models import User
from tests.browser.conftest import assert_accessible
from tests.factories import PASSWORD
from tests.sso.provider import oidc_provider

PHONE = {"viewport": {"width": 390, "height": 844}}


def _code(secret: str, *, later: int = 0) -> str:
    secret = secret.replace(" ", "")
    totp = TOTP(b32decode(secret + "=" * (-len(secret) % 8)))
    totp.time = time.time() + later
    return f"{totp.token():06d}"


def _at_the_provider(page, *, login: str) -> None:
    """The provider's development login form, then its consent."""
    expect(page.locator("input[name=login]")).to_be_visible()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("wat-dan-ook")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def _email_step(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_role("button", name="Volgende").click()


@pytest.mark.django_db(transaction=True)
def test_hr_sets_up_single_sign_on_and_people_sign_in_at_the_provider(
    world, open_session, live_server
):
    callback = live_server.url + reverse(
        "openid_connect_callback", kwargs={"provider_id": f"org-{world.organisation.uuid.hex}"}
    )
    with oidc_provider(
        redirect_uris=[callback],
        post_logout_redirect_uris=[live_server.url + reverse("login")],
        names={"employee@zorg.test": "Sanne Jansen"},
    ) as provider:
        hr = open_session()
        hr.sign_in(world.hr.email, PASSWORD)
        page = hr.page
        page.goto(reverse("people:person-list"))
        page.get_by_role("link", name="Inloggen", exact=True).click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Inloginstellingen")
        expect(page.get_by_test_id("callback-url")).to_have_text(callback)
        page.get_by_label("Inloggen via onze eigen identiteitsprovider").check()
        page.get_by_label("Naam van de inlogdienst").fill("Zorg-account")
        page.get_by_label("Issuer-URL").fill(provider.issuer)
        page.get_by_label("Client-ID").fill(provider.client_id)
        page.get_by_label("Client-secret").fill(provider.client_secret)
        page.get_by_label("E-maildomeinen van de organisatie").fill("zorg.test")
        page.get_by_label("Inloggen met een wachtwoord blijft mogelijk").uncheck()
        page.get_by_role("button", name="Instellingen opslaan").click()
        expect(page.locator("#messages")).to_contain_text("De inloginstellingen zijn opgeslagen.")
        assert_accessible(page)
        hr.screenshot("rollout-sign-in-settings")
        # The secret is never shown again.
        assert provider.client_secret not in page.content()

        # A person of the domain types her address and signs in at the provider.
        sanne = open_session(**PHONE)
        _email_step(sanne.page, world.employee.email)
        expect(sanne.page.locator("input[name=login]")).to_have_value(world.employee.email)
        sanne.screenshot("rollout-sso-provider-login-390")
        _at_the_provider(sanne.page, login=world.employee.email)
        expect(sanne.page.get_by_role("heading", level=1)).to_have_text("Welkom, Sanne")
        sanne.screenshot("rollout-sso-home-390")

        # Signing out offers the provider's end-session too.
        sanne.page.get_by_role("button", name="Menu tonen of verbergen").click()
        sanne.page.get_by_role("button", name="Uitloggen").click()
        expect(sanne.page.get_by_test_id("end-session")).to_be_visible()
        assert_accessible(sanne.page)
        sanne.screenshot("rollout-sso-signed-out-390")
        sanne.page.get_by_role("link", name="Daar ook uitloggen").click()
        expect(sanne.page).to_have_url(re.compile(rf"^{re.escape(provider.issuer)}/session/end"))

        # Someone of another domain, at the same provider: refused.
        outsider = open_session()
        _email_step(outsider.page, world.employee.email)
        _at_the_provider(outsider.page, login="lotte@anders.test")
        expect(outsider.page.get_by_test_id("sso-refused")).to_have_text(
            "lotte@anders.test is geen adres van Zorggroep Test. Log in met je werkaccount."
        )
        assert_accessible(outsider.page)
        outsider.screenshot("rollout-sso-refused")

        # A deactivated person: refused.
        User.objects.filter(pk=world.colleague.pk).update(is_active=False)
        daan = open_session()
        _email_step(daan.page, world.colleague.email)
        _at_the_provider(daan.page, login=world.colleague.email)
        expect(daan.page.get_by_test_id("sso-refused")).to_contain_text("niet meer actief")
        hr.assert_no_console_errors()
        # The provider's development pages fetch fonts from the internet (not reachable
        # here) and a favicon it does not have; nothing else may go wrong.
        for session in (sanne, outsider, daan):
            assert [
                error for error in session.errors if "Failed to load resource" not in error
            ] == []


FIRST_FILE = (
    "email;name;job_title;unit;manager_email;start_date\n"
    "an.dekker@zorg.test;An Dekker;Teamleider;Zorg/Team Oost;;01-02-2027\n"
    "bram.peters@zorg.test;Bram Peters;Helpende;Zorg/Team Oost;an.dekker@zorg.test;01-02-2027\n"
    "chris.vos@zorg.test;Chris Vos;Wijkverpleegkundige;Zorg/Wijkteam Noord;"
    "manager@zorg.test;32-01-2027\n"
    "employee@zorg.test;Sanne Jansen;Senior wijkverpleegkundige;Zorg/Wijkteam Noord;"
    "manager@zorg.test;\n"
    "colleague@zorg.test;Daan Visser;Wijkverpleegkundige;Zorg/Team Oost;an.dekker@zorg.test;\n"
    "geen-e-mailadres;Iemand;;Zorg;;\n"
)


@pytest.mark.django_db(transaction=True)
def test_hr_uploads_people_invites_them_and_a_new_person_sets_up_two_factor(
    world, open_session, tmp_path
):
    hr = open_session()
    hr.sign_in(world.hr.email, PASSWORD)
    page = hr.page
    page.goto(reverse("people:people-import"))
    bad = tmp_path / "medewerkers.csv"
    bad.write_text(FIRST_FILE, encoding="cp1252")
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(bad))
    page.get_by_label("De nieuwe mensen uitnodigen").check()
    page.get_by_role("button", name="Laat zien wat er verandert").click()
    errors = page.get_by_test_id("import-error")
    expect(errors).to_have_count(2)
    expect(errors.nth(0)).to_have_text(
        "Regel 4: '32-01-2027' is geen datum: schrijf hem als 31-12-2026 of 2026-12-31."
    )
    expect(errors.nth(1)).to_have_text("Regel 7: 'geen-e-mailadres' is geen geldig e-mailadres.")
    expect(page.get_by_role("button", name="Deze wijzigingen doorvoeren")).to_have_count(0)
    assert_accessible(page)
    hr.screenshot("rollout-import-preview-errors")
    assert not User.objects.filter(email="an.dekker@zorg.test").exists()

    fixed = tmp_path / "medewerkers-verbeterd.csv"
    fixed.write_text(
        FIRST_FILE.replace("32-01-2027", "01-02-2027").replace(
            "geen-e-mailadres;Iemand;;Zorg;;\n", ""
        ),
        encoding="cp1252",
    )
    page.get_by_role("link", name="Verbeterd bestand uploaden").click()
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(fixed))
    page.get_by_label("De nieuwe mensen uitnodigen").check()
    page.get_by_role("button", name="Laat zien wat er verandert").click()
    expect(page.get_by_test_id("import-summary")).to_contain_text("3 nieuw")
    expect(page.get_by_test_id("import-summary")).to_contain_text("2 gewijzigd")
    expect(page.get_by_test_id("import-changes")).to_contain_text("Senior wijkverpleegkundige")
    expect(page.get_by_test_id("import-units")).to_contain_text("Zorg/Team Oost")
    hr.screenshot("rollout-import-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    hr.screenshot("rollout-import-preview-390")
    page.set_viewport_size({"width": 1280, "height": 720})
    mail.outbox.clear()
    page.get_by_role("button", name="Deze wijzigingen doorvoeren").click()
    expect(page.locator("#messages")).to_contain_text(
        "3 toegevoegd, 2 gewijzigd, 0 op inactief gezet, 1 nieuwe afdelingen of teams"
    )
    expect(page.get_by_test_id("people-table")).to_contain_text("Bram Peters")
    hr.screenshot("rollout-people-list")
    assert sorted(message.to[0] for message in mail.outbox) == [
        "an.dekker@zorg.test",
        "bram.peters@zorg.test",
        "chris.vos@zorg.test",
    ]

    # Bram's invitation, as his mail program shows it.
    (message,) = [m for m in mail.outbox if m.to == ["bram.peters@zorg.test"]]
    html = message.alternatives[0][0]
    viewer = open_session()
    viewer.page.set_content(html)
    viewer.screenshot("rollout-invitation-email")
    link = re.search(r"http://[^\s]+/accounts/invitation/[^\s]+/", message.body).group(0)
    path = re.sub(r"^http://[^/]+", "", link)

    bram = open_session(**PHONE)
    page = bram.page
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Bram")
    assert_accessible(page)
    page.get_by_label("Nieuw wachtwoord bevestigen").fill("Lente-in-Tiel-2027")
    page.locator("#id_new_password1").fill("Lente-in-Tiel-2027")
    page.get_by_role("button", name="Mijn wachtwoord opslaan").click()
    expect(page.locator("#messages")).to_contain_text("Je wachtwoord is ingesteld.")
    expect(page.get_by_label("E-mailadres")).to_have_value("bram.peters@zorg.test")
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Wachtwoord").fill("Lente-in-Tiel-2027")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Bram")

    page.goto(reverse("people:profile"))
    page.get_by_test_id("two-factor-link").click()
    secret = page.get_by_test_id("totp-secret").inner_text()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    assert_accessible(page)
    bram.screenshot("rollout-totp-setup-390")
    page.get_by_label("Code").fill(_code(secret))
    page.get_by_role("button", name="Inloggen in twee stappen aanzetten").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_visible()
    expect(page.get_by_test_id("two-factor-state")).to_contain_text("staat aan")
    bram.screenshot("rollout-totp-recovery-codes-390")

    page.get_by_role("button", name="Menu tonen of verbergen").click()
    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("E-mailadres").fill("bram.peters@zorg.test")
    page.get_by_role("button", name="Volgende").click()
    page.get_by_label("Wachtwoord").fill("Lente-in-Tiel-2027")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen in twee stappen")
    assert_accessible(page)
    bram.screenshot("rollout-totp-sign-in-390")
    page.get_by_label("Code").fill(_code(secret, later=30))  # the next code: not used before
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Bram")
    for session in (hr, bram):
        session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_hr_adds_a_unit_moves_a_person_and_makes_its_manager_their_manager(world, open_session):
    hr = open_session()
    hr.sign_in(world.hr.email, PASSWORD)
    page = hr.page
    page.get_by_role("navigation", name="Hoofdmenu").get_by_text("HR", exact=True).click()
    page.get_by_role("link", name="Mensen en afdelingen").click()
    page.get_by_role("link", name="Afdelingen", exact=True).click()
    page.get_by_label("Naam").fill("Team Zuidoost")
    page.get_by_label("Onderdeel van").select_option(label="Zorg")
    page.get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_test_id("unit-tree")).to_contain_text("Team Zuidoost")
    assert_accessible(page)
    hr.screenshot("rollout-units")

    page.get_by_role("link", name="Medewerkers", exact=True).click()
    page.get_by_role("link", name="Daan Visser").click()
    page.get_by_label("Afdeling of team").select_option(label="Zorg/Team Zuidoost")
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.locator("#messages")).to_contain_text("De wijzigingen zijn opgeslagen.")
    hr.screenshot("rollout-person-detail")

    page.get_by_role("link", name="Afdelingen", exact=True).click()
    page.get_by_role("link", name="Team Zuidoost").click()
    page.get_by_label("E-mailadres van de leidinggevende").fill(world.other_manager.email)
    page.get_by_role("button", name="Wijzigingen opslaan").click()
    expect(page.get_by_test_id("unit-tree")).to_contain_text("leidinggevende Ilse Bakker")

    ilse = open_session()
    ilse.sign_in(world.other_manager.email, PASSWORD)
    ilse.page.goto(reverse("conversations:team"))
    expect(ilse.page.get_by_role("main")).to_contain_text("Daan Visser")
    for session in (hr, ilse):
        session.assert_no_console_errors()
