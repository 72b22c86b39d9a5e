"""Audit events are append-only: in the model, in the admin, and (PostgreSQL) in the
database itself. What must still work: deleting an organisation, and anonymising a
person (their events stay)."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from people.models import AuditEvent, Organisation, User
from people.retention import people_anonymise
from people.services import audit_record, organisation_delete
from tests.conftest import require


@pytest.fixture
def event(world) -> AuditEvent:
    return audit_record(
        actor=world.hr,
        subject=world.employee,
        action=AuditEvent.Action.READ,
        object_type="development_plan",
        object_id="x",
    )


def test_the_model_refuses_update_and_delete(event):
    event.summary = "tampered"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).update(summary="tampered")
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


@pytest.fixture
def superuser(db) -> User:
    return User.objects.create_superuser(email="root@platform.test", password="x", full_name="Root")


def test_the_admin_has_no_add_change_delete_or_bulk_action(event, superuser, as_user):
    client = as_user(superuser)
    changelist = client.get(reverse("admin:people_auditevent_changelist")).content.decode()
    assert "Sanne Jansen" in changelist
    assert 'name="action"' not in changelist  # no actions, not even "delete selected"
    assert 'name="_selected_action"' not in changelist
    assert client.get(reverse("admin:people_auditevent_add")).status_code == 403
    change = client.get(reverse("admin:people_auditevent_change", args=[event.pk]))
    assert change.status_code == 200 and 'name="summary"' not in change.content.decode()
    delete = reverse("admin:people_auditevent_delete", args=[event.pk])
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:people_auditevent_changelist"),
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def _postgresql() -> None:
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE people_auditevent SET summary = 'tampered' WHERE id = %s",
        "UPDATE people_auditevent SET actor_id = NULL WHERE id = %s",
        "DELETE FROM people_auditevent WHERE id = %s",
    ],
)
def test_postgresql_refuses_update_and_delete_whatever_the_code(event, sql):
    _postgresql()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == ""


@pytest.mark.postgres
def test_postgresql_refuses_a_purge_for_another_organisation(world, event):
    """The way out is for one organisation in one transaction: not for the rest."""
    _postgresql()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "SELECT set_config('pop.audit_purge_organisation', %s, true)",
            [str(world.other_organisation.pk)],
        )
        cursor.execute("DELETE FROM people_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_deleting_an_organisation_deletes_its_trail_and_nothing_else(world, scenario, event):
    other = audit_record(
        actor=world.other_hr, subject=world.other_employee, action="read", object_type="plan"
    )
    organisation = world.organisation
    assert AuditEvent.objects.filter(organisation=organisation).count() > 1
    organisation_delete(organisation=organisation)
    assert not Organisation.objects.filter(pk=organisation.pk).exists()
    assert not AuditEvent.objects.filter(organisation_id=organisation.pk).exists()
    assert not User.objects.filter(organisation_id=organisation.pk).exists()
    assert AuditEvent.objects.filter(pk=other.pk).exists()
    if connection.vendor == "postgresql":  # the way out ended with the transaction
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM people_auditevent WHERE id = %s", [other.pk])


def test_the_admin_deletes_an_organisation_through_the_service(world, superuser, as_user):
    empty = Organisation.objects.create(name="Opgeheven Stichting")
    lone = User.objects.create_user(
        email="laatste@opgeheven.test", full_name="Laatste Medewerker", organisation=empty
    )
    audit_record(actor=lone, subject=lone, action="export", object_type="personal_data")
    User.objects.filter(pk=lone.pk).update(organisation=None)  # only its trail is left
    response = as_user(superuser).post(
        reverse("admin:people_organisation_delete", args=[empty.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not Organisation.objects.filter(pk=empty.pk).exists()


def test_a_person_with_audit_events_is_anonymised_not_deleted(world, event):
    with pytest.raises(ProtectedError):
        User.objects.get(pk=world.employee.pk).delete()
    people_anonymise(organisation=world.organisation, people=[world.employee], reason="command")
    event.refresh_from_db()
    assert event.subject_id == world.employee.pk  # the row and its link stay
    assert event.subject.full_name.startswith("Oud-medewerker")
    anonymised = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISE)
    assert anonymised.subject_id == world.employee.pk and anonymised.actor is None
    assert anonymised.occurred_at > event.occurred_at - datetime.timedelta(seconds=1)


def test_older_events_with_stored_text_show_no_content(world):
    """An event from before the codes held a goal's title; pages and exports never show
    such text (the data migration empties it in existing databases)."""
    from people import audit

    event = AuditEvent(
        organisation=world.organisation,
        actor=world.manager,
        subject=world.employee,
        action=AuditEvent.Action.CHANGE,
        object_type="goal",
        summary="Omgaan met mijn burn-out klachten",
    )
    assert audit.describe(event) == ("doel", "")
    event.summary = "approve"
    assert audit.describe(event) == ("doel", "goedgekeurd")
    event.object_type = "an-unknown-type"
    assert audit.describe(event)[1] == ""


def test_the_migration_empties_stored_goal_titles_and_keeps_the_trail_append_only(world):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("people.migrations.0005_audit_summaries_hold_codes_only")
    common = {
        "organisation": world.organisation,
        "actor": world.manager,
        "subject": world.employee,
        "action": AuditEvent.Action.CHANGE,
    }
    legacy, coded, read = AuditEvent.objects.bulk_create(
        [
            AuditEvent(object_type="goal", summary="Omgaan met mijn burn-out klachten", **common),
            AuditEvent(object_type="goal", summary="check-in", **common),
            AuditEvent(object_type="development_plan", summary="/plans/x/", **common),
        ]
    )
    if connection.vendor == "postgresql":
        # The rows above were added in this test's transaction: check their deferred
        # foreign keys now, as a migration's own transaction would find none pending.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")

    class Editor:  # what the migration uses of a schema editor (SQLite has none in a test)
        def __init__(self) -> None:
            self.connection = connection

        def execute(self, sql: str) -> None:
            with connection.cursor() as cursor:
                cursor.execute(sql)

    migration.forwards(apps, Editor())
    summaries = dict(AuditEvent.objects.values_list("pk", "summary"))
    assert (summaries[legacy.pk], summaries[coded.pk], summaries[read.pk]) == (
        "",
        "check-in",
        "page",
    )
    if connection.vendor == "postgresql":  # the trigger is back on
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.filter(pk=coded.pk)._raw_delete(connection.alias)
