"""Who may see and change which goals. Every goal fetch on a user-supplied id goes here.

Seeing (``goals_visible_to``), always within the user's own organisation:

- organisation goals, and any goal with visibility "organisation": everyone;
- team goals with visibility "team": members of the owner unit and of the units below
  it, managers of that unit or a unit above it, and HR;
- individual goals with visibility "team": members of the owner's unit, managers of that
  unit or a unit above it, and HR;
- private individual goals: only the employee and their line manager. HR sees them only
  as counts, never their content;
- drafts and proposals of individual goals: only the employee and their line manager.

Changing (``GoalPermissions``): HR looks after organisation goals; a manager looks after
the team goals of the units they manage (and those below them) and reviews the individual
goals of their direct reports; an employee proposes and edits their own goals and checks
in on them. A goal outside the user's view answers 404; visible but not changeable, 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from people.access import unit_table
from people.models import User

from .models import Goal

Level, Status, Visibility = Goal.Level, Goal.Status, Goal.Visibility


@dataclass(frozen=True)
class UnitScope:
    """The units a user belongs to (own unit and those above) and manages (and below)."""

    chain: frozenset[int]
    managed: frozenset[int]

    @property
    def is_unit_manager(self) -> bool:
        return bool(self.managed)


def unit_scope(user: User) -> UnitScope:
    """From the organisation's unit table (in the shared cache, one cheap query)."""
    table = unit_table(user.organisation_id)
    chain: set[int] = set()
    current = user.unit_id
    while current is not None and current not in chain:
        chain.add(current)
        current = table.rows.get(current, (None,))[0]

    managed: set[int] = set()
    stack = list(table.managed_by.get(user.pk, ()))
    while stack:
        unit_id = stack.pop()
        if unit_id not in managed:
            managed.add(unit_id)
            stack.extend(table.children.get(unit_id, ()))
    return UnitScope(chain=frozenset(chain), managed=frozenset(managed))


def goals_of_organisation(organisation_id: int | None) -> QuerySet[Goal]:
    if organisation_id is None:
        return Goal.objects.none()
    return Goal.objects.filter(organisation_id=organisation_id)


def _people_with(user: User, **condition: object) -> QuerySet[User]:
    """The ids of the people of ``user``'s organisation that meet ``condition``, as a
    subquery."""
    return User.objects.filter(organisation_id=user.organisation_id, **condition).values("id")


def goals_visible_to(user: User, scope: UnitScope | None = None) -> QuerySet[Goal]:
    if not user.is_authenticated or user.organisation_id is None:
        return Goal.objects.none()
    scope = scope or unit_scope(user)
    # Owners are matched with subqueries rather than a join on people, so that listing the
    # goals of a large organisation scans only its goals.
    reports = _people_with(user, line_manager_id=user.pk)
    mine = Q(owner_person_id=user.pk) | Q(owner_person_id__in=reports)
    team_view = Q(visibility=Visibility.TEAM) if user.is_hr else Q(pk__in=[])
    team_goals = Q(level=Level.TEAM) & (
        Q(visibility=Visibility.ORGANISATION)
        | Q(visibility=Visibility.TEAM, owner_unit_id__in=scope.chain)
        | Q(owner_unit_id__in=scope.managed)
        | team_view
    )
    # Team members are people of one's own unit; without a unit, nobody is a team member
    # (``unit_id = NULL`` would otherwise make everyone without a unit a colleague).
    colleagues = Q(pk__in=[])
    if user.unit_id is not None:
        colleagues |= Q(owner_person_id__in=_people_with(user, unit_id=user.unit_id))
    if scope.managed:
        colleagues |= Q(owner_person_id__in=_people_with(user, unit_id__in=sorted(scope.managed)))
    shared_individual = (
        Q(level=Level.INDIVIDUAL)
        & ~Q(status__in=[Status.DRAFT, Status.PROPOSED])
        & (
            Q(visibility=Visibility.ORGANISATION)
            | (Q(visibility=Visibility.TEAM) & colleagues)
            | team_view
        )
    )
    return goals_of_organisation(user.organisation_id).filter(
        Q(level=Level.ORGANISATION) | team_goals | shared_individual | mine
    )


def goals_for_organisation_view(organisation_id: int) -> QuerySet[Goal]:
    """What a system acting for the whole organisation (an API client) sees: what HR
    sees of goals that are not HR's own: organisation and team goals, and individual
    goals shared with the team or the organisation (not drafts, proposals or private
    goals, which are for the employee and their manager only)."""
    return goals_of_organisation(organisation_id).filter(
        Q(level__in=[Level.ORGANISATION, Level.TEAM])
        | (
            Q(level=Level.INDIVIDUAL, visibility__in=[Visibility.ORGANISATION, Visibility.TEAM])
            & ~Q(status__in=[Status.DRAFT, Status.PROPOSED])
        )
    )


def goal_ids_shown_to(user: User, goal_ids: set[int]) -> set[int]:
    """Which of these goals ``user`` may see (one query): wherever a goal is mentioned (a
    plan's gap or action), its title shows only to whoever may open it. Drafts,
    proposals and private goals are the employee's and their line manager's only."""
    if not goal_ids:
        return set()
    return set(goals_visible_to(user).filter(pk__in=goal_ids).values_list("pk", flat=True))


@dataclass(frozen=True)
class GoalPermissions:
    """What a user may do with one goal they can see (by role; services check the state)."""

    goal: Goal
    manage: bool  # edit everything, also once active, and close the goal
    own: bool  # the employee whose goal it is
    review: bool  # approve or return a proposal
    check_in: bool
    assign: bool  # turn a team goal into individual goals for reports

    @property
    def edit(self) -> bool:
        return self.manage or self.own

    @property
    def submit(self) -> bool:
        return self.own

    @property
    def can_edit_now(self) -> bool:
        if self.goal.is_closed:
            return False
        editable_by_owner = self.goal.status in (Status.DRAFT, Status.PROPOSED)
        return self.manage or (self.own and editable_by_owner)

    @property
    def can_submit_now(self) -> bool:
        return self.own and self.goal.status == Status.DRAFT

    @property
    def can_review_now(self) -> bool:
        return self.review and self.goal.status == Status.PROPOSED

    @property
    def can_check_in_now(self) -> bool:
        return self.check_in and self.goal.status == Status.ACTIVE

    @property
    def can_assign_now(self) -> bool:
        return self.assign and self.goal.status == Status.ACTIVE


def goal_permissions(user: User, goal: Goal, scope: UnitScope) -> GoalPermissions:
    same_org = goal.organisation_id == user.organisation_id
    if goal.level == Level.ORGANISATION:
        manage = same_org and user.is_hr
    elif goal.level == Level.TEAM:
        manage = same_org and goal.owner_unit_id in scope.managed
    else:
        manage = same_org and goal.owner_person.line_manager_id == user.pk
    own = same_org and goal.level == Level.INDIVIDUAL and goal.owner_person_id == user.pk
    return GoalPermissions(
        goal=goal,
        manage=manage,
        own=own,
        review=manage and goal.level == Level.INDIVIDUAL,
        check_in=manage or own,
        assign=manage and goal.level == Level.TEAM,
    )


ACTIONS = {"edit", "submit", "review", "check_in", "assign"}


def goal_get_for_user(
    *, user: User, goal_uuid: UUID, action: str | None = None, scope: UnitScope | None = None
) -> tuple[Goal, GoalPermissions]:
    """The goal as seen by ``user``: 404 when outside their view, 403 when ``action`` is
    not theirs to take."""
    if action is not None and action not in ACTIONS:
        raise ValueError(f"Unknown goal action {action!r}.")
    scope = scope or unit_scope(user)
    try:
        goal = (
            goals_visible_to(user, scope)
            .select_related("owner_unit", "owner_person", "organisation", "approved_by", "parent")
            .get(uuid=goal_uuid)
        )
    except Goal.DoesNotExist as missing:
        raise Http404 from missing
    permissions = goal_permissions(user, goal, scope)
    if action is not None and not getattr(permissions, action):
        raise PermissionDenied
    return goal, permissions


def levels_user_may_create(user: User, scope: UnitScope) -> list[str]:
    """Organisation goals for HR, team goals for unit managers, own goals for everyone."""
    if user.organisation_id is None:
        return []
    levels = [Level.INDIVIDUAL.value]
    if scope.is_unit_manager:
        levels.append(Level.TEAM.value)
    if user.is_hr:
        levels.append(Level.ORGANISATION.value)
    return levels


def parent_candidates(
    user: User, scope: UnitScope, *, current: int | None = None
) -> QuerySet[Goal]:
    """Goals a goal may be linked to: visible, active organisation and team goals, and
    the goal's ``current`` parent even if it is no longer active."""
    return (
        goals_visible_to(user, scope)
        .filter(level__in=[Level.ORGANISATION, Level.TEAM])
        .filter(Q(status=Status.ACTIVE) | Q(pk=current))
        .select_related("owner_unit")
        .order_by("level", "title")
    )
