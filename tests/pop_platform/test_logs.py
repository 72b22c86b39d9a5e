"""Each request is one log line: ``request_finished``, with what an operator needs."""

from __future__ import annotations

import logging

from django.urls import reverse

REQUEST_LOGGER = "django_structlog.middlewares.request"


def test_a_request_logs_one_line_with_its_status_duration_and_user_agent(world, as_user, caplog):
    client = as_user(world.employee)
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("dashboards:home"), HTTP_USER_AGENT="Firefox/140.0")
    assert response.status_code == 200
    events = [record.msg for record in caplog.records if record.name == REQUEST_LOGGER]
    assert [event["event"] for event in events] == ["request_finished"]
    (finished,) = events
    assert finished["code"] == 200
    assert finished["user_agent"] == "Firefox/140.0"
    assert finished["user_id"] == str(world.employee.uuid)
    assert finished["duration_ms"] >= 0


def test_the_started_line_is_there_at_debug_level(world, as_user, caplog):
    client = as_user(world.employee)
    with caplog.at_level(logging.DEBUG, logger="django_structlog"):
        client.get(reverse("dashboards:home"))
    events = [record.msg["event"] for record in caplog.records if record.name == REQUEST_LOGGER]
    assert events == ["request_started", "request_finished"]
