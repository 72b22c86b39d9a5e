"""HR runs the organisation in the app: units, people, deactivation, the people list.

(Who may open these pages is in the authorisation matrix; the people file in
test_people_file.py; invitations in test_invitations.py.)
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import AuditEvent, Invitation, OrgUnit, OutgoingMessage, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(message) for message in response.context["messages"])


# --- Units --------------------------------------------------------------------------------


def test_hr_adds_renames_moves_and_removes_units(world, as_user):
    client = as_user(world.hr)
    response = client.post(
        reverse("people:unit-list"),
        {"name": "Team West", "kind": "team", "parent": world.department.pk, "manager": ""},
        follow=True,
    )
    assert "Team West is toegevoegd." in _messages(response)
    west = OrgUnit.objects.get(name="Team West")
    assert (west.organisation, west.parent) == (world.organisation, world.department)
    assert "Team West" in response.content.decode()

    edit = reverse("people:unit-edit", args=[west.uuid])
    client.post(
        edit,
        {
            "name": "Team West-Betuwe",
            "kind": "team",
            "parent": "",
            "manager": "COLLEAGUE@zorg.test",
        },
    )
    west.refresh_from_db()
    assert (west.name, west.parent, west.manager) == ("Team West-Betuwe", None, world.colleague)
    client.post(edit, {"name": "Team West-Betuwe", "kind": "team", "parent": "", "manager": ""})
    west.refresh_from_db()
    assert west.manager is None

    client.post(reverse("people:unit-delete", args=[west.uuid]))
    assert not OrgUnit.objects.filter(pk=west.pk).exists()
    actions = list(
        AuditEvent.objects.filter(object_type="unit", object_id=str(west.uuid)).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["change", "change", "create", "delete"]


def test_a_unit_never_goes_under_itself_or_its_own_units(world, as_user):
    client = as_user(world.hr)
    edit = reverse("people:unit-edit", args=[world.department.uuid])
    page = client.get(edit).content.decode()
    # The choice is not even offered...
    assert f'value="{world.team.pk}"' not in page
    # ...and a tampered form is refused with a message.
    response = client.post(edit, {"name": "Zorg", "kind": "department", "parent": world.team.pk})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()
    world.department.refresh_from_db()
    assert world.department.parent is None


def test_a_unit_with_people_or_units_under_it_stays(world, as_user):
    client = as_user(world.hr)
    response = client.post(reverse("people:unit-delete", args=[world.team.uuid]), follow=True)
    assert "Er horen nog mensen bij deze afdeling of dit team." in _messages(response)
    response = client.post(reverse("people:unit-delete", args=[world.department.uuid]), follow=True)
    assert "Hieronder vallen nog afdelingen of teams." in _messages(response)
    assert OrgUnit.objects.filter(pk__in=[world.team.pk, world.department.pk]).count() == 2


def test_another_organisations_manager_cannot_be_set(world, as_user):
    client = as_user(world.hr)
    response = client.post(
        reverse("people:unit-edit", args=[world.team.uuid]),
        {"name": "Wijkteam Noord", "kind": "team", "manager": world.other_hr.email},
    )
    assert "Niemand in je organisatie heeft het actieve adres hr@elders.test." in (
        response.content.decode()
    )


# --- People -------------------------------------------------------------------------------


def _person(world, **changes) -> dict:
    return {
        "full_name": "Bram Peters",
        "email": "bram.peters@zorg.test",
        "job_title": "Helpende",
        "unit": world.team.pk,
        "line_manager": world.manager.email,
        "language": "en",
        "start_date": "2027-01-04",
        **changes,
    }


def test_hr_adds_a_person_who_gets_an_invitation_in_their_language(
    world, as_user, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.hr).post(
            reverse("people:person-add"), _person(world, invite="on"), follow=True
        )
    bram = User.objects.get(email="bram.peters@zorg.test")
    assert (bram.organisation, bram.unit, bram.line_manager, bram.language) == (
        world.organisation,
        world.team,
        world.manager,
        "en",
    )
    assert not bram.has_usable_password()
    assert "Bram Peters is toegevoegd en er is een uitnodiging onderweg." in _messages(response)
    assert [message.to for message in mail.outbox] == [["bram.peters@zorg.test"]]
    assert mail.outbox[0].subject == "Your invitation to POP Platform of Zorggroep Test"
    assert Invitation.objects.filter(person=bram).exists()
    assert OutgoingMessage.objects.get(kind="invitation", recipient=bram).sent_at is not None


def test_an_address_in_use_or_a_manager_loop_is_refused(world, as_user):
    client = as_user(world.hr)
    response = client.post(reverse("people:person-add"), _person(world, email="EMPLOYEE@zorg.test"))
    assert "Een ander account gebruikt dit e-mailadres al." in response.content.decode()
    # The manager reports to Sanne: making her his manager closes the loop.
    detail = reverse("people:person-detail", args=[world.manager.uuid])
    response = client.post(
        detail,
        _person(
            world,
            full_name=world.manager.full_name,
            email=world.manager.email,
            line_manager=world.employee.email,
        ),
    )
    world.manager.refresh_from_db()
    assert world.manager.line_manager is None
    response = client.post(
        reverse("people:person-detail", args=[world.employee.uuid]),
        _person(world, full_name="Sanne Jansen", email=world.employee.email, line_manager=""),
    )
    client.post(
        detail,
        _person(
            world,
            full_name=world.manager.full_name,
            email=world.manager.email,
            line_manager=world.colleague.email,
        ),
    )
    world.manager.refresh_from_db()
    assert world.manager.line_manager is None, "Daan reports to Jeroen: a loop"


def test_hr_edits_a_person_and_it_is_audited(world, as_user):
    client = as_user(world.hr)
    client.post(
        reverse("people:person-detail", args=[world.employee.uuid]),
        _person(
            world,
            full_name="Sanne Jansen-de Wit",
            email="Sanne.Jansen@zorg.test",
            is_hr="on",
            end_date="2027-12-31",
        ),
    )
    world.employee.refresh_from_db()
    assert world.employee.full_name == "Sanne Jansen-de Wit"
    assert world.employee.email == "sanne.jansen@zorg.test"
    assert world.employee.is_hr and str(world.employee.end_date) == "2027-12-31"
    event = AuditEvent.objects.get(subject=world.employee, object_type="person")
    assert (event.actor, event.action, event.summary) == (world.hr, "change", "hr")


def test_deactivating_ends_their_sessions_and_keeps_their_data(world, as_user, pop):
    sanne = as_user(world.employee)
    assert sanne.get(reverse("dashboards:home")).status_code == 200
    hr = as_user(world.hr)
    response = hr.post(
        reverse("people:person-active", args=[world.employee.uuid]), {"active": "0"}, follow=True
    )
    assert "Sanne Jansen staat op inactief." in _messages(response)
    response = sanne.get(reverse("dashboards:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    # Her plan stays for her manager.
    assert as_user(world.manager).get(pop.plan.get_absolute_url()).status_code == 200
    hr.post(reverse("people:person-active", args=[world.employee.uuid]), {"active": "1"})
    world.employee.refresh_from_db()
    assert world.employee.is_active
    assert (
        sanne.post(
            reverse("login"), {"username": world.employee.email, "password": PASSWORD}
        ).status_code
        == 302
    )


def test_hr_cannot_deactivate_themself(world, as_user):
    response = as_user(world.hr).post(
        reverse("people:person-active", args=[world.hr.uuid]), {"active": "0"}, follow=True
    )
    assert "Je kunt je eigen account niet op inactief zetten." in _messages(response)
    world.hr.refresh_from_db()
    assert world.hr.is_active


# --- The people list ----------------------------------------------------------------------


def _listed(client, **query) -> list[str]:
    response = client.get(reverse("people:person-list"), query)
    return [person.full_name for person, _state, _path in response.context["rows"]]


def test_the_list_filters_by_unit_role_status_and_invitation(world, as_user):
    client = as_user(world.hr)
    newcomer = UserFactory(organisation=world.organisation, unit=None, full_name="Nina Nieuw")
    gone = UserFactory(organisation=world.organisation, full_name="Oud Collega", is_active=False)
    Invitation.objects.create(person=world.colleague, expires_at="2000-01-01T00:00Z")
    everyone = _listed(client)
    assert "Lotte Mulder" not in everyone and "Oud Collega" not in everyone
    assert _listed(client, unit=world.department.pk) == sorted(
        [
            world.colleague.full_name,
            world.hr.full_name,
            world.manager.full_name,
            world.other_manager.full_name,
            world.employee.full_name,
        ]
    )  # the department with its teams
    assert _listed(client, role="manager") == ["Ilse Bakker", "Jeroen de Vries"]
    assert _listed(client, role="hr") == ["Fatima el Amrani"]
    assert _listed(client, status="to_place") == [newcomer.full_name]
    assert _listed(client, status="inactive") == [gone.full_name]
    assert _listed(client, invitation="expired") == ["Daan Visser"]
    assert "Daan Visser" not in _listed(client, invitation="never")
    assert _listed(client, q="JANSEN") == ["Sanne Jansen"]


@pytest.mark.parametrize("people", [3, 60])
def test_the_list_costs_the_same_queries_for_any_size(world, as_user, people, settings):
    for _number in range(people):
        person = UserFactory(organisation=world.organisation, unit=world.team)
        Invitation.objects.create(person=person, expires_at="2100-01-01T00:00Z")
    client = as_user(world.hr)
    client.get(reverse("people:person-list"))  # the session, warmed up
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("people:person-list"))
    assert response.status_code == 200
    assert len(response.context["rows"]) == min(
        50, people + 5
    )  # the world's five in this organisation
    assert len(queries) <= 12, "\n".join(query["sql"] for query in queries.captured_queries)
