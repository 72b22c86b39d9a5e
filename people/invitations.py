"""Invitations: an e-mail in the person's language with a link to set a password, valid
``INVITATION_VALID_DAYS`` days and usable once; in an organisation that signs in only
through its own provider, a link to the sign-in page instead.

An ``Invitation`` row is the truth. ``invitations_send`` writes the rows in the
transaction that decides to invite and queues one ``invitation_send_email`` task per row
after commit; the task calls ``invitation_email``, which sends the row's e-mail at least
once and only once (``pop_platform.delivery.deliver_once``: the attempt is counted and the
row claimed with a conditional update before the mail server is contacted). A row whose
task got lost is queued again by the beat sweep (``invitation_emails_requeue``).

The link carries the invitation's UUID signed with the secret key: nothing secret is
stored, and a row can be revoked (a newer invitation), used (``accepted_at``) or expire.
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from pop_platform.delivery import (
    DeliveryFields,
    DeliveryInProgress,
    awaiting_delivery,
    deliver_once,
    delivery_give_up,
)
from pop_platform.email import absolute_url, send_templated_email
from pop_platform.queue import enqueue, enqueue_on_commit

from .models import AuditEvent, Invitation, User

SALT = "people.invitation"


class InvitationEmailInProgress(DeliveryInProgress):
    """Another run of the task holds the invitation's send lock right now."""


class InvitationUnusable(Exception):
    """The link was used, replaced or expired meanwhile."""


INVITATION_EMAIL = DeliveryFields(
    attempts="email_attempts",
    sent_at="emailed_at",
    error="email_error",
    failed_at="email_failed_at",
    created_at="created_at",
    attempted_at="updated_at",
)


class State(enum.StrEnum):
    """Where a person's newest invitation stands, as HR's list shows it."""

    NEVER = "never"
    INVITED = "invited"
    ACCEPTED = "accepted"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return str(STATE_LABELS[self])


STATE_LABELS = {
    State.NEVER: _("never invited"),
    State.INVITED: _("invited"),
    State.ACCEPTED: _("accepted"),
    State.EXPIRED: _("expired"),
}


# --- Links --------------------------------------------------------------------------------


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.uuid.hex, salt=SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The invitation a link names (whatever its state), or None for a forged link."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return (
        Invitation.objects.select_related("person__organisation")
        .filter(uuid=value if isinstance(value, str) and len(value) == 32 else None)
        .first()
    )


def uses_single_sign_on_only(person: User) -> bool:
    from .sso import sign_in_settings_for

    settings_row = sign_in_settings_for(person.organisation)
    return settings_row.sso_ready and not settings_row.passwords_allowed


def invitation_link(invitation: Invitation) -> str:
    """Where the e-mail sends the person: to set a password, or (an organisation without
    passwords) to the sign-in page with their address filled in."""
    person = invitation.person
    if uses_single_sign_on_only(person):
        return absolute_url(f"{reverse('login')}?{urlencode({'email': person.email})}")
    return absolute_url(
        reverse("invitation-accept", kwargs={"token": invitation_token(invitation)})
    )


# --- Writes -------------------------------------------------------------------------------


@transaction.atomic
def invitations_send(*, people: Iterable[User], by: User | None) -> list[Invitation]:
    """Invite each active person again or for the first time: older pending invitations
    stop working, one new row each, and its e-mail is queued after commit."""
    from .services import audit_event, audit_record_many
    from .tasks import invitation_send_email

    now = timezone.now()
    people = [person for person in people if person.is_active and not person.has_left]
    if not people:
        return []
    Invitation.objects.filter(
        person__in=people, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    expires = now + datetime.timedelta(days=settings.INVITATION_VALID_DAYS)
    invitations = Invitation.objects.bulk_create(
        [Invitation(person=person, invited_by=by, expires_at=expires) for person in people],
        batch_size=1000,
    )
    for invitation in invitations:
        enqueue_on_commit(invitation_send_email, invitation.pk)
    if by is not None:
        audit_record_many(
            [
                audit_event(
                    actor=by,
                    action=AuditEvent.Action.CHANGE,
                    object_type="person",
                    object_id=str(person.uuid),
                    subject=person,
                    summary="invite",
                )
                for person in people
            ]
        )
    return invitations


def invitation_email(*, invitation_id: int) -> bool:
    """E-mail one invitation at least once, and only once unless a worker dies between
    the mail server accepting it and ``emailed_at`` being saved. Call it outside a
    transaction (the task does). False when there is nothing to send any more (the
    person left, or the invitation was replaced or used)."""

    def send(invitation: Invitation) -> bool:
        person = invitation.person
        send_templated_email(
            to=[person.email],
            template="people/email/invitation",
            context={
                "person": person,
                "organisation": person.organisation,
                "invited_by": invitation.invited_by,
                "link": invitation_link(invitation),
                "single_sign_on": uses_single_sign_on_only(person),
                "expires_at": invitation.expires_at,
            },
            language=person.language,
        )
        return True

    return deliver_once(
        rows=Invitation.objects.filter(
            person__is_active=True, accepted_at__isnull=True, revoked_at__isnull=True
        ).select_related("person__organisation", "invited_by"),
        pk=invitation_id,
        lock=f"invitation-email:{invitation_id}",
        fields=INVITATION_EMAIL,
        send=send,
        in_progress=InvitationEmailInProgress,
    )


def invitation_email_give_up(*, invitation_id: int) -> None:
    delivery_give_up(model=Invitation, pk=invitation_id, fields=INVITATION_EMAIL)


def invitation_emails_requeue(*, now: datetime.datetime, since: datetime.datetime) -> list[int]:
    """Queue again the e-mails of invitations whose task is gone (the broker was down, or
    lost it); the claim in ``deliver_once`` makes a second run harmless."""
    from .tasks import invitation_send_email

    rows = awaiting_delivery(
        Invitation.objects.filter(
            person__is_active=True, accepted_at__isnull=True, revoked_at__isnull=True
        ),
        fields=INVITATION_EMAIL,
        now=now,
        since=since,
    )
    ids = list(rows.values_list("pk", flat=True))
    for invitation_id in ids:
        enqueue(invitation_send_email, invitation_id)
    return ids


def invitation_usable(invitation: Invitation) -> bool:
    return (
        invitation.accepted_at is None
        and invitation.revoked_at is None
        and not invitation.is_expired
        and invitation.person.is_active
        and not invitation.person.has_left
    )


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str) -> User:
    """Use the invitation (once: a conditional update claims it) and set the password."""
    claimed = Invitation.objects.filter(
        pk=invitation.pk,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=timezone.now(),
        person__is_active=True,
    ).update(accepted_at=timezone.now())
    if not claimed:
        raise InvitationUnusable
    person = invitation.person
    person.set_password(password)
    person.save(update_fields=["password"])
    return person


def invitation_mark_accepted(*, person: User) -> None:
    """The person signed in through their provider or set a password another way: their
    pending invitation counts as accepted."""
    Invitation.objects.filter(
        person=person, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(accepted_at=timezone.now())


def invitation_request_renewal(*, invitation: Invitation) -> bool:
    """The person asks HR for a new link (from an expired or used one): HR of their
    organisation get a notification, once per invitation. Returns whether it was sent."""
    from django.utils import translation

    from .services import notification_create

    claimed = Invitation.objects.filter(pk=invitation.pk, renewal_requested_at__isnull=True).update(
        renewal_requested_at=timezone.now()
    )
    if not claimed:
        return False
    person = invitation.person
    hr_people = User.objects.filter(
        organisation_id=person.organisation_id, is_hr=True, is_active=True
    )
    for hr in hr_people:
        with translation.override(hr.language):
            notification_create(
                recipient=hr,
                kind="invitation_renewal",
                title=str(_("%(name)s asks for a new invitation") % {"name": person.full_name}),
                body=str(
                    _("Their invitation link no longer works. Send a new one from their page.")
                ),
                link=reverse("people:person-detail", kwargs={"person_uuid": person.uuid}),
            )
    return True


# --- Reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitationSummary:
    state: State
    invited_at: datetime.datetime | None = None
    accepted_at: datetime.datetime | None = None


def with_invitation_state(people: QuerySet[User]) -> QuerySet[User]:
    """``people`` with their newest invitation's times (three subqueries in the one
    query, so a page of people costs no extra query)."""
    newest = Invitation.objects.filter(person=OuterRef("pk"), revoked_at__isnull=True).order_by(
        "-created_at", "-id"
    )
    return people.annotate(
        invited_at=Subquery(newest.values("created_at")[:1]),
        invitation_accepted_at=Subquery(newest.values("accepted_at")[:1]),
        invitation_expires_at=Subquery(newest.values("expires_at")[:1]),
    )


def invitation_summary(person: User, now: datetime.datetime | None = None) -> InvitationSummary:
    """From the annotations of ``with_invitation_state``."""
    now = now or timezone.now()
    invited_at = getattr(person, "invited_at", None)
    if invited_at is None:
        return InvitationSummary(State.NEVER)
    accepted_at = person.invitation_accepted_at
    if accepted_at is not None:
        return InvitationSummary(State.ACCEPTED, invited_at, accepted_at)
    if person.invitation_expires_at <= now:
        return InvitationSummary(State.EXPIRED, invited_at)
    return InvitationSummary(State.INVITED, invited_at)


def filter_by_state(people: QuerySet[User], state: str, now: datetime.datetime) -> QuerySet[User]:
    """``people`` (annotated by ``with_invitation_state``) whose invitation is in ``state``."""
    if state == State.NEVER:
        return people.filter(invited_at__isnull=True)
    if state == State.ACCEPTED:
        return people.filter(invitation_accepted_at__isnull=False)
    pending = people.filter(invited_at__isnull=False, invitation_accepted_at__isnull=True)
    if state == State.EXPIRED:
        return pending.filter(invitation_expires_at__lte=now)
    if state == State.INVITED:
        return pending.filter(invitation_expires_at__gt=now)
    return people
