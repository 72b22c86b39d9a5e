"""The permission matrix: every goals URL and htmx endpoint across every persona.

Outside a persona's view → 404 (no existence leak); visible but not theirs to change →
403; anonymous → sign-in; wrong method → 405.
"""

import pytest
from django.urls import reverse

from goals.access import goals_visible_to
from goals.models import Goal
from tests.conftest import sends_to_sign_in

PERSONAS = ["employee", "colleague", "manager", "other_manager", "hr", "other_hr", "anonymous"]
LOGIN = "LOGIN"


def row(**expected):
    """Expected status per persona; anonymous always goes to the sign-in page."""
    return [expected[persona] for persona in PERSONAS[:-1]] + [LOGIN]


# (url name, goal, method, extra data) -> expected status per persona, in PERSONAS order.
MATRIX = {
    ("goal-detail", "org_goal", "get"): row(
        employee=200, colleague=200, manager=200, other_manager=200, hr=200, other_hr=404
    ),
    ("goal-detail", "team_goal", "get"): row(
        employee=200, colleague=200, manager=200, other_manager=404, hr=200, other_hr=404
    ),
    ("goal-detail", "employee_goal", "get"): row(
        employee=200, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-detail", "proposal", "get"): row(
        employee=200, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-detail", "elsewhere_goal", "get"): row(
        employee=404, colleague=404, manager=404, other_manager=404, hr=404, other_hr=200
    ),
    ("goal-edit", "org_goal", "get"): row(
        employee=403, colleague=403, manager=403, other_manager=403, hr=200, other_hr=404
    ),
    ("goal-edit", "team_goal", "get"): row(
        employee=403, colleague=403, manager=200, other_manager=404, hr=403, other_hr=404
    ),
    ("goal-edit", "draft", "get"): row(
        employee=200, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    # Once approved, the employee checks in; the manager may still change it.
    ("goal-edit", "employee_goal", "post"): row(
        employee=403, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-submit", "draft", "post"): row(
        employee=302, colleague=404, manager=403, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-approve", "proposal", "post"): row(
        employee=403, colleague=404, manager=302, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-return", "proposal", "post"): row(
        employee=403, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-check-in", "employee_goal", "post"): row(
        employee=200, colleague=404, manager=200, other_manager=404, hr=404, other_hr=404
    ),
    ("goal-check-in", "team_goal", "post"): row(
        employee=403, colleague=403, manager=200, other_manager=404, hr=403, other_hr=404
    ),
    ("goal-check-in", "org_goal", "post"): row(
        employee=403, colleague=403, manager=403, other_manager=403, hr=200, other_hr=404
    ),
    ("goal-assign", "team_goal", "get"): row(
        employee=403, colleague=403, manager=200, other_manager=404, hr=403, other_hr=404
    ),
    ("goal-assign", "team_goal", "post"): row(
        employee=403, colleague=403, manager=200, other_manager=404, hr=403, other_hr=404
    ),
}


def _client(world, as_user, persona):
    return as_user(None if persona == "anonymous" else getattr(world, persona))


CASES = [
    pytest.param(
        name, goal_key, method, persona, expected, id=f"{name}-{goal_key}-{method}-{persona}"
    )
    for (name, goal_key, method), statuses in MATRIX.items()
    for persona, expected in zip(PERSONAS, statuses, strict=True)
]


@pytest.mark.parametrize(("name", "goal_key", "method", "persona", "expected"), CASES)
def test_goal_url_matrix(world, cascade, as_user, name, goal_key, method, persona, expected):
    goal = getattr(cascade, goal_key)
    url = reverse(f"goals:{name}", kwargs={"goal_uuid": goal.uuid})
    client = _client(world, as_user, persona)
    before = Goal.objects.get(pk=goal.pk)
    response = getattr(client, method)(url, {}, HTTP_HX_REQUEST="true")
    if expected == LOGIN:
        assert sends_to_sign_in(response)
    else:
        assert response.status_code == expected
    if expected in (403, 404, LOGIN) and method == "post":
        after = Goal.objects.get(pk=goal.pk)
        assert (after.status, after.version) == (before.status, before.version)


LIST_AND_CREATE = {
    ("goal-list", "", "get"): row(
        employee=200, colleague=200, manager=200, other_manager=200, hr=200, other_hr=200
    ),
    ("goal-create", "?level=individual", "get"): row(
        employee=200, colleague=200, manager=200, other_manager=200, hr=200, other_hr=200
    ),
    ("goal-create", "?level=team", "get"): row(
        employee=403, colleague=403, manager=200, other_manager=200, hr=403, other_hr=403
    ),
    ("goal-create", "?level=organisation", "get"): row(
        employee=403, colleague=403, manager=403, other_manager=403, hr=200, other_hr=200
    ),
    ("goal-create", "?level=organisation", "post"): row(
        employee=403, colleague=403, manager=403, other_manager=403, hr=200, other_hr=200
    ),
    ("goal-smart-check", "", "post"): row(
        employee=200, colleague=200, manager=200, other_manager=200, hr=200, other_hr=200
    ),
}


@pytest.mark.parametrize(
    ("name", "query", "method", "persona", "expected"),
    [
        pytest.param(name, query, method, persona, expected, id=f"{name}{query}-{method}-{persona}")
        for (name, query, method), statuses in LIST_AND_CREATE.items()
        for persona, expected in zip(PERSONAS, statuses, strict=True)
    ],
)
def test_list_create_and_smart_check(
    world, cascade, as_user, name, query, method, persona, expected
):
    client = _client(world, as_user, persona)
    data = {"level": query.removeprefix("?level=")} if method == "post" and query else {}
    response = getattr(client, method)(reverse(f"goals:{name}") + query, data)
    if expected == LOGIN:
        assert sends_to_sign_in(response)
    else:
        assert response.status_code == expected


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("employee", 200), ("manager", 200), ("colleague", 404), ("hr", 404), ("other_hr", 404)],
)
def test_smart_check_on_a_goal_needs_that_goal_to_be_editable(
    world, cascade, as_user, persona, expected
):
    client = as_user(getattr(world, persona))
    response = client.post(reverse("goals:goal-smart-check"), {"goal": cascade.draft.uuid})
    assert response.status_code == expected


def test_smart_check_with_a_team_level_needs_a_unit_manager(world, cascade, as_user):
    response = as_user(world.employee).post(reverse("goals:goal-smart-check"), {"level": "team"})
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("goal-submit", "get"),
        ("goal-approve", "get"),
        ("goal-return", "get"),
        ("goal-check-in", "get"),
        ("goal-detail", "post"),
    ],
)
def test_wrong_method_is_405(world, cascade, as_user, name, method):
    url = reverse(f"goals:{name}", kwargs={"goal_uuid": cascade.employee_goal.uuid})
    assert getattr(as_user(world.employee), method)(url).status_code == 405


def test_visibility_per_persona(world, cascade):
    def titles(user):
        return set(goals_visible_to(user).values_list("title", flat=True))

    everyone_in_org = {cascade.org_goal.title}
    assert titles(world.employee) == everyone_in_org | {
        cascade.team_goal.title,
        cascade.employee_goal.title,
        cascade.proposal.title,
        cascade.draft.title,
    }
    assert titles(world.colleague) == everyone_in_org | {
        cascade.team_goal.title,
        cascade.colleague_goal.title,
    }
    # The manager sees their team and their reports' goals, drafts included.
    assert titles(world.manager) == titles(world.employee) | {cascade.colleague_goal.title}
    assert titles(world.other_manager) == everyone_in_org | {cascade.other_team_goal.title}
    # HR sees every organisation and team goal, never a private individual goal.
    assert titles(world.hr) == everyone_in_org | {
        cascade.team_goal.title,
        cascade.other_team_goal.title,
    }
    assert titles(world.other_hr) == {cascade.elsewhere_goal.title}


def test_people_without_a_unit_are_nobodys_team(world, cascade):
    """Two people outside any unit do not see each other's team-visible goals."""
    from tests.factories import GoalFactory, UserFactory

    first = UserFactory(organisation=world.organisation, unit=None)
    second = UserFactory(organisation=world.organisation, unit=None)
    GoalFactory(
        owner_person=first,
        parent=cascade.team_goal,
        visibility=Goal.Visibility.TEAM,
        status=Goal.Status.ACTIVE,
        title="Alleen voor mijn team",
    )
    assert "Alleen voor mijn team" in set(goals_visible_to(first).values_list("title", flat=True))
    assert "Alleen voor mijn team" not in set(
        goals_visible_to(second).values_list("title", flat=True)
    )
