"""The cascade's rules: enforced by the database where a row can say it, by the services
otherwise, and bad input is rejected with a clear message."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from goals import services
from goals.models import Goal
from tests.factories import GoalFactory, OrgUnitFactory


def messages_of(error: ValidationError) -> list[str]:
    return [message for messages in error.message_dict.values() for message in messages]


def individual_data(**overrides):
    data = {
        "title": "Training veerkracht afronden en toepassen",
        "description": "Minder uitval door betere grenzen.",
        "metric": "number",
        "start_value": Decimal(0),
        "target_value": Decimal(5),
        "not_linked_reason": "",
        "visibility": "private",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# --- Database constraints ----------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"level": "team", "owner_unit": None},  # a team goal without a team
        {"level": "organisation", "owner_person": "employee"},  # organisation goal with owner
        {"parent": None, "not_linked_reason": ""},  # not linked and no reason
        {"weight": Decimal(0)},
        {"start_value": Decimal(3), "target_value": Decimal(3)},
        {"metric": "yes_no", "start_value": 0, "target_value": 1, "current_value": Decimal(2)},
    ],
    ids=[
        "team-without-unit",
        "org-with-owner",
        "unlinked-without-reason",
        "zero-weight",
        "target-equals-start",
        "yes-no-value-2",
    ],
)
def test_database_refuses_inconsistent_rows(world, cascade, fields):
    values = {
        "organisation": world.organisation,
        "level": "individual",
        "owner_person": world.employee,
        "parent": cascade.team_goal,
        "title": "Ongeldig doel",
        "visibility": "private",
    }
    values.update(fields)
    if values.get("owner_person") == "employee":
        values["owner_person"] = world.employee
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.create(**values)


def test_database_refuses_a_goal_as_its_own_parent(cascade):
    with pytest.raises(IntegrityError), transaction.atomic():
        Goal.objects.filter(pk=cascade.team_goal.pk).update(parent=cascade.team_goal)


def test_database_refuses_confidence_above_ten(cascade, world):
    from goals.models import GoalUpdate

    with pytest.raises(IntegrityError), transaction.atomic():
        GoalUpdate.objects.create(goal=cascade.employee_goal, confidence=11, author=world.employee)


# --- Service rules -----------------------------------------------------------------------


def test_individual_goal_links_to_a_team_goal(world, cascade):
    goal = services.goal_create(
        by=world.employee, level="individual", data=individual_data(parent=cascade.team_goal)
    )
    goal.refresh_from_db()
    assert (goal.parent, goal.owner_person, goal.status) == (
        cascade.team_goal,
        world.employee,
        "draft",
    )


def test_unlinked_goal_needs_a_reason(world):
    with pytest.raises(ValidationError) as caught:
        services.goal_create(by=world.employee, level="individual", data=individual_data())
    assert caught.value.message_dict == {
        "not_linked_reason": [
            "Link the goal to a team or organisation goal, or say why it is not linked."
        ]
    }
    goal = services.goal_create(
        by=world.employee,
        level="individual",
        data=individual_data(not_linked_reason="Persoonlijke ambitie"),
    )
    assert goal.parent is None and goal.not_linked_reason == "Persoonlijke ambitie"


def test_individual_goal_cannot_hang_under_another_individual_goal(world, cascade):
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.colleague,
            level="individual",
            data=individual_data(parent=cascade.employee_goal),
        )
    assert "An individual goal contributes to a team or organisation goal." in messages_of(
        caught.value
    )


def test_nothing_crosses_organisations(world, cascade):
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.employee,
            level="individual",
            data=individual_data(parent=cascade.elsewhere_goal),
        )
    assert messages_of(caught.value) == [
        "A goal can only contribute to a goal of its own organisation."
    ]
    foreign_unit = OrgUnitFactory(organisation=world.other_organisation)
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.manager,
            level="team",
            owner_unit=foreign_unit,
            data=individual_data(parent=cascade.org_goal, visibility="team"),
        )
    assert "This unit belongs to another organisation." in messages_of(caught.value)


def test_team_goal_links_to_organisation_goal_or_a_goal_of_a_unit_above(world, cascade):
    department_goal = GoalFactory(
        level="team", owner_unit=world.department, parent=cascade.org_goal
    )
    under_department = services.goal_create(
        by=world.manager,
        level="team",
        owner_unit=world.team,
        data=individual_data(parent=department_goal, visibility="team"),
    )
    assert under_department.parent == department_goal
    assert under_department.status == "active"
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.manager,
            level="team",
            owner_unit=world.team,
            data=individual_data(parent=cascade.other_team_goal, visibility="team"),
        )
    assert messages_of(caught.value) == [
        "A team goal contributes to an organisation goal or to a goal of a unit above this team."
    ]


def test_no_cycles(world, cascade):
    department_goal = GoalFactory(
        level="team", owner_unit=world.department, parent=cascade.org_goal
    )
    team_goal = GoalFactory(level="team", owner_unit=world.team, parent=department_goal)
    department_goal.parent = team_goal
    with pytest.raises(ValidationError) as caught:
        services.goal_validate(department_goal)
    assert "This link would make the goal contribute to itself." in messages_of(caught.value)


def test_cannot_link_to_a_draft_or_archived_goal(world, cascade):
    archived = GoalFactory(
        level="team", owner_unit=world.team, parent=cascade.org_goal, status="archived"
    )
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.employee, level="individual", data=individual_data(parent=archived)
        )
    assert messages_of(caught.value) == ["A goal can only contribute to an active goal."]


def test_organisation_goal_is_visible_to_everyone_and_has_no_parent(world, cascade):
    goal = services.goal_create(
        by=world.hr,
        level="organisation",
        data={"title": "Digitalisering van de zorg", "metric": "none", "visibility": "private"},
    )
    assert (goal.visibility, goal.status, goal.approved_by) == ("organisation", "active", world.hr)


def test_bad_measure_and_dates_are_rejected(world, cascade):
    with pytest.raises(ValidationError) as caught:
        services.goal_create(
            by=world.employee,
            level="individual",
            data=individual_data(
                parent=cascade.team_goal,
                start_value=Decimal(5),
                target_value=Decimal(5),
                start_date=cascade.team_goal.due_date,
                due_date=cascade.team_goal.start_date,
            ),
        )
    assert caught.value.message_dict["target_value"] == [
        "The target value must differ from the start value."
    ]
    assert caught.value.message_dict["due_date"] == [
        "The due date cannot be before the start date."
    ]


def test_yes_no_goal_is_normalised_to_zero_and_one(world, cascade):
    goal = services.goal_create(
        by=world.employee,
        level="individual",
        data=individual_data(parent=cascade.team_goal, metric="yes_no", target_value=None),
    )
    assert (goal.start_value, goal.target_value, goal.current_value) == (0, 1, 0)
