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
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, Model, QuerySet
from django.utils import timezone

from .locks import exclusive


class DeliveryInProgress(Exception):
    """Another run holds the row's send lock right now."""


@dataclass(frozen=True)
class DeliveryFields:
    """The names of the row's delivery-record fields."""

    attempts: str
    sent_at: str
    error: str
    failed_at: str


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
            **{fields.attempts: F(fields.attempts) + 1}
        )
        if not claimed:
            return False
        row = rows.get(pk=pk)
        try:
            sent = send(row)
        except OSError as error:
            model.objects.filter(pk=pk).update(**{fields.error: f"{type(error).__name__}: {error}"})
            raise
        model.objects.filter(pk=pk).update(
            **{fields.sent_at: timezone.now(), fields.failed_at: None}
        )
    return sent


def delivery_give_up(*, model: type[Model], pk: int, fields: DeliveryFields) -> None:
    """Every retry failed: mark the row as not sent (shown in the admin)."""
    model.objects.filter(pk=pk, **{f"{fields.sent_at}__isnull": True}).update(
        **{fields.failed_at: timezone.now()}
    )
