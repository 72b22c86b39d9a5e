"""Sending a task to the broker without ever holding up a page for long.

A task only nudges a worker; the row it works on (an outgoing message, a PDF export) is
the truth. When the broker (Redis) cannot be reached, :func:`enqueue` gives up within
about two seconds and returns False instead of raising: the page still answers, the
caller decides what the person is told, and a beat entry picks the row up again once it
has waited long enough (``people.outbox.outbox_requeue``; a PDF's page offers to try
again). The same holds for a task that reached the broker and was lost with it (Redis
here keeps nothing on disk).

Each call opens its own short-lived broker connection with tight time limits, rather
than the process's pooled one with the worker's patient settings: a Redis that does not
answer costs a request at most ``PUBLISH_TIMEOUT`` seconds per try, and a Redis that
restarted empty is met with a fresh connection.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnreachable

logger = logging.getLogger(__name__)

#: Seconds to connect to the broker, and to wait for each answer, when publishing.
PUBLISH_TIMEOUT = 1
#: Broker (Redis) connection options for publishing and for ``/healthz``.
PUBLISH_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": PUBLISH_TIMEOUT,
    "socket_timeout": PUBLISH_TIMEOUT,
    "max_retries": 0,
}
#: One immediate second try (a connection dropped by a restarting Redis), then give up.
PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.1,
    "interval_max": 0.1,
}


def enqueue(task: Task, *args: object) -> bool:
    """Send ``task(*args)`` to the broker. Returns False, and logs a warning, when the
    broker cannot be reached; other errors are raised."""
    app = task._get_app()
    if app.conf.task_always_eager:  # tests and debugging: run it here and now
        task.apply_async(args)
        return True
    try:
        with app.connection_for_write(
            connect_timeout=PUBLISH_TIMEOUT, transport_options=PUBLISH_TRANSPORT_OPTIONS
        ) as connection:
            task.apply_async(
                args, connection=connection, retry=True, retry_policy=PUBLISH_RETRY_POLICY
            )
    except (BrokerUnreachable, OSError) as error:
        logger.warning(
            "Task %s%r was not queued: the broker is unreachable (%s).", task.name, args, error
        )
        return False
    return True


def enqueue_on_commit(
    task: Task, *args: object, unreachable: Callable[[], None] | None = None
) -> None:
    """After the current transaction commits, :func:`enqueue` ``task(*args)``; when the
    broker cannot be reached, call ``unreachable`` (e.g. to record on the row that the
    work cannot be done now). Outside a transaction this happens at once."""

    def send() -> None:
        if not enqueue(task, *args) and unreachable is not None:
            unreachable()

    transaction.on_commit(send)
