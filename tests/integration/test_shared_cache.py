"""The shared cache on a real Redis: what one process caches, another reads; sessions
live in it (backed by the database), a warm request reads no session row, signing out
ends the session everywhere, and a Redis that cannot be reached is a miss, not an error."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.core.cache import cache, caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pop_platform.cache import caches_config
from pop_platform.sessions import SessionStore
from tests.factories import PASSWORD

from .harness import ROOT, free_port

HOME = reverse("dashboards:home")


@pytest.fixture
def shared_cache(settings, broker) -> str:
    """The production cache configuration on the integration tests' Redis database."""
    settings.CACHES = caches_config(broker.url)
    return broker.url


def _other_process(code: str, cache_url: str) -> str:
    env = {**os.environ, "CACHE_URL": cache_url, "DJANGO_SETTINGS_MODULE": "pop_platform.settings"}
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_what_one_process_caches_another_reads(shared_cache, db):
    cache.set("greeting", "goedemorgen", 60)
    read = "from django.core.cache import cache; print(cache.get('greeting'))"
    assert _other_process(read, shared_cache) == "goedemorgen"
    write = "from django.core.cache import cache; cache.set('answer', 'tot ziens', 60); print('ok')"
    assert _other_process(write, shared_cache) == "ok"
    assert cache.get("answer") == "tot ziens"


def _signed_in(user) -> Client:
    client = Client()
    assert (
        client.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code
        == 302
    )
    return client


def test_a_warm_request_reads_no_session_row(shared_cache, world):
    client = _signed_in(world.employee)
    assert client.get(HOME).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(HOME).status_code == 200
    assert not [q["sql"] for q in queries if "django_session" in q["sql"]]
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    assert caches["sessions"].get(SessionStore.cache_key_prefix + key) is not None


def test_signing_out_ends_the_session_in_every_process(shared_cache, world):
    client = _signed_in(world.employee)
    elsewhere = Client()
    elsewhere.cookies = client.cookies  # the same browser, served by another process
    assert elsewhere.get(HOME).status_code == 200
    client.post(reverse("logout"))
    response = elsewhere.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def _last_saved(client, seconds_ago: int) -> None:
    """Pretend the session was last saved ``seconds_ago``, in the database and the cache."""
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    expiry = timezone.now() + datetime.timedelta(
        seconds=django_settings.SESSION_COOKIE_AGE - seconds_ago
    )
    Session.objects.filter(session_key=key).update(expire_date=expiry)
    store = SessionStore(key)
    data = store.load()
    caches["sessions"].set(
        store.cache_key, (data, expiry), max(1, store.get_expiry_age(expiry=expiry))
    )


def test_a_cached_session_in_use_is_renewed_after_a_minute_and_not_before(shared_cache, world):
    client = _signed_in(world.employee)
    key = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    _last_saved(client, 10)
    before = Session.objects.get(session_key=key).expire_date
    assert client.get(HOME).status_code == 200
    assert Session.objects.get(session_key=key).expire_date == before
    _last_saved(client, django_settings.SESSION_REFRESH_SECONDS + 5)
    assert client.get(HOME).status_code == 200
    renewed = timezone.now() + datetime.timedelta(seconds=django_settings.SESSION_COOKIE_AGE - 5)
    assert Session.objects.get(session_key=key).expire_date > renewed


def test_an_unreachable_redis_is_a_miss_not_an_error(settings, world):
    settings.CACHES = caches_config(f"redis://127.0.0.1:{free_port()}/0")
    cache.set("x", 1, 60)
    assert cache.get("x") is None
    client = _signed_in(world.employee)  # the session is kept in the database
    assert client.get(HOME).status_code == 200


@pytest.mark.urls("tests.integration.bench_urls")
def test_the_bare_signed_in_view_reads_no_database_on_a_warm_cache(
    shared_cache, world, django_assert_num_queries
):
    """Session and signed-in person both come from the shared cache; a save of the person
    (made inactive here) shows on their very next request."""
    client = _signed_in(world.employee)
    assert client.get("/bench/baseline").content == f"ok {world.employee.pk}".encode()
    with django_assert_num_queries(0):
        assert client.get("/bench/baseline").content == f"ok {world.employee.pk}".encode()
    world.employee.is_active = False
    world.employee.save(update_fields=["is_active"])
    response = client.get("/bench/baseline")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_cached_person_follows_their_saves(shared_cache, world):
    """The person changes their language; their next page is in it."""
    client = _signed_in(world.employee)
    assert client.get(HOME)["Content-Language"] == "nl"
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    assert client.get(HOME)["Content-Language"] == "en"
