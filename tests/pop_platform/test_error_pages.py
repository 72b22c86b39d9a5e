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
