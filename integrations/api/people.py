"""People and units: list (``updated_since`` for a nightly sync), read, create, change,
deactivate. Writes go through the same rules as HR's pages, the people file and SCIM
(``people.directory``)."""

import datetime
from typing import Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from people.access import people_in_organisation, units_of_organisation
from people.models import ApiClient, OrgUnit, User

from .auth import scoped
from .common import changed_since, client_of, get_or_404, with_etag
from .pagination import KeysetPagination

router = Router(tags=["people"])
READ, WRITE = scoped(ApiClient.Scope.PEOPLE_READ), scoped(ApiClient.Scope.PEOPLE_WRITE)


def _uuid(row) -> UUID | None:
    return row.uuid if row is not None else None


class PersonOut(Schema):
    id: UUID = Field(alias="uuid")
    external_id: str
    email: str
    full_name: str
    job_title: str
    unit_id: UUID | None
    line_manager_id: UUID | None
    is_hr: bool
    language: Literal["nl", "en"]
    start_date: datetime.date | None
    end_date: datetime.date | None
    active: bool = Field(alias="is_active")
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_unit_id(person: User) -> UUID | None:
        return _uuid(person.unit)

    @staticmethod
    def resolve_line_manager_id(person: User) -> UUID | None:
        return _uuid(person.line_manager)


class UnitOut(Schema):
    id: UUID = Field(alias="uuid")
    external_id: str
    name: str
    kind: Literal["department", "team"]
    parent_id: UUID | None
    manager_id: UUID | None
    version: int
    updated_at: datetime.datetime

    @staticmethod
    def resolve_parent_id(unit: OrgUnit) -> UUID | None:
        return _uuid(unit.parent)

    @staticmethod
    def resolve_manager_id(unit: OrgUnit) -> UUID | None:
        return _uuid(unit.manager)


class PeopleFilters(Schema):
    updated_since: datetime.datetime | None = Field(
        None, description="Only people changed at or after this moment (ISO 8601)."
    )
    unit_id: UUID | None = None
    active: bool | None = None
    email: str | None = Field(None, max_length=254)
    external_id: str | None = Field(None, max_length=200)


class UnitFilters(Schema):
    updated_since: datetime.datetime | None = None
    parent_id: UUID | None = None
    external_id: str | None = Field(None, max_length=200)


def _people(request: HttpRequest):
    organisation_id = client_of(request).organisation_id
    return people_in_organisation(organisation_id).select_related("unit", "line_manager")


def _units(request: HttpRequest):
    organisation_id = client_of(request).organisation_id
    return units_of_organisation(organisation_id).select_related("parent", "manager")


@router.get("/people", response=list[PersonOut], **READ)
@paginate(KeysetPagination)
def person_list(request: HttpRequest, filters: Query[PeopleFilters]):
    people = changed_since(_people(request), filters.updated_since)
    if filters.unit_id:
        people = people.filter(unit__uuid=filters.unit_id)
    if filters.active is not None:
        people = people.filter(is_active=filters.active)
    if filters.email:
        people = people.filter(email=filters.email.strip().lower())
    if filters.external_id:
        people = people.filter(external_id=filters.external_id)
    return people


@router.get("/people/{person_id}", response=PersonOut, **READ)
def person_read(request: HttpRequest, person_id: UUID):
    return with_etag(request, get_or_404(_people(request), person_id), PersonOut)


@router.get("/units", response=list[UnitOut], **READ)
@paginate(KeysetPagination)
def unit_list(request: HttpRequest, filters: Query[UnitFilters]):
    units = changed_since(_units(request), filters.updated_since)
    if filters.parent_id:
        units = units.filter(parent__uuid=filters.parent_id)
    if filters.external_id:
        units = units.filter(external_id=filters.external_id)
    return units


@router.get("/units/{unit_id}", response=UnitOut, **READ)
def unit_read(request: HttpRequest, unit_id: UUID):
    return with_etag(request, get_or_404(_units(request), unit_id), UnitOut)
