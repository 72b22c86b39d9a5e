"""Webhook deliveries: the Standard Webhooks signature, the POST, and the subscription's
record of failures (switched off after ``WEBHOOK_DISABLE_AFTER`` given-up deliveries in a
row, and HR told).

Signature (https://www.standardwebhooks.com, "Verifying webhook authenticity"): the
headers ``webhook-id`` (the delivery's id, the same on every retry, so a receiver can
drop a repeat), ``webhook-timestamp`` (seconds since 1970, of this attempt) and
``webhook-signature`` (``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` with
the secret's bytes: the base64 after ``whsec_``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from pop_platform.outbound import post

from .models import OutgoingMessage, User, WebhookSubscription

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix the specification gives secrets


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def message_id(message: OutgoingMessage) -> str:
    return f"msg_{message.uuid.hex}"


def sign(*, secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def payload_bytes(message: OutgoingMessage) -> bytes:
    return json.dumps(message.context, ensure_ascii=False, separators=(",", ":")).encode()


def webhook_post(message: OutgoingMessage) -> None:
    """POST the event, signed now. ``OSError`` when the receiver cannot be reached or
    answers anything but 2xx (``people.outbox.NotDelivered``)."""
    from .outbox import NotDelivered

    subscription = message.subscription
    body = payload_bytes(message)
    msg_id, timestamp = message_id(message), int(time.time())
    status = post(
        subscription.url,
        body=body,
        headers={
            "Content-Type": "application/json",
            "User-Agent": "POP-Platform-Webhooks/1",
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": sign(
                secret=subscription.secret, msg_id=msg_id, timestamp=timestamp, body=body
            ),
        },
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(status_code=status)
    if not 200 <= status < 300:
        raise NotDelivered(status)


def subscription_delivered(*, message_id: int) -> None:
    """A delivery arrived: its subscription's count of failures starts again."""
    WebhookSubscription.objects.filter(deliveries__pk=message_id, failures__gt=0).update(failures=0)


@transaction.atomic
def subscription_failed(*, message_id: int) -> None:
    """A delivery was given up: count it; at ``WEBHOOK_DISABLE_AFTER`` in a row the
    subscription is switched off (its waiting deliveries stay unsent) and HR is told."""
    from .outbox import outbox_send

    message = OutgoingMessage.objects.filter(pk=message_id, subscription__isnull=False).first()
    if message is None:
        return
    WebhookSubscription.objects.filter(pk=message.subscription_id).update(
        failures=F("failures") + 1
    )
    switched_off = WebhookSubscription.objects.filter(
        pk=message.subscription_id,
        is_active=True,
        failures__gte=settings.WEBHOOK_DISABLE_AFTER,
    ).update(is_active=False, disabled_at=timezone.now())
    if not switched_off:
        return
    subscription = WebhookSubscription.objects.get(pk=message.subscription_id)
    for person in User.objects.filter(
        organisation_id=subscription.organisation_id, is_hr=True, is_active=True
    ):
        outbox_send(
            recipient=person,
            kind="webhook_disabled",
            context={"url": subscription.url, "failures": subscription.failures},
            link=reverse("integrations:overview"),
        )
