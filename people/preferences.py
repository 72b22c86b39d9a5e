"""How each notification reaches a person: their choice per topic, within what HR made
mandatory for the organisation (``TopicPolicy``). Read by ``people.outbox.outbox_send``
for every message that does not name its channels."""

from __future__ import annotations

from dataclasses import dataclass

from .models import (
    ChatChannel,
    Delivery,
    Minimum,
    NotificationChoice,
    OutgoingMessage,
    Topic,
    TopicPolicy,
    User,
)

Channel = OutgoingMessage.Channel

CHANNELS: dict[str, tuple[str, ...]] = {
    Delivery.EMAIL: (Channel.IN_APP, Channel.EMAIL),
    Delivery.CHAT: (Channel.IN_APP, Channel.CHAT),
    Delivery.EMAIL_CHAT: (Channel.IN_APP, Channel.EMAIL, Channel.CHAT),
    Delivery.IN_APP: (Channel.IN_APP,),
    Delivery.OFF: (),
}
#: A message kind without a topic (a password reset, news for HR) always comes this way.
UNCHOSEN = (Channel.IN_APP, Channel.EMAIL)


def allowed(minimum: str, *, chat: bool) -> list[str]:
    """The deliveries a person may choose under ``minimum`` (chat only with a channel)."""
    choices = [value for value, _label in Delivery.choices]
    if not chat:
        choices = [value for value in choices if Channel.CHAT not in CHANNELS[value]]
    if minimum == Minimum.EMAIL:
        return [value for value in choices if Channel.EMAIL in CHANNELS[value]]
    if minimum == Minimum.NOTIFIED:
        return [value for value in choices if value != Delivery.OFF]
    return choices


@dataclass(frozen=True)
class TopicSetting:
    topic: str
    label: str
    delivery: str  # what applies now
    chosen: bool  # the person chose it (else the organisation's default)
    choices: list[str]  # what they may choose


def settings_for(person: User) -> list[TopicSetting]:
    """Every topic as it applies to ``person`` (three queries)."""
    policies = {
        p.topic: p for p in TopicPolicy.objects.filter(organisation_id=person.organisation_id)
    }
    chosen = dict(NotificationChoice.objects.filter(person=person).values_list("topic", "delivery"))
    chat = has_chat(person)
    result = []
    for topic, label in Topic.choices:
        policy = policies.get(topic) or TopicPolicy(topic=topic)
        choices = allowed(policy.minimum, chat=chat)
        default = policy.default if policy.default in choices else choices[0]
        own = chosen.get(topic)
        delivery = own if own in choices else default
        result.append(
            TopicSetting(
                topic=topic,
                label=str(label),
                delivery=delivery,
                chosen=own in choices,
                choices=choices,
            )
        )
    return result


def has_chat(person: User) -> bool:
    from .chat import reaching

    return ChatChannel.objects.filter(reaching(person)).exists()


def channels_for(*, person: User, topic: str) -> tuple[str, ...]:
    """The channels of a message of ``topic`` to ``person``."""
    if not topic or person.organisation_id is None:
        return UNCHOSEN
    setting = next(s for s in settings_for(person) if s.topic == topic)
    return CHANNELS[setting.delivery]
