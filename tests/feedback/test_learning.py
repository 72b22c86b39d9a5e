"""What learning brought (issue 19, item 7): on a completed action, the feedback received
about it shows beside the employee's reflection, to whoever may read those answers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from feedback import services
from plans.models import DevelopmentAction
from tests.feedback.conftest import answer_all, due

pytestmark = pytest.mark.django_db


def test_feedback_on_a_completed_action_shows_with_the_reflection(world, asked, as_user):
    action = asked.pop.action
    feedback = services.request_create(
        plan=asked.pop.plan,
        by=world.employee,
        items=[action],
        people=asked.answerers[:1],
        due_date=due(),
        anonymous=False,
        share_description=False,
    )
    answer_all(feedback, asked.answerers[0], "Ze past beeldbellen nu dagelijks toe")
    DevelopmentAction.objects.filter(pk=action.pk).update(
        status="done", reflection="Ik durf nu zelf beeldzorg te starten."
    )
    loader = reverse("feedback:plan-compliments", args=[asked.pop.plan.uuid])
    plan_page = as_user(world.employee).get(asked.pop.plan.get_absolute_url()).content.decode()
    assert "Ik durf nu zelf beeldzorg te starten." in plan_page  # the reflection, on the action
    assert f'<div id="compliments-action-{action.uuid}"></div>' in plan_page  # the place below
    mine = as_user(world.employee).get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert "Feedback ontvangen over deze actie" in mine
    assert "Ze past beeldbellen nu dagelijks toe" in mine and "Daan Visser" in mine
    # Her manager reads them only once she shares them; HR never.
    manager = as_user(world.manager)
    assert "Ze past beeldbellen" not in manager.get(loader, HTTP_HX_REQUEST="true").content.decode()
    services.request_share(feedback=feedback, by=world.employee, shared=True)
    assert "Ze past beeldbellen" in manager.get(loader, HTTP_HX_REQUEST="true").content.decode()
    hr = as_user(world.hr).get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert "Ze past beeldbellen" not in hr


def test_anonymous_feedback_below_the_floor_shows_nothing(world, asked, as_user):
    action = asked.pop.action
    feedback = services.request_create(
        plan=asked.pop.plan,
        by=world.employee,
        items=[action],
        people=asked.answerers,
        due_date=due(),
        anonymous=True,
        share_description=False,
    )
    DevelopmentAction.objects.filter(pk=action.pk).update(status="done")
    loader = reverse("feedback:plan-compliments", args=[asked.pop.plan.uuid])
    for person in asked.answerers[:2]:
        answer_all(feedback, person, f"Antwoord van {person.full_name}")
    shown = as_user(world.employee).get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert "Feedback ontvangen over deze actie" not in shown and "Antwoord van" not in shown
    answer_all(feedback, asked.answerers[2], f"Antwoord van {asked.answerers[2].full_name}")
    shown = as_user(world.employee).get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert shown.count("Antwoord van") == 3 * feedback.questions.count()
    assert "anoniem: samengevoegd, zonder namen" in shown
