"""Query budgets: /goals/ and a goal page use a fixed number of queries, whether the
organisation has 10 or 200 goals (STYLE.md: two sizes, so an N+1 shows)."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Goal, GoalUpdate
from tests.factories import GoalFactory, UserFactory

SIZES = (10, 200)
# The report below prints what the budget tests of this module measured: they run in one
# test process (pytest-xdist, --dist loadgroup).
pytestmark = pytest.mark.xdist_group("goal-query-budgets")

COUNTS: dict[tuple[str, int], int] = {}


def grow_to(world, cascade, total: int) -> None:
    """Add team goals, reports with individual goals and check-ins until ``total`` goals."""
    index = Goal.objects.filter(organisation=world.organisation).count()
    while index < total:
        kind = index % 4
        if index % 20 == 0:
            GoalFactory(organisation=world.organisation, level="organisation", metric="none")
        elif kind == 0:
            GoalFactory(level="team", owner_unit=world.team, parent=cascade.org_goal)
        else:
            person = UserFactory(
                organisation=world.organisation, unit=world.team, line_manager=world.manager
            )
            goal = GoalFactory(
                owner_person=person,
                parent=cascade.team_goal,
                visibility=["private", "team", "organisation"][kind - 1],
                current_value=kind,
            )
            GoalUpdate.objects.create(goal=goal, value=kind, confidence=6, author=person)
        index += 1


def count_queries(client, url: str) -> tuple[int, str]:
    """Queries of a page once this process keeps the organisation's roll-up and unit
    table (the first view after a change computes them: a few queries more)."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    sql = "\n".join(query["sql"] for query in captured.captured_queries)
    return len(captured), sql


@pytest.mark.parametrize("persona", ["manager", "hr", "employee"])
def test_goal_pages_do_not_grow_with_the_number_of_goals(world, cascade, as_user, persona):
    client = as_user(getattr(world, persona))
    pages = {
        "/goals/": reverse("goals:goal-list"),
        "/goals/<uuid>/": reverse(
            "goals:goal-detail", kwargs={"goal_uuid": cascade.team_goal.uuid}
        ),
    }
    measured: dict[str, list[tuple[int, str]]] = {name: [] for name in pages}
    for size in SIZES:
        grow_to(world, cascade, size)
        assert Goal.objects.filter(organisation=world.organisation).count() == size
        for name, url in pages.items():
            count, sql = count_queries(client, url)
            measured[name].append((count, sql))
            COUNTS[(f"{persona} {name}", size)] = count
    for name, ((small, _small_sql), (large, large_sql)) in measured.items():
        assert small == large, f"{name}: {small} queries at 10 goals, {large} at 200\n{large_sql}"
        # 14 with the "My team" nav check; a goal page reads its roll-up level by level
        # (path up, children down: one small query per level of the tree, never more with
        # more goals) instead of loading the whole organisation's goals.
        budget = 17 if "detail" in name or "<uuid>" in name else 14
        assert large <= budget, f"{name}: {large} queries\n{large_sql}"


def test_goal_page_of_a_measured_goal_with_many_check_ins(world, cascade, as_user):
    client = as_user(world.employee)
    url = reverse("goals:goal-detail", kwargs={"goal_uuid": cascade.employee_goal.uuid})
    counts = []
    for extra in (3, 60):
        start = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
        GoalUpdate.objects.bulk_create(
            GoalUpdate(
                goal=cascade.employee_goal,
                value=n % 10,
                confidence=5,
                author=world.employee if n % 2 else world.manager,
                recorded_at=start + datetime.timedelta(days=n),
            )
            for n in range(extra)
        )
        counts.append(count_queries(client, url)[0])
    assert counts[0] == counts[1]


def test_report_counts(capsys):
    """Print what the budget tests measured (shown with ``-s``)."""
    if not COUNTS:
        pytest.skip("run together with the budget tests")
    with capsys.disabled():
        for (name, size), count in sorted(COUNTS.items()):
            print(f"\n{name:<28} {size:>4} goals: {count} queries", end="")
        print()
