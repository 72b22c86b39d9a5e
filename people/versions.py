"""Per-organisation version counters: the keys of the values cached for an organisation
(Django's cache framework; see ``pop_platform/cache.py``).

- ``units``: the unit tree and who reports to whom (unit table, unit scope, manager role);
- ``goals``: every goal's place in the tree and figures (the roll-up, the goals tree);
- ``competencies``: the competency catalogue.

A counter is raised in the transaction that writes what it covers, after the write: a
reader that sees the new counter also sees the new rows. A cached value is read by first
reading the counter, then the rows, so a value is never kept under a newer counter than
its rows. Entries under old counters are never read again and expire on their own.

Row saves raise them in the models' ``save``/``delete`` (like each row's own ``version``),
so that the admin, the API and imports are covered, and for people in their queryset's
``update`` (``bulk_update`` too); other bulk writes call ``versions_raise``.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from django.db.models import F

from .models import Organisation


class Part(StrEnum):
    UNITS = "units_version"
    GOALS = "goals_version"
    COMPETENCIES = "competencies_version"


def versions_raise(*, organisation_ids: Iterable[int | None], part: Part) -> None:
    """Raise ``part``'s counter of these organisations (for writes that bypass ``save``)."""
    ids = {pk for pk in organisation_ids if pk is not None}
    if ids:
        Organisation.objects.filter(pk__in=ids).update(**{part.value: F(part.value) + 1})


def version_of(*, organisation_id: int | None, part: Part) -> int:
    """The counter now (one read of one row by its key); 0 without an organisation."""
    if organisation_id is None:
        return 0
    found = Organisation.objects.filter(pk=organisation_id).values_list(part.value, flat=True)
    return next(iter(found), 0)
