"""The goal cascade: read it; create and change team and individual goals; check in.

A client sees what HR sees of goals (``goals.access.goals_for_organisation_view``): not
drafts, proposals or private individual goals. Individual goals it makes are drafts of
their employee, who proposes them to their manager. Organisation goals are HR's, on the
site."""

import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from goals.access import goals_for_organisation_view
from goals.models import Goal
from goals.selectors import organisation_progress
from goals.services import GoalConflict, goal_check_in, goal_create, goal_update
from people.access import people_in_organisation, units_of_organisation
from people.models import ApiClient

from .auth import scoped
from .common import changed_since, client_of, expected_version, get_or_404, stale, with_etag
from .pagination import KeysetPagination
from .problems import Problem

router = Router(tags=["goals"])
READ, WRITE = scoped(ApiClient.Scope.GOALS_READ), scoped(ApiClient.Scope.GOALS_WRITE)

Level = Literal["organisation", "team", "individual"]
Metric = Literal["none", "percentage", "number", "currency", "yes_no"]
Visibility = Literal["organisation", "team", "private"]
GoalStatus = Literal[
    "draft", "proposed", "active", "achieved", "not_achieved", "cancelled", "archived"
]
Value = Decimal | None


def _uuid(row) -> UUID | None:
    return row.uuid if row is not None else None


class GoalOut(Schema):
    id: UUID = Field(alias="uuid")
    level: Level
    status: GoalStatus
    title: str
    description: str
    parent_id: UUID | None
    not_linked_reason: str
    owner_unit_id: UUID | None
    owner_person_id: UUID | None
    weight: Decimal
    metric: Metric
    start_value: Value
    target_value: Value
    current_value: Value
    measure_unit: str
    start_date: datetime.date | None
    due_date: datetime.date | None
    visibility: Visibility
    progress_percent: int | None = Field(description="Rolled up as on the site (0–100).")
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_parent_id(goal: Goal) -> UUID | None:
        return _uuid(goal.parent)

    @staticmethod
    def resolve_owner_unit_id(goal: Goal) -> UUID | None:
        return _uuid(goal.owner_unit)

    @staticmethod
    def resolve_owner_person_id(goal: Goal) -> UUID | None:
        return _uuid(goal.owner_person)

    @staticmethod
    def resolve_progress_percent(goal: Goal, context) -> int | None:
        request = context["request"]
        if not hasattr(request, "goal_progress"):  # one roll-up per request
            organisation = client_of(request).organisation
            request.goal_progress = organisation_progress(organisation=organisation)
        return request.goal_progress.of(goal.pk).percent


class GoalFields(Schema):
    parent_id: UUID | None = None
    not_linked_reason: str = Field("", max_length=2000)
    weight: Decimal = Field(Decimal("1"), gt=0, max_digits=5, decimal_places=2)
    title: str = Field(..., min_length=1, max_length=200)
    description: str = Field("", max_length=5000)
    metric: Metric = "number"
    start_value: Value = Field(None, max_digits=14, decimal_places=2)
    target_value: Value = Field(None, max_digits=14, decimal_places=2)
    measure_unit: str = Field("", max_length=40)
    feasibility_note: str = Field("", max_length=5000)
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    visibility: Visibility = "team"


class GoalIn(GoalFields):
    level: Literal["team", "individual"]
    owner_unit_id: UUID | None = Field(None, description="For a team goal.")
    owner_person_id: UUID | None = Field(None, description="For an individual goal.")


class GoalPatch(Schema):
    parent_id: UUID | None = None
    not_linked_reason: str | None = Field(None, max_length=2000)
    weight: Decimal | None = Field(None, gt=0, max_digits=5, decimal_places=2)
    title: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=5000)
    metric: Metric | None = None
    start_value: Value = Field(None, max_digits=14, decimal_places=2)
    target_value: Value = Field(None, max_digits=14, decimal_places=2)
    measure_unit: str | None = Field(None, max_length=40)
    feasibility_note: str | None = Field(None, max_length=5000)
    start_date: datetime.date | None = None
    due_date: datetime.date | None = None
    visibility: Visibility | None = None
    status: Literal["active", "achieved", "not_achieved", "cancelled", "archived"] | None = None


class CheckInIn(Schema):
    value: Value = Field(None, max_digits=14, decimal_places=2)
    confidence: int = Field(..., ge=0, le=10)
    note: str = Field("", max_length=5000)


class CheckInOut(Schema):
    id: UUID = Field(alias="uuid")
    goal_id: UUID
    value: Value
    confidence: int
    note: str
    recorded_at: datetime.datetime

    @staticmethod
    def resolve_goal_id(update) -> UUID:
        return update.goal.uuid


class GoalFilters(Schema):
    updated_since: datetime.datetime | None = None
    level: Level | None = None
    status: GoalStatus | None = None
    unit_id: UUID | None = Field(None, description="Team goals of this unit.")
    person_id: UUID | None = Field(None, description="Individual goals of this person.")
    parent_id: UUID | None = None


def _goals(request: HttpRequest):
    return goals_for_organisation_view(client_of(request).organisation_id).select_related(
        "parent", "owner_unit", "owner_person"
    )


def _one(request: HttpRequest, goal_id: UUID) -> Goal:
    return get_or_404(_goals(request), goal_id)


@router.get("/goals", response=list[GoalOut], **READ)
@paginate(KeysetPagination)
def goal_list(request: HttpRequest, filters: Query[GoalFilters]):
    goals = changed_since(_goals(request), filters.updated_since)
    for name, column in (("level", "level"), ("status", "status")):
        if getattr(filters, name):
            goals = goals.filter(**{column: getattr(filters, name)})
    for name, column in (
        ("unit_id", "owner_unit__uuid"),
        ("person_id", "owner_person__uuid"),
        ("parent_id", "parent__uuid"),
    ):
        if getattr(filters, name):
            goals = goals.filter(**{column: getattr(filters, name)})
    return goals


@router.get("/goals/{goal_id}", response=GoalOut, **READ)
def goal_read(request: HttpRequest, goal_id: UUID):
    return with_etag(request, _one(request, goal_id), GoalOut)


def _references(request: HttpRequest, payload) -> dict:
    """The goal, unit and person ids of ``payload`` as rows of the client's organisation
    (404 for any other)."""
    organisation_id = client_of(request).organisation_id
    found = {}
    if getattr(payload, "parent_id", None):
        found["parent"] = get_or_404(_goals(request), payload.parent_id)
    if getattr(payload, "owner_unit_id", None):
        found["owner_unit"] = get_or_404(
            units_of_organisation(organisation_id), payload.owner_unit_id
        )
    if getattr(payload, "owner_person_id", None):
        found["owner_person"] = get_or_404(
            people_in_organisation(organisation_id).filter(is_active=True), payload.owner_person_id
        )
    return found


@router.post("/goals", response={201: GoalOut}, **WRITE)
def goal_add(request: HttpRequest, payload: GoalIn):
    references = _references(request, payload)
    if payload.level == "team" and "owner_unit" not in references:
        raise Problem(422, _("A team goal needs owner_unit_id."), code="invalid")
    if payload.level == "individual" and "owner_person" not in references:
        raise Problem(422, _("An individual goal needs owner_person_id."), code="invalid")
    data = payload.dict(exclude={"level", "owner_unit_id", "owner_person_id", "parent_id"})
    goal = goal_create(
        by=None,
        client=client_of(request),
        level=payload.level,
        data={**data, "parent": references.get("parent")},
        owner_unit=references.get("owner_unit"),
        owner_person=references.get("owner_person"),
    )
    made = Goal.objects.select_related("parent", "owner_unit", "owner_person").get(pk=goal.pk)
    return with_etag(request, made, GoalOut, status=201)


@router.patch("/goals/{goal_id}", response=GoalOut, **WRITE)
def goal_change(request: HttpRequest, goal_id: UUID, payload: GoalPatch):
    version = expected_version(request)
    goal = _one(request, goal_id)
    if goal.level == Goal.Level.ORGANISATION:
        raise Problem(403, _("Organisation goals are changed by HR on the site."), code="forbidden")
    if goal.version != version:
        raise stale(request, goal, GoalOut)
    changes = payload.dict(exclude_unset=True)
    data = {name: value for name, value in changes.items() if name != "parent_id"}
    if "parent_id" in changes:
        data["parent"] = _references(request, payload).get("parent")
    try:
        goal_update(
            goal=goal, by=None, client=client_of(request), data=data, version=version, manage=True
        )
    except GoalConflict as conflict:
        raise stale(request, _one(request, goal_id), GoalOut) from conflict
    return with_etag(request, _one(request, goal_id), GoalOut)


@router.post("/goals/{goal_id}/check-ins", response={201: CheckInOut}, **WRITE)
def goal_check_in_add(request: HttpRequest, goal_id: UUID, payload: CheckInIn):
    goal = _one(request, goal_id)
    update = goal_check_in(
        goal=goal,
        by=None,
        client=client_of(request),
        value=payload.value,
        confidence=payload.confidence,
        note=payload.note,
    )
    return Status(201, update)
