"""Query budgets: the dashboards do not grow with people, units or goals (two sizes)."""

import datetime
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dashboards.models import AlignmentSnapshot
from plans.models import Competency, CompetencyGap, DevelopmentAction, DevelopmentPlan
from tests.dashboards.conftest import YEAR
from tests.factories import GoalFactory, NotificationFactory, OrgUnitFactory, UserFactory


def grow(world, strategy, *, teams: int) -> None:
    """Add teams, each with a team goal, three people with goals, plans, gaps and actions,
    and reports and notifications for the manager and the employee."""
    competency = Competency.objects.get_or_create(organisation=world.organisation, name="Extra")[0]
    for _index in range(teams):
        team = OrgUnitFactory(organisation=world.organisation, parent=world.department)
        team_goal = GoalFactory(level="team", owner_unit=team, parent=strategy.digital)
        for person_index in range(3):
            person = UserFactory(
                organisation=world.organisation,
                unit=team if person_index else world.team,
                line_manager=world.manager if person_index == 0 else None,
            )
            goal = GoalFactory(owner_person=person, parent=team_goal, current_value=3)
            plan = DevelopmentPlan.objects.create(
                employee=person, organisation=world.organisation, yearly_budget=Decimal(500)
            )
            gap = CompetencyGap.objects.create(
                plan=plan, competency=competency, current_level=1, desired_level=3, goal=goal
            )
            DevelopmentAction.objects.create(
                plan=plan,
                kind="training",
                title="Cursus",
                gap=gap,
                cost=Decimal(75),
                due_date=datetime.date(YEAR, 5, 1),
            )
        GoalFactory(owner_person=world.employee, parent=strategy.team_digital)
        GoalFactory(owner_person=world.employee, status="proposed", parent=strategy.team_digital)
        NotificationFactory(recipient=world.employee, title="Nieuwe melding")


def count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), "\n".join(query["sql"] for query in captured.captured_queries)


PAGES = {
    "alignment (computing)": ("hr", reverse("dashboards:alignment"), True),
    "alignment (stored)": ("hr", reverse("dashboards:alignment"), False),
    "alignment for a manager": ("manager", reverse("dashboards:alignment"), True),
    "alignment.csv": ("hr", reverse("dashboards:alignment-csv"), False),
    "drill-down": ("hr", f"{reverse('dashboards:alignment-people')}?show=not-linked", False),
    "home (employee)": ("employee", reverse("dashboards:home"), False),
    "home (manager)": ("manager", reverse("dashboards:home"), False),
    "home (HR, computing)": ("hr", reverse("dashboards:home"), True),
}


@pytest.mark.parametrize("page", sorted(PAGES))
def test_query_count_does_not_grow(world, strategy, as_user, page):
    persona, url, cold = PAGES[page]
    client = as_user(getattr(world, persona))
    measured = []
    for teams in (2, 12):
        grow(world, strategy, teams=teams)
        if cold:  # nothing stored or cached: the figures are computed in this request
            AlignmentSnapshot.objects.all().delete()
            cache.clear()
        else:
            client.get(url)  # the stored figures exist
        measured.append(count(client, url))
    (small, small_sql), (large, large_sql) = measured
    print(f"{page}: {small} queries (2 teams), {large} queries (12 teams)")
    assert small == large, f"{page}: {small} → {large}\n{small_sql}\n---\n{large_sql}"
    assert large <= 35, large_sql
