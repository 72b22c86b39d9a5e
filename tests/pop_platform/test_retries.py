"""Retries wait longer each time, and never so little that one short outage uses them all."""

import pytest

from pop_platform import retries


@pytest.mark.parametrize("backoff", [1, 30])
def test_each_wait_is_between_half_and_all_of_its_exponential_step(settings, backoff):
    settings.TASK_RETRY_BACKOFF_SECONDS = backoff
    for attempt in range(12):
        step = min(settings.TASK_RETRY_BACKOFF_MAX_SECONDS, backoff * 2**attempt)
        waits = [retries.backoff_seconds(attempt) for _ in range(200)]
        assert all(step / 2 <= wait <= step for wait in waits), (attempt, min(waits), max(waits))
        assert len({round(wait, 3) for wait in waits}) > 1  # jittered: not all at once


def test_the_retries_together_outlast_a_restart_even_at_the_shortest_waits(settings, monkeypatch):
    """The integration tests' settings (1 s): at least 15.5 s before giving up, where a
    PostgreSQL restart takes well under a second; production's (30 s): over 7 minutes."""
    monkeypatch.setattr(retries.random, "uniform", lambda low, high: low)  # the least jitter
    settings.TASK_MAX_RETRIES = 5
    for backoff, at_least in ((1, 15.5), (30, 7 * 60)):
        settings.TASK_RETRY_BACKOFF_SECONDS = backoff
        total = sum(retries.backoff_seconds(attempt) for attempt in range(5))
        assert total >= at_least
