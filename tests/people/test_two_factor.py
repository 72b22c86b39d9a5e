"""Two-factor sign-in for password accounts: TOTP with recovery codes (django-otp).

The codes are computed from the secret the page shows, as an authenticator app does
(django-otp's own TOTP), never taken from the database.
"""

from __future__ import annotations

import re
import time
from base64 import b32decode

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from people.models import SignInSettings
from people.two_factor import PENDING_KEY
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def code_for(secret: str, *, at: float | None = None) -> str:
    """What an authenticator app shows for the secret the set-up page shows."""
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    totp = TOTP(key)
    totp.time = at or time.time()
    return f"{totp.token():06d}"


def _secret(page: str) -> str:
    return re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1)


def _set_up(client) -> tuple[str, list[str]]:
    """Set up the authenticator from the profile; returns the secret and the codes."""
    secret = _secret(client.get(reverse("people:two-factor")).content.decode())
    response = client.post(
        reverse("people:two-factor"), {"action": "confirm", "code": code_for(secret)}, follow=True
    )
    codes = re.findall(r'<li class="col">([a-z2-7]{8})</li>', response.content.decode())
    return secret, codes


def _password(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def test_set_up_from_the_profile_then_every_password_sign_in_asks_the_code(
    world, as_user, client, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code here does not slow the next one
    secret, codes = _set_up(as_user(world.employee))
    assert len(codes) == 10
    step = _password(client, world.employee)
    assert step.url == reverse("two-factor-verify")
    assert "_auth_user_id" not in client.session, "nobody is signed in on a password alone"
    assert client.get(reverse("dashboards:home")).status_code == 302
    wrong = client.post(reverse("two-factor-verify"), {"code": "000000"})
    assert "Deze code klopt niet." in wrong.content.decode()
    signed_in = client.post(
        reverse("two-factor-verify"), {"code": code_for(secret, at=time.time() + 30)}
    )
    assert signed_in.url == reverse("dashboards:home")
    assert client.session["_auth_user_id"] == str(world.employee.pk)
    assert client.get(reverse("dashboards:home")).status_code == 200


def test_a_recovery_code_works_once(world, as_user, client):
    _secret_text, codes = _set_up(as_user(world.employee))
    _password(client, world.employee)
    assert client.post(reverse("two-factor-verify"), {"code": codes[0].upper()}).status_code == 302
    client.logout()
    _password(client, world.employee)
    again = client.post(reverse("two-factor-verify"), {"code": codes[0]})
    assert again.status_code == 200 and "_auth_user_id" not in client.session


def test_a_code_is_not_taken_twice(world, as_user, client):
    secret, _codes = _set_up(as_user(world.employee))
    code = code_for(secret, at=time.time() + 30)
    _password(client, world.employee)
    client.post(reverse("two-factor-verify"), {"code": code})
    client.logout()
    _password(client, world.employee)
    replay = client.post(reverse("two-factor-verify"), {"code": code})
    assert "_auth_user_id" not in client.session
    assert replay.status_code == 200


def test_hr_requires_it_for_hr_accounts_who_set_it_up_right_after_the_password(world, client):
    SignInSettings.objects.create(organisation=world.organisation, two_factor="hr")
    employee = _password(client, world.employee)
    assert employee.url == reverse("dashboards:home")  # not HR: the password suffices
    client.logout()
    step = _password(client, world.hr)
    assert step.url == reverse("two-factor-setup")
    page = client.get(step.url).content.decode()
    assert "Je organisatie vraagt je" in page
    response = client.post(step.url, {"code": code_for(_secret(page))})
    assert response.url == reverse("people:two-factor")
    shown = client.get(response.url).content.decode()
    assert "Je herstelcodes" in shown
    assert "Je organisatie verplicht het, dus het kan niet uit." in shown
    assert client.session["_auth_user_id"] == str(world.hr.pk)


def test_a_pending_sign_in_expires(world, as_user, client):
    _set_up(as_user(world.employee))
    _password(client, world.employee)
    session = client.session
    session[PENDING_KEY]["at"] -= 3600
    session.save()
    response = client.get(reverse("two-factor-verify"))
    assert response.url == reverse("login")


def test_turning_it_off_unless_required(world, as_user, client):
    person = as_user(world.employee)
    _set_up(person)
    person.post(reverse("people:two-factor"), {"action": "remove"})
    assert _password(client, world.employee).url == reverse("dashboards:home")


def test_guessing_is_slowed_down(world, as_user, client):
    """After a wrong code django-otp refuses checks for a while (doubling each time)."""
    secret, _codes = _set_up(as_user(world.employee))
    _password(client, world.employee)
    client.post(reverse("two-factor-verify"), {"code": "000000"})
    refused = client.post(
        reverse("two-factor-verify"), {"code": code_for(secret, at=time.time() + 30)}
    )
    assert "Te veel verkeerde codes." in refused.content.decode()
    assert "_auth_user_id" not in client.session
