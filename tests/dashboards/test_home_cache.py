"""The home page's goals and actions cards come from the shared cache (issue 17): under
the person, their goals' and plan's versions, language and day; never another person's."""

from __future__ import annotations

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals.models import Goal
from plans.models import DevelopmentAction
from tests.dashboards.test_home import card


def _home(client) -> str:
    response = client.get(reverse("dashboards:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_second_visit_takes_the_cards_from_the_cache(world, strategy, as_user):
    cache.clear()
    client = as_user(world.employee)
    with CaptureQueriesContext(connection) as first:
        html = _home(client)
    with CaptureQueriesContext(connection) as second:
        again = _home(client)
    read = [" ".join(q["sql"] for q in run.captured_queries) for run in (first, second)]
    for table in ('FROM "goals_goal"', 'FROM "plans_developmentaction"'):
        assert table in read[0] and table not in read[1]
    for testid in ("home-goals", "home-actions"):
        assert card(html, testid) == card(again, testid)
    assert "Sannes eigen doel" in card(again, "home-goals")


def test_people_never_share_a_card(world, strategy, as_user):
    cache.clear()
    for _round in range(2):
        for person, mine, theirs in (
            (world.employee, "Sannes eigen doel", "I2"),
            (world.colleague, "I2", "Sannes eigen doel"),
        ):
            goals = card(_home(as_user(person)), "home-goals")
            assert mine in goals and theirs not in goals


def test_a_goal_s_progress_and_title_and_a_finished_action_show_at_once(world, strategy, as_user):
    cache.clear()
    client = as_user(world.employee)
    html = _home(client)
    assert "50 %" in card(html, "home-goals") and "Te laat" in card(html, "home-actions")
    goal = Goal.objects.get(title="Sannes eigen doel")
    goal.current_value = 8
    goal.title = "Sannes doel, bijgesteld"
    goal.save()
    goals = card(_home(client), "home-goals")
    assert "Sannes doel, bijgesteld" in goals and "80 %" in goals
    for action in DevelopmentAction.objects.filter(plan__employee=world.employee):
        action.status = DevelopmentAction.Status.DONE
        action.save()
    assert "Geen ontwikkelacties" in card(_home(client), "home-actions")


def test_the_cards_follow_the_language(world, strategy, as_user):
    cache.clear()
    client = as_user(world.employee)
    assert "Mijn doelen" in card(_home(client), "home-goals")
    client.post(reverse("people:set-language"), {"language": "en", "next": "/"})
    html = _home(client)
    assert "My goals" in card(html, "home-goals") and "Overdue" in card(html, "home-actions")
