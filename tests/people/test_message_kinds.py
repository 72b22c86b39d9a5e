"""Every message kind's template renders, in Dutch and in English, from the parameters its
senders store (``templates/messages/<kind>.txt``)."""

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from people.models import OutgoingMessage
from people.outbox import message_render

WHEN = datetime.datetime(2030, 10, 28, 9, 0, tzinfo=datetime.UTC)
CONVERSATION = {
    "conversation_id": 1,
    "kind": "development",
    "name": "Jeroen de Vries",
    "starts_at": WHEN.isoformat(),
    "location": "Kamer 2.14",
}
DATED = {"title": "Beeldzorg leren", "due": "2030-10-28"}
# The parameters each kind's senders store (see the callers of ``outbox_send``).
CONTEXTS = {
    "goal_proposed": {"name": "Sanne Jansen", "title": "Beeldzorg leren"},
    "goal_approved": {"title": "Beeldzorg leren", "comment": "Mooi!"},
    "goal_returned": {"title": "Beeldzorg leren", "comment": "Maak het meetbaar."},
    "goal_assigned": {"name": "Jeroen de Vries", "title": "Beeldzorg leren"},
    "plan_agreement": {"employee": "Sanne Jansen", "by": "Jeroen de Vries", "version": 2},
    "compliment": {"name": "Jeroen de Vries", "title": "Module 1: basis", "text": "Knap!"},
    "conversation_requested": {"name": "Sanne Jansen", "kind": "check_in", "note": "Even?"},
    "reminder_invitation": CONVERSATION,
    "reminder_cancellation": CONVERSATION,
    "reminder_upcoming": CONVERSATION,
    "reminder_preparation": CONVERSATION,
    "reminder_notes_missing": CONVERSATION,
    "reminder_action_due": DATED,
    "reminder_action_overdue": DATED,
    "reminder_goal_due": DATED,
    "reminder_cadence_overdue": {"name": "Sanne Jansen", "missed": ["check_in", "development"]},
    "reminder_digest": {
        "rows": [
            {
                "name": "Sanne Jansen",
                "next_kind": "development",
                "next_at": WHEN.isoformat(),
                "missed": ["check_in"],
                "late_actions": 2,
            }
        ]
    },
    "password_reset": {},
    # What is stored, plus what ``people.invitations`` adds when the e-mail is sent.
    "invitation": {
        "invitation": "0" * 32,
        "organisation": "Zorggroep Rivierenland",
        "single_sign_on": False,
        "expires_at": WHEN,
        "email": "sanne@example.nl",
    },
    "invitation_renewal": {"name": "Nina Nieuw"},
    "text": {"title": "Een bericht", "body": "Zoals het was."},
    "webhook_disabled": {"url": "https://hooks.example.org/pop", "failures": 3},
    "feedback_asked": {
        "request_id": 1,
        "name": "Sanne Jansen",
        "upward": False,
        "anonymous": True,
        "due": "2030-10-28",
    },
    "feedback_asked_for_you": {"request_id": 1, "name": "Jeroen de Vries", "count": 3},
    "feedback_reminder": {
        "request_id": 1,
        "name": "Sanne Jansen",
        "upward": False,
        "due": "2030-10-28",
    },
}
LAYOUTS = {"email"}


def test_every_kind_has_its_parameters_here():
    folder = Path(settings.BASE_DIR) / "templates" / "messages"
    kinds = {path.stem for path in folder.glob("*.txt")} - LAYOUTS
    assert kinds == set(CONTEXTS)


@pytest.mark.parametrize("kind", sorted(CONTEXTS))
def test_each_kind_reads_in_dutch_and_in_english(kind):
    message = OutgoingMessage(kind=kind, context=CONTEXTS[kind], link="/plans/mine/")
    texts = {}
    for language in ("nl", "en"):
        with translation.override(language):
            rendered = message_render(message)
        assert rendered.title and "\n" not in rendered.title
        assert "{" not in rendered.title + rendered.body + rendered.action
        texts[language] = rendered
    if kind != "text":
        assert texts["nl"].title != texts["en"].title


def test_dates_are_read_in_the_readers_time_zone_and_language():
    message = OutgoingMessage(kind="reminder_upcoming", context=CONVERSATION)
    with translation.override("nl"):
        assert "Wanneer: maandag 28 oktober 2030, 10:00" in message_render(message).body
    with translation.override("en"), timezone_override("Asia/Tokyo"):
        assert "When: Monday 28 October 2030, 18:00" in message_render(message).body


def test_the_digest_says_what_needs_attention_in_one_line_per_person():
    message = OutgoingMessage(kind="reminder_digest", context=CONTEXTS["reminder_digest"])
    with translation.override("nl"):
        body = message_render(message).body
    assert body == (
        "Sanne Jansen: ontwikkelgesprek op maandag 28 oktober 2030, 10:00; "
        "te laat: check-in; 2 ontwikkelacties over de datum"
    )


def timezone_override(name: str):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    return timezone.override(ZoneInfo(name))
