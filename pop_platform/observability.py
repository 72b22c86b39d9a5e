"""Logs, metrics and error reports: how the running app can be watched.

- Logs: one line per event on stdout, JSON in production (structlog, through the standard
  library's logging, so Django's, Celery's and gunicorn's own messages come out the same
  way). django-structlog adds the request id and the signed-in person's public id;
  :func:`time_request` and :func:`add_duration` add each request's duration.
- Errors: Sentry when ``SENTRY_DSN`` is set; :func:`scrub_event` removes personal data
  (names, e-mail addresses, cookies, form contents, addresses) before anything leaves.

Settings call these at import time; they import nothing of Django's that needs settings.
"""

from __future__ import annotations

import time
from typing import Any

import structlog

#: Processors every log line goes through, ours and the standard library's.
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
]


def _readable(logger: object, name: str, event_dict: dict) -> str:
    """Local use: the standard library's messages as they are (Celery's "Task … succeeded",
    gunicorn's lines), structlog's events with their keys."""
    if event_dict.get("_from_structlog"):
        return _CONSOLE(
            logger,
            name,
            structlog.stdlib.ProcessorFormatter.remove_processors_meta(logger, name, event_dict),
        )
    message = str(event_dict.get("event", ""))
    return f"{message}\n{event_dict['exception']}" if event_dict.get("exception") else message


_CONSOLE = structlog.dev.ConsoleRenderer(colors=False)


def logging_config(*, json: bool, level: str) -> dict[str, Any]:
    """``LOGGING`` for Django: everything to stdout through structlog's formatter, as
    JSON lines (production) or readable lines (local use)."""
    if json:
        processors = [
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ]
    else:
        processors = [structlog.processors.format_exc_info, _readable]
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": processors,
                "foreign_pre_chain": [*_SHARED, structlog.stdlib.ExtraAdder()],
            },
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": "structured",
            },
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "axes": {"level": "WARNING"},
            "weasyprint.progress": {"level": "WARNING"},
            "fontTools": {"level": "WARNING"},
            # django-structlog's request lines replace Django's own 4xx warnings.
            "django.request": {"level": "ERROR"},
            "django_structlog": {"level": level},
        },
    }


def configure_structlog(*, json: bool) -> None:
    structlog.configure(
        processors=[
            # Below the logger's level (request_started, say): dropped before any work.
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


# --- Request duration (django-structlog's signals) ----------------------------------------

_STARTED = "_pop_started"


def time_request(request, **kwargs: object) -> None:
    """On ``bind_extra_request_metadata``: note when the request started."""
    setattr(request, _STARTED, time.perf_counter())


def add_duration(request, log_kwargs: dict, **kwargs: object) -> None:
    """On ``bind_extra_request_finished_metadata``: the request's duration in ms, and the
    user agent (the one request line says what request_started used to)."""
    log_kwargs["user_agent"] = request.META.get("HTTP_USER_AGENT")
    started = getattr(request, _STARTED, None)
    if started is not None:
        log_kwargs["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)


# --- Sentry --------------------------------------------------------------------------------

#: Keys of a Sentry event's request and user that may carry personal data.
_REQUEST_KEEP = ("method", "url")


def scrub_event(event: dict, hint: dict | None = None) -> dict:
    """Keep only what identifies no one: the request's method and path (paths hold public
    ids, never names), and the person's public id."""
    request = event.get("request")
    if isinstance(request, dict):
        url = str(request.get("url", "")).split("?", 1)[0]
        event["request"] = {**{k: request[k] for k in _REQUEST_KEEP if k in request}, "url": url}
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if "id" in user else {}
    event.pop("server_name", None)
    for entry in (event.get("breadcrumbs") or {}).get("values", []):
        entry.pop("data", None)
    return event


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=traces_sample_rate,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
    )


def set_sentry_user(request, **kwargs: object) -> None:
    """Errors name the person by public id only (``bind_extra_request_metadata``)."""
    from django.conf import settings

    user = getattr(request, "user", None)
    if not settings.SENTRY_DSN or user is None or not user.is_authenticated:
        return
    import sentry_sdk

    sentry_sdk.set_user({"id": str(user.uuid)})
