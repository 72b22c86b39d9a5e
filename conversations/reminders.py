"""Reminders: which are due now, each decided once.

``reminders_sweep(now=…)`` runs every few minutes (Celery beat). It works out, for each
organisation in its own time zone, which reminders have a due slot at or before ``now``
— slots are local wall-clock times ("09:00 on day X", converted to UTC with zoneinfo, so
a daylight-saving switch neither doubles nor skips one) — and, in the same transaction,
creates one ``ReminderDelivery`` per (kind, recipient, object, due slot) and queues its
messages in the outbox (``people.outbox``: in-app and e-mail, text from
``templates/messages/reminder_<kind>.txt``). The unique constraint on the row makes a
second sweep (or a second beat) a no-op. Sending, retrying and picking up lost work are
the outbox's; ``conversations.messages`` says whether a reminder is still wanted when its
e-mail goes out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import translation

from goals.models import Goal
from people.models import Organisation, User
from people.outbox import Attachment, outbox_send
from plans.models import DevelopmentAction

from . import messages
from .cadence import cadence_status, unit_policies
from .models import Agreement, Conversation, PreparationAnswer, ReminderDelivery, SharedNote

Kind = ReminderDelivery.Kind
LOCAL_TIME = datetime.time(9, 0)
# A late sweep still sends a dated reminder within this window, never older ones.
WINDOW = datetime.timedelta(days=7)


class Candidate(NamedTuple):
    kind: str
    recipient_id: int
    object_type: str
    object_id: int
    due_slot: datetime.datetime


@dataclass(frozen=True)
class Due:
    """A reminder due now: who and what (``key``), and what its message says."""

    key: Candidate
    context: dict = field(compare=False)
    link: str = field(compare=False)
    conversation: Conversation | None = field(default=None, compare=False)  # for the .ics


def local_slot(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    """09:00 local on ``day``, in UTC."""
    return datetime.datetime.combine(day, LOCAL_TIME, tzinfo=tz).astimezone(datetime.UTC)


def _local_day(moment: datetime.datetime, tz: datetime.tzinfo) -> datetime.date:
    return moment.astimezone(tz).date()


def week_slot(now: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """Monday 09:00 local of ``now``'s week (the weekly reminders' slot)."""
    today = _local_day(now, tz)
    return local_slot(today - datetime.timedelta(days=today.weekday()), tz)


def upcoming_slot(conversation: Conversation) -> datetime.datetime:
    organisation = conversation.organisation
    day = _local_day(conversation.starts_at, organisation.tzinfo)
    return local_slot(
        day - datetime.timedelta(days=organisation.reminder_lead_days), organisation.tzinfo
    )


def preparation_slot(conversation: Conversation) -> datetime.datetime:
    tz = conversation.organisation.tzinfo
    return local_slot(_local_day(conversation.starts_at, tz) - datetime.timedelta(days=1), tz)


def notes_slot(conversation: Conversation) -> datetime.datetime:
    tz = conversation.organisation.tzinfo
    return local_slot(_local_day(conversation.held_at, tz) + datetime.timedelta(days=1), tz)


def _about(kind: str, person_id: int, conversation: Conversation, slot: datetime.datetime) -> Due:
    return Due(
        Candidate(kind, person_id, "conversation", conversation.pk, slot),
        messages.conversation_context(conversation, person_id, slot=slot),
        conversation.get_absolute_url(),
        conversation if kind == Kind.UPCOMING else None,
    )


def _conversation_reminders(organisation: Organisation, now: datetime.datetime) -> list[Due]:
    found: list[Due] = []
    horizon = now + datetime.timedelta(days=organisation.reminder_lead_days + 2)
    upcoming = list(
        Conversation.objects.filter(
            organisation=organisation,
            status=Conversation.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=horizon,
        ).select_related("organisation", "employee", "manager")
    )
    answered = set(
        PreparationAnswer.objects.filter(conversation__in=upcoming)
        .exclude(body="")
        .values_list("conversation_id", "author_id")
    )
    for conversation in upcoming:
        parties = (conversation.employee_id, conversation.manager_id)
        slot = upcoming_slot(conversation)
        if slot <= now:
            found += [_about(Kind.UPCOMING, p, conversation, slot) for p in parties]
        slot = preparation_slot(conversation)
        if slot <= now:
            found += [
                _about(Kind.PREPARATION, p, conversation, slot)
                for p in parties
                if (conversation.pk, p) not in answered
            ]
    held = without_notes(
        Conversation.objects.filter(
            organisation=organisation,
            status=Conversation.Status.HELD,
            held_at__gte=now - WINDOW - datetime.timedelta(days=2),
        ).select_related("organisation", "employee", "manager")
    )
    for conversation in held:
        slot = notes_slot(conversation)
        if slot <= now < slot + WINDOW:
            found.append(_about(Kind.NOTES_MISSING, conversation.manager_id, conversation, slot))
    return found


def without_notes(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Those of ``conversations`` with neither shared notes nor agreements."""
    notes = SharedNote.objects.filter(conversation=OuterRef("pk")).exclude(body="")
    agreements = Agreement.objects.filter(conversation=OuterRef("pk"))
    return conversations.filter(~Exists(notes), ~Exists(agreements))


OPEN_ACTION = (DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS)


def _dated_reminders(organisation: Organisation, now: datetime.datetime) -> list[Due]:
    """Development actions due and overdue, individual goals due."""
    tz, lead = organisation.tzinfo, datetime.timedelta(days=organisation.reminder_lead_days)
    today = _local_day(now, tz)
    found: list[Due] = []
    actions = DevelopmentAction.objects.filter(
        plan__organisation=organisation,
        plan__employee__is_active=True,
        status__in=OPEN_ACTION,
        due_date__gte=today - datetime.timedelta(days=8),
        due_date__lte=today + lead,
    ).select_related("plan")
    for action in actions:
        for kind, day in (
            (Kind.ACTION_DUE, action.due_date - lead),
            (Kind.ACTION_OVERDUE, action.due_date + datetime.timedelta(days=1)),
        ):
            slot = local_slot(day, tz)
            if slot <= now < slot + WINDOW:
                found.append(
                    Due(
                        Candidate(kind, action.plan.employee_id, "action", action.pk, slot),
                        {"action_id": action.pk, "title": action.title, "due": action.due_date},
                        f"{action.plan.get_absolute_url()}#item-action-{action.uuid}",
                    )
                )
    goals = Goal.objects.filter(
        organisation=organisation,
        level=Goal.Level.INDIVIDUAL,
        status=Goal.Status.ACTIVE,
        owner_person__is_active=True,
        due_date__gte=today,
        due_date__lte=today + lead + WINDOW,
    )
    for goal in goals:
        slot = local_slot(goal.due_date - lead, tz)
        if slot <= now < slot + WINDOW:
            found.append(
                Due(
                    Candidate(Kind.GOAL_DUE, goal.owner_person_id, "goal", goal.pk, slot),
                    {"goal_id": goal.pk, "title": goal.title, "due": goal.due_date},
                    goal.get_absolute_url(),
                )
            )
    return found


def team_cadence(
    organisation: Organisation,
    today: datetime.date,
    reports: Iterable[User],
    policies: dict | None = None,
):
    """Each report's ``CadenceStatus``, with their conversations in one query.
    ``policies``: the organisation's ``unit_policies``, when the caller has them already."""
    reports = list(reports)
    if policies is None:
        policies = unit_policies(organisation)
    conversations = defaultdict(list)
    for conversation in Conversation.objects.filter(employee__in=reports).only(
        "employee_id", "kind", "status", "starts_at"
    ):
        conversations[conversation.employee_id].append(conversation)
    return {
        person.pk: cadence_status(
            person=person,
            conversations=conversations[person.pk],
            policy=policies.get(person.unit_id, policies[None]),
            today=today,
        )
        for person in reports
    }


def _weekly_reminders(organisation: Organisation, now: datetime.datetime) -> list[Due]:
    """Cadence overdue (to the manager, per report) and the managers' digest."""
    slot = week_slot(now, organisation.tzinfo)
    if (
        now < slot
        or ReminderDelivery.objects.filter(
            kind__in=[Kind.DIGEST, Kind.CADENCE_OVERDUE],
            due_slot=slot,
            recipient__organisation=organisation,
        ).exists()
    ):
        return []  # this week's were decided (all in one transaction)
    reports = list(
        User.objects.filter(
            organisation=organisation,
            is_active=True,
            line_manager__isnull=False,
            line_manager__is_active=True,
        ).order_by("full_name")
    )
    today = _local_day(now, organisation.tzinfo)
    statuses = team_cadence(organisation, today, reports)
    digests = messages.digest_contexts(reports=reports, statuses=statuses, now=now, today=today)
    team = reverse("conversations:team")
    new_conversation = reverse("conversations:conversation-new")
    found = [
        Due(Candidate(Kind.DIGEST, manager_id, "user", manager_id, slot), context, team)
        for manager_id, context in digests.items()
    ]
    found += [
        Due(
            Candidate(Kind.CADENCE_OVERDUE, person.line_manager_id, "user", person.pk, slot),
            {
                "person_id": person.pk,
                "name": person.full_name,
                "missed": statuses[person.pk].missed,
            },
            f"{new_conversation}?employee={person.uuid}",
        )
        for person in reports
        if statuses[person.pk].is_overdue
    ]
    return found


def due_reminders(*, now: datetime.datetime) -> list[Due]:
    found: list[Due] = []
    for organisation in Organisation.objects.all():
        found += _conversation_reminders(organisation, now)
        found += _dated_reminders(organisation, now)
        found += _weekly_reminders(organisation, now)
    return found


def reminders_create(dues: Iterable[Due]) -> list[int]:
    """Create the rows that do not exist yet and queue their messages. Returns the ids
    created. Call inside a transaction (the deciding one)."""
    dues = list(dict.fromkeys(dues))
    if not dues:
        return []
    existing = set(
        ReminderDelivery.objects.filter(
            kind__in={due.key.kind for due in dues},
            due_slot__in={due.key.due_slot for due in dues},
            recipient_id__in={due.key.recipient_id for due in dues},
        ).values_list("kind", "recipient_id", "object_type", "object_id", "due_slot")
    )
    people = User.objects.select_related("organisation").in_bulk(
        {due.key.recipient_id for due in dues}
    )
    created: list[int] = []
    for due in dues:
        if due.key in existing:
            continue
        try:
            # A concurrent sweep inserting the same row makes this one wait for it, then
            # fail on the unique constraint: it is theirs to send.
            with transaction.atomic():
                delivery = ReminderDelivery.objects.create(**due.key._asdict())
                recipient = people[due.key.recipient_id]
                outbox_send(
                    recipient=recipient,
                    kind=f"reminder_{due.key.kind}",
                    context=due.context,
                    link=due.link,
                    attachment=_invitation(due.conversation, recipient),
                )
        except IntegrityError:
            continue
        created.append(delivery.pk)
    return created


def _invitation(conversation: Conversation | None, reader: User) -> Attachment | None:
    if conversation is None:
        return None
    with translation.override(reader.language):
        return messages.ics(conversation)


@transaction.atomic
def reminders_sweep(*, now: datetime.datetime) -> list[int]:
    """Decide what is due at ``now`` and queue it; returns the new delivery ids."""
    return reminders_create(due_reminders(now=now))
