"""The audit trail records who read or changed whose plan or conversation, and every
export, with where it came from; one INSERT per request at most."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conversations import services as conversation_services
from goals import services as goal_services
from goals.models import Goal
from people.audit import AuditMiddleware, short_user_agent
from people.models import AuditEvent
from people.services import audit_record
from plans.items import KINDS

from .conftest import start_it

FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"
ORIGIN = {"REMOTE_ADDR": "203.0.113.7", "HTTP_USER_AGENT": FIREFOX}


def _audit_inserts(queries) -> int:
    return sum(
        1 for query in queries.captured_queries if 'INSERT INTO "people_auditevent"' in query["sql"]
    )


def _only_event(**filters) -> AuditEvent:
    return AuditEvent.objects.select_related("actor", "subject").get(**filters)


@pytest.mark.parametrize("reader", ["manager", "hr"])
def test_a_plan_read_by_the_manager_or_hr_is_recorded_with_its_origin(
    world, scenario, as_user, reader
):
    plan = scenario.pop.plan
    as_user(world.personas()[reader]).get(plan.get_absolute_url(), **ORIGIN)
    event = _only_event(action=AuditEvent.Action.READ, ip_address="203.0.113.7")
    assert event.actor == world.personas()[reader]
    assert event.subject == world.employee
    assert (event.object_type, event.object_id, event.summary) == (
        "development_plan",
        str(plan.uuid),
        "page",
    )
    assert event.ip_address == "203.0.113.7" and event.user_agent == FIREFOX
    assert event.organisation == world.organisation


def test_the_employees_own_reads_and_changes_are_not_recorded(world, scenario, as_user):
    before = AuditEvent.objects.count()
    client = as_user(world.employee)
    plan = scenario.pop.plan
    client.get(plan.get_absolute_url())
    client.get(scenario.conversation.get_absolute_url())
    client.post(
        reverse("conversations:conversation-agenda-add", args=[scenario.conversation.uuid]),
        {"text": "Mijn eigen punt"},
    )
    assert AuditEvent.objects.count() == before


def test_a_plan_change_by_the_manager_is_recorded_in_one_insert(world, scenario, as_user):
    pop = scenario.pop
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "gap", pop.gap.uuid])
    data = {
        "competency": pop.competency.pk,
        "current_level": 2,
        "desired_level": 5,
        "why_it_matters": "Nog belangrijker.",
        "goal": pop.goal.pk,
        "priority": 1,
        "version": pop.gap.version,
    }
    with CaptureQueriesContext(connection) as queries:
        response = as_user(world.manager).post(url, data, **ORIGIN)
    assert response.status_code == 302
    assert _audit_inserts(queries) == 1
    event = _only_event(action=AuditEvent.Action.CHANGE, object_type="development_plan")
    assert (event.actor, event.subject, event.summary) == (world.manager, world.employee, "gap")
    assert event.ip_address == "203.0.113.7"


def test_a_request_that_touches_two_objects_still_inserts_once(world, scenario, as_user):
    """An agreement becomes a plan action: a change to the conversation and to the plan."""
    conversation = start_it(scenario.conversation)
    agreement = conversation.agreements.get()
    url = reverse(
        "conversations:conversation-agreement-plan", args=[conversation.uuid, agreement.uuid]
    )
    with CaptureQueriesContext(connection) as queries:
        as_user(world.manager).post(
            url,
            {"target": f"gap:{scenario.pop.gap.uuid}", "kind": "training", "make": "action"},
            **ORIGIN,
        )
    assert _audit_inserts(queries) == 1
    recorded = set(
        AuditEvent.objects.filter(actor=world.manager, action__in=["change", "create"]).values_list(
            "object_type", "summary"
        )
    )
    assert {("conversation", "agreement"), ("development_plan", "action")} <= recorded


def test_conversation_reads_and_changes_by_the_manager_are_recorded(world, scenario, as_user):
    conversation = scenario.conversation
    client = as_user(world.manager)
    client.get(conversation.get_absolute_url(), **ORIGIN)
    client.post(
        reverse("conversations:conversation-notes", args=[conversation.uuid]),
        {"body": "Aangevuld.", "version": 2},
        **ORIGIN,
    )
    events = AuditEvent.objects.filter(object_type="conversation", actor=world.manager)
    assert set(events.values_list("action", "summary")) >= {
        ("read", "page"),
        ("change", "notes"),
    }
    assert all(event.subject_id == world.employee.pk for event in events)


def test_exports_are_recorded_for_both_parties(world, scenario, as_user):
    conversation = scenario.conversation
    ics = reverse("conversations:conversation-ics", args=[conversation.uuid])
    as_user(world.employee).get(ics, **ORIGIN)
    as_user(world.manager).get(ics, **ORIGIN)
    exports = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, summary="ics")
    assert {event.actor for event in exports} == {world.employee, world.manager}
    assert {event.subject for event in exports} == {world.employee}


def test_hr_never_reads_a_conversation_so_nothing_is_recorded(world, scenario, as_user):
    before = AuditEvent.objects.count()
    response = as_user(world.hr).get(scenario.conversation.get_absolute_url())
    assert response.status_code == 404
    assert AuditEvent.objects.count() == before


def test_goal_changes_are_recorded_without_the_goal_text(world, scenario):
    goal = Goal.objects.create(
        organisation=world.organisation,
        level="individual",
        owner_person=world.employee,
        parent=scenario.pop.team_goal,
        title="Geheim persoonlijk doel",
        metric="yes_no",
        due_date=datetime.date(2030, 12, 31),
        status="proposed",
    )
    goal_services.goal_approve(goal=goal, by=world.manager, comment="Prima")
    event = _only_event(object_type="goal", object_id=str(goal.uuid))
    assert (event.actor, event.subject, event.summary) == (world.manager, world.employee, "approve")
    assert "Geheim" not in event.summary


def test_events_are_buffered_until_the_response_and_written_at_once(world, scenario):
    def view(request):
        for number in range(3):
            audit_record(
                actor=world.manager,
                subject=world.employee,
                action="read",
                object_type="development_plan",
                object_id=str(number),
            )
        audit_record(  # the same event again counts once
            actor=world.manager,
            subject=world.employee,
            action="read",
            object_type="development_plan",
            object_id="0",
        )
        assert not AuditEvent.objects.filter(object_id__in=["0", "1", "2"]).exists()
        return HttpResponse()

    request = RequestFactory().get("/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT=FIREFOX)
    with CaptureQueriesContext(connection) as queries:
        AuditMiddleware(view)(request)
    assert _audit_inserts(queries) == 1
    events = AuditEvent.objects.filter(object_id__in=["0", "1", "2"])
    assert events.count() == 3
    assert set(events.values_list("ip_address", flat=True)) == {"198.51.100.4"}


def test_a_server_error_after_a_change_still_records_it(world):
    """The service committed the change; the error came after it."""

    def view(request):
        audit_record(actor=world.manager, subject=world.employee, action="change", object_type="t")
        return HttpResponse(status=500)

    AuditMiddleware(view)(RequestFactory().get("/"))
    assert AuditEvent.objects.filter(object_type="t", action="change").exists()


def test_item_removal_by_the_manager_is_recorded_as_a_delete(world, scenario):
    from plans import services as plan_services
    from plans.models import ActionStep

    step = ActionStep.objects.create(action=scenario.pop.action, title="Extra stap")
    plan_services.item_delete(
        plan=scenario.pop.plan, kind=KINDS["step"], item=step, by=world.manager, expected_version=1
    )
    event = _only_event(action=AuditEvent.Action.DELETE)
    assert (event.subject, event.summary) == (world.employee, "step")


def test_conversation_services_record_the_managers_transitions(world, scenario):
    conversation = start_it(scenario.conversation)
    conversation_services.conversation_mark_held(conversation=conversation, by=world.manager)
    assert _only_event(object_type="conversation", summary="held").actor == world.manager


@pytest.mark.parametrize(
    ("header", "short"),
    [
        (FIREFOX, "Firefox, Windows"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like "
            "Gecko) Version/17.5 Safari/605.1.15",
            "Safari, macOS",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/126.0 Safari/537.36 Edg/126.0",
            "Edge, Windows",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36",
            "Chrome, Android",
        ),
        ("curl/8.5.0", "curl/8.5.0"),
        ("", ""),
    ],
)
def test_short_user_agent(header, short):
    assert short_user_agent(header) == short


def test_a_private_note_leaves_no_trace_in_the_audit_trail(world, scenario, as_user):
    """Issue 16, item 11: opening the in-place view of one's own private note on a report's
    plan (htmx, as its Cancel link does) recorded "… ingezien · Privénotitie", which HR's
    audit page and the employee's data export then showed."""
    from plans.models import PrivateNote

    note = PrivateNote.objects.create(
        plan=scenario.pop.plan, author=world.manager, body="Mijn eigen aantekening"
    )
    url = reverse("plans:plan-item", args=[scenario.pop.plan.uuid, "note", note.uuid])
    before = AuditEvent.objects.count()
    response = as_user(world.manager).get(url, HTTP_HX_REQUEST="true", **ORIGIN)
    assert response.status_code == 200 and "Mijn eigen aantekening" in response.content.decode()
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(summary="note").exists()


@pytest.mark.parametrize("reader", ["manager", "hr"])
def test_a_refused_read_is_not_recorded_as_a_read(world, scenario, as_user, reader):
    """A request for an item that is not there (or not theirs) answers 404, and nothing was
    read: the event used to be written before the item was looked up."""
    import uuid

    plan = scenario.pop.plan
    client = as_user(getattr(world, reader))
    before = AuditEvent.objects.count()
    for kind, item in (("action", uuid.uuid4()), ("note", uuid.uuid4())):
        url = reverse("plans:plan-item", args=[plan.uuid, kind, item])
        assert client.get(url, HTTP_HX_REQUEST="true", **ORIGIN).status_code == 404
    assert AuditEvent.objects.count() == before


def test_private_note_events_recorded_before_are_never_shown(world, scenario, as_user):
    """Events about a private note that the old code recorded stay in the append-only
    table, but HR's audit page and the employee's data export never show them."""
    plan = scenario.pop.plan
    audit_record(
        actor=world.manager,
        subject=world.employee,
        action=AuditEvent.Action.READ,
        object_type="development_plan",
        object_id=str(plan.uuid),
        summary="note",
    )
    page = as_user(world.hr).get(reverse("people:audit-log")).content.decode()
    assert "Privénotitie" not in page
    export = as_user(world.employee).get(reverse("people:personal-data-json")).json()
    about_me = next(
        section
        for section in export["sections"]
        if section["title"] == "Wie je gegevens inzag, wijzigde of exporteerde"
    )
    assert about_me["rows"] and all(row["summary"] != "Privénotitie" for row in about_me["rows"])
