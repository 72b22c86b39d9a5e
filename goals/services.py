"""Writes for goals: create, edit (conditional on the version), propose, approve or
return, check in, and assign one team goal to several reports at once."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from people.access import units_of_organisation
from people.models import ApiClient, AuditEvent, OrgUnit, User, WebhookSubscription
from people.outbox import outbox_event, outbox_send
from people.services import audit_event, audit_record_about, audit_record_many

from .models import Goal, GoalUpdate, goals_changed
from .privacy import AUDIT_TYPE
from .smart import smart_essentials_missing

Level, Status, Visibility, Metric = Goal.Level, Goal.Status, Goal.Visibility, Goal.Metric

# What the create and edit forms may change; the rest is set by the transitions below.
EDITABLE_FIELDS = (
    "parent",
    "not_linked_reason",
    "weight",
    "title",
    "description",
    "metric",
    "start_value",
    "target_value",
    "measure_unit",
    "feasibility_note",
    "start_date",
    "due_date",
    "visibility",
)
# A manager (or HR for organisation goals) may also close an active goal.
STATUSES_AFTER_APPROVAL = (
    Status.ACTIVE,
    Status.ACHIEVED,
    Status.NOT_ACHIEVED,
    Status.CANCELLED,
    Status.ARCHIVED,
)


class GoalConflict(Exception):
    """Someone else saved the goal since the form was opened."""

    def __init__(self, current: Goal) -> None:
        super().__init__("The goal was changed by someone else.")
        self.current = current


# --- Rules that involve more than one row ------------------------------------------------


def _unit_ancestors(unit: OrgUnit) -> set[int]:
    parents = dict(units_of_organisation(unit.organisation_id).values_list("id", "parent_id"))
    ancestors: set[int] = set()
    current = parents.get(unit.pk)
    while current is not None and current not in ancestors:
        ancestors.add(current)
        current = parents.get(current)
    return ancestors


def _creates_cycle(goal: Goal, parent: Goal) -> bool:
    if goal.pk is None:
        return False
    seen: set[int] = set()
    current: Goal | None = parent
    while current is not None and current.pk not in seen:
        if current.pk == goal.pk:
            return True
        seen.add(current.pk)
        current = current.parent
    return False


def _parent_errors(goal: Goal, *, parent_changed: bool) -> list[str]:
    parent = goal.parent
    if parent is None:
        return []
    if parent.organisation_id != goal.organisation_id:
        return [_("A goal can only contribute to a goal of its own organisation.")]
    if goal.level == Level.ORGANISATION:
        return [_("An organisation goal cannot contribute to another goal.")]
    errors = []
    if goal.level == Level.TEAM and not (
        parent.level == Level.ORGANISATION
        or (parent.level == Level.TEAM and parent.owner_unit_id in _unit_ancestors(goal.owner_unit))
    ):
        errors.append(
            _(
                "A team goal contributes to an organisation goal or to a goal of a unit "
                "above this team."
            )
        )
    if goal.level == Level.INDIVIDUAL and parent.level not in (Level.ORGANISATION, Level.TEAM):
        errors.append(_("An individual goal contributes to a team or organisation goal."))
    if _creates_cycle(goal, parent):
        errors.append(_("This link would make the goal contribute to itself."))
    if parent_changed and parent.status != Status.ACTIVE:
        errors.append(_("A goal can only contribute to an active goal."))
    return errors


def goal_validate(goal: Goal, *, parent_changed: bool = True) -> None:
    """All rules for one goal, with messages per form field; raises ``ValidationError``."""
    errors: dict[str, list[str]] = {}

    def add(field_name: str, message: str) -> None:
        errors.setdefault(field_name, []).append(message)

    organisation_id = goal.organisation_id
    if goal.owner_unit is not None and goal.owner_unit.organisation_id != organisation_id:
        add("owner_unit", _("This unit belongs to another organisation."))
    if goal.owner_person is not None and goal.owner_person.organisation_id != organisation_id:
        add("owner_person", _("This person belongs to another organisation."))
    for message in _parent_errors(goal, parent_changed=parent_changed):
        add("parent", message)
    unlinked = goal.level != Level.ORGANISATION and goal.parent is None
    if unlinked and not goal.not_linked_reason.strip():
        add(
            "not_linked_reason",
            _("Link the goal to a team or organisation goal, or say why it is not linked."),
        )
    if goal.level == Level.ORGANISATION and goal.visibility != Visibility.ORGANISATION:
        add("visibility", _("Everyone in the organisation sees its goals."))
    if goal.level == Level.TEAM and goal.visibility == Visibility.PRIVATE:
        add("visibility", _("A team goal is visible to the team or to the whole organisation."))
    numeric = goal.metric in (Metric.PERCENTAGE, Metric.NUMBER, Metric.CURRENCY)
    if numeric and goal.target_value is not None and goal.target_value == goal.start_value:
        add("target_value", _("The target value must differ from the start value."))
    if goal.start_date and goal.due_date and goal.due_date < goal.start_date:
        add("due_date", _("The due date cannot be before the start date."))
    if errors:
        raise ValidationError(errors)
    goal.full_clean(exclude=["created_by"])


def _normalise_measure(goal: Goal) -> None:
    if goal.metric == Metric.YES_NO:
        goal.start_value, goal.target_value = Decimal(0), Decimal(1)
        if goal.current_value is None:
            goal.current_value = Decimal(0)
    elif goal.metric == Metric.NONE:
        goal.start_value = goal.target_value = goal.current_value = None
    elif goal.start_value is None and goal.target_value is not None:
        goal.start_value = Decimal(0)
    if goal.parent is not None:
        goal.not_linked_reason = ""


# --- Notifications -----------------------------------------------------------------------


def _notify(*, recipient: User, kind: str, goal: Goal, **context: str) -> None:
    """In the inbox and by e-mail; the text is ``templates/messages/<kind>.txt``."""
    outbox_send(
        recipient=recipient,
        kind=kind,
        context={"title": goal.title, **context},
        link=goal.get_absolute_url(),
    )


# --- Create and edit -----------------------------------------------------------------------


@transaction.atomic
def goal_create(
    *,
    by: User | None,
    level: str,
    data: dict,
    owner_unit: OrgUnit | None = None,
    owner_person: User | None = None,
    propose: bool = False,
    client: ApiClient | None = None,
) -> Goal:
    """A new goal. Organisation (HR) and team goals (their manager) are active at once;
    an individual goal starts as its employee's draft, proposed right away if asked. An
    API client (``client``, no ``by``) makes team goals and drafts for an employee
    (``owner_person``), who proposes them to their manager as usual."""
    organisation_id = by.organisation_id if by is not None else client.organisation_id
    goal = Goal(organisation_id=organisation_id, level=level, created_by=by)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(goal, name, data[name])
    if level == Level.INDIVIDUAL:
        goal.owner_person = owner_person or by
        goal.status = Status.DRAFT
    else:
        goal.owner_unit = owner_unit if level == Level.TEAM else None
        goal.status = Status.ACTIVE
        goal.approved_by, goal.approved_at = by, timezone.now()
        if level == Level.ORGANISATION:
            goal.visibility = Visibility.ORGANISATION
    if goal.start_date is None:
        start = goal.parent.start_date if goal.parent else None
        goal.start_date = start or timezone.localdate()
        if goal.due_date is not None and goal.due_date < goal.start_date:
            goal.start_date = None
    _normalise_measure(goal)
    goal_validate(goal)
    goal.save()
    if client is not None:
        _audit_change(
            goal=goal, by=None, client=client, part="api", action=AuditEvent.Action.CREATE
        )
    if propose:
        goal = goal_submit(goal=goal, by=by)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    by: User | None,
    data: dict,
    version: int,
    manage: bool,
    client: ApiClient | None = None,
) -> Goal:
    """Save the changed fields only if nobody saved the goal in between (``version``)."""
    if goal.is_closed and not manage:
        raise ValidationError(_("This goal is closed and can no longer be changed."))
    if not manage and goal.status not in (Status.DRAFT, Status.PROPOSED):
        raise ValidationError(
            _("Your goal is approved: ask your manager to change it, or record a check-in.")
        )
    old_parent_id, old_status = goal.parent_id, goal.status
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(goal, name, data[name])
    status = data.get("status")
    if manage and status and goal.status in STATUSES_AFTER_APPROVAL:
        if status not in STATUSES_AFTER_APPROVAL:
            raise ValidationError({"status": _("An approved goal cannot go back to a draft.")})
        goal.status = status
    _normalise_measure(goal)
    goal_validate(goal, parent_changed=goal.parent_id != old_parent_id)
    changes = {name: getattr(goal, name) for name in (*EDITABLE_FIELDS, "status")}
    parent = changes.pop("parent")
    changes["parent_id"] = parent.pk if parent else None
    changes["current_value"] = goal.current_value
    updated = Goal.objects.filter(pk=goal.pk, version=version).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise GoalConflict(current=Goal.objects.select_related("parent").get(pk=goal.pk))
    goals_changed(goal.organisation_id)
    goal.version = version + 1
    _audit_change(goal=goal, by=by, client=client, part="edit")
    if goal.status == Status.ACHIEVED and old_status != Status.ACHIEVED:
        _goal_event(goal, WebhookSubscription.Event.GOAL_ACHIEVED)
    return goal


def _goal_event(goal: Goal, event: str) -> None:
    """For webhooks: ids and facts, never the goal's title or texts."""
    owner = goal.owner_person
    outbox_event(
        organisation_id=goal.organisation_id,
        event=event,
        data={
            "goal_id": str(goal.uuid),
            "level": goal.level,
            "status": goal.status,
            "parent_id": str(goal.parent.uuid) if goal.parent_id else None,
            "owner_person_id": str(owner.uuid) if owner else None,
            "owner_unit_id": str(goal.owner_unit.uuid) if goal.owner_unit_id else None,
        },
    )


def _audit_change(
    *,
    goal: Goal,
    by: User | None,
    part: str,
    action: str = AuditEvent.Action.CHANGE,
    client: ApiClient | None = None,
) -> None:
    """A change to someone's individual goal by anyone else (or an API client) goes to
    the audit trail (a reference and the kind of change; never the goal's text, which the
    trail outlives)."""
    if goal.owner_person_id is not None:
        audit_record_about(
            actor=by,
            client=client,
            subject=goal.owner_person,
            action=action,
            object_type=AUDIT_TYPE,
            object_id=str(goal.uuid),
            summary=part,
        )


# --- Propose, approve, return ------------------------------------------------------------


def _transition(*, goal: Goal, expected: str, changes: dict) -> None:
    """Move one goal from ``expected`` to a new status; nobody else can move it meanwhile."""
    updated = Goal.objects.filter(pk=goal.pk, status=expected).update(
        **changes, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError(_("The goal changed in the meantime. Look at it again."))
    goals_changed(goal.organisation_id)
    for name, value in changes.items():
        setattr(goal, name, value)
    goal.version += 1


def _require_essentials(goal: Goal, lead: str) -> None:
    """The SMART check's essentials (a measure and a due date), with their hints, on the
    form fields they concern."""
    missing = smart_essentials_missing(goal)
    if missing:
        raise ValidationError(
            {NON_FIELD_ERRORS: [lead], **{name: [hint] for name, hint in missing.items()}}
        )


@transaction.atomic
def goal_submit(*, goal: Goal, by: User) -> Goal:
    """The employee proposes their goal to their line manager."""
    if goal.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be proposed."))
    manager = goal.owner_person.line_manager if goal.owner_person else None
    if manager is None:
        raise ValidationError(_("You have no line manager to approve this goal."))
    _require_essentials(goal, _("Before you propose it, make it measurable and time-bound."))
    _transition(
        goal=goal,
        expected=Status.DRAFT,
        changes={"status": Status.PROPOSED, "proposed_by": by, "proposed_at": timezone.now()},
    )
    _notify(recipient=manager, kind="goal_proposed", goal=goal, name=goal.owner_person.full_name)
    return goal


def _review_done(*, goal: Goal, by: User, kind: str, part: str, comment: str) -> None:
    """Tell the owner how their proposal was reviewed; log it."""
    _notify(recipient=goal.owner_person, kind=kind, goal=goal, comment=comment.strip())
    _audit_change(goal=goal, by=by, part=part)


@transaction.atomic
def goal_approve(*, goal: Goal, by: User, comment: str = "") -> Goal:
    if goal.status != Status.PROPOSED:
        raise ValidationError(_("Only a proposed goal can be approved."))
    _require_essentials(
        goal, _("It cannot be approved yet: it is not measurable and time-bound. Return it.")
    )
    _transition(
        goal=goal,
        expected=Status.PROPOSED,
        changes={
            "status": Status.ACTIVE,
            "approved_by": by,
            "approved_at": timezone.now(),
            "review_comment": comment.strip(),
        },
    )
    _review_done(
        goal=goal,
        by=by,
        kind="goal_approved",
        part="approve",
        comment=comment,
    )
    _goal_event(goal, WebhookSubscription.Event.GOAL_APPROVED)
    return goal


@transaction.atomic
def goal_return(*, goal: Goal, by: User, comment: str) -> Goal:
    """Send a proposal back to the employee with a comment; it becomes a draft again."""
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change before you return it.")})
    if goal.status != Status.PROPOSED:
        raise ValidationError(_("Only a proposed goal can be returned."))
    _transition(
        goal=goal,
        expected=Status.PROPOSED,
        changes={"status": Status.DRAFT, "review_comment": comment.strip()},
    )
    _review_done(
        goal=goal,
        by=by,
        kind="goal_returned",
        part="return",
        comment=comment,
    )
    return goal


# --- Check-ins ---------------------------------------------------------------------------


@transaction.atomic
def goal_check_in(
    *,
    goal: Goal,
    by: User | None,
    value: Decimal | None,
    confidence: int,
    note: str = "",
    client: ApiClient | None = None,
) -> GoalUpdate:
    """Record a check-in and move the goal's current value with it, in one transaction."""
    if goal.status != Status.ACTIVE:
        raise ValidationError(_("You can only check in on an active goal."))
    if goal.is_measured and value is None:
        raise ValidationError({"value": _("Enter the value reached so far.")})
    if goal.metric == Metric.YES_NO and value not in (Decimal(0), Decimal(1)):
        raise ValidationError({"value": _("A yes/no goal is either reached (1) or not (0).")})
    if not goal.is_measured:
        value = None
    update = GoalUpdate(goal=goal, value=value, confidence=confidence, note=note.strip(), author=by)
    update.full_clean(exclude=["goal", "author"])
    update.save()
    if value is not None:
        Goal.objects.filter(pk=goal.pk).update(
            current_value=value, version=F("version") + 1, updated_at=timezone.now()
        )
        goals_changed(goal.organisation_id)
        goal.current_value = value
        goal.version += 1
    _audit_change(goal=goal, by=by, client=client, part="check-in")
    return update


# --- Bulk assignment ---------------------------------------------------------------------


@dataclass
class AssignResult:
    created: list[Goal] = field(default_factory=list)
    skipped: list[User] = field(default_factory=list)


@transaction.atomic
def goals_assign(
    *,
    team_goal: Goal,
    by: User,
    people: list[User],
    title: str,
    target_value: Decimal | None = None,
    due_date: datetime.date | None = None,
) -> AssignResult:
    """Turn one team goal into a draft individual goal for each chosen direct report.

    Each person then edits and proposes their own goal. People who already have a goal
    under this team goal are skipped, so assigning twice creates nothing twice.
    """
    if team_goal.level != Level.TEAM or team_goal.status != Status.ACTIVE:
        raise ValidationError(_("Only an active team goal can be assigned."))
    if not people:
        raise ValidationError({"people": _("Choose at least one person.")})
    for person in people:
        if person.line_manager_id != by.pk or person.organisation_id != team_goal.organisation_id:
            raise ValidationError({"people": _("You can only assign goals to your own reports.")})
    already = set(
        Goal.objects.filter(parent=team_goal, owner_person__in=people)
        .exclude(status__in=[Status.CANCELLED, Status.ARCHIVED])
        .values_list("owner_person_id", flat=True)
    )
    result = AssignResult(skipped=[person for person in people if person.pk in already])
    metric = team_goal.metric if team_goal.is_measured else Metric.NUMBER
    new_goals = []
    for person in people:
        if person.pk in already:
            continue
        goal = Goal(
            organisation_id=team_goal.organisation_id,
            level=Level.INDIVIDUAL,
            owner_person=person,
            parent=team_goal,
            title=title,
            description=team_goal.description,
            metric=metric,
            start_value=Decimal(0) if target_value is not None else None,
            target_value=target_value,
            measure_unit=team_goal.measure_unit,
            start_date=team_goal.start_date,
            due_date=due_date or team_goal.due_date,
            status=Status.DRAFT,
            visibility=Visibility.PRIVATE,
            created_by=by,
        )
        _normalise_measure(goal)
        goal_validate(goal)
        new_goals.append(goal)
    result.created = Goal.objects.bulk_create(new_goals)
    goals_changed(*{goal.organisation_id for goal in new_goals})
    audit_record_many(
        [
            audit_event(
                actor=by,
                subject=goal.owner_person,
                action=AuditEvent.Action.CREATE,
                object_type=AUDIT_TYPE,
                object_id=str(goal.uuid),
                summary="assign",
            )
            for goal in result.created
        ]
    )
    for goal in result.created:
        _notify(recipient=goal.owner_person, kind="goal_assigned", goal=goal, name=by.full_name)
    return result
