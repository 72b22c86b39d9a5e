"""Production settings pass `check --deploy`; security headers on every response."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-key-9f8e7d6c5b4a",
    "DJANGO_ALLOWED_HOSTS": "pop.example.nl",
    "EMAIL_URL": "smtp+tls://pop:secret@smtp.example.nl:587",
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.pdf
def test_check_deploy_passes_with_production_variables():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.pdf
def test_check_deploy_warns_in_one_line_when_email_goes_to_the_console():
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != "EMAIL_URL"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "pop_platform.W002" in line]
    assert lines == [
        "?: (pop_platform.W002) EMAIL_URL is not set: e-mail is printed on the console, not "
        "sent. Set EMAIL_URL (e.g. smtp+tls://user:password@smtp.example.nl:587)."
    ], result.stderr


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_production_refuses_a_bad_boolean():
    result = run_manage("check", env={**PRODUCTION_ENV, "DJANGO_DEBUG": "perhaps"})
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false, not 'perhaps'" in result.stderr


def test_production_settings_enable_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, env=PRODUCTION_ENV)
    assert result.stdout.split() == ["31536000", "True", "True", "True"], result.stderr


@pytest.mark.django_db
def test_sign_in_page_sends_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_signed_in_pages_are_not_stored(world, as_user):
    response = as_user(world.employee).get(reverse("dashboards:home"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_session_has_an_idle_timeout_and_secure_cookie_flags(settings, world, client, password):
    # Renewed while in use (tests/pop_platform/test_session_refresh.py), ended when idle.
    assert "pop_platform.middleware.SessionIdleRefreshMiddleware" in settings.MIDDLEWARE
    assert 0 < settings.SESSION_REFRESH_SECONDS < settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    response = client.post(
        reverse("login"), {"username": world.employee.email, "password": password}
    )
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"] or settings.SESSION_COOKIE_AGE) <= settings.SESSION_COOKIE_AGE


def test_pages_have_no_inline_scripts(world, as_user):
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    import re

    scripts = re.findall(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", html, re.S)
    assert scripts, "the page loads its scripts"
    for attrs, body in scripts:
        assert "src=" in attrs and not body.strip(), f"inline script: {attrs} {body[:80]}"
    assert " hx-on" not in html
    assert "style=" not in html


def _env_example() -> dict[str, str]:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def test_env_example_lists_every_setting_variable_and_works_as_is():
    import re

    settings_source = (ROOT / "pop_platform" / "settings.py").read_text()
    used = set(re.findall(r'env(?:_bool\(|\.\w+\()"([A-Z_]+)"', settings_source))
    example = _env_example()
    assert used - set(example) == set()
    result = run_manage("check", env=example)
    assert result.returncode == 0, result.stderr
