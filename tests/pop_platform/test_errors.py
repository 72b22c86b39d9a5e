"""The database briefly unreachable: people get a 503 "temporarily unavailable" page in
their language, not a 500 page; other errors stay 500s."""

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from pop_platform import errors


def _unreachable(execute, sql, params, many, context):
    raise OperationalError("connection to server failed: Connection refused")


@pytest.fixture
def signed_in(world) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(world.employee)
    return client


@pytest.mark.parametrize("path", ["/", "/plans/mine/", "/conversations/", "/accounts/login/"])
def test_every_page_answers_503_in_dutch_while_the_database_is_unreachable(signed_in, path):
    with connection.execute_wrapper(_unreachable):
        response = signed_in.get(path)
    assert response.status_code == 503
    html = response.content.decode()
    assert '<html lang="nl">' in html
    assert "POP Platform is tijdelijk niet beschikbaar" in html
    assert "Wat je eerder hebt opgeslagen, blijft bewaard." in html
    assert f'href="{path}"' in html  # try again
    assert response["Retry-After"] == str(errors.RETRY_AFTER_SECONDS)
    assert response["Cache-Control"] == "no-store"
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert "Traceback" not in html and "OperationalError" not in html


def test_the_drivers_own_error_is_a_503_too(signed_in):
    """Django lets the driver's error through unwrapped when it closes a cursor that
    fetched in chunks (a form's list of choices), as seen during a restart."""

    def driver_error(execute, sql, params, many, context):
        raise connection.Database.OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(driver_error):
        response = signed_in.get("/plans/mine/")
    assert response.status_code == 503
    assert "POP Platform is tijdelijk niet beschikbaar" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "signed in"])
def test_the_health_check_still_says_what_is_down(client, signed_in, who):
    """Also with a session cookie: the health check reads no session (it answers before
    the session and host checks), so it says what is down instead of showing a page."""
    browser = signed_in if who == "signed in" else client
    with connection.execute_wrapper(_unreachable):
        response = browser.get("/healthz")
        live = browser.get("/healthz/live")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
    assert (live.status_code, live.content) == (200, b"ok")


def test_a_post_and_an_htmx_request_get_it_too_and_english_with_the_cookie(signed_in, world):
    signed_in.cookies["pop_language"] = "en"
    with connection.execute_wrapper(_unreachable):
        response = signed_in.post(reverse("people:notifications-read-all"))
        fragment = signed_in.get("/plans/mine/", headers={"HX-Request": "true"})
    assert response.status_code == fragment.status_code == 503
    html = response.content.decode()
    assert '<html lang="en">' in html and "POP Platform is temporarily unavailable" in html


def test_the_try_again_link_never_leads_elsewhere(signed_in):
    with connection.execute_wrapper(_unreachable):
        response = signed_in.get("//evil.example/")
    assert response.status_code == 503
    assert 'href="/"' in response.content.decode()


def test_other_errors_are_still_500(rf):
    try:
        raise RuntimeError("a bug")
    except RuntimeError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "tijdelijk niet beschikbaar" not in response.content.decode()


def test_a_session_that_cannot_be_saved_at_the_end_is_503_not_400(signed_in):
    """The page was made, then the database went away before the session was saved:
    Django calls that "session interrupted" (400)."""
    from tests.pop_platform.test_session_refresh import last_saved

    last_saved(signed_in, settings.SESSION_REFRESH_SECONDS + 5)  # due to be saved again

    def sessions_away(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "django_session" in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(sessions_away):
        response = signed_in.get(reverse("people:inbox"))
    assert response.status_code == 503
    assert "POP Platform is tijdelijk niet beschikbaar" in response.content.decode()


def test_other_bad_requests_are_still_400(rf):
    from django.core.exceptions import SuspiciousOperation

    response = errors.bad_request(rf.get("/"), SuspiciousOperation("odd"))
    assert response.status_code == 400
