"""The API's lists cost the same number of queries for a few rows and for many (a page
of the data, prefetched), as the site's pages do."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.services import conversation_schedule
from plans.models import DevelopmentPlan
from tests.conversations.conftest import in_days
from tests.factories import GoalFactory, UserFactory
from tests.plans.conftest import make_action, make_pop

pytestmark = pytest.mark.django_db


def _queries(api, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(path).status_code == 200
    return len(captured.captured_queries)


def _grow(world, count: int) -> None:
    """``count`` more people, each with a plan with an action, a goal and a conversation."""
    pop = make_pop(world) if not DevelopmentPlan.objects.exists() else None
    for number in range(count):
        person = UserFactory(
            organisation=world.organisation, unit=world.team, line_manager=world.manager
        )
        plan = DevelopmentPlan.objects.create(
            employee=person, organisation=world.organisation, yearly_budget=500
        )
        if pop is not None:
            make_action(plan, None, goal=pop.goal, title=f"Cursus {number}")
        GoalFactory(
            owner_person=person,
            parent=pop.team_goal if pop else None,
            visibility="team",
            status="active",
        )
        conversation_schedule(
            manager=world.manager, employee=person, kind="progress", starts_at=in_days(3 + number)
        )


@pytest.mark.parametrize("path", ["/people", "/units", "/goals", "/plans", "/conversations"])
def test_a_list_costs_the_same_for_few_and_many_rows(world, api, path):
    _grow(world, 3)
    few = _queries(api, path)
    _grow(world, 27)
    assert _queries(api, path) == few
    assert few <= 16
