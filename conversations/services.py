"""Writes for conversations: scheduling and its invitations, agenda, preparation, notes,
agreements that go onto the plan, and marking a conversation held.

Invitations and cancellations go through the outbox (``people.outbox``), written in the
same transaction, so they are as reliable as reminders.
Shared and private notes are saved with plans' conditional update: a save that started
from an older version raises ``VersionConflict`` and writes nothing.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Goal, GoalUpdate
from goals.selectors import goals_progress
from goals.services import goal_check_in
from people.access import is_line_manager_of
from people.models import AuditEvent, User, WebhookSubscription
from people.outbox import outbox_event, outbox_send
from people.services import audit_record_about
from plans.access import linkable_goals
from plans.items import kind_named
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan
from plans.services import VersionConflict, conditional_update, item_create, plan_get_or_create

from . import messages
from .models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    Kind,
    PreparationAnswer,
    PreparationQuestion,
    SharedNote,
)
from .privacy import AUDIT_TYPE
from .selectors import agenda_from_plan_now, last_held

INVITATION, CANCELLATION = "reminder_invitation", "reminder_cancellation"

__all__ = ["VersionConflict"]

# Actions due within this many days after the conversation go on its agenda.
AGENDA_ACTION_HORIZON = datetime.timedelta(days=14)

BOTH, EMPLOYEE, MANAGER = (
    PreparationQuestion.Audience.BOTH,
    PreparationQuestion.Audience.EMPLOYEE,
    PreparationQuestion.Audience.MANAGER,
)
# Each side prepares with its own questions (the manager is not asked what they need from
# their manager); a question for both is answered by each. (Dutch, English, asked of.)
DEFAULT_QUESTIONS: dict[str, list[tuple[str, str, str]]] = {
    "common": [
        ("Wat ging er goed sinds ons vorige gesprek?", "What went well since our last talk?", BOTH),
        (
            "Hoe zijn je energie en je werkdruk op dit moment?",
            "How are your energy and workload at the moment?",
            EMPLOYEE,
        ),
        (
            "Hoe zie jij de energie en de werkdruk van je medewerker op dit moment?",
            "How do you see your report's energy and workload at the moment?",
            MANAGER,
        ),
        (
            "Wat wil je leren of verder ontwikkelen?",
            "What do you want to learn or develop?",
            EMPLOYEE,
        ),
        (
            "Waarin zie je je medewerker groeien, en wat vraagt de organisatie?",
            "Where do you see your report grow, and what does the organisation ask?",
            MANAGER,
        ),
        (
            "Wat heb je nodig van je leidinggevende of je team?",
            "What do you need from your manager or your team?",
            EMPLOYEE,
        ),
        (
            "Wat kun jij doen om je medewerker te ondersteunen?",
            "What can you do to support your report?",
            MANAGER,
        ),
    ],
    Kind.START: [
        (
            "Wat wil je in je eerste maanden bereiken?",
            "What do you want to achieve in your first months?",
            EMPLOYEE,
        ),
        (
            "Wat verwacht je van je nieuwe medewerker in de eerste maanden, en hoe help je op weg?",
            "What do you expect of your new report in the first months, and how will you help?",
            MANAGER,
        ),
    ],
    Kind.PROGRESS: [
        (
            "Hoe staan je doelen en ontwikkelacties ervoor?",
            "Where do your goals and development actions stand?",
            EMPLOYEE,
        ),
        (
            "Hoe staan de doelen en ontwikkelacties van je medewerker ervoor?",
            "Where do your report's goals and development actions stand?",
            MANAGER,
        ),
    ],
    Kind.PERFORMANCE: [
        (
            "Wat zou je willen veranderen aan je werk of de samenwerking?",
            "What would you like to change in your work or how we work together?",
            BOTH,
        ),
    ],
    Kind.APPRAISAL: [
        (
            "Welke resultaten ben je het meest trots op dit jaar?",
            "Which results are you most proud of this year?",
            EMPLOYEE,
        ),
        (
            "Welke resultaten van je medewerker wil je dit jaar waarderen?",
            "Which results of your report do you want to recognise this year?",
            MANAGER,
        ),
    ],
    Kind.DEVELOPMENT: [
        ("Waar wil je over twee jaar staan?", "Where would you like to be in two years?", EMPLOYEE),
        (
            "Waar zie je je medewerker over twee jaar?",
            "Where do you see your report in two years?",
            MANAGER,
        ),
    ],
    Kind.CHECK_IN: [],
}


def preparation_questions_ensure(*, organisation_id: int) -> None:
    """Give an organisation without questions the defaults (HR edits them in the admin)."""
    if PreparationQuestion.objects.filter(organisation_id=organisation_id).exists():
        return
    rows = []
    for kind in Kind:
        questions = DEFAULT_QUESTIONS["common"][: 3 if kind == Kind.CHECK_IN else 7]
        for position, (dutch, english, audience) in enumerate(
            [*questions, *DEFAULT_QUESTIONS[kind]]
        ):
            rows.append(
                PreparationQuestion(
                    organisation_id=organisation_id,
                    kind=kind,
                    audience=audience,
                    position=position,
                    text_nl=dutch,
                    text_en=english,
                )
            )
    PreparationQuestion.objects.bulk_create(rows)


# --- Scheduling --------------------------------------------------------------------------


def _invite(*, conversation: Conversation, kind: str) -> None:
    """Queue the invitation (or cancellation) with its calendar file for both parties, in
    each one's language: in their inbox and by e-mail, after commit."""
    for person in (conversation.employee, conversation.manager):
        with translation.override(person.language):
            attachment = messages.ics(conversation)
        outbox_send(
            recipient=person,
            kind=kind,
            context=(
                messages.invitation_context(conversation, person.pk)
                if kind == INVITATION
                else messages.conversation_context(conversation, person.pk)
            ),
            link=conversation.get_absolute_url(),
            attachment=attachment,
        )


def _audit_change(
    *, conversation: Conversation, by: User, part: str, action: str = AuditEvent.Action.CHANGE
) -> None:
    """A change by anyone but the conversation's employee (the manager) is recorded."""
    audit_record_about(
        actor=by,
        subject=conversation.employee,
        action=action,
        object_type=AUDIT_TYPE,
        object_id=str(conversation.uuid),
        summary=part,
    )


# How far ahead a conversation can be planned (a date in year 9999 is a typing error, and
# the agenda, calendar and reminders would run off the calendar's end).
PLAN_AHEAD_AT_MOST = datetime.timedelta(days=5 * 366)


def _check_times(
    starts_at: datetime.datetime | None,
    now: datetime.datetime,
    grace: datetime.timedelta = datetime.timedelta(days=1),
) -> None:
    """``grace``: how far in the past it may start (a new conversation may be recorded
    the day after; a moved one may not go into the past at all)."""
    if starts_at is None:
        raise ValidationError({"starts_at": _("Choose a date and time.")})
    if starts_at < now - grace:
        raise ValidationError({"starts_at": _("Choose a moment that has not passed yet.")})
    if starts_at > now + PLAN_AHEAD_AT_MOST:
        raise ValidationError({"starts_at": _("Choose a moment within the next five years.")})


@transaction.atomic
def conversation_schedule(
    *,
    manager: User,
    employee: User,
    kind: str,
    starts_at: datetime.datetime,
    duration_minutes: int = 60,
    location: str = "",
) -> Conversation:
    """The manager schedules a conversation with one of their reports."""
    if not is_line_manager_of(manager, employee) or not employee.is_active:
        raise PermissionDenied
    _check_times(starts_at, timezone.now())
    conversation = Conversation.objects.create(
        organisation_id=employee.organisation_id,
        employee=employee,
        manager=manager,
        kind=kind,
        status=Conversation.Status.SCHEDULED,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
    )
    conversation_prepare(conversation)
    # The invitation goes to both inboxes and by e-mail with the calendar file.
    _invite(conversation=conversation, kind=INVITATION)
    _conversation_event(conversation, WebhookSubscription.Event.CONVERSATION_SCHEDULED)
    _audit_change(
        conversation=conversation, by=manager, part="schedule", action=AuditEvent.Action.CREATE
    )
    return conversation


@transaction.atomic
def conversation_request(*, employee: User, kind: str, note: str = "") -> Conversation:
    """The employee asks their line manager for a conversation; the manager plans it."""
    manager = employee.line_manager
    if manager is None or manager.organisation_id != employee.organisation_id:
        raise PermissionDenied
    conversation = Conversation.objects.create(
        organisation_id=employee.organisation_id,
        employee=employee,
        manager=manager,
        kind=kind,
        status=Conversation.Status.REQUESTED,
        request_note=note.strip(),
        requested_by=employee,
    )
    preparation_questions_ensure(organisation_id=employee.organisation_id)
    outbox_send(
        recipient=manager,
        kind="conversation_requested",
        context={"name": employee.full_name, "kind": kind, "note": note.strip()},
        link=conversation.get_absolute_url(),
    )
    return conversation


@transaction.atomic
def conversation_reschedule(
    *,
    conversation: Conversation,
    by: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    location: str,
) -> Conversation:
    """Set a new time or place (or the first time of a request); invitations follow."""
    if by.pk != conversation.manager_id:
        raise PermissionDenied
    if not conversation.is_open:
        raise ValidationError(_("Only a planned or requested conversation can be moved."))
    # Never into the past: each side sees the other's preparation once the conversation
    # has started, so moving it back in time would show the answers early (and moving it
    # forward again would hide that they were seen).
    _check_times(starts_at, timezone.now(), grace=datetime.timedelta(0))
    was_requested = conversation.status == Conversation.Status.REQUESTED
    Conversation.objects.filter(pk=conversation.pk).update(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        status=Conversation.Status.SCHEDULED,
        sequence=F("sequence") + (0 if was_requested else 1),
        # What the changed invitation says it was.
        previous_starts_at=None if was_requested else conversation.starts_at,
        previous_location="" if was_requested else conversation.location,
        updated_at=timezone.now(),
    )
    conversation.refresh_from_db()
    if was_requested:
        conversation_prepare(conversation)
    _invite(conversation=conversation, kind=INVITATION)
    _conversation_event(conversation, WebhookSubscription.Event.CONVERSATION_SCHEDULED)
    _audit_change(conversation=conversation, by=by, part="reschedule")
    return conversation


@transaction.atomic
def conversation_cancel(*, conversation: Conversation, by: User) -> Conversation:
    if by.pk != conversation.manager_id:
        raise PermissionDenied
    if not conversation.is_open:
        raise ValidationError(_("Only a planned or requested conversation can be cancelled."))
    _cancel(conversation)
    _audit_change(conversation=conversation, by=by, part="cancel")
    return conversation


def _cancel(conversation: Conversation) -> None:
    """Cancelled, with a cancellation to both when it had a time (their calendars)."""
    had_time = conversation.status == Conversation.Status.SCHEDULED
    now = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.CANCELLED,
        cancelled_at=now,
        sequence=F("sequence") + 1,
        updated_at=now,
    )
    conversation.refresh_from_db()
    if had_time:
        _invite(conversation=conversation, kind=CANCELLATION)


@transaction.atomic
def conversations_after_manager_change(
    employee: User, old_manager_id: int | None, new_manager: User | None
) -> None:
    """The former manager no longer holds the employee's coming conversations (they would
    see the preparation the employee writes for them): a planned one that has not started
    is cancelled, with a cancellation to both (the new manager plans their own); a request
    without a time goes to the new manager (cancelled when there is none). A conversation
    that has started stays with the manager who held it, to finish. (``people.services``
    calls this for every change of line manager.)"""
    if old_manager_id is None:
        return
    now = timezone.now()
    coming = Conversation.objects.filter(
        employee=employee,
        manager_id=old_manager_id,
        status__in=[Conversation.Status.REQUESTED, Conversation.Status.SCHEDULED],
    ).select_related("employee", "manager", "organisation")
    for conversation in coming:
        requested = conversation.status == Conversation.Status.REQUESTED
        if not requested and conversation.starts_at <= now:
            continue
        if requested and new_manager is not None:
            Conversation.objects.filter(pk=conversation.pk).update(
                manager=new_manager, updated_at=now
            )
        else:
            _cancel(conversation)


@transaction.atomic
def conversation_mark_held(*, conversation: Conversation, by: User) -> Conversation:
    if by.pk != conversation.manager_id:
        raise PermissionDenied
    now = timezone.now()
    if conversation.status != Conversation.Status.SCHEDULED or conversation.starts_at > now:
        raise ValidationError(_("A conversation can be marked held once it has started."))
    # What the plan put on the agenda until now is kept as it was discussed.
    AgendaItem.objects.bulk_create(agenda_from_plan_now(conversation))
    Conversation.objects.filter(pk=conversation.pk).update(
        status=Conversation.Status.HELD, held_at=now, updated_at=now
    )
    conversation.refresh_from_db()
    _audit_change(conversation=conversation, by=by, part="held")
    _conversation_event(conversation, WebhookSubscription.Event.CONVERSATION_HELD)
    return conversation


def _conversation_event(conversation: Conversation, event: str) -> None:
    """For webhooks: ids, kind, status and times; never the place, agenda or notes."""
    starts_at = conversation.starts_at
    outbox_event(
        organisation_id=conversation.organisation_id,
        event=event,
        data={
            "conversation_id": str(conversation.uuid),
            "employee_id": str(conversation.employee.uuid),
            "manager_id": str(conversation.manager.uuid),
            "kind": conversation.kind,
            "status": conversation.status,
            "starts_at": starts_at.isoformat(timespec="seconds") if starts_at else None,
            "duration_minutes": conversation.duration_minutes,
            "sequence": conversation.sequence,
        },
    )


# --- Agenda ------------------------------------------------------------------------------


def conversation_prepare(conversation: Conversation) -> None:
    """Questions for the organisation, and the agenda prefilled from the plan."""
    preparation_questions_ensure(organisation_id=conversation.organisation_id)
    items: list[AgendaItem] = []
    day = timezone.localtime(conversation.starts_at, conversation.organisation.tzinfo).date()
    plan = DevelopmentPlan.objects.filter(employee_id=conversation.employee_id).first()
    if plan is not None:
        due = DevelopmentAction.objects.filter(
            plan=plan,
            status__in=[DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS],
            due_date__lte=day + AGENDA_ACTION_HORIZON,
        ).order_by("due_date")
        items += [
            AgendaItem(text=action.title[:300], source=AgendaItem.Source.ACTION, action=action)
            for action in due
        ]
    goals = list(
        Goal.objects.filter(
            owner_person_id=conversation.employee_id,
            level=Goal.Level.INDIVIDUAL,
            status=Goal.Status.ACTIVE,
        )
    )
    if goals:
        progress = goals_progress(
            organisation=conversation.organisation, goal_ids=[goal.pk for goal in goals]
        )
        items += [
            AgendaItem(text=goal.title[:300], source=AgendaItem.Source.GOAL, goal=goal)
            for goal in goals
            if progress.of(goal.pk).signal in ("behind", "at_risk")
        ]
    previous = last_held(conversation)
    if previous is not None:
        items += [
            AgendaItem(text=agreement.text, source=AgendaItem.Source.AGREEMENT, agreement=agreement)
            for agreement in previous.agreements.filter(status=Agreement.Status.OPEN)
        ]
    for item in items:
        item.conversation = conversation
    AgendaItem.objects.bulk_create(items)


def _check_writable(conversation: Conversation, by: User) -> None:
    if by.pk not in (conversation.employee_id, conversation.manager_id):
        raise PermissionDenied
    if conversation.status == Conversation.Status.CANCELLED:
        raise ValidationError(_("This conversation is cancelled."))


def may_edit_plan_of(conversation: Conversation, by: User) -> bool:
    """Turning agreements into plan items needs the plan's own rights: the employee or
    their current line manager (a former manager keeps the old conversation, not the plan)."""
    employee = conversation.employee
    return by.pk == employee.pk or is_line_manager_of(by, employee)


def _check_plan_writable(conversation: Conversation, by: User) -> None:
    _check_writable(conversation, by)
    if not may_edit_plan_of(conversation, by):
        raise PermissionDenied


def agenda_item_add(*, conversation: Conversation, by: User, text: str) -> AgendaItem:
    _check_writable(conversation, by)
    if conversation.status == Conversation.Status.HELD:
        raise ValidationError(_("The conversation was held; its agenda is closed."))
    item = AgendaItem.objects.create(conversation=conversation, author=by, text=text.strip())
    _audit_change(conversation=conversation, by=by, part="agenda")
    return item


# --- Preparation -------------------------------------------------------------------------


@transaction.atomic
def preparation_save(
    *, conversation: Conversation, by: User, answers: dict[int, str]
) -> list[PreparationAnswer]:
    """Save ``by``'s answers (question id → text) for this conversation."""
    _check_writable(conversation, by)
    side = EMPLOYEE if by.pk == conversation.employee_id else MANAGER
    questions = set(
        PreparationQuestion.objects.filter(
            organisation_id=conversation.organisation_id,
            kind=conversation.kind,
            audience__in=(BOTH, side),
            pk__in=answers,
        ).values_list("pk", flat=True)
    )
    saved = []
    for question_id, body in answers.items():
        if question_id not in questions:
            raise PermissionDenied
        answer, _created = PreparationAnswer.objects.update_or_create(
            conversation=conversation,
            question_id=question_id,
            author=by,
            defaults={"body": body.strip()},
        )
        saved.append(answer)
    _audit_change(conversation=conversation, by=by, part="preparation")
    return saved


# --- Notes -------------------------------------------------------------------------------


@transaction.atomic
def shared_note_save(
    *, conversation: Conversation, by: User, body: str, expected_version: int
) -> SharedNote:
    """Raises ``VersionConflict`` (with the note as it is now) when the other party saved
    since ``expected_version``."""
    _check_writable(conversation, by)
    note, _created = SharedNote.objects.get_or_create(conversation=conversation)
    conditional_update(
        item=note, expected_version=expected_version, changes={"body": body, "updated_by": by}
    )
    note.refresh_from_db()
    _audit_change(conversation=conversation, by=by, part="notes")
    return note


def notes_merged(*, theirs: str, mine: str) -> str:
    """Both texts in one: theirs, then what only mine adds (nothing twice when one
    already holds the other)."""
    theirs, mine = theirs.strip(), mine.strip()
    if not theirs or mine.startswith(theirs) or theirs in mine:
        return mine
    if not mine or theirs.startswith(mine) or mine in theirs:
        return theirs
    return f"{theirs}\n\n{mine}"


@transaction.atomic
def private_note_save(
    *, conversation: Conversation, by: User, body: str, expected_version: int
) -> ConversationPrivateNote:
    _check_writable(conversation, by)
    note, _created = ConversationPrivateNote.objects.get_or_create(
        conversation=conversation, author=by
    )
    conditional_update(item=note, expected_version=expected_version, changes={"body": body})
    note.refresh_from_db()
    # Not in the audit trail: a private note is its author's own, not the employee's (the
    # trail goes into the employee's data export and onto HR's audit page).
    return note


# --- Agreements --------------------------------------------------------------------------


def agreement_add(
    *,
    conversation: Conversation,
    by: User,
    text: str,
    owner: User,
    due_date: datetime.date | None = None,
) -> Agreement:
    _check_writable(conversation, by)
    if owner.pk not in (conversation.employee_id, conversation.manager_id):
        raise ValidationError({"owner": _("An agreement belongs to one of the two of you.")})
    agreement = Agreement.objects.create(
        conversation=conversation, text=text.strip(), owner=owner, due_date=due_date, created_by=by
    )
    _audit_change(conversation=conversation, by=by, part="agreement")
    return agreement


@transaction.atomic
def agreement_to_action(
    *,
    agreement: Agreement,
    by: User,
    gap: CompetencyGap | None = None,
    goal: Goal | None = None,
    kind: str = DevelopmentAction.Kind.OTHER,
) -> DevelopmentAction:
    """The agreement becomes a development action on the employee's plan, serving the
    chosen competency gap or goal (the plan's rule: development serves one of them)."""
    conversation = agreement.conversation
    _check_plan_writable(conversation, by)
    if agreement.on_plan:
        raise ValidationError(_("This agreement is already on the plan."))
    plan = plan_get_or_create(employee=conversation.employee)
    if gap is not None and gap.plan_id != plan.pk:
        raise PermissionDenied
    if goal is not None and not linkable_goals(plan=plan).filter(pk=goal.pk).exists():
        raise PermissionDenied
    if gap is None and goal is None:
        raise ValidationError(_("Choose the competency gap or goal this action serves."))
    action = item_create(
        plan=plan,
        kind=kind_named("action"),
        by=by,
        values={
            "kind": kind,
            "title": agreement.text[:200],
            "description": _("Agreed in the %(kind)s of %(date)s.")
            % {
                "kind": conversation.get_kind_display(),
                "date": timezone.localtime(conversation.starts_at or timezone.now())
                .date()
                .isoformat(),
            },
            "gap": gap,
            "goal": goal,
            "due_date": agreement.due_date,
        },
    )
    Agreement.objects.filter(pk=agreement.pk).update(plan_action=action, updated_at=timezone.now())
    agreement.plan_action = action
    _audit_change(conversation=conversation, by=by, part="agreement")
    return action


@transaction.atomic
def agreement_to_check_in(*, agreement: Agreement, by: User, goal: Goal) -> GoalUpdate:
    """The agreement is recorded as a check-in on one of the employee's goals."""
    conversation = agreement.conversation
    _check_plan_writable(conversation, by)
    if agreement.on_plan:
        raise ValidationError(_("This agreement is already on the plan."))
    if goal.owner_person_id != conversation.employee_id:
        raise PermissionDenied
    update = goal_check_in(
        goal=goal,
        by=by,
        value=goal.current_value,
        confidence=7,
        note=_("Agreed in our conversation: %(text)s") % {"text": agreement.text},
    )
    Agreement.objects.filter(pk=agreement.pk).update(goal_update=update, updated_at=timezone.now())
    agreement.goal_update = update
    _audit_change(conversation=conversation, by=by, part="agreement")
    return update


def agreement_set_done(*, agreement: Agreement, by: User, done: bool) -> Agreement:
    _check_writable(agreement.conversation, by)
    agreement.status = Agreement.Status.DONE if done else Agreement.Status.OPEN
    agreement.save(update_fields=["status", "updated_at"])
    _audit_change(conversation=agreement.conversation, by=by, part="agreement")
    return agreement
