"""CSRF protection on every URL that accepts a POST (the rows of the matrix).

The matrix sends each POST with the token as the form field, as a plain form does. Here
the first persona whose POST succeeds sends it again without any token (refused with
403, nothing stored) and with the token only in the ``X-CSRFToken`` header, as htmx
sends it from ``hx-headers`` on ``<body>`` (accepted, the same outcome as the form).
"""

import pytest
from django.test import Client
from django.urls import reverse

from .conftest import rolled_back
from .test_authorization_matrix import LOGIN, PERSONAS, ROWS, check, success

pytestmark = pytest.mark.django_db

POSTS = [row for row in ROWS if any(success(outcome) for outcome in row.post)]


def test_every_url_that_takes_a_post_is_here():
    """Each URL where a POST is answered with more than 405 has a persona who may post
    (a row that answers every persona 404, such as a single sign-on of an organisation
    without one, has nothing a forged request could do)."""
    takes_posts = {
        row.name
        for row in ROWS
        # 401: the REST API and SCIM, which take bearer tokens and never a cookie.
        if any(outcome not in (405, LOGIN, 401) for outcome in row.post)
        and any(outcome != 404 for outcome in row.post)
    }
    answerer = {row.name for row in ROWS if row.answerer and success(row.answerer[1])}
    assert takes_posts == {row.name for row in POSTS} | answerer


@pytest.mark.parametrize("row", POSTS, ids=lambda row: row.id)
def test_post_needs_the_csrf_token_as_field_or_header(row, objects, browsers):
    persona, expected = next(
        (persona, outcome)
        for persona, outcome in zip(PERSONAS, row.post, strict=True)
        if success(outcome)
    )
    browser = browsers[persona]
    problems = check(row, "POST", persona, 403, objects, browser, csrf="none")
    problems += check(row, "POST", persona, expected, objects, browser, csrf="header")
    assert not problems, "\n".join(problems)


def test_a_token_from_another_browser_is_refused(objects, browsers):
    """The token belongs to the browser's cookie: someone else's token is no good."""
    client, _token = browsers["employee"]
    _other_client, other_token = browsers["manager"]
    url = reverse("conversations:conversation-agenda-add", args=[objects.conversation.uuid])
    with rolled_back(client):
        response = client.post(
            url, {"text": "Ingeschoven", "csrfmiddlewaretoken": "x" * 64}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 403
        response = client.post(url, {"text": "Ingeschoven"}, HTTP_X_CSRFTOKEN=other_token)
        assert response.status_code == 403
        assert not objects.conversation.agenda_items.filter(text="Ingeschoven").exists()


def test_a_cross_site_form_cannot_sign_in(objects):
    """Without the sign-in page's cookie and token a posted sign-in is refused."""
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        reverse("login"), {"username": objects.world.employee.email, "password": "x"}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    "row", [row for row in ROWS if row.answerer and success(row.answerer[1])], ids=lambda r: r.id
)
def test_the_answerers_posts_need_the_csrf_token(row, objects, browsers):
    """The feedback answerer's own POSTs (answering, declining) check the token too."""
    browser = browsers["answerer"]
    problems = check(row, "POST", "answerer", 403, objects, browser, csrf="none")
    problems += check(row, "POST", "answerer", row.answerer[1], objects, browser, csrf="header")
    assert not problems, "\n".join(problems)
