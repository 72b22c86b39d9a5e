"""Small cross-cutting middleware: the session's idle timeout, the user's language and no
caching of personal pages."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.cache import patch_cache_control, patch_vary_headers

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


class NoStoreForSignedInMiddleware:
    """Personal pages must not be kept by browsers or proxies: ``Cache-Control: no-store``."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated and not request.path.startswith(settings.STATIC_URL):
            patch_cache_control(response, no_store=True, private=True, max_age=0)
        return response


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
