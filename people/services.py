"""Writes for people: language, notifications, audit events, organisation settings.

The people file is in ``people.imports``, invitations in ``people.invitations``, HR's
changes to people and units in ``people.directory``."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from pop_platform.delivery import (
    DeliveryFields,
    DeliveryInProgress,
    awaiting_delivery,
    deliver_once,
    delivery_give_up,
)
from pop_platform.email import absolute_url, send_templated_email
from pop_platform.queue import enqueue, enqueue_on_commit

from . import audit, privacy
from .models import AuditEvent, Notification, Organisation, OrgUnit, User


def user_set_language(*, user: User, language: str) -> User:
    supported = {code for code, _name in settings.LANGUAGES}
    if language not in supported:
        raise ValidationError(_("This language is not available."))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- Notifications -----------------------------------------------------------------------


def notification_create(
    *,
    recipient: User,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    send_email: bool = True,
) -> Notification:
    """Put a message in the recipient's inbox and, after commit, e-mail it.

    A title made from user text (a goal's title, a name) can be longer than the column:
    it is shortened with an ellipsis; the whole text is on the page the link opens.
    """
    from .tasks import notification_send_email

    limit = Notification._meta.get_field("title").max_length
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=Truncator(title).chars(limit),
        body=body,
        link=link,
        email_wanted=send_email,
    )
    if send_email and recipient.is_active and recipient.email:
        # When the broker is down the e-mail waits for the sweep
        # (``notification_emails_requeue``); the inbox has the message already.
        enqueue_on_commit(notification_send_email, notification.pk)
    return notification


class NotificationEmailInProgress(DeliveryInProgress):
    """Another run of the task holds the notification's send lock right now."""


NOTIFICATION_EMAIL = DeliveryFields(
    attempts="email_attempts",
    sent_at="emailed_at",
    error="email_error",
    failed_at="email_failed_at",
    created_at="created_at",
    # Counting an attempt changes the row; there is no separate field for it.
    attempted_at="updated_at",
)


def notification_email(*, notification_id: int) -> bool:
    """E-mail one notification: at least once, and only once unless a worker dies between
    the mail server accepting the message and ``emailed_at`` being saved (see
    ``pop_platform.delivery``). Call it outside a transaction (the task does).

    Returns False when there is nothing to send: already e-mailed, or the recipient left.
    An SMTP or network failure is recorded in ``email_error`` and raised, so the task
    can retry.
    """

    def send(notification: Notification) -> bool:
        recipient = notification.recipient
        send_templated_email(
            to=[recipient.email],
            template="people/email/notification",
            context={
                "notification": notification,
                "recipient": recipient,
                "link": absolute_url(notification.link) if notification.link else "",
            },
            language=recipient.language,
        )
        return True

    return deliver_once(
        rows=Notification.objects.filter(
            recipient__is_active=True, email_wanted=True
        ).select_related("recipient"),
        pk=notification_id,
        lock=f"notification-email:{notification_id}",
        fields=NOTIFICATION_EMAIL,
        send=send,
        in_progress=NotificationEmailInProgress,
    )


def notification_email_give_up(*, notification_id: int) -> None:
    """Every retry failed: mark the notification as not e-mailed (shown in the admin)."""
    delivery_give_up(model=Notification, pk=notification_id, fields=NOTIFICATION_EMAIL)


def notification_emails_requeue(*, now: datetime.datetime, since: datetime.datetime) -> list[int]:
    """Queue again the e-mails of notifications made since ``since`` whose task is gone
    (never queued because the broker was down, or lost with it; see
    ``pop_platform.delivery.awaiting_delivery``). Returns their ids. Notifications made
    with ``send_email=False`` (``email_wanted``) are never e-mailed."""
    from .tasks import notification_send_email

    rows = awaiting_delivery(
        Notification.objects.filter(recipient__is_active=True, email_wanted=True).exclude(
            recipient__email=""
        ),
        fields=NOTIFICATION_EMAIL,
        now=now,
        since=since,
    )
    ids = list(rows.values_list("pk", flat=True))
    for notification_id in ids:
        enqueue(notification_send_email, notification_id)
    return ids


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


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
) -> AuditEvent:
    """An unsaved event; its organisation is the subject's, or else the actor's (give
    ``subject_id`` alone for someone of the actor's organisation)."""
    owner = subject or actor
    organisation_id = owner.organisation_id if owner else None
    if organisation_id is None:
        raise ValidationError("An audit event needs an organisation.")
    return AuditEvent(
        organisation_id=organisation_id,
        actor=actor,
        subject_id=subject.pk if subject else subject_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
    )


def audit_record(
    *,
    actor: User,
    action: str,
    object_type: str,
    object_id: str = "",
    subject: User | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
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
    )
    audit.record([event], request=request)
    return event


def audit_record_about(*, actor: User, subject: User, **details: str) -> AuditEvent | None:
    """``audit_record`` when someone other than ``subject`` reads or changes their data
    (their manager, HR); a person's own use of their own data is not recorded."""
    if actor.pk == subject.pk:
        return None
    return audit_record(actor=actor, subject=subject, **details)


def audit_record_many(events: list[AuditEvent]) -> None:
    """Several events from ``audit_event`` in one INSERT (e.g. one per person listed)."""
    audit.record(events)


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
