"""Who may see and change a development plan.

The owner and their line manager read and edit; HR of the same organisation reads; anyone
else gets 404. Every read and change by someone other than the owner is recorded in the
audit trail (reads by the views, changes by the services). Private notes belong to their author
alone. Field rules: only the employee writes their ambition and reflections.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from goals.models import Goal
from people.access import is_line_manager_of
from people.models import User

from .models import Competency, DevelopmentPlan, LevelAssessment, PrivateNote

# What a plan page shows of the people around a plan, read with the plan itself.
PLAN_RELATED = ("employee__unit", "employee__line_manager", "organisation", "manager_agreed_by")


def plans_visible_to(user: User) -> QuerySet[DevelopmentPlan]:
    if not user.is_authenticated or user.organisation_id is None:
        return DevelopmentPlan.objects.none()
    plans = DevelopmentPlan.objects.filter(
        organisation_id=user.organisation_id, employee__organisation_id=user.organisation_id
    )
    if user.is_hr:
        return plans
    return plans.filter(Q(employee_id=user.pk) | Q(employee__line_manager_id=user.pk))


def report_get_for_manager(*, user: User, person_uuid: UUID) -> User:
    """An active direct report of ``user`` (whose plan their manager may start); for anyone
    else, 404."""
    try:
        return User.objects.get(
            uuid=person_uuid,
            line_manager_id=user.pk,
            organisation_id=user.organisation_id,
            is_active=True,
        )
    except User.DoesNotExist as missing:
        raise Http404 from missing


def own_plan(user: User) -> DevelopmentPlan | None:
    """The user's own plan, or None before they have started it."""
    return plans_visible_to(user).filter(employee_id=user.pk).first()


def may_edit(user: User, plan: DevelopmentPlan) -> bool:
    return plan.employee_id == user.pk or is_line_manager_of(user, plan.employee)


def plan_get_for_user(*, user: User, plan_uuid: UUID, write: bool = False) -> DevelopmentPlan:
    try:
        plan = plans_visible_to(user).select_related(*PLAN_RELATED).get(uuid=plan_uuid)
    except DevelopmentPlan.DoesNotExist as missing:
        raise Http404 from missing
    if write and not may_edit(user, plan):
        raise PermissionDenied
    return plan


def check_kind_writable(*, user: User, plan: DevelopmentPlan, employee_only: bool) -> None:
    """Field rule: the employee's ambition is theirs alone to write. (Their reflection on
    an action is a disabled field for anyone else, see ``forms.ActionForm``.)"""
    if employee_only and plan.employee_id != user.pk:
        raise PermissionDenied


def linkable_goals(*, plan: DevelopmentPlan) -> QuerySet[Goal]:
    """Goals a gap or action of this plan may serve: the person's own goals, their team's
    and the organisation's."""
    employee = plan.employee
    return (
        Goal.objects.filter(organisation_id=plan.organisation_id)
        .filter(
            Q(level=Goal.Level.INDIVIDUAL, owner_person_id=employee.pk)
            | Q(level=Goal.Level.TEAM, owner_unit_id=employee.unit_id)
            | Q(level=Goal.Level.ORGANISATION)
        )
        .exclude(status__in=[Goal.Status.CANCELLED, Goal.Status.ARCHIVED])
        .order_by("level", "title")
    )


def active_competencies(*, plan: DevelopmentPlan) -> QuerySet[Competency]:
    return Competency.objects.filter(organisation_id=plan.organisation_id, is_active=True)


def assessment_side(*, user: User, plan: DevelopmentPlan) -> str:
    """Whose view of a gap's level ``user`` gives: the employee their own, their line
    manager the manager's. Anyone else may not assess (HR reads the views)."""
    if plan.employee_id == user.pk:
        return LevelAssessment.Side.EMPLOYEE
    if is_line_manager_of(user, plan.employee):
        return LevelAssessment.Side.MANAGER
    raise PermissionDenied


def private_notes_of(*, user: User, plan: DevelopmentPlan) -> QuerySet[PrivateNote]:
    return PrivateNote.objects.filter(plan=plan, author_id=user.pk)


def competencies_for_hr(user: User) -> QuerySet[Competency]:
    """The catalogue page is HR's; anyone else gets 404."""
    if not user.is_authenticated or user.organisation_id is None or not user.is_hr:
        raise Http404
    return Competency.objects.filter(organisation_id=user.organisation_id)


def competency_get_for_hr(*, user: User, competency_uuid: UUID) -> Competency:
    try:
        return competencies_for_hr(user).get(uuid=competency_uuid)
    except Competency.DoesNotExist as missing:
        raise Http404 from missing


def plan_get_for_pdf(*, user: User, plan_uuid: UUID) -> DevelopmentPlan:
    """The plan PDF is the plan's editors' document (employee and line manager): it is
    written from the employee's view, with their private goals and the agreements of
    their last conversation, which HR may not see. Anyone else: 404."""
    plan = plan_get_for_user(user=user, plan_uuid=plan_uuid)
    if not may_edit(user, plan):
        raise Http404
    return plan
