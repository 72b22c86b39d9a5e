"""A lock across processes and machines, held while one worker does a piece of work.

Celery may run the same task twice at once (enqueued twice, or redelivered while the
first run is still busy). A sending task takes this lock so that only one run talks to
the mail server. The lock dies with the process that holds it: a killed worker never
leaves it behind, so a redelivered task can take it.

On PostgreSQL it is a session-level advisory lock (across machines). SQLite is for a
single machine only, and there it is an ``flock`` on a file under ``POP_VAR_DIR``.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection


def _lock_id(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (PostgreSQL's advisory-lock key)."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


@contextmanager
def _postgresql_lock(name: str) -> Iterator[bool]:
    key = _lock_id(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [key])
        (acquired,) = cursor.fetchone()
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


@contextmanager
def _file_lock(name: str) -> Iterator[bool]:
    folder = settings.VAR_DIR / "locks"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{hashlib.blake2b(name.encode(), digest_size=16).hexdigest()}.lock"
    with path.open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def exclusive(name: str) -> Iterator[bool]:
    """Try to take the lock called ``name`` without waiting; yield whether it was taken.

    ``with exclusive(f"outbox:{pk}") as mine: if not mine: return``
    """
    locks = {"postgresql": _postgresql_lock, "sqlite": _file_lock}
    if connection.vendor not in locks:
        raise ImproperlyConfigured(f"No cross-process lock for {connection.vendor}.")
    with locks[connection.vendor](name) as acquired:
        yield acquired
