"""Conversations, read-only: dates, kinds, status and agreements. Never shared or private
notes, preparation answers, the agenda, the place or the request's note. Each read is in
the audit trail, like a person's read."""

import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from conversations.privacy import AUDIT_TYPE
from conversations.selectors import conversations_for_organisation
from people.models import ApiClient

from .auth import scoped
from .common import audit_reads, changed_since, client_of, get_or_404
from .pagination import KeysetPagination

router = Router(tags=["conversations"])
READ = scoped(ApiClient.Scope.CONVERSATIONS_READ)

Kind = Literal["start", "progress", "performance", "appraisal", "development", "check_in"]
Status = Literal["requested", "scheduled", "held", "cancelled"]


class AgreementOut(Schema):
    id: UUID = Field(alias="uuid")
    text: str
    owner_id: UUID = Field(alias="owner.uuid")
    due_date: datetime.date | None
    status: Literal["open", "done"]
    action_id: UUID | None = Field(description="The development action it became.")

    @staticmethod
    def resolve_action_id(agreement) -> UUID | None:
        return agreement.plan_action.uuid if agreement.plan_action_id else None


class ConversationOut(Schema):
    id: UUID = Field(alias="uuid")
    employee_id: UUID = Field(alias="employee.uuid")
    manager_id: UUID = Field(alias="manager.uuid")
    kind: Kind
    status: Status
    starts_at: datetime.datetime | None
    duration_minutes: int | None
    held_at: datetime.datetime | None
    cancelled_at: datetime.datetime | None
    agreements: list[AgreementOut]
    updated_at: datetime.datetime


class ConversationFilters(Schema):
    updated_since: datetime.datetime | None = None
    employee_id: UUID | None = None
    manager_id: UUID | None = None
    status: Status | None = None
    kind: Kind | None = None


def _conversations(request: HttpRequest):
    return conversations_for_organisation(organisation_id=client_of(request).organisation_id)


def _audit(request: HttpRequest, page) -> None:
    audit_reads(request, AUDIT_TYPE, [(str(c.uuid), c.employee) for c in page])


@router.get("/conversations", response=list[ConversationOut], **READ)
@paginate(KeysetPagination)
def conversation_list(request: HttpRequest, filters: Query[ConversationFilters]):
    rows = changed_since(_conversations(request), filters.updated_since)
    for name, column in (
        ("employee_id", "employee__uuid"),
        ("manager_id", "manager__uuid"),
        ("status", "status"),
        ("kind", "kind"),
    ):
        if getattr(filters, name):
            rows = rows.filter(**{column: getattr(filters, name)})
    request.api_page_read = lambda page: _audit(request, page)
    return rows


@router.get("/conversations/{conversation_id}", response=ConversationOut, **READ)
def conversation_read(request: HttpRequest, conversation_id: UUID):
    conversation = get_or_404(_conversations(request), conversation_id)
    _audit(request, [conversation])
    return conversation
