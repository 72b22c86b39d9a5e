"""Hostile input on every conversation form (new, request, reschedule, agenda,
preparation, notes, private note, agreements), through the views, as the party that may
post.

Properties (issue 8): no server error; a rejection shows a clear Dutch message next to
the field or at the top, and changes nothing; an acceptance stores the normalised input.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from conversations.forms import WhenForm
from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    Kind,
    PreparationAnswer,
    SharedNote,
)
from people.models import Notification
from people.outbox import message_render
from plans.models import DevelopmentAction
from tests.hostile import (
    alerts,
    as_sent,
    assert_refused,
    assert_rejected,
    assert_shown,
    choices,
    dates,
    db_state,
    form,
    form_errors,
    normalised,
    numbers,
    one,
    page_messages,
    post,
    rolled_back,
    texts,
)

KINDS = Kind.values
NEXT_WEEK = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()


def times() -> st.SearchStrategy[str]:
    edge = ["", "00:00", "23:59", "24:00", "12:60", "25:00", "9:5", "12:00:00.000001", "noon"]
    return st.one_of(
        st.sampled_from(["10:00", "14:30", *edge]),
        st.times().map(lambda moment: moment.isoformat()),
        st.text(st.sampled_from("0123456789:. "), max_size=10),
    )


def _when_fields() -> dict:
    return {
        "date": dates(NEXT_WEEK, "2026-03-29", "2026-10-25"),
        "time": times(),
        "duration_minutes": numbers("10", "60", "480"),
        "location": texts(),
    }


VALID_WHEN = {"date": NEXT_WEEK, "time": "10:00", "duration_minutes": "60", "location": "Kamer 1"}


def _starts_at(data: dict, tz) -> datetime.datetime:
    form = WhenForm({name: as_sent(one(data, name)) for name in data}, tz=tz)
    assert form.is_valid(), form.errors
    return form.cleaned_data["starts_at"]


def _assert_the_conversation_opens(client, conversation: Conversation) -> None:
    """Its page and calendar file work, whatever was accepted."""
    assert client.get(conversation.get_absolute_url()).status_code == 200
    ics = client.get(reverse("conversations:conversation-ics", args=[conversation.uuid]))
    assert ics.status_code == 200


def test_schedule_a_conversation(world, pop, as_user):
    client = as_user(world.manager)
    url = reverse("conversations:conversation-new")
    tz = world.organisation.tzinfo
    people = [world.employee.uuid, world.colleague.uuid, world.other_employee.uuid]

    @given(
        data=form(
            {
                **VALID_WHEN,
                "mode": "schedule",
                "employee": str(world.employee.uuid),
                "kind": "start",
            },
            mode=choices("schedule", "request"),
            employee=choices(*people),
            kind=choices(*KINDS),
            **_when_fields(),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            known = set(Conversation.objects.values_list("pk", flat=True))
            response = post(client, url, data)
            if one(data, "mode") == "request":
                assert_refused(response, 404)  # the manager has no line manager
                return
            if response.status_code == 302:
                conversation = Conversation.objects.exclude(pk__in=known).get()
                assert conversation.location == normalised(one(data, "location"))
                assert conversation.kind == one(data, "kind")
                assert conversation.starts_at == _starts_at(data, tz)
                assert conversation.duration_minutes == int(one(data, "duration_minutes"))
                _assert_the_conversation_opens(client, conversation)
                return
            assert_rejected(response, before)

    check()


def test_ask_for_a_conversation(world, as_user):
    client = as_user(world.employee)
    url = reverse("conversations:conversation-new")

    @given(
        data=form(
            {"mode": "request", "kind": "development", "note": "Over mijn ambitie."},
            mode=choices("request", "schedule"),
            kind=choices(*KINDS),
            note=texts(),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            known = set(Conversation.objects.values_list("pk", flat=True))
            response = post(client, url, data)
            if one(data, "mode") == "schedule":
                assert_refused(response, 404)  # the employee has no reports
                return
            if response.status_code == 302:
                conversation = Conversation.objects.exclude(pk__in=known).get()
                assert conversation.request_note == normalised(one(data, "note"))
                notification = Notification.objects.get(recipient=world.manager)
                assert message_render(notification).body == conversation.request_note
                assert client.get(conversation.get_absolute_url()).status_code == 200
                return
            assert_rejected(response, before)

    check()


def test_reschedule(world, conversation, as_user):
    client = as_user(world.manager)
    url = reverse("conversations:conversation-reschedule", args=[conversation.uuid])
    tz = world.organisation.tzinfo

    @given(data=form(VALID_WHEN, **_when_fields()))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                conversation.refresh_from_db()
                assert conversation.location == normalised(one(data, "location"))
                assert conversation.starts_at == _starts_at(data, tz)
                _assert_the_conversation_opens(client, conversation)
                return
            assert_rejected(response, before)

    check()


def test_agenda_item(world, conversation, as_user):
    client = as_user(world.employee)
    url = reverse("conversations:conversation-agenda-add", args=[conversation.uuid])

    @given(data=form({"text": "Werkdruk"}, text=texts()), htmx=st.booleans())
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            known = set(AgendaItem.objects.values_list("pk", flat=True))
            response = post(client, url, data, htmx=htmx)
            item = AgendaItem.objects.exclude(pk__in=known).first()
            if item is not None:
                assert item.text == normalised(one(data, "text"))
                assert item.author == world.employee
                return
            assert_rejected(response, before)

    check()


def test_preparation(world, conversation, as_user):
    client = as_user(world.employee)
    url = reverse("conversations:conversation-preparation", args=[conversation.uuid])
    questions = list(  # the employee's own questions and those for both
        conversation.organisation.preparation_questions.filter(
            kind=conversation.kind, audience__in=["both", "employee"]
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    other = world.other_organisation.preparation_questions.create(
        kind=conversation.kind, text_nl="Elders?", text_en="Elsewhere?"
    )
    ours = [f"answer-{pk}" for pk in questions]
    names = st.one_of(
        st.sampled_from(ours),
        st.sampled_from(
            [
                f"answer-{other.pk}",
                "answer-",
                "answer-x",
                "answer--1",
                "answer-99999999999999999999",
                "answer-\u0661",
                "answer-1.5",
            ]
        ),
    )

    @given(
        answers=st.dictionaries(names, st.lists(texts(), min_size=1, max_size=2), max_size=4),
        htmx=st.booleans(),
    )
    def check(answers, htmx):
        with rolled_back():
            before = db_state()
            response = post(client, url, answers, htmx=htmx)
            if set(answers) - set(ours):
                assert_refused(response, 403)  # a question not on this page
                assert db_state() == before
                return
            errors = form_errors(response)
            if errors:
                assert response.status_code == 200
                assert db_state() == before
                assert_shown(response, errors)
                return
            assert response.status_code == (200 if htmx else 302)
            mine = dict(
                PreparationAnswer.objects.filter(
                    conversation=conversation, author=world.employee
                ).values_list("question_id", "body")
            )
            for name, values in answers.items():
                assert mine[int(name.removeprefix("answer-"))] == normalised(values[-1])

    check()


def test_shared_and_private_notes(world, conversation, as_user):
    clients = {"employee": as_user(world.employee), "manager": as_user(world.manager)}
    models = {"notes": SharedNote, "private-note": ConversationPrivateNote}

    @given(
        part=st.sampled_from(["notes", "private-note"]),
        persona=st.sampled_from(["employee", "manager"]),
        body=texts(),
        version=numbers("1"),
        htmx=st.booleans(),
    )
    def check(part, persona, body, version, htmx):
        prefix = "private-" if part == "private-note" else ""
        url = reverse(f"conversations:conversation-{part}", args=[conversation.uuid])
        data = {f"{prefix}body": [body], f"{prefix}version": [version]}
        with rolled_back():
            before = db_state()
            response = post(clients[persona], url, data, htmx=htmx)
            errors = form_errors(response)
            if errors or 'data-testid="conflict"' in response.content.decode():
                assert response.status_code == 200
                assert db_state() == before
                if errors:
                    assert_shown(response, errors)
                return  # or a stale version: their text shown, the input kept
            assert response.status_code == (200 if htmx else 302)
            note = models[part].objects.get(conversation=conversation)
            assert note.body == normalised(body)
            if part == "private-note":
                assert note.author == getattr(world, persona)

    check()


def test_agreement(world, conversation, as_user):
    client = as_user(world.manager)
    url = reverse("conversations:conversation-agreement-add", args=[conversation.uuid])
    owners = [world.employee.pk, world.manager.pk, world.colleague.pk]

    @given(
        data=form(
            {"text": "Training volgen", "owner": str(world.employee.pk), "due_date": NEXT_WEEK},
            text=texts(),
            owner=choices(*owners),
            due_date=dates(NEXT_WEEK),
        ),
        htmx=st.booleans(),
    )
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            known = set(Agreement.objects.values_list("pk", flat=True))
            response = post(client, url, data, htmx=htmx)
            agreement = Agreement.objects.exclude(pk__in=known).first()
            if agreement is not None:
                assert agreement.text == normalised(one(data, "text"))
                assert agreement.owner_id == int(one(data, "owner"))
                return
            assert_rejected(response, before)

    check()


def test_agreement_onto_the_plan(world, pop, conversation, as_user):
    client = as_user(world.employee)
    agreement = Agreement.objects.create(
        conversation=conversation, text="E-learning afronden", owner=world.employee
    )
    url = reverse(
        "conversations:conversation-agreement-plan", args=[conversation.uuid, agreement.uuid]
    )
    targets = [f"gap:{pop.gap.uuid}", f"goal:{pop.goal.uuid}", f"goal:{pop.org_goal.uuid}"]
    wrong = ["gap:", "gap:x", f"goal:{pop.gap.uuid}", f"plan:{pop.plan.uuid}", ":", "goal"]

    @given(
        data=form(
            {"target": targets[0], "kind": "elearning", "make": "action"},
            target=st.one_of(st.sampled_from(targets + wrong), texts()),
            kind=choices(*DevelopmentAction.Kind.values),
            make=choices("action", "check_in"),
        ),
        htmx=st.booleans(),
    )
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            response = post(client, url, data, htmx=htmx)
            agreement.refresh_from_db()
            if agreement.on_plan:
                if agreement.plan_action is not None:
                    assert agreement.plan_action.title == agreement.text
                return
            assert db_state() == before
            if response.status_code == 404:
                assert_refused(response, 404)  # a gap or goal this conversation does not offer
                return
            assert response.status_code == 200
            assert_shown(response, alerts(response))

    check()


def test_cancel_held_and_agreement_done_ignore_whatever_else_is_sent(world, conversation, as_user):
    client = as_user(world.manager)
    agreement = Agreement.objects.create(
        conversation=conversation, text="Buddy regelen", owner=world.manager
    )
    urls = {
        "cancel": reverse("conversations:conversation-cancel", args=[conversation.uuid]),
        "held": reverse("conversations:conversation-held", args=[conversation.uuid]),
        "done": reverse(
            "conversations:conversation-agreement-done", args=[conversation.uuid, agreement.uuid]
        ),
    }

    @given(
        action=st.sampled_from(sorted(urls)),
        data=form(done=choices("1", "0", "true", "ja")),
        htmx=st.booleans(),
    )
    def check(action, data, htmx):
        with rolled_back():
            response = post(client, urls[action], data, htmx=htmx)
            conversation.refresh_from_db()
            agreement.refresh_from_db()
            if action == "cancel":
                assert response.status_code == 302
                assert conversation.status == "cancelled"
            elif action == "held":  # not started yet: refused with a message
                assert response.status_code == 302
                assert conversation.status == "scheduled"
                page = client.get(response.url)
                assert_shown(page, page_messages(page, "error"))
            else:
                assert response.status_code == (200 if htmx else 302)
                expected = "done" if as_sent(one(data, "done")) == "1" else "open"
                assert agreement.status == expected

    check()


# --- Regressions found by the properties above --------------------------------------------


def test_a_conversation_in_year_9999_is_refused_with_a_message(world, pop, as_user):
    """It used to be created, and then the agenda ran off the calendar's end (a 500)."""
    data = {**VALID_WHEN, "mode": "schedule", "employee": world.employee.uuid, "kind": "start"}
    url = reverse("conversations:conversation-new")
    response = as_user(world.manager).post(url, {**data, "date": "9999-12-31"})
    assert response.status_code == 200
    assert "Kies een moment binnen de komende vijf jaar." in response.content.decode()
    assert not Conversation.objects.exists()


def test_preparation_answers_with_errors_are_shown_and_kept(world, conversation, as_user):
    """A NUL character made PostgreSQL refuse the answer (a 500); an answer over 5000
    characters was cut off without a word."""
    question = conversation.organisation.preparation_questions.filter(
        kind=conversation.kind
    ).first()
    url = reverse("conversations:conversation-preparation", args=[conversation.uuid])
    client = as_user(world.employee)
    response = client.post(url, {f"answer-{question.pk}": "Ik wil\x00 groeien"}, follow=True)
    page = response.content.decode()
    assert "Null-tekens zijn niet toegestaan." in page
    assert "Ik wil" in page
    long_answer = "Veel te zeggen. " * 400
    response = client.post(url, {f"answer-{question.pk}": long_answer}, follow=True)
    assert "Zorg dat deze waarde niet meer dan 5000 tekens bevat" in response.content.decode()
    answer = PreparationAnswer.objects.get(question=question, author=world.employee)
    assert answer.body.startswith("Ik wil leren coachen")  # the fixture's answer, untouched
    response = client.post(url, {"answer-x": "Hallo", f"answer-{question.pk}": "Nieuw"})
    assert response.status_code == 403  # "answer-x" is not a question on the page
    answer.refresh_from_db()
    assert answer.body.startswith("Ik wil leren coachen")


def test_note_and_agreement_errors_are_shown_next_to_their_field(world, conversation, as_user):
    """The notes showed no errors at all; the agreement form none for who and when."""
    client = as_user(world.manager)
    notes = reverse("conversations:conversation-notes", args=[conversation.uuid])
    response = client.post(notes, {"body": "Afspraak\x00", "version": "1"})
    assert response.status_code == 200
    assert 'id="shared-notes-error"' in response.content.decode()
    assert "Null-tekens zijn niet toegestaan." in response.content.decode()
    agreements = reverse("conversations:conversation-agreement-add", args=[conversation.uuid])
    response = client.post(
        agreements, {"text": "Cursus", "owner": world.colleague.pk, "due_date": "2026-02-30"}
    )
    page = response.content.decode()
    assert 'id="agreement-owner-error"' in page
    assert 'id="agreement-due-error"' in page
    assert "Voer een geldige datum in." in page
    assert not Agreement.objects.exists()
