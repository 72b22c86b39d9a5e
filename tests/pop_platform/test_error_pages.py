"""Refusals speak the person's language: 400, 403 and 404 have pages of their own
(Django's defaults are English), and they render even before sign-in or authentication."""

import uuid

from django.urls import reverse


def test_not_found_and_not_allowed_in_dutch(world, as_user):
    client = as_user(world.employee)
    missing = client.get(reverse("plans:plan-detail", args=[uuid.uuid4()]))
    assert missing.status_code == 404
    page = missing.content.decode()
    assert '<html lang="nl">' in page
    assert "Deze pagina bestaat niet, of je kunt hem niet zien." in page
    refused = client.post(reverse("goals:goal-create"), {"level": "organisation"})
    assert refused.status_code == 403
    assert "Dit kun je hier niet doen." in refused.content.decode()


def test_error_pages_follow_the_persons_language(world, as_user):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    response = as_user(world.employee).get(reverse("plans:plan-detail", args=[uuid.uuid4()]))
    assert "This page does not exist, or it is not shown to you." in response.content.decode()


def test_a_bad_request_before_authentication_still_gets_its_page(client, db):
    response = client.get(reverse("login"), HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "Er klopt iets niet in wat je browser stuurde." in response.content.decode()


def test_too_many_fields_is_a_bad_request_with_a_page(world, as_user, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"field{number}": "x" for number in range(20)}
    response = as_user(world.employee).post(reverse("goals:goal-create"), data)
    assert response.status_code == 400
    assert "Verzoek niet begrepen" in response.content.decode()


def test_a_post_without_a_valid_csrf_token_says_so_in_dutch(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.employee)
    response = client.post(reverse("people:notifications-read-all"))
    assert response.status_code == 403
    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert "De pagina was verlopen" in page
    assert "CSRF" not in page  # no jargon, no English default page


def test_an_unexpected_error_gets_a_page_in_the_persons_language(world):
    """Not a lost database (that is the 503 page): a plain 500, without details."""
    from django.db import ProgrammingError, connection
    from django.test import Client

    def broken(execute, sql, params, many, context):
        if "people_outgoingmessage" in sql:
            raise ProgrammingError("relation does not exist")
        return execute(sql, params, many, context)

    client = Client(raise_request_exception=False)
    client.force_login(world.employee)
    with connection.execute_wrapper(broken):
        response = client.get(reverse("people:inbox"))
    assert response.status_code == 500
    page = response.content.decode()
    assert '<html lang="nl">' in page
    assert "Er ging iets mis" in page
    assert "relation does not exist" not in page


def test_the_apps_own_404_page_in_demo_mode_too(world, as_user, settings):
    """Issue 16, item 15: with DEBUG on (the demo) HR opening a conversation link got
    Django's yellow technical page, listing the URL patterns. A developer can still ask
    for it."""
    from conversations.models import Conversation

    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_404 = False
    conversation = Conversation.objects.create(
        organisation=world.organisation,
        employee=world.employee,
        manager=world.manager,
        kind="check_in",
        status=Conversation.Status.REQUESTED,
    )
    client = as_user(world.hr)
    for url in (conversation.get_absolute_url(), "/bestaat/niet/"):
        response = client.get(url)
        assert response.status_code == 404
        page = response.content.decode()
        assert "Deze pagina bestaat niet, of je kunt hem niet zien." in page
        assert "URLconf" not in page and "Using the URLconf" not in page
    settings.DEBUG_TECHNICAL_404 = True
    assert "URLconf" in client.get("/bestaat/niet/").content.decode()
