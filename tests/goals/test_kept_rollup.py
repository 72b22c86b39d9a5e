"""The roll-up and the unit table kept per process (``pop_platform.memo``) follow every
change made through the app at once: the next page shows it."""

import re
from decimal import Decimal

from django.urls import reverse

from goals import services
from goals.access import unit_scope
from goals.selectors import organisation_progress
from people.models import OrgUnit


def percent_on(client, goal) -> str:
    html = client.get(reverse("goals:goal-detail", kwargs={"goal_uuid": goal.uuid})).content
    return re.search(rb'data-testid="progress-percent">(\d+)%', html).group(1).decode()


def test_a_check_in_moves_the_kept_roll_up_of_the_goals_above(world, cascade, as_user):
    client = as_user(world.manager)
    before = percent_on(client, cascade.team_goal)  # kept from here on
    assert organisation_progress(organisation=world.organisation) is organisation_progress(
        organisation=world.organisation
    )
    goal = cascade.employee_goal
    services.goal_check_in(goal=goal, by=world.employee, value=goal.target_value, confidence=8)
    after = percent_on(client, cascade.team_goal)
    assert after != before
    fresh = organisation_progress(organisation=world.organisation)
    assert after == str(fresh.of(cascade.team_goal.pk).percent)


def test_a_new_unit_manager_is_in_scope_at_once(world, db):
    assert world.other_team.pk not in unit_scope(world.manager).managed
    # A bulk update leaves ``updated_at`` alone; the fingerprint still sees it.
    OrgUnit.objects.filter(pk=world.other_team.pk).update(manager=world.manager)
    assert world.other_team.pk in unit_scope(world.manager).managed


def test_two_units_swapping_their_managers_is_seen_at_once(world, db):
    """Counts and plain sums stay the same when two managers swap units; access must not
    keep the old table (the demo data's bulk updates do exactly this)."""
    assert unit_scope(world.manager).managed == {world.team.pk}
    world.team.manager, world.other_team.manager = world.other_manager, world.manager
    OrgUnit.objects.bulk_update([world.team, world.other_team], ["manager"])
    assert world.team.pk not in unit_scope(world.manager).managed
    assert world.other_team.pk in unit_scope(world.manager).managed
    assert world.team.pk in unit_scope(world.other_manager).managed


def test_values_changed_outside_the_services_show_too(world, cascade):
    kept = organisation_progress(organisation=world.organisation)
    goal = cascade.employee_goal
    goal.current_value = (goal.current_value or Decimal(0)) + 1
    goal.save(update_fields=["current_value"])
    assert organisation_progress(organisation=world.organisation) is not kept
