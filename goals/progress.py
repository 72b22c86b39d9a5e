"""Progress of goals: the one place where it is computed, so every page shows one number.

- A measured goal: clamp((current - start) / (target - start), 0, 1); this works for
  decreasing targets too (both differences are negative).
- A yes/no goal: 1 when reached, else 0.
- A goal without its own measure: the weighted mean of its children whose status counts
  (active, achieved, not achieved); drafts, proposals, cancelled and archived goals, and
  children without any progress, are left out.
- On-track signal (active goals with a period): expected = elapsed share of the period;
  behind / at risk when progress lags expected by more than the organisation's margins.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from .models import Goal

ZERO, ONE = Decimal(0), Decimal(1)
SIGNAL_LABELS = {
    "on_track": _("On track"),
    "behind": _("Behind"),
    "at_risk": _("At risk"),
}


def clamp(value: Decimal) -> Decimal:
    return min(max(value, ZERO), ONE)


def as_percent(share: Decimal | None) -> int | None:
    """A share between 0 and 1 as a whole percentage, rounded half up (the only rounding)."""
    if share is None:
        return None
    return int((share * 100).quantize(ONE, rounding=ROUND_HALF_UP))


def measured_share(
    *, metric: str, start: Decimal | None, target: Decimal | None, value: Decimal | None
) -> Decimal | None:
    """Progress of a value on a goal's own measure, or None when it cannot be measured."""
    if metric == Goal.Metric.YES_NO:
        return ONE if value is not None and value >= ONE else ZERO
    if metric == Goal.Metric.NONE or target is None:
        return None
    start = start if start is not None else ZERO
    if target == start:
        return None
    current = value if value is not None else start
    return clamp((current - start) / (target - start))


def expected_share(
    start: datetime.date | None, due: datetime.date | None, today: datetime.date
) -> Decimal | None:
    """The elapsed share of the period from start to due date."""
    if start is None or due is None:
        return None
    if due <= start:
        return ONE if today >= due else ZERO
    return clamp(Decimal((today - start).days) / Decimal((due - start).days))


@dataclass(frozen=True)
class Progress:
    share: Decimal | None
    expected: Decimal | None
    signal: str | None

    @property
    def percent(self) -> int | None:
        return as_percent(self.share)

    @property
    def expected_percent(self) -> int | None:
        return as_percent(self.expected)

    @property
    def signal_label(self) -> str:
        return str(SIGNAL_LABELS[self.signal]) if self.signal else ""


NO_PROGRESS = Progress(share=None, expected=None, signal=None)


def signal_for(
    *, share: Decimal | None, expected: Decimal | None, behind: Decimal, at_risk: Decimal
) -> str | None:
    if share is None or expected is None:
        return None
    lag = expected - share
    if lag > at_risk:
        return "at_risk"
    if lag > behind:
        return "behind"
    return "on_track"


class GoalFigures(Protocol):
    """What the roll-up reads of a goal: a ``Goal`` or a ``values_list(named=True)`` row."""

    id: int
    parent_id: int | None
    status: str
    weight: Decimal
    metric: str
    start_value: Decimal | None
    target_value: Decimal | None
    current_value: Decimal | None
    start_date: datetime.date | None
    due_date: datetime.date | None


def rollup(
    goals: Iterable[GoalFigures],
    *,
    today: datetime.date,
    behind_margin: Decimal,
    at_risk_margin: Decimal,
) -> dict[int, Progress]:
    """Progress of every goal in ``goals`` (a whole organisation's tree), in Python.

    Needs only the goals' own fields (no related rows), so callers load them in one query.
    """
    goals = list(goals)
    children: dict[int, list[GoalFigures]] = defaultdict(list)
    for goal in goals:
        if goal.parent_id is not None:
            children[goal.parent_id].append(goal)
    shares: dict[int, Decimal | None] = {}

    def share_of(goal: GoalFigures, path: frozenset[int]) -> Decimal | None:
        if goal.id in shares:
            return shares[goal.id]
        if goal.metric != Goal.Metric.NONE:
            result = measured_share(
                metric=goal.metric,
                start=goal.start_value,
                target=goal.target_value,
                value=goal.current_value,
            )
        else:
            total = weights = ZERO
            for child in children.get(goal.id, ()):
                if child.status not in Goal.COUNTED or child.id in path:
                    continue
                child_share = share_of(child, path | {goal.id})
                if child_share is not None:
                    total += child.weight * child_share
                    weights += child.weight
            result = total / weights if weights else None
        shares[goal.id] = result
        return result

    progress: dict[int, Progress] = {}
    for goal in goals:
        share = share_of(goal, frozenset())
        expected = expected_share(goal.start_date, goal.due_date, today)
        signal = (
            signal_for(share=share, expected=expected, behind=behind_margin, at_risk=at_risk_margin)
            if goal.status == Goal.Status.ACTIVE
            else None
        )
        progress[goal.id] = Progress(share=share, expected=expected, signal=signal)
    return progress
