"""``/healthz`` against a real Redis that goes down (a throwaway server, never the
machine's own)."""

import json

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_follows_a_real_redis_going_down_and_coming_back(client, settings, redis_server):
    settings.CELERY_BROKER_URL = redis_server.url
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 2}

    response = client.get(reverse("healthz"))
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"status": "ok", "database": "ok", "broker": "ok"}

    redis_server.stop()
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "unavailable",
        "database": "ok",
        "broker": "unreachable",
    }

    redis_server.start()  # same port: the check does not remember the failure
    assert client.get(reverse("healthz")).status_code == 200
