"""SCIM 2.0 endpoints (``/scim/v2/``): Users (with the enterprise extension's manager and
department) and Groups (the organisation's units), for an identity provider such as
Microsoft Entra ID. Every write goes through ``people.directory``: the rules of HR's
pages and the people file (no manager loops, one account per e-mail address, a
deactivation ends the person's sessions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from people import directory
from people.access import people_in_organisation, units_of_organisation
from people.models import ApiClient, OrgUnit, User

from ..api.common import audit_call
from . import protocol
from .protocol import ENTERPRISE, GROUP, USER, ScimError, answer, endpoint

USER_FILTERS = {"userName": "email", "externalId": "external_id", "id": "uuid"}
GROUP_FILTERS = {"displayName": "name", "externalId": "external_id", "id": "uuid"}


def _audited(view):
    """Each call in the organisation's audit trail, like the REST API's."""

    def wrapper(request: HttpRequest, client: ApiClient, *args, **kwargs) -> HttpResponse:
        request.api_client = client
        audit_call(request)
        return view(request, client, *args, **kwargs)

    wrapper.__name__ = view.__name__
    return wrapper


def _meta(request: HttpRequest, kind: str, row, url_name: str, created) -> dict:
    return {
        "resourceType": kind,
        "created": created.isoformat(),
        "lastModified": row.updated_at.isoformat(),
        "version": f'W/"{row.version}"',
        "location": request.build_absolute_uri(reverse(url_name, args=[row.uuid])),
    }


def _rules_broken(problem: ValidationError) -> ScimError:
    codes = (
        {error.code for error in problem.error_list} if hasattr(problem, "error_list") else set()
    )
    detail = " ".join(problem.messages)
    if "email_taken" in codes:
        return ScimError(409, detail, "uniqueness")
    return ScimError(400, detail, "invalidValue")


# --- Users -----------------------------------------------------------------------------------


def _people(client: ApiClient):
    return people_in_organisation(client.organisation_id).select_related("unit", "line_manager")


def user_resource(request: HttpRequest, person: User) -> dict:
    enterprise: dict = {"department": person.unit.name if person.unit_id else None}
    if person.line_manager_id:
        enterprise["manager"] = {
            "value": str(person.line_manager.uuid),
            "$ref": request.build_absolute_uri(
                reverse("scim-user", args=[person.line_manager.uuid])
            ),
            "displayName": person.line_manager.full_name,
        }
    return {
        "schemas": [USER, ENTERPRISE],
        "id": str(person.uuid),
        "externalId": person.external_id or None,
        "userName": person.email,
        "name": {"formatted": person.full_name},
        "displayName": person.full_name,
        "title": person.job_title,
        "preferredLanguage": person.language,
        "active": person.is_active,
        "emails": [{"value": person.email, "type": "work", "primary": True}],
        ENTERPRISE: enterprise,
        "groups": [{"value": str(person.unit.uuid), "display": person.unit.name}]
        if person.unit_id
        else [],
        "meta": _meta(request, "User", person, "scim-user", person.date_joined),
    }


class _Name:
    """A person's name while a request changes its parts (we keep one full name)."""

    def __init__(self, full: str) -> None:
        given, _space, family = full.partition(" ")
        self.formatted, self.given, self.family = "", given, family

    def full(self) -> str:
        return self.formatted or " ".join(part for part in (self.given, self.family) if part)


def _reference(value: object) -> str:
    """A manager or member reference: ``"id"`` or ``{"value": "id"}``."""
    if isinstance(value, dict):
        value = value.get("value")
    return str(value or "").strip()


def _unit_named(client: ApiClient, name: str) -> OrgUnit | None:
    """The unit of the department's name; a new top-level department if there is none."""
    name = name.strip()
    if not name:
        return None
    unit = units_of_organisation(client.organisation_id).filter(name__iexact=name).first()
    return unit or directory.unit_create(
        organisation=client.organisation,
        by=None,
        client=client,
        name=name,
        kind=OrgUnit.Kind.DEPARTMENT,
        parent=None,
        manager=None,
    )


def _manager(client: ApiClient, value: object) -> User | None:
    reference = _reference(value)
    if not reference:
        return None
    query = protocol.filter_query(f'id eq "{reference}"', USER_FILTERS)
    manager = (
        people_in_organisation(client.organisation_id).filter(query).first() if query else None
    )
    if manager is None:
        raise ScimError(400, f"The manager {reference} is not a user here.", "invalidValue")
    return manager


def _user_changes(
    client: ApiClient, person: User | None, attributes: list[tuple[str, str, object]]
):
    """The directory's changes and the wanted ``active`` from (op, path, value)."""
    name = _Name(person.full_name if person else "")
    changes: dict[str, object] = {}
    active = None
    for op, raw_path, value in _unfolded(attributes):
        path = raw_path.removeprefix(f"{USER}:").lower()
        clear = op == "remove"
        if path == "active":
            active = True if clear else protocol.as_bool(value)
        elif path == "username":
            changes["email"] = str(value or "").strip().lower()
        elif path in ("displayname", "name.formatted"):
            name.formatted = "" if clear else str(value or "").strip()
        elif path == "name" and isinstance(value, dict):
            name.formatted = str(value.get("formatted") or "").strip()
            name.given = str(value.get("givenName") or name.given)
            name.family = str(value.get("familyName") or name.family)
        elif path == "name.givenname":
            name.given = "" if clear else str(value or "")
        elif path == "name.familyname":
            name.family = "" if clear else str(value or "")
        elif path == "title":
            changes["job_title"] = "" if clear else str(value or "").strip()
        elif path == "externalid":
            changes["external_id"] = "" if clear else str(value or "").strip()
        elif path == "preferredlanguage" and not clear:
            language = str(value or "")[:2].lower()
            if language in ("nl", "en"):
                changes["language"] = language
        elif path == f"{ENTERPRISE}:manager".lower():
            changes["line_manager"] = None if clear else _manager(client, value)
        elif path == f"{ENTERPRISE}:department".lower():
            changes["unit"] = None if clear else _unit_named(client, str(value or ""))
        # Other attributes (emails, phone numbers, addresses) are not kept: the sign-in
        # address is userName.
    full = name.full()
    if full and (person is None or full != person.full_name):
        changes["full_name"] = full
    return changes, active


def _unfolded(attributes: list[tuple[str, str, object]]):
    """The enterprise extension given as one object, as one operation per attribute."""
    for op, path, value in attributes:
        if path.lower() == ENTERPRISE.lower() and isinstance(value, dict):
            yield from ((op, f"{ENTERPRISE}:{key}", item) for key, item in value.items())
        else:
            yield op, path, value


def _as_attributes(body: dict) -> list[tuple[str, str, object]]:
    """A full resource (POST, PUT) as replace operations."""
    return [
        ("replace", name, value)
        for name, value in body.items()
        if name not in ("schemas", "meta", "id")
    ]


@endpoint
@_audited
@require_http_methods(["GET", "POST"])
def users(request: HttpRequest, client: ApiClient) -> HttpResponse:
    if request.method == "POST":
        return _user_create(request, client)
    people = _people(client).order_by("id")
    if request.GET.get("filter"):
        query = protocol.filter_query(request.GET["filter"], USER_FILTERS)
        people = people.filter(query) if query is not None else people.none()
    start, count = protocol.page_of(request)
    total = people.count()
    page = list(people[start - 1 : start - 1 + count])
    return protocol.list_response(
        [user_resource(request, p) for p in page], total=total, start=start
    )


@transaction.atomic
def _user_create(request: HttpRequest, client: ApiClient) -> HttpResponse:
    changes, active = _user_changes(client, None, _as_attributes(protocol.body_of(request)))
    if not changes.get("email"):
        raise ScimError(400, "userName is required.", "invalidValue")
    changes.setdefault("full_name", changes["email"])
    try:
        person = directory.person_create(
            organisation=client.organisation, by=None, client=client, values=changes
        )
        if active is False:
            directory.person_set_active(person=person, by=None, client=client, active=False)
    except ValidationError as problem:
        raise _rules_broken(problem) from problem
    person = _people(client).get(pk=person.pk)
    resource = user_resource(request, person)
    return answer(
        resource, 201, Location=resource["meta"]["location"], ETag=resource["meta"]["version"]
    )


def _by_id(rows, resource_id: str, what: str, *, lock: bool):
    """The row of ``rows`` (this organisation's) with the SCIM id; 404 for any other."""
    query = protocol.filter_query(f'id eq "{resource_id}"', {"id": "uuid"})
    if lock:
        rows = rows.select_for_update(of=("self",))
    found = rows.filter(query).first() if query is not None else None
    if found is None:
        raise ScimError(404, f"No such {what}.")
    return found


def _person(client: ApiClient, person_id: str, *, lock: bool = False) -> User:
    return _by_id(_people(client), person_id, "user", lock=lock)


@endpoint
@_audited
@require_http_methods(["GET", "PUT", "PATCH", "DELETE"])
def user(request: HttpRequest, client: ApiClient, person_id: str) -> HttpResponse:
    if request.method == "GET":
        return answer(user_resource(request, _person(client, person_id)))
    with transaction.atomic():
        person = _person(client, person_id, lock=True)
        if request.method == "DELETE":
            # People are never deleted (their plan, goals and audit trail stay): deactivated.
            directory.person_set_active(person=person, by=None, client=client, active=False)
            return answer(None, 204)
        body = protocol.body_of(request)
        attributes = (
            protocol.operations(body) if request.method == "PATCH" else _as_attributes(body)
        )
        changes, active = _user_changes(client, person, attributes)
        try:
            directory.person_update(person=person, by=None, client=client, changes=changes)
            if active is not None:
                directory.person_set_active(person=person, by=None, client=client, active=active)
        except ValidationError as problem:
            raise _rules_broken(problem) from problem
    return answer(user_resource(request, _person(client, person_id)))


# --- Groups (units) ----------------------------------------------------------------------------


def _units(client: ApiClient):
    return units_of_organisation(client.organisation_id)


def group_resource(request: HttpRequest, unit: OrgUnit, *, members: bool = True) -> dict:
    resource = {
        "schemas": [GROUP],
        "id": str(unit.uuid),
        "externalId": unit.external_id or None,
        "displayName": unit.name,
        "meta": _meta(request, "Group", unit, "scim-group", unit.created_at),
    }
    if members:
        resource["members"] = [
            {"value": str(uuid), "display": name}
            for uuid, name in User.objects.filter(unit=unit)
            .order_by("id")
            .values_list("uuid", "full_name")
        ]
    return resource


def _members_wanted(request: HttpRequest) -> bool:
    excluded = request.GET.get("excludedAttributes", "")
    return "members" not in {part.strip().lower() for part in excluded.split(",")}


def _group(client: ApiClient, group_id: str, *, lock: bool = False) -> OrgUnit:
    return _by_id(_units(client), group_id, "group", lock=lock)


def _member_ids(value: object) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [_reference(item) for item in items if _reference(item)]


def _set_members(client: ApiClient, unit: OrgUnit, ids: list[str], *, member: bool) -> None:
    """Add people to the unit (their one unit), or take them out of it."""
    for person_id in ids:
        person = _person(client, person_id, lock=True)
        if member and person.unit_id != unit.pk:
            directory.person_update(person=person, by=None, client=client, changes={"unit": unit})
        elif not member and person.unit_id == unit.pk:
            directory.person_update(person=person, by=None, client=client, changes={"unit": None})


def _apply_group(
    client: ApiClient, unit: OrgUnit, attributes: list[tuple[str, str, object]]
) -> None:
    changes: dict[str, object] = {}
    for op, raw_path, value in attributes:
        path = raw_path.removeprefix(f"{GROUP}:")
        lowered = path.lower()
        if lowered == "displayname" and op != "remove":
            changes["name"] = str(value or "").strip()
        elif lowered == "externalid":
            changes["external_id"] = "" if op == "remove" else str(value or "").strip()
        elif lowered == "members":
            if op == "replace":
                wanted = set(_member_ids(value))
                current = {
                    str(u) for u in User.objects.filter(unit=unit).values_list("uuid", flat=True)
                }
                _set_members(client, unit, sorted(current - wanted), member=False)
                _set_members(client, unit, sorted(wanted), member=True)
            else:
                _set_members(client, unit, _member_ids(value), member=op == "add")
        elif lowered.startswith("members[") and op == "remove":
            query = protocol.filter_query(
                lowered.removeprefix("members[").rstrip("]").replace("value", "id"), USER_FILTERS
            )
            ids = (
                [str(u) for u in _people(client).filter(query).values_list("uuid", flat=True)]
                if query
                else []
            )
            _set_members(client, unit, ids, member=False)
    if changes:
        directory.unit_update(unit=unit, by=None, client=client, changes=changes)


@endpoint
@_audited
@require_http_methods(["GET", "POST"])
def groups(request: HttpRequest, client: ApiClient) -> HttpResponse:
    if request.method == "POST":
        return _group_create(request, client)
    units = _units(client).order_by("id")
    if request.GET.get("filter"):
        query = protocol.filter_query(request.GET["filter"], GROUP_FILTERS)
        units = units.filter(query) if query is not None else units.none()
    start, count = protocol.page_of(request)
    total = units.count()
    members = _members_wanted(request)
    page = [
        group_resource(request, unit, members=members)
        for unit in units[start - 1 : start - 1 + count]
    ]
    return protocol.list_response(page, total=total, start=start)


@transaction.atomic
def _group_create(request: HttpRequest, client: ApiClient) -> HttpResponse:
    body = protocol.body_of(request)
    name = str(body.get("displayName") or "").strip()
    if not name:
        raise ScimError(400, "displayName is required.", "invalidValue")
    try:
        unit = directory.unit_create(
            organisation=client.organisation,
            by=None,
            client=client,
            name=name,
            kind=OrgUnit.Kind.TEAM,
            parent=None,
            manager=None,
            external_id=str(body.get("externalId") or "").strip(),
        )
        if body.get("members"):
            _set_members(client, unit, _member_ids(body["members"]), member=True)
    except ValidationError as problem:
        raise _rules_broken(problem) from problem
    resource = group_resource(request, _units(client).get(pk=unit.pk))
    return answer(
        resource, 201, Location=resource["meta"]["location"], ETag=resource["meta"]["version"]
    )


@endpoint
@_audited
@require_http_methods(["GET", "PUT", "PATCH", "DELETE"])
def group(request: HttpRequest, client: ApiClient, group_id: str) -> HttpResponse:
    if request.method == "GET":
        unit = _group(client, group_id)
        return answer(group_resource(request, unit, members=_members_wanted(request)))
    try:
        with transaction.atomic():
            unit = _group(client, group_id, lock=True)
            if request.method == "DELETE":
                directory.unit_delete(unit=unit, by=None, client=client)
                return answer(None, 204)
            body = protocol.body_of(request)
            if request.method == "PATCH":
                attributes = protocol.operations(body)
            else:
                attributes = [
                    *_as_attributes(body),
                    ("replace", "members", body.get("members", [])),
                ]
            _apply_group(client, unit, attributes)
    except ValidationError as problem:
        raise _rules_broken(problem) from problem
    if request.method == "PATCH" and not _members_wanted(request):
        return answer(None, 204)
    return answer(group_resource(request, _group(client, group_id)))
