"""Errors as RFC 9457 problem details (``application/problem+json``), in the language the
client asks for with ``Accept-Language`` (Dutch or English; Dutch otherwise).

``Problem`` is raised by the API's code; ``install`` turns it, and the errors of ninja,
Django and the services (``ValidationError`` with messages per field), into a problem.
"""

import json

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://pop-platform.nl/problems/"

TITLES = {
    400: _("The request is not valid."),
    401: _("A valid bearer token is needed."),
    403: _("This client may not do this."),
    404: _("Not found."),
    405: _("This method is not allowed here."),
    409: _("This conflicts with the current state."),
    412: _("Someone changed this since you read it."),
    422: _("The data is not valid."),
    428: _("Send If-Match with the version you read."),
    429: _("Too many requests: wait and try again."),
}


class Problem(Exception):
    def __init__(
        self, status: int, detail: str = "", *, code: str = "", headers=None, **extra
    ) -> None:
        super().__init__(detail or str(TITLES.get(status, "")))
        self.status, self.detail, self.code = status, detail, code
        self.headers = headers or {}
        self.extra = extra


def language_of(request: HttpRequest) -> str:
    supported = {code for code, _name in settings.LANGUAGES}
    for code, _quality in parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        primary = code.split("-")[0].lower()
        if primary in supported:
            return primary
    return settings.LANGUAGE_CODE


def response(request: HttpRequest, problem: Problem) -> HttpResponse:
    language = language_of(request)
    with translation.override(language):
        body = {
            "type": TYPE_BASE + (problem.code or str(problem.status)),
            "title": str(TITLES.get(problem.status, _("Error"))),
            "status": problem.status,
            "detail": str(problem.detail)
            if problem.detail
            else str(TITLES.get(problem.status, "")),
            "instance": request.path,
            **problem.extra,
        }
        text = json.dumps(body, ensure_ascii=False, default=str)
    answer = HttpResponse(text, status=problem.status, content_type=CONTENT_TYPE)
    answer["Content-Language"] = language
    answer["Cache-Control"] = "no-store"
    for name, value in problem.headers.items():
        answer[name] = value
    return answer


def _field_errors(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {
            name: [str(m) for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    return {"": [str(message) for message in error.messages]}


def _validation(request, exc: NinjaValidationError) -> Problem:
    errors = [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors
    ]
    return Problem(422, code="invalid", errors=errors)


def _service_validation(request, exc: ValidationError) -> Problem:
    errors = _field_errors(exc)
    detail = " ".join(message for messages in errors.values() for message in messages)
    return Problem(422, detail, code="invalid", errors=errors)


def _throttled(request, exc: Throttled) -> Problem:
    wait = getattr(request, "api_retry_after", None) or exc.wait or 1
    return Problem(429, code="rate-limited", headers={"Retry-After": str(max(1, round(wait)))})


HANDLERS = {
    Problem: lambda request, exc: exc,
    AuthenticationError: lambda request, exc: Problem(
        401, code="unauthorized", headers={"WWW-Authenticate": "Bearer"}
    ),
    Throttled: _throttled,
    Http404: lambda request, exc: Problem(404, code="not-found"),
    PermissionDenied: lambda request, exc: Problem(403, code="forbidden"),
    NinjaValidationError: _validation,
    ValidationError: _service_validation,
    HttpError: lambda request, exc: Problem(exc.status_code, code=str(exc.status_code)),
}


def install(api: NinjaAPI) -> None:
    for exception, make in HANDLERS.items():
        api.add_exception_handler(
            exception, lambda request, exc, make=make: response(request, make(request, exc))
        )
