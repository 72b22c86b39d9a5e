"""The alignment figures against numbers worked out by hand (see conftest.py).

These tests check the arithmetic, so no group is folded away: the minimum group size is
1 here. How small groups are protected is tested in ``test_small_groups.py``."""

import datetime
from decimal import Decimal

from django.utils import timezone, translation

from conversations.models import Conversation, UnitCadence
from dashboards.alignment import Scope, compute, figures_from_json
from people.models import User
from tests.dashboards.conftest import YEAR


def figures(world, *, unit=None, year=YEAR, manager=None) -> dict:
    world.organisation.min_group_size = 1
    scope = Scope(
        organisation=world.organisation,
        manager_id=manager.pk if manager else None,
        unit_id=unit.pk if unit else None,
        year=year,
    )
    return compute(scope)


def by_title(data: dict) -> dict[str, dict]:
    return {goal["title"]: goal for goal in data["goals"]}


def row_keys(data: dict) -> dict[str, str]:
    return {row["label"]: row["key"] for row in data["rows"]}


def test_per_strategic_goal_linked_items_people_and_progress(world, strategy):
    goals = by_title(figures(world))
    assert list(goals) == ["Digitalisering", "Inzetbaarheid"]  # archived goal left out
    digital = goals["Digitalisering"]
    # Progress: mean of the team goal (mean of 50 % and 100 %), I5 (100 %) and last
    # year's achieved I7 (100 %) = 91.7 %; the draft I6 does not count.
    assert digital["percent"] == 92
    assert digital["signal"] == "on_track"
    assert (digital["team_goals"], digital["individual_goals"], digital["actions"]) == (1, 3, 1)
    assert digital["people"] == 3  # Sanne (I1 + training), Daan (I2), Bas (I5)
    inzet = goals["Inzetbaarheid"]
    assert inzet["percent"] == 0
    # The coaching action reaches the goal through its competency gap's team goal.
    assert (inzet["team_goals"], inzet["individual_goals"], inzet["actions"]) == (1, 1, 1)
    assert inzet["people"] == 2  # Noor (I3), Sanne (coaching); Eva's action is cancelled


def test_heatmap_counts_people_per_top_level_unit(world, strategy):
    data = figures(world)
    keys = row_keys(data)
    assert set(keys) == {"Zorg", "Bedrijfsvoering"}
    digital, inzet = str(strategy.digital.pk), str(strategy.inzetbaarheid.pk)
    assert data["heat"][keys["Zorg"]] == {digital: 2, inzet: 2}
    assert data["heat"][keys["Bedrijfsvoering"]] == {digital: 1}


def test_not_linked_counts_and_team_goal_list(world, strategy):
    not_linked = figures(world)["not_linked"]
    assert (not_linked["team_goals"], not_linked["individual_goals"], not_linked["actions"]) == (
        1,
        1,
        2,
    )
    assert [item["title"] for item in not_linked["team_goal_list"]] == ["Nieuwe roosters"]


def test_plan_coverage_and_budget_per_unit(world, strategy):
    data = figures(world)
    keys = row_keys(data)
    zorg, bv = keys["Zorg"], keys["Bedrijfsvoering"]
    assert data["coverage"][zorg] == {"people": 8, "with_plan": 3, "agreed": 2, "recent": 3}
    assert data["coverage"][bv] == {"people": 2, "with_plan": 1, "agreed": 0, "recent": 0}
    assert Decimal(data["budget"][zorg]["used"]) == Decimal("350")  # 100 + 200 + 50 + 0
    assert Decimal(data["budget"][zorg]["available"]) == Decimal("3000")
    assert Decimal(data["budget"][bv]["used"]) == 0  # the only action is cancelled
    assert Decimal(data["budget"][bv]["available"]) == Decimal("1000")


def test_actions_by_kind_and_status_and_training_needs(world, strategy):
    data = figures(world)
    assert data["actions"] == {
        "training": {"planned": 1, "cancelled": 1},
        "coaching": {"in_progress": 1},
        "elearning": {"done": 1},
        "mentoring": {"planned": 1},
    }
    assert data["gaps"] == [
        {
            "competency": "Digitale vaardigheden",
            "people": 2,
            "points": 3,
            "goals": ["Inzetbaarheid"],
        },
        {"competency": "Coachen", "people": 1, "points": 2, "goals": []},
    ]


def test_all_periods_counts_last_years_goal(world, strategy):
    digital = by_title(figures(world, year=None))["Digitalisering"]
    assert (digital["individual_goals"], digital["people"]) == (4, 4)  # plus Eva's I7


def test_unit_filter_splits_the_department_into_its_teams(world, strategy):
    data = figures(world, unit=world.department)
    keys = row_keys(data)
    assert set(keys) == {"Wijkteam Noord", "Wijkteam Zuid", "Zorg"}
    direct = next(row for row in data["rows"] if row["kind"] == "direct")
    assert direct["label"] == "Zorg"  # HR works directly in the department
    assert data["coverage"][keys["Wijkteam Noord"]]["people"] == 6
    assert data["coverage"][keys["Wijkteam Zuid"]]["people"] == 1
    digital = by_title(data)["Digitalisering"]
    assert (digital["individual_goals"], digital["people"]) == (2, 2)  # Bas is elsewhere


def test_a_manager_sees_only_their_direct_reports(world, strategy):
    data = figures(world, manager=world.manager)
    total = sum(item["people"] for item in data["coverage"].values())
    assert total == 5  # Sanne, Daan, Noor, Bram, Mila
    digital = by_title(data)["Digitalisering"]
    assert digital["people"] == 2 and digital["team_goals"] == 1
    assert data["not_linked"]["team_goals"] == 1  # Noord's own unlinked team goal
    inzet = by_title(data)["Inzetbaarheid"]
    assert inzet["team_goals"] == 0  # Zuid's team goal is not this manager's


def test_conversation_compliance_per_unit_and_manager(world, strategy):
    """Everyone joined 400 days ago. Sanne had a check-in (2 weeks ago) and a development
    conversation (2 months ago): on schedule. Daan only a check-in: his development
    conversation (every 12 months) is overdue. Bas had a check-in 30 weeks ago: overdue
    under the organisation's 6 weeks, but Bedrijfsvoering's own cadence (every 52 weeks,
    development conversation every 24 months) makes him on schedule; Eva, with nothing,
    is overdue there too (57 weeks). Everyone else has had nothing: overdue."""
    now = timezone.now()
    User.objects.filter(organisation=world.organisation).update(
        date_joined=now - datetime.timedelta(days=400), start_date=None
    )
    UnitCadence.objects.create(
        unit=strategy.bedrijfsvoering, checkin_cadence_weeks=52, conversation_interval_months=24
    )
    UnitCadence.objects.create(unit=world.other_team, checkin_cadence_weeks=52)

    def held(person, kind, days_ago, manager=world.manager):
        Conversation.objects.create(
            organisation=world.organisation,
            employee=person,
            manager=manager,
            kind=kind,
            status=Conversation.Status.HELD,
            starts_at=now - datetime.timedelta(days=days_ago),
        )

    held(world.employee, "check_in", 14)
    held(world.employee, "development", 60)
    held(world.colleague, "check_in", 14)
    held(strategy.noor, "development", 400)  # too long ago
    held(strategy.bas, "check_in", 210, manager=world.hr)
    Conversation.objects.create(  # cancelled: does not count
        organisation=world.organisation,
        employee=strategy.bram,
        manager=world.manager,
        kind="check_in",
        status=Conversation.Status.CANCELLED,
        starts_at=now - datetime.timedelta(days=3),
    )
    data = figures(world)
    # Counted with the line manager's team, under the manager's unit: Jeroen (Wijkteam
    # Noord, in Zorg) has 5 reports, 4 overdue; the other 5 have no line manager, and of
    # them only Bas is on schedule.
    keys = {row["label"] or row["kind"]: row["key"] for row in data["compliance_rows"]}
    assert data["compliance"] == {
        keys["Zorg"]: {"people": 5, "overdue": 4},
        keys["none"]: {"people": 5, "overdue": 4},
    }
    managers = {item["label"]: (item["people"], item["overdue"]) for item in data["managers"]}
    assert managers == {"Jeroen de Vries": (5, 4), "": (5, 4)}


def test_compliance_agrees_with_the_managers_team_page(world, strategy):
    """The dashboard and /team/ use the same cadence function: same overdue count."""
    from conversations.selectors import team_overview

    User.objects.filter(organisation=world.organisation).update(
        date_joined=timezone.now() - datetime.timedelta(days=400), start_date=None
    )
    Conversation.objects.create(
        organisation=world.organisation,
        employee=world.employee,
        manager=world.manager,
        kind="development",
        status=Conversation.Status.HELD,
        starts_at=timezone.now() - datetime.timedelta(days=10),
    )
    data = figures(world, manager=world.manager)
    overview = team_overview(manager=world.manager, now=timezone.now())
    overdue = sum(counts["overdue"] for counts in data["compliance"].values())
    assert overdue == overview.overdue_count == 4


def test_what_learning_brought_per_strategic_goal(world, strategy):
    """Of the completed actions that land on a strategic goal: how many have a reflection,
    and how many got feedback whose answers can be shown (issue 19, item 7)."""
    from dashboards.tables import build
    from feedback import services as feedback_services
    from plans.models import DevelopmentAction
    from tests.feedback.conftest import answer_all

    done = DevelopmentAction.objects.get(plan__employee=strategy.mila, status="done")
    DevelopmentAction.objects.filter(pk=done.pk).update(goal=strategy.team_digital)
    goal = by_title(figures(world))["Digitalisering"]
    assert (goal["completed"], goal["reflected"], goal["with_feedback"]) == (1, 0, 0)
    DevelopmentAction.objects.filter(pk=done.pk).update(reflection="Het bracht me veel.")
    anonymous = feedback_services.request_create(
        plan=done.plan,
        by=strategy.mila,
        items=[done],
        people=[world.colleague, strategy.noor, strategy.bram],
        due_date=timezone.localdate() + datetime.timedelta(days=7),
        anonymous=True,
        share_description=False,
    )
    answer_all(anonymous, world.colleague, "Mooi.")
    goal = by_title(figures(world))[goal["title"]]
    # One anonymous answer, below the floor of 3: not counted (it would tell that
    # someone answered).
    assert (goal["completed"], goal["reflected"], goal["with_feedback"]) == (1, 1, 0)
    answer_all(anonymous, strategy.noor, "Goed.")
    answer_all(anonymous, strategy.bram, "Sterk.")
    data = figures(world)
    goal = by_title(data)[goal["title"]]
    assert (goal["completed"], goal["reflected"], goal["with_feedback"]) == (1, 1, 1)
    table = build(figures_from_json(data), k=1, goal_url=lambda uuid: f"/goals/{uuid}/").tables[
        "strategy"
    ]
    with translation.override("nl"):
        columns = [str(column) for column in table.columns]
    assert columns[-3:] == ["Afgeronde acties", "met reflectie", "met feedback"]
