"""The cadence policy: a check-in every N weeks, a development conversation every N
months, a start conversation within N weeks of joining. The organisation sets it; a unit
may override any part (``UnitCadence``), and a team inherits its department's override.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from people.access import unit_table
from people.models import Organisation, User

from .models import DEVELOPMENT_KINDS, Conversation, Kind, UnitCadence

# Joiners longer ago than this are not reminded of a start conversation.
START_RULE_HORIZON = datetime.timedelta(days=365)


@dataclass(frozen=True)
class Policy:
    checkin_cadence_weeks: int
    conversation_interval_months: int
    start_conversation_within_weeks: int
    overridden: bool = False


FIELDS = (
    "checkin_cadence_weeks",
    "conversation_interval_months",
    "start_conversation_within_weeks",
)


def organisation_policy(organisation: Organisation) -> Policy:
    return Policy(**{name: getattr(organisation, name) for name in FIELDS})


def unit_policies(organisation: Organisation) -> dict[int | None, Policy]:
    """The policy of every unit of the organisation (key ``None``: no unit). A unit's own
    override wins, then its parent's, up to the organisation's. The unit tree comes from
    the per-process unit table; the overrides in one query. Each unit is resolved once,
    from its parent's values (a thousand units: about 1 ms)."""
    default = organisation_policy(organisation)
    parents = {pk: row[0] for pk, row in unit_table(organisation.pk).rows.items()}
    overrides = {
        cadence.unit_id: cadence
        for cadence in UnitCadence.objects.filter(unit__organisation_id=organisation.pk)
    }
    policies: dict[int | None, Policy] = {None: default}
    if not overrides:  # every unit follows the organisation
        policies.update(dict.fromkeys(parents, default))
        return policies
    nothing = dict.fromkeys(FIELDS)
    resolved: dict[int, dict[str, int | None]] = {}

    def values_of(unit_id: int | None, path: frozenset[int]) -> dict[str, int | None]:
        """The nearest override of each field from ``unit_id`` up (None: none)."""
        if unit_id is None or unit_id in path:  # the top, or a loop in the tree
            return nothing
        if unit_id in resolved:
            return resolved[unit_id]
        above = values_of(parents.get(unit_id), path | {unit_id})
        own = overrides.get(unit_id)
        values = {
            name: getattr(own, name)
            if own is not None and getattr(own, name) is not None
            else above[name]
            for name in FIELDS
        }
        resolved[unit_id] = values
        return values

    for unit_id in parents:
        values = values_of(unit_id, frozenset())
        policies[unit_id] = Policy(
            **{name: values[name] or getattr(default, name) for name in FIELDS},
            overridden=any(value is not None for value in values.values()),
        )
    return policies


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass
class CadenceStatus:
    """Where one person stands under the policy on ``today``."""

    missed: list[str] = field(default_factory=list)  # the conversation kinds overdue
    checkin_due: datetime.date | None = None
    development_due: datetime.date | None = None

    @property
    def is_overdue(self) -> bool:
        return bool(self.missed)

    @property
    def overdue(self) -> list[str]:
        """The kinds overdue, in the active language."""
        return [str(Kind(kind).label) for kind in self.missed]

    @property
    def kind_due(self) -> str:
        """The conversation to plan first: a start conversation, then a development
        conversation, then a check-in ("" when nothing is overdue)."""
        for kind in (Kind.START, Kind.DEVELOPMENT, Kind.CHECK_IN):
            if kind in self.missed:
                return str(kind)
        return ""


def cadence_status(
    *,
    person: User,
    conversations: Iterable[Conversation],
    policy: Policy,
    today: datetime.date,
) -> CadenceStatus:
    """``conversations``: the person's conversations as employee (any status)."""
    held = [c for c in conversations if c.status == Conversation.Status.HELD and c.starts_at]
    joined = person.start_date or person.date_joined.date()
    last_any = max((c.starts_at.date() for c in held), default=joined)
    last_development = max(
        (c.starts_at.date() for c in held if c.kind in DEVELOPMENT_KINDS), default=joined
    )
    status = CadenceStatus(
        checkin_due=last_any + datetime.timedelta(weeks=policy.checkin_cadence_weeks),
        development_due=add_months(last_development, policy.conversation_interval_months),
    )
    if person.start_date and today - person.start_date <= START_RULE_HORIZON:
        start_due = person.start_date + datetime.timedelta(
            weeks=policy.start_conversation_within_weeks
        )
        if today > start_due and not any(c.kind == Kind.START for c in held):
            status.missed.append(Kind.START)
    if today > status.checkin_due:
        status.missed.append(Kind.CHECK_IN)
    if today > status.development_due:
        status.missed.append(Kind.DEVELOPMENT)
    return status
