"""A goal page's list of the goals under it comes from the shared cache (issue 17): per
viewer, under the organisation's goal and unit versions; never another viewer's."""

from __future__ import annotations

from django.core.cache import cache

HIDDEN = "Persoonlijke doelen die niet getoond worden:"


def _page(client, goal):
    response = client.get(goal.get_absolute_url())
    assert response.status_code == 200
    return response


def _children(client, goal) -> str:
    html = _page(client, goal).content.decode()
    start = html.index('id="children-heading"')
    return html[start : html.index("</section>", start)]


def test_a_second_visit_takes_the_list_from_the_cache(world, cascade, as_user):
    cache.clear()
    client = as_user(world.manager)
    first, second = _page(client, cascade.team_goal), _page(client, cascade.team_goal)
    assert "goals/_goal_children.html" in [t.name for t in first.templates]
    assert "goals/_goal_children.html" not in [t.name for t in second.templates]
    assert cascade.employee_goal.title in second.content.decode()


def test_viewers_with_other_rights_never_share_the_list(world, cascade, as_user):
    """The employee's private goal under the team goal: named to the employee and their
    manager, counted for HR, absent for a colleague, whoever comes first."""
    cache.clear()
    title = cascade.employee_goal.title
    for _round in range(2):
        for person, named, counted in (
            (world.colleague, False, False),
            (world.employee, True, False),
            (world.hr, False, True),
            (world.manager, True, False),
        ):
            listed = _children(as_user(person), cascade.team_goal)
            assert (title in listed) is named, person
            assert (HIDDEN in listed) is counted, person


def test_a_new_goal_a_renamed_owner_and_new_progress_show_at_once(world, cascade, as_user):
    from tests.factories import GoalFactory

    cache.clear()
    client = as_user(world.hr)
    assert "Wijkteam Zuid" in _children(client, cascade.org_goal)
    GoalFactory(
        level="team", owner_unit=world.team, parent=cascade.org_goal, title="Nieuw teamdoel"
    )
    assert "Nieuw teamdoel" in _children(client, cascade.org_goal)
    world.other_team.name = "Wijkteam Zuid-Oost"
    world.other_team.save()
    assert "Wijkteam Zuid-Oost" in _children(client, cascade.org_goal)
    goal = cascade.other_team_goal
    goal.current_value = 15
    goal.save()
    assert "75" in _children(client, cascade.org_goal)
