"""AVG/GDPR: a person downloads all data about themselves (JSON and PDF) from /profile/."""

from __future__ import annotations

import json

import pytest
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from people import privacy
from people.models import AuditEvent, User
from tests.factories import PASSWORD
from tests.pdfs import pdf_info, pdf_text

from .conftest import (
    AGENDA_EMPLOYEE,
    AGENDA_MANAGER,
    EMPLOYEE_CONVERSATION_NOTE,
    EMPLOYEE_NOTE,
    MANAGER_CONVERSATION_NOTE,
    MANAGER_NOTE,
    SHARED_NOTE,
    start_it,
)

PROFILE = reverse("people:profile")
JSON_URL = reverse("people:personal-data-json")
PDF_URL = reverse("people:personal-data-pdf")


def _person_fields() -> list[tuple[str, str]]:
    """Every (model, field) in the project where a row points at a person."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    found = []
    for model in apps.get_models():  # a proxy (Notification) has its model's fields
        if model._meta.proxy:
            continue
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is user_model:
                found.append((model._meta.label, field.name))
    return found


def _export(person: User) -> dict:
    return privacy.personal_data_json(person=person, generated_at=timezone.now())


def _ids(export: dict, model: str) -> set[str]:
    return {
        str(row["id"])
        for section in export["sections"]
        if section["model"] == model
        for row in section["rows"]
    }


def _texts(export: dict) -> str:
    return json.dumps(export, ensure_ascii=False)


def test_every_model_that_refers_to_a_person_is_in_the_export():
    """A new model (or field) pointing at a person fails here until an app's provider
    exports it or says why it is withheld."""
    covered = privacy.covered_fields()
    missing = [
        f"{label}.{name}"
        for label, name in _person_fields()
        if name not in covered.get(label, set())
    ]
    assert not missing, f"not in the personal data export: {missing}"
    assert "people.User" in covered  # the person's own account


def test_a_row_of_each_appears_in_the_export_of_its_person(world, scenario):
    """For every person field the export follows: a real row, in a real export of the
    person it points at."""
    checked = []
    exports: dict[int, dict] = {}
    for provider in privacy.providers():
        for label, names in provider.covers.items():
            model = apps.get_model(label)
            for name in names:
                row = model.objects.filter(**{f"{name}__isnull": False}).first()
                assert row is not None, f"the scenario has no {label} with a {name}"
                person = getattr(row, name)
                key = "uuid" if hasattr(row, "uuid") else "pk"
                if person.pk not in exports:
                    exports[person.pk] = _export(person)
                assert str(getattr(row, key)) in _ids(exports[person.pk], label), (
                    f"{label} {row.pk} ({name}) is not in the export of {person}"
                )
                checked.append(f"{label}.{name}")
    assert len(checked) == len(set(checked)) >= 25
    employee = _export(world.employee)
    assert str(world.employee.uuid) in _ids(employee, "people.User")
    pop = scenario.pop
    assert str(pop.gap.uuid) in _ids(employee, "plans.CompetencyGap")
    assert str(pop.action.uuid) in _ids(employee, "plans.DevelopmentAction")
    assert str(pop.step.uuid) in _ids(employee, "plans.ActionStep")


def test_private_notes_of_others_are_theirs_alone(world, scenario):
    employee = _texts(_export(world.employee))
    assert EMPLOYEE_NOTE in employee and EMPLOYEE_CONVERSATION_NOTE in employee
    assert MANAGER_NOTE not in employee and MANAGER_CONVERSATION_NOTE not in employee
    assert SHARED_NOTE in employee and AGENDA_MANAGER in employee  # both see these
    manager = _texts(_export(world.manager))
    assert MANAGER_NOTE in manager and MANAGER_CONVERSATION_NOTE in manager
    assert EMPLOYEE_NOTE not in manager and EMPLOYEE_CONVERSATION_NOTE not in manager
    # The employee's plan is theirs: the manager's export holds their own part only.
    assert scenario.pop.plan.employee_ambition not in manager
    assert AGENDA_EMPLOYEE not in manager
    assert AGENDA_MANAGER in manager
    colleague = _texts(_export(world.colleague))
    assert "Sanne" not in colleague


def test_the_managers_preparation_shows_once_the_conversation_started(world, scenario):
    from tests.conversations.conftest import MANAGER_ANSWER

    assert MANAGER_ANSWER not in _texts(_export(world.employee))
    start_it(scenario.conversation)
    assert MANAGER_ANSWER in _texts(_export(world.employee))


def test_profile_page_shows_the_details_and_both_downloads(world, as_user):
    page = as_user(world.employee).get(PROFILE).content.decode()
    assert "Mijn profiel" in page
    for text in ("Sanne Jansen", "employee@zorg.test", "Wijkverpleegkundige", "Wijkteam Noord"):
        assert text in page
    assert "Jeroen de Vries" in page  # the line manager
    assert f'href="{JSON_URL}"' in page and f'href="{PDF_URL}"' in page
    # Linked from the user menu on every page.
    home = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert f'href="{PROFILE}"' in home


def test_profile_pages_answer_only_the_person_themself(world, as_user, client):
    for url in (PROFILE, JSON_URL, PDF_URL):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert as_user(world.employee).post(url).status_code == 405
    # Another person's download is their own data, never the employee's.
    data = json.loads(as_user(world.colleague).get(JSON_URL).content)
    assert data["person"]["email"] == "colleague@zorg.test"
    assert "Sanne Jansen" not in json.dumps(data, ensure_ascii=False)


def test_json_download(world, scenario, as_user):
    response = as_user(world.employee).get(JSON_URL, HTTP_USER_AGENT="Mozilla/5.0 Firefox/140.0")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"].startswith('attachment; filename="mijn-gegevens-')
    data = json.loads(response.content)
    assert data["person"]["name"] == "Sanne Jansen"
    titles = [section["title"] for section in data["sections"]]
    assert "Je account" in titles and "Je ontwikkelplan (POP)" in titles
    assert scenario.pop.plan.employee_ambition in _texts(data)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="personal_data")
    assert (event.actor, event.subject, event.summary) == (world.employee, world.employee, "json")
    # A person's use of their own data is recorded without where it came from.
    assert event.user_agent == "" and event.ip_address is None


@pytest.mark.pdf
def test_pdf_download(world, scenario, as_user):
    response = as_user(world.employee).get(PDF_URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Persoonsgegevens" in text and "Je ontwikkelplan (POP)" in text
    assert "Sanne Jansen" in text and EMPLOYEE_NOTE[:30] in text
    assert MANAGER_NOTE[:30] not in text
    assert pdf_info(response.content)["Tagged"] == "yes"
    assert AuditEvent.objects.filter(object_type="personal_data", summary="pdf").exists()


@pytest.mark.pdf
def test_pdf_is_in_the_persons_language(world, as_user):
    User.objects.filter(pk=world.colleague.pk).update(language="en")
    response = as_user(world.colleague).get(PDF_URL)
    text = pdf_text(response.content)
    assert "Personal data" in text and "Your account" in text and "Daan Visser" in text
    assert "Nothing recorded" in text and "Persoonsgegevens" not in text


@pytest.mark.pdf
def test_pdf_over_the_page_cap_sends_the_person_to_the_json_file(world, as_user, monkeypatch):
    monkeypatch.setattr(privacy, "PDF_MAX_PAGES", 1)
    client = as_user(world.employee)
    response = client.get(PDF_URL, follow=True)
    assert response.redirect_chain[-1][0] == PROFILE
    assert "Het JSON-bestand bevat alles." in response.content.decode()
    assert not AuditEvent.objects.filter(object_type="personal_data").exists()


def test_the_export_takes_the_same_queries_for_more_data(world, scenario):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from conversations import services as conversation_services
    from goals.models import GoalUpdate
    from plans.models import PlanComment

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _export(world.employee)
            _export(world.manager)
        return len(queries)

    before = count()
    for number in range(5):
        PlanComment.objects.create(plan=scenario.pop.plan, author=world.manager, body=f"R {number}")
        GoalUpdate.objects.create(
            goal=scenario.pop.goal, value=number, confidence=6, author=world.manager
        )
        conversation_services.agenda_item_add(
            conversation=scenario.conversation, by=world.manager, text=f"Punt {number}"
        )
    assert count() == before


def test_private_notes_leave_no_trace_in_the_trail_or_the_export(world, scenario, as_user):
    """A manager's private note about the employee is the manager's alone: writing,
    changing or removing it is not in the audit trail, so neither the employee's export
    nor HR's audit page shows that it exists."""
    from conversations.models import ConversationPrivateNote
    from plans.models import PrivateNote

    manager = as_user(world.manager)
    plan = scenario.pop.plan
    note = PrivateNote.objects.get(plan=plan, author=world.manager)
    manager.post(
        reverse("plans:plan-item-edit", args=[plan.uuid, "note", note.uuid]),
        {"body": "Nog steeds zorgen.", "version": note.version},
    )
    manager.post(
        reverse("plans:plan-item-delete", args=[plan.uuid, "note", note.uuid]),
        {"version": note.version + 1},
    )
    manager.post(reverse("plans:plan-item-add", args=[plan.uuid, "note"]), {"body": "Een nieuwe."})
    conversation = scenario.conversation
    private = ConversationPrivateNote.objects.get(conversation=conversation, author=world.manager)
    manager.post(
        reverse("conversations:conversation-private-note", args=[conversation.uuid]),
        {"private-body": "Bijgewerkt.", "private-version": private.version},
    )
    assert not PrivateNote.objects.filter(pk=note.pk).exists()  # the posts did their work
    assert PrivateNote.objects.filter(plan=plan, body="Een nieuwe.").exists()
    assert ConversationPrivateNote.objects.get(pk=private.pk).body == "Bijgewerkt."
    about_her = AuditEvent.objects.filter(subject=world.employee)
    assert not about_her.filter(summary__in=["note", "private-note"]).exists()
    export = _export(world.employee)
    parts = {
        row.get("summary")
        for section in export["sections"]
        if section["model"] == "people.AuditEvent"
        for row in section["rows"]
    }
    assert not parts & {"note", "private-note", "Privénotitie", "Private note"}
    page = as_user(world.hr).get(reverse("people:audit-log")).content.decode()
    assert "Privénotitie" not in page


def test_the_export_keeps_others_ip_address_and_browser_out(world, scenario, as_user):
    """Who read your data: yes; from which address and browser: that is their data."""
    origin = {"REMOTE_ADDR": "203.0.113.99", "HTTP_USER_AGENT": "Firefox/140.0 (Windows)"}
    as_user(world.hr).get(scenario.pop.plan.get_absolute_url(), **origin)
    assert AuditEvent.objects.filter(actor=world.hr, ip_address="203.0.113.99").exists()
    text = _texts(_export(world.employee))
    assert "Fatima el Amrani" in text
    assert "203.0.113.99" not in text and "Firefox/140.0" not in text


def test_ones_own_export_is_recorded_without_address_and_the_sign_ins_are_in_it(world, client):
    """The trail has every export, but a person's use of their own data carries no IP
    address or browser; their own sign-ins are part of their data."""
    client.post(
        reverse("login"),
        {"username": world.employee.email, "password": PASSWORD},
        REMOTE_ADDR="198.51.100.4",
    )
    response = client.get(JSON_URL, REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Safari/605")
    assert response.status_code == 200
    export = json.loads(
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    event = AuditEvent.objects.get(actor=world.employee, action=AuditEvent.Action.EXPORT)
    assert event.ip_address is None and event.user_agent == ""
    sign_ins = [s for s in export["sections"] if s["model"] == "axes.AccessLog"]
    assert sign_ins and "198.51.100.4" in _texts({"sections": sign_ins})


@pytest.mark.pdf
def test_one_personal_data_pdf_at_a_time_per_person(world, as_user):
    """A second request while the first PDF is being made does not render another one."""
    from tests.conftest import lock_held_elsewhere

    client = as_user(world.employee)
    with lock_held_elsewhere(f"personal-data-pdf:{world.employee.pk}"):
        response = client.get(PDF_URL)
        assert response.status_code == 302 and response.url == PROFILE
    page = client.get(PROFILE).content.decode()
    assert "Je pdf wordt al gemaakt." in page
    assert client.get(PDF_URL)["Content-Type"] == "application/pdf"  # once it is free
