"""Agreed versions of a plan, read back: the frozen snapshot as the plan's own objects
(unsaved, never written), so the version page and its PDF show the same sections as the
plan; and comparing a version with the plan now or with another version.

A snapshot (``selectors.plan_snapshot``, frozen by ``services.plan_agree``) holds the
plan's own fields, its gaps, actions and steps as stored text; since issue 16 also which
goal each names and which action each step belongs to, and the employee's goals as they
stood. Older snapshots lack those: their steps are listed on their own, and their goal
titles are shown only to the employee and their line manager.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.http import Http404

from goals.access import goal_ids_shown_to
from goals.models import Goal
from goals.progress import Progress
from people.models import User

from .models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    PlanVersion,
)
from .selectors import (
    ChangeLine,
    GoalLine,
    PlanBudget,
    plan_content,
    plan_goal_lines,
    plan_snapshot,
    snapshot_diff,
)

CURRENT = "current"


def _date(value: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value else None
    except InvalidOperation:
        return None


def _int(value: str, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _goal_line(item: dict) -> GoalLine:
    """One of the employee's goals as it stood when the version was agreed."""
    percent = item.get("percent")
    return GoalLine(
        goal=Goal(
            title=item.get("title", ""),
            status=item.get("status", ""),
            due_date=_date(item.get("due_date", "")),
        ),
        path=item.get("path", []),
        progress=Progress(
            share=None if percent is None else Decimal(percent) / 100,
            expected=None,
            signal=item.get("signal"),
        ),
    )


def version_snapshot(*, plan: DevelopmentPlan) -> dict:
    """What an agreed version keeps: the plan's content (``plan_snapshot``) and the
    employee's goals as they stand. Pass a plan from ``plan_content``."""
    snapshot = plan_snapshot(plan=plan)
    snapshot["goals"] = goals_snapshot(plan_goal_lines(plan=plan, viewer=plan.employee))
    return snapshot


def goals_snapshot(lines: list[GoalLine]) -> list[dict]:
    """The employee's goals for a version's snapshot (``services.plan_agree``)."""
    return [
        {
            "id": line.goal.pk,
            "title": line.goal.title,
            "status": line.goal.status,
            "due_date": line.goal.due_date.isoformat() if line.goal.due_date else "",
            "path": line.path,
            "percent": line.progress.percent,
            "signal": line.progress.signal,
        }
        for line in lines
    ]


@dataclass
class VersionContent(PlanBudget):
    """What a version shows, in the shapes of the plan page and the plan PDF."""

    plan: DevelopmentPlan  # unsaved: the version's own fields on the plan's people
    gaps: list[CompetencyGap]
    actions: list[DevelopmentAction]
    loose_steps: list[ActionStep]  # steps of a snapshot that did not say their action
    goals: list[GoalLine] | None  # None: the snapshot holds no goals


def _goal(title: str, goal_id: int | None, shown: set[int] | None) -> Goal | None:
    """A goal named by a snapshot, when the viewer may see it (``shown`` None: all)."""
    if not title:
        return None
    if shown is not None and goal_id not in shown:
        return None
    return Goal(title=title)


def version_content(
    *, version: PlanVersion, plan: DevelopmentPlan, shown_goals: set[int] | None
) -> VersionContent:
    """The version as unsaved plan objects; ``shown_goals``: the ids of the goals the
    viewer may see (None: all, for the employee and their line manager)."""
    snapshot = version.snapshot
    own = snapshot.get("plan", {})
    frozen = DevelopmentPlan(
        pk=plan.pk,
        uuid=plan.uuid,
        employee=plan.employee,
        organisation=plan.organisation,
        employee_ambition=own.get("employee_ambition", ""),
        organisation_ambition=own.get("organisation_ambition", ""),
        period_start=_date(own.get("period_start", "")),
        period_end=_date(own.get("period_end", "")),
        yearly_budget=_decimal(own.get("yearly_budget", "")) or Decimal(0),
        status=DevelopmentPlan.Status.AGREED,
    )
    catalogue = {
        competency.name: competency
        for competency in Competency.objects.filter(organisation_id=plan.organisation_id)
    }
    gaps, by_label = [], {}
    for values in snapshot.get("gap", {}).values():
        gap = CompetencyGap(
            current_level=_int(values.get("current_level"), 1),
            desired_level=_int(values.get("desired_level"), 1),
            why_it_matters=values.get("why_it_matters", ""),
            priority=_int(values.get("priority"), 2),
        )
        name = values.get("competency") or values.get("_label", "")
        gap.competency = catalogue.get(name) or Competency(name=name)
        gap.goal = _goal(values.get("goal", ""), values.get("_goal"), shown_goals)
        gaps.append(gap)
        by_label[str(gap)] = gap
    actions, by_uuid = [], {}
    for uuid, values in snapshot.get("action", {}).items():
        action = DevelopmentAction(
            kind=values.get("kind", DevelopmentAction.Kind.OTHER),
            title=values.get("title") or values.get("_label", ""),
            description=values.get("description", ""),
            priority=_int(values.get("priority"), 2),
            status=values.get("status", DevelopmentAction.Status.PLANNED),
            start_date=_date(values.get("start_date", "")),
            due_date=_date(values.get("due_date", "")),
            cost=_decimal(values.get("cost", "")) or Decimal(0),
            hours=_decimal(values.get("hours", "")),
            provider=values.get("provider", ""),
            knowledge_transfer=values.get("knowledge_transfer", ""),
            reflection=values.get("reflection", ""),
        )
        gap_label = values.get("gap", "")
        if gap_label:
            action.gap = by_label.get(gap_label) or CompetencyGap(
                competency=Competency(name=gap_label), current_level=1, desired_level=1
            )
        action.goal = _goal(values.get("goal", ""), values.get("_goal"), shown_goals)
        action.step_list = []
        actions.append(action)
        by_uuid[uuid] = action
    loose = []
    for values in snapshot.get("step", {}).values():
        step = ActionStep(
            title=values.get("title") or values.get("_label", ""),
            due_date=_date(values.get("due_date", "")),
            done_on=_date(values.get("done_on", "")),
        )
        owner = by_uuid.get(values.get("_action", ""))
        (owner.step_list if owner is not None else loose).append(step)
    goals = None
    if "goals" in snapshot:
        goals = [
            _goal_line(item)
            for item in snapshot["goals"]
            if shown_goals is None or item.get("id") in shown_goals
        ]
    return VersionContent(plan=frozen, gaps=gaps, actions=actions, loose_steps=loose, goals=goals)


def goal_ids_named(version: PlanVersion) -> set[int]:
    """The goals a snapshot names (its gaps, actions and goal list)."""
    snapshot = version.snapshot
    found = {
        values.get("_goal")
        for kind in ("gap", "action")
        for values in snapshot.get(kind, {}).values()
    }
    found |= {item.get("id") for item in snapshot.get("goals", [])}
    return {goal_id for goal_id in found if goal_id}


def shown_goals_for(*, version: PlanVersion, viewer: User, parties: bool) -> set[int] | None:
    """None (every goal) for the employee and their line manager; else the goals the
    viewer may open (one query)."""
    if parties:
        return None
    return goal_ids_shown_to(viewer, goal_ids_named(version))


def version_get(*, plan: DevelopmentPlan, number: int) -> PlanVersion:
    try:
        return plan.versions.select_related("manager").get(number=number)
    except PlanVersion.DoesNotExist as missing:
        raise Http404 from missing


@dataclass
class Comparison:
    """A version against the plan now (``other`` None) or against another version."""

    other: PlanVersion | None
    lines: list[ChangeLine] = field(default_factory=list)


def version_compare(
    *, plan: DevelopmentPlan, version: PlanVersion, against: str, parties: bool
) -> Comparison | None:
    """``against``: ``current`` or another version's number; None when it names none.
    Differences read from the older to the newer."""
    if against == CURRENT:
        now = plan_snapshot(plan=plan_content(plan_id=plan.pk, comments=False))
        lines = snapshot_diff(agreed=version.snapshot, now=now)
        other = None
    else:
        number = _int(against, 0)
        if number in (0, version.number):
            return None
        other = plan.versions.select_related("manager").filter(number=number).first()
        if other is None:
            return None
        older, newer = sorted((version, other), key=lambda v: v.number)
        lines = snapshot_diff(agreed=older.snapshot, now=newer.snapshot)
    if not parties:  # goal titles name goals others may not see
        for line in lines:
            if line.field == "goal":
                line.old = line.new = ""
    return Comparison(other=other, lines=lines)
