"""The Celery application: configuration comes from Django settings (``CELERY_*``)."""

import os
from pathlib import Path

from celery import Celery, signals
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pop_platform.settings")

app = Celery("pop_platform")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _structured_task_logs() -> None:
    """Task log lines carry the task's id and name (django-structlog)."""
    from django_structlog.celery.steps import DjangoStructLogInitStep

    app.steps["worker"].add(DjangoStructLogInitStep)


_structured_task_logs()


@signals.worker_ready.connect
@signals.beat_init.connect
def _warn_at_start(**kwargs: object) -> None:
    from pop_platform.checks import warn_at_start

    warn_at_start()


@signals.setup_logging.connect
def _django_logging(loglevel=None, **kwargs: object) -> None:
    """Celery keeps Django's logging (JSON lines in production) instead of its own; its
    ``--loglevel`` still sets how much Celery itself says."""
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger("celery").setLevel(loglevel)


class HeartbeatScheduler(PersistentScheduler):
    """Beat's own scheduler, which also touches ``<schedule file>.heartbeat`` on every tick
    (at least every ``CELERY_BEAT_MAX_LOOP_INTERVAL`` seconds), so a health check can tell
    a beat that stopped ticking (``python -m pop_platform.beat_alive``)."""

    def tick(self, *args: object, **kwargs: object) -> float:
        interval = super().tick(*args, **kwargs)
        Path(f"{self.schedule_filename}.heartbeat").touch()
        return interval
