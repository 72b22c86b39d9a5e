"""The roll-up and the unit table are cached in the shared cache under the organisation's
version counters (people.versions): every change made through the app shows on the next
page, and a warm read costs one read of one row."""

import re
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from goals import services
from goals.access import unit_scope
from goals.selectors import organisation_progress
from people.models import Organisation, OrgUnit
from people.versions import Part, versions_raise


def percent_on(client, goal) -> str:
    html = client.get(reverse("goals:goal-detail", kwargs={"goal_uuid": goal.uuid})).content
    return re.search(rb'data-testid="progress-percent">(\d+)%', html).group(1).decode()


def test_a_check_in_moves_the_cached_roll_up_of_the_goals_above(world, cascade, as_user):
    client = as_user(world.manager)
    before = percent_on(client, cascade.team_goal)  # cached from here on
    goal = cascade.employee_goal
    services.goal_check_in(goal=goal, by=world.employee, value=goal.target_value, confidence=8)
    after = percent_on(client, cascade.team_goal)
    assert after != before
    fresh = organisation_progress(organisation=world.organisation)
    assert after == str(fresh.of(cascade.team_goal.pk).percent)


def test_a_warm_roll_up_reads_one_row_of_one_table(world, cascade):
    """The check whether the cached roll-up is still good reads the organisation's row by
    its key; no table is read in full (no aggregate over the goals)."""
    cold = organisation_progress(organisation=world.organisation)
    with CaptureQueriesContext(connection) as queries:
        warm = organisation_progress(organisation=world.organisation)
    assert warm == cold
    assert len(queries) == 1, [q["sql"] for q in queries]
    sql = queries[0]["sql"]
    assert Organisation._meta.db_table in sql and "goals_goal" not in sql
    assert '"id" = ' in sql and "COUNT" not in sql.upper() and "SUM" not in sql.upper()


def test_a_new_unit_manager_is_in_scope_at_once(world, db):
    assert world.other_team.pk not in unit_scope(world.manager).managed
    world.other_team.manager = world.manager
    world.other_team.save(update_fields=["manager"])
    assert world.other_team.pk in unit_scope(world.manager).managed


def test_two_units_swapping_their_managers_is_seen_at_once(world, db):
    """A bulk write (the demo data's) raises the unit version itself; access must not
    keep the old table."""
    assert unit_scope(world.manager).managed == {world.team.pk}
    world.team.manager, world.other_team.manager = world.other_manager, world.manager
    OrgUnit.objects.bulk_update([world.team, world.other_team], ["manager"])
    versions_raise(organisation_ids=[world.organisation.pk], part=Part.UNITS)
    assert world.team.pk not in unit_scope(world.manager).managed
    assert world.other_team.pk in unit_scope(world.manager).managed
    assert world.team.pk in unit_scope(world.other_manager).managed


def test_values_changed_outside_the_services_show_too(world, cascade):
    kept = organisation_progress(organisation=world.organisation)
    goal = cascade.employee_goal
    goal.current_value = (goal.current_value or Decimal(0)) + 1
    goal.save(update_fields=["current_value"])
    assert organisation_progress(organisation=world.organisation) != kept


def test_saving_the_organisation_never_lowers_a_version(world, db):
    """HR's policy form saves an organisation read before a goal was written: the goal
    version raised meanwhile stays."""
    stale = Organisation.objects.get(pk=world.organisation.pk)
    versions_raise(organisation_ids=[world.organisation.pk], part=Part.GOALS)
    stale.checkin_cadence_weeks = 4
    stale.save()
    fresh = Organisation.objects.get(pk=world.organisation.pk)
    assert fresh.goals_version == stale.goals_version + 1
    assert fresh.checkin_cadence_weeks == 4
