"""What the conversations app's messages say, and whether they are still wanted.

Each message kind's text is ``templates/messages/<kind>.txt``; its parameters are made
here (``conversation_context``, ``digest_contexts``). A reminder or invitation whose reason
went away before its e-mail went out is skipped: ``KINDS`` tells the outbox how to check
(registered in ``ConversationsConfig.ready``).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from goals.models import Goal
from people.models import OutgoingMessage, Topic, User
from people.outbox import Attachment, MessageKind
from plans.models import DevelopmentAction

from .calendar import conversation_ics, ics_content_type
from .models import Conversation, PreparationAnswer

DIGEST_AHEAD = datetime.timedelta(days=7)


def conversation_context(
    conversation: Conversation, person_id: int, *, slot: datetime.datetime | None = None
) -> dict:
    """A conversation as ``person_id`` (one of its two parties) reads about it."""
    other = conversation.manager if person_id == conversation.employee_id else conversation.employee
    return {
        "conversation_id": conversation.pk,
        "kind": conversation.kind,
        "name": other.full_name,
        "starts_at": conversation.starts_at,
        "location": conversation.location,
        "slot": slot,
    }


def invitation_context(conversation: Conversation, person_id: int) -> dict:
    """An invitation also says what changed when the conversation was moved (a rising
    sequence): its former time and place."""
    context = conversation_context(conversation, person_id)
    if conversation.sequence and conversation.previous_starts_at is not None:
        context |= {
            "changed": True,
            "was_starts_at": conversation.previous_starts_at,
            "was_location": conversation.previous_location,
            "duration_minutes": conversation.duration_minutes,
        }
    return context


def ics(conversation: Conversation) -> Attachment:
    """The calendar file, in the active language."""
    return Attachment(
        name=_("invitation") + ".ics",
        content_type=ics_content_type(conversation),
        content=conversation_ics(conversation).decode(),
    )


def digest_contexts(
    *,
    reports: Iterable[User],
    statuses: dict,
    now: datetime.datetime,
    today: datetime.date,
) -> dict[int, dict]:
    """Per manager, the weekly digest's lines: each report with a conversation in the
    coming week, the kinds of conversation overdue under the policy, and how many
    development actions are past their date. Three queries for a whole organisation."""
    reports = list(reports)
    coming: dict[int, Conversation] = {}
    for conversation in Conversation.objects.filter(
        employee__in=reports,
        status=Conversation.Status.SCHEDULED,
        starts_at__gte=now,
        starts_at__lt=now + DIGEST_AHEAD,
    ).order_by("starts_at"):
        coming.setdefault((conversation.employee_id, conversation.manager_id), conversation)
    late = dict(
        DevelopmentAction.objects.filter(
            plan__employee__in=reports,
            status__in=(DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS),
            due_date__lt=today,
        )
        .values_list("plan__employee_id")
        .annotate(count=Count("pk"))
    )
    digests: dict[int, dict] = defaultdict(lambda: {"rows": []})
    for person in reports:
        next_one = coming.get((person.pk, person.line_manager_id))
        row = {
            "name": person.full_name,
            "next_kind": next_one.kind if next_one else "",
            "next_at": next_one.starts_at if next_one else None,
            "missed": statuses[person.pk].missed,
            "late_actions": late.get(person.pk, 0),
        }
        digest = digests[person.line_manager_id]
        if row["next_kind"] or row["missed"] or row["late_actions"]:
            digest["rows"].append(row)
    return dict(digests)


# --- Still wanted when the e-mail goes out? ----------------------------------------------


def _conversation(message: OutgoingMessage) -> Conversation | None:
    return (
        Conversation.objects.select_related("organisation")
        .filter(pk=message.context["conversation_id"])
        .first()
    )


def _slot(message: OutgoingMessage) -> datetime.datetime | None:
    return parse_datetime(message.context["slot"]) if message.context.get("slot") else None


def _status_is(status: str):
    def wanted(message: OutgoingMessage) -> bool:
        conversation = _conversation(message)
        return conversation is not None and conversation.status == status

    return wanted


def _upcoming(message: OutgoingMessage) -> bool:
    from .reminders import upcoming_slot

    conversation = _conversation(message)
    return (
        conversation is not None
        and conversation.status == Conversation.Status.SCHEDULED
        and upcoming_slot(conversation) == _slot(message)
    )


def _preparation(message: OutgoingMessage) -> bool:
    from .reminders import preparation_slot

    conversation = _conversation(message)
    return (
        conversation is not None
        and conversation.status == Conversation.Status.SCHEDULED
        and preparation_slot(conversation) == _slot(message)
        and not PreparationAnswer.objects.filter(
            conversation=conversation, author_id=message.recipient_id
        )
        .exclude(body="")
        .exists()
    )


def _notes_missing(message: OutgoingMessage) -> bool:
    from .reminders import without_notes

    return without_notes(
        Conversation.objects.filter(
            pk=message.context["conversation_id"], status=Conversation.Status.HELD
        )
    ).exists()


def _action_open(message: OutgoingMessage) -> bool:
    return DevelopmentAction.objects.filter(
        pk=message.context["action_id"],
        status__in=(DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS),
        due_date__isnull=False,
    ).exists()


def _goal_active(message: OutgoingMessage) -> bool:
    return Goal.objects.filter(
        pk=message.context["goal_id"], status=Goal.Status.ACTIVE, due_date__isnull=False
    ).exists()


def _still_overdue(message: OutgoingMessage) -> bool:
    from django.utils import timezone

    from .reminders import team_cadence

    manager = message.recipient
    person = User.objects.filter(
        pk=message.context["person_id"], line_manager_id=manager.pk, is_active=True
    ).first()
    if person is None:
        return False
    return team_cadence(manager.organisation, timezone.localdate(), [person])[person.pk].is_overdue


INVITATIONS, REMINDERS = Topic.INVITATIONS, Topic.REMINDERS
KINDS = (
    MessageKind(
        "reminder_invitation",
        still_wanted=_status_is(Conversation.Status.SCHEDULED),
        topic=INVITATIONS,
    ),
    MessageKind(
        "reminder_cancellation",
        still_wanted=_status_is(Conversation.Status.CANCELLED),
        topic=INVITATIONS,
    ),
    MessageKind("conversation_requested", topic=INVITATIONS),
    MessageKind("reminder_upcoming", still_wanted=_upcoming, topic=REMINDERS),
    MessageKind("reminder_preparation", still_wanted=_preparation, topic=REMINDERS),
    MessageKind("reminder_notes_missing", still_wanted=_notes_missing, topic=REMINDERS),
    MessageKind("reminder_action_due", still_wanted=_action_open, topic=REMINDERS),
    MessageKind("reminder_action_overdue", still_wanted=_action_open, topic=REMINDERS),
    MessageKind("reminder_goal_due", still_wanted=_goal_active, topic=REMINDERS),
    MessageKind("reminder_cadence_overdue", still_wanted=_still_overdue, topic=REMINDERS),
    MessageKind("reminder_digest", topic=Topic.DIGESTS),
)
