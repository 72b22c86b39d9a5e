"""Teams and Slack: a notification as a post to an incoming webhook.

Microsoft Teams takes a message card (``MessageCard``: title, text and an ``OpenUri``
action; "Create and send messages" in Microsoft's connector documentation); Slack takes
Block Kit (a ``header``, a ``section`` and an ``actions`` block with a link button, and
``text`` as the fallback for notifications). The text is the message's own rendering in
the recipient's language (``people.outbox``), sent as plain text: Slack's ``mrkdwn`` and
Teams' Markdown are not used, so a name or title cannot turn into a link or a mention.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.db.models import Q

from pop_platform.outbound import post

from .models import ChatChannel, OutgoingMessage


def teams_card(rendered) -> dict:
    card: dict = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": rendered.title,
        "themeColor": "0B5CAD",
        "title": rendered.title,
        "text": _teams_plain(rendered.body or rendered.title),
    }
    if rendered.link:
        card["potentialAction"] = [
            {
                "@type": "OpenUri",
                "name": rendered.action or rendered.title,
                "targets": [{"os": "default", "uri": rendered.link}],
            }
        ]
    return card


def _teams_plain(text: str) -> str:
    """Teams reads a card's text as Markdown: escape its marks, keep the lines."""
    for mark in "\\`*_{}[]()#+-.!<>|":
        text = text.replace(mark, "\\" + mark)
    return text.replace("\n", "\n\n")


def slack_blocks(rendered) -> dict:
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": rendered.title[:150]}}
    ]
    if rendered.body:
        blocks.append(
            {"type": "section", "text": {"type": "plain_text", "text": rendered.body[:3000]}}
        )
    if rendered.link:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": (rendered.action or "→")[:75]},
                        "url": rendered.link,
                    }
                ],
            }
        )
    return {"text": rendered.title, "blocks": blocks}


def reaching(person) -> Q:
    """The chat channels that can reach ``person``: their own and their organisation's."""
    return Q(person_id=person.pk) | Q(organisation_id=person.organisation_id, person__isnull=True)


PAYLOADS = {ChatChannel.Service.TEAMS: teams_card, ChatChannel.Service.SLACK: slack_blocks}


def chat_channel_for(person) -> ChatChannel | None:
    """The person's own channel, else their organisation's."""
    channels = {
        channel.person_id: channel for channel in ChatChannel.objects.filter(reaching(person))
    }
    return channels.get(person.pk) or channels.get(None)


def chat_post(message: OutgoingMessage, rendered) -> None:
    """Post the message to the recipient's chat channel (``OSError`` when it cannot be
    reached or does not answer 2xx); without one any more, there is nothing to send."""
    from .outbox import NotDelivered

    channel = chat_channel_for(message.recipient)
    if channel is None:
        OutgoingMessage.objects.filter(pk=message.pk).update(skipped=True)
        return
    body = json.dumps(PAYLOADS[channel.service](rendered), ensure_ascii=False).encode()
    status = post(
        channel.url,
        body=body,
        headers={"Content-Type": "application/json", "User-Agent": "POP-Platform/1"},
        timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        allow_private=settings.WEBHOOK_ALLOW_PRIVATE,
    )
    OutgoingMessage.objects.filter(pk=message.pk).update(status_code=status)
    if not 200 <= status < 300:
        raise NotDelivered(status)
