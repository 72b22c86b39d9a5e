"""Every URL requires sign-in unless it is on the public allow-list (generated)."""

import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.conftest import header_problems

PUBLIC = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "healthz",
    "healthz-live",
    # Prometheus scrapes it with a bearer token (METRICS_TOKEN); 404 without one.
    "metrics",
    "people:set-language",
    # The second step of a password sign-in, before anyone is signed in (people.two_factor).
    "two-factor-verify",
    "two-factor-setup",
    # An invitation's link, and asking HR for a new one from an expired link.
    "invitation-accept",
    "invitation-renew",
    # The single sign-on at the organisation's provider (django-allauth).
    "openid_connect_login",
    "openid_connect_callback",
    # The admin guards itself and sends visitors to its own sign-in page.
    "admin:login",
    # The REST API's schema and its documentation hold no data (integrations.urls).
    "integrations:api-schema",
    "integrations:api-docs",
}


def guarded_by_bearer_token(name: str) -> bool:
    """The REST API and SCIM answer their own bearer tokens (401 without), never the
    sign-in page."""
    return name.startswith(("api-v1:", "scim-"))


def named_patterns(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    """Every named URL pattern below ``resolver``: (namespaced name, pattern)."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            if ns and namespace and entry.namespace:
                ns = f"{namespace}:{entry.namespace}"
            yield from named_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            yield name, entry


def _sample_kwargs(pattern: URLPattern) -> dict:
    values = {"uuid": uuid.uuid4(), "int": 1, "str": "x", "slug": "x", "path": "x"}
    kwargs = {}
    for key, converter in pattern.pattern.converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        kind = {"string": "str"}.get(kind, kind)
        kwargs[key] = values.get(kind, "x")
    return kwargs


def _app_patterns():
    found = []
    for name, pattern in named_patterns(get_resolver()):
        if name.startswith("admin:"):
            continue
        found.append(pytest.param(name, pattern, id=name))
    return found


def test_allow_list_only_names_real_urls():
    names = {name for name, _pattern in named_patterns(get_resolver())}
    assert names >= PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), _app_patterns())
def test_url_requires_sign_in_unless_public(client, name, pattern):
    view = pattern.callback
    public = not getattr(view, "login_required", True)
    if guarded_by_bearer_token(name):
        assert public, f"{name} must answer its token, not send to the sign-in page"
        url = reverse(name, kwargs=_sample_kwargs(pattern))
        for method in ("get", "post", "patch", "delete"):
            response = getattr(client, method)(url)
            assert response.status_code in (401, 405), f"{method.upper()} {url}"
        return
    assert public == (name in PUBLIC), (
        f"{name}: public={public}; add it to PUBLIC only if anonymous visitors need it"
    )
    if public:
        return
    url = reverse(name, kwargs=_sample_kwargs(pattern))
    for method in ("get", "post"):
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response.url.startswith(reverse("login")), response.url


@pytest.mark.django_db
def test_static_files_are_served_without_sign_in(settings, tmp_path):
    """As in production: collected static files, served by WhiteNoise before sign-in."""
    from django.core.management import call_command
    from django.test import Client

    settings.STATIC_ROOT = tmp_path
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get("/static/css/app.css")
    assert response.status_code == 200
    assert b".skip-link" in b"".join(response.streaming_content)
    assert not header_problems(response, signed_in=False)
    icon = Client().get("/static/img/favicon.svg")  # a document of its own when opened
    assert icon.status_code == 200
    assert not header_problems(icon, signed_in=False)
