"""Single sign-on with each organisation's own OpenID Connect provider (Microsoft Entra ID,
Google Workspace, any certified provider), through django-allauth.

django-allauth does the protocol: discovery, the authorisation-code flow with PKCE and
state, the token exchange, and the ID token's signature, issuer and audience. Its apps
come from our ``SignInSettings`` rows (``SingleSignOnAdapter.list_apps``): one per
organisation, named ``org-<uuid>`` (its callback is
``/accounts/oidc/org-<uuid>/login/callback/``). This module decides who that is:

- the e-mail address (the ``email`` claim, or an e-mail-shaped ``preferred_username`` as
  Entra ID sends) must be in one of the organisation's domains, and the ID token's issuer
  must be the configured one;
- it is matched, case-insensitively, to an active account of that organisation; an
  account of another organisation is never reached; a deactivated or departed person is
  refused; an unknown address is refused unless the organisation creates accounts on
  first sign-in (then without a unit: HR places them).

No social account rows are kept: the e-mail address is the link, checked at every sign-in.
A refusal is a page that says why, in the visitor's language. Sessions begun here carry
the backend ``people.backends.SingleSignOnBackend`` (no second factor is asked: the
provider's own MFA applies), and sign-out offers the provider's end-session endpoint.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

import requests
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .models import AuditEvent, Organisation, SignInDomain, SignInSettings, User

logger = logging.getLogger(__name__)

BACKEND = "people.backends.SingleSignOnBackend"
#: In the session of a single sign-on: the organisation's provider id.
SESSION_KEY = "pop_sso_provider"
#: After sign-out: the provider's end-session address, offered once on the sign-in page.
END_SESSION_KEY = "pop_sso_end_session"
PROVIDER = "openid_connect"


def sign_in_settings_for(organisation: Organisation | None) -> SignInSettings:
    """The organisation's sign-in settings, or an unsaved default (passwords, no SSO)."""
    if organisation is None:
        return SignInSettings()
    try:
        return organisation.sign_in_settings
    except SignInSettings.DoesNotExist:
        return SignInSettings(organisation=organisation)


def domain_of(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def settings_for_email(email: str) -> SignInSettings | None:
    """The single sign-on of the organisation whose domain ``email`` has, when it is on."""
    found = (
        SignInDomain.objects.filter(domain=domain_of(email))
        .select_related("organisation__sign_in_settings")
        .first()
    )
    if found is None:
        return None
    row = sign_in_settings_for(found.organisation)
    return row if row.sso_ready else None


def settings_for_provider(provider_id: str) -> SignInSettings | None:
    prefix = "org-"
    if not provider_id.startswith(prefix):
        return None
    try:
        organisation_uuid = uuid.UUID(hex=provider_id[len(prefix) :])
    except ValueError:
        return None
    row = (
        SignInSettings.objects.filter(organisation__uuid=organisation_uuid)
        .select_related("organisation")
        .first()
    )
    return row if row is not None and row.sso_ready else None


def passwords_allowed_for(user: User) -> bool:
    row = sign_in_settings_for(user.organisation)
    return row.passwords_allowed or not row.sso_ready


def social_app(row: SignInSettings) -> SocialApp:
    """The organisation's provider as django-allauth's (unsaved) app."""
    return SocialApp(
        provider=PROVIDER,
        provider_id=row.provider_id,
        name=row.provider_name or row.organisation.name,
        client_id=row.client_id,
        secret=row.client_secret,
        settings={"server_url": row.issuer, "oauth_pkce_enabled": True},
    )


def provider_redirect(request: HttpRequest, *, row: SignInSettings, email: str, next_url: str):
    """Send the visitor to their organisation's provider, their address as login hint."""
    provider = get_social_adapter().get_provider(request, row.provider_id)
    return provider.redirect(
        request, "login", next_url=next_url or None, auth_params={"login_hint": email}
    )


# --- Who signs in -------------------------------------------------------------------------


class Refused(Exception):
    """The provider vouched for someone who may not sign in here; the message says why."""


@dataclass(frozen=True)
class Claims:
    issuer: str
    email: str
    name: str
    email_verified: bool | None


def claims_of(extra_data: dict) -> Claims:
    """The claims POP Platform uses, from the ID token and the userinfo answer."""
    token = extra_data.get("id_token") or {}
    info = {**token, **(extra_data.get("userinfo") or {})}
    email = str(info.get("email") or "").strip().lower()
    username = str(info.get("preferred_username") or "").strip().lower()
    if not email and "@" in username:
        email = username  # Entra ID: the user principal name is the work address
    verified = info.get("email_verified")
    return Claims(
        issuer=str(token.get("iss") or ""),
        email=email,
        name=str(info.get("name") or "").strip(),
        email_verified=None if verified is None else verified in (True, "true", "True", 1),
    )


def _same_issuer(one: str, other: str) -> bool:
    return one.rstrip("/") == other.rstrip("/")


def person_for_sign_in(*, row: SignInSettings, claims: Claims) -> User:
    """The account the provider's person signs in to, created when the organisation
    allows it; raises ``Refused`` otherwise."""
    organisation = row.organisation
    names = {"organisation": organisation.name, "email": claims.email}
    if not _same_issuer(claims.issuer, row.issuer):
        raise Refused(
            _(
                "The sign-in service of %(organisation)s answered for another issuer. "
                "Ask your IT department to check the single sign-on settings."
            )
            % names
        )
    try:
        validate_email(claims.email)
    except ValidationError as missing:
        raise Refused(
            _(
                "The sign-in service did not tell us your e-mail address. Ask your IT "
                "department to send the email claim."
            )
        ) from missing
    if claims.email_verified is False:
        raise Refused(_("The sign-in service says your e-mail address is not verified."))
    domains = set(organisation.sign_in_domains.values_list("domain", flat=True))
    if domain_of(claims.email) not in domains:
        raise Refused(
            _("%(email)s is not an address of %(organisation)s. Sign in with your work account.")
            % names
        )
    person = User.objects.filter(email__iexact=claims.email).first()
    if person is not None and person.organisation_id != organisation.pk:
        raise Refused(
            _("The account %(email)s cannot sign in through %(organisation)s's sign-in service.")
            % names
        )
    if person is None:
        if not row.create_accounts:
            raise Refused(
                _(
                    "There is no account for %(email)s at %(organisation)s yet. Ask your HR "
                    "department to add you."
                )
                % names
            )
        return person_create_on_first_sign_in(organisation=organisation, claims=claims)
    if not person.is_active or person.has_left:
        raise Refused(
            _(
                "Your account at %(organisation)s is no longer active. Ask your HR department "
                "if this is a mistake."
            )
            % names
        )
    return person


@transaction.atomic
def person_create_on_first_sign_in(*, organisation: Organisation, claims: Claims) -> User:
    """A new account without a unit: HR's list shows it as "new, to place"."""
    from .services import audit_record

    person = User(
        email=claims.email,
        full_name=claims.name[: User._meta.get_field("full_name").max_length]
        or claims.email.partition("@")[0],
        organisation=organisation,
        language=organisation.default_language,
    )
    person.set_unusable_password()
    person.save()
    audit_record(
        actor=person,
        action=AuditEvent.Action.CREATE,
        object_type="person",
        object_id=str(person.uuid),
        subject=person,
        summary="sso",
    )
    return person


def refused_page(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "registration/sso_refused.html", {"message": message}, status=403)


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    """django-allauth's hooks: apps from our settings rows, our matching rules, our pages."""

    def list_apps(self, request, provider=None, client_id=None) -> list[SocialApp]:
        rows = SignInSettings.objects.filter(sso_enabled=True).select_related("organisation")
        if provider and provider != PROVIDER:
            row = settings_for_provider(provider)
            rows = [row] if row is not None else []
        return [
            social_app(row)
            for row in rows
            if row.sso_ready and (client_id is None or row.client_id == client_id)
        ]

    def pre_social_login(self, request, sociallogin) -> None:
        from .invitations import invitation_mark_accepted

        row = settings_for_provider(sociallogin.account.provider)
        if row is None:
            raise ImmediateHttpResponse(
                refused_page(request, _("Single sign-on is not available for this organisation."))
            )
        try:
            person = person_for_sign_in(row=row, claims=claims_of(sociallogin.account.extra_data))
        except Refused as refused:
            raise ImmediateHttpResponse(refused_page(request, str(refused))) from refused
        invitation_mark_accepted(person=person)
        person.backend = BACKEND
        person.sso_provider_id = row.provider_id
        sociallogin.user = person  # no social account row: the address is the link

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ) -> None:
        logger.warning("Single sign-on failed at %s: %s %s", provider, error, exception)
        raise ImmediateHttpResponse(
            refused_page(
                request,
                _(
                    "Signing in through your organisation's sign-in service did not work. "
                    "Please try again; if it keeps failing, tell your IT department."
                ),
            )
        )

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return False


class AccountAdapter(DefaultAccountAdapter):
    """django-allauth's account side: only the single sign-on uses it."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def add_message(self, *args, **kwargs) -> None:
        """Our pages say what happened themselves."""

    def login(self, request, user) -> None:
        super().login(request, user)
        provider_id = getattr(user, "sso_provider_id", None)
        if provider_id:
            request.session[SESSION_KEY] = provider_id


# --- Signing out --------------------------------------------------------------------------


def openid_configuration(issuer: str) -> dict:
    """The provider's discovery document, kept an hour in the shared cache."""
    key = f"sso:discovery:{issuer}"
    config = cache.get(key)
    if config is None:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        with get_social_adapter().get_requests_session() as session:
            response = session.get(url)
            response.raise_for_status()
            config = response.json()
        cache.set(key, config, 3600)
    return config


def end_session_url(request: HttpRequest, provider_id: str) -> str | None:
    """Where to end the session at the provider too, when it offers that."""
    row = settings_for_provider(provider_id)
    if row is None:
        return None
    try:
        endpoint = openid_configuration(row.issuer).get("end_session_endpoint")
    except (requests.RequestException, ValueError):
        return None
    if not endpoint:
        return None
    back = request.build_absolute_uri(reverse("login"))
    query = urlencode({"client_id": row.client_id, "post_logout_redirect_uri": back})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


# --- Configuring --------------------------------------------------------------------------


def normalise_domains(text: str) -> list[str]:
    parts = [part.strip().lower().lstrip("@") for part in text.replace(";", ",").split(",")]
    return sorted({part for part in parts if part})


def domains_taken(organisation: Organisation, domains: list[str]) -> list[str]:
    return sorted(
        SignInDomain.objects.filter(domain__in=domains)
        .exclude(organisation=organisation)
        .values_list("domain", flat=True)
    )


@transaction.atomic
def sign_in_configure(
    *,
    organisation: Organisation,
    by: User | None,
    values: dict[str, object],
    domains: list[str] | None = None,
    request: HttpRequest | None = None,
) -> SignInSettings:
    """Save the organisation's sign-in settings (an empty ``client_secret`` keeps the
    saved one) and its domains; audited without the secret."""
    from .services import audit_record

    row = sign_in_settings_for(organisation)
    if not values.get("client_secret"):
        values = {key: value for key, value in values.items() if key != "client_secret"}
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    row.save()
    if domains is not None:
        taken = domains_taken(organisation, domains)
        if taken:
            raise ValidationError(
                _("These domains belong to another organisation: %(domains)s.")
                % {"domains": ", ".join(taken)}
            )
        current = set(organisation.sign_in_domains.values_list("domain", flat=True))
        if current != set(domains):
            organisation.sign_in_domains.exclude(domain__in=domains).delete()
            SignInDomain.objects.bulk_create(
                [SignInDomain(organisation=organisation, domain=domain) for domain in domains],
                ignore_conflicts=True,
            )
            changed.append("domains")
    if by is not None and changed:
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type="organisation",
            object_id=str(organisation.uuid),
            summary="sign-in: " + ", ".join(changed),
            request=request,
        )
    return row


def callback_url(request: HttpRequest | None, row: SignInSettings) -> str:
    """The redirect URI to register at the provider."""
    path = reverse("openid_connect_callback", kwargs={"provider_id": row.provider_id})
    if request is not None:
        return request.build_absolute_uri(path)
    return f"{settings.SITE_URL}{path}"
