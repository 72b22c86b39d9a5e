"""Sending one row's message at least once, and only once unless a worker dies between
the mail server accepting it and the row being marked.

A row (a notification, a reminder delivery) records its own delivery: a counter of
attempts, when it was sent, the last error and when every retry was given up. The
sending task calls :func:`deliver_once` outside a transaction: the attempt is counted in
its own committed update before the mail server is contacted (so an attempt cut short by
a killed worker still shows), and a lock keeps two runs of the task (enqueued twice, or
redelivered while the first is busy) from sending at the same time. The run that finds
the lock taken raises ``in_progress`` and tries again later rather than assume the other
run will succeed (its machine may be gone).

The one window in which a message goes out twice: the mail server accepted it and the
worker died (or the database stayed away longer than ``RECORD_SENT_PATIENCE``) before
the row was marked sent.

A row whose task is gone — it never reached the broker, or was lost with it, or a worker
dropped its waiting retry when it lost the broker — is found by :func:`awaiting_delivery`
and queued again by the one beat sweep; the claim above makes that safe.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import F, Model, Q, QuerySet
from django.utils import timezone

from .locks import exclusive
from .retries import lost_database_errors


class DeliveryInProgress(Exception):
    """Another run holds the row's send lock right now."""


@dataclass(frozen=True)
class DeliveryFields:
    """The names of the row's delivery-record fields. ``created_at`` is when the row was
    made; ``attempted_at`` is set with each attempt (it may be a general "last changed")."""

    attempts: str
    sent_at: str
    error: str
    failed_at: str
    created_at: str
    attempted_at: str


def deliver_once(
    *,
    rows: QuerySet,
    pk: int,
    lock: str,
    fields: DeliveryFields,
    send: Callable[[Model], bool],
    in_progress: type[DeliveryInProgress] = DeliveryInProgress,
) -> bool:
    """Under the lock called ``lock``, claim the row (``rows`` filters out what must not
    be sent), count the attempt and call ``send(row)``.

    ``send`` returns False when the message turned out to be no longer needed; the row is
    marked done all the same. Returns whether something was sent. An ``OSError`` (SMTP
    and network failures are OSErrors) is recorded on the row and raised, so the task can
    retry.
    """
    model = rows.model
    with exclusive(lock) as mine:
        if not mine:
            raise in_progress(pk)
        claimed = rows.filter(pk=pk, **{f"{fields.sent_at}__isnull": True}).update(
            **{fields.attempts: F(fields.attempts) + 1, fields.attempted_at: timezone.now()}
        )
        if not claimed:
            return False
        row = rows.get(pk=pk)
        try:
            sent = send(row)
        except OSError as error:
            model.objects.filter(pk=pk).update(**{fields.error: f"{type(error).__name__}: {error}"})
            raise
        _record_sent(model=model, pk=pk, fields=fields)
    return sent


#: Seconds a run keeps trying to record a message as sent while the database cannot be
#: reached (a restart or fail-over takes seconds). Giving up means it is sent again.
RECORD_SENT_PATIENCE = 30.0


def _record_sent(*, model: type[Model], pk: int, fields: DeliveryFields) -> None:
    """Mark the row sent. The mail server has accepted the message: a database that is
    briefly away must not turn into a second e-mail, so wait for it (on a new
    connection) rather than let the task retry the whole send."""
    deadline = time.monotonic() + RECORD_SENT_PATIENCE
    while True:
        try:
            model.objects.filter(pk=pk).update(
                **{fields.sent_at: timezone.now(), fields.failed_at: None}
            )
            return
        except lost_database_errors():
            if time.monotonic() > deadline:
                raise
            connection.close()  # the next query connects afresh
            time.sleep(0.5)


def delivery_give_up(*, model: type[Model], pk: int, fields: DeliveryFields) -> None:
    """Every retry failed: mark the row as not sent (shown in the admin)."""
    model.objects.filter(pk=pk, **{f"{fields.sent_at}__isnull": True}).update(
        **{fields.failed_at: timezone.now()}
    )


#: A row that nobody tried to send this long after it was made has no task any more: its
#: message never reached the broker, or was lost with it.
NOT_TRIED_AFTER = datetime.timedelta(minutes=2)


def not_retried_after() -> datetime.timedelta:
    """A row tried, neither sent nor given up, and untouched this long, has lost its retry
    (a worker forgets the retries it is waiting for when it loses the broker): longer
    than the longest wait between two tries plus the time one try may take."""
    return datetime.timedelta(
        seconds=settings.TASK_RETRY_BACKOFF_MAX_SECONDS + 2 * settings.EMAIL_TIMEOUT + 60
    )


def awaiting_delivery(
    rows: QuerySet, *, fields: DeliveryFields, now: datetime.datetime, since: datetime.datetime
) -> QuerySet:
    """The rows of ``rows``, made at ``since`` or later, that are neither sent nor given
    up and whose task has been silent for too long (see above): queue them again.

    A task that is merely slow or waiting in a long queue may be queued a second time;
    the claim in :func:`deliver_once` makes the second run a no-op.
    """
    return rows.filter(
        Q(**{fields.attempts: 0, f"{fields.created_at}__lt": now - NOT_TRIED_AFTER})
        | Q(
            **{
                f"{fields.attempts}__gt": 0,
                f"{fields.attempted_at}__lt": now - not_retried_after(),
            }
        ),
        **{
            f"{fields.sent_at}__isnull": True,
            f"{fields.failed_at}__isnull": True,
            f"{fields.created_at}__gte": since,
        },
    )
