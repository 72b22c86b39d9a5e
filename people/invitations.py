"""Invitations: an e-mail in the person's language with a link to set a password, valid
``INVITATION_VALID_DAYS`` days and usable once; in an organisation that signs in only
through its own provider, a link to the sign-in page instead.

An ``Invitation`` row is the invitation's state (valid until, used, replaced). Its e-mail
is a message of the outbox (``people.outbox``, kind ``invitation``): ``invitations_send``
writes the invitation rows and their messages in the transaction that decides to invite,
and the outbox sends each at least once and only once. The link is made when the e-mail
goes out (``invitation_message_context``) and never stored; an invitation replaced or
used before its e-mail went out is not sent (``invitation_still_wanted``).

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

from .models import AuditEvent, Invitation, OutgoingMessage, User
from .outbox import Channel, outbox_send_many

SALT = "people.invitation"


class InvitationUnusable(Exception):
    """The link was used, replaced or expired meanwhile."""


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
    """Where the e-mail sends the person (a path on this site): to set a password, or (an
    organisation without passwords) to the sign-in page with their address filled in."""
    person = invitation.person
    if uses_single_sign_on_only(person):
        return f"{reverse('login')}?{urlencode({'email': person.email})}"
    return reverse("invitation-accept", kwargs={"token": invitation_token(invitation)})


# --- The e-mail (a kind of the outbox) ------------------------------------------------------


def _invitation_of(message: OutgoingMessage) -> Invitation | None:
    return (
        Invitation.objects.select_related("person__organisation", "invited_by")
        .filter(uuid=message.context.get("invitation"))
        .first()
    )


def invitation_still_wanted(message: OutgoingMessage) -> bool:
    """Not sent when the invitation was replaced, used or withdrawn meanwhile, or its
    person was deactivated."""
    invitation = _invitation_of(message)
    return invitation is not None and invitation_usable(invitation)


def invitation_message_context(message: OutgoingMessage) -> dict:
    """Made when the e-mail goes out, never stored: the link and what the text says."""
    invitation = _invitation_of(message)
    if invitation is None:
        return {}
    person = invitation.person
    return {
        "link": invitation_link(invitation),
        "organisation": person.organisation.name,
        "single_sign_on": uses_single_sign_on_only(person),
        "expires_at": invitation.expires_at,
        "email": person.email,
    }


# --- Writes -------------------------------------------------------------------------------


@transaction.atomic
def invitations_send(*, people: Iterable[User], by: User | None) -> list[Invitation]:
    """Invite each active person again or for the first time: older pending invitations
    stop working, one new row each, and its e-mail is queued after commit."""
    from .services import audit_event, audit_record_many

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
    outbox_send_many(
        kind="invitation",
        messages=[
            (invitation.person, {"invitation": invitation.uuid.hex}) for invitation in invitations
        ],
        channels=[Channel.EMAIL],
    )
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
    from .outbox import outbox_send

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
        outbox_send(
            recipient=hr,
            kind="invitation_renewal",
            context={"name": person.full_name},
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
