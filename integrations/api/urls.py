"""``/api/v1/``: the API's operations, answering bearer tokens (never the sign-in page)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import URLPattern, URLResolver

from .main import api


def _without_sign_in(patterns: list) -> list:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            _without_sign_in(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            login_not_required(pattern.callback)
    return patterns


_patterns, _app, app_name = api.urls  # the namespace "api-v1"
# Not ninja's root page: /api/v1/ itself is no operation (the docs are at /api/docs/).
urlpatterns = _without_sign_in([p for p in _patterns if getattr(p, "name", "") != "api-root"])
