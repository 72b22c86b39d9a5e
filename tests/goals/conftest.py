"""A small goal cascade on top of the ``world`` personas."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from goals.models import Goal
from tests.factories import GoalFactory


@dataclass
class Cascade:
    org_goal: Goal  # strategic, measured by its children (no own measure)
    team_goal: Goal  # Wijkteam Noord (world.team), visible to the team
    other_team_goal: Goal  # Wijkteam Zuid (world.other_team), visible to that team
    employee_goal: Goal  # the employee's, private, active, 0 → 10, now 5
    colleague_goal: Goal  # the colleague's, private, active
    proposal: Goal  # the employee's, private, proposed
    draft: Goal  # the employee's, private, draft
    elsewhere_goal: Goal  # another organisation's strategic goal


@pytest.fixture
def cascade(world) -> Cascade:
    return make_cascade(world)


def make_cascade(world) -> Cascade:
    org_goal = GoalFactory(
        organisation=world.organisation,
        level="organisation",
        title="Duurzame inzetbaarheid van alle medewerkers",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
        approved_by=world.hr,
        created_by=world.hr,
    )
    team_goal = GoalFactory(
        level="team",
        owner_unit=world.team,
        parent=org_goal,
        title="Werkdruk in Wijkteam Noord eerlijk verdeeld",
        metric="none",
        start_value=None,
        target_value=None,
        current_value=None,
        created_by=world.manager,
    )
    other_team_goal = GoalFactory(
        level="team",
        owner_unit=world.other_team,
        parent=org_goal,
        title="Beeldzorg in Wijkteam Zuid voor twintig cliënten",
        target_value=20,
        current_value=4,
    )
    employee_goal = GoalFactory(
        owner_person=world.employee,
        parent=team_goal,
        title="Training veerkracht afronden en toepassen",
        current_value=5,
        created_by=world.employee,
        approved_by=world.manager,
    )
    colleague_goal = GoalFactory(
        owner_person=world.colleague,
        parent=team_goal,
        title="Roosterwensen van het team verzamelen",
        current_value=10,
    )
    proposal = GoalFactory(
        owner_person=world.employee,
        parent=team_goal,
        title="Intervisie organiseren voor nieuwe collega's",
        status="proposed",
        proposed_by=world.employee,
    )
    draft = GoalFactory(
        owner_person=world.employee,
        parent=team_goal,
        title="Coachingstraject over timemanagement volgen",
        status="draft",
    )
    elsewhere_goal = GoalFactory(
        organisation=world.other_organisation,
        level="organisation",
        title="Gemeentelijke dienstverlening digitaal",
    )
    return Cascade(
        org_goal=org_goal,
        team_goal=team_goal,
        other_team_goal=other_team_goal,
        employee_goal=employee_goal,
        colleague_goal=colleague_goal,
        proposal=proposal,
        draft=draft,
        elsewhere_goal=elsewhere_goal,
    )


def goal_form_data(goal, **overrides) -> dict:
    """What the edit form of ``goal`` posts, with ``overrides``."""
    data = {
        "title": goal.title,
        "description": goal.description,
        "parent": goal.parent_id or "",
        "not_linked_reason": goal.not_linked_reason,
        "metric": goal.metric,
        "start_value": goal.start_value,
        "target_value": goal.target_value,
        "measure_unit": goal.measure_unit,
        "start_date": goal.start_date,
        "due_date": goal.due_date,
        "feasibility_note": goal.feasibility_note,
        "weight": goal.weight,
        "visibility": goal.visibility,
        "version": goal.version,
    }
    data.update(overrides)
    return {key: "" if value is None else value for key, value in data.items()}
