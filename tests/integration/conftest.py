"""Fixtures for tests against real services: a Celery worker on Redis, an SMTP server.

A test that uses ``celery_worker`` runs against PostgreSQL and Redis (it is skipped
without them locally, and fails in CI) and needs committed data, so it is marked
``@pytest.mark.django_db(transaction=True)``. Tasks go from the test process to Redis
(``delay_on_commit`` works as in production) and a real ``celery worker`` subprocess
runs them against the test database and the test's SMTP server.

- ``smtp_server``: :class:`SmtpServer`, running; ``.messages``, ``.wait_for_messages(n)``,
  ``.hold()``/``.release()``, ``.held``, ``.stop()``/``.start()`` (same port).
- ``broker``: :class:`Broker`, Redis database 14 (``POP_TEST_REDIS_DB``), emptied before and after each test;
  ``.pending()``, ``.wait_until_idle()``.
- ``celery_worker``: :class:`CeleryWorker`, started (``celery_worker_concurrency`` pool
  processes, default 2; ``celery_worker_autostart`` False: not yet); ``.kill()`` (SIGKILL, whole process group), ``.start()``,
  ``.stop()`` (warm), ``.processes()``, ``.log()``, ``.wait_for_log(text)``.
- ``redis_server``: :class:`RedisServer`, a throwaway ``redis-server`` to stop at will.
- ``throwaway_broker``: ``redis_server`` as the broker of the test process and of
  ``throwaway_broker_worker`` (a :class:`CeleryWorker` on it, not started): stop Redis
  and start it again, empty, as a Redis without persistence comes back.
- ``media_root`` (``tests/conftest.py``): stored files (PDFs), shared with the workers.
- ``worker_env(database_url=…, broker_url=…, smtp=…, media_root=…)`` for a worker (or a
  web server) of your own.
- ``wait_until(condition, what=…)`` from ``harness`` for everything else.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings as django_settings
from django.db import connection
from kombu import pools

from pop_platform.celery import app
from tests.conftest import require

from .harness import Broker, CeleryWorker, RedisServer, SmtpServer, database_url

#: The Redis database the integration tests own and empty; never the configured one.
#: ``POP_TEST_REDIS_DB`` picks another, so that two runs on one Redis do not collide.
INTEGRATION_REDIS_DB = int(os.environ.get("POP_TEST_REDIS_DB", "14"))
#: Seconds before Redis redelivers a task whose worker died. Longer than any task runs
#: in these tests, short so that the kill test is quick.
WORKER_VISIBILITY_TIMEOUT = 4


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Overrides the unit tests' eager Celery: here tasks go to the broker."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False


def _integration_redis_url() -> str:
    configured = django_settings.REDIS_URL
    require(bool(configured), "Redis (REDIS_URL)")
    parts = urlsplit(configured)
    if parts.path.strip("/") == str(INTEGRATION_REDIS_DB):
        pytest.fail(
            f"REDIS_URL uses database {INTEGRATION_REDIS_DB}, which the integration tests "
            "empty before each test; point REDIS_URL at another database."
        )
    return urlunsplit(parts._replace(path=f"/{INTEGRATION_REDIS_DB}"))


def _publish_to(url: str, transport_options: dict) -> None:
    """Point the test process's Celery app at another broker.

    The app keeps its connection and producer pools (kombu's, shared per process): close
    them all and drop the app's references, as after a fork, so that the next
    ``delay()`` connects to ``url``.
    """
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app.conf.broker_url = url
    app.conf.broker_transport_options = transport_options


@pytest.fixture
def broker(settings) -> Iterator[Broker]:
    """Redis database ``INTEGRATION_REDIS_DB``, empty, shared by the test process and the
    worker."""
    url = _integration_redis_url()
    broker = Broker(url)
    broker.flush()
    previous = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    settings.CELERY_BROKER_URL = url
    _publish_to(url, dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS))
    yield broker
    _publish_to(*previous)
    broker.flush()
    broker.close()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def postgresql(transactional_db) -> str:
    """The test database as a ``DATABASE_URL`` for other processes (PostgreSQL only)."""
    require(
        bool(os.environ.get("DATABASE_URL")) and connection.vendor == "postgresql",
        "PostgreSQL (DATABASE_URL)",
    )
    return database_url(connection.settings_dict)


@pytest.fixture
def celery_worker_concurrency() -> int:
    """Pool processes of ``celery_worker``: two, so that two tasks can run at once.

    A test changes it with ``@pytest.mark.parametrize("celery_worker_concurrency", [1])``.
    """
    return 2


def worker_env(
    *, database_url: str, broker_url: str, smtp: SmtpServer, media_root: Path
) -> dict[str, str]:
    """The environment of a worker (or web server) on these services, with short waits:
    redelivery after ``WORKER_VISIBILITY_TIMEOUT`` s, retries after about a second."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pop_platform.settings",
        "DATABASE_URL": database_url,
        "REDIS_URL": broker_url,
        "DJANGO_MEDIA_ROOT": str(media_root),
        "EMAIL_URL": smtp.url,
        "EMAIL_TIMEOUT": "10",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_VISIBILITY_TIMEOUT": str(WORKER_VISIBILITY_TIMEOUT),
        "TASK_RETRY_BACKOFF_SECONDS": "1",
        "TASK_MAX_RETRIES": "5",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def celery_worker_autostart() -> bool:
    """Whether ``celery_worker`` runs when the test starts. A test that first queues
    work sets it False with ``@pytest.mark.parametrize("celery_worker_autostart",
    [False])`` and calls ``celery_worker.start()`` itself."""
    return True


@pytest.fixture
def celery_worker(
    postgresql,
    broker,
    smtp_server,
    media_root,
    tmp_path,
    celery_worker_concurrency,
    celery_worker_autostart,
) -> Iterator[CeleryWorker]:
    """A running ``celery worker`` (prefork) on the test's database, broker and SMTP."""
    worker = CeleryWorker(
        env=worker_env(
            database_url=postgresql, broker_url=broker.url, smtp=smtp_server, media_root=media_root
        ),
        log_path=tmp_path / "celery-worker.log",
        concurrency=celery_worker_concurrency,
    )
    try:
        if celery_worker_autostart:
            worker.start()
        yield worker
    finally:
        worker.close()


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    """A throwaway ``redis-server`` on a free port (never the machine's own Redis)."""
    require(shutil.which("redis-server") is not None, "redis-server")
    server = RedisServer(tmp_path / "redis-server.log")
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def throwaway_broker(settings, redis_server) -> Iterator[RedisServer]:
    """``redis_server`` is the broker of the test process (tasks, ``/healthz``)."""
    previous = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
    options = {"socket_connect_timeout": 2, "socket_timeout": 5}
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = options
    _publish_to(redis_server.url, options)
    yield redis_server
    _publish_to(*previous)


@pytest.fixture
def throwaway_broker_worker(
    postgresql, throwaway_broker, smtp_server, media_root, tmp_path
) -> Iterator[CeleryWorker]:
    """A ``celery worker`` on ``throwaway_broker``, not started yet."""
    worker = CeleryWorker(
        env=worker_env(
            database_url=postgresql,
            broker_url=throwaway_broker.url,
            smtp=smtp_server,
            media_root=media_root,
        ),
        log_path=tmp_path / "celery-worker.log",
    )
    try:
        yield worker
    finally:
        worker.close()
