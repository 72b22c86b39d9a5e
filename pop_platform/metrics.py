"""``/metrics``: Prometheus metrics for a scraper that holds ``METRICS_TOKEN``.

- Requests, responses, latencies, database and cache use: django-prometheus. Under
  gunicorn the worker processes share their counters through ``PROMETHEUS_MULTIPROC_DIR``
  (``gunicorn.conf.py``), so every scrape sees the whole server, whichever worker answers.
- Background work: the length of each Celery queue, read from the broker at scrape time,
  and the outcome of every task (succeeded, retried, failed), counted by the workers in the
  shared cache (Redis), so any web process reports what every worker did.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

from amqp.exceptions import ChannelError
from celery import signals
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection
from kombu.exceptions import OperationalError
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .queue import PUBLISH_TIMEOUT, PUBLISH_TRANSPORT_OPTIONS

OUTCOMES = ("succeeded", "retried", "failed")


def _counter_key(task: str, outcome: str) -> str:
    return f"metrics:celery-task:{task}:{outcome}"


def task_outcome_count(*, task: str, outcome: str) -> None:
    """Count one task outcome in the shared cache (never fails the task)."""
    key = _counter_key(task, outcome)
    cache.add(key, 0, timeout=None)
    try:
        cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=None)


@signals.task_success.connect
def _succeeded(sender=None, **kwargs: object) -> None:
    task_outcome_count(task=sender.name, outcome="succeeded")


@signals.task_retry.connect
def _retried(sender=None, **kwargs: object) -> None:
    task_outcome_count(task=sender.name, outcome="retried")


@signals.task_failure.connect
def _failed(sender=None, **kwargs: object) -> None:
    task_outcome_count(task=sender.name, outcome="failed")


def _task_names() -> list[str]:
    from .celery import app

    app.loader.import_default_modules()
    return sorted(name for name in app.tasks if not name.startswith("celery."))


class CeleryCollector:
    """Queue lengths and task outcomes, read when scraped."""

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        queues = GaugeMetricFamily(
            "pop_celery_queue_length", "Tasks waiting in a Celery queue.", labels=["queue"]
        )
        up = GaugeMetricFamily("pop_celery_broker_up", "Whether the broker answered.")
        try:
            for name, length in queue_lengths().items():
                queues.add_metric([name], length)
            up.add_metric([], 1)
        except (OperationalError, OSError):
            up.add_metric([], 0)
        yield queues
        yield up
        tasks = CounterMetricFamily(
            "pop_celery_tasks", "Celery task outcomes.", labels=["task", "outcome"]
        )
        names = [(task, outcome) for task in _task_names() for outcome in OUTCOMES]
        counts = cache.get_many([_counter_key(*pair) for pair in names])
        for task, outcome in names:
            tasks.add_metric([task, outcome], counts.get(_counter_key(task, outcome), 0))
        yield tasks


def queue_lengths() -> dict[str, int]:
    options = {**settings.CELERY_BROKER_TRANSPORT_OPTIONS, **PUBLISH_TRANSPORT_OPTIONS}
    with Connection(
        settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=PUBLISH_TIMEOUT
    ) as broker:
        channel = broker.default_channel
        return {queue.name: _length(channel, queue.name) for queue in settings.CELERY_TASK_QUEUES}


def _length(channel, name: str) -> int:
    try:
        return channel.queue_declare(queue=name, passive=True).message_count
    except ChannelError:  # never declared: no worker has started yet, nothing waits
        return 0


def exposition() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        django = CollectorRegistry()
        multiprocess.MultiProcessCollector(django)
    else:
        django = REGISTRY
    celery = CollectorRegistry()
    celery.register(CeleryCollector())
    return generate_latest(django) + generate_latest(celery)


def _authorised(request: HttpRequest) -> bool:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), settings.METRICS_TOKEN.encode()
    )


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not settings.METRICS_TOKEN:
        return HttpResponseNotFound()  # metrics are off
    if not _authorised(request):
        return HttpResponse(status=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
