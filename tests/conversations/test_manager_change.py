"""A new line manager (issue 16, item 13): the former manager's open agreements are not
carried into the new manager's conversations or the plan PDF, and the former manager no
longer holds the coming conversations (planned ones are cancelled with notice to both, a
request goes to the new manager)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from conversations import services
from conversations.models import AgendaItem, Conversation, PreparationAnswer
from people.imports import apply_import, plan_import
from people.models import OutgoingMessage
from people.selectors import unit_paths
from plans import pdf
from tests.plans.conftest import pdf_text

from .conftest import in_days

GENERATED = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def _move_to_the_other_manager(world) -> None:
    """Sanne gets Ilse as her line manager, the way HR does it: the people import."""
    employee = world.employee
    path = unit_paths(organisation_id=world.organisation.pk)[employee.unit_id]
    text = (
        "email,name,unit,manager_email,is_hr\n"
        f"{employee.email},{employee.full_name},{path},{world.other_manager.email},nee\n"
    )
    plan = plan_import(organisation=world.organisation, content=text.encode())
    assert plan.ok, plan.errors
    apply_import(plan=plan, actor=world.hr)
    employee.refresh_from_db()
    assert employee.line_manager == world.other_manager


def test_a_new_manager_gets_none_of_the_former_managers_agreements(world, pop, held):
    """``held`` was Sanne's conversation with Jeroen, with open agreements."""
    assert held.agreements.filter(status="open").exists()
    _move_to_the_other_manager(world)
    new = services.conversation_schedule(
        manager=world.other_manager, employee=world.employee, kind="progress", starts_at=in_days(5)
    )
    carried = AgendaItem.objects.filter(conversation=new, source=AgendaItem.Source.AGREEMENT)
    assert not carried.exists()
    document = pdf.plan_document(plan_id=pop.plan.pk, language="nl")
    text = pdf_text(pdf.plan_pdf(document=document, generated_at=GENERATED))
    assert "Sanne volgt de opleiding beeldzorg" not in text
    assert "Er is nog geen gehouden gesprek met afspraken vastgelegd." in text


def test_the_former_manager_no_longer_holds_the_coming_conversations(
    world, pop, conversation, as_user
):
    """``conversation``: Sanne and Jeroen's ontwikkelgesprek in a week, both prepared."""
    request = services.conversation_request(
        employee=world.employee, kind="check_in", note="Even bijpraten"
    )
    started = services.conversation_schedule(
        manager=world.manager, employee=world.employee, kind="check_in", starts_at=in_days(2)
    )
    Conversation.objects.filter(pk=started.pk).update(
        starts_at=timezone.now() - datetime.timedelta(minutes=10)
    )
    OutgoingMessage.objects.all().delete()
    _move_to_the_other_manager(world)
    conversation.refresh_from_db()
    assert conversation.status == "cancelled" and conversation.manager == world.manager
    cancellations = OutgoingMessage.objects.filter(
        kind="reminder_cancellation", channel="email", context__conversation_id=conversation.pk
    )
    assert {message.recipient for message in cancellations} == {world.employee, world.manager}
    request.refresh_from_db()
    assert (request.status, request.manager) == ("requested", world.other_manager)
    started.refresh_from_db()
    assert (started.status, started.manager) == ("scheduled", world.manager)  # to finish
    # Sanne's preparation can no longer reach Jeroen through the cancelled conversation.
    question = conversation.organisation.preparation_questions.filter(
        kind="development", audience="employee"
    ).first()
    response = as_user(world.employee).post(
        f"/conversations/{conversation.uuid}/preparation/",
        {f"answer-{question.pk}": "Nieuw antwoord na de wissel"},
    )
    assert not PreparationAnswer.objects.filter(body="Nieuw antwoord na de wissel").exists()
    assert response.status_code in (200, 302)


def test_the_admin_change_of_manager_does_the_same(world, pop, conversation, client):
    from django.urls import reverse

    from people.models import User

    admin = User.objects.create_superuser(email="beheer@platform.test", password="x-Y-z-12345!")
    client.force_login(admin)
    url = reverse("admin:people_user_change", args=[world.employee.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, (list, tuple))
    }
    data.update(
        {
            "email": world.employee.email,
            "full_name": world.employee.full_name,
            "organisation": world.organisation.pk,
            "unit": world.employee.unit_id,
            "line_manager": world.other_manager.pk,
            "language": "nl",
            "is_active": "on",
            "date_joined_0": timezone.localdate().isoformat(),
            "date_joined_1": "10:00:00",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    conversation.refresh_from_db()
    assert conversation.status == "cancelled"


def test_hrs_person_page_change_of_manager_does_the_same(world, pop, conversation, as_user):
    """HR changes the line manager on the person's page (issue 15): the same hand-over."""
    from people.directory import person_update

    person_update(person=world.employee, by=world.hr, changes={"line_manager": world.other_manager})
    conversation.refresh_from_db()
    assert conversation.status == "cancelled"
    cancellations = OutgoingMessage.objects.filter(
        kind="reminder_cancellation", channel="email", context__conversation_id=conversation.pk
    )
    assert {message.recipient for message in cancellations} == {world.employee, world.manager}
