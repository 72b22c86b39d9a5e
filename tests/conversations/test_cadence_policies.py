"""Each unit's cadence policy: its own override, else its nearest parent's, field by
field, else the organisation's."""

from conversations.cadence import Policy, unit_policies
from conversations.models import UnitCadence
from people.models import OrgUnit
from tests.factories import OrgUnitFactory


def test_overrides_are_inherited_field_by_field(world):
    organisation = world.organisation
    organisation.checkin_cadence_weeks = 6
    organisation.conversation_interval_months = 12
    organisation.start_conversation_within_weeks = 4
    organisation.save()
    subteam = OrgUnitFactory(organisation=organisation, parent=world.team, name="Nachtdienst")
    elsewhere = OrgUnitFactory(
        organisation=organisation, name="Facilitair", kind=OrgUnit.Kind.DEPARTMENT
    )
    UnitCadence.objects.create(unit=world.department, conversation_interval_months=6)
    UnitCadence.objects.create(unit=world.team, checkin_cadence_weeks=2)

    policies = unit_policies(organisation)

    assert policies[None] == Policy(6, 12, 4)
    assert policies[world.department.pk] == Policy(6, 6, 4, overridden=True)
    assert policies[world.other_team.pk] == Policy(6, 6, 4, overridden=True)  # its department's
    assert policies[world.team.pk] == Policy(2, 6, 4, overridden=True)  # own and department's
    assert policies[subteam.pk] == Policy(2, 6, 4, overridden=True)  # two levels up
    assert policies[elsewhere.pk] == Policy(6, 12, 4)  # the organisation's, not overridden


def test_without_overrides_every_unit_follows_the_organisation(world):
    policies = unit_policies(world.organisation)
    default = policies[None]
    units = [world.department, world.team, world.other_team]
    assert all(policies[unit.pk] == default for unit in units)
    assert not any(policy.overridden for policy in policies.values())
