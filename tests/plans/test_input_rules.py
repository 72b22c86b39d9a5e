"""Data that should not go into a plan (issue 16, item 6): the same competency twice, and
a planned action whose date has passed (a warning). Goals: tests/goals/test_flow.py;
agreements onto the plan: tests/conversations/test_flow.py."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from plans.models import CompetencyGap

from .conftest import action_form_data

HX = {"HTTP_HX_REQUEST": "true"}


def test_the_same_competency_cannot_be_added_twice(world, pop, as_user):
    client = as_user(world.employee)
    url = reverse("plans:plan-item-add", args=[pop.plan.uuid, "gap"])
    response = client.post(
        url,
        {
            "competency": pop.competency.pk,
            "current_level": 1,
            "desired_level": 3,
            "priority": 2,
            "why_it_matters": "Nog een keer",
        },
        **HX,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Digitale vaardigheden staat al in dit plan als competentie om te ontwikkelen." in page
    assert "Nog een keer" in page  # what was typed stays
    assert CompetencyGap.objects.filter(plan=pop.plan).count() == 1
    # Editing the gap itself, with its own competency, is fine.
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "gap", pop.gap.uuid])
    saved = client.post(
        edit,
        {
            "competency": pop.competency.pk,
            "current_level": 2,
            "desired_level": 5,
            "priority": 1,
            "version": pop.gap.version,
        },
    )
    assert saved.status_code == 302


def test_a_planned_action_dated_in_the_past_gets_a_warning(world, pop, as_user):
    last_month = timezone.localdate() - datetime.timedelta(days=30)
    client = as_user(world.manager)
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    response = client.post(
        edit,
        action_form_data(
            pop,
            title="E-learning beeldzorg",
            status="planned",
            start_date=last_month.isoformat(),
            due_date=(last_month + datetime.timedelta(days=60)).isoformat(),
            version=pop.action.version,
        ),
        **HX,
    )
    html = response.content.decode()
    assert 'data-testid="planned-in-the-past"' in html
    assert "Nog gepland, maar de datum is al voorbij." in html
    # In progress: no warning.
    pop.action.refresh_from_db()
    pop.action.status = "in_progress"
    pop.action.save()
    page = client.get(pop.plan.get_absolute_url()).content.decode()
    assert 'data-testid="planned-in-the-past"' not in page
