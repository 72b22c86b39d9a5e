"""Reads for the home page and the dashboard filters, in a fixed number of queries."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from uuid import UUID

from django.core.cache import cache
from django.db.models import Count, Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language

from conversations.access import conversations_of
from conversations.cadence import cadence_status, unit_policies
from conversations.models import Conversation
from conversations.selectors import conversations_to_prepare
from goals.models import Goal
from goals.progress import Progress, rollup
from goals.selectors import CURRENT_STATUSES
from people.access import Roles, notifications_for
from people.models import Notification, Organisation, User
from people.selectors import unit_paths
from plans.models import DevelopmentAction, DevelopmentPlan

from .alignment import Scope, figures_from_json, latest_held
from .models import AlignmentSnapshot
from .services import SNAPSHOT_MAX_AGE, alignment_snapshot_get
from .tables import Dashboard, Entry, build

ACTIONS_DUE_WITHIN = datetime.timedelta(days=30)
OPEN_ACTIONS = (DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS)


@dataclass
class GoalLine:
    goal: Goal
    progress: Progress


@dataclass
class ReportLine:
    """One report on a manager's home page, with what they need from the manager; each
    item links to the page where it is done."""

    person: User
    plan: DevelopmentPlan | None
    awaits_my_agreement: bool
    proposed: list[Goal]  # goals to review, oldest proposal first
    overdue_actions: int
    conversations_overdue: list[str] = field(default_factory=list)
    kind_due: str = ""  # the conversation to plan (a ``Kind`` value)
    to_prepare: Conversation | None = None  # soon, and the manager has not prepared it

    @property
    def proposed_goals(self) -> int:
        return len(self.proposed)

    @property
    def needs_attention(self) -> bool:
        return (
            self.plan is None
            or bool(self.conversations_overdue)
            or self.awaits_my_agreement
            or bool(self.proposed)
            or self.overdue_actions > 0
            or self.to_prepare is not None
        )


@dataclass
class Headline:
    """HR's organisation numbers on the home page: the totals row of plan coverage and
    the strategic goals with their progress, as the (suppressed) dashboard shows them."""

    coverage: list[Entry]
    strategy: list[list[Entry]]
    computed_at: datetime.datetime


@dataclass
class HomePage:
    user: User
    plan: DevelopmentPlan | None
    unread: list[Notification]
    today: datetime.date
    next_conversation: Conversation | None = None
    reports: list[ReportLine] = field(default_factory=list)
    headline: Headline | None = None

    # Read only when their cards are rendered (they come from the cache: dashboards.views).
    @cached_property
    def goals(self) -> list[GoalLine]:
        return _own_goals(self.user) if self.user.organisation_id else []

    @cached_property
    def actions_due(self) -> list[DevelopmentAction]:
        if self.plan is None:
            return []
        return list(
            DevelopmentAction.objects.filter(
                plan=self.plan,
                status__in=OPEN_ACTIONS,
                due_date__lte=self.today + ACTIONS_DUE_WITHIN,
            ).order_by("due_date", "title")[:6]
        )

    @property
    def reports_needing_attention(self) -> list[ReportLine]:
        return [line for line in self.reports if line.needs_attention]


def _own_goals(user: User) -> list[GoalLine]:
    goals = list(
        Goal.objects.filter(
            organisation_id=user.organisation_id,
            level=Goal.Level.INDIVIDUAL,
            owner_person_id=user.pk,
            status__in=CURRENT_STATUSES,
        ).order_by("due_date", "title")
    )
    organisation = user.organisation
    # Individual goals have no children, so their roll-up needs only their own rows.
    progress = rollup(
        goals,
        today=timezone.localdate(),
        behind_margin=organisation.goal_behind_margin,
        at_risk_margin=organisation.goal_at_risk_margin,
    )
    return [GoalLine(goal=goal, progress=progress[goal.pk]) for goal in goals]


def _reports(manager: User) -> list[ReportLine]:
    today = timezone.localdate()
    people = list(
        User.objects.filter(
            organisation_id=manager.organisation_id, line_manager_id=manager.pk, is_active=True
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .select_related("unit", "development_plan")
        .order_by("full_name")
    )
    ids = [person.pk for person in people]
    proposed: dict[int, list[Goal]] = {}
    for goal in Goal.objects.filter(owner_person_id__in=ids, status=Goal.Status.PROPOSED).order_by(
        "proposed_at", "pk"
    ):
        proposed.setdefault(goal.owner_person_id, []).append(goal)
    to_prepare = conversations_to_prepare(manager=manager, employee_ids=ids)
    overdue = dict(
        DevelopmentAction.objects.filter(
            plan__employee_id__in=ids, status__in=OPEN_ACTIONS, due_date__lt=today
        )
        .values("plan__employee_id")
        .annotate(n=Count("id"))
        .values_list("plan__employee_id", "n")
    )
    # Who needs a conversation: the cadence policy (organisation or unit), as on /team/.
    policies = unit_policies(manager.organisation)
    latest = latest_held(User.objects.filter(pk__in=ids))
    lines = []
    for person in people:
        plan = getattr(person, "development_plan", None)
        cadence = cadence_status(
            person=person,
            conversations=latest.get(person.pk, ()),
            policy=policies.get(person.unit_id, policies[None]),
            today=today,
        )
        lines.append(
            ReportLine(
                person=person,
                plan=plan,
                awaits_my_agreement=bool(
                    plan and plan.employee_agreed_at and not plan.manager_agreed_at
                ),
                proposed=proposed.get(person.pk, []),
                overdue_actions=overdue.get(person.pk, 0),
                conversations_overdue=cadence.overdue,
                kind_due=cadence.kind_due,
                to_prepare=to_prepare.get(person.pk),
            )
        )
    return lines


def home(*, user: User, roles: Roles) -> HomePage:
    """Everything the home page shows for this user, by role."""
    today = timezone.localdate()
    if user.organisation_id is None:  # platform support staff
        return HomePage(user=user, plan=None, unread=[], today=today)
    page = HomePage(
        user=user,
        plan=DevelopmentPlan.objects.filter(employee_id=user.pk).first(),
        unread=list(notifications_for(user).filter(read_at__isnull=True)[:5]),
        today=today,
        next_conversation=conversations_of(user)
        .filter(status=Conversation.Status.SCHEDULED, starts_at__gte=timezone.now())
        .select_related("employee", "manager")
        .order_by("starts_at")
        .first(),
    )
    if roles.manager:
        page.reports = _reports(user)
    if roles.hr:
        scope = Scope(
            organisation=user.organisation, manager_id=None, unit_id=None, year=today.year
        )
        page.headline = _headline(scope)
    return page


def report_units(*, manager: User) -> list[tuple[int, str]]:
    """The units of a manager's reports, by full path, for the dashboard filter."""
    paths = unit_paths(organisation_id=manager.organisation_id)
    ids = set(
        User.objects.filter(line_manager_id=manager.pk, unit__isnull=False).values_list(
            "unit_id", flat=True
        )
    )
    return sorted(((pk, paths[pk]) for pk in ids if pk in paths), key=lambda item: item[1].lower())


def strategic_goal(*, organisation: Organisation, goal_uuid: UUID) -> Goal:
    try:
        return Goal.objects.get(
            organisation_id=organisation.pk, uuid=goal_uuid, level=Goal.Level.ORGANISATION
        )
    except Goal.DoesNotExist as missing:
        raise Http404 from missing


def alignment_dashboard(
    *, scope: Scope, drill_url: Callable[[str], str] | None = None
) -> tuple[Dashboard, AlignmentSnapshot]:
    """The suppressed tables of the stored figures for ``scope``, and the snapshot.

    Building the tables of a large organisation (a thousand managers) takes a while, so
    each web process keeps them in the cache for as long as the snapshot is unchanged.
    """
    snapshot = alignment_snapshot_get(scope=scope)
    return alignment_tables(snapshot=snapshot, scope=scope, drill_url=drill_url), snapshot


def alignment_tables(
    *,
    snapshot: AlignmentSnapshot,
    scope: Scope,
    drill_url: Callable[[str], str] | None = None,
) -> Dashboard:
    """The suppressed tables of one stored snapshot, cached while it is unchanged."""

    def compute() -> Dashboard:
        return build(
            figures_from_json(snapshot.figures),
            k=scope.organisation.min_group_size,
            goal_url=lambda goal_uuid: reverse(
                "goals:goal-detail", kwargs={"goal_uuid": goal_uuid}
            ),
            drill_url=drill_url,
        )

    kind = "names" if drill_url else "totals"
    return _snapshot_cached("alignment-dashboard", snapshot, scope, compute, kind)


def _snapshot_cached(name: str, snapshot: AlignmentSnapshot, scope: Scope, compute, *parts):
    """``compute()`` kept in the cache under the snapshot, the group floor and language."""
    floor = scope.organisation.min_group_size
    key = ":".join(
        map(str, (name, snapshot.pk, snapshot.computed_at.isoformat(), floor, get_language()))
    )
    timeout = int(SNAPSHOT_MAX_AGE.total_seconds()) * 3
    return cache.get_or_set(":".join((key, *parts)), compute, timeout)


def unit_choices(*, organisation_id: int) -> list[tuple[int, str]]:
    """Every unit by its full path (``Zorg/Wijkteam Noord``), sorted, for the filter."""
    paths = unit_paths(organisation_id=organisation_id)
    return sorted(paths.items(), key=lambda item: item[1].lower())


def _headline(scope: Scope) -> Headline:
    """Kept in the cache per snapshot: the home page should not rebuild every table."""
    snapshot = alignment_snapshot_get(scope=scope)

    def compute() -> Headline:
        dashboard = alignment_tables(snapshot=snapshot, scope=scope)
        return Headline(
            coverage=dashboard.tables["coverage"].total or [],
            strategy=dashboard.tables["strategy"].rows,
            computed_at=snapshot.computed_at,
        )

    return _snapshot_cached("home-headline", snapshot, scope, compute)


def home_parts(page: HomePage) -> dict[str, tuple]:
    """What the home page's cached cards depend on: the person, language and day; their
    goals (the organisation's goal version and progress margins) and their plan's actions
    (its page version)."""
    person, organisation = page.user, page.user.organisation
    common = (person.pk, get_language(), page.today)
    goals = organisation and (
        organisation.goals_version, organisation.goal_behind_margin,
        organisation.goal_at_risk_margin,
    )  # fmt: skip
    plan = page.plan and (page.plan.pk, page.plan.page_version)
    return {"goals": (*common, goals), "actions": (*common, plan)}
