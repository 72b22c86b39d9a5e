"""Reads for people pages, with what the templates need loaded up front."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet

from . import audit
from .access import is_manager, notifications_for, unit_table, units_of_organisation
from .models import AuditEvent, Notification, Organisation, OrgUnit, User

AUDIT_PAGE_SIZE = 50


@dataclass
class UnitNode:
    unit: OrgUnit
    depth: int
    children: list[UnitNode] = field(default_factory=list)


def unit_tree(*, organisation_id: int | None) -> list[UnitNode]:
    """The organisation's unit tree, loaded in one query and built in Python."""
    units = list(units_of_organisation(organisation_id).select_related("manager"))
    nodes = {unit.pk: UnitNode(unit=unit, depth=0) for unit in units}
    roots: list[UnitNode] = []
    for unit in units:
        node = nodes[unit.pk]
        parent = nodes.get(unit.parent_id) if unit.parent_id else None
        (parent.children if parent else roots).append(node)

    def set_depth(items: list[UnitNode], depth: int) -> None:
        for item in items:
            item.depth = depth
            set_depth(item.children, depth + 1)

    set_depth(roots, 0)
    return roots


def unit_paths(*, organisation_id: int | None) -> dict[int, str]:
    """Every unit's full path such as ``Zorg/Wijkteam Noord`` (from the unit table)."""
    rows = {
        pk: (parent_id, name)
        for pk, (parent_id, _manager, name) in unit_table(organisation_id).rows.items()
    }
    paths: dict[int, str] = {}

    def path_of(pk: int, seen: frozenset[int] = frozenset()) -> str:
        if pk in paths:
            return paths[pk]
        parent_id, name = rows[pk]
        if parent_id not in rows or parent_id in seen:
            paths[pk] = name
        else:
            paths[pk] = f"{path_of(parent_id, seen | {pk})}/{name}"
        return paths[pk]

    for pk in rows:
        path_of(pk)
    return paths


def person_profile(*, user_id: int) -> User:
    return User.objects.select_related("organisation", "unit", "line_manager").get(pk=user_id)


def inbox(*, user: User, limit: int = 200) -> QuerySet[Notification]:
    return notifications_for(user).order_by("-created_at", "-id")[:limit]


def unread_count(*, user: User) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


# --- Audit trail --------------------------------------------------------------------------


def _person_matches(prefix: str, text: str) -> Q:
    """``prefix`` (a path to a person) matches ``text``: an exact e-mail address, or a
    part of a name or an address."""
    text = text.strip()
    if "@" in text and " " not in text:
        return Q(**{f"{prefix}__email": text.lower()})
    return Q(**{f"{prefix}__full_name__icontains": text}) | Q(
        **{f"{prefix}__email__icontains": text}
    )


def _local_midnight(day: datetime.date, organisation: Organisation) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=organisation.tzinfo)


def audit_events_filtered(
    *, events: QuerySet[AuditEvent], organisation: Organisation, filters: dict
) -> QuerySet[AuditEvent]:
    """Newest first; dates are days in the organisation's time zone, both included."""
    if filters.get("whose"):
        events = events.filter(_person_matches("subject", filters["whose"]))
    if filters.get("who"):
        events = events.filter(_person_matches("actor", filters["who"]))
    if filters.get("action"):
        events = events.filter(action=filters["action"])
    if filters.get("date_from"):
        events = events.filter(occurred_at__gte=_local_midnight(filters["date_from"], organisation))
    if filters.get("date_to"):
        next_day = filters["date_to"] + datetime.timedelta(days=1)
        events = events.filter(occurred_at__lt=_local_midnight(next_day, organisation))
    return events.order_by("-occurred_at", "-id")


@dataclass
class AuditRow:
    event: AuditEvent
    object_label: str
    part_label: str
    link: str | None
    browser: str


def audit_page(
    *,
    events: QuerySet[AuditEvent],
    organisation: Organisation,
    viewer: User,
    filters: dict,
    page_number: str | int | None,
) -> tuple[Page, list[AuditRow]]:
    """One page of the audit trail: a count, the rows with who and whose, and one query
    per object type for the links the viewer may open. The same number of queries for
    ten events or ten thousand."""
    events = audit_events_filtered(
        events=events.select_related("actor", "subject", "api_client"),
        organisation=organisation,
        filters=filters,
    )
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(page_number)
    page_events = list(page.object_list)
    links = audit.object_links(viewer, page_events)
    rows = [
        AuditRow(
            event,
            *audit.describe(event),
            link=links.get((event.object_type, event.object_id)),
            browser=audit.short_user_agent(event.user_agent),
        )
        for event in page_events
    ]
    return page, rows


@dataclass(frozen=True)
class NavigationFigures:
    is_manager: bool
    unread: int


def navigation_figures(*, user: User) -> NavigationFigures:
    """Whether ``user`` is a manager (from the shared cache) and how many notifications
    they have not read (the navigation shows both on every page). Kept on ``user`` for the
    request, and fills its ``is_manager``."""
    if "navigation_figures" not in user.__dict__:
        user.__dict__["navigation_figures"] = NavigationFigures(
            is_manager=is_manager(user),
            unread=notifications_for(user).filter(read_at__isnull=True).count(),
        )
    return user.__dict__["navigation_figures"]


# --- HR: the people list ------------------------------------------------------------------

PEOPLE_PAGE_SIZE = 50


def unit_with_descendants(organisation_id: int, unit_id: int) -> set[int]:
    children = unit_table(organisation_id).children
    found, todo = set(), [unit_id]
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def people_for_hr(*, organisation: Organisation, filters: dict) -> QuerySet[User]:
    """HR's list: search, unit (with its sub-units), role, status, invitation state."""
    from django.db.models import Exists, OuterRef
    from django.utils import timezone

    from .invitations import filter_by_state, with_invitation_state

    people = with_invitation_state(User.objects.filter(organisation=organisation)).annotate(
        has_reports=Exists(User.objects.filter(line_manager=OuterRef("pk"), is_active=True))
        | Exists(OrgUnit.objects.filter(manager=OuterRef("pk")))
    )
    status = filters.get("status") or ""
    if status == "inactive":
        people = people.filter(is_active=False)
    elif status == "to_place":
        people = people.filter(is_active=True, unit__isnull=True)
    elif status != "all":
        people = people.filter(is_active=True)
    if filters.get("q"):
        text = filters["q"]
        people = people.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text) | Q(job_title__icontains=text)
        )
    if filters.get("unit"):
        people = people.filter(unit_id__in=unit_with_descendants(organisation.pk, filters["unit"]))
    role = filters.get("role")
    if role == "hr":
        people = people.filter(is_hr=True)
    elif role == "manager":
        people = people.filter(has_reports=True)
    elif role == "employee":
        people = people.filter(has_reports=False)
    if filters.get("invitation"):
        people = filter_by_state(people, filters["invitation"], timezone.now())
    return people.select_related("unit", "line_manager").order_by("full_name", "pk")


def people_page(*, organisation: Organisation, filters: dict, page_number) -> Page:
    """One page of 50: a count and the rows, the same two queries for any size."""
    people = people_for_hr(organisation=organisation, filters=filters)
    return Paginator(people, PEOPLE_PAGE_SIZE).get_page(page_number)


def unit_member_counts(*, organisation_id: int) -> dict[int, int]:
    """Active people per unit, in one query."""
    from django.db.models import Count

    rows = (
        User.objects.filter(organisation_id=organisation_id, is_active=True, unit__isnull=False)
        .values("unit_id")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["unit_id"]: row["count"] for row in rows}
