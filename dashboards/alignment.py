"""HR alignment figures: does development land on the strategy?

``compute`` turns the database into plain numbers (JSON-ready, unsuppressed) in a fixed
number of queries, whatever the number of people, units or goals: aggregates in SQL
where they can be summed, and the goal cascade in Python over the organisation's goals
loaded once, with progress from ``goals.progress.rollup`` (the one progress function).
``dashboards.tables`` turns these numbers into suppressed tables for the page and the CSV.

Who counts: the active people of the organisation (HR), or a manager's active direct
reports; with a unit filter, those in the unit and the units below it.
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
from goals.models import Goal
from goals.progress import rollup
from people.models import Organisation, OrgUnit, User
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan

COUNTED = tuple(str(status) for status in Goal.COUNTED)
PRIVATE_GOAL = _("a private goal")
AGREED = (DevelopmentPlan.Status.AGREED, DevelopmentPlan.Status.CHANGED)
RECENT_DAYS = 90
TOP_GAPS = 10
NO_UNIT = "none"
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


class UnitRows:
    """Which table row a unit belongs to.

    HR: the children of the filtered unit (or the top-level units), each with everything
    below it, plus a row for people directly in the filtered unit. A manager: each
    report's own unit. People without a unit get their own row.
    """

    def __init__(self, units: list[tuple[int, int | None, str, int | None]], scope: Scope) -> None:
        self.names = {unit_id: name for unit_id, _parent, name, _manager in units}
        self.parents = {unit_id: parent for unit_id, parent, _name, _manager in units}
        self.scope = scope
        self.subtree: set[int] | None = None
        if scope.unit_id is not None:
            self.subtree = {u for u in self.names if scope.unit_id in self.chain(u)}
        # Without a filter, rows are the top-level units; when there is only one (a
        # board above everything), its children are more telling.
        roots = [unit_id for unit_id, parent in self.parents.items() if parent is None]
        self.base = scope.unit_id
        if self.base is None and len(roots) == 1 and scope.manager_id is None:
            self.base = roots[0]

    def chain(self, unit_id: int) -> list[int]:
        """The unit and the units above it, bottom up."""
        result: list[int] = []
        current: int | None = unit_id
        while current is not None and current not in result:
            result.append(current)
            current = self.parents.get(current)
        return result

    def row_of(self, unit_id: int | None) -> str | None:
        """The row key for a person's unit, or None when the unit is outside the filter."""
        if self.subtree is not None and unit_id not in self.subtree:
            return None
        if unit_id is None:
            return NO_UNIT
        if self.scope.manager_id is not None:
            return str(unit_id)
        chain = self.chain(unit_id)
        if self.base is None:
            return str(chain[-1])
        if self.base not in chain:
            return NO_UNIT
        position = chain.index(self.base)
        return str(chain[position - 1]) if position > 0 else f"direct-{self.base}"

    def label(self, key: str) -> tuple[str, int | None]:
        if key == NO_UNIT:
            return "", None
        if key.startswith("direct-"):
            unit_id = int(key.removeprefix("direct-"))
            return self.names.get(unit_id, ""), unit_id
        return self.names.get(int(key), ""), int(key)


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


def compute(scope: Scope) -> dict:
    """All figures for one scope, unsuppressed, as JSON-ready data."""
    organisation = scope.organisation
    today = timezone.localdate()
    units = list(
        OrgUnit.objects.filter(organisation_id=organisation.pk).values_list(
            "id", "parent_id", "name", "manager_id"
        )
    )
    rows = UnitRows(units, scope)
    people = population(scope)

    # Headcount and plan coverage per unit, in SQL.
    recent = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    coverage: dict[str, dict[str, int]] = {}
    per_unit = people.values("unit_id").annotate(
        people=Count("id"),
        with_plan=Count("development_plan"),
        agreed=Count("development_plan", filter=Q(development_plan__status__in=AGREED)),
        recent=Count("development_plan", filter=Q(development_plan__updated_at__gte=recent)),
        budget=Sum("development_plan__yearly_budget"),
    )
    available: dict[str, Decimal] = {}
    for item in per_unit:
        key = rows.row_of(item["unit_id"])
        if key is None:
            continue
        totals = coverage.setdefault(key, {"people": 0, "with_plan": 0, "agreed": 0, "recent": 0})
        for name in totals:
            totals[name] += item[name]
        available[key] = available.get(key, Decimal(0)) + (item["budget"] or Decimal(0))

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
    people_rows = list(
        people.values_list("id", "unit_id", "line_manager_id", "start_date", "date_joined")
    )
    person_unit = {row[0]: row[1] for row in people_rows}
    managed = _managed_units(units, scope)
    strategic = [
        g
        for g in goals
        if g.level == Goal.Level.ORGANISATION
        and g.status in COUNTED
        and _in_year(g.start_date, g.due_date, scope.year)
    ]
    strategic.sort(key=lambda g: (g.due_date or datetime.date.max, g.title.lower()))
    per_goal = {g.id: {"team_goals": 0, "individual_goals": 0, "actions": 0} for g in strategic}
    contributors: dict[int, set[int]] = {g.id: set() for g in strategic}
    not_linked = {"team_goals": 0, "individual_goals": 0, "actions": 0}
    not_linked_team_goals: list[dict] = []

    for goal in goals:
        if goal.status not in COUNTED or not _in_year(goal.start_date, goal.due_date, scope.year):
            continue
        root = roots.get(goal.id)
        if goal.level == Goal.Level.TEAM:
            if not _team_in_scope(goal.owner_unit_id, rows, managed, scope):
                continue
            if root is None:
                not_linked["team_goals"] += 1
                not_linked_team_goals.append(
                    {
                        "title": goal.title,
                        "uuid": str(goal.uuid),
                        "unit": rows.names.get(goal.owner_unit_id, ""),
                    }
                )
            elif root in per_goal:
                per_goal[root]["team_goals"] += 1
        elif goal.level == Goal.Level.INDIVIDUAL:
            unit_id = person_unit.get(goal.owner_person_id, 0)
            if unit_id == 0 or rows.row_of(unit_id) is None:
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
        .annotate(count=Count("id"), cost=Sum("cost"))
    )
    by_kind: dict[str, dict[str, int]] = {}
    used: dict[str, Decimal] = {}
    for item in actions:
        person_id = item["plan__employee_id"]
        unit_id = person_unit.get(person_id, 0)
        key = rows.row_of(unit_id) if unit_id != 0 else None
        if key is None:
            continue
        kinds = by_kind.setdefault(item["kind"], {})
        kinds[item["status"]] = kinds.get(item["status"], 0) + item["count"]
        if item["status"] == DevelopmentAction.Status.CANCELLED:
            continue
        used[key] = used.get(key, Decimal(0)) + (item["cost"] or Decimal(0))
        root = roots.get(item["goal_id"]) if item["goal_id"] else None
        if root is None and item["gap__goal_id"]:
            root = roots.get(item["gap__goal_id"])
        if root is None:
            not_linked["actions"] += item["count"]
        elif root in per_goal:
            per_goal[root]["actions"] += item["count"]
            contributors[root].add(person_id)

    compliance, by_manager = _compliance(scope, people, people_rows, rows, today)

    heat: dict[str, dict[str, int]] = {}
    for goal_id, persons in contributors.items():
        for person_id in persons:
            key = rows.row_of(person_unit[person_id])
            cell = heat.setdefault(key, {})
            cell[str(goal_id)] = cell.get(str(goal_id), 0) + 1

    row_keys = sorted(coverage, key=lambda key: (key == NO_UNIT, rows.label(key)[0].lower()))
    return {
        "computed_at": timezone.now().isoformat(),
        "scope": scope.key,
        "rows": [
            {
                "key": key,
                "label": rows.label(key)[0],
                "unit_id": rows.label(key)[1],
                "direct": key.startswith("direct-"),
            }
            for key in row_keys
        ],
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
        ],
        "heat": heat,
        "coverage": coverage,
        "budget": {
            key: {
                "used": str(used.get(key, Decimal(0))),
                "available": str(available.get(key, Decimal(0))),
            }
            for key in row_keys
        },
        "not_linked": {
            **not_linked,
            "team_goal_list": sorted(not_linked_team_goals, key=lambda g: g["title"].lower()),
        },
        "actions": by_kind,
        "gaps": _gaps(people, rows, roots, {g.id: g.title for g in strategic}),
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
    rows: UnitRows,
    today: datetime.date,
) -> tuple[dict[str, int], list[dict]]:
    """People overdue under the cadence policy (organisation default or unit override),
    per row and per line manager. Uses ``conversations.cadence.cadence_status`` on each
    person's latest held conversation per kind (all it looks at), loaded in one query."""
    policies = unit_policies(scope.organisation)
    latest = latest_held(people)
    overdue: dict[str, int] = {}
    managers: dict[int | None, list[int]] = {}
    for pk, unit_id, manager_id, start_date, joined in people_rows:
        key = rows.row_of(unit_id)
        if key is None:
            continue
        status = cadence_status(
            person=_Person(start_date=start_date, date_joined=joined),
            conversations=latest.get(pk, ()),
            policy=policies.get(unit_id, policies[None]),
            today=today,
        )
        late = int(status.is_overdue)
        overdue[key] = overdue.get(key, 0) + late
        counts = managers.setdefault(manager_id, [0, 0])
        counts[0] += 1
        counts[1] += late
    names = dict(
        User.objects.filter(pk__in=[pk for pk in managers if pk]).values_list("id", "full_name")
    )
    by_manager = [
        {"name": names.get(pk, ""), "people": people_count, "overdue": late}
        for pk, (people_count, late) in managers.items()
    ]
    by_manager.sort(key=lambda item: (item["name"] == "", item["name"].lower()))
    return overdue, by_manager


def _managed_units(
    units: list[tuple[int, int | None, str, int | None]], scope: Scope
) -> set[int] | None:
    """A manager's team goals: those of the units they manage (and below); HR: all."""
    if scope.manager_id is None:
        return None
    children: dict[int, list[int]] = {}
    for unit_id, parent, _name, _manager in units:
        if parent is not None:
            children.setdefault(parent, []).append(unit_id)
    result: set[int] = set()
    stack = [unit_id for unit_id, _p, _n, manager in units if manager == scope.manager_id]
    while stack:
        unit_id = stack.pop()
        if unit_id not in result:
            result.add(unit_id)
            stack.extend(children.get(unit_id, ()))
    return result


def _team_in_scope(
    unit_id: int | None, rows: UnitRows, managed: set[int] | None, scope: Scope
) -> bool:
    if managed is not None and unit_id not in managed:
        return False
    return rows.subtree is None or unit_id in rows.subtree


def _gaps(
    people: QuerySet[User], rows: UnitRows, roots: dict[int, int | None], titles: dict[int, str]
) -> list[dict]:
    """The largest competency gaps (training needs): people and level points per competency,
    with the strategic goals the gaps serve."""
    gaps = CompetencyGap.objects.filter(
        _prefixed(people, "plan__employee"), desired_level__gt=F("current_level")
    )
    if rows.subtree is not None:
        gaps = gaps.filter(plan__employee__unit_id__in=rows.subtree)
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
    units = list(
        OrgUnit.objects.filter(organisation_id=scope.organisation.pk).values_list(
            "id", "parent_id", "name", "manager_id"
        )
    )
    rows = UnitRows(units, scope)
    goals = list(
        Goal.objects.filter(organisation_id=scope.organisation.pk).values_list(
            "id", "parent_id", "level", named=True
        )
    )
    roots = _goal_roots(goals)
    people = {
        pk: (name, unit_id)
        for pk, name, unit_id in population(scope).values_list("id", "full_name", "unit_id")
        if rows.row_of(unit_id) is not None
    }
    found: dict[int, DrillRow] = {}

    def row_for(person_id: int) -> DrillRow:
        if person_id not in found:
            name, unit_id = people[person_id]
            found[person_id] = DrillRow(
                name=name,
                unit=rows.names.get(unit_id, ""),
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
