"""The retention job anonymises people who left longer ago than the retention period."""

from __future__ import annotations

import datetime
import json
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from axes.models import AccessLog
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from conversations.access import reports_of
from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    PreparationAnswer,
    ReminderDelivery,
    SharedNote,
)
from dashboards.alignment import Scope, compute
from feedback.models import Compliment
from goals.models import Goal, GoalUpdate
from goals.selectors import organisation_progress
from people.models import AuditEvent, Notification, Organisation, OrgUnit, User
from people.retention import leavers_due, months_before, retention_sweep
from people.tasks import retention_sweep as retention_task
from plans.models import (
    ActionStep,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanChange,
    PlanComment,
    PlanVersion,
    PrivateNote,
)
from tests.conversations.conftest import EMPLOYEE_ANSWER
from tests.dashboards.conftest import strategy  # noqa: F401
from tests.factories import UserFactory

from .conftest import (
    AGREEMENT,
    CHECK_IN_NOTE,
    EMPLOYEE_COMMENT,
    EMPLOYEE_CONVERSATION_NOTE,
    EMPLOYEE_NOTE,
    MANAGER_CONVERSATION_NOTE,
    MANAGER_NOTE,
    REQUEST_NOTE,
    SHARED_NOTE,
)

TODAY = timezone.localdate()
LONG_AGO = months_before(TODAY, 25)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (datetime.date(2026, 3, 15), 24, datetime.date(2024, 3, 15)),
        (datetime.date(2026, 3, 31), 1, datetime.date(2026, 2, 28)),
        (datetime.date(2024, 3, 31), 1, datetime.date(2024, 2, 29)),
        (datetime.date(2026, 1, 10), 13, datetime.date(2024, 12, 10)),
    ],
)
def test_months_before(day, months, expected):
    assert months_before(day, months) == expected


def test_who_is_due(world):
    organisation = world.organisation
    cutoff = months_before(TODAY, organisation.retention_months)
    due = UserFactory(organisation=organisation, end_date=cutoff - datetime.timedelta(days=1))
    UserFactory(organisation=organisation, end_date=cutoff)  # exactly 24 months: not yet
    UserFactory(organisation=organisation, end_date=TODAY)
    UserFactory(organisation=world.other_organisation, end_date=LONG_AGO)
    assert list(leavers_due(organisation=organisation, today=TODAY)) == [due]
    Organisation.objects.filter(pk=organisation.pk).update(retention_months=1)
    organisation.refresh_from_db()
    assert len(leavers_due(organisation=organisation, today=TODAY)) == 2


def _leave(person: User) -> User:
    """Left 25 months ago and was deactivated then."""
    User.objects.filter(pk=person.pk).update(end_date=LONG_AGO, is_active=False)
    person.refresh_from_db()
    return person


def _run(world) -> list[User]:
    from people.retention import leavers_anonymise

    return leavers_anonymise(organisation=world.organisation, today=TODAY)


def test_the_leaver_is_anonymised(world, scenario, as_user, client, password):
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    employee = world.employee
    AccessLog.objects.create(username=employee.email, ip_address="203.0.113.7", user_agent="x")
    # Support staff once changed her account and her goal in the admin.
    goal = scenario.pop.goal
    for instance in (employee, goal):
        LogEntry.objects.create(
            user=world.hr,
            content_type=ContentType.objects.get_for_model(instance),
            object_id=str(instance.pk),
            object_repr=str(instance),
            action_flag=CHANGE,
            change_message="Gewijzigd.",
        )
    User.objects.filter(pk=employee.pk).update(start_date=datetime.date(2019, 3, 14))
    session = as_user(employee)  # signed in before they were deactivated
    _leave(employee)
    assert _run(world) == [employee]
    employee.refresh_from_db()
    assert employee.full_name.startswith("Oud-medewerker ")
    assert "Sanne" not in employee.full_name
    assert employee.email.endswith("@anonymised.invalid") and "employee" not in employee.email
    assert employee.job_title == ""
    assert not employee.has_usable_password() and not employee.is_active
    assert employee.anonymised_at is not None
    # Kept for the figures: unit, line manager, and the years of joining and leaving.
    assert (employee.unit, employee.line_manager, employee.end_date, employee.start_date) == (
        world.team,
        world.manager,
        LONG_AGO.replace(month=1, day=1),
        datetime.date(2019, 1, 1),
    )
    hers = LogEntry.objects.filter(user=world.hr, change_message__in=["Gewijzigd.", ""])
    assert set(hers.values_list("object_repr", "change_message")) == {("(verwijderd)", "")}
    assert hers.count() == 2
    assert not LogEntry.objects.filter(object_repr__icontains="Sanne").exists()
    assert LogEntry.objects.filter(object_repr="Beeldzorg in Wijkteam Noord").exists()  # a team's
    assert not Notification.objects.filter(recipient=employee).exists()
    assert not AccessLog.objects.filter(username="employee@zorg.test").exists()
    response = session.get(reverse("dashboards:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    sign_in = client.post(
        reverse("login"), {"username": "employee@zorg.test", "password": password}
    )
    assert sign_in.status_code == 200 and "_auth_user_id" not in client.session


def test_personal_texts_about_or_by_the_leaver_are_cleared(world, scenario):
    pop = scenario.pop
    _leave(world.employee)
    _run(world)
    plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
    assert (plan.employee_ambition, plan.organisation_ambition) == ("", "")
    assert CompetencyGap.objects.get(pk=pop.gap.pk).why_it_matters == ""
    # Both views of her level stay as numbers; their reasons go (issue 19).
    views = LevelAssessment.objects.filter(gap=pop.gap).order_by("side")
    assert [(view.side, view.level, view.reason) for view in views] == [
        ("employee", 2, ""),
        ("manager", 4, ""),
    ]
    assert not Compliment.objects.filter(receiver=world.employee).exists()
    action = DevelopmentAction.objects.get(pk=pop.action.pk)
    assert action.title == "e-learning"  # its kind
    assert (action.description, action.knowledge_transfer, action.reflection) == ("", "", "")
    assert ActionStep.objects.get(pk=pop.step.pk).title == "(verwijderd)"
    assert not PlanComment.objects.filter(plan=plan).exists()
    assert not PrivateNote.objects.filter(plan=plan).exists()  # theirs and the manager's
    assert not PlanChange.objects.filter(plan=plan).exists()
    assert PlanVersion.objects.get(plan=plan).snapshot == {}
    goal = Goal.objects.get(pk=pop.goal.pk)
    assert (goal.title, goal.description, goal.feasibility_note) == ("(verwijderd)", "", "")
    assert GoalUpdate.objects.get(goal=goal).note == ""
    conversation = Conversation.objects.get(pk=scenario.conversation.pk)
    assert conversation.location == "" and conversation.status == "scheduled"
    assert Conversation.objects.get(pk=scenario.requested.pk).request_note == ""
    assert not AgendaItem.objects.filter(conversation=conversation).exists()
    assert not PreparationAnswer.objects.filter(conversation=conversation).exists()
    assert not ConversationPrivateNote.objects.filter(conversation=conversation).exists()
    assert SharedNote.objects.get(conversation=conversation).body == ""
    assert Agreement.objects.get(conversation=conversation).text == "(verwijderd)"
    assert not ReminderDelivery.objects.filter(recipient=world.employee).exists()
    everything = json.dumps(
        [
            list(model.objects.values())
            for model in (DevelopmentPlan, Goal, GoalUpdate, Conversation, SharedNote, Agreement)
        ],
        default=str,
        ensure_ascii=False,
    )
    for text in (
        EMPLOYEE_NOTE,
        MANAGER_NOTE,
        EMPLOYEE_COMMENT,
        EMPLOYEE_CONVERSATION_NOTE,
        MANAGER_CONVERSATION_NOTE,
        SHARED_NOTE,
        AGREEMENT,
        CHECK_IN_NOTE,
        REQUEST_NOTE,
        EMPLOYEE_ANSWER,
        "Sanne Jansen",
        "employee@zorg.test",
    ):
        assert text not in everything, text


def test_a_leaving_manager_keeps_the_texts_about_their_reports(world, scenario):
    """What a manager wrote about a report belongs to the report's file; only the
    manager's private notes go."""
    _leave(world.manager)
    _run(world)
    assert PlanComment.objects.filter(author=world.manager, body="Goed plan!").exists()
    assert LevelAssessment.objects.get(author=world.manager).reason == "Zo zie ik het (manager)."
    # What the manager gave stays with its receiver (the manager's account is anonymised).
    assert Compliment.objects.get(receiver=world.employee).text == "Knap gedaan!"
    assert SharedNote.objects.get(conversation=scenario.conversation).body == SHARED_NOTE
    assert not PrivateNote.objects.filter(author=world.manager).exists()
    assert not ConversationPrivateNote.objects.filter(author=world.manager).exists()
    assert PrivateNote.objects.filter(author=world.employee, body=EMPLOYEE_NOTE).exists()
    employee = User.objects.get(pk=world.employee.pk)
    assert employee.full_name == "Sanne Jansen" and employee.line_manager_id == world.manager.pk


def _figures(world) -> dict:
    organisation = Organisation.objects.get(pk=world.organisation.pk)
    scopes = [
        Scope(organisation=organisation, manager_id=None, unit_id=None, year=None),
        Scope(organisation=organisation, manager_id=None, unit_id=world.team.pk, year=TODAY.year),
        Scope(organisation=organisation, manager_id=world.manager.pk, unit_id=None, year=None),
    ]
    units = OrgUnit.objects.filter(organisation=organisation).annotate(people=Count("members"))
    return {
        "alignment": [
            {key: value for key, value in compute(scope).items() if key != "computed_at"}
            for scope in scopes
        ],
        "units": {unit.name: unit.people for unit in units},
        "reports": reports_of(world.manager).count(),
        "plans": DevelopmentPlan.objects.filter(organisation=organisation).count(),
        "conversations": Conversation.objects.filter(organisation=organisation).count(),
        # Figures that include the leaver's own rows whoever is still employed: every
        # goal's rolled-up progress (theirs feeds their team goal), their actions by kind
        # and status with costs, their competency gaps, their conversations by kind.
        "progress": {
            pk: (progress.percent, progress.signal)
            for pk, progress in organisation_progress(organisation=organisation).progress.items()
        },
        "actions": list(
            DevelopmentAction.objects.filter(plan__organisation=organisation)
            .values("kind", "status", "plan__employee__unit")
            .annotate(n=Count("id"), cost=Sum("cost"), hours=Sum("hours"))
            .order_by("kind", "status", "plan__employee__unit")
        ),
        "gaps": list(
            CompetencyGap.objects.filter(plan__organisation=organisation)
            .values("competency_id", "current_level", "desired_level", "goal_id")
            .annotate(n=Count("id"))
            .order_by("competency_id", "current_level", "desired_level", "goal_id")
        ),
        "held": list(
            Conversation.objects.filter(organisation=organisation, status="held")
            .values("kind", "employee__unit")
            .annotate(n=Count("id"))
            .order_by("kind", "employee__unit")
        ),
    }


def test_aggregates_stay_the_same(world, strategy):  # noqa: F811
    """The leaver (their plan, gap, action, goal under a team goal and a held conversation)
    still counts wherever they counted."""
    colleague = world.colleague
    DevelopmentPlan.objects.filter(employee=colleague).update(employee_ambition="Coach worden")
    Conversation.objects.create(
        organisation=world.organisation,
        employee=colleague,
        manager=world.manager,
        kind="development",
        status="held",
        starts_at=timezone.now() - datetime.timedelta(days=800),
        held_at=timezone.now() - datetime.timedelta(days=800),
        location="Kamer 1",
    )
    _leave(colleague)
    before = _figures(world)
    # The leaver has rows in these figures (else the comparison would prove nothing).
    assert DevelopmentAction.objects.filter(plan__employee=colleague).exists()
    assert CompetencyGap.objects.filter(plan__employee=colleague).exists()
    their_goals = Goal.objects.filter(owner_person=colleague, status="active")
    assert their_goals.exists() and all(goal.pk in before["progress"] for goal in their_goals)
    assert _run(world) == [User.objects.get(pk=colleague.pk)]
    assert DevelopmentPlan.objects.get(employee=colleague).employee_ambition == ""
    assert _figures(world) == before


def test_idempotent(world, scenario):
    _leave(world.employee)
    assert len(_run(world)) == 1
    events = AuditEvent.objects.filter(action=AuditEvent.Action.ANONYMISE)
    assert events.count() == 1
    assert (events.get().subject_id, events.get().actor_id) == (world.employee.pk, None)
    name = User.objects.get(pk=world.employee.pk).full_name
    assert _run(world) == []
    assert events.count() == 1
    assert User.objects.get(pk=world.employee.pk).full_name == name


def test_its_own_beat_entry_runs_it(world, scenario):
    assert settings.CELERY_BEAT_SCHEDULE["retention"]["task"] == "people.tasks.retention_sweep"
    # A time zone where it is past 02:00 now, whatever the hour this test runs.
    now = timezone.now()
    zone = next(
        name
        for name in ("Europe/Amsterdam", "Asia/Tokyo", "America/New_York")
        if now.astimezone(ZoneInfo(name)).time() >= datetime.time(2, 0)
    )
    Organisation.objects.filter(pk=world.organisation.pk).update(timezone=zone)
    _leave(world.employee)
    retention_task.delay()  # eager: the task beat runs
    assert User.objects.get(pk=world.employee.pk).anonymised_at is not None


def test_the_sweep_claims_each_organisation_once_per_local_day(world):
    tz = world.organisation.tzinfo
    night = datetime.datetime.combine(TODAY, datetime.time(1, 30), tzinfo=tz)
    morning = datetime.datetime.combine(TODAY, datetime.time(9, 0), tzinfo=tz)
    first = UserFactory(organisation=world.organisation, end_date=LONG_AGO)
    assert retention_sweep(now=night) == 0  # before 02:00: not yet
    assert retention_sweep(now=morning) == 1
    assert User.objects.get(pk=first.pk).anonymised_at is not None
    second = UserFactory(organisation=world.organisation, end_date=LONG_AGO)
    assert retention_sweep(now=morning + datetime.timedelta(hours=3)) == 0  # claimed today
    assert User.objects.get(pk=second.pk).anonymised_at is None
    assert retention_sweep(now=morning + datetime.timedelta(days=1)) == 1
    world.organisation.refresh_from_db()
    assert world.organisation.retention_checked_on == TODAY + datetime.timedelta(days=1)


def test_management_command_with_dry_run(world):
    leaver = UserFactory(organisation=world.organisation, end_date=LONG_AGO, full_name="Piet Weg")
    out = StringIO()
    call_command("anonymise_leavers", "--dry-run", stdout=out)
    assert "Piet Weg" in out.getvalue() and "1 persoon zou worden geanonimiseerd." in out.getvalue()
    assert User.objects.get(pk=leaver.pk).anonymised_at is None
    out = StringIO()
    call_command("anonymise_leavers", "--organisation", "Zorggroep Test", stdout=out)
    assert "1 persoon geanonimiseerd." in out.getvalue()
    leaver.refresh_from_db()
    assert leaver.anonymised_at is not None and "Piet" not in leaver.full_name
    event = AuditEvent.objects.get(action=AuditEvent.Action.ANONYMISE)
    assert event.summary == "command"


def test_the_daily_run_removes_expired_sessions_and_old_sign_in_records(world, as_user):
    from django.contrib.sessions.models import Session

    from people.retention import SIGN_IN_LOG_DAYS

    tz = world.organisation.tzinfo
    morning = datetime.datetime.combine(TODAY, datetime.time(9, 0), tzinfo=tz)
    current = as_user(world.employee)  # a live session, which stays
    current.get(reverse("dashboards:home"))
    as_user(world.colleague).get(reverse("dashboards:home"))
    Session.objects.exclude(session_key=current.session.session_key).update(
        expire_date=morning - datetime.timedelta(minutes=1)
    )
    Session.objects.filter(session_key=current.session.session_key).update(
        expire_date=morning + datetime.timedelta(hours=1)
    )
    old, recent = (
        AccessLog.objects.create(username=email, ip_address="10.0.0.1", user_agent="Firefox")
        for email in ("employee@zorg.test", "colleague@zorg.test")
    )
    # attempt_time is set on creation: move them back in time.
    for log, days in ((old, SIGN_IN_LOG_DAYS + 1), (recent, SIGN_IN_LOG_DAYS - 1)):
        AccessLog.objects.filter(pk=log.pk).update(
            attempt_time=morning - datetime.timedelta(days=days)
        )
    retention_sweep(now=morning)
    assert list(Session.objects.values_list("session_key", flat=True)) == [
        current.session.session_key
    ]
    assert AccessLog.objects.filter(pk=recent.pk).exists()
    assert not AccessLog.objects.filter(pk=old.pk).exists()
