"""SCIM 2.0 as Microsoft Entra ID uses it: the request sequences it sends when it
provisions, updates, disables and removes a user and a group, replayed against /scim/v2/.

Source of the requests: Microsoft Learn, "Tutorial: Develop and plan provisioning for a
SCIM endpoint in Microsoft Entra ID" (use-scim-to-provision-users-and-groups), section
"Understand the Microsoft Entra SCIM implementation", the request examples under "User
Operations" (Create User, Get User, Get User by query, Get User by query - Zero results,
Update User [Multi-valued properties], Update User [Single-valued properties], Disable
User, Delete User) and "Group Operations" (Create Group, Get Group, Get Group by
displayName, Update Group [Non-member attributes], Update Group [Add Members], Update
Group [Remove Members], Delete Group); and "Known issues and resolutions with SCIM 2.0
protocol compliance of the Microsoft Entra user provisioning service" (PATCH without a
path, booleans sent as the strings "True"/"False", the manager reference). The bodies are
Microsoft's, with two changes: the ids of our resources replace the sample ids (a
provider always sends back the id we gave), and userName is an e-mail address (Entra maps
userPrincipalName to it by default; it is the sign-in address here).
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from integrations.services import api_client_create
from people.models import ApiClient, AuditEvent, OrgUnit, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"


class Scim:
    def __init__(self, token: str) -> None:
        self.client, self.token = Client(), token

    def __call__(self, method: str, path: str, body: dict | None = None, **params):
        call = getattr(self.client, method.lower())
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}
        url = f"/scim/v2{path}"
        if body is None:
            response = call(url, params, **headers) if method == "GET" else call(url, **headers)
        else:
            response = call(url, data=json.dumps(body), content_type=SCIM, **headers)
        if response.content:
            assert response["Content-Type"] == SCIM
        return response


@pytest.fixture
def scim(world) -> Scim:
    _client, token = api_client_create(
        organisation=world.organisation, by=world.hr, name="Entra ID", scopes=[], kind="scim"
    )
    return Scim(token)


def patch(*operations: dict) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": list(operations),
    }


CREATE_USER = {
    "schemas": [
        "urn:ietf:params:scim:schemas:core:2.0:User",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
    ],
    "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1@zorg.test",
    "active": True,
    "emails": [
        {
            "primary": True,
            "type": "work",
            "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com",
        }
    ],
    "meta": {"resourceType": "User"},
    "name": {
        "formatted": "givenName familyName",
        "familyName": "familyName",
        "givenName": "givenName",
    },
    "roles": [],
}


def test_entra_provisions_updates_disables_and_removes_a_user(world, scim, client):
    # Create User
    created = scim("POST", "/Users", CREATE_USER)
    assert created.status_code == 201
    user = created.json()
    person = User.objects.get(uuid=user["id"])
    assert (person.email, person.full_name, person.external_id) == (
        "test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1@zorg.test",
        "givenName familyName",
        "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
    )
    assert person.organisation == world.organisation and person.is_active
    assert created["Location"].endswith(f"/scim/v2/Users/{person.uuid}")
    # Get User
    assert scim("GET", f"/Users/{person.uuid}").json()["userName"] == person.email
    # Get User by query
    found = scim("GET", "/Users", filter=f'userName eq "{CREATE_USER["userName"]}"').json()
    assert found["totalResults"] == 1 and found["Resources"][0]["id"] == str(person.uuid)
    by_external = scim(
        "GET", "/Users", filter='externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"'
    )
    assert by_external.json()["totalResults"] == 1
    # Get User by query - Zero results
    none = scim("GET", "/Users", filter='userName eq "non-existent user"').json()
    assert none["totalResults"] == 0 and none["Resources"] == []
    # Update User [Multi-valued properties]
    updated = scim(
        "PATCH",
        f"/Users/{person.uuid}",
        patch(
            {
                "op": "Replace",
                "path": 'emails[type eq "work"].value',
                "value": "updatedEmail@microsoft.com",
            },
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"},
        ),
    )
    assert updated.status_code == 200
    person.refresh_from_db()
    assert person.full_name == "givenName updatedFamilyName"
    # Update User [Single-valued properties]
    renamed = scim(
        "PATCH",
        f"/Users/{person.uuid}",
        patch(
            {
                "op": "Replace",
                "path": "userName",
                "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com",
            }
        ),
    )
    assert renamed.json()["userName"] == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
    # The enterprise extension: manager and department.
    managed = scim(
        "PATCH",
        f"/Users/{person.uuid}",
        patch(
            {
                "op": "Add",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                "value": str(world.manager.uuid),
            },
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department",
                "value": "Wijkteam Noord",
            },
        ),
    ).json()
    person.refresh_from_db()
    assert person.line_manager == world.manager and person.unit == world.team
    extension = managed["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]
    assert extension["manager"]["value"] == str(world.manager.uuid)
    assert extension["department"] == "Wijkteam Noord"
    # The person signs in (a session), then Entra disables them: Disable User.
    client.force_login(person)
    assert client.get("/").status_code == 200
    disabled = scim(
        "PATCH", f"/Users/{person.uuid}", patch({"op": "Replace", "path": "active", "value": False})
    )
    assert disabled.json()["active"] is False
    person.refresh_from_db()
    assert not person.is_active
    assert client.get("/").status_code == 302  # their session ended
    # Delete User: people are never deleted here (their plan and audit trail stay).
    assert scim("DELETE", f"/Users/{person.uuid}").status_code == 204
    assert User.objects.filter(pk=person.pk, is_active=False).exists()
    events = AuditEvent.objects.filter(subject=person, api_client__name="Entra ID")
    assert {event.action for event in events} >= {"create", "change"}


def test_entras_other_patch_shapes(world, scim):
    """Without a path (an object of attributes) and with booleans as strings."""
    person = world.colleague
    scim("PATCH", f"/Users/{person.uuid}", patch({"op": "replace", "value": {"active": False}}))
    person.refresh_from_db()
    assert not person.is_active
    scim(
        "PATCH",
        f"/Users/{person.uuid}",
        patch({"op": "Replace", "path": "active", "value": "True"}),
    )
    person.refresh_from_db()
    assert person.is_active
    scim(
        "PATCH",
        f"/Users/{person.uuid}",
        patch({"op": "replace", "value": {"displayName": "Daan de Visser", "title": "Teamcoach"}}),
    )
    person.refresh_from_db()
    assert (person.full_name, person.job_title) == ("Daan de Visser", "Teamcoach")


def test_entra_provisions_updates_and_removes_a_group(world, scim):
    # Create Group
    created = scim(
        "POST",
        "/Groups",
        {
            "schemas": [
                "urn:ietf:params:scim:schemas:core:2.0:Group",
                "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group",
            ],
            "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
            "displayName": "displayName",
            "meta": {"resourceType": "Group"},
        },
    )
    assert created.status_code == 201
    group = created.json()
    unit = OrgUnit.objects.get(uuid=group["id"])
    assert (unit.organisation, unit.name, unit.external_id) == (
        world.organisation,
        "displayName",
        "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
    )
    # Get Group
    got = scim("GET", f"/Groups/{unit.uuid}", excludedAttributes="members").json()
    assert got["displayName"] == "displayName" and "members" not in got
    # Get Group by displayName
    found = scim(
        "GET", "/Groups", excludedAttributes="members", filter='displayName eq "displayName"'
    )
    assert found.json()["totalResults"] == 1
    # Update Group [Non-member attributes]
    renamed = scim(
        "PATCH",
        f"/Groups/{unit.uuid}",
        patch(
            {
                "op": "Replace",
                "path": "displayName",
                "value": "1879db59-3bdf-4490-ad68-ab880a2694471",
            }
        ),
    )
    assert renamed.status_code in (200, 204)
    unit.refresh_from_db()
    assert unit.name == "1879db59-3bdf-4490-ad68-ab880a2694471"
    # Update Group [Add Members]
    member = world.colleague
    added = scim(
        "PATCH",
        f"/Groups/{unit.uuid}",
        patch(
            {"op": "Add", "path": "members", "value": [{"$ref": None, "value": str(member.uuid)}]}
        ),
    )
    assert added.status_code in (200, 204)
    member.refresh_from_db()
    assert member.unit == unit
    members = scim("GET", f"/Groups/{unit.uuid}").json()["members"]
    assert [row["value"] for row in members] == [str(member.uuid)]
    # Update Group [Remove Members]
    scim(
        "PATCH",
        f"/Groups/{unit.uuid}",
        patch(
            {
                "op": "Remove",
                "path": "members",
                "value": [{"$ref": None, "value": str(member.uuid)}],
            }
        ),
    )
    member.refresh_from_db()
    assert member.unit is None
    # Delete Group
    assert scim("DELETE", f"/Groups/{unit.uuid}").status_code == 204
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()


def test_the_rules_of_hrs_pages_hold_for_scim(world, scim):
    # No loops of managers: the manager's manager cannot report to their own report.
    loop = scim(
        "PATCH",
        f"/Users/{world.manager.uuid}",
        patch(
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                "value": {"value": str(world.employee.uuid)},
            }
        ),
    )
    assert loop.status_code == 400
    assert "rondlopen" in loop.json()["detail"]  # in Dutch, the organisation's language
    world.manager.refresh_from_db()
    assert world.manager.line_manager is None
    # One account per e-mail address: 409 uniqueness.
    taken = scim(
        "POST", "/Users", {**CREATE_USER, "userName": "employee@zorg.test", "externalId": "x"}
    )
    assert taken.status_code == 409 and taken.json()["scimType"] == "uniqueness"
    # Not an e-mail address: refused, with the reason.
    odd = scim("POST", "/Users", {**CREATE_USER, "userName": "Test_User_without_domain"})
    assert odd.status_code == 400


def test_another_organisation_is_never_reached(world, scim):
    elsewhere = world.other_employee
    assert scim("GET", f"/Users/{elsewhere.uuid}").status_code == 404
    assert (
        scim("GET", "/Users", filter=f'userName eq "{elsewhere.email}"').json()["totalResults"] == 0
    )
    gone = scim(
        "PATCH",
        f"/Users/{elsewhere.uuid}",
        patch({"op": "Replace", "path": "active", "value": False}),
    )
    assert gone.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.is_active
    listed = {row["id"] for row in scim("GET", "/Users").json()["Resources"]}
    assert str(world.employee.uuid) in listed and str(elsewhere.uuid) not in listed


def test_tokens_and_discovery(world, scim):
    assert Scim("pop_wrong")("GET", "/Users").status_code == 401
    api_token = api_client_create(
        organisation=world.organisation, by=world.hr, name="HRIS", scopes=["people:read"]
    )[1]
    assert Scim(api_token)("GET", "/Users").status_code == 401  # an API token is not a SCIM token
    config = scim("GET", "/ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    types = {row["id"] for row in scim("GET", "/ResourceTypes").json()["Resources"]}
    assert types == {"User", "Group"}
    schemas = {row["id"] for row in scim("GET", "/Schemas").json()["Resources"]}
    assert "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User" in schemas
    bad = scim("GET", "/Users", filter='title co "x"')
    assert bad.status_code == 400 and bad.json()["scimType"] == "invalidFilter"
    assert scim("GET", "/Users", filter='id eq "not-an-id"').json()["totalResults"] == 0
    # A new SCIM token replaces the old one at once.
    _client, newer = api_client_create(
        organisation=world.organisation, by=world.hr, name="Entra ID", scopes=[], kind="scim"
    )
    assert scim("GET", "/Users").status_code == 401
    assert Scim(newer)("GET", "/Users").status_code == 200
    assert ApiClient.objects.filter(kind="scim", revoked_at__isnull=True).count() == 1


def test_a_manager_of_another_organisation_is_refused(world, scim):
    UserFactory(organisation=world.other_organisation, email="baas@elders.test")
    refused = scim(
        "PATCH",
        f"/Users/{world.employee.uuid}",
        patch(
            {
                "op": "Replace",
                "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager",
                "value": str(world.other_hr.uuid),
            }
        ),
    )
    assert refused.status_code == 400
    world.employee.refresh_from_db()
    assert world.employee.line_manager == world.manager
