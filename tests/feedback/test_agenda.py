"""Feedback received since the last conversation is on the next conversation's agenda
(issue 19, item 6): the items' titles only, and an anonymous request only once its
answers can be shown (below the floor nothing tells that someone answered)."""

from __future__ import annotations

import pytest

from conversations.services import conversation_mark_held
from tests.conversations.conftest import make_conversation, start_it
from tests.feedback.conftest import answer_all, ask

pytestmark = pytest.mark.django_db


def agenda(client, conversation) -> str:
    html = client.get(conversation.get_absolute_url()).content.decode()
    start = html.index('id="conv-agenda"')
    return html[start : html.index("</section>", start)]


def test_anonymous_feedback_reaches_the_agenda_once_it_can_be_shown(world, asked, as_user):
    conversation = make_conversation(world)
    feedback = ask(asked, world, anonymous=True)
    employee, manager = as_user(world.employee), as_user(world.manager)
    for person in asked.answerers[:2]:
        answer_all(feedback, person, "Zet beeldbellen al goed in.")
        assert "feedback ontvangen" not in agenda(employee, conversation)
    answer_all(feedback, asked.answerers[2], "Legt het collega's uit.")
    for client in (employee, manager):
        shown = agenda(client, conversation)
        assert (
            "Digitale vaardigheden" in shown and "feedback ontvangen sinds de vorige keer" in shown
        )
        assert "Zet beeldbellen" not in shown and "Daan Visser" not in shown  # no answers, names


def test_only_feedback_since_the_last_conversation(world, asked, as_user):
    earlier = make_conversation(world)
    feedback = ask(asked, world, anonymous=False)
    answer_all(feedback, asked.answerers[0], "Goed bezig.")
    start_it(earlier)
    conversation_mark_held(conversation=earlier, by=world.manager)
    assert earlier.agenda_items.filter(source="feedback").exists()  # kept as discussed
    upcoming = make_conversation(world)
    assert "feedback ontvangen" not in agenda(as_user(world.employee), upcoming)
