"""The audit trail's plumbing: where an event comes from, and what its object is.

**One insert per request.** ``AuditMiddleware`` opens a buffer for each request and
remembers where it comes from (IP address, browser; not kept for a person's use of their
own data). ``record`` puts events in that
buffer (an identical event twice counts once), and the middleware writes them all in one
INSERT when the response is ready, a server error included: the services record a change
after their last write, so an error later in the request follows a committed change, and
the trail would rather hold an attempt that was rolled back than miss a change. Outside a
request (Celery tasks, management commands) ``record`` writes at once.

**Object types.** Apps register the types of object they record (``register_object_type``
in their ``AppConfig.ready()``: people may not import the apps to its right): a label, the
labels of the parts (the codes in ``AuditEvent.summary``) and a function that says which
of a page of objects the viewer may open, with their address, in one query.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field

from axes.helpers import get_client_ip_address
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise

from .models import AuditEvent, User

USER_AGENT_LENGTH = AuditEvent._meta.get_field("user_agent").max_length


@dataclass
class RequestAudit:
    ip_address: str | None
    user_agent: str
    events: list[AuditEvent] = field(default_factory=list)
    seen: set[tuple] = field(default_factory=set)


_current: ContextVar[RequestAudit | None] = ContextVar("pop_request_audit", default=None)


def origin_of(request: HttpRequest) -> tuple[str | None, str]:
    """IP address (as django-axes counts it for lockouts) and browser of a request."""
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH]
    return get_client_ip_address(request) or None, user_agent


class AuditMiddleware:
    """Collects the request's audit events and writes them in one INSERT at its end."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip_address, user_agent = origin_of(request)
        buffer = RequestAudit(ip_address=ip_address, user_agent=user_agent)
        token = _current.set(buffer)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        events = buffer.events
        if 400 <= response.status_code < 500:
            # Refused (not found, forbidden, bad request): whatever was looked up first was
            # not shown, so it was not read.
            events = [event for event in events if event.action != AuditEvent.Action.READ]
        if events:
            AuditEvent.objects.bulk_create(events)
        return response


def _key(event: AuditEvent) -> tuple:
    return (
        event.organisation_id,
        event.actor_id,
        event.subject_id,
        event.action,
        event.object_type,
        event.object_id,
        event.summary,
    )


def record(events: Iterable[AuditEvent], *, request: HttpRequest | None = None) -> None:
    """Buffer the events in the current request, or write them now outside one."""
    buffer = _current.get()
    origin = origin_of(request) if request is not None else None
    if origin is None and buffer is not None:
        origin = (buffer.ip_address, buffer.user_agent)
    events = list(events)
    for event in events:
        # Where a request came from is kept when someone uses another person's data; a
        # person's use of their own data (their own export) is recorded without it.
        own = event.actor_id is not None and event.actor_id == event.subject_id
        if origin is not None and not own and event.ip_address is None and not event.user_agent:
            event.ip_address, event.user_agent = origin
    if buffer is None:
        AuditEvent.objects.bulk_create(events)
        return
    for event in events:
        key = _key(event)
        if key not in buffer.seen:
            buffer.seen.add(key)
            buffer.events.append(event)


# --- Object types -------------------------------------------------------------------------

LinkResolver = Callable[[User, list[str]], dict[str, str]]


@dataclass(frozen=True)
class ObjectType:
    name: str
    label: str | Promise
    parts: dict[str, str | Promise] = field(default_factory=dict)
    links: LinkResolver | None = None
    #: Parts that must leave no trace (a private note): events about them that were
    #: recorded before that rule are never shown or exported.
    withdrawn: frozenset[str] = frozenset()


_object_types: dict[str, ObjectType] = {}


def register_object_type(
    name: str,
    label: str | Promise,
    *,
    parts: dict[str, str | Promise] | None = None,
    links: LinkResolver | None = None,
    withdrawn: Iterable[str] = (),
) -> None:
    """Called from an ``AppConfig.ready()``; registering a name again replaces it."""
    _object_types[name] = ObjectType(
        name=name, label=label, parts=parts or {}, links=links, withdrawn=frozenset(withdrawn)
    )


def without_withdrawn(events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
    """The events that may be shown: none about a withdrawn part."""
    for kind in _object_types.values():
        if kind.withdrawn:
            events = events.exclude(object_type=kind.name, summary__in=sorted(kind.withdrawn))
    return events


def describe(event: AuditEvent) -> tuple[str, str]:
    """The event's object type and part as people read them ("development plan",
    "competency gap"). A type with registered parts shows only those: a summary that is
    not one of its codes shows as "" (never stored text, such as a goal's title in an
    event from before the codes). Types without parts (settings, import, dashboard) show
    their summary, which holds no one's personal content."""
    kind = _object_types.get(event.object_type)
    if kind is None:
        return event.object_type, ""
    if kind.parts:
        return str(kind.label), str(kind.parts.get(event.summary, ""))
    return str(kind.label), event.summary


def valid_uuids(ids: Iterable[str]) -> list[uuid.UUID]:
    """The ids that are UUIDs (older events may hold other references)."""
    found = []
    for value in ids:
        try:
            found.append(uuid.UUID(value))
        except ValueError:
            continue
    return found


def links_by_uuid(
    visible: QuerySet, object_ids: list[str], url_name: str, kwarg: str
) -> dict[str, str]:
    """For a link resolver: the address of each object of ``visible`` (what the viewer may
    open) among ``object_ids``, in one query."""
    found = visible.filter(uuid__in=valid_uuids(object_ids)).values_list("uuid", flat=True)
    return {str(uuid): reverse(url_name, kwargs={kwarg: uuid}) for uuid in found}


def object_links(viewer: User, events: Iterable[AuditEvent]) -> dict[tuple[str, str], str]:
    """Addresses of the events' objects that ``viewer`` may open: one query per type."""
    wanted: dict[str, set[str]] = {}
    for event in events:
        if event.object_id:
            wanted.setdefault(event.object_type, set()).add(event.object_id)
    links: dict[tuple[str, str], str] = {}
    for name, ids in wanted.items():
        kind = _object_types.get(name)
        if kind is None or kind.links is None:
            continue
        for object_id, url in kind.links(viewer, sorted(ids)).items():
            links[(name, object_id)] = url
    return links


# --- Browsers -----------------------------------------------------------------------------

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", re.compile(r"Edg(?:e|A|iOS)?/")),
    ("Opera", re.compile(r"OPR/|Opera")),
    ("Firefox", re.compile(r"Firefox/|FxiOS/")),
    ("Chrome", re.compile(r"Chrome/|CriOS/|Chromium/")),
    ("Safari", re.compile(r"Safari/")),
)
_SYSTEMS = (
    ("iOS", re.compile(r"iPhone|iPad|iPod")),
    ("Android", re.compile(r"Android")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Mac OS X|Macintosh")),
    ("ChromeOS", re.compile(r"CrOS")),
    ("Linux", re.compile(r"Linux")),
)


def short_user_agent(user_agent: str) -> str:
    """The browser and system of a User-Agent header, such as "Firefox, Windows"."""
    browser = next((name for name, pattern in _BROWSERS if pattern.search(user_agent)), "")
    system = next((name for name, pattern in _SYSTEMS if pattern.search(user_agent)), "")
    if browser or system:
        return ", ".join(part for part in (browser, system) if part)
    return user_agent[:40]
