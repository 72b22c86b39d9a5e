"""Reads for the plan page: everything prefetched, so the templates run no queries and
the page costs the same number of queries for 3 actions as for 30."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import DateField, Field, Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext

from goals.access import goal_ids_shown_to, goals_visible_to
from goals.models import Goal
from goals.progress import Progress, rollup
from people.access import is_line_manager_of
from people.models import User

from .access import PLAN_RELATED, may_edit
from .diff import Segment, is_prose, word_diff
from .items import KIND_OF_TYPE, PLAN_SECTIONS, PLAN_TYPE, SNAPSHOT_ITEMS, raw
from .models import (
    ActionStep,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanChange,
    PlanComment,
    PlanVersion,
    PlanVisit,
    Priority,
    PrivateNote,
)

STATUS_ORDER = [
    DevelopmentAction.Status.IN_PROGRESS,
    DevelopmentAction.Status.PLANNED,
    DevelopmentAction.Status.DONE,
    DevelopmentAction.Status.CANCELLED,
]
CHANGE_LIMIT = 30
CHANGE_ROWS = 300  # change rows read for those lines (merged saves count once)
HISTORY_ROWS = 150  # change rows per page of the full history


def budget_used(actions) -> Decimal:
    """The part of the budget actions take: the cost of every action that is not cancelled."""
    return sum((action.cost for action in actions if action.counts_for_budget), Decimal("0"))


class PlanBudget:
    """The budget figures of a plan shown with its actions (the plan page, the PDF, an
    agreed version): needs ``plan`` and ``actions``."""

    @property
    def budget_used(self) -> Decimal:
        return budget_used(self.actions)

    @property
    def budget_left(self) -> Decimal:
        return self.plan.yearly_budget - self.budget_used

    @property
    def over_budget(self) -> bool:
        return self.budget_left < 0


@dataclass
class ChangeLine:
    """One line of "what changed": readable in the viewer's language."""

    operation: str
    item_type: str
    item_label: str
    field_label: str = ""
    old: str = ""
    new: str = ""
    author: User | None = None
    at: datetime.datetime | None = None
    field: str = ""
    #: Older saves of the same field by the same person folded into this line.
    merged: int = 0

    @property
    def type_label(self) -> str:
        kind = KIND_OF_TYPE.get(self.item_type)
        return str(kind.history_label) if kind else ""

    @cached_property
    def segments(self) -> list[Segment]:
        """A text's change word by word, in context ([] for short values: old → new)."""
        return word_diff(self.old, self.new) if is_prose(self.old, self.new) else []


@dataclass
class GoalLine:
    goal: Goal
    path: list[str]
    progress: Progress


# Views on a gap's current level this many levels apart go on the next conversation's agenda.
VIEWS_APART = 2


@dataclass
class GapViews:
    """The employee's and the line manager's latest view of a gap's current level, and
    the earlier ones (newest first)."""

    gap: CompetencyGap
    employee: LevelAssessment | None = None
    manager: LevelAssessment | None = None
    earlier: list[LevelAssessment] = field(default_factory=list)

    @property
    def difference(self) -> int | None:
        """How many levels the two views are apart (None until both gave one)."""
        if self.employee is None or self.manager is None:
            return None
        return abs(self.employee.level - self.manager.level)

    @property
    def far_apart(self) -> bool:
        return (self.difference or 0) >= VIEWS_APART

    def latest_of(self, side: str) -> LevelAssessment | None:
        return self.employee if side == LevelAssessment.Side.EMPLOYEE else self.manager


def gap_views(gaps: Iterable[CompetencyGap]) -> dict[int, GapViews]:
    """Every gap's views, by gap id, in one query (the gaps' competencies selected)."""
    gaps = list(gaps)
    views = {gap.pk: GapViews(gap=gap) for gap in gaps}
    rows = LevelAssessment.objects.filter(gap__in=gaps).select_related("author")
    for row in rows:  # newest first
        line = views[row.gap_id]
        row.gap = line.gap
        if row.side == LevelAssessment.Side.EMPLOYEE and line.employee is None:
            line.employee = row
        elif row.side == LevelAssessment.Side.MANAGER and line.manager is None:
            line.manager = row
        else:
            line.earlier.append(row)
    return views


def gaps_with_views_apart(*, employee_id: int) -> list[GapViews]:
    """The gaps of a person's plan whose employee's and manager's views of the current
    level are ``VIEWS_APART`` or more levels apart (for a conversation's agenda)."""
    gaps = CompetencyGap.objects.filter(plan__employee_id=employee_id).select_related("competency")
    return [line for line in gap_views(gaps).values() if line.far_apart]


@dataclass
class StatusGroup:
    status: str
    label: str
    actions: list[DevelopmentAction]

    @property
    def finished(self) -> bool:
        """Done or cancelled: the page folds them away."""
        return self.status in (DevelopmentAction.Status.DONE, DevelopmentAction.Status.CANCELLED)


@dataclass
class ActionGroup:
    priority: str
    statuses: list[StatusGroup]


@dataclass
class PlanPage(PlanBudget):
    """What the plan page shows. The parts that only the whole page shows (private notes,
    goal lines, the history and what changed since the last visit or version) are read
    when first used, so the fragments that htmx swaps after an edit do not read them."""

    plan: DevelopmentPlan
    viewer: User
    versions: list[PlanVersion]
    #: When the viewer last saw the plan, read before this visit is recorded.
    last_visit: datetime.datetime | None
    can_edit: bool
    is_employee: bool
    is_manager: bool

    @cached_property
    def _content(self) -> DevelopmentPlan:
        """Gaps, actions, steps and comments, read when first shown: a page whose
        sections come from the cache reads none of them."""
        return plan_content(plan_id=self.plan.pk, loaded=self.plan)

    @cached_property
    def gaps(self) -> list[CompetencyGap]:
        return list(self._content.gaps.all())

    @cached_property
    def actions(self) -> list[DevelopmentAction]:
        return list(self._content.actions.all())

    @cached_property
    def comments(self) -> list[PlanComment]:
        return self._content.plan_comments

    @cached_property
    def action_groups(self) -> list[ActionGroup]:
        return _group_actions(self.actions)

    @cached_property
    def notes(self) -> list[PrivateNote]:
        return list(PrivateNote.objects.filter(plan=self.plan, author=self.viewer))

    @cached_property
    def goals(self) -> list[GoalLine]:
        return plan_goal_lines(plan=self.plan, viewer=self.viewer)

    @cached_property
    def since_visit(self) -> list[ChangeLine]:
        """What others changed since the viewer's last visit (at most ``CHANGE_LIMIT``
        lines: the page must not grow with the history, which loads on demand)."""
        if self.last_visit is None:
            return []
        changes = self._changes.filter(at__gt=self.last_visit).exclude(author=self.viewer)
        return self._shown(merged_lines(changes[:CHANGE_ROWS]))[:CHANGE_LIMIT]

    @cached_property
    def version_diff(self) -> list[ChangeLine]:
        """How the plan now differs from the last agreed version (net, word by word)."""
        if self.latest_version is None or self.plan.status != DevelopmentPlan.Status.CHANGED:
            return []
        now = plan_snapshot(plan=self.plan)
        return self._shown(snapshot_diff(agreed=self.latest_version.snapshot, now=now))

    @property
    def latest_version(self) -> PlanVersion | None:
        return self.versions[0] if self.versions else None

    @property
    def changes_default(self) -> str:
        """Which view of "what changed" the page opens with."""
        if self.can_edit and self.last_visit is not None:
            return "visit"
        return "version" if self.latest_version else "visit"

    @property
    def _changes(self) -> QuerySet[PlanChange]:
        return PlanChange.objects.filter(plan=self.plan).select_related("author")

    def _shown(self, lines: list[ChangeLine]) -> list[ChangeLine]:
        # Goal links may name a private goal: only the employee and their line manager see
        # private goals (goals' visibility rule), so other readers (HR) see no goal titles.
        return lines if self.is_employee or self.is_manager else _without_goal_titles(lines)

    @cached_property
    def _goals_shown(self) -> set[int] | None:
        """The linked goals the viewer may see (None: all of them, for the employee and
        their line manager), read when the page first mentions one."""
        if self.is_employee or self.is_manager:
            return None
        linked = {item.goal_id for item in (*self.gaps, *self.actions) if item.goal_id}
        return goal_ids_shown_to(self.viewer, linked)

    def shows_goal(self, goal) -> bool:
        shown = self._goals_shown
        return shown is None or goal.pk in shown

    @property
    def my_akkoord_pending(self) -> bool:
        plan = self.plan
        if plan.status == DevelopmentPlan.Status.AGREED:
            return False
        if self.is_employee:
            return plan.employee_agreed_at is None
        return self.is_manager and plan.manager_agreed_at is None

    def action(self, uuid) -> DevelopmentAction | None:
        return next((a for a in self.actions if str(a.uuid) == str(uuid)), None)

    def gap(self, uuid) -> CompetencyGap | None:
        return next((g for g in self.gaps if str(g.uuid) == str(uuid)), None)

    @cached_property
    def _gap_views(self) -> dict[int, GapViews]:
        return gap_views(self.gaps)

    def views_of(self, gap: CompetencyGap) -> GapViews:
        """The views on ``gap``'s current level (a gap added after the page was read has
        none yet)."""
        return self._gap_views.get(gap.pk) or GapViews(gap=gap)


def _model_field(item_type: str, name: str) -> Field | None:
    kind = KIND_OF_TYPE.get(item_type)
    return kind.model._meta.get_field(name) if kind and name else None


def _field_display(item_type: str, name: str, value: str) -> str:
    model_field = _model_field(item_type, name)
    if model_field is None or not value:
        return value
    if model_field.choices:
        return str({str(k): v for k, v in model_field.choices}.get(value, value))
    if isinstance(model_field, DateField):
        return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
    return value


def _field_label(item_type: str, name: str) -> str:
    model_field = _model_field(item_type, name)
    return "" if model_field is None else str(model_field.verbose_name)


def describe(change: PlanChange) -> ChangeLine:
    return ChangeLine(
        operation=change.get_operation_display(),
        item_type=change.item_type,
        item_label=change.item_label,
        field_label=_field_label(change.item_type, change.field),
        old=_field_display(change.item_type, change.field, change.old),
        new=_field_display(change.item_type, change.field, change.new),
        author=change.author,
        at=change.at,
        field=change.field,
    )


# Saves of one field by one person this close together read as one change.
MERGE_WITHIN = datetime.timedelta(minutes=10)


def merged_lines(changes: Iterable[PlanChange]) -> list[ChangeLine]:
    """The changes (newest first) as lines, with consecutive saves of one field by one
    person within ``MERGE_WITHIN`` of each other folded into one: from the value before
    the first to the value after the last."""
    lines: list[ChangeLine] = []
    last: PlanChange | None = None
    for change in changes:
        same_edit = (
            last is not None
            and change.operation == PlanChange.Operation.CHANGED == last.operation
            and change.field
            and (change.author_id, change.item_uuid, change.field)
            == (last.author_id, last.item_uuid, last.field)
            and last.at - change.at <= MERGE_WITHIN
        )
        if same_edit:
            line = lines[-1]
            line.old = _field_display(change.item_type, change.field, change.old)
            line.merged += 1
            line.__dict__.pop("segments", None)
        else:
            lines.append(describe(change))
        last = change
    return [line for line in lines if line.old != line.new or not line.field]


def snapshot_diff(*, agreed: dict, now: dict) -> list[ChangeLine]:
    """What differs between an agreed snapshot and another (the plan as it is now, or a
    later version). Keys starting with "_" are bookkeeping, not content."""
    changed = pgettext("plan difference", "changed")
    lines: list[ChangeLine] = []
    for name, value in now["plan"].items():
        old = agreed["plan"].get(name, "")
        if old != value:
            lines.append(
                ChangeLine(
                    operation=changed,
                    item_type=PLAN_TYPE,
                    item_label="",
                    field_label=_field_label(PLAN_TYPE, name),
                    old=_field_display(PLAN_TYPE, name, old),
                    new=_field_display(PLAN_TYPE, name, value),
                    field=name,
                )
            )
    for item_type in (kind.history_type for kind in SNAPSHOT_ITEMS):
        before, after = agreed.get(item_type, {}), now.get(item_type, {})
        for uuid, values in after.items():
            if uuid not in before:
                lines.append(
                    ChangeLine(pgettext("plan difference", "added"), item_type, values["_label"])
                )
                continue
            for name, value in values.items():
                if not name.startswith("_") and before[uuid].get(name, "") != value:
                    lines.append(
                        ChangeLine(
                            operation=changed,
                            item_type=item_type,
                            item_label=values["_label"],
                            field_label=_field_label(item_type, name),
                            old=_field_display(item_type, name, before[uuid].get(name, "")),
                            new=_field_display(item_type, name, value),
                            field=name,
                        )
                    )
        for uuid, values in before.items():
            if uuid not in after:
                lines.append(
                    ChangeLine(pgettext("plan difference", "removed"), item_type, values["_label"])
                )
    return lines


def item_was_removed(*, plan: DevelopmentPlan, item_uuid) -> bool:
    """The plan's history says this item was removed (private notes never are: no
    history)."""
    return PlanChange.objects.filter(
        plan=plan, item_uuid=item_uuid, operation=PlanChange.Operation.REMOVED
    ).exists()


def plan_goal_lines(*, plan: DevelopmentPlan, viewer: User) -> list[GoalLine]:
    """The plan owner's goals that ``viewer`` may see, each with its path up to the
    organisation goal and its progress.

    Individual goals have no goals below them, so their progress is their own measure
    (the roll-up of their own rows); the path comes with them (``select_related`` three
    levels up; a deeper path loads the rest on the way).
    """
    goals = list(
        goals_visible_to(viewer)
        .filter(level=Goal.Level.INDIVIDUAL, owner_person_id=plan.employee_id)
        .exclude(status__in=[Goal.Status.CANCELLED, Goal.Status.ARCHIVED])
        .select_related("parent__parent__parent")
        .order_by("due_date", "title")
    )
    organisation = plan.organisation
    progress = rollup(
        goals,
        today=timezone.localdate(),
        behind_margin=organisation.goal_behind_margin,
        at_risk_margin=organisation.goal_at_risk_margin,
    )

    def path_of(goal: Goal) -> list[str]:
        titles, seen, current = [], {goal.pk}, goal.parent
        while current is not None and current.pk not in seen:
            titles.append(current.title)
            seen.add(current.pk)
            current = current.parent
        return titles[::-1]

    return [GoalLine(goal=goal, path=path_of(goal), progress=progress[goal.pk]) for goal in goals]


def _group_actions(actions: list[DevelopmentAction]) -> list[ActionGroup]:
    groups = []
    for priority in Priority:
        of_priority = [a for a in actions if a.priority == priority]
        if not of_priority:
            continue
        statuses = [
            StatusGroup(status, str(status.label), [a for a in of_priority if a.status == status])
            for status in STATUS_ORDER
        ]
        groups.append(
            ActionGroup(
                priority=str(priority.label),
                statuses=[group for group in statuses if group.actions],
            )
        )
    return groups


def plan_content(
    *, plan_id: int, comments: bool = True, loaded: DevelopmentPlan | None = None
) -> DevelopmentPlan:
    """The plan with its gaps, actions and steps prefetched (no private notes), and with
    its comments unless ``comments=False`` (the PDF and snapshots show none): all of them
    in one query, as ``plan_comments`` (on the plan itself) and ``thread`` (of each gap
    and action).

    ``loaded``: the plan as the page's access check just read it (``PLAN_RELATED``
    selected), so that it is not read twice."""
    prefetches = [
        Prefetch("gaps", CompetencyGap.objects.select_related("competency", "goal")),
        Prefetch(
            "actions",
            DevelopmentAction.objects.select_related("gap__competency", "goal").prefetch_related(
                Prefetch("steps", ActionStep.objects.all())
            ),
        ),
    ]
    if comments:
        rows = PlanComment.objects.select_related("author")
        prefetches.append(Prefetch("comments", rows, to_attr="all_comments"))
    if loaded is not None:  # just read by ``access.plan_get_for_user``, with its people
        plan = loaded
        prefetch_related_objects([plan], *prefetches)
    else:
        plan = (
            DevelopmentPlan.objects.select_related(*PLAN_RELATED)
            .prefetch_related(*prefetches)
            .get(pk=plan_id)
        )
    if comments:
        plan.plan_comments = [c for c in plan.all_comments if not (c.gap_id or c.action_id)]
        for gap in plan.gaps.all():
            gap.thread = [c for c in plan.all_comments if c.gap_id == gap.pk]
        for action in plan.actions.all():
            action.thread = [c for c in plan.all_comments if c.action_id == action.pk]
    return plan


def plan_snapshot(*, plan: DevelopmentPlan) -> dict:
    """The plan's agreeable content: its own fields, gaps, actions and steps; never
    private notes or comments. Pass a plan from ``plan_content`` (prefetched)."""
    actions = plan.actions.all()
    items = {
        "gap": plan.gaps.all(),
        "action": actions,
        "step": [step for action in actions for step in action.steps.all()],
    }
    fields = [name for kind in PLAN_SECTIONS for name in kind.snapshot_fields]
    snapshot: dict = {"plan": {name: raw(getattr(plan, name)) for name in fields}}
    for kind in SNAPSHOT_ITEMS:
        rows = items[kind.history_type]
        snapshot[kind.history_type] = {str(item.uuid): kind.snapshot_of(item) for item in rows}
    return snapshot


def _without_goal_titles(lines: list[ChangeLine]) -> list[ChangeLine]:
    for line in lines:
        if line.field == "goal":
            line.old = line.new = ""
    return lines


def plan_page(*, plan_id: int, viewer: User, loaded: DevelopmentPlan | None = None) -> PlanPage:
    """``loaded``: the plan as the access check just read it (else it is read again)."""
    plan = loaded or DevelopmentPlan.objects.select_related(*PLAN_RELATED).get(pk=plan_id)
    visit = PlanVisit.objects.filter(plan=plan, user=viewer).first()
    return PlanPage(
        plan=plan,
        viewer=viewer,
        versions=list(plan.versions.select_related("manager")),
        last_visit=visit.last_seen_at if visit else None,
        can_edit=may_edit(viewer, plan),
        is_employee=plan.employee_id == viewer.pk,
        is_manager=is_line_manager_of(viewer, plan.employee),
    )


def plan_page_parts(page: PlanPage) -> tuple:
    """What the page's cached sections (ambitions, goal lines, gaps, actions, budget)
    depend on: the plan's page version; the organisation's goals (titles, paths, progress
    and its margins), people (names, who manages whom) and competency catalogue; the day
    (overdue, progress); the language; and the viewer. The employee and their line manager
    see all of it, so each shares the sections with their own earlier visits; anyone else
    (HR) sees only the linked goals shared with them, so their key names them."""
    plan, organisation = page.plan, page.plan.organisation
    viewer = "employee" if page.is_employee else "manager" if page.is_manager else page.viewer.pk
    return (
        plan.pk, plan.page_version, viewer, page.can_edit, get_language(), timezone.localdate(),
        organisation.goals_version, organisation.units_version,
        organisation.competencies_version, organisation.goal_behind_margin,
        organisation.goal_at_risk_margin,
    )  # fmt: skip


@dataclass
class HistoryPage:
    lines: list[ChangeLine]
    number: int
    has_more: bool


def plan_history(*, page: PlanPage, number: int = 1) -> HistoryPage:
    """One page of the plan's full history, newest first, saves merged."""
    rows = list(page._changes[(number - 1) * HISTORY_ROWS : number * HISTORY_ROWS + 1])
    has_more = len(rows) > HISTORY_ROWS
    return HistoryPage(
        lines=page._shown(merged_lines(rows[:HISTORY_ROWS])), number=number, has_more=has_more
    )


def plans_for_organisation(*, organisation_id: int) -> QuerySet[DevelopmentPlan]:
    """Every plan of an organisation with what its summary shows (for the API): gaps,
    actions and agreed versions prefetched; never comments or private notes."""
    return (
        DevelopmentPlan.objects.filter(organisation_id=organisation_id)
        .select_related("employee")
        .prefetch_related(
            Prefetch("gaps", CompetencyGap.objects.select_related("competency", "goal")),
            Prefetch("actions", DevelopmentAction.objects.select_related("gap", "goal")),
            Prefetch("versions", PlanVersion.objects.order_by("number").defer("snapshot")),
        )
    )
