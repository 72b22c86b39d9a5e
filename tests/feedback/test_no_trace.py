"""No page, export, API call or audit event links an anonymous answer to its author."""

from __future__ import annotations

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from feedback import services
from feedback.models import Answer, Invitation
from people.models import AuditEvent
from people.privacy import personal_data_json
from tests.conftest import client_for

from .conftest import answer_all, ask

pytestmark = pytest.mark.django_db

SECRET = "Sanne mag vaker het woord nemen in het teamoverleg"


@pytest.fixture
def answered(world, asked):
    feedback = ask(asked, world)
    answer_all(feedback, asked.answerers[0], SECRET)
    answer_all(feedback, asked.answerers[1], "Goed voorbeeld voor stagiairs")
    answer_all(feedback, asked.answerers[2], "Helpt bij het rooster")
    services.request_share(feedback=feedback, by=world.employee, shared=True)
    return feedback


def test_the_requesters_and_managers_pages_never_pair_answer_and_author(world, asked, answered):
    author = asked.answerers[0]
    for viewer in (world.employee, world.manager):
        for url in (
            answered.get_absolute_url(),
            reverse("feedback:feedback-list"),
            reverse("people:inbox"),
        ):
            html = client_for(viewer).get(url).content.decode()
            assert author.full_name not in html, (viewer, url)
            assert author.email not in html, (viewer, url)


def test_the_requesters_export_has_the_answers_without_authors(world, asked, answered):
    export = json.dumps(personal_data_json(person=world.employee, generated_at=answered.created_at))
    assert SECRET in export
    for person in asked.answerers:
        assert person.full_name not in export
        assert str(person.uuid) not in export
        invitation = answered.invitations.get(person=person)
        assert str(invitation.uuid) not in export


def test_the_answerer_exports_their_own_words(world, asked, answered):
    export = json.dumps(
        personal_data_json(person=asked.answerers[0], generated_at=answered.created_at)
    )
    assert SECRET in export


def test_the_audit_trail_records_no_answerer_of_an_anonymous_request(world, asked, answered):
    client_for(world.manager).get(answered.get_absolute_url())
    author = asked.answerers[0]
    assert AuditEvent.objects.filter(subject=world.employee, object_type="feedback").exists()
    assert not AuditEvent.objects.filter(actor=author).exists()
    assert not AuditEvent.objects.filter(subject=author).exists()
    events = " ".join(f"{e.object_id} {e.summary}" for e in AuditEvent.objects.all())
    for invitation in Invitation.objects.filter(request=answered):
        assert str(invitation.uuid) not in events


def test_the_admin_does_not_show_answers_or_invitations():
    registered = {model._meta.label for model in admin.site._registry}
    assert "feedback.Answer" not in registered
    assert "feedback.Invitation" not in registered


def test_the_api_has_no_feedback_and_no_answer_text(world, asked, answered):
    """The API (integrations) offers no feedback operation, so nothing of an answer, let
    alone its author, leaves through it; its schema says so."""
    schema = client_for(None).get(reverse("integrations:api-schema")).content.decode()
    assert "feedback" not in schema.lower()
    assert SECRET not in schema
    assert Answer.objects.count() == 2 * 3
