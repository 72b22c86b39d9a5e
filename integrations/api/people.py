"""People and units: list (``updated_since`` for a nightly sync), read, create, change,
deactivate. Writes go through the same rules as HR's pages, the people file and SCIM
(``people.directory``)."""

import datetime
from typing import Literal
from uuid import UUID

from django.db import transaction
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from people import directory
from people.access import people_in_organisation, units_of_organisation
from people.models import ApiClient, OrgUnit, User

from .auth import scoped
from .common import changed_since, client_of, expected_version, get_or_404, stale, with_etag
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


# --- Writes (people.directory: the rules of HR's pages, the people file and SCIM) ---------


class PersonIn(Schema):
    email: str = Field(..., max_length=254)
    full_name: str = Field(..., min_length=1, max_length=200)
    job_title: str = Field("", max_length=200)
    unit_id: UUID | None = None
    line_manager_id: UUID | None = None
    is_hr: bool = False
    language: Literal["nl", "en"] | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    external_id: str = Field("", max_length=200)
    invite: bool = Field(False, description="E-mail an invitation to set a password.")


class PersonPatch(Schema):
    email: str | None = Field(None, max_length=254)
    full_name: str | None = Field(None, min_length=1, max_length=200)
    job_title: str | None = Field(None, max_length=200)
    unit_id: UUID | None = None
    line_manager_id: UUID | None = None
    is_hr: bool | None = None
    language: Literal["nl", "en"] | None = None
    start_date: datetime.date | None = None
    end_date: datetime.date | None = None
    external_id: str | None = Field(None, max_length=200)


class UnitIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: Literal["department", "team"] = "team"
    parent_id: UUID | None = None
    manager_id: UUID | None = None
    external_id: str = Field("", max_length=200)


class UnitPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: Literal["department", "team"] | None = None
    parent_id: UUID | None = None
    manager_id: UUID | None = None
    external_id: str | None = Field(None, max_length=200)


# Id fields of the payloads and the rows they name.
_PERSON_REFERENCES = {"unit_id": ("unit", _units), "line_manager_id": ("line_manager", _people)}
_UNIT_REFERENCES = {"parent_id": ("parent", _units), "manager_id": ("manager", _people)}


def _values(request: HttpRequest, given: dict, references: dict) -> dict:
    """The payload's fields as model values: ids become rows of the client's organisation
    (404 for any other); ``null`` clears a reference."""
    values = {}
    for name, value in given.items():
        if name in references:
            field, rows = references[name]
            values[field] = get_or_404(rows(request), value) if value else None
        else:
            values[name] = value.strip() if isinstance(value, str) else value
    return values


def _locked(rows, request: HttpRequest, uuid: UUID, schema):
    """The row, locked for this transaction, at the version If-Match names (else 412 with
    the current row): a write never overwrites what someone saved since it was read."""
    version = expected_version(request)
    row = get_or_404(rows.select_for_update(of=("self",)), uuid)
    if row.version != version:
        raise stale(request, row, schema)
    return row


@router.post("/people", response={201: PersonOut}, **WRITE)
def person_add(request: HttpRequest, payload: PersonIn):
    client = client_of(request)
    given = payload.dict(exclude={"invite"})
    if not given.get("language"):
        given.pop("language", None)
    with transaction.atomic():
        person = directory.person_create(
            organisation=client.organisation,
            by=None,
            client=client,
            values=_values(request, given, _PERSON_REFERENCES),
            invite=payload.invite,
        )
    return with_etag(request, get_or_404(_people(request), person.uuid), PersonOut, status=201)


@router.patch("/people/{person_id}", response=PersonOut, **WRITE)
def person_change(request: HttpRequest, person_id: UUID, payload: PersonPatch):
    with transaction.atomic():
        person = _locked(_people(request), request, person_id, PersonOut)
        changes = _values(request, payload.dict(exclude_unset=True), _PERSON_REFERENCES)
        directory.person_update(person=person, by=None, client=client_of(request), changes=changes)
    return with_etag(request, get_or_404(_people(request), person_id), PersonOut)


@router.post(
    "/people/{person_id}/deactivate",
    response=PersonOut,
    **scoped(ApiClient.Scope.PEOPLE_WRITE, if_match=True),
)
def person_deactivate(request: HttpRequest, person_id: UUID):
    """The person can no longer sign in; their open sessions end at their next request.
    Their plan, goals and conversations stay."""
    with transaction.atomic():
        person = _locked(_people(request), request, person_id, PersonOut)
        directory.person_set_active(person=person, by=None, client=client_of(request), active=False)
    return with_etag(request, get_or_404(_people(request), person_id), PersonOut)


@router.post("/units", response={201: UnitOut}, **WRITE)
def unit_add(request: HttpRequest, payload: UnitIn):
    client = client_of(request)
    values = _values(request, payload.dict(), _UNIT_REFERENCES)
    with transaction.atomic():
        unit = directory.unit_create(
            organisation=client.organisation, by=None, client=client, **values
        )
    return with_etag(request, get_or_404(_units(request), unit.uuid), UnitOut, status=201)


@router.patch("/units/{unit_id}", response=UnitOut, **WRITE)
def unit_change(request: HttpRequest, unit_id: UUID, payload: UnitPatch):
    with transaction.atomic():
        unit = _locked(_units(request), request, unit_id, UnitOut)
        changes = _values(request, payload.dict(exclude_unset=True), _UNIT_REFERENCES)
        directory.unit_update(unit=unit, by=None, client=client_of(request), changes=changes)
    return with_etag(request, get_or_404(_units(request), unit_id), UnitOut)


@router.delete("/units/{unit_id}", response={204: None}, **WRITE)
def unit_remove(request: HttpRequest, unit_id: UUID):
    """A unit without sub-units, people or team goals."""
    with transaction.atomic():
        unit = _locked(_units(request), request, unit_id, UnitOut)
        directory.unit_delete(unit=unit, by=None, client=client_of(request))
    return Status(204, None)
