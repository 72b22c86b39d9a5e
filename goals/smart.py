"""The SMART check: which of specifiek, meetbaar, acceptabel, realistisch, tijdsgebonden
a goal (saved or still being written) is missing, each with a short hint."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .models import Goal

MIN_TITLE_WORDS = 3


@dataclass(frozen=True)
class SmartCriterion:
    key: str
    letter: str
    name: str
    met: bool
    hint: str


def _specific(goal: Goal) -> str:
    if len(goal.title.split()) < MIN_TITLE_WORDS:
        return _("Name the result in a few words: what will be different when it is done?")
    if not goal.description.strip():
        return _("Describe concretely what you want to achieve, for whom and where.")
    return ""


def _measurable(goal: Goal) -> str:
    if goal.metric == Goal.Metric.YES_NO:
        return ""
    if goal.metric == Goal.Metric.NONE:
        if goal.level == Goal.Level.INDIVIDUAL:
            return _("Choose a measure and a target, so you can see how far you are.")
        return ""
    if goal.target_value is None:
        return _("Set a target value: what number do you want to reach?")
    if goal.start_value is not None and goal.start_value == goal.target_value:
        return _("The target value must differ from the start value.")
    return ""


def _acceptable(goal: Goal) -> str:
    if goal.level == Goal.Level.ORGANISATION or goal.parent is not None:
        return ""
    return _("Link the goal to a team or organisation goal, so it is clear what it contributes to.")


def _realistic(goal: Goal) -> str:
    if not goal.feasibility_note.strip():
        return _("Say why it is feasible: the time, budget and support you need.")
    return ""


def _time_bound(goal: Goal) -> str:
    if goal.due_date is None:
        return _("Set a due date.")
    if goal.start_date is not None and goal.due_date < goal.start_date:
        return _("The due date cannot be before the start date.")
    parent = goal.parent
    if parent is not None and parent.due_date is not None and goal.due_date > parent.due_date:
        return _("The due date falls after the due date of the goal it contributes to.")
    if parent is not None and parent.start_date is not None and goal.due_date < parent.start_date:
        return _("The due date falls before the period of the goal it contributes to.")
    return ""


CRITERIA = [
    ("specific", "S", _("Specific"), _specific),
    ("measurable", "M", _("Measurable"), _measurable),
    ("acceptable", "A", _("Acceptable"), _acceptable),
    ("realistic", "R", _("Realistic"), _realistic),
    ("time_bound", "T", _("Time-bound"), _time_bound),
]


def smart_check(goal: Goal) -> list[SmartCriterion]:
    """Every criterion, met or not; the hint says what is missing (in the active language)."""
    result = []
    for key, letter, name, check in CRITERIA:
        hint = check(goal)
        result.append(
            SmartCriterion(key=key, letter=letter, name=str(name), met=not hint, hint=str(hint))
        )
    return result


def smart_missing(goal: Goal) -> list[SmartCriterion]:
    return [criterion for criterion in smart_check(goal) if not criterion.met]


# Without these a goal cannot be followed at all: nobody could tell whether or when it is
# reached ("Beter worden", with no measure and no due date). Proposing and approving an
# individual goal needs them; the other criteria stay advice.
ESSENTIAL = {"measurable": "target_value", "time_bound": "due_date"}


def smart_essentials_missing(goal: Goal) -> dict[str, str]:
    """The form field and hint of each essential criterion the goal misses."""
    if goal.level != Goal.Level.INDIVIDUAL:
        return {}
    missing = {}
    for criterion in smart_missing(goal):
        if criterion.key == "time_bound" and goal.due_date is not None:
            continue  # dated, if not perfectly: advice, not a blocker
        if criterion.key in ESSENTIAL:
            missing[ESSENTIAL[criterion.key]] = f"{criterion.name}: {criterion.hint}"
    return missing
