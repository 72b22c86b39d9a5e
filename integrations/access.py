"""Who may see and change integrations: HR of the organisation (everyone else gets 404);
a person their own notification settings."""

from __future__ import annotations

from uuid import UUID

from django.http import Http404

from people.access import organisation_get_for_hr
from people.models import ApiClient, ChatChannel, Organisation, User, WebhookSubscription


def integrations_for_hr(*, user: User) -> Organisation:
    return organisation_get_for_hr(user=user)


def client_get_for_hr(*, user: User, client_uuid: UUID) -> ApiClient:
    organisation = organisation_get_for_hr(user=user)
    client = ApiClient.objects.filter(organisation=organisation, uuid=client_uuid).first()
    if client is None:
        raise Http404
    return client


def subscription_get_for_hr(*, user: User, subscription_uuid: UUID) -> WebhookSubscription:
    organisation = organisation_get_for_hr(user=user)
    subscription = WebhookSubscription.objects.filter(
        organisation=organisation, uuid=subscription_uuid
    ).first()
    if subscription is None:
        raise Http404
    return subscription


def organisation_channel_for_hr(*, user: User) -> ChatChannel | None:
    organisation = organisation_get_for_hr(user=user)
    return ChatChannel.objects.filter(organisation=organisation, person__isnull=True).first()


def own_channel(*, user: User) -> ChatChannel | None:
    return ChatChannel.objects.filter(person=user).first()
