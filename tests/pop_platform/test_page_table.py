"""The accessibility walk's table (tests/browser/pages.py) covers every URL (generated).

A new URL without a row fails here, so every new HTML page gets checked with axe-core
in every role that opens it; and each row answers a GET as the table says (a page is a
whole HTML page, "post only" is 405, a PDF is a PDF...), so no page hides among the rows
that the walk skips.
"""

from __future__ import annotations

import pytest
from django.urls import get_resolver, reverse

from tests.browser.pages import (
    BEARER,
    CSV,
    FRAGMENT,
    ICS,
    JSON,
    OUTSIDE_THE_PRODUCT,
    PAGE,
    PDF,
    POST,
    REDIRECT,
    TEXT,
    URLS,
    build_demo,
)
from tests.pop_platform.test_url_access import _sample_kwargs, named_patterns

CONTENT_TYPES = {
    PAGE: "text/html",
    FRAGMENT: "text/html",
    PDF: "application/pdf",
    CSV: "text/csv",
    ICS: "text/calendar",
    JSON: "application/json",
    TEXT: "text/plain",
}


def _resolver_patterns() -> dict:
    return {
        name: pattern
        for name, pattern in named_patterns(get_resolver())
        if not name.startswith(OUTSIDE_THE_PRODUCT)
    }


def test_every_url_of_the_resolver_has_a_row():
    names = set(_resolver_patterns())
    listed = {url.name for url in URLS}
    assert sorted(names - listed) == [], (
        "Add these URLs to URLS in tests/browser/pages.py (an HTML page: PAGE and the "
        "roles that open it, so axe-core checks it)"
    )
    assert sorted(listed - names) == [], "These rows name no URL any more"


@pytest.mark.pdf
@pytest.mark.django_db
def test_every_row_answers_a_get_as_the_table_says(client, settings):
    settings.METRICS_TOKEN = "page-table"  # /metrics answers its scraper
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer page-table"
    demo = build_demo()
    patterns = _resolver_patterns()
    users = {"employee": demo.employee, "manager": demo.manager, "hr": demo.hr}
    wrong = []
    for url in URLS:
        role = url.roles[0] if url.roles else "employee"
        client.logout()
        if role in users:
            client.force_login(users[role])
        if url.answers in (POST, BEARER) and url.args is None:
            path = reverse(url.name, kwargs=_sample_kwargs(patterns[url.name]))
        else:
            path = url.path(demo)
        # A page may redirect to itself (a valid password-reset link hides its token).
        response = client.get(path, follow=url.answers == PAGE)
        body = b"" if response.streaming else response.content
        expected_status = {POST: 405, REDIRECT: 302, BEARER: 401}.get(url.answers, 200)
        content_type = response.get("Content-Type", "")
        if response.status_code != expected_status:
            wrong.append(f"{url.id} as {role}: GET {path} answered {response.status_code}")
        elif url.answers in CONTENT_TYPES and not content_type.startswith(
            CONTENT_TYPES[url.answers]
        ):
            wrong.append(f"{url.id}: {content_type}, not {url.answers}")
        elif url.answers == PAGE and response.resolver_match.view_name != url.name:
            wrong.append(f"{url.id}: GET {path} led to {response.request['PATH_INFO']}")
        elif url.answers == PAGE and b"<html" not in body:
            wrong.append(f"{url.id}: not a whole page")
        elif url.answers == FRAGMENT and b"<html" in body:
            wrong.append(f"{url.id}: a whole page, not a fragment")
    assert wrong == []
