"""Bounded retries with exponential backoff for tasks that talk to other servers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NoReturn, TypeVar

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection

T = TypeVar("T")


def lost_database_errors() -> tuple[type[Exception], ...]:
    """The errors of a database that went away (restarted, failed over, network): a task
    tries again later, a page answers 503. Django's own, and the driver's, which a few of
    Django's clean-up paths let through unwrapped (closing a cursor that fetched in
    chunks). A lost connection is replaced before the next task (Celery closes a
    worker's connections around each task) or request (``CONN_HEALTH_CHECKS``)."""
    driver = connection.Database
    return (OperationalError, InterfaceError, driver.OperationalError, driver.InterfaceError)


def retries_left(task: Task) -> bool:
    """Whether ``task`` may try again (``TASK_MAX_RETRIES``)."""
    return task.request.retries < settings.TASK_MAX_RETRIES


def backoff_seconds(retries: int) -> float:
    """The wait before retry number ``retries + 1``: exponential (``TASK_RETRY_BACKOFF_SECONDS``
    doubled per retry, at most ``TASK_RETRY_BACKOFF_MAX_SECONDS``), jittered between half
    and all of that step ("equal jitter"). Never close to zero: with full jitter (anywhere
    from 0) a run of tiny waits could spend every retry within one short outage, as a
    PostgreSQL restart under load once showed (five retries in 90 ms, the e-mail given up).
    """
    step = min(
        settings.TASK_RETRY_BACKOFF_MAX_SECONDS,
        settings.TASK_RETRY_BACKOFF_SECONDS * 2**retries,
    )
    return step / 2 + random.uniform(0, step / 2)


def retry_later(task: Task, error: Exception) -> NoReturn:
    """Enqueue ``task`` again after an exponential, jittered wait, and stop this run."""
    raise task.retry(
        exc=error,
        countdown=backoff_seconds(task.request.retries),
        max_retries=settings.TASK_MAX_RETRIES,
    )


def call_or_retry(
    task: Task,
    work: Callable[[], T],
    *,
    retry_on: tuple[type[Exception], ...],
    give_up: Callable[[], None],
) -> T:
    """Run ``work``; on one of ``retry_on`` retry later, and after the last retry call
    ``give_up`` (which records the failure) and raise."""
    try:
        return work()
    except retry_on as error:
        if not retries_left(task):
            give_up()
            raise
        retry_later(task, error)
