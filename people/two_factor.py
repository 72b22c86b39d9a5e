"""Two-factor sign-in for password accounts: TOTP (any authenticator app) with one-time
recovery codes, through django-otp.

A password alone does not sign in a person who has set up a second factor, nor one whom
the organisation requires to have one (``SignInSettings.two_factor``): the password step
leaves a *pending* sign-in in the session (``pending_start``) and no one is signed in
until the code is given (``two-factor-verify``) or, when required and missing, the
authenticator is set up (``two-factor-setup``). Only then ``finish_sign_in`` signs the
person in and marks the session verified (``django_otp.login``). Single sign-on sessions
never come here: the provider's own MFA applies.

django-otp keeps the secret, checks codes with a window of one step either way, refuses a
code used before, and slows down guessing (each wrong code doubles the wait).
"""

from __future__ import annotations

import time

import django_otp
import segno
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .models import AuditEvent, User

PENDING_KEY = "pop_two_factor_pending"
#: A pending sign-in lasts this long: then the password is asked again.
PENDING_SECONDS = 5 * 60
#: A fresh set of recovery codes.
RECOVERY_CODES = 10
#: Codes shown once after they were made (kept in the session until shown).
SHOW_CODES_KEY = "pop_two_factor_codes"
#: The secret of an authenticator being set up.
SETUP_KEY = "pop_two_factor_setup_key"


def totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def required_for(user: User) -> bool:
    from .sso import sign_in_settings_for

    return sign_in_settings_for(user.organisation).two_factor_required_for(user)


# --- The pending sign-in ------------------------------------------------------------------


def pending_start(request: HttpRequest, user: User, *, next_url: str) -> None:
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": int(time.time()),
        "next": next_url,
    }


def pending_user(request: HttpRequest) -> User | None:
    """The person whose password was right a moment ago, while they may still sign in."""
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or user.has_left:
        return None
    user.backend = pending["backend"]
    return user


def pending_next(request: HttpRequest) -> str:
    return (request.session.get(PENDING_KEY) or {}).get("next", "")


def finish_sign_in(request: HttpRequest, user: User, device) -> None:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=user.backend)
    django_otp.login(request, device)


# --- Checking a code ----------------------------------------------------------------------


def _normalised(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def verify(user: User, code: str) -> tuple[object | None, bool]:
    """The device that accepts ``code`` (the authenticator's six digits, or an unused
    recovery code, which is then used up), and whether checking was throttled."""
    code = _normalised(code)
    throttled = False
    devices = [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user, confirmed=True),
    ]
    for device in devices:
        allowed, _details = device.verify_is_allowed()
        if not allowed:
            throttled = True
            continue
        if isinstance(device, TOTPDevice) and not code.isdigit():
            continue
        with transaction.atomic():
            if device.verify_token(code):
                return device, False
    return None, throttled


# --- Setting it up ------------------------------------------------------------------------


def setup_device(request: HttpRequest, user: User) -> TOTPDevice:
    """The authenticator being set up, unsaved: its secret waits in the session (a page
    that shows it stores nothing) until a code from the app confirms it."""
    key = request.session.get(SETUP_KEY)
    if not key:
        key = request.session[SETUP_KEY] = default_key()
    return TOTPDevice(user=user, key=key, name="authenticator")


def secret_for_display(device: TOTPDevice) -> str:
    """The secret in base32 as authenticator apps ask for it, in groups of four."""
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def qr_code(device: TOTPDevice) -> str:
    """The set-up link as a QR code (an SVG data URI; the page's policy allows data:)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def totp_confirm(*, request: HttpRequest, user: User, code: str) -> list[str] | None:
    """Confirm the authenticator being set up with a code from it (checked with
    django-otp's TOTP); returns new recovery codes, or None when the code is wrong."""
    device = setup_device(request, user)
    code = _normalised(code)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not code.isdigit() or not totp.verify(int(code), device.tolerance):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    device.confirmed = True
    device.last_t = totp.t()
    device.save()
    request.session.pop(SETUP_KEY, None)
    _audit(user, "two-factor-on")
    return recovery_codes_new(user=user)


@transaction.atomic
def recovery_codes_new(*, user: User) -> list[str]:
    """A new set of recovery codes; the old ones stop working."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _index in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def two_factor_remove(*, user: User) -> None:
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    _audit(user, "two-factor-off")


def _audit(user: User, summary: str) -> None:
    if user.organisation_id is None:
        return
    from .services import audit_record

    audit_record(
        actor=user,
        action=AuditEvent.Action.CHANGE,
        object_type="person",
        object_id=str(user.uuid),
        subject=user,
        summary=summary,
    )
