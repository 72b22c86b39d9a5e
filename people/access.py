"""Who may see and change which people-related objects.

Every object fetch on a user-supplied id goes through a ``*_get_for_user`` function here:
an object outside the user's scope raises ``Http404`` (no existence leak); one that is
visible but not writable raises ``PermissionDenied``.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pop_platform.cache import TIMEOUT, generation_of

from . import audit
from .models import AuditEvent, Notification, Organisation, OrgUnit, PeopleImport, User
from .versions import Part, version_of


class Roles:
    """Roles derived from the account: everyone in an organisation is an employee; being
    a manager comes from having reports or a unit; HR and admin are flags. Each role is
    worked out only when asked for (the manager check needs a query)."""

    def __init__(self, user: User) -> None:
        self._user = user
        in_org = user.is_authenticated and user.organisation_id is not None
        self.employee = in_org
        self.hr = in_org and user.is_hr
        self.admin = user.is_authenticated and user.is_staff

    @cached_property
    def manager(self) -> bool:
        return self.employee and is_manager(self._user)

    @property
    def labels(self) -> list[str]:
        names = [(self.employee, _("Employee")), (self.manager, _("Manager")), (self.hr, _("HR"))]
        names.append((self.admin, _("Administrator")))
        return [str(label) for present, label in names if present]


def roles_for(user: User) -> Roles:
    return Roles(user)


def is_line_manager_of(manager: User, person: User) -> bool:
    return (
        person.line_manager_id is not None
        and person.line_manager_id == manager.pk
        and person.organisation_id == manager.organisation_id
    )


def people_in_organisation(organisation_id: int | None) -> QuerySet[User]:
    if organisation_id is None:
        return User.objects.none()
    return User.objects.filter(organisation_id=organisation_id)


def people_visible_to(user: User) -> QuerySet[User]:
    """People whose personal pages this user may open.

    HR: everyone in the organisation. A manager: themself and their direct reports.
    Anyone else: only themself. Never anyone from another organisation.
    """
    people = people_in_organisation(user.organisation_id)
    if user.is_hr:
        return people
    return people.filter(pk=user.pk) | people.filter(line_manager_id=user.pk)


def person_get_for_user(*, user: User, person_uuid: UUID, write: bool = False) -> User:
    """A person as seen by ``user``; writing is for the person and their line manager."""
    try:
        person = (
            people_visible_to(user).select_related("unit", "line_manager").get(uuid=person_uuid)
        )
    except User.DoesNotExist as missing:
        raise Http404 from missing
    if write and not (person.pk == user.pk or is_line_manager_of(user, person)):
        raise PermissionDenied
    return person


def units_of_organisation(organisation_id: int | None) -> QuerySet[OrgUnit]:
    if organisation_id is None:
        return OrgUnit.objects.none()
    return OrgUnit.objects.filter(organisation_id=organisation_id)


@dataclass(frozen=True)
class UnitTable:
    """An organisation's units as plain rows: ``{id: (parent_id, manager_id, name)}``."""

    rows: dict[int, tuple[int | None, int | None, str]]
    managed_by: dict[int, list[int]]  # manager id -> the units they manage directly
    children: dict[int, list[int]]


def unit_table(organisation_id: int | None) -> UnitTable:
    """Read by access checks on every goal and plan page: a large organisation has a
    thousand units, which change rarely. Cached under the organisation's unit version."""
    version = version_of(organisation_id=organisation_id, part=Part.UNITS)

    def compute() -> UnitTable:
        rows = {
            pk: (parent_id, manager_id, name)
            for pk, parent_id, manager_id, name in units_of_organisation(organisation_id)
            .order_by()
            .values_list("id", "parent_id", "manager_id", "name")
        }
        managed_by: dict[int, list[int]] = {}
        children: dict[int, list[int]] = {}
        for pk, (parent_id, manager_id, _name) in rows.items():
            if manager_id is not None:
                managed_by.setdefault(manager_id, []).append(pk)
            if parent_id is not None:
                children.setdefault(parent_id, []).append(pk)
        return UnitTable(rows=rows, managed_by=managed_by, children=children)

    return cache.get_or_set(f"units:{organisation_id}:{version}", compute, TIMEOUT)


def user_cached(user_id: int) -> User | None:
    """The signed-in person of a session (``people.backends``), from the shared cache under
    their own generation (renewed when a save of the person commits): a warm request
    reads no row. Kept right after it was read, before any role was worked out on it."""
    generation = generation_of(User.cache_name(user_id))
    key = f"user:{user_id}:{generation}"
    user = cache.get(key)
    if user is None:
        user = User.objects.filter(pk=user_id).first()
        if user is None:
            return None
        cache.set(key, user, TIMEOUT)
    return user


def is_manager(user: User) -> bool:
    """Active direct reports or a unit to manage; cached under the unit version, which
    every change of who reports to whom raises."""
    if "is_manager" not in user.__dict__:  # also the model's cached property
        version = version_of(organisation_id=user.organisation_id, part=Part.UNITS)
        user.__dict__["is_manager"] = cache.get_or_set(
            f"manager:{user.pk}:{user.organisation_id}:{version}",
            lambda: user.has_reports_or_unit(),
            TIMEOUT,
        )
    return user.__dict__["is_manager"]


def notifications_for(user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(recipient_id=user.pk)


def notification_get_for_user(*, user: User, notification_uuid: UUID) -> Notification:
    """Only the recipient ever sees a notification."""
    try:
        return notifications_for(user).get(uuid=notification_uuid)
    except Notification.DoesNotExist as missing:
        raise Http404 from missing


def axes_username(request, credentials: dict | None = None) -> str:
    """The sign-in name django-axes counts failures for: the e-mail, case-insensitive."""
    value = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(value).strip().lower()


def organisation_get_for_hr(*, user: User) -> Organisation:
    """The user's own organisation, for HR's pages (policy, audit trail): HR only, 404
    for anyone else."""
    if not user.is_authenticated or user.organisation_id is None or not user.is_hr:
        raise Http404
    return user.organisation


def audit_events_for_hr(*, user: User) -> QuerySet[AuditEvent]:
    """The audit trail of HR's own organisation; 404 for anyone else."""
    organisation = organisation_get_for_hr(user=user)
    return audit.without_withdrawn(AuditEvent.objects.filter(organisation_id=organisation.pk))


def person_get_for_hr(*, user: User, person_uuid: UUID) -> User:
    """A person of HR's own organisation, for HR's pages; 404 for anyone else."""
    organisation = organisation_get_for_hr(user=user)
    try:
        return (
            people_in_organisation(organisation.pk)
            .select_related("unit", "line_manager", "organisation")
            .get(uuid=person_uuid)
        )
    except User.DoesNotExist as missing:
        raise Http404 from missing


def unit_get_for_hr(*, user: User, unit_uuid: UUID) -> OrgUnit:
    """A unit of HR's own organisation, for HR's pages; 404 for anyone else."""
    organisation = organisation_get_for_hr(user=user)
    try:
        return units_of_organisation(organisation.pk).select_related("manager").get(uuid=unit_uuid)
    except OrgUnit.DoesNotExist as missing:
        raise Http404 from missing


def people_import_get_for_hr(*, user: User, import_uuid: UUID) -> PeopleImport:
    """An upload of HR's own organisation that is not applied yet; 404 otherwise."""
    organisation = organisation_get_for_hr(user=user)
    try:
        return PeopleImport.objects.get(
            organisation=organisation, uuid=import_uuid, applied_at__isnull=True
        )
    except PeopleImport.DoesNotExist as missing:
        raise Http404 from missing
