"""The page people get when the database is briefly unreachable.

While PostgreSQL restarts or fails over, every request that needs it fails with an
``OperationalError`` (or ``InterfaceError`` for a connection that died under it).
``handler500`` (and ``handler400``, for a session that could not be saved at the end of
a request) turn those into a short "temporarily unavailable" page with status 503
and ``Retry-After``, rendered without the database (no user, no session, no context
processors) in the language of the language cookie, Dutch by default. Once the database
is back, each web process replaces its broken connections by itself
(``CONN_HEALTH_CHECKS``): nothing needs a restart. Every other error gets the 500 page
(templates/500.html, in the person's language). With ``DEBUG`` on, Django shows its
traceback page instead of either.
"""

from __future__ import annotations

import sys

from csp.utils import build_policy
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults

from .retries import lost_database_errors

#: Seconds after which a browser or client may try again.
RETRY_AFTER_SECONDS = 15


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: 503 when the database is unreachable, else our 500 page."""
    if _caused_by_lost_database(sys.exc_info()[1]):  # called while handling the exception
        return database_unavailable(request)
    return defaults.server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler400``: the session could not be saved at the end of a request because
    the database went away (Django reports that as a 400, "session interrupted"): 503.
    Else Django's 400 page."""
    if _caused_by_lost_database(exception):
        return database_unavailable(request)
    return defaults.bad_request(request, exception)


def _caused_by_lost_database(error: BaseException | None) -> bool:
    """Whether ``error`` is, or was raised while handling, a lost database."""
    while error is not None:
        if isinstance(error, lost_database_errors()):
            return True
        error = error.__cause__ or error.__context__
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    supported = {code for code, _name in settings.LANGUAGES}
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    language = language if language in supported else settings.LANGUAGE_CODE
    retry_url = request.get_full_path()
    if not url_has_allowed_host_and_scheme(retry_url, allowed_hosts=None):
        retry_url = "/"  # "//elsewhere" is a path too; never link away
    with translation.override(language):
        html = render_to_string("503.html", {"LANGUAGE_CODE": language, "retry_url": retry_url})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # The failure may come before the middleware that adds these had its turn.
    response["Content-Security-Policy"] = build_policy()
    response["X-Frame-Options"] = "DENY"
    response["Content-Language"] = language
    return response
