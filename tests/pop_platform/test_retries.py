"""Retries wait longer each time, and never so little that one short outage uses them all:
Celery's exponential backoff (``retry_backoff``) without its full jitter, spread by the
project's equal jitter (``RetryingTask.retry``)."""

import pytest
from celery.utils.time import get_exponential_backoff_interval

from people.tasks import outbox_deliver
from plans.tasks import plan_render_pdf
from pop_platform import retries


def _step(task, attempt: int) -> int:
    """The wait Celery's autoretry asks for before retry ``attempt + 1`` (no jitter)."""
    return get_exponential_backoff_interval(
        factor=int(task.retry_backoff),
        retries=attempt,
        maximum=task.retry_backoff_max,
        full_jitter=task.retry_jitter,
    )


@pytest.mark.parametrize("task", [outbox_deliver, plan_render_pdf])
def test_the_sending_and_rendering_tasks_use_celerys_backoff_without_full_jitter(task, settings):
    assert task.retry_jitter is False
    assert task.retry_backoff == settings.TASK_RETRY_BACKOFF_SECONDS
    assert task.retry_backoff_max == settings.TASK_RETRY_BACKOFF_MAX_SECONDS
    assert task.max_retries == settings.TASK_MAX_RETRIES
    assert OSError in task.autoretry_for
    assert isinstance(task, retries.RetryingTask)


@pytest.mark.parametrize("backoff", [1, 30])
def test_each_wait_is_between_half_and_all_of_its_exponential_step(settings, backoff):
    for attempt in range(12):
        step = min(settings.TASK_RETRY_BACKOFF_MAX_SECONDS, backoff * 2**attempt)
        waits = [retries.equal_jitter(step) for _ in range(200)]
        assert all(step / 2 <= wait <= step for wait in waits), (attempt, min(waits), max(waits))
        assert len({round(wait, 3) for wait in waits}) > 1  # jittered: not all at once


def test_the_retries_together_outlast_a_restart_even_at_the_shortest_waits(settings, monkeypatch):
    """The integration tests' settings (1 s): at least 15.5 s before giving up, where a
    PostgreSQL restart takes well under a second; production's (30 s): over 7 minutes."""
    monkeypatch.setattr(retries.random, "uniform", lambda low, high: low)  # the least jitter
    for backoff, at_least in ((1, 15.5), (30, 7 * 60)):
        monkeypatch.setattr(outbox_deliver, "retry_backoff", backoff)
        total = sum(retries.equal_jitter(_step(outbox_deliver, attempt)) for attempt in range(5))
        assert total >= at_least
