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
from dataclasses import asdict, dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import TypeAdapter

from conversations.cadence import cadence_status, unit_policies
from conversations.models import Conversation
from feedback.selectors import actions_with_feedback
from goals.models import Goal
from goals.progress import rollup
from goals.selectors import ROLLUP_FIELDS
from people.models import Organisation, OrgUnit, User
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan

from .disclosure import Part, Row, Selection, UnitTree, hr_selection, manager_selection

COUNTED = tuple(str(status) for status in Goal.COUNTED)
PRIVATE_GOAL = _("a private goal")
AGREED = (DevelopmentPlan.Status.AGREED, DevelopmentPlan.Status.CHANGED)
RECENT_DAYS = 90
TOP_GAPS = 10
GOAL_FIELDS = (*ROLLUP_FIELDS, "uuid", "title", "owner_unit_id", "owner_person_id")


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


def _action_root(
    roots: dict[int, int | None], goal_id: int | None, gap_goal_id: int | None
) -> int | None:
    """An action's strategic goal: through its own goal, else through its gap's goal."""
    root = roots.get(goal_id) if goal_id else None
    if root is None and gap_goal_id:
        root = roots.get(gap_goal_id)
    return root


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


# --- The figures, as stored (``AlignmentSnapshot.figures``) and as the tables read them --


@dataclass(kw_only=True)
class LinkCounts:
    """Team goals, individual goals and development actions counted for one strategic
    goal, or as not linked to any."""

    team_goals: int = 0
    individual_goals: int = 0
    actions: int = 0


@dataclass
class GoalCounts(LinkCounts):
    """What lands on one strategic goal, and of its completed actions how many have the
    employee's reflection and feedback about them (what learning brought)."""

    completed: int = 0
    reflected: int = 0
    with_feedback: int = 0


@dataclass(kw_only=True)
class GoalFigures(GoalCounts):
    """One strategic goal: its progress and what the people in scope contribute."""

    id: int
    uuid: str
    title: str
    percent: int | None
    signal: str | None
    people: int


@dataclass
class TeamGoal:
    title: str
    uuid: str
    unit: str


@dataclass(kw_only=True)
class NotLinked(LinkCounts):
    team_goal_list: list[TeamGoal] = field(default_factory=list)


@dataclass
class Coverage:
    people: int = 0
    with_plan: int = 0
    agreed: int = 0
    recent: int = 0


@dataclass
class Budget:
    used: Decimal
    available: Decimal


@dataclass
class GapFigures:
    competency: str
    people: int
    points: int
    goals: list[str]


@dataclass(kw_only=True)
class RowFigures:
    """A row ``disclosure`` allows (see ``disclosure.Row``), without whom it counts."""

    key: str
    kind: str
    label: str
    unit_id: int | None
    parts: list[Part] = field(default_factory=list)

    @classmethod
    def of(cls, row: Row, **more: object) -> RowFigures:
        return cls(
            key=row.key,
            kind=row.kind,
            label=row.label,
            unit_id=row.unit_id,
            parts=row.parts,
            **more,
        )


@dataclass
class Compliance:
    people: int = 0
    overdue: int = 0


@dataclass(kw_only=True)
class ManagerFigures(RowFigures):
    people: int
    overdue: int


@dataclass
class SelectionFigures:
    """The unit filter asked for and the unit shown (see ``disclosure.Selection``)."""

    asked: int | None
    unit_id: int | None
    asked_label: str
    label: str
    shown: bool
    compliance_shown: bool

    @property
    def widened(self) -> bool:
        return bool(self.asked) and self.asked != self.unit_id


@dataclass(kw_only=True)
class Figures:
    """All figures of one scope. Keys are row keys (``RowFigures.key``); ``heat`` counts
    contributors per row and strategic goal id, ``actions`` actions per kind and status."""

    computed_at: str
    scope: str
    selection: SelectionFigures
    rows: list[RowFigures]
    goals: list[GoalFigures]
    heat: dict[str, dict[str, int]]
    coverage: dict[str, Coverage]
    budget: dict[str, Budget]
    not_linked: NotLinked
    actions: dict[str, dict[str, int]]
    gaps: list[GapFigures]
    compliance_rows: list[RowFigures]
    compliance: dict[str, Compliance]
    managers: list[ManagerFigures]


_FIGURES = TypeAdapter(Figures)


def figures_to_json(figures: Figures) -> dict:
    return _FIGURES.dump_python(figures, mode="json")


def figures_from_json(data: dict) -> Figures:
    return _FIGURES.validate_python(data)


# --- Computing them ----------------------------------------------------------------------


@dataclass
class _People:
    """Who the figures are about, and the row of the unit tables that counts each."""

    scope: Scope
    queryset: QuerySet[User]
    #: ``(id, unit id, line manager id, start date, date joined)``
    rows: list[tuple]
    selection: Selection
    names: dict[int, str]
    row_of: dict[int, str]  # person id: row key

    @property
    def keys(self) -> list[str]:
        layout = self.selection.units
        return [row.key for row in layout.rows] if layout.shown else []


def _people(scope: Scope) -> _People:
    queryset = population(scope)
    rows = list(
        queryset.values_list("id", "unit_id", "line_manager_id", "start_date", "date_joined")
    )
    selection = selection_for(scope, [row[:3] for row in rows])
    names = dict(
        OrgUnit.objects.filter(organisation_id=scope.organisation.pk).values_list("id", "name")
    )
    layout = selection.units
    row_of = {}
    for pk, unit_id, manager_id, _start, _joined in rows:
        key = layout.row_for(unit_id=unit_id, manager_id=manager_id)
        if key is not None:
            row_of[pk] = key
    return _People(scope, queryset, rows, selection, names, row_of)


def _coverage(people: _People) -> tuple[dict[str, Coverage], dict[str, Decimal]]:
    """Headcount and plan coverage per row, and the plans' yearly budgets, in SQL."""
    recent = timezone.now() - datetime.timedelta(days=RECENT_DAYS)
    coverage = {key: Coverage() for key in people.keys}
    available = {key: Decimal(0) for key in people.keys}
    per_unit = people.queryset.values("unit_id").annotate(
        people=Count("id"),
        with_plan=Count("development_plan"),
        agreed=Count("development_plan", filter=Q(development_plan__status__in=AGREED)),
        recent=Count("development_plan", filter=Q(development_plan__updated_at__gte=recent)),
        budget=Sum("development_plan__yearly_budget"),
    )
    for item in per_unit:
        key = people.selection.units.row_for(unit_id=item["unit_id"], manager_id=None)
        if key is None:
            continue
        row = coverage[key]
        row.people += item["people"]
        row.with_plan += item["with_plan"]
        row.agreed += item["agreed"]
        row.recent += item["recent"]
        available[key] += item["budget"] or Decimal(0)
    return coverage, available


@dataclass
class _Cascade:
    """The organisation's goals, loaded once: each one's strategic goal (``roots``), and
    what is counted for each strategic goal of the period, and as not linked."""

    goals: list
    roots: dict[int, int | None]
    strategic: list
    per_goal: dict[int, GoalCounts]
    contributors: dict[int, set[int]]
    not_linked: NotLinked

    def counts_for(self, root: int | None) -> LinkCounts | None:
        """Where an item with this strategic goal counts (None: a goal outside the
        period, or not counted)."""
        return self.not_linked if root is None else self.per_goal.get(root)

    def contributes(self, root: int | None, person_id: int) -> None:
        if root in self.contributors:
            self.contributors[root].add(person_id)


def _cascade(scope: Scope) -> _Cascade:
    goals = list(
        Goal.objects.filter(organisation_id=scope.organisation.pk).values_list(
            *GOAL_FIELDS, named=True
        )
    )
    strategic = [
        g
        for g in goals
        if g.level == Goal.Level.ORGANISATION
        and g.status in COUNTED
        and _in_year(g.start_date, g.due_date, scope.year)
    ]
    strategic.sort(key=lambda g: (g.due_date or datetime.date.max, g.title.lower()))
    return _Cascade(
        goals=goals,
        roots=_goal_roots(goals),
        strategic=strategic,
        per_goal={g.id: GoalCounts() for g in strategic},
        contributors={g.id: set() for g in strategic},
        not_linked=NotLinked(),
    )


def _count_goals(cascade: _Cascade, people: _People) -> None:
    """Team goals of the units in scope and individual goals of the people in scope."""
    scope, selection = people.scope, people.selection
    managed = _managed_units(scope)
    for goal in cascade.goals:
        if goal.status not in COUNTED or not _in_year(goal.start_date, goal.due_date, scope.year):
            continue
        root = cascade.roots.get(goal.id)
        counts = cascade.counts_for(root)
        if goal.level == Goal.Level.TEAM:
            if not selection.units.shown or not _team_in_scope(
                goal.owner_unit_id, selection, managed
            ):
                continue
            if root is None:
                unit = people.names.get(goal.owner_unit_id, "")
                cascade.not_linked.team_goal_list.append(
                    TeamGoal(title=goal.title, uuid=str(goal.uuid), unit=unit)
                )
            if counts is not None:
                counts.team_goals += 1
        elif goal.level == Goal.Level.INDIVIDUAL and goal.owner_person_id in people.row_of:
            if counts is not None:
                counts.individual_goals += 1
            cascade.contributes(root, goal.owner_person_id)
    cascade.not_linked.team_goal_list.sort(key=lambda goal: goal.title.lower())


def _count_actions(
    cascade: _Cascade, people: _People
) -> tuple[dict[str, dict[str, int]], dict[str, Decimal]]:
    """Development actions of the people in scope: linkage, kind by status, and the budget
    they use per row (cancelled ones use none and serve no goal)."""
    actions = (
        DevelopmentAction.objects.filter(
            _prefixed(people.queryset, "plan__employee"), _overlaps(people.scope.year)
        )
        .values("plan__employee_id", "goal_id", "gap__goal_id", "kind", "status")
        .annotate(
            count=Count("id"),
            cost=Sum("cost"),
            reflected=Count("id", filter=~Q(reflection="")),
            with_feedback=Count(
                "id", filter=Q(pk__in=actions_with_feedback(organisation=people.scope.organisation))
            ),
        )
    )
    by_kind: dict[str, dict[str, int]] = {}
    used = dict.fromkeys(people.keys, Decimal(0))
    for item in actions:
        person_id = item["plan__employee_id"]
        key = people.row_of.get(person_id)
        if key is None:
            continue
        kinds = by_kind.setdefault(item["kind"], {})
        kinds[item["status"]] = kinds.get(item["status"], 0) + item["count"]
        if item["status"] == DevelopmentAction.Status.CANCELLED:
            continue
        used[key] += item["cost"] or Decimal(0)
        root = _action_root(cascade.roots, item["goal_id"], item["gap__goal_id"])
        counts = cascade.counts_for(root)
        if counts is not None:
            counts.actions += item["count"]
        cascade.contributes(root, person_id)
        if root in cascade.per_goal and item["status"] == DevelopmentAction.Status.DONE:
            done = cascade.per_goal[root]
            done.completed += item["count"]
            done.reflected += item["reflected"]
            done.with_feedback += item["with_feedback"]
    return by_kind, used


def _heat(cascade: _Cascade, people: _People) -> dict[str, dict[str, int]]:
    """Contributors per row and strategic goal."""
    heat: dict[str, dict[str, int]] = {}
    for goal_id, persons in cascade.contributors.items():
        for person_id in persons:
            cell = heat.setdefault(people.row_of[person_id], {})
            cell[str(goal_id)] = cell.get(str(goal_id), 0) + 1
    return heat


def _goal_figures(cascade: _Cascade, scope: Scope) -> list[GoalFigures]:
    organisation = scope.organisation
    progress = rollup(
        cascade.goals,
        today=timezone.localdate(),
        behind_margin=organisation.goal_behind_margin,
        at_risk_margin=organisation.goal_at_risk_margin,
    )
    return [
        GoalFigures(
            id=g.id,
            uuid=str(g.uuid),
            title=g.title,
            percent=progress[g.id].percent,
            signal=progress[g.id].signal,
            people=len(cascade.contributors[g.id]),
            **asdict(cascade.per_goal[g.id]),
        )
        for g in cascade.strategic
    ]


def _selection_figures(selection: Selection, names: dict[int, str]) -> SelectionFigures:
    return SelectionFigures(
        asked=selection.asked,
        unit_id=selection.unit_id,
        asked_label=names.get(selection.asked, ""),
        label=names.get(selection.unit_id, ""),
        shown=selection.units.shown,
        compliance_shown=selection.compliance.shown,
    )


def alignment_figures(scope: Scope) -> Figures:
    """All figures for one scope, for the rows and the selection that ``disclosure``
    allows (HR: groups of at least the minimum size, that cannot be told apart by
    subtraction)."""
    people = _people(scope)
    selection = people.selection
    shown = selection.units.shown
    coverage, available = _coverage(people)
    cascade = _cascade(scope)
    _count_goals(cascade, people)
    by_kind, used = _count_actions(cascade, people)
    compliance, by_manager = _compliance(people, timezone.localdate())
    titles = {g.id: g.title for g in cascade.strategic}
    return Figures(
        computed_at=timezone.now().isoformat(),
        scope=scope.key,
        selection=_selection_figures(selection, people.names),
        rows=[RowFigures.of(row) for row in selection.units.rows if row.key in coverage],
        goals=_goal_figures(cascade, scope) if shown else [],
        heat=_heat(cascade, people),
        coverage=coverage,
        budget={key: Budget(used=used[key], available=available[key]) for key in people.keys},
        not_linked=cascade.not_linked,
        actions=by_kind,
        gaps=_gaps(people.queryset, selection, cascade.roots, titles) if shown else [],
        compliance_rows=[RowFigures.of(row) for row in selection.compliance.rows]
        if selection.compliance.shown
        else [],
        compliance=compliance,
        managers=by_manager,
    )


def compute(scope: Scope) -> dict:
    """``alignment_figures`` as stored (JSON)."""
    return figures_to_json(alignment_figures(scope))


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
    people: _People, today: datetime.date
) -> tuple[dict[str, Compliance], list[ManagerFigures]]:
    """People and people overdue under the cadence policy (organisation default or unit
    override), per row and per line manager. Uses ``conversations.cadence.cadence_status``
    on each person's latest held conversation per kind (all it looks at), loaded in one
    query. HR: a person counts with their line manager's team (the conversation is the
    manager's task), under the manager's unit (``disclosure``)."""
    policies = unit_policies(people.scope.organisation)
    latest = latest_held(people.queryset)
    selection = people.selection
    per_row: dict[str, Compliance] = {}
    per_manager: dict[str, Compliance] = {}
    for pk, unit_id, manager_id, start_date, joined in people.rows:
        key = selection.compliance.row_for(unit_id=unit_id, manager_id=manager_id)
        if key is None:
            continue
        status = cadence_status(
            person=_Person(start_date=start_date, date_joined=joined),
            conversations=latest.get(pk, ()),
            policy=policies.get(unit_id, policies[None]),
            today=today,
        )
        manager_key = selection.managers.row_for(unit_id=unit_id, manager_id=manager_id)
        for totals, name in ((per_row, key), (per_manager, manager_key)):
            counts = totals.setdefault(name, Compliance())
            counts.people += 1
            counts.overdue += int(status.is_overdue)
    by_manager = [
        ManagerFigures.of(row, **asdict(per_manager[row.key]))
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
) -> list[GapFigures]:
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
        GapFigures(
            competency=item["competency__name"],
            people=item["people"],
            points=item["points"],
            goals=sorted(served.get(item["competency_id"], ())),
        )
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
        if _action_root(roots, goal_id, gap_goal_id) == strategic_id:
            row_for(person_id).actions.append(title)
    return sorted(found.values(), key=lambda row: (row.name.lower(), row.unit))
