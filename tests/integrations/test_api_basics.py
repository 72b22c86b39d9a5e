"""The API's contract: tokens, scopes, tenancy, problems, cursors, versions, limits."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from integrations.services import api_client_revoke
from people.models import ApiClient, AuditEvent, User
from tests.factories import UserFactory

from .conftest import Api, make_token

pytestmark = pytest.mark.django_db


def test_without_a_token_the_answer_is_a_problem_401(world):
    response = Api(None).get("/people")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["status"] == 401


def test_a_wrong_or_revoked_token_is_refused(world):
    assert Api("pop_not-a-token").get("/people").status_code == 401
    token = make_token(world)
    assert Api(token).get("/people").status_code == 200
    api_client_revoke(client=ApiClient.objects.get(name="HRIS"), by=world.hr)
    assert Api(token).get("/people").status_code == 401


def test_a_token_without_the_scope_gets_403_in_the_clients_language(world):
    token = make_token(world, scopes=["goals:read"])
    english = Api(token, language="en-GB,en;q=0.8").get("/people")
    assert english.status_code == 403
    assert english.json()["detail"] == "This client lacks the scope people:read."
    assert english["Content-Language"] == "en"
    dutch = Api(token, language="nl-BE").get("/people").json()
    assert dutch["detail"] == "Deze koppeling mist de bevoegdheid people:read."


def test_calls_only_from_the_allowed_addresses(world):
    token = make_token(world, networks="203.0.113.0/24")
    refused = Api(token).get("/people")  # the test client calls from 127.0.0.1
    assert refused.status_code == 403
    assert Api(make_token(world, networks="127.0.0.0/8")).get("/people").status_code == 200


def test_people_of_the_clients_organisation_only(world, api):
    ids = {row["id"] for row in api.get("/people").json()["items"]}
    assert str(world.employee.uuid) in ids
    assert str(world.other_employee.uuid) not in ids
    assert api.get(f"/people/{world.other_employee.uuid}").status_code == 404
    assert api.get(f"/people/{world.employee.uuid}").json()["email"] == "employee@zorg.test"


def test_the_cursor_walks_every_person_once_also_with_equal_change_times(world, api):
    for number in range(7):
        UserFactory(organisation=world.organisation, email=f"p{number}@zorg.test")
    moment = timezone.now()
    User.objects.filter(organisation=world.organisation).update(updated_at=moment)
    seen, cursor, pages = [], None, 0
    while True:
        page = api.get("/people", {"limit": 3, **({"cursor": cursor} if cursor else {})}).json()
        seen += [row["id"] for row in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (
        len(seen) == len(set(seen)) == User.objects.filter(organisation=world.organisation).count()
    )
    assert pages == 4


def test_updated_since_returns_what_changed(world, api):
    since = timezone.now()
    world.colleague.job_title = "Teamcoach"
    world.colleague.save(update_fields=["job_title"])
    world.employee.language = "en"  # not something the API shows: no change
    world.employee.save(update_fields=["language"])
    rows = api.get("/people", {"updated_since": since.isoformat()}).json()["items"]
    assert [row["email"] for row in rows] == ["colleague@zorg.test"]
    assert api.get("/people", {"cursor": "nonsense"}).status_code == 400


def test_every_call_is_in_the_audit_trail_with_its_client(world, api):
    api.get("/people")
    api.get(f"/people/{world.employee.uuid}")
    events = AuditEvent.objects.filter(object_type="api_call").order_by("id")
    assert [event.summary for event in events] == [
        "GET api/v1/people",
        "GET api/v1/people/<person_id>",
    ]
    assert {event.api_client.name for event in events} == {"HRIS"}
    assert all(event.actor_id is None and event.ip_address == "127.0.0.1" for event in events)


def test_a_client_past_its_rate_limit_waits(world, settings):
    settings.API_RATE_LIMIT = 3
    api = Api(make_token(world))
    answers = [api.get("/units").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    limited = api.get("/units")
    assert 1 <= int(limited["Retry-After"]) <= settings.API_RATE_WINDOW
    assert limited["Content-Type"] == "application/problem+json"


def test_last_used_is_recorded(world, api):
    api.get("/units")
    client = ApiClient.objects.get(name="HRIS")
    assert client.last_used_at is not None
    assert timezone.now() - client.last_used_at < datetime.timedelta(minutes=1)


def test_hr_reads_the_clients_calls_in_the_audit_trail(world, api):
    from django.urls import reverse

    from tests.conftest import client_for

    api.get("/people")
    page = client_for(world.hr).get(reverse("people:audit-log")).content.decode()
    assert "API-koppeling HRIS" in page and "GET api/v1/people" in page


def test_any_offset_in_updated_since_is_read_and_a_moment_out_of_range_refused(world, api):
    """Found by schemathesis: PostgreSQL refuses offsets past ±15:59, ISO 8601 allows ±18."""
    assert api.get("/people", {"updated_since": "0779-05-07T00:23:26+17:47"}).status_code == 200
    far = api.get("/people", {"updated_since": "0001-01-01T00:00:00+17:47"})
    assert far.status_code == 400 and far["Content-Type"] == "application/problem+json"
