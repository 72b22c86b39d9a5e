"""Health for load balancers and orchestrators.

- ``/healthz/live`` (liveness): the process answers. No database, no broker: a container
  is restarted only when it is itself stuck, never because PostgreSQL or Redis is away.
- ``/healthz`` (readiness): the database and the Celery broker are reachable; a proxy or
  an orchestrator sends no traffic to an instance that answers 503.

Both answer without sign-in and whatever the ``Host`` header says (``ALLOWED_HOSTS`` is
not consulted: a health check may use the container's own address).
"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import OperationalError

from .queue import PUBLISH_TIMEOUT, PUBLISH_TRANSPORT_OPTIONS
from .static_headers import add_security_headers


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        return False


def broker_ok() -> bool:
    """Whether the broker answers within the limits a page has for queueing a task (one
    try: a down Redis is reported at once, a hung one within about a second)."""
    transport_options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, **PUBLISH_TRANSPORT_OPTIONS}
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=transport_options,
            connect_timeout=PUBLISH_TIMEOUT,
        ) as broker:
            broker.ensure_connection(max_retries=0)
            broker.default_channel  # noqa: B018 - opens a channel on the transport
        return True
    except (OperationalError, OSError):
        return False


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        **{name: "ok" if ok else "unreachable" for name, ok in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


@login_not_required
@never_cache
@require_GET
def healthz_live(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class HealthCheckMiddleware:
    """Answers the health checks and the metrics scrape before anything looks at the
    ``Host`` header.

    Probes and scrapers call the container's own address (``127.0.0.1:8000``, a pod's
    IP), which is not one of ``ALLOWED_HOSTS``: Django would answer 400. Nothing here
    reads the host, the session or the user; the views are the ones the URLs name.
    """

    def __init__(self, get_response):
        from .metrics import metrics

        self.get_response = get_response
        self.views = {"/healthz": healthz, "/healthz/live": healthz_live, "/metrics": metrics}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = self.views.get(request.path_info)
        if view is None:
            return self.get_response(request)
        response = view(request)
        # The policy headers that the middleware it skips would add (as on static files).
        add_security_headers(response.headers, request.path_info, "")
        return response
