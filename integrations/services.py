"""HR's integrations (API clients, the SCIM token, webhook subscriptions, the Teams or
Slack channel, notification policy) and each person's own chat channel and choices.
Every change is in the organisation's audit trail (references, never tokens or URLs'
secrets)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from people.models import (
    ApiClient,
    AuditEvent,
    ChatChannel,
    NotificationChoice,
    Organisation,
    TopicPolicy,
    User,
    WebhookSubscription,
)
from people.outbox import outbox_event
from people.preferences import allowed, has_chat
from people.services import audit_record
from people.webhooks import new_secret

from . import tokens

AUDIT_CLIENT, AUDIT_WEBHOOK, AUDIT_CHAT = "api_client", "webhook", "chat_channel"


def _audit(by: User, action: str, object_type: str, row, summary: str = "") -> None:
    audit_record(
        actor=by, action=action, object_type=object_type, object_id=str(row.uuid), summary=summary
    )


# --- API clients and the SCIM token -------------------------------------------------------


def _check_networks(text: str) -> str:
    try:
        tokens.networks(text)
    except ValueError as bad:
        raise ValidationError(
            {"allowed_networks": _("'%(line)s' is not an IP address or network.") % {"line": bad}}
        ) from bad
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


@transaction.atomic
def api_client_create(
    *,
    organisation: Organisation,
    by: User,
    name: str,
    scopes: list[str],
    allowed_networks: str = "",
    kind: str = ApiClient.Kind.API,
) -> tuple[ApiClient, str]:
    """A new client and its token (returned once, stored only as a hash). A new SCIM
    token replaces the organisation's previous one at once."""
    unknown = set(scopes) - set(ApiClient.Scope.values)
    if unknown or (kind == ApiClient.Kind.API and not scopes):
        raise ValidationError({"scopes": _("Choose at least one of the listed scopes.")})
    if kind == ApiClient.Kind.SCIM:
        for old in ApiClient.objects.filter(
            organisation=organisation, kind=kind, revoked_at__isnull=True
        ):
            api_client_revoke(client=old, by=by)
    token = tokens.token_new()
    client = ApiClient(
        organisation=organisation,
        kind=kind,
        name=name.strip(),
        scopes=sorted(set(scopes)),
        allowed_networks=_check_networks(allowed_networks),
        token_hash=tokens.token_hash(token),
        token_hint=token[:8],
        created_by=by,
    )
    client.full_clean(exclude=["token_hash", "token_hint"])
    client.save()
    _audit(by, AuditEvent.Action.CREATE, AUDIT_CLIENT, client, kind)
    return client, token


def api_client_revoke(*, client: ApiClient, by: User) -> ApiClient:
    if client.revoked_at is None:
        client.revoked_at, client.revoked_by = timezone.now(), by
        client.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        _audit(by, AuditEvent.Action.DELETE, AUDIT_CLIENT, client, client.kind)
    return client


# --- Webhook subscriptions ----------------------------------------------------------------


def _check_events(events: list[str]) -> list[str]:
    if not events or set(events) - set(WebhookSubscription.Event.values):
        raise ValidationError({"events": _("Choose at least one of the listed events.")})
    return sorted(set(events))


@transaction.atomic
def subscription_create(
    *, organisation: Organisation, by: User, url: str, events: list[str], description: str = ""
) -> WebhookSubscription:
    subscription = WebhookSubscription(
        organisation=organisation,
        url=url.strip(),
        events=_check_events(events),
        description=description.strip(),
        secret=new_secret(),
        created_by=by,
    )
    subscription.full_clean(exclude=["secret"])
    subscription.save()
    _audit(by, AuditEvent.Action.CREATE, AUDIT_WEBHOOK, subscription)
    return subscription


@transaction.atomic
def subscription_update(
    *, subscription: WebhookSubscription, by: User, events: list[str], active: bool
) -> WebhookSubscription:
    """Change the events; switch on (counting failures from zero) or off."""
    subscription.events = _check_events(events)
    if active and not subscription.is_active:
        subscription.failures, subscription.disabled_at = 0, None
    elif not active and subscription.is_active:
        subscription.disabled_at = timezone.now()
    subscription.is_active = active
    subscription.save(
        update_fields=["events", "is_active", "failures", "disabled_at", "updated_at"]
    )
    _audit(by, AuditEvent.Action.CHANGE, AUDIT_WEBHOOK, subscription)
    return subscription


@transaction.atomic
def subscription_delete(*, subscription: WebhookSubscription, by: User) -> None:
    _audit(by, AuditEvent.Action.DELETE, AUDIT_WEBHOOK, subscription)
    subscription.delete()


@transaction.atomic
def subscription_send_test(*, subscription: WebhookSubscription, by: User) -> None:
    """A ``test`` event to this subscription only (it must be on)."""
    if not subscription.is_active:
        raise ValidationError(_("Switch the subscription on before sending a test event."))
    outbox_event(
        organisation_id=subscription.organisation_id,
        event=WebhookSubscription.TEST_EVENT,
        data={"subscription_id": str(subscription.uuid)},
        subscription_id=subscription.pk,
    )
    _audit(by, AuditEvent.Action.CHANGE, AUDIT_WEBHOOK, subscription, "test")


# --- Teams or Slack -------------------------------------------------------------------------


@transaction.atomic
def chat_channel_set(
    *, organisation: Organisation, by: User, service: str, url: str, person: User | None = None
) -> ChatChannel:
    """The organisation's channel (``person`` None: HR) or a person's own; replaces the
    previous one."""
    channel = ChatChannel.objects.filter(organisation=organisation, person=person).first()
    channel = channel or ChatChannel(organisation=organisation, person=person)
    channel.service, channel.url = service, url.strip()
    channel.full_clean()
    channel.save()
    _audit(
        by, AuditEvent.Action.CHANGE, AUDIT_CHAT, channel, "person" if person else "organisation"
    )
    return channel


@transaction.atomic
def chat_channel_remove(*, channel: ChatChannel, by: User) -> None:
    _audit(by, AuditEvent.Action.DELETE, AUDIT_CHAT, channel)
    channel.delete()


# --- Notification policy and choices --------------------------------------------------------


@transaction.atomic
def topic_policies_save(
    *, organisation: Organisation, by: User, policies: dict[str, tuple[str, str]]
) -> None:
    """HR: per topic the default delivery and what is mandatory."""
    for topic, (default, minimum) in policies.items():
        if default not in allowed(minimum, chat=True):
            raise ValidationError(_("The default must meet what is mandatory."))
        TopicPolicy.objects.update_or_create(
            organisation=organisation,
            topic=topic,
            defaults={"default": default, "minimum": minimum},
        )
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type="organisation",
        object_id=str(organisation.uuid),
        summary="notification policy",
    )


@transaction.atomic
def notification_choices_save(*, person: User, choices: dict[str, str]) -> None:
    """A person's own deliveries per topic, within the organisation's policy."""
    policies = {
        policy.topic: policy.minimum
        for policy in TopicPolicy.objects.filter(organisation_id=person.organisation_id)
    }
    chat = has_chat(person)
    for topic, delivery in choices.items():
        if delivery not in allowed(policies.get(topic, "none"), chat=chat):
            raise ValidationError(_("This choice is not available for this notification."))
        NotificationChoice.objects.update_or_create(
            person=person, topic=topic, defaults={"delivery": delivery}
        )
