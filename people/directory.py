"""HR runs the organisation: the unit tree and the people in it (writes, each audited).

The people file has its own module (``people.imports``); invitations theirs
(``people.invitations``). Forms validate what a person typed; these functions check what
depends on the rest of the organisation (no unit under its own descendant, no cycle of
line managers) and raise ``ValidationError`` with a message for the page.

The REST API and SCIM write through the same functions (``by`` is then None and
``client`` the API client, for the audit trail), so the ways in cannot disagree.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .access import unit_table
from .models import (
    ApiClient,
    AuditEvent,
    Organisation,
    OrgUnit,
    User,
    WebhookSubscription,
    versions_moved,
)
from .outbox import outbox_event
from .services import audit_record, person_manager_changed


def descendants_of(unit: OrgUnit) -> set[int]:
    """The ids of ``unit``'s sub-units, all levels down (from the unit table)."""
    children = unit_table(unit.organisation_id).children
    found: set[int] = set()
    todo = list(children.get(unit.pk, []))
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children.get(pk, []))
    return found


def _check_parent(unit: OrgUnit, parent: OrgUnit | None) -> None:
    if parent is None:
        return
    if parent.organisation_id != unit.organisation_id:
        raise ValidationError(_("Choose a unit of your own organisation."))
    if unit.pk and (parent.pk == unit.pk or parent.pk in descendants_of(unit)):
        raise ValidationError(_("A unit cannot be placed under itself or one of its own units."))


def _check_manager(organisation_id: int, manager: User | None) -> None:
    if manager is not None and (
        manager.organisation_id != organisation_id or not manager.is_active
    ):
        raise ValidationError(_("The manager must be an active person of the organisation."))


Actor = User | None


def _audit_unit(
    by: Actor, action: str, unit: OrgUnit, summary: str, request, client: ApiClient | None = None
) -> None:
    audit_record(
        actor=by,
        client=client,
        action=action,
        object_type="unit",
        object_id=str(unit.uuid),
        summary=summary,
        request=request,
    )


@transaction.atomic
def unit_create(
    *,
    organisation: Organisation,
    by: Actor,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    manager: User | None,
    request: HttpRequest | None = None,
    external_id: str = "",
    client: ApiClient | None = None,
) -> OrgUnit:
    unit = OrgUnit(
        organisation=organisation,
        name=name,
        kind=kind,
        parent=parent,
        manager=manager,
        external_id=external_id,
    )
    _check_parent(unit, parent)
    _check_manager(organisation.pk, manager)
    unit.full_clean()
    unit.save()
    summary = "name, kind, parent, manager"
    _audit_unit(by, AuditEvent.Action.CREATE, unit, summary, request, client)
    return unit


@transaction.atomic
def unit_update(
    *,
    unit: OrgUnit,
    by: Actor,
    changes: dict[str, object],
    members_report: bool = False,
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> OrgUnit:
    """Rename, move (never under itself or its own descendant), change its kind, set or
    clear its manager; with ``members_report``, the unit's people get its manager as their
    line manager (except where that would close a loop of managers)."""
    changed = [name for name, value in changes.items() if getattr(unit, name) != value]
    if members_report and unit.pk and changes.get("manager") is not None:
        _members_report_to(unit, changes["manager"], by, request)
    if not changed:
        return unit
    if "parent" in changed:
        _check_parent(unit, changes["parent"])
    if "manager" in changed:
        _check_manager(unit.organisation_id, changes["manager"])
    for name in changed:
        setattr(unit, name, changes[name])
    unit.full_clean()
    unit.save(update_fields=[*changed, "updated_at"])
    _audit_unit(by, AuditEvent.Action.CHANGE, unit, ", ".join(changed), request, client)
    return unit


def _members_report_to(unit: OrgUnit, manager: User, by: User, request) -> None:
    members = User.objects.filter(unit=unit, is_active=True).exclude(pk=manager.pk)
    moved = [
        member
        for member in members
        if member.line_manager_id != manager.pk and not manager_loops(member, manager)
    ]
    old_managers = {member.pk: member.line_manager_id for member in moved}
    for member in moved:
        member.line_manager = manager
    User.objects.bulk_update(moved, ["line_manager", *versions_moved(moved)])
    for member in moved:
        person_manager_changed(person=member, old_manager_id=old_managers[member.pk])
        _audit_person(by, AuditEvent.Action.CHANGE, member, "hr", request)


@transaction.atomic
def unit_delete(
    *,
    unit: OrgUnit,
    by: Actor,
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> None:
    """Remove a unit without sub-units or people; one that team goals point at stays."""
    if OrgUnit.objects.filter(parent=unit).exists():
        raise ValidationError(_("This unit still has units under it. Move or remove them first."))
    if User.objects.filter(unit=unit).exists():
        raise ValidationError(_("People still belong to this unit. Move them first."))
    _audit_unit(by, AuditEvent.Action.DELETE, unit, "unit", request, client)
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError as protected:
        raise ValidationError(
            _("Team goals belong to this unit. Archive or move them before removing it.")
        ) from protected


# --- People -------------------------------------------------------------------------------

PERSON_FIELDS = (
    "full_name",
    "email",
    "job_title",
    "unit",
    "line_manager",
    "is_hr",
    "language",
    "start_date",
    "end_date",
)


def manager_loops(person: User, manager: User | None) -> bool:
    """Whether making ``manager`` the line manager of ``person`` closes a loop (the
    chain is read one step at a time; chains are short)."""
    seen = {person.pk}
    current = manager
    while current is not None:
        if current.pk in seen:
            return True
        seen.add(current.pk)
        current = (
            User.objects.filter(pk=current.line_manager_id).only("pk", "line_manager_id").first()
            if current.line_manager_id
            else None
        )
    return False


def _check_person(person: User) -> None:
    if person.unit_id and person.unit.organisation_id != person.organisation_id:
        raise ValidationError(_("Choose a unit of your own organisation."))
    manager = person.line_manager
    if manager is not None:
        if manager.organisation_id != person.organisation_id:
            raise ValidationError(_("The line manager must be a person of the organisation."))
        if person.pk and manager_loops(person, manager):
            raise ValidationError(
                _("%(name)s cannot be the line manager: the chain of managers would loop.")
                % {"name": manager.full_name},
                code="manager_loop",
            )
    clash = User.objects.filter(email__iexact=person.email).exclude(pk=person.pk)
    if clash.exists():
        raise ValidationError(
            _("Another account already uses this e-mail address."), code="email_taken"
        )


def _audit_person(
    by: Actor, action: str, person: User, summary: str, request, client: ApiClient | None = None
) -> None:
    audit_record(
        actor=by,
        client=client,
        action=action,
        object_type="person",
        object_id=str(person.uuid),
        subject=person,
        summary=summary,
        request=request,
    )


@transaction.atomic
def person_create(
    *,
    organisation: Organisation,
    by: Actor,
    values: dict[str, object],
    invite: bool = False,
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> User:
    """Add a person (no password: they set one through their invitation)."""
    from .invitations import invitations_send

    person = User(organisation=organisation, **{name: values[name] for name in values})
    person.email = person.email.strip().lower()
    if not values.get("language"):
        person.language = organisation.default_language
    _check_person(person)
    person.set_unusable_password()
    person.full_clean(exclude=["password"])
    person.save()
    _audit_person(by, AuditEvent.Action.CREATE, person, _via(client), request, client)
    if invite:
        invitations_send(people=[person], by=by)
    return person


@transaction.atomic
def person_update(
    *,
    person: User,
    by: Actor,
    changes: dict[str, object],
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> list[str]:
    """Save HR's changes to a person; returns the names of the fields that changed."""
    changed = [name for name, value in changes.items() if getattr(person, name) != value]
    if not changed:
        return []
    old_manager_id = person.line_manager_id
    for name in changed:
        setattr(person, name, changes[name])
    person.email = person.email.strip().lower()
    _check_person(person)
    person.full_clean(exclude=["password"])
    person.save(update_fields=changed)
    # The former manager no longer holds their coming conversations (conversations app).
    person_manager_changed(person=person, old_manager_id=old_manager_id)
    _audit_person(by, AuditEvent.Action.CHANGE, person, _via(client), request, client)
    return changed


@transaction.atomic
def person_set_active(
    *,
    person: User,
    by: Actor,
    active: bool,
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> User:
    """Deactivate (their sessions stop working on their next request: the authentication
    backend is asked on every one; their plan, goals and conversations stay; webhooks
    hear ``person.deactivated``) or reactivate. HR cannot deactivate themself."""
    if not active and by is not None and person.pk == by.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
        _audit_person(by, AuditEvent.Action.CHANGE, person, "active", request, client)
        if not active:
            person_deactivated_event(person)
    return person


def person_deactivated_event(person: User) -> None:
    """For webhooks: the person's id (and external id), never their name."""
    outbox_event(
        organisation_id=person.organisation_id,
        event=WebhookSubscription.Event.PERSON_DEACTIVATED,
        data={"person_id": str(person.uuid), "external_id": person.external_id},
    )


def _via(client: ApiClient | None) -> str:
    """The audit code of who changed a person: HR's page, the API or SCIM."""
    return client.kind if client is not None else "hr"
