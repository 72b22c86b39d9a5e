"""Hostile input on every feedback form, through the views, as the person who may post.

No server error; a rejection shows a clear Dutch message and changes nothing; an
acceptance stores the normalised input.
"""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.models import Answer, FeedbackPolicy, FeedbackQuestion, FeedbackRequest
from feedback.services import questions_of
from tests.hostile import (
    assert_refused,
    assert_rejected,
    assert_shown,
    choices,
    dates,
    db_state,
    form,
    normalised,
    numbers,
    one,
    page_messages,
    post,
    rolled_back,
    texts,
)

from .conftest import ask

SOON = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
LATER = (timezone.localdate() + datetime.timedelta(days=30)).isoformat()
YESTERDAY = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
EXAMPLES = settings(max_examples=40, deadline=None)


def test_ask_for_feedback(world, asked, as_user):
    client = as_user(world.employee)
    pop = asked.pop
    url = reverse("feedback:feedback-ask", args=[pop.plan.uuid])
    people = [str(p.pk) for p in asked.answerers]
    valid = {"items": f"gap:{pop.gap.uuid}", "people": people[0], "due_date": SOON}

    @EXAMPLES
    @given(
        data=form(
            valid,
            items=choices(
                f"gap:{pop.gap.uuid}", f"action:{pop.action.uuid}", f"goal:{pop.goal.uuid}"
            ),
            people=choices(*people, str(world.employee.pk), str(world.other_employee.pk)),
            anonymous=choices("on", ""),
            due_date=dates(SOON, YESTERDAY, "2099-01-01"),
            message=texts(),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                feedback = FeedbackRequest.objects.get()
                assert feedback.message == (one(data, "message") or "").strip()
                assert feedback.invitations.count() >= (3 if feedback.anonymous else 1)
                return
            assert_rejected(response, before)

    check()


def test_answer_as_you_type(world, asked, as_user):
    feedback = ask(asked, world)
    person = asked.answerers[0]
    invitation = feedback.invitations.get(person=person)
    question = feedback.questions.first()
    client = as_user(person)
    url = reverse("feedback:answer-save", args=[invitation.uuid])

    @EXAMPLES
    @given(
        data=form(
            {"question": str(question.pk), "body": "Helpt collega's", "version": "1"},
            question=choices(str(question.pk), "0", "x"),
            body=st.one_of(texts(), st.just("a" * 5001)),
            version=numbers("1", "2"),
            score=choices("", "3", "9"),
        ),
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data, htmx=True)
            if one(data, "question") != str(question.pk):
                assert response.status_code == 404
                assert db_state() == before
                return
            assert response.status_code == 200
            html = response.content.decode()
            if "Opgeslagen" in html:
                answer = Answer.objects.get(invitation=invitation, question=question)
                assert answer.body == (one(data, "body") or "").replace("\r\n", "\n")
                assert answer.score is None  # not a scored question
                return
            assert db_state() == before
            # Refused or a conflict: what was typed is still there to save again.
            assert ('data-testid="answer-conflict"' in html) or "is-invalid" in html
            assert 'name="body"' in html

    check()


def test_move_the_due_date(world, asked, as_user):
    feedback = ask(asked, world)
    client = as_user(world.employee)
    url = reverse("feedback:request-extend", args=[feedback.uuid])

    @EXAMPLES
    @given(data=form({"due_date": LATER}, due_date=dates(LATER, SOON, YESTERDAY, "2099-01-01")))
    def check(data):
        with rolled_back():
            before = FeedbackRequest.objects.get(pk=feedback.pk).due_date
            response = post(client, url, data)
            assert response.status_code == 302
            page = client.get(response["Location"])
            after = FeedbackRequest.objects.get(pk=feedback.pk).due_date
            if after != before:
                assert after > before
                assert page_messages(page, "success")
                return
            assert_shown(page, page_messages(page, "error"))

    check()


def test_start_an_upward_round(world, as_user):
    client = as_user(world.hr)
    url = reverse("feedback:upward-new")

    @EXAMPLES
    @given(
        data=form(
            {"manager": str(world.manager.pk), "due_date": SOON},
            manager=choices(str(world.manager.pk), str(world.other_hr.pk), "x"),
            due_date=dates(SOON, YESTERDAY),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            assert_rejected(response, before)  # Jeroen has two reports: never a round

    check()


def test_hr_feedback_settings(world, as_user):
    client = as_user(world.hr)
    url = reverse("feedback:settings")

    @EXAMPLES
    @given(
        data=st.one_of(
            form({"anonymity_floor": "4"}, anonymity_floor=numbers("3", "4", "20", "2", "21")).map(
                lambda data: {**data, "form": ["policy"]}
            ),
            form(
                {"subject": "gap", "text_nl": "Wat valt je op?"},
                subject=choices("gap", "goal", "action", "upward"),
                text_nl=texts(),
                text_en=texts(),
            ).map(lambda data: {**data, "form": ["question"]}),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                if one(data, "form") == "policy":
                    policy = FeedbackPolicy.objects.get(organisation=world.organisation)
                    assert policy.anonymity_floor == int(one(data, "anonymity_floor"))
                    assert policy.anonymity_floor >= 3
                else:
                    assert FeedbackQuestion.objects.filter(
                        text_nl=normalised(one(data, "text_nl"))
                    ).exists()
                return
            assert_rejected(response, before)

    check()


def test_reword_a_question(world, as_user):
    question = questions_of(world.organisation, "goal", create=True)[0]
    client = as_user(world.hr)
    url = reverse("feedback:question-edit", args=[question.uuid])

    @EXAMPLES
    @given(data=form({"text_nl": "Wat zie je?"}, text_nl=texts(), text_en=texts()))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                question.refresh_from_db()
                assert question.text_nl == normalised(one(data, "text_nl"))
                return
            assert_rejected(response, before)

    check()


def test_a_tampered_invitation_is_not_found(world, asked, as_user):
    feedback = ask(asked, world)
    invitation = feedback.invitations.get(person=asked.answerers[0])
    response = as_user(world.employee).get(reverse("feedback:answer", args=[invitation.uuid]))
    assert_refused(response, 404)
