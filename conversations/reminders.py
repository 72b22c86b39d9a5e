"""Reminders: which are due now, one ``ReminderDelivery`` per (kind, recipient, object,
due slot), and sending one.

``reminders_sweep(now=…)`` runs every few minutes (Celery beat). It works out, for each
organisation in its own time zone, which reminders have a due slot at or before ``now``
— slots are local wall-clock times ("09:00 on day X", converted to UTC with zoneinfo, so
a daylight-saving switch neither doubles nor skips one) — and creates their delivery
rows in the same transaction. The unique constraint on the row makes a second sweep (or
a second beat) a no-op; only rows this sweep created are enqueued, after commit.

``reminder_deliver(delivery_id=…)`` sends one: the in-app notification (once) and the
e-mail in the recipient's language and the organisation's local time, through
``pop_platform.delivery`` (attempts counted, lock, failures recorded).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from email.mime.text import MIMEText
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from people.models import Organisation, User
from people.services import notification_create, notification_emails_requeue
from plans.models import DevelopmentAction
from plans.services import plan_exports_fail_stale
from pop_platform.delivery import DeliveryFields, awaiting_delivery, deliver_once
from pop_platform.delivery import delivery_give_up as _give_up
from pop_platform.email import absolute_url, send_templated_email
from pop_platform.queue import enqueue, enqueue_on_commit

from .cadence import cadence_status, unit_policies
from .calendar import ics_attachment
from .models import Agreement, Conversation, PreparationAnswer, ReminderDelivery, SharedNote

logger = logging.getLogger(__name__)
Kind = ReminderDelivery.Kind
LOCAL_TIME = datetime.time(9, 0)
# A late sweep still sends a dated reminder within this window, never older ones.
WINDOW = datetime.timedelta(days=7)
FIELDS = DeliveryFields(
    attempts="attempts",
    sent_at="sent_at",
    error="last_error",
    failed_at="failed_at",
    created_at="created_at",
    attempted_at="attempted_at",
)


class Candidate(NamedTuple):
    kind: str
    recipient_id: int
    object_type: str
    object_id: int
    due_slot: datetime.datetime


def local_slot(day: datetime.date, tz: datetime.tzinfo) -> datetime.datetime:
    """09:00 local on ``day``, in UTC."""
    return datetime.datetime.combine(day, LOCAL_TIME, tzinfo=tz).astimezone(datetime.UTC)


def _local_day(moment: datetime.datetime, tz: datetime.tzinfo) -> datetime.date:
    return moment.astimezone(tz).date()


def week_slot(now: datetime.datetime, tz: datetime.tzinfo) -> datetime.datetime:
    """Monday 09:00 local of ``now``'s week (the weekly reminders' slot)."""
    today = _local_day(now, tz)
    return local_slot(today - datetime.timedelta(days=today.weekday()), tz)


# --- Deciding ----------------------------------------------------------------------------


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


def _conversation_reminders(organisation: Organisation, now: datetime.datetime) -> list[Candidate]:
    found: list[Candidate] = []
    horizon = now + datetime.timedelta(days=organisation.reminder_lead_days + 2)
    upcoming = list(
        Conversation.objects.filter(
            organisation=organisation,
            status=Conversation.Status.SCHEDULED,
            starts_at__gt=now,
            starts_at__lte=horizon,
        ).select_related("organisation")
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
            found += [
                Candidate(Kind.UPCOMING, p, "conversation", conversation.pk, slot) for p in parties
            ]
        slot = preparation_slot(conversation)
        if slot <= now:
            found += [
                Candidate(Kind.PREPARATION, p, "conversation", conversation.pk, slot)
                for p in parties
                if (conversation.pk, p) not in answered
            ]
    held = without_notes(
        Conversation.objects.filter(
            organisation=organisation,
            status=Conversation.Status.HELD,
            held_at__gte=now - WINDOW - datetime.timedelta(days=2),
        ).select_related("organisation")
    )
    for conversation in held:
        slot = notes_slot(conversation)
        if slot <= now < slot + WINDOW:
            found.append(
                Candidate(
                    Kind.NOTES_MISSING,
                    conversation.manager_id,
                    "conversation",
                    conversation.pk,
                    slot,
                )
            )
    return found


def without_notes(conversations: QuerySet[Conversation]) -> QuerySet[Conversation]:
    """Those of ``conversations`` with neither shared notes nor agreements."""
    notes = SharedNote.objects.filter(conversation=OuterRef("pk")).exclude(body="")
    agreements = Agreement.objects.filter(conversation=OuterRef("pk"))
    return conversations.filter(~Exists(notes), ~Exists(agreements))


def _dated_reminders(organisation: Organisation, now: datetime.datetime) -> list[Candidate]:
    """Development actions due and overdue, individual goals due."""
    tz, lead = organisation.tzinfo, datetime.timedelta(days=organisation.reminder_lead_days)
    today = _local_day(now, tz)
    found: list[Candidate] = []
    actions = DevelopmentAction.objects.filter(
        plan__organisation=organisation,
        plan__employee__is_active=True,
        status__in=[DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS],
        due_date__gte=today - datetime.timedelta(days=8),
        due_date__lte=today + lead,
    ).values_list("pk", "due_date", "plan__employee_id")
    for pk, due, employee_id in actions:
        for kind, day in (
            (Kind.ACTION_DUE, due - lead),
            (Kind.ACTION_OVERDUE, due + datetime.timedelta(days=1)),
        ):
            slot = local_slot(day, tz)
            if slot <= now < slot + WINDOW:
                found.append(Candidate(kind, employee_id, "action", pk, slot))
    goals = Goal.objects.filter(
        organisation=organisation,
        level=Goal.Level.INDIVIDUAL,
        status=Goal.Status.ACTIVE,
        owner_person__is_active=True,
        due_date__gte=today,
        due_date__lte=today + lead + WINDOW,
    ).values_list("pk", "due_date", "owner_person_id")
    for pk, due, owner_id in goals:
        slot = local_slot(due - lead, tz)
        if slot <= now < slot + WINDOW:
            found.append(Candidate(Kind.GOAL_DUE, owner_id, "goal", pk, slot))
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


def _weekly_reminders(organisation: Organisation, now: datetime.datetime) -> list[Candidate]:
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
        )
    )
    statuses = team_cadence(organisation, _local_day(now, organisation.tzinfo), reports)
    found = [
        Candidate(Kind.DIGEST, manager_id, "user", manager_id, slot)
        for manager_id in {p.line_manager_id for p in reports}
    ]
    found += [
        Candidate(Kind.CADENCE_OVERDUE, person.line_manager_id, "user", person.pk, slot)
        for person in reports
        if statuses[person.pk].is_overdue
    ]
    return found


def due_reminders(*, now: datetime.datetime) -> list[Candidate]:
    found: list[Candidate] = []
    for organisation in Organisation.objects.all():
        found += _conversation_reminders(organisation, now)
        found += _dated_reminders(organisation, now)
        found += _weekly_reminders(organisation, now)
    return found


def deliveries_create(candidates: Iterable[Candidate]) -> list[int]:
    """Create the rows that do not exist yet and enqueue those after commit. Returns the
    ids created. Call inside a transaction (the deciding one)."""
    from .tasks import reminder_send

    candidates = list(dict.fromkeys(candidates))
    if not candidates:
        return []
    existing = set(
        ReminderDelivery.objects.filter(
            kind__in={c.kind for c in candidates},
            due_slot__in={c.due_slot for c in candidates},
            recipient_id__in={c.recipient_id for c in candidates},
        ).values_list("kind", "recipient_id", "object_type", "object_id", "due_slot")
    )
    created: list[int] = []
    for candidate in candidates:
        if candidate in existing:
            continue
        try:
            # A concurrent sweep inserting the same row makes this one wait for it, then
            # fail on the unique constraint: it is theirs to send.
            with transaction.atomic():
                delivery = ReminderDelivery.objects.create(**candidate._asdict())
        except IntegrityError:
            continue
        created.append(delivery.pk)
        # When the broker is down the row waits for the sweep (``lost_work_requeue``).
        enqueue_on_commit(reminder_send, delivery.pk)
    return created


@transaction.atomic
def reminders_sweep(*, now: datetime.datetime) -> list[int]:
    """Decide what is due at ``now`` and queue it; returns the new delivery ids."""
    return deliveries_create(due_reminders(now=now))


@dataclass(frozen=True)
class Requeued:
    deliveries: list[int]
    notifications: list[int]
    exports_failed: int


def lost_work_requeue(*, now: datetime.datetime) -> Requeued:
    """Pick up the work of the last ``WINDOW`` whose task is gone: it never reached the
    broker (Redis was down), or was lost with it (Redis keeps nothing on disk), or a
    worker dropped its waiting retry when it lost Redis. The rows are the truth.

    Reminder deliveries (and invitations) and notification e-mails are queued again;
    their claim and lock make a second run a no-op, so nothing is sent twice. Plan PDFs
    that waited longer than a render may take are recorded as failed: their page says
    so already and offers to try again (a person waiting for a PDF is not kept waiting
    for the next sweep).
    """
    from .tasks import reminder_send

    since = now - WINDOW
    deliveries = list(
        awaiting_delivery(
            ReminderDelivery.objects.filter(recipient__is_active=True),
            fields=FIELDS,
            now=now,
            since=since,
        ).values_list("pk", flat=True)
    )
    for delivery_id in deliveries:
        enqueue(reminder_send, delivery_id)
    # A reminder's in-app copy is made with send_email=False: never e-mailed by the sweep.
    notifications = notification_emails_requeue(now=now, since=since)
    requeued = Requeued(deliveries, notifications, plan_exports_fail_stale(now=now))
    if deliveries or notifications or requeued.exports_failed:
        logger.warning(
            "Work whose task was lost: queued again %d reminder deliveries and %d "
            "notification e-mails; recorded %d plan PDFs as failed.",
            len(deliveries),
            len(notifications),
            requeued.exports_failed,
        )
    return requeued


# --- Sending -----------------------------------------------------------------------------


@dataclass
class Message:
    title: str
    lines: list[str]
    link: str
    link_label: str
    attachments: list[MIMEText]


def _when(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "l j F Y, H:i")


def _what_changed(conversation: Conversation) -> list[str]:
    """The lines of a changed invitation that say what changed."""
    lines = []
    before = conversation.previous_starts_at
    if before is not None and before != conversation.starts_at:
        lines.append(
            _("New time: %(when)s (was %(before)s).")
            % {"when": _when(conversation.starts_at), "before": _when(before)}
        )
    if conversation.previous_location != conversation.location:
        lines.append(
            _("New place: %(where)s (was %(before)s).")
            % {
                "where": conversation.location or "—",
                "before": conversation.previous_location or "—",
            }
        )
    return lines or [_("The duration changed.")]


def _conversation_message(delivery: ReminderDelivery, recipient: User) -> Message | None:
    conversation = (
        Conversation.objects.select_related("employee", "manager", "organisation")
        .filter(pk=delivery.object_id)
        .first()
    )
    if conversation is None:
        return None
    other = conversation.other_party(recipient)
    names = {
        "kind": conversation.get_kind_display(),
        "name": other.full_name,
        "when": _when(conversation.starts_at) if conversation.starts_at else "",
    }
    filename = _("invitation") + ".ics"
    ics = [ics_attachment(conversation, filename=filename)]
    label = _("Open the conversation")
    link = conversation.get_absolute_url()
    scheduled = conversation.status == Conversation.Status.SCHEDULED
    if delivery.kind == Kind.INVITATION:
        if not scheduled:
            return None
        if conversation.sequence > 0:  # a new time or place for an invitation sent before
            return Message(
                _("Changed: %(kind)s with %(name)s") % names,
                [
                    *_what_changed(conversation),
                    _("When: %(when)s") % names,
                    _("Where: %(where)s") % {"where": conversation.location or "—"},
                ],
                link,
                label,
                ics,
            )
        return Message(
            _("Invitation: %(kind)s with %(name)s") % names,
            [
                _("When: %(when)s") % names,
                _("Where: %(where)s") % {"where": conversation.location or "—"},
                _("Add your topics to the agenda and answer the preparation questions beforehand."),
            ],
            link,
            label,
            ics,
        )
    if delivery.kind == Kind.CANCELLATION:
        if conversation.status != Conversation.Status.CANCELLED:
            return None
        return Message(
            _("Cancelled: %(kind)s with %(name)s") % names,
            [_("The conversation of %(when)s does not take place.") % names],
            link,
            label,
            ics,
        )
    if delivery.kind == Kind.UPCOMING:
        if not scheduled or upcoming_slot(conversation) != delivery.due_slot:
            return None
        return Message(
            _("Coming up: %(kind)s with %(name)s") % names,
            [
                _("When: %(when)s") % names,
                _("Where: %(where)s") % {"where": conversation.location or "—"},
                _("Prepare it: add to the agenda and answer the preparation questions."),
            ],
            link,
            label,
            ics,
        )
    if delivery.kind == Kind.PREPARATION:
        answered = PreparationAnswer.objects.filter(
            conversation=conversation, author=recipient
        ).exclude(body="")
        if (
            not scheduled
            or preparation_slot(conversation) != delivery.due_slot
            or answered.exists()
        ):
            return None
        return Message(
            _("Please prepare your %(kind)s with %(name)s") % names,
            [_("It starts %(when)s. You have not answered the preparation questions yet.") % names],
            link,
            _("Prepare now"),
            [],
        )
    if delivery.kind == Kind.NOTES_MISSING:
        still_missing = without_notes(Conversation.objects.filter(pk=conversation.pk)).exists()
        if conversation.status != Conversation.Status.HELD or not still_missing:
            return None
        return Message(
            _("Record the notes of your %(kind)s with %(name)s") % names,
            [_("The conversation was held, but it has no notes or agreements yet.")],
            link,
            label,
            [],
        )
    return None


def _dated_message(delivery: ReminderDelivery, recipient: User) -> Message | None:
    if delivery.object_type == "action":
        action = (
            DevelopmentAction.objects.select_related("plan").filter(pk=delivery.object_id).first()
        )
        if (
            action is None
            or action.status
            not in (DevelopmentAction.Status.PLANNED, DevelopmentAction.Status.IN_PROGRESS)
            or action.due_date is None
        ):
            return None
        values = {"title": action.title, "date": formats.date_format(action.due_date, "j F Y")}
        title = (
            _("Development action due on %(date)s: %(title)s")
            if delivery.kind == Kind.ACTION_DUE
            else _("Development action overdue since %(date)s: %(title)s")
        ) % values
        return Message(
            title,
            [_("Update its status on your plan, or agree on a new date.")],
            f"{action.plan.get_absolute_url()}#item-action-{action.uuid}",
            _("Open your plan"),
            [],
        )
    goal = Goal.objects.filter(pk=delivery.object_id, status=Goal.Status.ACTIVE).first()
    if goal is None or goal.due_date is None:
        return None
    values = {"title": goal.title, "date": formats.date_format(goal.due_date, "j F Y")}
    return Message(
        _("Goal due on %(date)s: %(title)s") % values,
        [_("Check in on your progress before the due date.")],
        goal.get_absolute_url(),
        _("Open the goal"),
        [],
    )


def _team_message(delivery: ReminderDelivery, recipient: User) -> Message | None:
    from .selectors import team_overview

    now = timezone.now()
    if delivery.kind == Kind.CADENCE_OVERDUE:
        person = User.objects.filter(
            pk=delivery.object_id, line_manager_id=recipient.pk, is_active=True
        ).first()
        if person is None:
            return None
        status = team_cadence(recipient.organisation, timezone.localdate(), [person])[person.pk]
        if not status.is_overdue:
            return None
        return Message(
            _("A conversation with %(name)s is overdue") % {"name": person.full_name},
            [_("Overdue under the policy: %(what)s.") % {"what": ", ".join(status.overdue)}],
            f"{reverse('conversations:conversation-new')}?employee={person.uuid}",
            _("Plan a conversation"),
            [],
        )
    overview = team_overview(manager=recipient, now=now)
    if not overview.rows:
        return None
    lines = []
    for row in overview.rows:
        parts = []
        if row.next_conversation and row.next_conversation.starts_at < now + datetime.timedelta(
            days=7
        ):
            parts.append(
                _("%(kind)s on %(when)s")
                % {
                    "kind": row.next_conversation.get_kind_display(),
                    "when": _when(row.next_conversation.starts_at),
                }
            )
        if row.cadence.is_overdue:
            parts.append(_("overdue: %(what)s") % {"what": ", ".join(row.cadence.overdue)})
        if row.overdue_actions:
            parts.append(
                ngettext(
                    "%(count)s overdue development action",
                    "%(count)s overdue development actions",
                    row.overdue_actions,
                )
                % {"count": row.overdue_actions}
            )
        if parts:
            lines.append(f"{row.person.full_name}: {'; '.join(str(p) for p in parts)}")
    if not lines:
        lines.append(_("Nothing needs your attention this week."))
    return Message(
        _("Your team this week"), lines, reverse("conversations:team"), _("Open your team"), []
    )


def reminder_message(delivery: ReminderDelivery) -> Message | None:
    """What to send for ``delivery`` now, or None when the reason went away. Call it in
    the recipient's language and the organisation's time zone."""
    recipient = delivery.recipient
    if delivery.object_type == "conversation":
        return _conversation_message(delivery, recipient)
    if delivery.object_type in ("action", "goal"):
        return _dated_message(delivery, recipient)
    return _team_message(delivery, recipient)


def _send(delivery: ReminderDelivery) -> bool:
    recipient = delivery.recipient
    with translation.override(recipient.language), timezone.override(recipient.organisation.tzinfo):
        message = reminder_message(delivery)
        if message is None:
            ReminderDelivery.objects.filter(pk=delivery.pk).update(skipped=True)
            return False
        if delivery.notification_id is None:
            # Made and linked together: a worker that dies in between leaves neither, so
            # the redelivered task makes the one in-app copy.
            with transaction.atomic():
                notification = notification_create(
                    recipient=recipient,
                    kind=f"reminder_{delivery.kind}",
                    title=str(message.title),
                    body="\n".join(str(line) for line in message.lines),
                    link=message.link,
                    send_email=False,
                )
                ReminderDelivery.objects.filter(pk=delivery.pk).update(notification=notification)
    send_templated_email(
        to=[recipient.email],
        template="conversations/email/reminder",
        context={
            "recipient": recipient,
            "message": message,
            "link": absolute_url(message.link),
        },
        language=recipient.language,
        attachments=message.attachments,
    )
    return True


def reminder_deliver(*, delivery_id: int) -> bool:
    """Send one delivery (see ``pop_platform.delivery.deliver_once``). Call it outside a
    transaction (the task does)."""
    return deliver_once(
        rows=ReminderDelivery.objects.filter(recipient__is_active=True).select_related(
            "recipient__organisation"
        ),
        pk=delivery_id,
        lock=f"reminder-delivery:{delivery_id}",
        fields=FIELDS,
        send=_send,
    )


def reminder_give_up(*, delivery_id: int) -> None:
    _give_up(model=ReminderDelivery, pk=delivery_id, fields=FIELDS)
