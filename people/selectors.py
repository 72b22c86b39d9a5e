"""Reads for people pages, with what the templates need loaded up front."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .access import notifications_for, unit_table, units_of_organisation
from .models import Notification, OrgUnit, User


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


@dataclass(frozen=True)
class NavigationFigures:
    is_manager: bool
    unread: int


def navigation_figures(*, user: User) -> NavigationFigures:
    """Whether ``user`` is a manager and how many notifications they have not read, in one
    query (the navigation shows both on every page). Kept on ``user`` for the request, and
    fills its ``is_manager``."""
    if "navigation_figures" in user.__dict__:
        return user.__dict__["navigation_figures"]
    unread = (
        notifications_for(user)
        .filter(read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(n=Count("*"))
        .values("n")
    )
    row = (
        User.objects.filter(pk=user.pk)
        .annotate(
            manager=User.manager_condition(user.pk),
            unread=Coalesce(Subquery(unread), 0),
        )
        .values_list("manager", "unread")
        .first()
    )
    is_manager, count = row if row else (False, 0)
    if "is_manager" not in user.__dict__:
        user.__dict__["is_manager"] = bool(is_manager)  # the cached property, filled
    figures = NavigationFigures(is_manager=bool(user.is_manager), unread=count)
    user.__dict__["navigation_figures"] = figures
    return figures
