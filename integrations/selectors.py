"""Reads for the integration pages, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max, QuerySet

from people.models import ApiClient, ChatChannel, Organisation, OutgoingMessage, WebhookSubscription

DELIVERY_LOG = 50


@dataclass
class Overview:
    clients: list[ApiClient]
    scim: ApiClient | None
    subscriptions: list[WebhookSubscription]
    channel: ChatChannel | None


def integrations_overview(*, organisation: Organisation) -> Overview:
    clients = list(
        ApiClient.objects.filter(organisation=organisation)
        .select_related("created_by")
        .order_by("revoked_at", "name")
    )
    scim = next(
        (c for c in clients if c.kind == ApiClient.Kind.SCIM and c.revoked_at is None), None
    )
    subscriptions = list(
        WebhookSubscription.objects.filter(organisation=organisation)
        .annotate(last_delivery=Max("deliveries__attempted_at"))
        .order_by("url")
    )
    return Overview(
        clients=[c for c in clients if c.kind == ApiClient.Kind.API],
        scim=scim,
        subscriptions=subscriptions,
        channel=ChatChannel.objects.filter(organisation=organisation, person__isnull=True).first(),
    )


def delivery_log(*, subscription: WebhookSubscription) -> QuerySet[OutgoingMessage]:
    return subscription.deliveries.order_by("-created_at", "-id")[:DELIVERY_LOG]
