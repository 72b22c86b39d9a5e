"""Small cross-cutting middleware: the limits of a session and its idle refresh, the
user's language, and no caching of personal pages."""

import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import defaults
from django_htmx.http import HttpResponseClientRedirect

Handler = Callable[[HttpRequest], HttpResponse]


def _language_for(request: HttpRequest) -> str:
    """The signed-in user's language, else the language cookie, else Dutch."""
    supported = {code for code, _name in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in supported:
        return user.language
    cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return cookie if cookie in supported else settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Activate the language remembered on the user (or the cookie before sign-in).

    Dutch is the default; the browser's Accept-Language is deliberately not used, so a
    Dutch organisation's people see Dutch until they choose otherwise.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = _language_for(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        translation.deactivate()
        return response


class OwnNotFoundPageMiddleware:
    """The app's own "page not found" page in every mode: with ``DEBUG`` on (the demo),
    Django would show its yellow technical page, with the URL patterns, to anyone who
    opens a link they may not see. ``DEBUG_TECHNICAL_404`` brings it back for developers.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code == 404
            and settings.DEBUG
            and not settings.DEBUG_TECHNICAL_404
            and getattr(request, "resolver_match", None) is None  # no view: an unknown URL
        ):
            return defaults.page_not_found(request, Http404())
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A view's ``Http404`` (out of scope or missing): our page, as without DEBUG."""
        if isinstance(exception, Http404) and not settings.DEBUG_TECHNICAL_404:
            return defaults.page_not_found(request, exception)
        return None


class NoStoreForSignedInMiddleware:
    """Personal pages must not be kept by browsers or proxies: ``Cache-Control: no-store``."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


SIGNED_IN_AT = "pop_signed_in_at"  # in the session: when this sign-in happened (epoch s)


def stamp_sign_in(sender: object, request: HttpRequest | None, **kwargs: object) -> None:
    """On ``user_logged_in``: note when this sign-in happened, for the absolute limit."""
    if request is not None and hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = int(time.time())


class SessionLimitsMiddleware:
    """Sessions end, and the person is told why on the sign-in page.

    - Idle limit: the session store drops a session ``SESSION_IDLE_MINUTES`` after its
      last request (``SESSION_COOKIE_AGE``, renewed while the session is in use: see
      ``SessionIdleRefreshMiddleware``).
    - Absolute limit: ``SESSION_ABSOLUTE_HOURS`` after sign-in a session ends, however
      active it is. The sign-in time is stamped on the session at sign-in
      (``stamp_sign_in``, on ``user_logged_in``); a session from before that stamp
      existed gets it on its next request.
    - A person who may no longer sign in (made inactive, or past their end date; see
      ``people.backends``) is no longer the session's user on the very next request:
      their session is emptied.

    Runs after the message middleware (the reason goes to the sign-in page) and before
    the views: ``LoginRequiredMiddleware`` then sends the visitor to sign in. When an
    htmx request is sent to sign in (its session ended here, or there is none: signed out
    in another tab), the answer is ``HX-Redirect``: the whole page goes to sign in (htmx
    follows a 302 itself and would put the sign-in page where the fragment was).
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self._end_session_if_over(request)
        response = self.get_response(request)
        if request.user.is_authenticated and SIGNED_IN_AT not in request.session:
            request.session[SIGNED_IN_AT] = int(time.time())
        return self._whole_page_to_sign_in(request, response)

    def _end_session_if_over(self, request: HttpRequest) -> None:
        """End the session if it is over, and say why."""
        if request.user.is_authenticated:
            signed_in_at = request.session.get(SIGNED_IN_AT, time.time())
            if time.time() - signed_in_at < settings.SESSION_ABSOLUTE_HOURS * 3600:
                return
            logout(request)
            message = ngettext(
                "You have been signed in for more than %(hours)d hour. "
                "For your security, please sign in again.",
                "You have been signed in for more than %(hours)d hours. "
                "For your security, please sign in again.",
                settings.SESSION_ABSOLUTE_HOURS,
            ) % {"hours": settings.SESSION_ABSOLUTE_HOURS}
        elif SESSION_KEY in request.session or (
            settings.SESSION_COOKIE_NAME in request.COOKIES and request.session.session_key is None
        ):
            # A signed-in session whose person may no longer sign in, or a session the
            # store dropped after the idle limit.
            request.session.flush()
            message = _("Your session has ended. Please sign in again.")
        else:
            return
        messages.info(request, message)

    def _whole_page_to_sign_in(self, request: HttpRequest, response: HttpResponse):
        # On every response: the cheap checks first, the sign-in URL only for a redirect.
        if response.status_code != 302 or not request.headers.get("HX-Request"):
            return response
        login_url = resolve_url(settings.LOGIN_URL)
        if request.user.is_authenticated or urlsplit(response["Location"]).path != login_url:
            return response
        # Back to the page the person was on (only its path: never another site).
        page = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = f"{page.path}?{page.query}" if page.query else page.path
        query = urlencode({"next": back or request.get_full_path()})
        return HttpResponseClientRedirect(f"{login_url}?{query}")


class SessionIdleRefreshMiddleware:
    """Keep a session alive while it is used, writing it at most once a minute.

    A session expires ``SESSION_COOKIE_AGE`` seconds after it was last saved. Saving it on
    every request (``SESSION_SAVE_EVERY_REQUEST``) costs an UPDATE per request; instead, a
    session in use is saved again (its expiry renewed) once its last save is
    ``SESSION_REFRESH_SECONDS`` old, so it ends between ``SESSION_COOKIE_AGE`` minus that
    and ``SESSION_COOKIE_AGE`` seconds after the last request. Needs the session engine
    ``pop_platform.sessions`` (it knows the loaded expiry); goes right after
    ``SessionMiddleware``.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = request.session
        expiry = getattr(session, "loaded_expiry", None)
        if session.accessed and expiry is not None and not session.modified:
            left = (expiry - timezone.now()).total_seconds()
            if left < settings.SESSION_COOKIE_AGE - settings.SESSION_REFRESH_SECONDS:
                session.modified = True  # SessionMiddleware saves it with a new expiry
        return response
