"""``/healthz``: is the database reachable, and the Celery broker?"""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import OperationalError

from .queue import PUBLISH_TIMEOUT, PUBLISH_TRANSPORT_OPTIONS


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
