"""No data crosses organisations; the admin is scoped; audit events are append-only."""

import pytest
from django.http import Http404
from django.urls import reverse

from people.access import people_visible_to, person_get_for_user, roles_for
from people.models import AuditEvent
from people.services import audit_record


def test_people_visible_to_each_persona(world):
    assert set(people_visible_to(world.employee)) == {world.employee}
    assert set(people_visible_to(world.manager)) == {
        world.manager,
        world.employee,
        world.colleague,
    }
    hr_sees = set(people_visible_to(world.hr))
    assert world.employee in hr_sees and world.other_employee not in hr_sees
    assert set(people_visible_to(world.other_hr)) == {world.other_hr, world.other_employee}


def test_person_get_for_user_hides_outsiders_and_forbids_writes(world):
    from django.core.exceptions import PermissionDenied

    assert person_get_for_user(user=world.manager, person_uuid=world.employee.uuid)
    with pytest.raises(Http404):
        person_get_for_user(user=world.colleague, person_uuid=world.employee.uuid)
    with pytest.raises(Http404):
        person_get_for_user(user=world.other_hr, person_uuid=world.employee.uuid)
    with pytest.raises(PermissionDenied):
        person_get_for_user(user=world.hr, person_uuid=world.employee.uuid, write=True)


def test_roles_are_derived(world):
    assert roles_for(world.employee).manager is False
    assert roles_for(world.manager).manager is True
    assert roles_for(world.other_manager).manager is True  # manages a unit
    assert roles_for(world.hr).hr is True


@pytest.fixture
def org_staff(world):
    world.hr.is_staff = True
    world.hr.save()
    from django.contrib.auth.models import Permission

    world.hr.user_permissions.set(Permission.objects.filter(content_type__app_label="people"))
    return world.hr


def test_admin_shows_staff_only_their_own_organisation(world, org_staff, as_user):
    client = as_user(org_staff)
    html = client.get(reverse("admin:people_user_changelist")).content.decode()
    assert world.employee.email in html
    assert world.other_employee.email not in html
    other = reverse("admin:people_user_change", args=[world.other_employee.pk])
    assert client.get(other).status_code == 302  # admin: "does not exist" -> changelist


def test_admin_hides_superuser_switches_from_organisation_staff(world, org_staff, as_user):
    html = (
        as_user(org_staff)
        .get(reverse("admin:people_user_change", args=[world.employee.pk]))
        .content.decode()
    )
    assert 'name="is_superuser"' not in html
    assert 'name="is_hr"' in html


def test_audit_events_are_append_only(world):
    event = audit_record(
        actor=world.hr,
        action=AuditEvent.Action.READ,
        object_type="plan",
        subject=world.employee,
    )
    assert event.organisation == world.organisation
    event.summary = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_audit_events_cannot_be_changed_in_the_admin(world, as_user):
    from people.models import User

    admin = User.objects.create_superuser(
        email="root@platform.test", password="x", full_name="Root"
    )
    event = audit_record(actor=world.hr, action="read", object_type="plan", subject=world.employee)
    client = as_user(admin)
    assert client.get(reverse("admin:people_auditevent_add")).status_code == 403
    change = client.get(reverse("admin:people_auditevent_change", args=[event.pk]))
    assert 'name="summary"' not in change.content.decode()
    assert (
        client.post(reverse("admin:people_auditevent_delete", args=[event.pk])).status_code == 403
    )


def test_admin_shows_a_notification_that_could_not_be_emailed(world, org_staff, as_user):
    from django.utils import timezone

    from tests.factories import OutgoingMessageFactory

    failed = OutgoingMessageFactory(
        recipient=world.employee,
        title="Gesprek gepland",
        attempts=6,
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
        failed_at=timezone.now(),
    )
    OutgoingMessageFactory(
        recipient=world.colleague, title="Doel goedgekeurd", sent_at=timezone.now()
    )
    client = as_user(org_staff)
    changelist = reverse("admin:people_outgoingmessage_changelist")
    not_emailed = client.get(changelist, {"state": "failed"}).content.decode()
    assert "Gesprek gepland" in not_emailed
    assert "Doel goedgekeurd" not in not_emailed
    change = client.get(reverse("admin:people_outgoingmessage_change", args=[failed.pk]))
    html = change.content.decode()
    assert "ConnectionRefusedError: [Errno 111] Connection refused" in html
    assert '<div class="readonly">6</div>' in html  # attempts
    # Staff cannot edit the delivery record.
    assert 'name="last_error"' not in html
    assert 'name="attempts"' not in html
