"""Roll-up math: measured goals, clamping, decreasing targets, yes/no, weights, statuses,
three nested levels and the on-track signal. Pure Python: no database needed."""

import datetime
from decimal import Decimal as D
from itertools import count

import pytest

from goals.models import Goal
from goals.progress import as_percent, expected_share, measured_share, rollup

TODAY = datetime.date(2026, 7, 2)  # half-way through the year (182 of 364 days)
_ids = count(1)


def goal(parent=None, *, metric="number", start=0, target=10, current=None, **fields) -> Goal:
    values = {
        "metric": metric,
        "start_value": None if start is None else D(str(start)),
        "target_value": None if target is None else D(str(target)),
        "current_value": None if current is None else D(str(current)),
    }
    fields.setdefault("status", "active")
    fields.setdefault("weight", D(1))
    return Goal(pk=next(_ids), parent=parent, **values, **fields)


def progress_of(*goals, today=TODAY, behind="0.10", at_risk="0.25"):
    return rollup(goals, today=today, behind_margin=D(behind), at_risk_margin=D(at_risk))


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        (0, 10, 5, D("0.5")),
        (0, 10, 0, D(0)),
        (0, 10, 10, D(1)),
        (0, 10, 15, D(1)),  # over the target: clamped to 1
        (0, 10, -3, D(0)),  # below the start: clamped to 0
        (20, 120, 45, D("0.25")),
        (D("7.2"), D("5.5"), D("6.35"), D("0.5")),  # decreasing: sick leave down
        (D("7.2"), D("5.5"), D("5.0"), D(1)),  # better than a decreasing target
        (D("7.2"), D("5.5"), D("8.0"), D(0)),  # worse than the start of a decreasing one
        (0, 10, None, D(0)),  # nothing reported yet
    ],
)
def test_measured_share(start, target, current, expected):
    share = measured_share(metric="number", start=D(start), target=D(target), value=current)
    assert share == expected


def test_measured_share_without_target_or_measure_is_unknown():
    assert measured_share(metric="number", start=D(0), target=None, value=D(3)) is None
    assert measured_share(metric="none", start=None, target=None, value=None) is None


@pytest.mark.parametrize(("value", "expected"), [(None, D(0)), (D(0), D(0)), (D(1), D(1))])
def test_yes_no_is_zero_or_one(value, expected):
    assert measured_share(metric="yes_no", start=D(0), target=D(1), value=value) == expected


def test_weighted_mean_of_children():
    parent = goal(metric="none", start=None, target=None)
    heavy = goal(parent, current=10, weight=D(3))  # 100 %
    light = goal(parent, current=0, weight=D(1))  # 0 %
    progress = progress_of(parent, heavy, light)
    assert progress[parent.pk].share == D("0.75")
    assert progress[parent.pk].percent == 75


@pytest.mark.parametrize("status", ["archived", "cancelled", "draft", "proposed"])
def test_children_that_do_not_count_are_left_out(status):
    parent = goal(metric="none", start=None, target=None)
    counted = goal(parent, current=4)
    left_out = goal(parent, current=10, status=status)
    assert progress_of(parent, counted, left_out)[parent.pk].share == D("0.4")


def test_achieved_and_not_achieved_children_count():
    parent = goal(metric="none", start=None, target=None)
    done = goal(parent, current=10, status="achieved")
    failed = goal(parent, current=2, status="not_achieved")
    assert progress_of(parent, done, failed)[parent.pk].share == D("0.6")


def test_yes_no_child_counts_as_zero_or_one():
    parent = goal(metric="none", start=None, target=None)
    reached = goal(parent, metric="yes_no", start=0, target=1, current=1)
    not_yet = goal(parent, metric="yes_no", start=0, target=1, current=0)
    assert progress_of(parent, reached, not_yet)[parent.pk].share == D("0.5")


def test_three_nested_levels_roll_up():
    organisation = goal(metric="none", start=None, target=None, level="organisation")
    team_a = goal(organisation, metric="none", start=None, target=None, weight=D(2))
    team_b = goal(organisation, start=D("7.2"), target=D("5.5"), current=D("6.35"))  # 50 %
    person_1 = goal(team_a, current=10)  # 100 %
    person_2 = goal(team_a, current=5, weight=D(3))  # 50 %
    archived = goal(team_a, current=0, status="archived")
    progress = progress_of(organisation, team_a, team_b, person_1, person_2, archived)
    assert progress[team_a.pk].share == D("0.625")  # (1×1 + 3×0.5) / 4
    # (2 × 0.625 + 1 × 0.5) / 3 = 0.5833…
    assert progress[organisation.pk].percent == 58


def test_a_measured_parent_keeps_its_own_measure():
    parent = goal(current=2)
    goal(parent, current=10)
    assert progress_of(parent)[parent.pk].share == D("0.2")


def test_parent_without_counted_children_has_no_progress():
    parent = goal(metric="none", start=None, target=None)
    draft = goal(parent, current=10, status="draft")
    progress = progress_of(parent, draft)
    assert progress[parent.pk].share is None
    assert progress[parent.pk].percent is None
    assert progress[parent.pk].signal is None


def test_child_without_progress_is_left_out_of_the_mean():
    parent = goal(metric="none", start=None, target=None)
    measured = goal(parent, current=8)
    empty = goal(parent, metric="none", start=None, target=None)
    assert progress_of(parent, measured, empty)[parent.pk].share == D("0.8")


YEAR = {"start_date": datetime.date(2026, 1, 1), "due_date": datetime.date(2026, 12, 31)}


def test_expected_share_is_the_elapsed_part_of_the_period():
    assert expected_share(YEAR["start_date"], YEAR["due_date"], TODAY) == D(182) / D(364)
    assert expected_share(YEAR["start_date"], YEAR["due_date"], datetime.date(2025, 6, 1)) == 0
    assert expected_share(YEAR["start_date"], YEAR["due_date"], datetime.date(2027, 2, 1)) == 1
    assert expected_share(None, YEAR["due_date"], TODAY) is None


@pytest.mark.parametrize(
    ("current", "signal"),
    [
        (6, "on_track"),  # ahead of the expected 50 %
        (4, "on_track"),  # 10 points behind: within the margin
        (3, "behind"),  # 20 points behind
        (2, "at_risk"),  # 30 points behind
    ],
)
def test_signal_uses_the_organisation_margins(current, signal):
    item = goal(current=current, **YEAR)
    assert progress_of(item)[item.pk].signal == signal


def test_signal_thresholds_are_per_organisation():
    item = goal(current=3, **YEAR)  # 20 points behind
    assert progress_of(item, behind="0.25", at_risk="0.40")[item.pk].signal == "on_track"
    assert progress_of(item, behind="0.05", at_risk="0.15")[item.pk].signal == "at_risk"


def test_only_active_goals_get_a_signal():
    item = goal(current=0, status="achieved", **YEAR)
    assert progress_of(item)[item.pk].signal is None


@pytest.mark.parametrize(
    ("share", "percent"), [(D("0.125"), 13), (D("0.5833"), 58), (D("0.995"), 100), (D(0), 0)]
)
def test_one_rounding_everywhere(share, percent):
    assert as_percent(share) == percent
