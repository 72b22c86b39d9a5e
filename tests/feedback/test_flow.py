"""Asking and answering: who is told, what the answerer sees, no lost work, closing."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from feedback import services
from feedback.models import Answer, FeedbackRequest
from people.models import OutgoingMessage
from tests.conftest import client_for
from tests.factories import UserFactory

from .conftest import answer_all, ask

pytestmark = pytest.mark.django_db


def test_each_person_asked_is_told_and_a_manager_asking_tells_the_employee(world, asked):
    feedback = ask(asked, world, by=world.manager)
    told = OutgoingMessage.objects.filter(kind="feedback_asked", channel="in_app")
    assert sorted(m.recipient_id for m in told) == sorted(p.pk for p in asked.answerers)
    assert all(
        m.link == feedback.invitations.get(person=m.recipient).get_absolute_url() for m in told
    )
    mine = OutgoingMessage.objects.get(kind="feedback_asked_for_you", channel="in_app")
    assert mine.recipient == world.employee
    html = client_for(world.employee).get(feedback.get_absolute_url()).content.decode()
    assert "Gevraagd door Jeroen de Vries" in html


def test_the_answerer_sees_the_item_and_who_reads_not_the_plan(world, asked):
    feedback = ask(asked, world)
    invitation = feedback.invitations.get(person=asked.answerers[0])
    html = client_for(asked.answerers[0]).get(invitation.get_absolute_url()).content.decode()
    assert "Digitale vaardigheden" in html
    assert "Sanne Jansen leest de antwoorden zonder namen" in html
    pop = asked.pop
    for hidden in (pop.gap.why_it_matters, pop.plan.employee_ambition, "1500", pop.action.title):
        assert hidden not in html


def test_the_description_shows_only_when_shared(world, asked):
    feedback = services.request_create(
        plan=asked.pop.plan,
        by=world.employee,
        items=[asked.pop.gap],
        people=asked.answerers,
        due_date=datetime.date.today() + datetime.timedelta(days=5),
        anonymous=False,
        share_description=True,
    )
    invitation = feedback.invitations.get(person=asked.answerers[0])
    html = client_for(asked.answerers[0]).get(invitation.get_absolute_url()).content.decode()
    assert asked.pop.gap.why_it_matters in html


def test_saving_as_you_type_returns_the_status_and_the_new_version(world, asked):
    feedback = ask(asked, world)
    person = asked.answerers[0]
    invitation = feedback.invitations.get(person=person)
    question = feedback.questions.first()
    url = reverse("feedback:answer-save", args=[invitation.uuid])
    data = {"question": question.pk, "body": "Eerste versie", "version": 1}
    response = client_for(person).post(url, data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "Opgeslagen." in html
    assert f'id="answer-version-{question.pk}"' in html and 'value="2"' in html
    assert Answer.objects.get().body == "Eerste versie"


def test_a_save_from_another_window_keeps_what_was_typed(world, asked):
    feedback = ask(asked, world)
    person = asked.answerers[0]
    invitation = feedback.invitations.get(person=person)
    question = feedback.questions.first()
    url = reverse("feedback:answer-save", args=[invitation.uuid])
    client = client_for(person)
    client.post(url, {"question": question.pk, "body": "Uit venster A", "version": 1})
    response = client.post(
        url,
        {"question": question.pk, "body": "Uit venster B", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response["HX-Retarget"] == f"#answer-{question.pk}"
    assert 'data-testid="answer-conflict"' in html
    assert "Uit venster A" in html and "Uit venster B" in html
    assert Answer.objects.get().body == "Uit venster A"


def test_answers_can_be_changed_until_the_due_date_only(world, asked):
    feedback = ask(asked, world)
    person = asked.answerers[0]
    answer_all(feedback, person, "Op tijd")
    FeedbackRequest.objects.filter(pk=feedback.pk).update(
        due_date=datetime.date.today() - datetime.timedelta(days=1)
    )
    feedback.refresh_from_db()
    invitation = feedback.invitations.get(person=person)
    with pytest.raises(ValidationError):
        services.answer_save(
            invitation=invitation,
            question=feedback.questions.first(),
            by=person,
            body="Te laat",
            score=None,
            expected_version=2,
        )
    html = client_for(person).get(invitation.get_absolute_url()).content.decode()
    assert "kunnen niet meer worden gewijzigd" in html and "readonly" in html


def test_declining_removes_what_was_answered(world, asked):
    feedback = ask(asked, world)
    person = asked.answerers[0]
    answer_all(feedback, person, "Toch maar niet")
    invitation = feedback.invitations.get(person=person)
    client_for(person).post(reverse("feedback:answer-decline", args=[invitation.uuid]))
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Answer.objects.filter(invitation=invitation).exists()


def _queries(client, url: str) -> int:
    cache.clear()  # counted from an empty shared cache: the most a request can cost
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["list", "detail", "answer"])
def test_queries_do_not_grow_with_requests_or_people(world, asked, page):
    employee = client_for(world.employee)
    person = asked.answerers[0]

    def url() -> str:
        feedback = FeedbackRequest.objects.order_by("-id").first()
        if page == "list":
            return reverse("feedback:feedback-list")
        if page == "detail":
            return feedback.get_absolute_url()
        return feedback.invitations.get(person=person).get_absolute_url()

    client = client_for(person) if page == "answer" else employee
    for _round in range(3):
        feedback = ask(asked, world)
        for answerer in asked.answerers[:3]:
            answer_all(feedback, answerer, "Een")
    small = _queries(client, url())
    asked.answerers += [
        UserFactory(
            organisation=world.organisation, full_name=f"Extra {n}", email=f"x{n}@zorg.test"
        )
        for n in range(2)
    ]
    for _round in range(27):
        feedback = ask(asked, world)
        for answerer in asked.answerers[:4]:
            answer_all(feedback, answerer, "Twee")
    assert _queries(client, url()) == small
