"""The API's resources: people and unit writes under HR's rules, goals with If-Match,
plans and conversations without anything private, alignment with small groups hidden."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from goals.models import Goal
from people.models import AuditEvent, OrgUnit, User
from tests.conftest import client_for
from tests.conversations.conftest import (
    EMPLOYEE_ANSWER,
    EMPLOYEE_PRIVATE,
    MANAGER_ANSWER,
    MANAGER_PRIVATE,
    SHARED,
)
from tests.plans.conftest import EMPLOYEE_NOTE, MANAGER_NOTE

pytestmark = pytest.mark.django_db


def test_a_person_is_added_changed_and_deactivated_with_their_version(world, api):
    made = api.send(
        "POST",
        "/people",
        {
            "email": "Nieuw@Zorg.test",
            "full_name": "Noor Nieuw",
            "unit_id": str(world.team.uuid),
            "line_manager_id": str(world.manager.uuid),
            "external_id": "AFAS-1001",
        },
    )
    assert made.status_code == 201, made.content
    person = User.objects.get(email="nieuw@zorg.test")
    assert (person.unit, person.line_manager, person.language) == (world.team, world.manager, "nl")
    etag = made["ETag"]
    changed = api.send(
        "PATCH", f"/people/{person.uuid}", {"job_title": "Zorgcoördinator"}, HTTP_IF_MATCH=etag
    )
    assert changed.status_code == 200 and changed.json()["job_title"] == "Zorgcoördinator"
    # Someone (HR, on the site) saved meanwhile: the old version gets 412 and the row now.
    person.refresh_from_db()
    person.full_name = "Noor de Nieuwe"
    person.save(update_fields=["full_name"])
    stale = api.send(
        "PATCH",
        f"/people/{person.uuid}",
        {"job_title": "Teamleider"},
        HTTP_IF_MATCH=changed["ETag"],
    )
    assert stale.status_code == 412
    assert stale.json()["current"]["full_name"] == "Noor de Nieuwe"
    assert stale.json()["current"]["job_title"] == "Zorgcoördinator"
    person.refresh_from_db()
    assert person.job_title == "Zorgcoördinator"  # nothing overwritten
    assert api.send("PATCH", f"/people/{person.uuid}", {"job_title": "X"}).status_code == 428
    gone = api.send("POST", f"/people/{person.uuid}/deactivate", HTTP_IF_MATCH=stale["ETag"])
    assert gone.status_code == 200 and gone.json()["active"] is False
    assert (
        AuditEvent.objects.filter(
            subject=person, api_client__name="HRIS", object_type="person"
        ).count()
        == 3
    )


def test_people_writes_follow_hrs_rules(world, api):
    etag = api.get(f"/people/{world.manager.uuid}")["ETag"]
    loop = api.send(
        "PATCH",
        f"/people/{world.manager.uuid}",
        {"line_manager_id": str(world.employee.uuid)},
        HTTP_IF_MATCH=etag,
    )
    assert loop.status_code == 422
    assert "rondlopen" in loop.json()["detail"]
    taken = api.send("POST", "/people", {"email": "employee@zorg.test", "full_name": "Dubbel"})
    assert taken.status_code == 422
    elsewhere = api.send(
        "POST",
        "/people",
        {"email": "x@zorg.test", "full_name": "X", "unit_id": str(world.other_employee.unit.uuid)},
    )
    assert elsewhere.status_code == 404  # another organisation's unit does not exist here
    assert not User.objects.filter(email="x@zorg.test").exists()


def test_units_are_added_moved_and_removed(world, api):
    made = api.send(
        "POST", "/units", {"name": "Wijkteam Oost", "parent_id": str(world.department.uuid)}
    )
    assert made.status_code == 201
    unit = OrgUnit.objects.get(name="Wijkteam Oost")
    under_itself = api.send(
        "PATCH",
        f"/units/{world.department.uuid}",
        {"parent_id": str(unit.uuid)},
        HTTP_IF_MATCH=api.get(f"/units/{world.department.uuid}")["ETag"],
    )
    assert under_itself.status_code == 422
    assert api.send("DELETE", f"/units/{unit.uuid}", HTTP_IF_MATCH=made["ETag"]).status_code == 204
    assert not OrgUnit.objects.filter(pk=unit.pk).exists()
    busy = api.send(
        "DELETE",
        f"/units/{world.team.uuid}",
        HTTP_IF_MATCH=api.get(f"/units/{world.team.uuid}")["ETag"],
    )
    assert busy.status_code == 422


def test_goals_show_what_hr_sees_and_change_with_their_version(world, api, cascade):
    ids = {row["id"] for row in api.get("/goals").json()["items"]}
    assert str(cascade.team_goal.uuid) in ids and str(cascade.org_goal.uuid) in ids
    for private in (cascade.employee_goal, cascade.proposal, cascade.draft, cascade.elsewhere_goal):
        assert str(private.uuid) not in ids
        assert api.get(f"/goals/{private.uuid}").status_code == 404
    read = api.get(f"/goals/{cascade.team_goal.uuid}")
    changed = api.send(
        "PATCH",
        f"/goals/{cascade.team_goal.uuid}",
        {"status": "achieved"},
        HTTP_IF_MATCH=read["ETag"],
    )
    assert changed.status_code == 200 and changed.json()["status"] == "achieved"
    again = api.send(
        "PATCH", f"/goals/{cascade.team_goal.uuid}", {"title": "Oud"}, HTTP_IF_MATCH=read["ETag"]
    )
    assert again.status_code == 412 and again.json()["current"]["status"] == "achieved"
    org = api.get(f"/goals/{cascade.org_goal.uuid}")
    refused = api.send(
        "PATCH", f"/goals/{cascade.org_goal.uuid}", {"title": "X"}, HTTP_IF_MATCH=org["ETag"]
    )
    assert refused.status_code == 403


def test_a_client_adds_a_team_goal_a_draft_for_an_employee_and_a_check_in(world, api, cascade):
    team = api.send(
        "POST",
        "/goals",
        {
            "level": "team",
            "owner_unit_id": str(world.team.uuid),
            "parent_id": str(cascade.org_goal.uuid),
            "title": "Tien collega's getraind in tilhulpmiddelen",
            "metric": "number",
            "start_value": "0",
            "target_value": "10",
        },
    )
    assert team.status_code == 201, team.content
    goal = Goal.objects.get(uuid=team.json()["id"])
    assert (goal.status, goal.owner_unit, goal.created_by) == ("active", world.team, None)
    check_in = api.send("POST", f"/goals/{goal.uuid}/check-ins", {"value": "4", "confidence": 7})
    assert check_in.status_code == 201
    goal.refresh_from_db()
    assert goal.current_value == 4
    draft = api.send(
        "POST",
        "/goals",
        {
            "level": "individual",
            "owner_person_id": str(world.employee.uuid),
            "parent_id": str(goal.uuid),
            "title": "Cursus tilhulp",
        },
    )
    assert draft.status_code == 201
    made = Goal.objects.get(uuid=draft.json()["id"])
    assert (made.status, made.owner_person) == ("draft", world.employee)  # she proposes it
    assert AuditEvent.objects.filter(
        subject=world.employee, object_type="goal", api_client__isnull=False
    ).exists()


def test_plans_without_ambitions_comments_or_private_notes_and_each_read_audited(world, api, pop):
    listed = api.get("/plans")
    text = listed.content.decode()
    row = listed.json()["items"][0]
    assert row["employee_id"] == str(world.employee.uuid)
    assert (
        row["budget_used"] == "150.00" and row["gaps"][0]["competency"] == "Digitale vaardigheden"
    )
    assert row["actions"][0]["title"] == "E-learning beeldzorg"
    for private in (
        EMPLOYEE_NOTE,
        MANAGER_NOTE,
        "Goed plan!",
        "Groeien naar",
        "Beeldzorg is de toekomst",
    ):
        assert private not in text
    reads = AuditEvent.objects.filter(
        object_type="development_plan", action="read", subject=world.employee
    )
    assert reads.count() == 1 and reads.get().api_client.name == "HRIS"


def test_conversations_without_notes_or_preparation(world, api, held):
    listed = api.get("/conversations")
    text = listed.content.decode()
    row = listed.json()["items"][0]
    assert row["status"] == "held" and row["kind"] == "development"
    assert sorted(a["text"] for a in row["agreements"]) == [
        "Jeroen regelt een buddy",
        "Sanne volgt de opleiding beeldzorg",
    ]
    for private in (
        EMPLOYEE_PRIVATE,
        MANAGER_PRIVATE,
        EMPLOYEE_ANSWER,
        MANAGER_ANSWER,
        SHARED,
        "Werkdruk",
        "Kamer 2.14",
    ):
        assert json.dumps(private)[1:-1] not in text and private not in text
    assert (
        AuditEvent.objects.filter(
            object_type="conversation", action="read", api_client__isnull=False
        ).count()
        == 1
    )


def test_alignment_gives_the_figures_of_hrs_csv(world, api, pop):
    """The same figures as HR's page and CSV, so the same small-group rules (proven on
    the CSV by tests/dashboards/test_small_groups.py)."""
    body = api.get("/alignment").json()
    assert body["min_group_size"] == 5
    export = client_for(world.hr).get(reverse("dashboards:alignment-csv")).content.decode()
    lines = list(csv.reader(io.StringIO(export.lstrip("\ufeff")), delimiter=";"))
    for table in body["tables"]:
        start = lines.index([table["title"]])
        assert lines[start + 1] == table["columns"]
        shown = [*table["rows"], *([table["total"]] if table["total"] else [])]
        for number, row in enumerate(shown, start=start + 2):
            assert len(lines[number]) == len(row)
            for cell, text in zip(row, lines[number], strict=True):
                expected = str(cell["value"]) if cell["value"] is not None else ""
                assert _number_or_text(text) == expected, (table["key"], text, cell)


def _number_or_text(text: str) -> str:
    """A CSV cell as the API gives it: its number with a decimal point, else the text."""
    head = text.split(" ", 1)[0].replace(",", ".")
    return head if head.replace(".", "").isdigit() else text
