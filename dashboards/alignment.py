"""HR alignment figures: does development land on the strategy?

``compute`` turns the database into plain numbers (JSON-ready) in a fixed number of
queries, whatever the number of people, units or goals: aggregates in SQL where they can
be summed, and the goal cascade in Python over the organisation's goals loaded once, with
progress from ``goals.progress.rollup`` (the one progress function). Its rows and its
selection are the ones ``disclosure`` allows, so the numbers are safe to show as they are;
``dashboards.tables`` turns them into the tables of the page and the CSV.

Who counts: the active people of the organisation (HR), or a manager's active direct
reports; with a unit filter, those in the unit and the units below it (or, when that unit
may not be shown on its own, in the smallest unit above it that may).
Period (a year): goals and development actions whose period overlaps that year (no date
means no limit). Plan coverage is the situation today.
A goal, action or gap is *linked* when following its parents reaches an organisation goal.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from conversations.cadence import cadence_status, unit_policies
from conversations.models import Conversation
from feedback.selectors import actions_with_feedback
from goals.models import Goal
from goals.progress import rollup
from people.models import Organisation, OrgUnit, User
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan

from .disclosure import Selection, UnitTree, hr_selection, manager_selection

COUNTED = tuple(str(status) for status in Goal.COUNTED)
PRIVATE_GOAL = _("a private goal")
AGREED = (DevelopmentPlan.Status.AGREED, DevelopmentPlan.Status.CHANGED)
RECENT_DAYS = 90
TOP_GAPS = 10
GOAL_FIELDS = (
    "id",
    "uuid",
    "parent_id",
    "level",
    "status",
    "weight",
    "metric",
    "start_value",
    "target_value",
    "current_value",
    "start_date",
    "due_date",
    "title",
    "owner_unit_id",
    "owner_person_id",
)


@dataclass(frozen=True)
class Scope:
    organisation: Organisation
    manager_id: int | None  # None: HR, the whole organisation
    unit_id: int | None
    year: int | None

    @property
    def key(self) -> str:
        who = f"manager-{self.manager_id}" if self.manager_id else "hr"
        return f"{who}:unit-{self.unit_id or 'all'}:year-{self.year or 'all'}"


def _overlaps(year: int | None) -> Q:
    """Start and due date (each optional) overlap the year."""
    if year is None:
        return Q()
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (Q(due_date__isnull=True) | Q(due_date__gte=first)) & (
        Q(start_date__isnull=True) | Q(start_date__lte=last)
    )


def _in_year(start: datetime.date | None, due: datetime.date | None, year: int | None) -> bool:
    if year is None:
        return True
    return (due is None or due.year >= year) and (start is None or start.year <= year)


def population(scope: Scope) -> QuerySet[User]:
    """The people the figures are about (before the unit filter)."""
    today = timezone.localdate()
    people = User.objects.filter(organisation_id=scope.organisation.pk, is_active=True).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=today)
    )
    if scope.manager_id is not None:
        people = people.filter(line_manager_id=scope.manager_id)
    return people


def _prefixed(people: QuerySet[User], prefix: str) -> Q:
    """The population as a condition on a related person (``prefix`` = path to the user)."""
    return Q(**{f"{prefix}__in": people.values("pk")})


def _goal_roots(goals: list) -> dict[int, int | None]:
    """Each goal's organisation goal (following parents), or None when not linked."""
    by_id = {goal.id: goal for goal in goals}
    roots: dict[int, int | None] = {}
    for goal in goals:
        path: list[int] = []
        current = goal
        root: int | None = None
        while current is not None and current.id not in path:
            if current.id in roots:
                root = roots[current.id]
                break
            path.append(current.id)
            if current.level == Goal.Level.ORGANISATION:
                root = current.id
                break
            current = by_id.get(current.parent_id) if current.parent_id else None
        for goal_id in path:
            roots[goal_id] = root
    return roots


def selection_for(scope: Scope, people: list[tuple[int, int | None, int | None]]) -> Selection:
    """Which people and rows the scope shows (``disclosure``): ``people`` are
    ``(id, unit id, line manager id)``."""
    organisation = scope.organisation
    units = list(
        OrgUnit.objects.filter(organisation_id=organisation.pk).values_list(
            "id", "parent_id", "name"
        )
    )
    tree = UnitTree(units)
    if scope.manager_id is not None:
        manager = User.objects.filter(pk=scope.manager_id).values_list("id", "full_name").get()
        return manager_selection(
            names=tree.names, people=people, manager=manager, asked=scope.unit_id
        )
    manager_ids = {row[2] for row in people if row[2] is not None}
    managers = {
        pk: (name, unit_id)
        for pk, name, unit_id in User.objects.filter(pk__in=manager_ids).values_list(
            "id", "full_name", "unit_id"
        )
    }
    return hr_selection(
        tree=tree,
        people=people,
        managers=managers,
        k=organisation.min_group_size,
        asked=scope.unit_id,
    )


def _selection_data(selection: Selection, names: dict[int, str]) -> dict:
    return {
        "asked": selection.asked,
        "unit_id": selection.unit_id,
        "asked_label": names.get(selection.asked, ""),
        "label": names.get(selection.unit_id, ""),
        "shown": selection.units.shown,
        "compliance_shown": selection.compliance.shown,
    }


def compute(scope: Scope) -> dict:
    """All figures for one scope, as JSON-ready data, for the rows and the selection that
    ``disclosure`` allows (HR: groups of at least the minimum size, that cannot be told
    apart by subtraction)."""
    organisation = scope.organisation
    today = timezone.localdate()
    people = population(scope)
    people_rows = list(
        people.values_list("id", "unit_id", "line_manager_id", "start_date", "date_joined")
    )
    selection = selection_for(scope, [row[:3] for row in people_rows])
    layout = selection.units
    names = dict(OrgUnit.objects.filter(organisation_id=organisation.pk).values_list("id", "name"))
    person_row = {}
    for pk, unit_id, manager_id, _start, _joined in people_rows:
        key = layout.row_for(unit_id=unit_id, manager_id=manager_id)
        if key is not None:
            person_row[pk] = key

    # Headcount and plan coverage per unit, in SQL.
    recent = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    keys = [row.key for row in layout.rows] if layout.shown else []
    coverage = {key: {"people": 0, "with_plan": 0, "agreed": 0, "recent": 0} for key in keys}
    available = {key: Decimal(0) for key in keys}
    per_unit = people.values("unit_id").annotate(
        people=Count("id"),
        with_plan=Count("development_plan"),
        agreed=Count("development_plan", filter=Q(development_plan__status__in=AGREED)),
        recent=Count("development_plan", filter=Q(development_plan__updated_at__gte=recent)),
        budget=Sum("development_plan__yearly_budget"),
    )
    for item in per_unit:
        key = layout.row_for(unit_id=item["unit_id"], manager_id=None)
        if key is None:
            continue
        for name, total in coverage[key].items():
            coverage[key][name] = total + item[name]
        available[key] += item["budget"] or Decimal(0)

    # The cascade: every goal of the organisation, once.
    goals = list(
        Goal.objects.filter(organisation_id=organisation.pk).values_list(*GOAL_FIELDS, named=True)
    )
    progress = rollup(
        goals,
        today=today,
        behind_margin=organisation.goal_behind_margin,
        at_risk_margin=organisation.goal_at_risk_margin,
    )
    roots = _goal_roots(goals)
    managed = _managed_units(scope)
    strategic = [
        g
        for g in goals
        if g.level == Goal.Level.ORGANISATION
        and g.status in COUNTED
        and _in_year(g.start_date, g.due_date, scope.year)
    ]
    strategic.sort(key=lambda g: (g.due_date or datetime.date.max, g.title.lower()))
    # Per strategic goal: what lands on it, and of the completed actions how many have the
    # employee's reflection and feedback about them (what learning brought).
    per_goal = {
        g.id: {
            "team_goals": 0,
            "individual_goals": 0,
            "actions": 0,
            "completed": 0,
            "reflected": 0,
            "with_feedback": 0,
        }
        for g in strategic
    }
    contributors: dict[int, set[int]] = {g.id: set() for g in strategic}
    not_linked = {"team_goals": 0, "individual_goals": 0, "actions": 0}
    not_linked_team_goals: list[dict] = []

    for goal in goals:
        if goal.status not in COUNTED or not _in_year(goal.start_date, goal.due_date, scope.year):
            continue
        root = roots.get(goal.id)
        if goal.level == Goal.Level.TEAM:
            if not layout.shown or not _team_in_scope(goal.owner_unit_id, selection, managed):
                continue
            if root is None:
                not_linked["team_goals"] += 1
                not_linked_team_goals.append(
                    {
                        "title": goal.title,
                        "uuid": str(goal.uuid),
                        "unit": names.get(goal.owner_unit_id, ""),
                    }
                )
            elif root in per_goal:
                per_goal[root]["team_goals"] += 1
        elif goal.level == Goal.Level.INDIVIDUAL:
            if goal.owner_person_id not in person_row:
                continue
            if root is None:
                not_linked["individual_goals"] += 1
            elif root in per_goal:
                per_goal[root]["individual_goals"] += 1
                contributors[root].add(goal.owner_person_id)

    # Development actions of these people: linkage, kind × status, budget used.
    actions = (
        DevelopmentAction.objects.filter(_prefixed(people, "plan__employee"), _overlaps(scope.year))
        .values("plan__employee_id", "goal_id", "gap__goal_id", "kind", "status")
        .annotate(
            count=Count("id"),
            cost=Sum("cost"),
            reflected=Count("id", filter=~Q(reflection="")),
            with_feedback=Count(
                "id", filter=Q(pk__in=actions_with_feedback(organisation=organisation))
            ),
        )
    )
    by_kind: dict[str, dict[str, int]] = {}
    used = dict.fromkeys(keys, Decimal(0))
    for item in actions:
        person_id = item["plan__employee_id"]
        key = person_row.get(person_id)
        if key is None:
            continue
        kinds = by_kind.setdefault(item["kind"], {})
        kinds[item["status"]] = kinds.get(item["status"], 0) + item["count"]
        if item["status"] == DevelopmentAction.Status.CANCELLED:
            continue
        used[key] += item["cost"] or Decimal(0)
        root = roots.get(item["goal_id"]) if item["goal_id"] else None
        if root is None and item["gap__goal_id"]:
            root = roots.get(item["gap__goal_id"])
        if root is None:
            not_linked["actions"] += item["count"]
        elif root in per_goal:
            per_goal[root]["actions"] += item["count"]
            contributors[root].add(person_id)
            if item["status"] == DevelopmentAction.Status.DONE:
                per_goal[root]["completed"] += item["count"]
                per_goal[root]["reflected"] += item["reflected"]
                per_goal[root]["with_feedback"] += item["with_feedback"]

    compliance, by_manager = _compliance(scope, people, people_rows, selection, today)

    heat: dict[str, dict[str, int]] = {}
    for goal_id, persons in contributors.items():
        for person_id in persons:
            cell = heat.setdefault(person_row[person_id], {})
            cell[str(goal_id)] = cell.get(str(goal_id), 0) + 1

    return {
        "computed_at": timezone.now().isoformat(),
        "scope": scope.key,
        "selection": _selection_data(selection, names),
        "rows": [row.as_dict() for row in layout.rows if row.key in coverage],
        "goals": [
            {
                "id": g.id,
                "uuid": str(g.uuid),
                "title": g.title,
                "percent": progress[g.id].percent,
                "signal": progress[g.id].signal,
                "people": len(contributors[g.id]),
                **per_goal[g.id],
            }
            for g in strategic
        ]
        if layout.shown
        else [],
        "heat": heat,
        "coverage": coverage,
        "budget": {key: {"used": str(used[key]), "available": str(available[key])} for key in keys},
        "not_linked": {
            **not_linked,
            "team_goal_list": sorted(not_linked_team_goals, key=lambda g: g["title"].lower()),
        },
        "actions": by_kind,
        "gaps": _gaps(people, selection, roots, {g.id: g.title for g in strategic})
        if layout.shown
        else [],
        "compliance_rows": [row.as_dict() for row in selection.compliance.rows]
        if selection.compliance.shown
        else [],
        "compliance": compliance,
        "managers": by_manager,
    }


@dataclass(frozen=True)
class _Held:
    """The latest held conversation of one kind, as ``cadence_status`` reads it."""

    kind: str
    starts_at: datetime.datetime
    status: str = Conversation.Status.HELD


@dataclass(frozen=True)
class _Person:
    start_date: datetime.date | None
    date_joined: datetime.datetime


def latest_held(people: QuerySet[User]) -> dict[int, list[_Held]]:
    """Each person's latest held conversation per kind, in one query: all that
    ``cadence_status`` needs to know of their conversations."""
    latest: dict[int, list[_Held]] = {}
    held = (
        Conversation.objects.filter(
            employee_id__in=people.values("pk"), status=Conversation.Status.HELD
        )
        .exclude(starts_at__isnull=True)
        .values("employee_id", "kind")
        .annotate(last=Max("starts_at"))
    )
    for item in held:
        latest.setdefault(item["employee_id"], []).append(
            _Held(kind=item["kind"], starts_at=item["last"])
        )
    return latest


def _compliance(
    scope: Scope,
    people: QuerySet[User],
    people_rows: list[tuple],
    selection: Selection,
    today: datetime.date,
) -> tuple[dict[str, dict[str, int]], list[dict]]:
    """People and people overdue under the cadence policy (organisation default or unit
    override), per row and per line manager. Uses ``conversations.cadence.cadence_status``
    on each person's latest held conversation per kind (all it looks at), loaded in one
    query. HR: a person counts with their line manager's team (the conversation is the
    manager's task), under the manager's unit (``disclosure``)."""
    policies = unit_policies(scope.organisation)
    latest = latest_held(people)
    per_row: dict[str, dict[str, int]] = {}
    per_manager: dict[str, dict[str, int]] = {}
    for pk, unit_id, manager_id, start_date, joined in people_rows:
        key = selection.compliance.row_for(unit_id=unit_id, manager_id=manager_id)
        if key is None:
            continue
        status = cadence_status(
            person=_Person(start_date=start_date, date_joined=joined),
            conversations=latest.get(pk, ()),
            policy=policies.get(unit_id, policies[None]),
            today=today,
        )
        late = int(status.is_overdue)
        manager_key = selection.managers.row_for(unit_id=unit_id, manager_id=manager_id)
        for totals, name in ((per_row, key), (per_manager, manager_key)):
            counts = totals.setdefault(name, {"people": 0, "overdue": 0})
            counts["people"] += 1
            counts["overdue"] += late
    by_manager = [
        {**row.as_dict(), **per_manager[row.key]}
        for row in selection.managers.rows
        if row.key in per_manager
    ]
    return per_row, by_manager


def _managed_units(scope: Scope) -> set[int] | None:
    """A manager's team goals: those of the units they manage (and below); HR: all."""
    if scope.manager_id is None:
        return None
    units = OrgUnit.objects.filter(organisation_id=scope.organisation.pk)
    tree = UnitTree(units.values_list("id", "parent_id", "name"))
    result: set[int] = set()
    for unit_id in units.filter(manager_id=scope.manager_id).values_list("id", flat=True):
        result |= tree.below(unit_id)
    return result


def _team_in_scope(unit_id: int | None, selection: Selection, managed: set[int] | None) -> bool:
    if managed is not None and unit_id not in managed:
        return False
    return selection.subtree is None or unit_id in selection.subtree


def _gaps(
    people: QuerySet[User],
    selection: Selection,
    roots: dict[int, int | None],
    titles: dict[int, str],
) -> list[dict]:
    """The largest competency gaps (training needs): people and level points per competency,
    with the strategic goals the gaps serve."""
    gaps = CompetencyGap.objects.filter(
        _prefixed(people, "plan__employee"), desired_level__gt=F("current_level")
    )
    if selection.subtree is not None:
        gaps = gaps.filter(plan__employee__unit_id__in=selection.subtree)
    top = list(
        gaps.values("competency_id", "competency__name")
        .annotate(
            people=Count("plan__employee", distinct=True),
            points=Sum(F("desired_level") - F("current_level")),
        )
        .order_by("-points", "competency__name")[:TOP_GAPS]
    )
    served: dict[int, set[str]] = {}
    ids = [item["competency_id"] for item in top]
    for competency_id, goal_id in (
        gaps.filter(competency_id__in=ids, goal__isnull=False)
        .values_list("competency_id", "goal_id")
        .distinct()
    ):
        root = roots.get(goal_id)
        if root in titles:
            served.setdefault(competency_id, set()).add(titles[root])
    return [
        {
            "competency": item["competency__name"],
            "people": item["people"],
            "points": item["points"],
            "goals": sorted(served.get(item["competency_id"], ())),
        }
        for item in top
    ]


@dataclass
class DrillRow:
    name: str
    unit: str
    goals: list[str]
    actions: list[str]
    person_id: int


def drilldown(scope: Scope, *, strategic_id: int | None) -> list[DrillRow]:
    """Named people behind a figure (HR only; the view audits it).

    ``strategic_id``: the people contributing to that strategic goal, with their linked
    individual goals and actions; None: the individual goals and development actions that
    are not linked to any strategic goal, with whose they are.
    """
    everyone = list(population(scope).values_list("id", "unit_id", "line_manager_id", "full_name"))
    selection = selection_for(scope, [row[:3] for row in everyone])
    names = dict(
        OrgUnit.objects.filter(organisation_id=scope.organisation.pk).values_list("id", "name")
    )
    goals = list(
        Goal.objects.filter(organisation_id=scope.organisation.pk).values_list(
            "id", "parent_id", "level", named=True
        )
    )
    roots = _goal_roots(goals)
    people = {
        pk: (name, unit_id)
        for pk, unit_id, manager_id, name in everyone
        if selection.units.row_for(unit_id=unit_id, manager_id=manager_id) is not None
    }
    found: dict[int, DrillRow] = {}

    def row_for(person_id: int) -> DrillRow:
        if person_id not in found:
            name, unit_id = people[person_id]
            found[person_id] = DrillRow(
                name=name,
                unit=names.get(unit_id, ""),
                goals=[],
                actions=[],
                person_id=person_id,
            )
        return found[person_id]

    individual = (
        Goal.objects.filter(
            organisation_id=scope.organisation.pk,
            level=Goal.Level.INDIVIDUAL,
            status__in=COUNTED,
            owner_person_id__in=population(scope).values("pk"),
        )
        .filter(_overlaps(scope.year))
        .values_list("id", "owner_person_id", "title", "visibility")
    )
    for goal_id, person_id, title, visibility in individual:
        if person_id in people and roots.get(goal_id) == strategic_id:
            # HR sees others' private goals as counts, never their content (goals app).
            private = visibility == Goal.Visibility.PRIVATE
            row_for(person_id).goals.append(str(PRIVATE_GOAL) if private else title)
    actions = (
        DevelopmentAction.objects.filter(plan__employee_id__in=population(scope).values("pk"))
        .exclude(status=DevelopmentAction.Status.CANCELLED)
        .filter(_overlaps(scope.year))
        .values_list("plan__employee_id", "goal_id", "gap__goal_id", "title")
    )
    for person_id, goal_id, gap_goal_id, title in actions:
        if person_id not in people:
            continue
        root = roots.get(goal_id) if goal_id else None
        if root is None and gap_goal_id:
            root = roots.get(gap_goal_id)
        if root == strategic_id:
            row_for(person_id).actions.append(title)
    return sorted(found.values(), key=lambda row: (row.name.lower(), row.unit))
