"""Single sign-on end to end against a real OpenID Connect provider process (panva's
oidc-provider on Node.js, started per test on a free port: tests/sso/provider.py).

A plain HTTP client plays the browser: our sign-in page, the provider's login form and
consent, the callback. No token is made up; django-allauth checks what the provider
signs. The browser journey is in tests/browser/test_rollout_journeys.py.
"""

from __future__ import annotations

import datetime
import re
from io import StringIO
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from people.models import AuditEvent, SignInSettings, User
from people.sso import Claims, Refused, person_for_sign_in, sign_in_configure
from tests.factories import PASSWORD, UserFactory
from tests.sso.provider import oidc_provider

pytestmark = pytest.mark.django_db(transaction=True)


def _callback(live_server, organisation) -> str:
    provider_id = f"org-{organisation.uuid.hex}"
    return live_server.url + reverse("openid_connect_callback", kwargs={"provider_id": provider_id})


@pytest.fixture
def provider(live_server, world):
    with oidc_provider(
        redirect_uris=[_callback(live_server, world.organisation)],
        post_logout_redirect_uris=[live_server.url + reverse("login")],
        names={"employee@zorg.test": "Sanne Jansen", "nieuw@zorg.test": "Nina Nieuw"},
        unverified=["onbevestigd@zorg.test"],
    ) as running:
        yield running


def _configure(world, provider, **values) -> SignInSettings:
    domains = values.pop("domains", ["zorg.test"])
    return sign_in_configure(
        organisation=world.organisation,
        by=world.hr,
        values={
            "sso_enabled": True,
            "provider_name": "Zorg-account",
            "issuer": provider.issuer,
            "client_id": provider.client_id,
            "client_secret": provider.client_secret,
            "passwords_allowed": values.pop("passwords_allowed", False),
            **values,
        },
        domains=domains,
    )


def _form_action(html: str) -> str:
    return re.search(r'<form[^>]*action="([^"]+)"', html).group(1).replace("&amp;", "&")


def _provider_link(html: str) -> str:
    """Our page on to the provider (at once by meta refresh, and as a link)."""
    refresh = re.search(r'http-equiv="refresh" content="0;url=([^"]+)"', html).group(1)
    link = re.search(r'href="([^"]+)" data-testid="sso-continue"', html).group(1)
    assert refresh == link
    return link.replace("&amp;", "&")


def sign_in_through_provider(base: str, email: str, *, login_as: str | None = None):
    """Type ``email`` on our sign-in page, sign in at the provider (as ``login_as``,
    another address typed there, when given), consent; the response our app gives last."""
    browser = requests.Session()
    page = browser.get(f"{base}/accounts/login/")
    token = browser.cookies["csrftoken"]
    on_to_provider = browser.post(
        f"{base}/accounts/login/", data={"username": email, "csrfmiddlewaretoken": token}
    )
    at_provider = browser.get(_provider_link(on_to_provider.text))
    assert 'name="login"' in at_provider.text, at_provider.text[:500]
    hint = re.search(r'name="login"[^>]*value="([^"]*)"', at_provider.text)
    assert hint and hint.group(1) == email, "the address goes to the provider as login hint"
    page = browser.post(
        urljoin(at_provider.url, _form_action(at_provider.text)),
        data={"prompt": "login", "login": login_as or email, "password": "wat-dan-ook"},
    )
    if 'value="consent"' in page.text:
        page = browser.post(urljoin(page.url, _form_action(page.text)), data={"prompt": "consent"})
    return browser, page


def test_a_person_of_the_domain_signs_in_at_the_provider_and_lands_home(
    world, provider, live_server
):
    _configure(world, provider)
    browser, page = sign_in_through_provider(live_server.url, "Employee@Zorg.test".lower())
    assert page.url == f"{live_server.url}/"
    assert "Welkom, Sanne" in page.text
    # The session is a single sign-on: no second factor, and sign-out offers the provider's.
    signed_out = browser.post(
        f"{live_server.url}/accounts/logout/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
    )
    assert urlsplit(signed_out.url).path == "/accounts/login/"
    end_session = re.search(r'data-testid="end-session".*?href="([^"]+)"', signed_out.text, re.S)
    assert end_session, "sign-out offers to sign out at the provider too"
    link = end_session.group(1).replace("&amp;", "&")
    assert link.startswith(f"{provider.issuer}/session/end")
    assert parse_qs(urlsplit(link).query)["client_id"] == [provider.client_id]
    assert browser.get(f"{live_server.url}/").url.startswith(f"{live_server.url}/accounts/login/")
    # The provider's own end-session page answers the link.
    assert browser.get(link).status_code == 200


def test_the_address_is_matched_case_insensitively(world, provider, live_server):
    _configure(world, provider)
    _browser, page = sign_in_through_provider(
        live_server.url, "employee@zorg.test", login_as="EMPLOYEE@ZORG.TEST"
    )
    assert "Welkom, Sanne" in page.text


@pytest.mark.parametrize(
    ("login_as", "shows"),
    [
        ("iemand@elders.test", "iemand@elders.test is geen adres van Zorggroep Test"),
        ("onbekend@zorg.test", "Er is nog geen account voor onbekend@zorg.test"),
        ("onbevestigd@zorg.test", "niet bevestigd"),
    ],
)
def test_who_may_not_sign_in_is_refused_with_a_reason(
    world, provider, live_server, login_as, shows
):
    _configure(world, provider)
    browser, page = sign_in_through_provider(
        live_server.url, "employee@zorg.test", login_as=login_as
    )
    assert page.status_code == 403
    assert shows in page.text
    assert "Welkom" not in browser.get(f"{live_server.url}/").text
    assert not User.objects.filter(email=login_as).exists()


def test_a_deactivated_or_departed_person_is_refused(world, provider, live_server):
    _configure(world, provider)
    world.employee.is_active = False
    world.employee.save()
    _browser, page = sign_in_through_provider(live_server.url, "employee@zorg.test")
    assert page.status_code == 403
    assert "Je account bij Zorggroep Test is niet meer actief" in page.text
    world.colleague.end_date = timezone.localdate() - datetime.timedelta(days=1)
    world.colleague.save()
    _browser, page = sign_in_through_provider(live_server.url, "colleague@zorg.test")
    assert page.status_code == 403


def test_another_organisations_account_is_never_reached(world, provider, live_server):
    """Even when this organisation claims the other's domain, its provider cannot sign
    anyone in to an account of the other organisation."""
    _configure(world, provider, domains=["zorg.test", "elders.test"])
    _browser, page = sign_in_through_provider(
        live_server.url, "employee@zorg.test", login_as=world.other_employee.email
    )
    assert page.status_code == 403
    assert "kan niet inloggen via de inlogdienst van Zorggroep Test" in page.text


def test_accounts_are_created_on_first_sign_in_when_the_organisation_wants(
    world, provider, live_server
):
    _configure(world, provider, create_accounts=True)
    _browser, page = sign_in_through_provider(live_server.url, "nieuw@zorg.test")
    assert "Welkom, Nina" in page.text
    person = User.objects.get(email="nieuw@zorg.test")
    assert (person.organisation, person.unit, person.full_name) == (
        world.organisation,
        None,
        "Nina Nieuw",
    )
    assert not person.has_usable_password()
    assert AuditEvent.objects.filter(subject=person, summary="sso").exists()
    # HR's list shows the new person as "new, to place".
    hr = Client()
    hr.force_login(world.hr)
    listing = hr.get(reverse("people:person-list"), {"status": "to_place"}).content.decode()
    assert "Nina Nieuw" in listing and "nieuw, te plaatsen" in listing


def test_without_passwords_the_sign_in_page_goes_straight_to_the_provider(
    world, provider, live_server, client
):
    _configure(world, provider, passwords_allowed=False)
    response = client.post(reverse("login"), {"username": world.employee.email})
    link = _provider_link(response.content.decode())
    assert link.startswith(f"{provider.issuer}/auth?")
    assert "login_hint=employee%40zorg.test" in link
    # A password is refused, and the reset form sends nothing.
    refused = client.post(
        reverse("login"), {"username": world.employee.email, "password": PASSWORD}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert "Zorggroep Test laat je inloggen via de eigen inlogdienst" in refused.content.decode()
    mail.outbox.clear()
    client.post(reverse("password_reset"), {"email": world.employee.email})
    assert mail.outbox == []
    # People of another domain still sign in with their password.
    outsider = UserFactory(organisation=world.organisation, email="flex@uitzend.test")
    step = client.post(reverse("login"), {"username": outsider.email})
    assert step.status_code == 200 and 'name="password"' in step.content.decode()


def test_with_passwords_allowed_the_page_offers_both(world, provider, client):
    _configure(world, provider, passwords_allowed=True)
    page = client.post(reverse("login"), {"username": world.employee.email}).content.decode()
    assert "Inloggen met Zorg-account" in page
    assert 'name="password"' in page
    chosen = client.post(reverse("login"), {"username": world.employee.email, "sso": "1"})
    assert _provider_link(chosen.content.decode()).startswith(f"{provider.issuer}/auth?")
    signed_in = client.post(
        reverse("login"), {"username": world.employee.email, "password": PASSWORD}
    )
    assert signed_in.status_code == 302 and "_auth_user_id" in client.session


def test_the_issuer_must_be_the_configured_one(world, db):
    row = SignInSettings(organisation=world.organisation, issuer="https://login.example/tenant")
    claims = Claims(
        issuer="https://elders.example/tenant",
        email="employee@zorg.test",
        name="",
        email_verified=True,
    )
    with pytest.raises(Refused, match="andere uitgever"):
        person_for_sign_in(row=row, claims=claims)


def test_sso_configure_command(world, db):
    out = StringIO()
    call_command(
        "sso_configure",
        organisation=world.organisation.name,
        issuer="https://login.microsoftonline.com/0000-tenant/v2.0",
        client_id="abc",
        client_secret="geheim",
        domains="zorg.test, ZORG.be",
        no_passwords=True,
        stdout=out,
    )
    row = SignInSettings.objects.get(organisation=world.organisation)
    assert (row.sso_ready, row.passwords_allowed, row.client_secret) == (True, False, "geheim")
    assert sorted(world.organisation.sign_in_domains.values_list("domain", flat=True)) == [
        "zorg.be",
        "zorg.test",
    ]
    assert f"/accounts/oidc/org-{world.organisation.uuid.hex}/login/callback/" in out.getvalue()
    with pytest.raises(CommandError):
        call_command(
            "sso_configure",
            organisation=world.other_organisation.name,
            issuer="http://login.example/",
            client_id="x",
            client_secret="y",
            domains="zorg.test",
            stdout=StringIO(),
            stderr=StringIO(),
        )
