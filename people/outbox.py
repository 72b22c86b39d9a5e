"""The outbox: every message to a person, on every channel, goes through here.

One ``OutgoingMessage`` row per delivery (one person, one channel), written in the
transaction that decides to send it; one task sends it. The row is the truth: a worker
claims it with a conditional UPDATE, counts the attempt before it talks to another
server, and records the result. (healthchecks' ``Flip`` and ``sendalerts`` are the model.)

Sending a message::

    from people.outbox import Channel, outbox_send

    outbox_send(
        recipient=goal.owner_person,
        kind="goal_approved",                     # its text: templates/messages/goal_approved.txt
        context={"title": goal.title, "by": reviewer.full_name},   # JSON: parameters, not text
        link=goal.get_absolute_url(),             # a path on this site, or nothing
        channels=(Channel.IN_APP, Channel.EMAIL), # the default
        attachment=None,                          # or Attachment(name, content_type, content)
    )

- **Kinds.** A kind is a code; its text is one template, ``templates/messages/<kind>.txt``,
  with the partials ``title``, ``body`` (optional) and ``action`` (optional: the label of
  the link). The template gets the context, and renders in the reader's language and
  time zone whenever the message is shown or sent: the stored context holds names, titles,
  codes and ISO dates (``{{ when|iso|date:"DATETIME_FORMAT" }}``), never translated text.
  A kind that must be checked or completed just before it is sent registers a
  ``MessageKind`` (``register_kinds``, from its app's ``ready()``): ``still_wanted(message)``
  (False: skipped, e.g. a reminder whose conversation was cancelled meanwhile) and
  ``extra_context(message)`` (rendered but never stored, e.g. a password-reset link given
  as ``link``).
- **Channels.** ``Channel`` (``OutgoingMessage.Channel``) and ``SENDERS``: a channel is one
  choice and one sender, ``send(message, rendered)``, which raises ``OSError`` when the
  other server cannot be reached. A channel without a sender (in-app) is delivered by
  being stored: the inbox reads its rows (``Notification``). Without ``channels``,
  ``outbox_send`` asks the recipient's choice for the kind's topic (``people.preferences``:
  e-mail, Teams or Slack, in-app only, or off, within what HR made mandatory). The chat
  channel posts to the person's own Teams or Slack incoming webhook, else the
  organisation's (``people.chat``).
- **Events** (``outbox_event``): one row per webhook subscription of the organisation to
  the event, with no recipient; the payload holds ids and facts, never text a person
  wrote. The webhook sender signs it per the Standard Webhooks specification
  (``people.webhooks``). A delivery given up after every retry counts against its
  subscription, which is switched off after ``WEBHOOK_DISABLE_AFTER`` of them in a row;
  HR is told.
- **Delivery** (``outbox_deliver``, run by ``people.tasks.outbox_deliver``): at least
  once, and only once unless a worker dies between the other server accepting the message
  and the row being marked sent. A lock keeps two runs of the task (enqueued twice, or
  redelivered while the first is busy) from sending at the same time; the run that finds
  it taken raises ``DeliveryInProgress`` and retries later. Failures retry with Celery's
  ``autoretry_for``/``retry_backoff`` (``pop_platform.retries``); after the last, the row is
  marked failed (shown in the admin).
- **Requeue** (``outbox_requeue``, its own beat entry): a row whose task is gone — it never
  reached the broker, was lost with it, or a worker dropped its waiting retry when it lost
  the broker — is queued again; the claim makes a second run a no-op.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from email.mime.text import MIMEText
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone, translation

from pop_platform.email import absolute_url
from pop_platform.locks import exclusive
from pop_platform.outbound import DestinationRefused
from pop_platform.queue import enqueue, enqueue_on_commit
from pop_platform.retries import lost_database_errors

from .models import OutgoingMessage, User

logger = logging.getLogger(__name__)
Channel = OutgoingMessage.Channel


class DeliveryInProgress(Exception):
    """Another run of the task holds the message's send lock right now."""


@dataclass(frozen=True)
class Attachment:
    """A text attachment; ``content_type`` may carry parameters (``text/calendar;
    method=REQUEST``)."""

    name: str
    content_type: str
    content: str


@dataclass(frozen=True)
class MessageKind:
    """What a kind needs just before it is sent (its text is its template), and the
    topic under which people choose how it reaches them (none: in-app and e-mail)."""

    code: str
    still_wanted: Callable[[OutgoingMessage], bool] | None = None
    extra_context: Callable[[OutgoingMessage], dict] | None = None
    topic: str = ""


_KINDS: dict[str, MessageKind] = {}


def register_kinds(*kinds: MessageKind) -> None:
    for kind in kinds:
        _KINDS[kind.code] = kind


def _kind(code: str) -> MessageKind:
    return _KINDS.get(code) or MessageKind(code)


# --- Links and text ---------------------------------------------------------------------


def site_path(link: str) -> str:
    """``link`` when it is a path on this site (``/plans/…``), else "": no scheme, no host
    (``//evil.example``), no backslash (browsers read ``/\\evil`` as a host), no control
    characters."""
    if not link.startswith("/") or "\\" in link or any(ord(char) < 32 for char in link):
        return ""
    parts = urlsplit(link)
    return link if not parts.scheme and not parts.netloc else ""


@dataclass(frozen=True)
class Rendered:
    """A message's text in the active language and time zone."""

    title: str
    body: str
    action: str
    path: str  # a path on this site, or "" (for pages)
    link: str  # the same, absolute (for e-mail and chat)


def _part(kind: str, part: str, context: Mapping) -> str:
    """Plain text (the layouts that show it escape it). A title and an action are one line,
    however their template is laid out; a body keeps its lines."""
    template = get_template(f"messages/{kind}.txt#{part}").template
    text = template.render(Context(dict(context), autoescape=False))
    return text.strip() if part == "body" else " ".join(text.split())


def _has_part(kind: str, part: str) -> bool:
    from django.template import TemplateDoesNotExist

    try:
        get_template(f"messages/{kind}.txt#{part}")
    except TemplateDoesNotExist:
        return False
    return True


def message_render(message: OutgoingMessage, *, extra: Mapping | None = None) -> Rendered:
    """The message's text from its kind's template, in the active language and time zone
    (see ``as_reader``)."""
    context = {**message.context, **(extra or {})}
    path = site_path(context.get("link") or message.link)
    return Rendered(
        title=_part(message.kind, "title", context),
        body=_part(message.kind, "body", context) if _has_part(message.kind, "body") else "",
        action=_part(message.kind, "action", context) if _has_part(message.kind, "action") else "",
        path=path,
        link=absolute_url(path) if path else "",
    )


@contextmanager
def as_reader(person: User) -> Iterator[None]:
    """Render in ``person``'s language and their organisation's time zone."""
    zone = person.organisation.tzinfo if person.organisation_id else settings.TIME_ZONE
    with translation.override(person.language), timezone.override(zone):
        yield


# --- Sending -----------------------------------------------------------------------------


def outbox_send(
    *,
    recipient: User,
    kind: str,
    context: Mapping | None = None,
    link: str = "",
    channels: Iterable[str] | None = None,
    attachment: Attachment | None = None,
) -> list[OutgoingMessage]:
    """Write one row per channel (call it in the transaction that decides to send) and
    queue the sending of each after commit. Without ``channels``, those the recipient
    chose for the kind's topic. A channel that cannot reach the recipient (no e-mail
    address, or they left) gets no row. Raises ``ValueError`` for a link that is not a
    path on this site, ``TemplateDoesNotExist`` for an unknown kind."""
    if link and not site_path(link):
        raise ValueError(f"Not a path on this site: {link!r}")
    get_template(f"messages/{kind}.txt#title")  # an unknown kind fails here, not later
    if channels is None:
        from .preferences import channels_for

        channels = channels_for(person=recipient, topic=_kind(kind).topic)
    now = timezone.now()
    messages = []
    for channel in dict.fromkeys(channels):
        if channel == Channel.WEBHOOK:
            raise ValueError("Webhook deliveries are made by outbox_event.")
        if channel != Channel.IN_APP and not (recipient.is_active and recipient.email):
            continue
        immediate = SENDERS[channel] is None
        message = OutgoingMessage.objects.create(
            recipient=recipient,
            channel=channel,
            kind=kind,
            context=dict(context or {}),
            link=link,
            attachment_name=attachment.name if attachment else "",
            attachment_type=attachment.content_type if attachment else "",
            attachment=attachment.content if attachment else "",
            created_at=now,
            sent_at=now if immediate else None,
        )
        if not immediate:
            _queue(message)
        messages.append(message)
    return messages


def _queue(message: OutgoingMessage) -> None:
    """Send after commit; when the broker is down the row waits for ``outbox_requeue``."""
    from .tasks import outbox_deliver as deliver_task

    enqueue_on_commit(deliver_task, message.pk)


def outbox_event(
    *, organisation_id: int, event: str, data: Mapping, subscription_id: int | None = None
) -> list[OutgoingMessage]:
    """One webhook delivery per active subscription of the organisation to ``event``
    (call it in the transaction that makes the event happen). ``data`` holds ids and
    facts (codes, dates, numbers), never text a person wrote. With ``subscription_id``:
    to that subscription only, whatever its events (the "send test event" button)."""
    from .models import WebhookSubscription

    subscriptions = WebhookSubscription.objects.filter(
        organisation_id=organisation_id, is_active=True
    ).only("id", "events")
    if subscription_id is not None:
        subscriptions = subscriptions.filter(pk=subscription_id)
    now = timezone.now()
    payload = {"type": event, "timestamp": now.isoformat(timespec="seconds"), "data": dict(data)}
    messages = []
    for subscription in subscriptions:
        if subscription_id is None and event not in subscription.events:
            continue
        message = OutgoingMessage.objects.create(
            subscription=subscription,
            channel=Channel.WEBHOOK,
            kind=event,
            context=payload,
            created_at=now,
        )
        _queue(message)
        messages.append(message)
    return messages


def outbox_send_many(
    *,
    kind: str,
    messages: Iterable[tuple[User, Mapping]],
    channels: Iterable[str] = (Channel.EMAIL,),
) -> list[OutgoingMessage]:
    """``outbox_send`` for many recipients of one kind at once (a thousand invitations):
    the rows in one INSERT, and one task after commit that queues their sending from a
    worker, so the request that decides does not wait for a thousand broker calls. Rows
    whose fan-out task is lost are queued again by ``outbox_requeue`` like any other.
    Links and attachments are not supported here (``extra_context`` can make a link)."""
    get_template(f"messages/{kind}.txt#title")
    from .tasks import outbox_fan_out

    now = timezone.now()
    rows = [
        OutgoingMessage(
            recipient=recipient,
            channel=channel,
            kind=kind,
            context=dict(context),
            created_at=now,
            sent_at=now if SENDERS[channel] is None else None,
        )
        for recipient, context in messages
        for channel in dict.fromkeys(channels)
        if channel == Channel.IN_APP or (recipient.is_active and recipient.email)
    ]
    created = OutgoingMessage.objects.bulk_create(rows, batch_size=1000)
    to_send = [message.pk for message in created if message.sent_at is None]
    if to_send:
        enqueue_on_commit(outbox_fan_out, to_send)
    return created


def outbox_fan_out(*, message_ids: list[int]) -> None:
    """In a worker: queue one delivery task per message (``outbox_send_many``)."""
    from .tasks import outbox_deliver as deliver_task

    for message_id in message_ids:
        enqueue(deliver_task, message_id)


def _mime(message: OutgoingMessage) -> MIMEText:
    kind, *parameters = (part.strip() for part in message.attachment_type.split(";"))
    part = MIMEText(message.attachment, kind.partition("/")[2], "utf-8")
    for name, _eq, value in (parameter.partition("=") for parameter in parameters):
        if name != "charset":
            part.set_param(name, value)
    part.add_header("Content-Disposition", "attachment", filename=message.attachment_name)
    return part


def send_email(message: OutgoingMessage, rendered: Rendered) -> None:
    """The e-mail channel: plain text with an HTML alternative, in the active language."""
    recipient = message.recipient
    context = {"message": rendered, "recipient": recipient, "language": recipient.language}
    email = EmailMultiAlternatives(
        subject=" ".join(rendered.title.splitlines()),
        body=render_to_string("messages/email.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
    )
    email.attach_alternative(render_to_string("messages/email.html", context), "text/html")
    if message.attachment_name:
        email.attach(_mime(message))
    email.send(fail_silently=False)


def send_chat(message: OutgoingMessage, rendered: Rendered) -> None:
    """The chat channel: a Teams or Slack post (``people.chat``)."""
    from .chat import chat_post

    chat_post(message, rendered)


def send_webhook(message: OutgoingMessage, rendered: Rendered | None) -> None:
    """The webhook channel: the event signed for its subscription (``people.webhooks``)."""
    from .webhooks import webhook_post

    webhook_post(message)


#: Each channel's sender; None: delivered by being stored.
SENDERS: dict[str, Callable[[OutgoingMessage, Rendered], None] | None] = {
    Channel.IN_APP: None,
    Channel.EMAIL: send_email,
    Channel.CHAT: send_chat,
    Channel.WEBHOOK: send_webhook,
}

#: Still to be delivered: to a person who has not left, or a subscription still on.
DELIVERABLE = Q(recipient__is_active=True) | Q(subscription__is_active=True)


class NotDelivered(OSError):
    """The other server answered, but not with success (2xx): try again later."""

    def __init__(self, status: int) -> None:
        super().__init__(f"The server answered {status}.")
        self.status = status


def outbox_deliver(*, message_id: int) -> bool:
    """Send one message, once (see the module's docstring). Call it outside a transaction
    (the task does). Returns whether it was sent: False when it was sent already, its
    recipient left, or its reason went away (then it is marked ``skipped``). A transport
    failure (``OSError``) is recorded in ``last_error`` and raised, so the task retries."""
    with exclusive(f"outbox:{message_id}") as mine:
        if not mine:
            raise DeliveryInProgress(message_id)
        claimed = (
            OutgoingMessage.objects.filter(pk=message_id, sent_at__isnull=True)
            .filter(DELIVERABLE)
            .update(attempts=F("attempts") + 1, attempted_at=timezone.now())
        )
        if not claimed:
            return False
        message = OutgoingMessage.objects.select_related(
            "recipient__organisation", "subscription"
        ).get(pk=message_id)
        if message.channel == Channel.WEBHOOK:
            _attempt(message, lambda: send_webhook(message, None))
            _record_sent(message_id)
            return True
        kind = _kind(message.kind)
        with as_reader(message.recipient):
            if kind.still_wanted is not None and not kind.still_wanted(message):
                OutgoingMessage.objects.filter(pk=message_id).update(skipped=True)
                _record_sent(message_id)
                return False
            extra = kind.extra_context(message) if kind.extra_context else None
            rendered = message_render(message, extra=extra)
            _attempt(message, lambda: SENDERS[message.channel](message, rendered))
        _record_sent(message_id)
    return True


def _attempt(message: OutgoingMessage, send: Callable[[], None]) -> None:
    """Send; a transport failure or an unsuccessful answer is recorded on the row and
    raised (the task retries). A destination that may not be called (``DestinationRefused``)
    is recorded too, and not retried."""
    try:
        send()
    except (OSError, DestinationRefused) as error:
        OutgoingMessage.objects.filter(pk=message.pk).update(
            last_error=f"{type(error).__name__}: {error}",
            status_code=error.status if isinstance(error, NotDelivered) else None,
        )
        raise


#: Seconds a run keeps trying to record a message as sent while the database cannot be
#: reached (a restart or fail-over takes seconds). Giving up means it is sent again.
RECORD_SENT_PATIENCE = 30.0


def _record_sent(message_id: int) -> None:
    """Mark the message sent. The other server has accepted it: a database that is
    briefly away must not turn into a second e-mail, so wait for it (on a new
    connection) rather than let the task retry the whole send."""
    deadline = time.monotonic() + RECORD_SENT_PATIENCE
    while True:
        try:
            OutgoingMessage.objects.filter(pk=message_id).update(
                sent_at=timezone.now(), failed_at=None
            )
            from .webhooks import subscription_delivered

            subscription_delivered(message_id=message_id)
            return
        except lost_database_errors():
            if time.monotonic() > deadline:
                raise
            connection.close()  # the next query connects afresh
            time.sleep(0.5)


def outbox_give_up(*, message_id: int) -> None:
    """Every retry failed: mark the message as not sent (shown in the admin, and for a
    webhook in its subscription's log, which may be switched off now)."""
    given_up = OutgoingMessage.objects.filter(
        pk=message_id, sent_at__isnull=True, failed_at__isnull=True
    ).update(failed_at=timezone.now())
    if given_up:
        from .webhooks import subscription_failed

        subscription_failed(message_id=message_id)


# --- Requeue -----------------------------------------------------------------------------

#: A message that nobody tried to send this long after it was made has no task any more:
#: it never reached the broker, or was lost with it.
NOT_TRIED_AFTER = datetime.timedelta(minutes=2)
#: Older messages are left alone: a late reminder is worse than none.
REQUEUE_WITHIN = datetime.timedelta(days=7)


def not_retried_after() -> datetime.timedelta:
    """A message tried, neither sent nor given up, and untouched this long, has lost its
    retry (a worker forgets the retries it is waiting for when it loses the broker):
    longer than the longest wait between two tries plus the time one try may take."""
    return datetime.timedelta(
        seconds=settings.TASK_RETRY_BACKOFF_MAX_SECONDS + 2 * settings.EMAIL_TIMEOUT + 60
    )


def awaiting_delivery(*, now: datetime.datetime) -> QuerySet[OutgoingMessage]:
    """Messages of the last ``REQUEUE_WITHIN``, neither sent nor given up, whose task has
    been silent for too long. A task that is merely slow or waiting in a long queue may
    be queued a second time: the claim makes the second run a no-op."""
    return OutgoingMessage.objects.filter(
        Q(attempts=0, created_at__lt=now - NOT_TRIED_AFTER)
        | Q(attempts__gt=0, attempted_at__lt=now - not_retried_after()),
        DELIVERABLE,
        sent_at__isnull=True,
        failed_at__isnull=True,
        created_at__gte=now - REQUEUE_WITHIN,
    )


def outbox_requeue(*, now: datetime.datetime) -> list[int]:
    """Queue again the messages whose task is gone; returns their ids."""
    from .tasks import outbox_deliver as deliver_task

    ids = list(awaiting_delivery(now=now).values_list("pk", flat=True))
    for message_id in ids:
        enqueue(deliver_task, message_id)
    if ids:
        logger.warning("Messages whose task was lost: queued %d again.", len(ids))
    return ids
