"""Development plans, read-only: summaries with gaps, actions, budget, agreement state and
versions. Never the ambitions, comments, reflections or private notes. Each plan read is
in the audit trail, like a person's read."""

import datetime
from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from people.models import ApiClient
from plans.privacy import AUDIT_TYPE
from plans.selectors import budget_used, plans_for_organisation

from .auth import scoped
from .common import audit_reads, changed_since, client_of, get_or_404
from .pagination import KeysetPagination

router = Router(tags=["plans"])
READ = scoped(ApiClient.Scope.PLANS_READ)


class GapOut(Schema):
    id: UUID = Field(alias="uuid")
    competency: str = Field(alias="competency.name")
    current_level: int
    desired_level: int
    priority: int
    goal_id: UUID | None

    @staticmethod
    def resolve_goal_id(gap) -> UUID | None:
        return gap.goal.uuid if gap.goal_id else None


class ActionOut(Schema):
    id: UUID = Field(alias="uuid")
    kind: str
    title: str
    status: str
    priority: int
    provider: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    cost: Decimal
    hours: Decimal | None
    gap_id: UUID | None
    goal_id: UUID | None

    @staticmethod
    def resolve_gap_id(action) -> UUID | None:
        return action.gap.uuid if action.gap_id else None

    @staticmethod
    def resolve_goal_id(action) -> UUID | None:
        return action.goal.uuid if action.goal_id else None


class VersionOut(Schema):
    number: int
    employee_agreed_at: datetime.datetime | None
    manager_agreed_at: datetime.datetime | None


class PlanOut(Schema):
    id: UUID = Field(alias="uuid")
    employee_id: UUID = Field(alias="employee.uuid")
    status: str = Field(description="draft, agreed or changed_since_agreement")
    period_start: datetime.date | None
    period_end: datetime.date | None
    yearly_budget: Decimal
    budget_used: Decimal = Field(description="The cost of every action not cancelled.")
    employee_agreed_at: datetime.datetime | None = Field(description="Akkoord pending.")
    manager_agreed_at: datetime.datetime | None = Field(description="Akkoord pending.")
    gaps: list[GapOut]
    actions: list[ActionOut]
    versions: list[VersionOut]
    updated_at: datetime.datetime

    @staticmethod
    def resolve_budget_used(plan) -> Decimal:
        return budget_used(plan.actions.all())


class PlanFilters(Schema):
    updated_since: datetime.datetime | None = None
    employee_id: UUID | None = None
    status: str | None = None


def _plans(request: HttpRequest):
    return plans_for_organisation(organisation_id=client_of(request).organisation_id)


@router.get("/plans", response=list[PlanOut], **READ)
@paginate(KeysetPagination)
def plan_list(request: HttpRequest, filters: Query[PlanFilters]):
    plans = changed_since(_plans(request), filters.updated_since)
    if filters.employee_id:
        plans = plans.filter(employee__uuid=filters.employee_id)
    if filters.status:
        plans = plans.filter(status=filters.status)
    request.api_page_read = lambda page: audit_reads(
        request, AUDIT_TYPE, [(str(plan.uuid), plan.employee) for plan in page]
    )
    return plans


@router.get("/plans/{plan_id}", response=PlanOut, **READ)
def plan_read(request: HttpRequest, plan_id: UUID):
    plan = get_or_404(_plans(request), plan_id)
    audit_reads(request, AUDIT_TYPE, [(str(plan.uuid), plan.employee)])
    return plan
