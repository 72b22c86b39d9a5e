import json

import pytest
from django.urls import reverse

from tests.conftest import require


@pytest.mark.django_db
def test_healthz_is_public_and_reports_both_services(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_unreachable(client, settings):
    # Nothing listens on port 1: a Redis broker there is down.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 1}
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "unavailable", "database": "ok", "broker": "unreachable"}


@pytest.mark.django_db
def test_healthz_on_redis_when_configured(client, settings):
    import os

    require(bool(os.environ.get("REDIS_URL")), "Redis (REDIS_URL)")
    assert settings.CELERY_BROKER_URL.startswith("redis://")
    assert client.get(reverse("healthz")).status_code == 200
