"""/metrics: Prometheus metrics for a scraper with the bearer token, with the Celery
queues and task outcomes; off without a token."""

from __future__ import annotations

import pytest
from django.test import Client

from pop_platform.metrics import task_outcome_count

TOKEN = "scrape-me-0f3b"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN


def _scrape(token: str | None = TOKEN, **extra):
    client = Client(**extra)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/metrics", headers=headers)


def test_off_without_a_token(db):
    assert _scrape().status_code == 404


@pytest.mark.parametrize("token", [None, "wrong", TOKEN.upper()])
def test_refused_without_the_right_token(metrics_on, db, token):
    response = _scrape(token)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="metrics"'
    assert b"django_http" not in response.content


def test_requests_queues_and_task_outcomes(metrics_on, db, world):
    Client().get("/accounts/login/")
    task_outcome_count(task="plans.tasks.plan_render_pdf", outcome="succeeded")
    task_outcome_count(task="plans.tasks.plan_render_pdf", outcome="succeeded")
    task_outcome_count(task="people.tasks.outbox_deliver", outcome="retried")
    # Whatever Host a scraper sends (a pod's address), the answer is the metrics.
    response = _scrape(HTTP_HOST="10.1.2.3:8000")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "django_http_requests_total_by_method_total" in body
    assert 'pop_celery_queue_length{queue="celery"}' in body
    assert 'pop_celery_queue_length{queue="celery-pdf"}' in body
    assert "pop_celery_broker_up 1.0" in body
    assert (
        'pop_celery_tasks_total{outcome="succeeded",task="plans.tasks.plan_render_pdf"} 2.0' in body
    )
    assert (
        'pop_celery_tasks_total{outcome="retried",task="people.tasks.outbox_deliver"} 1.0' in body
    )


def test_a_task_run_is_counted(
    metrics_on, db, world, pop, as_user, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    with django_capture_on_commit_callbacks(execute=True):
        as_user(world.employee).post(reverse("plans:plan-pdf", args=[pop.plan.uuid]))
    body = _scrape().content.decode()
    assert (
        'pop_celery_tasks_total{outcome="succeeded",task="plans.tasks.plan_render_pdf"} 1.0' in body
    )


def test_health_checks_answer_whatever_the_host(db):
    for path in ("/healthz/live", "/healthz"):
        response = Client(HTTP_HOST="172.18.0.4:8000").get(path)
        assert response.status_code == 200, path
        assert response["X-Content-Type-Options"] == "nosniff"
    assert Client(HTTP_HOST="172.18.0.4:8000").get("/accounts/login/").status_code == 400
