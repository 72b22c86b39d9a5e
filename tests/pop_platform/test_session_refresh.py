"""The idle timeout without a session write per request: a session in use is renewed at
most once a minute (SESSION_REFRESH_SECONDS), and one left alone ends."""

import datetime

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

HOME = reverse("dashboards:home")


def session_of(client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def last_saved(client, seconds_ago: int) -> None:
    """Pretend the session was last saved ``seconds_ago``."""
    expiry = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - seconds_ago)
    Session.objects.filter(pk=session_of(client).pk).update(expire_date=expiry)


@pytest.mark.django_db
def test_requests_within_a_minute_do_not_write_the_session(world, as_user):
    client = as_user(world.employee)
    last_saved(client, 10)
    expiry = session_of(client).expire_date
    for _ in range(3):
        response = client.get(HOME)
        assert response.status_code == 200
        assert settings.SESSION_COOKIE_NAME not in response.cookies  # nothing to send again
    assert session_of(client).expire_date == expiry


@pytest.mark.django_db
def test_a_session_in_use_is_renewed_after_a_minute(world, as_user):
    client = as_user(world.employee)
    last_saved(client, settings.SESSION_REFRESH_SECONDS + 5)
    assert client.get(HOME).status_code == 200
    renewed = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 5)
    assert session_of(client).expire_date > renewed


@pytest.mark.django_db
def test_an_idle_session_ends(world, as_user):
    client = as_user(world.employee)
    last_saved(client, settings.SESSION_COOKIE_AGE + 1)
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
