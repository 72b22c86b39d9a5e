"""``goals_progress`` (a few goals) gives the same numbers as the whole roll-up."""

import io

import pytest

from goals.models import Goal
from goals.selectors import goals_progress, organisation_progress
from people.models import Organisation


@pytest.mark.django_db
def test_partial_rollup_equals_the_whole_on_the_demo_cascade(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    organisation = Organisation.objects.get()
    whole = organisation_progress(organisation=organisation)
    goals = list(Goal.objects.filter(organisation=organisation))
    assert len(goals) > 50
    for goal in goals:
        part = goals_progress(organisation=organisation, goal_ids=[goal.pk], with_children=True)
        for pk in [goal.pk, *whole.ancestors(goal.pk), *whole.children.get(goal.pk, [])]:
            assert part.of(pk) == whole.of(pk), (goal.title, pk)
        assert part.ancestors(goal.pk) == whole.ancestors(goal.pk)
        assert sorted(part.children.get(goal.pk, [])) == sorted(whole.children.get(goal.pk, []))


def test_unmeasured_goals_are_rolled_up_through_every_level(world, django_assert_max_num_queries):
    from tests.factories import GoalFactory

    def unmeasured(**fields):
        return GoalFactory(
            organisation=world.organisation,
            metric="none",
            start_value=None,
            target_value=None,
            current_value=None,
            **fields,
        )

    top = unmeasured(level="organisation", title="Strategie")
    team = unmeasured(level="team", owner_unit=world.team, parent=top, title="Team")
    leaves = [
        GoalFactory(
            organisation=world.organisation,
            level="individual",
            owner_person=world.employee,
            parent=team,
            metric="percentage",
            start_value=0,
            target_value=100,
            current_value=value,
            status="active",
            title=f"Doel {value}",
        )
        for value in (20, 60)
    ]
    whole = organisation_progress(organisation=world.organisation)
    with django_assert_max_num_queries(6):
        part = goals_progress(organisation=world.organisation, goal_ids=[leaves[0].pk])
    assert part.of(top.pk) == whole.of(top.pk)
    assert part.of(top.pk).percent == 40  # the mean of 20 % and 60 %, two levels up
    assert part.of(leaves[0].pk).percent == 20
