"""Retries of tasks that talk to other servers: Celery's own ``autoretry_for`` /
``retry_backoff`` / ``max_retries``, with the waits spread by equal jitter.

A task that sends or renders declares what it retries and how long it waits, and says
what a final failure records on its row::

    @shared_task(bind=True, base=RetryingTask, autoretry_for=(OSError, ...), **RETRY_BACKOFF)
    def outbox_deliver(self, message_id): ...

Why equal jitter and not Celery's ``retry_jitter`` (full jitter, anywhere from 0 to the
step): with full jitter, five retries once all came within 90 ms of a PostgreSQL restart
under load and the e-mail was given up (``make faults``). Equal jitter waits between half
and all of each step, so that one short outage cannot use up the retries.
"""

from __future__ import annotations

import random

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection


def lost_database_errors() -> tuple[type[Exception], ...]:
    """The errors of a database that went away (restarted, failed over, network): a task
    tries again later, a page answers 503. Django's own, and the driver's, which a few of
    Django's clean-up paths let through unwrapped (closing a cursor that fetched in
    chunks). A lost connection is replaced before the next task (Celery closes a
    worker's connections around each task) or request (``CONN_HEALTH_CHECKS``)."""
    driver = connection.Database
    return (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)


def equal_jitter(step: float) -> float:
    """A wait between half and all of ``step`` ("equal jitter"): never close to zero."""
    return step / 2 + random.uniform(0, step / 2)


#: Celery's exponential backoff: ``TASK_RETRY_BACKOFF_SECONDS`` doubled per retry, at most
#: ``TASK_RETRY_BACKOFF_MAX_SECONDS``; without Celery's full jitter (``RetryingTask`` adds
#: equal jitter instead).
RETRY_BACKOFF = {
    "retry_backoff": settings.TASK_RETRY_BACKOFF_SECONDS,
    "retry_backoff_max": settings.TASK_RETRY_BACKOFF_MAX_SECONDS,
    "retry_jitter": False,
}


class RetryingTask(Task):
    """A task whose retries wait an equal-jittered exponential step and whose retries are
    bounded by ``TASK_MAX_RETRIES``. Subclasses record a final failure in
    ``on_failure`` (called once every retry is used up, or for an error not retried);
    a worker killed mid-task calls nothing: ``acks_late`` redelivers the task."""

    acks_late = True
    reject_on_worker_lost = True

    @property
    def max_retries(self) -> int:  # read when retrying, so that a changed setting applies
        return settings.TASK_MAX_RETRIES

    def retry(self, *args: object, countdown: float | None = None, **options: object):
        if countdown:
            countdown = equal_jitter(countdown)
        return super().retry(*args, countdown=countdown, **options)
