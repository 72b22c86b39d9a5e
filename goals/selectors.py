"""Reads for the goal pages, in a fixed number of queries whatever the number of goals.

Progress always comes from one roll-up (``organisation_progress`` for the whole tree,
``goals_progress`` for a few goals and what they depend on), over the organisation's goals
loaded with only the fields the roll-up needs, computed in Python. So the
same goal shows the same number on every page and for every viewer.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from people.access import unit_table
from people.models import Organisation, OrgUnit, User
from people.selectors import unit_paths
from people.versions import Part
from pop_platform.cache import TIMEOUT

from .access import UnitScope, goals_of_organisation, goals_visible_to
from .models import Goal, GoalUpdate
from .progress import NO_PROGRESS, GoalFigures, Progress, as_percent, measured_share, rollup

ROLLUP_FIELDS = (
    "id",
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
)
LEVEL_ORDER = {Goal.Level.ORGANISATION: 0, Goal.Level.TEAM: 1, Goal.Level.INDIVIDUAL: 2}
CURRENT_STATUSES = (
    Goal.Status.DRAFT,
    Goal.Status.PROPOSED,
    Goal.Status.ACTIVE,
    Goal.Status.ACHIEVED,
    Goal.Status.NOT_ACHIEVED,
)


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


class _ProgressFromFigures(Mapping[int, Progress]):
    """Each goal's ``Progress``, built from its figures (text) the first time it is read."""

    def __init__(self, figures: dict[int, tuple[str | None, str | None, str | None]]) -> None:
        self._figures = figures
        self._built: dict[int, Progress] = {}

    def __getitem__(self, pk: int) -> Progress:
        if pk not in self._built:
            share, expected, signal = self._figures[pk]
            self._built[pk] = Progress(
                share=None if share is None else Decimal(share),
                expected=None if expected is None else Decimal(expected),
                signal=signal,
            )
        return self._built[pk]

    def __iter__(self) -> Iterator[int]:
        return iter(self._figures)

    def __len__(self) -> int:
        return len(self._figures)


@dataclass
class OrganisationProgress:
    """Every goal of an organisation: its parent and its progress."""

    parents: dict[int, int | None]
    children: dict[int, list[int]]
    progress: Mapping[int, Progress]
    years: frozenset[int] = frozenset()  # the years goals are due in

    def of(self, goal_id: int) -> Progress:
        return self.progress.get(goal_id, NO_PROGRESS)

    def __getstate__(self) -> dict:
        """Kept in the shared cache compactly: the figures as text, each goal's progress
        built again only when asked for (a 10,000-goal roll-up loads in a few ms; as
        objects with their Decimals it took 38)."""
        figures = {
            pk: (_text(p.share), _text(p.expected), p.signal) for pk, p in self.progress.items()
        }
        return {"parents": self.parents, "children": self.children, "years": self.years,
                "figures": figures}  # fmt: skip

    def __setstate__(self, state: dict) -> None:
        self.parents, self.children, self.years = (
            state["parents"], state["children"], state["years"]
        )  # fmt: skip
        self.progress = _ProgressFromFigures(state["figures"])

    def ancestors(self, goal_id: int) -> list[int]:
        """Parent first, up to the top; stops on a (corrupt) loop."""
        result: list[int] = []
        current = self.parents.get(goal_id)
        while current is not None and current not in result:
            result.append(current)
            current = self.parents.get(current)
        return result


def organisation_progress(
    *, organisation: Organisation, versions: CascadeVersions | None = None
) -> OrganisationProgress:
    """Every goal's progress in ``organisation``. The same for every viewer until a goal
    changes, and costly in a large organisation (10,000 goals: about 0.15 s): cached under
    the organisation's goal version, the day and its margins (one read of one row, unless
    the caller has read them: ``versions``)."""
    if versions is None:
        version, behind, at_risk = (
            Organisation.objects.filter(pk=organisation.pk)
            .values_list(Part.GOALS.value, "goal_behind_margin", "goal_at_risk_margin")
            .get()
        )
    else:
        version, (behind, at_risk) = versions.goals, versions.margins
    # "v2": the kept form (``__getstate__``); a process of another release keys its own.
    key = f"rollup:v2:{organisation.pk}:{version}:{timezone.localdate()}:{behind}:{at_risk}"

    def compute() -> OrganisationProgress:
        goals = goals_of_organisation(organisation.pk).values_list(*ROLLUP_FIELDS, named=True)
        return _progress_of(organisation, list(goals))

    return cache.get_or_set(key, compute, TIMEOUT)


def goals_progress(
    *,
    organisation: Organisation,
    goal_ids: Iterable[int],
    with_children: bool = False,
    path_progress: bool = True,
) -> OrganisationProgress:
    """Progress of ``goal_ids`` and of every goal above them, loading only what the
    roll-up needs instead of the whole organisation: the path up, and below every goal
    without its own measure its children, level by level (``with_children``: also the
    children of ``goal_ids`` themselves). The numbers equal ``organisation_progress``'s;
    the number of queries grows with the depth of the tree, not with its size.

    ``path_progress=False``: the goals above are loaded for their place in the tree
    (``ancestors``) but not rolled up, which near the top means most of the organisation;
    their progress is then left out.
    """
    rows = goals_of_organisation(organisation.pk).order_by()
    loaded: dict[int, GoalFigures] = {}

    def load(queryset: QuerySet[Goal]) -> list[GoalFigures]:
        new = [g for g in queryset.values_list(*ROLLUP_FIELDS, named=True) if g.id not in loaded]
        loaded.update((goal.id, goal) for goal in new)
        return new

    wanted = set(goal_ids)
    upward = wanted
    while upward:
        upward = {g.parent_id for g in load(rows.filter(pk__in=upward)) if g.parent_id}
        upward -= loaded.keys()
    above = loaded.keys() - wanted
    expand = {
        g.id
        for g in loaded.values()
        if g.metric == Goal.Metric.NONE and (path_progress or g.id in wanted)
    }
    if with_children:
        expand |= wanted
    while expand:
        expand = {
            g.id for g in load(rows.filter(parent_id__in=expand)) if g.metric == Goal.Metric.NONE
        }
    result = _progress_of(organisation, list(loaded.values()))
    if not path_progress:
        result.progress = {pk: p for pk, p in result.progress.items() if pk not in above}
    return result


def _progress_of(organisation: Organisation, goals: list[GoalFigures]) -> OrganisationProgress:
    parents = {goal.id: goal.parent_id for goal in goals}
    children: dict[int, list[int]] = {}
    for goal in goals:
        if goal.parent_id is not None:
            children.setdefault(goal.parent_id, []).append(goal.id)
    progress = rollup(
        goals,
        today=timezone.localdate(),
        behind_margin=organisation.goal_behind_margin,
        at_risk_margin=organisation.goal_at_risk_margin,
    )
    years = frozenset(goal.due_date.year for goal in goals if goal.due_date)
    return OrganisationProgress(parents=parents, children=children, progress=progress, years=years)


# --- The cascade (/goals/) ---------------------------------------------------------------


@dataclass
class GoalNode:
    goal: Goal
    progress: Progress
    children: list[GoalNode] = field(default_factory=list)
    hidden_children: int = 0
    folded_children: int = 0  # individual goals left out of a large tree (see TREE_LIMIT)
    folded_team: int = 0  # team goals of other units left out of a large tree


@dataclass(frozen=True)
class GoalFilters:
    unit_id: int | None = None
    year: int | None = None
    status: str = "current"
    query: str = ""

    @property
    def active(self) -> bool:
        return bool(self.unit_id or self.year or self.status != "current" or self.query)


@dataclass
class GoalTree:
    roots: list[GoalNode]
    not_linked: list[GoalNode]
    total: int
    signals: dict[str, int]
    not_linked_count: int
    folded: bool = False


# Above this many goals, an unfiltered tree shows individual goals as a count per team
# goal, with a link that filters on the team; a unit filter or a search shows them all.
# Each shown goal costs about half a millisecond to render: at 400, HR's tree of a
# 1,000-person organisation (348 goals, shown whole) took longer than a 10,000-person
# one's (folded), so the tree folds from the size of a few teams' goals on.
TREE_LIMIT = 120


def _sort_key(node: GoalNode) -> tuple:
    goal = node.goal
    return (LEVEL_ORDER[goal.level], goal.due_date or datetime.date.max, goal.title.lower())


def _unit_subtree(organisation_id: int, unit_id: int) -> set[int]:
    children = unit_table(organisation_id).children
    subtree, stack = set(), [unit_id]
    while stack:
        current = stack.pop()
        if current not in subtree:
            subtree.add(current)
            stack.extend(children.get(current, ()))
    return subtree


def _filtered(queryset: QuerySet[Goal], filters: GoalFilters, organisation_id: int) -> QuerySet:
    if filters.status == "current":
        queryset = queryset.filter(status__in=CURRENT_STATUSES)
    elif filters.status != "all":
        queryset = queryset.filter(status=filters.status)
    if filters.unit_id:
        units = _unit_subtree(organisation_id, filters.unit_id)
        members = User.objects.filter(unit_id__in=units).values("pk")
        queryset = queryset.filter(Q(owner_unit_id__in=units) | Q(owner_person__in=members))
    if filters.year:
        first, last = datetime.date(filters.year, 1, 1), datetime.date(filters.year, 12, 31)
        queryset = queryset.filter(
            Q(due_date__gte=first) & (Q(start_date__lte=last) | Q(start_date__isnull=True))
        )
    if filters.query:
        queryset = queryset.filter(
            Q(title__icontains=filters.query) | Q(description__icontains=filters.query)
        )
    return queryset


def goal_tree(
    *,
    user: User,
    scope: UnitScope,
    filters: GoalFilters,
    organisation: Organisation | None = None,
    org: OrganisationProgress | None = None,
) -> GoalTree:
    """The cascade as this user may see it: organisation → team → individual goals.

    Goals matching the filters are shown under their visible ancestors (shown for
    context); a goal whose parent is hidden hangs under its nearest visible ancestor.
    Goals that do not contribute to any goal are listed apart.

    A large unfiltered tree (more than TREE_LIMIT matches) shows what the viewer needs
    first: individual goals become a count under their team goal, and team goals of
    units other than the viewer's own (and those they manage) a count under their goal,
    with a link to that goal's page, which lists them.
    """
    if user.organisation_id is None:  # platform support staff: no organisation, no goals
        return GoalTree(roots=[], not_linked=[], total=0, signals={}, not_linked_count=0)
    organisation = organisation or Organisation.objects.get(pk=user.organisation_id)
    org = org or organisation_progress(organisation=organisation)
    visible = goals_visible_to(user, scope)
    matches = {
        pk: (level, unit_id, parent_id)
        for pk, level, unit_id, parent_id in _filtered(visible, filters, organisation.pk)
        .order_by()
        .values_list("pk", "level", "owner_unit_id", "parent_id")
    }
    fold = len(matches) > TREE_LIMIT and not (filters.unit_id or filters.query)
    near_units = scope.chain | scope.managed

    def folded(level: str, unit_id: int | None, parent_id: int | None) -> bool:
        if not fold or parent_id is None:  # goals that are not linked are always listed
            return False
        if level == Goal.Level.TEAM:
            return unit_id not in near_units
        return level == Goal.Level.INDIVIDUAL

    shown_ids = {pk for pk, row in matches.items() if not folded(*row)}
    context_ids = {a for pk in shown_ids for a in org.ancestors(pk)} - matches.keys()
    rows = visible.filter(pk__in=shown_ids | context_ids).select_related(
        "owner_unit", "owner_person"
    )
    nodes = {goal.pk: GoalNode(goal=goal, progress=org.of(goal.pk)) for goal in rows}
    roots: list[GoalNode] = []
    not_linked: list[GoalNode] = []
    for pk, node in nodes.items():
        node.goal.organisation = organisation  # the same for all: no query per goal
        holder = next((a for a in org.ancestors(pk) if a in nodes), None)
        if holder is not None:
            nodes[holder].children.append(node)
        elif node.goal.level != Goal.Level.ORGANISATION and node.goal.parent_id is None:
            not_linked.append(node)
        else:
            roots.append(node)
    for pk, (level, _unit_id, parent_id) in matches.items():
        parent_folded = parent_id in matches and parent_id not in nodes
        if pk in nodes or (level == Goal.Level.INDIVIDUAL and parent_folded):
            continue  # shown, or part of the folded team goal above it
        holder = next((a for a in org.ancestors(pk) if a in nodes), None)
        if holder is None:
            continue
        if level == Goal.Level.INDIVIDUAL:
            nodes[holder].folded_children += 1
        else:
            nodes[holder].folded_team += 1
    if user.is_hr:  # HR sees the private goals of others as counts, never their content
        children = {c for pk in nodes for c in org.children.get(pk, ())}
        visible_children = set(visible.filter(pk__in=children).values_list("pk", flat=True))
        for pk, node in nodes.items():
            node.hidden_children = sum(
                1 for c in org.children.get(pk, ()) if c not in visible_children
            )
    for node in nodes.values():
        node.children.sort(key=_sort_key)
    signals = {"on_track": 0, "behind": 0, "at_risk": 0}
    for pk in matches:
        signal = org.of(pk).signal
        if signal:
            signals[signal] += 1
    return GoalTree(
        roots=sorted(roots, key=_sort_key),
        not_linked=sorted(not_linked, key=_sort_key),
        total=len(matches),
        signals=signals,
        not_linked_count=len(not_linked),
        folded=fold,
    )


def filter_units(*, organisation_id: int) -> list[tuple[int, str]]:
    """Units for the filter, by their full path (one query)."""
    paths = unit_paths(organisation_id=organisation_id)
    return sorted(paths.items(), key=lambda item: item[1].lower())


@dataclass(frozen=True)
class CascadeVersions:
    """What every goal tree of an organisation depends on besides its viewer."""

    goals: int = 0
    units: int = 0
    margins: tuple = ()


def cascade_versions(*, user: User) -> CascadeVersions:
    """One read of the organisation's row."""
    if user.organisation_id is None:
        return CascadeVersions()
    goals, units, *margins = (
        Organisation.objects.filter(pk=user.organisation_id)
        .values_list(
            Part.GOALS.value, Part.UNITS.value, "goal_behind_margin", "goal_at_risk_margin"
        )
        .get()
    )
    return CascadeVersions(goals=goals, units=units, margins=tuple(margins))


def goal_tree_parts(
    *, user: User, filters: GoalFilters, versions: CascadeVersions, htmx: bool
) -> tuple:
    """The rendered tree is cached per viewer: what they may see depends on who they are
    (the key names them, their HR flag and unit), on every goal (goal version), on who
    reports to whom and people's names (unit version), the margins, the day, the
    language and the filters."""
    return (
        *_viewer_parts(user, versions), htmx, filters.unit_id, filters.year, filters.status,
        filters.query,
    )  # fmt: skip


def _viewer_parts(user: User, versions: CascadeVersions) -> tuple:
    viewer = (user.pk, user.organisation_id, user.is_hr, user.unit_id)
    return (
        *viewer, get_language(), timezone.localdate(), versions.goals, versions.units,
        *versions.margins,
    )  # fmt: skip


def goal_children_parts(*, user: User, goal: Goal, versions: CascadeVersions) -> tuple:
    """The goals under ``goal`` that the viewer may see, as a goal tree's: per viewer."""
    return (goal.pk, *_viewer_parts(user, versions))


def filter_years_cached(*, user: User, versions: CascadeVersions) -> list[int]:
    """``filter_years`` under the goal version (the roll-up holds them)."""
    if user.organisation_id is None:
        return filter_years(organisation_id=None)
    key = f"goal-years:{user.organisation_id}:{versions.goals}:{timezone.localdate()}"

    def compute() -> list[int]:
        _organisation, progress = cascade_of(user=user)
        return filter_years(organisation_id=user.organisation_id, progress=progress)

    return cache.get_or_set(key, compute, TIMEOUT)


def filter_years(
    *, organisation_id: int | None, progress: OrganisationProgress | None = None
) -> list[int]:
    """The years goals are due in, and this year; from ``progress`` when given."""
    if progress is not None:
        years = set(progress.years)
    else:
        years = {
            day.year for day in goals_of_organisation(organisation_id).dates("due_date", "year")
        }
    return sorted(years | {timezone.localdate().year}, reverse=True)


def cascade_of(*, user: User) -> tuple[Organisation | None, OrganisationProgress | None]:
    """The user's organisation and its roll-up (none for platform staff)."""
    if user.organisation_id is None:
        return None, None
    organisation = Organisation.objects.get(pk=user.organisation_id)
    return organisation, organisation_progress(organisation=organisation)


# --- One goal (/goals/<uuid>/) -----------------------------------------------------------


@dataclass
class CheckIn:
    update: GoalUpdate
    percent: int | None


@dataclass
class ChartPoint:
    x: int
    y: int
    percent: int
    when: datetime.datetime


@dataclass
class ProgressChart:
    width: int
    height: int
    points: list[ChartPoint]
    expected_line: tuple[int, int, int, int] | None

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x},{point.y}" for point in self.points)

    @property
    def first(self) -> ChartPoint:
        return self.points[0]

    @property
    def last(self) -> ChartPoint:
        return self.points[-1]


@dataclass
class GoalDetail:
    goal: Goal
    progress: Progress
    path: list[tuple[Goal, Progress]]
    check_ins: list[CheckIn]
    chart: ProgressChart | None


@dataclass
class GoalChildren:
    nodes: list[GoalNode]
    hidden: int  # private goals under it (told to HR only, as a number)


CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 480, 160, 16


def progress_chart(goal: Goal, check_ins: list[CheckIn]) -> ProgressChart | None:
    """Points of progress over time, oldest first, scaled into a small SVG."""
    measured = [c for c in reversed(check_ins) if c.percent is not None]
    if not measured:
        return None
    times = [c.update.recorded_at for c in measured]
    tz = timezone.get_current_timezone()
    origin = (
        datetime.datetime.combine(goal.start_date, datetime.time(), tz)
        if goal.start_date
        else goal.created_at
    )
    due = datetime.datetime.combine(goal.due_date, datetime.time(), tz) if goal.due_date else None
    start, end = min([origin, *times]), max([*times, *([due] if due else [])])
    span = (end - start).total_seconds() or 1.0
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def x_of(moment: datetime.datetime) -> int:
        return round(CHART_PAD + inner_w * (moment - start).total_seconds() / span)

    def y_of(percent: int) -> int:
        return round(CHART_HEIGHT - CHART_PAD - inner_h * percent / 100)

    # The line starts at the start value (0 %) at the start of the period.
    points = [ChartPoint(x=x_of(origin), y=y_of(0), percent=0, when=origin)]
    points += [
        ChartPoint(x=x_of(moment), y=y_of(c.percent), percent=c.percent, when=moment)
        for c, moment in zip(measured, times, strict=True)
    ]
    expected = None
    if goal.start_date and goal.due_date:
        expected = (x_of(origin), y_of(0), x_of(due), y_of(100))
    return ProgressChart(
        width=CHART_WIDTH, height=CHART_HEIGHT, points=points, expected_line=expected
    )


def _visible(user: User, scope: UnitScope) -> QuerySet[Goal]:
    return goals_visible_to(user, scope).select_related(
        "owner_unit", "owner_person", "organisation"
    )


def goal_detail(
    *, user: User, scope: UnitScope, goal: Goal, versions: CascadeVersions | None = None
) -> GoalDetail:
    org = organisation_progress(organisation=goal.organisation, versions=versions)
    ancestor_ids = org.ancestors(goal.pk)
    visible = _visible(user, scope).filter(pk__in=ancestor_ids) if ancestor_ids else []
    ancestors = {a.pk: a for a in visible}
    path = [(ancestors[pk], org.of(pk)) for pk in reversed(ancestor_ids) if pk in ancestors]
    updates = list(goal.updates.select_related("author"))
    check_ins = [
        CheckIn(
            update=update,
            percent=as_percent(
                measured_share(
                    metric=goal.metric,
                    start=goal.start_value,
                    target=goal.target_value,
                    value=update.value,
                )
            )
            if update.value is not None
            else None,
        )
        for update in updates
    ]
    return GoalDetail(
        goal=goal,
        progress=org.of(goal.pk),
        path=path,
        check_ins=check_ins,
        chart=progress_chart(goal, check_ins),
    )


def goal_children(
    *, user: User, scope: UnitScope, goal: Goal, versions: CascadeVersions
) -> GoalChildren:
    """The goals that contribute to ``goal`` that ``user`` may see, with their progress."""
    org = organisation_progress(organisation=goal.organisation, versions=versions)
    children = [
        GoalNode(goal=child, progress=org.of(child.pk))
        for child in _visible(user, scope).filter(parent_id=goal.pk)
    ]
    children.sort(key=_sort_key)
    hidden = len(org.children.get(goal.pk, ())) - len(children) if user.is_hr else 0
    return GoalChildren(nodes=children, hidden=hidden)


def reports_for_assignment(*, manager: User) -> QuerySet[User]:
    return User.objects.filter(
        line_manager_id=manager.pk, organisation_id=manager.organisation_id, is_active=True
    ).order_by("full_name")


def managed_units(*, scope: UnitScope) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(pk__in=scope.managed).order_by("name")
