"""Bearer tokens of API clients, each operation with the scope it needs."""

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer
from ninja.throttling import BaseThrottle

from people.models import ApiClient
from pop_platform.proxy import client_ip

from .. import tokens
from .common import audit_call
from .problems import Problem, language_of

SCHEME = "ClientToken"


class ClientToken(HttpBearer):
    """An active API client's token, from an allowed address, holding ``scope``."""

    openapi_scheme = "bearer"

    def __init__(self, scope: str) -> None:
        super().__init__()
        self.scope = scope

    def authenticate(self, request, token: str) -> ApiClient | None:
        translation.activate(language_of(request))  # problems and messages in the client's
        client = tokens.client_for_token(token, kind=ApiClient.Kind.API)
        if client is None:
            return None
        if not tokens.address_allowed(client, client_ip(request)):
            raise Problem(403, _("This client may not call from this address."), code="address")
        tokens.mark_used(client)
        request.api_client = client
        audit_call(request)
        if self.scope not in client.scopes:
            raise Problem(
                403,
                _("This client lacks the scope %(scope)s.") % {"scope": self.scope},
                code="scope",
            )
        return client


# One instance per scope: ninja names the security scheme after the class, so every
# operation shares the scheme ``ClientToken`` and lists its scope in its requirement.
_AUTH = {scope: ClientToken(scope) for scope in ApiClient.Scope.values}


def scoped(scope: str, *, if_match: bool | None = None) -> dict:
    """The keyword arguments of an operation that needs ``scope``; ``if_match``: it names
    the version it read (PATCH, PUT and DELETE always do)."""
    extra = {"security": [{SCHEME: [scope]}], "x-scope": scope}
    if if_match:
        extra["x-if-match"] = True
    return {"auth": _AUTH[scope], "openapi_extra": extra}


class ClientRateThrottle(BaseThrottle):
    """``API_RATE_LIMIT`` requests per ``API_RATE_WINDOW`` seconds per client, counted in
    the shared cache (one counter per window: an atomic increment, the same for every web
    process)."""

    def allow_request(self, request) -> bool:
        client = getattr(request, "api_client", None)
        if client is None:
            return True
        window = settings.API_RATE_WINDOW
        now = time.time()
        key = f"api-rate:{client.pk}:{int(now // window)}"
        cache.add(key, 0, window * 2)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two calls
            cache.set(key, 1, window * 2)
            count = 1
        request.api_retry_after = window - (now % window)
        return count <= settings.API_RATE_LIMIT

    def wait(self) -> float | None:
        return None  # the handler reads the request's own value (throttles are shared)
