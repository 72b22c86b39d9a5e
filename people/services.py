"""Writes for people: language, notifications, audit events, organisation settings.

The people file is in ``people.imports``, invitations in ``people.invitations``, HR's
changes to people and units in ``people.directory``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, privacy
from .models import ApiClient, AuditEvent, Notification, Organisation, OrgUnit, User


def user_set_language(*, user: User, language: str) -> User:
    supported = {code for code, _name in settings.LANGUAGES}
    if language not in supported:
        raise ValidationError(_("This language is not available."))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- Notifications (in-app messages; made with ``people.outbox.outbox_send``) ------------


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Password reset -----------------------------------------------------------------------

#: Requests for a new-password link within ``PASSWORD_RESET_WINDOW`` seconds: per address
#: typed (whether or not it has an account) and per client (IP address).
PASSWORD_RESETS_PER_ADDRESS = 3
PASSWORD_RESETS_PER_CLIENT = 10
PASSWORD_RESET_WINDOW = 60 * 60


def _counted(key: str, *, limit: int) -> bool:
    """Count one more under ``key`` in the shared cache (for ``PASSWORD_RESET_WINDOW``
    from the first); whether it stays within ``limit``."""
    cache.add(key, 0, PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, PASSWORD_RESET_WINDOW)
        count = 1
    return count <= limit


def password_reset_allowed(*, email: str, client: str) -> bool:
    """Whether a new-password link may be queued for ``email`` asked from ``client``; the
    request counts against both limits either way."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    per_address = _counted(f"password-reset:address:{address}", limit=PASSWORD_RESETS_PER_ADDRESS)
    per_client = _counted(f"password-reset:client:{client}", limit=PASSWORD_RESETS_PER_CLIENT)
    return per_address and per_client


# --- Audit ------------------------------------------------------------------------------


def audit_event(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str = "",
    subject: User | None = None,
    subject_id: int | None = None,
    summary: str = "",
    client: ApiClient | None = None,
) -> AuditEvent:
    """An unsaved event; its organisation is the subject's, or else the actor's (give
    ``subject_id`` alone for someone of the actor's organisation), or the API client's
    (a system calling the API or SCIM acts without a person)."""
    owner = subject or actor or client
    organisation_id = owner.organisation_id if owner else None
    if organisation_id is None:
        raise ValidationError("An audit event needs an organisation.")
    return AuditEvent(
        organisation_id=organisation_id,
        actor=actor,
        api_client=client,
        subject_id=subject.pk if subject else subject_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str = "",
    subject: User | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> AuditEvent:
    """Record who did what to whose data. Within a request the event is written with the
    request's other events when the response is ready (``people.audit``), with the
    request's IP address and browser: the event returned is then not saved yet (no
    ``pk``). Outside a request (tasks, commands) it is saved at once."""
    event = audit_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        summary=summary,
        client=client,
    )
    audit.record([event], request=request)
    return event


def audit_record_about(
    *, actor: User | None, subject: User, client: ApiClient | None = None, **details: str
) -> AuditEvent | None:
    """``audit_record`` when someone other than ``subject`` reads or changes their data
    (their manager, HR, an API client); a person's own use of their own data is not
    recorded."""
    if actor is not None and actor.pk == subject.pk:
        return None
    return audit_record(actor=actor, subject=subject, client=client, **details)


def audit_record_many(events: list[AuditEvent]) -> None:
    """Several events from ``audit_event`` in one INSERT (e.g. one per person listed)."""
    audit.record(events)


# --- A new line manager -----------------------------------------------------------------

#: Called as ``handler(person, old_manager_id, new_manager)`` after a person's line manager
#: changed: apps to the right of people react (conversations hands over or cancels the
#: conversations the former manager still holds). Registered in their ``ready()``.
ManagerChanged = Callable[[User, int | None, User | None], None]
_manager_changed: list[ManagerChanged] = []


def register_manager_changed(handler: ManagerChanged) -> None:
    if handler not in _manager_changed:
        _manager_changed.append(handler)


def person_manager_changed(*, person: User, old_manager_id: int | None) -> None:
    """Tell the apps that ``person``'s line manager changed (already saved)."""
    if person.line_manager_id == old_manager_id:
        return
    for handler in _manager_changed:
        handler(person, old_manager_id, person.line_manager)


@transaction.atomic
def person_line_manager_set(*, person: User, manager: User | None) -> None:
    """Give ``person`` a new line manager (or none); the one way to change it in code."""
    old_manager_id = person.line_manager_id
    if old_manager_id == (manager.pk if manager else None):
        return
    person.line_manager = manager
    person.save(update_fields=["line_manager"])
    person_manager_changed(person=person, old_manager_id=old_manager_id)


def organisation_update_policy(
    *,
    organisation: Organisation,
    by: User,
    changes: dict[str, object],
    request: HttpRequest | None = None,
) -> Organisation:
    """Save HR's policy settings and log who changed what."""
    changed = {
        name: (getattr(organisation, name), value)
        for name, value in changes.items()
        if getattr(organisation, name) != value
    }
    if not changed:
        return organisation
    for name, (_old, new) in changed.items():
        setattr(organisation, name, new)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type="organisation",
            object_id=str(organisation.uuid),
            summary="; ".join(f"{name}: {old} → {new}" for name, (old, new) in changed.items()),
            request=request,
        )
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation) -> None:
    """Remove an organisation with everything in it (its people and their data), its
    audit trail included: the one deletion of audit events there is. On PostgreSQL the
    audit trigger (migration ``people.0004``) lets this transaction, and only for this
    organisation, delete them."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('pop.audit_purge_organisation', %s, true)",
                [str(organisation.pk)],
            )
        # The model refuses deletes of audit events; this is the deliberate exception.
        cursor.execute(f"DELETE FROM {table} WHERE organisation_id = %s", [organisation.pk])  # noqa: S608
    for provider in reversed(privacy.providers()):  # dashboards first, people last
        if provider.organisation_delete is not None:
            provider.organisation_delete(organisation)
    User.objects.filter(organisation=organisation).delete()
    delete_leaves_first(OrgUnit.objects.filter(organisation=organisation))
    organisation.delete()


def delete_leaves_first(rows: QuerySet) -> None:
    """Delete a tree whose parent links are protected: the rows without children first."""
    while rows.exists():
        rows.filter(children__isnull=True).delete()


def person_share_compliments(*, person: User, share: bool) -> None:
    """The person's own choice: show the compliments they receive in their team's feed."""
    User.objects.filter(pk=person.pk).update(share_compliments=share)
