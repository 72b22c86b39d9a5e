"""Sessions end: after the idle limit, after the absolute limit however active, and at
once when the person may no longer sign in (made inactive, or past their end date)."""

from __future__ import annotations

import datetime
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from pop_platform.middleware import SIGNED_IN_AT
from tests.pop_platform.test_security import run_manage

from .conftest import header_problems

ABSOLUTE_LIMIT = "Je bent langer dan 12 uur ingelogd. Log voor je veiligheid opnieuw in."
ENDED = "Je sessie is afgelopen. Log opnieuw in."


@pytest.fixture
def signed_in(world, password) -> Client:
    """The employee, signed in through the sign-in page, on her home page."""
    client = Client()
    response = client.post(
        reverse("login"), {"username": world.employee.email, "password": password}
    )
    assert response.url == reverse("dashboards:home")
    assert "Welkom, Sanne" in client.get(reverse("dashboards:home")).content.decode()
    return client


def _session(client: Client) -> Session:
    return Session.objects.get(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value)


def _sent_to_sign_in(client: Client, url: str, message: str) -> str:
    """The next request goes to the sign-in page, which says why and shows nobody."""
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    page = client.get(response.url).content.decode()
    assert message in page
    assert "Sanne Jansen" not in page
    assert 'name="username"' in page  # the sign-in page's first step: the e-mail address
    return page


def test_signing_in_stamps_the_session_with_the_time(signed_in):
    stamped = _session(signed_in).get_decoded()[SIGNED_IN_AT]
    assert time.time() - 5 < stamped <= time.time()


def test_absolute_limit_ends_even_an_active_session(signed_in, settings):
    assert settings.SESSION_ABSOLUTE_HOURS == 12
    url = reverse("goals:goal-list")
    session = signed_in.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 + 60  # a minute to go
    session.save()
    for _request in range(3):  # activity does not move the absolute limit
        assert signed_in.get(url).status_code == 200
    assert _session(signed_in).get_decoded()[SIGNED_IN_AT] == session[SIGNED_IN_AT]

    session = signed_in.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 1
    session.save()
    _sent_to_sign_in(signed_in, url, ABSOLUTE_LIMIT)
    assert "_auth_user_id" not in signed_in.session


def test_idle_limit_ends_a_session_without_requests(signed_in, settings):
    url = reverse("goals:goal-list")
    signed_in.get(url)
    idle = _session(signed_in).expire_date - timezone.now()
    assert abs(idle - datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)).total_seconds() < 5
    # Sixty minutes later (the stored expiry moved back, not the clock forward):
    Session.objects.filter(pk=_session(signed_in).pk).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )
    _sent_to_sign_in(signed_in, url, ENDED)


def test_an_htmx_request_after_the_end_sends_the_whole_page_to_sign_in(signed_in):
    session = signed_in.session
    session[SIGNED_IN_AT] = int(time.time()) - 13 * 3600
    session.save()
    response = signed_in.get(
        reverse("goals:goal-list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/goals/?q=zorg"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fgoals%2F%3Fq%3Dzorg"
    assert response.content == b""
    assert not header_problems(response, signed_in=False)
    page = signed_in.get(response["HX-Redirect"]).content.decode()
    assert ABSOLUTE_LIMIT in page


def test_an_htmx_request_without_any_session_sends_the_whole_page_to_sign_in(db):
    """Signed out in another tab: the browser has no session cookie left for this one."""
    response = Client().get(
        reverse("goals:goal-list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/goals/?q=zorg"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next=%2Fgoals%2F%3Fq%3Dzorg"
    assert response.content == b""
    plain = Client().get(reverse("goals:goal-list"))  # a whole page: the usual redirect
    assert plain.status_code == 302
    assert plain.url.startswith(reverse("login"))


def test_making_someone_inactive_ends_their_sessions_at_once(world, signed_in, as_user):
    other = as_user(world.employee)  # a second browser of hers
    world.employee.is_active = False
    world.employee.save(update_fields=["is_active"])
    _sent_to_sign_in(signed_in, reverse("plans:plan-mine"), ENDED)
    assert other.get(reverse("dashboards:home")).url.startswith(reverse("login"))
    assert not Session.objects.filter(
        session_key=signed_in.cookies[settings.SESSION_COOKIE_NAME].value
    ).exists()


def test_an_end_date_in_the_past_ends_their_sessions_and_sign_in(world, signed_in, password):
    world.employee.end_date = timezone.localdate()  # their last day: still in
    world.employee.save(update_fields=["end_date"])
    assert signed_in.get(reverse("dashboards:home")).status_code == 200

    world.employee.end_date = timezone.localdate() - datetime.timedelta(days=1)
    world.employee.save(update_fields=["end_date"])
    _sent_to_sign_in(signed_in, reverse("dashboards:home"), ENDED)
    response = Client().post(
        reverse("login"), {"username": world.employee.email, "password": password}
    )
    assert response.status_code == 200
    assert "Dit e-mailadres en wachtwoord horen niet bij elkaar." in response.content.decode()
    Client().post(reverse("password_reset"), {"email": world.employee.email})
    assert mail.outbox == []


def test_a_visitor_without_a_session_sees_no_message(client):
    page = client.get(reverse("login")).content.decode()
    assert ENDED not in page and ABSOLUTE_LIMIT not in page


def test_the_limits_are_at_least_one_minute_and_one_hour():
    result = run_manage("check", env={"SESSION_ABSOLUTE_HOURS": "0"})
    assert result.returncode != 0
    assert "SESSION_IDLE_MINUTES and SESSION_ABSOLUTE_HOURS must be at least 1." in result.stderr
