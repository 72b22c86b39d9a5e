"""What every resource of the API shares: the client's organisation, versions in ETag and
If-Match, ``updated_since``, and the audit of each call."""

import datetime
from uuid import UUID

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from people.models import ApiClient, AuditEvent, User
from people.services import audit_event, audit_record, audit_record_many

from .problems import Problem

AUDIT_CALL = "api_call"


def client_of(request: HttpRequest) -> ApiClient:
    return request.auth


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: HttpRequest) -> int:
    """The version named by If-Match: 428 without one, 400 for a malformed one."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise Problem(428, code="if-match-missing")
    value = header.removeprefix("W/").strip('"')
    if not value.isdigit():
        raise Problem(400, _('If-Match takes the ETag you read, such as "3".'), code="if-match")
    return int(value)


def represent(request: HttpRequest, row: Model, schema: type) -> dict:
    return schema.from_orm(row, context={"request": request}).model_dump(mode="json")


def stale(request: HttpRequest, current: Model, schema: type) -> Problem:
    """412 with the row as it is now (the client merges, then sends its version)."""
    represented = represent(request, current, schema)
    return Problem(
        412,
        _("Someone changed this since you read it. The current version is in `current`."),
        code="stale",
        current=represented,
        headers={"ETag": etag(current.version)},
    )


def with_etag(request: HttpRequest, row: Model, schema: type, status: int = 200) -> HttpResponse:
    """The row as JSON with its version as ETag (what a write names in If-Match)."""
    response = JsonResponse(represent(request, row, schema), status=status)
    response["ETag"] = etag(row.version)
    return response


def in_utc(moment: datetime.datetime, name: str) -> datetime.datetime:
    """``moment`` in UTC (a moment without an offset is read as UTC). Any offset ISO 8601
    allows is taken, also the ±18:00 PostgreSQL would refuse; 400 for one outside the
    years a database can hold."""
    try:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=datetime.UTC)
        return moment.astimezone(datetime.UTC)
    except OverflowError as far:
        raise Problem(400, _("%(name)s is out of range.") % {"name": name}, code="range") from far


def changed_since(rows: QuerySet, updated_since: datetime.datetime | None) -> QuerySet:
    if updated_since is None:
        return rows
    return rows.filter(updated_at__gte=in_utc(updated_since, "updated_since"))


def get_or_404(rows: QuerySet, uuid: UUID):
    found = rows.filter(uuid=uuid).first()
    if found is None:
        raise Problem(404, code="not-found")
    return found


ACTIONS = {
    "GET": AuditEvent.Action.READ,
    "POST": AuditEvent.Action.CREATE,
    "DELETE": AuditEvent.Action.DELETE,
}


def audit_call(request: HttpRequest) -> None:
    """Every call is in the organisation's audit trail: which client and which operation
    (a code such as ``GET api/v1/people/<uuid:person_id>``), never the data."""
    match = request.resolver_match
    route = match.route if match is not None else request.path
    audit_record(
        actor=None,
        client=request.api_client,
        action=ACTIONS.get(request.method, AuditEvent.Action.CHANGE),
        object_type=AUDIT_CALL,
        summary=f"{request.method} {route}",
        request=request,
    )


def audit_reads(request: HttpRequest, object_type: str, rows: list[tuple[str, User]]) -> None:
    """A client's read of people's plans or conversations, like a person's read: one
    event per person and object, written with the request's other events."""
    client = client_of(request)
    audit_record_many(
        [
            audit_event(
                actor=None,
                client=client,
                subject=subject,
                action=AuditEvent.Action.READ,
                object_type=object_type,
                object_id=object_id,
                summary="api",
            )
            for object_id, subject in rows
        ]
    )
