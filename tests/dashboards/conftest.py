"""A small organisation whose alignment figures are worked out by hand (see each number).

Units: Zorg (department) with Wijkteam Noord and Wijkteam Zuid; Bedrijfsvoering (a second
top-level department) with two people. People: the ``world`` personas (manager, employee,
colleague in Noord; other manager in Zuid; HR directly in Zorg), three more reports of the
manager in Noord (Noor, Bram, Mila) and Bas and Eva in Bedrijfsvoering: 8 in Zorg, 2 in
Bedrijfsvoering, 10 in total.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from goals.models import Goal
from people.models import OrgUnit, User
from plans.models import Competency, CompetencyGap, DevelopmentAction, DevelopmentPlan
from tests.factories import GoalFactory, OrgUnitFactory, UserFactory

YEAR = datetime.date.today().year
NO_MEASURE = {"metric": "none", "start_value": None, "target_value": None, "current_value": None}


@pytest.fixture(autouse=True)
def _empty_cache():
    """The dashboards keep built tables in the cache; every test starts without them."""
    cache.clear()
    yield
    cache.clear()


@dataclass
class Strategy:
    digital: Goal  # G1
    inzetbaarheid: Goal  # G2
    team_digital: Goal
    team_unlinked: Goal
    bedrijfsvoering: OrgUnit
    noor: User
    bram: User
    mila: User
    bas: User
    eva: User


def _plan(person: User, status: str = DevelopmentPlan.Status.DRAFT) -> DevelopmentPlan:
    return DevelopmentPlan.objects.create(
        employee=person,
        organisation=person.organisation,
        yearly_budget=Decimal("1000"),
        status=status,
    )


def _action(plan, *, kind, status, cost, goal=None, gap=None, title="Actie") -> DevelopmentAction:
    return DevelopmentAction.objects.create(
        plan=plan,
        kind=kind,
        status=status,
        cost=Decimal(cost),
        goal=goal,
        gap=gap,
        title=title,
        start_date=datetime.date(YEAR, 3, 1),
        due_date=datetime.date(YEAR, 6, 1),
    )


@pytest.fixture
def strategy(world) -> Strategy:
    org = world.organisation
    org.min_group_size = 3
    org.save(update_fields=["min_group_size"])
    bedrijfsvoering = OrgUnitFactory(
        organisation=org, name="Bedrijfsvoering", kind=OrgUnit.Kind.DEPARTMENT
    )

    def person(name: str, unit: OrgUnit, manager: User | None = None) -> User:
        return UserFactory(organisation=org, unit=unit, line_manager=manager, full_name=name)

    noor = person("Noor de Boer", world.team, world.manager)
    bram = person("Bram Peters", world.team, world.manager)
    mila = person("Mila Hendriks", world.team, world.manager)
    bas = person("Bas Kok", bedrijfsvoering)
    eva = person("Eva Dijkstra", bedrijfsvoering)
    # Left the organisation: never counted.
    UserFactory(organisation=org, unit=world.team, is_active=False, full_name="Oud Collega")

    g1 = GoalFactory(organisation=org, level="organisation", title="Digitalisering", **NO_MEASURE)
    g2 = GoalFactory(organisation=org, level="organisation", title="Inzetbaarheid", **NO_MEASURE)
    GoalFactory(organisation=org, level="organisation", title="Oud doel", status="archived")
    t1 = GoalFactory(
        level="team", owner_unit=world.team, parent=g1, title="Beeldzorg Noord", **NO_MEASURE
    )
    t2 = GoalFactory(
        level="team", owner_unit=world.other_team, parent=g2, title="Fit in Zuid", current_value=0
    )
    t3 = GoalFactory(
        level="team",
        owner_unit=world.team,
        title="Nieuwe roosters",
        not_linked_reason="Eigen teamdoel",
    )
    GoalFactory(
        owner_person=world.employee, parent=t1, current_value=5, title="Sannes eigen doel"
    )  # I1, 50 %
    GoalFactory(owner_person=world.colleague, parent=t1, current_value=10, title="I2")  # 100 %
    GoalFactory(owner_person=noor, parent=g2, current_value=0, title="I3")  # 0 %
    GoalFactory(owner_person=bram, title="I4 eigen ambitie")  # not linked
    GoalFactory(owner_person=bas, parent=g1, current_value=10, title="I5")  # 100 %
    GoalFactory(owner_person=world.manager, parent=t1, status="draft", title="I6 concept")
    GoalFactory(  # another year: outside the period filter
        owner_person=eva,
        parent=g1,
        current_value=10,
        title="I7 vorig jaar",
        start_date=datetime.date(YEAR - 1, 1, 1),
        due_date=datetime.date(YEAR - 1, 12, 31),
        status="achieved",
    )

    digital = Competency.objects.create(organisation=org, name="Digitale vaardigheden")
    coaching = Competency.objects.create(organisation=org, name="Coachen")
    p_employee = _plan(world.employee, DevelopmentPlan.Status.AGREED)
    p_colleague = _plan(world.colleague)
    p_mila = _plan(mila, DevelopmentPlan.Status.CHANGED)
    p_eva = _plan(eva)
    DevelopmentPlan.objects.filter(pk=p_eva.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=200)
    )
    gap1 = CompetencyGap.objects.create(
        plan=p_employee, competency=digital, current_level=2, desired_level=4, goal=t2
    )
    gap2 = CompetencyGap.objects.create(
        plan=p_mila, competency=digital, current_level=1, desired_level=2
    )
    CompetencyGap.objects.create(
        plan=p_colleague, competency=coaching, current_level=3, desired_level=5
    )
    K, S = DevelopmentAction.Kind, DevelopmentAction.Status
    _action(p_employee, kind=K.TRAINING, status=S.PLANNED, cost="100", goal=t1)
    _action(p_employee, kind=K.COACHING, status=S.IN_PROGRESS, cost="200", gap=gap1)
    _action(p_mila, kind=K.ELEARNING, status=S.DONE, cost="50", gap=gap2)
    _action(p_eva, kind=K.TRAINING, status=S.CANCELLED, cost="300", goal=g2)
    _action(p_colleague, kind=K.MENTORING, status=S.PLANNED, cost="0", goal=t3)
    return Strategy(
        digital=g1,
        inzetbaarheid=g2,
        team_digital=t1,
        team_unlinked=t3,
        bedrijfsvoering=bedrijfsvoering,
        noor=noor,
        bram=bram,
        mila=mila,
        bas=bas,
        eva=eva,
    )
