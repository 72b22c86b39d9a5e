"""Small-group suppression for every number the alignment dashboard and its CSV show.

The method (statistical disclosure control with primary and secondary cell suppression):

1. **Primary**: a count between 1 and ``k - 1`` (``k`` = the organisation's minimum group
   size) is never shown; it reads "< k".
2. **Remainders** ("complements"): a count that is part of a shown whole, such as "people
   with a plan" out of "people in the unit", is modelled as a *line*: the shown cells plus
   an invisible cell for the rest (people without a plan), whose sum is the shown total.
   Columns with a total row are lines too, as are rows with a total column.
3. **Secondary**: for every line whose total is shown, the sum of its hidden cells — what
   anyone can compute as "total minus what is shown" — must be 0 or at least ``k``. While a
   line's hidden remainder is between 1 and ``k - 1`` (or is 0 while a cell is hidden:
   that would reveal the hidden cells as zeros), the smallest shown non-zero cell of that
   line is hidden too (or, when there is none, the total). This repeats over all lines
   until nothing changes, so a hidden cell can never be recovered by subtraction, and any
   group one can compute from the page or the CSV has at least ``k`` members.
4. **Small groups**: when a group's size is below ``k``, every number about that group is
   hidden with it (a unit of three people shows no counts at all, not even zeros); a
   unit's budget figures are hidden whenever its headcount is hidden, for any reason, so
   the money that "total minus shown" reveals always belongs to at least ``k`` people.

Cells hidden only because of rules 2 to 4 show "*" (hidden so that a small group cannot be
worked out); they may hold large values, so they do not claim to be small.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

Number = int | Decimal


@dataclass(eq=False)
class Cell:
    """One number on the page. ``virtual`` cells are never shown (the rest of a whole)."""

    value: Number
    sensitive: bool = True  # counts of people (or their goals and actions)
    virtual: bool = False
    hidden: bool = False
    small: bool = False  # hidden by the primary rule: shows "< k"
    # Hidden whenever this cell is hidden (e.g. a unit's budget with its headcount).
    dependents: list[Cell] = field(default_factory=list)
    # Hidden when this cell is a small group's size (everything about that group).
    members: list[Cell] = field(default_factory=list)

    @property
    def shown(self) -> bool:
        return not self.hidden and not self.virtual


@dataclass(eq=False)
class Line:
    """Cells whose sum is the total (the total may be shown elsewhere on the page)."""

    cells: list[Cell]
    total: Cell

    def hidden_remainder(self) -> Number:
        return sum((cell.value for cell in self.cells if not cell.shown), 0)


def rest_of(whole: Cell, part: Cell) -> Line:
    """A line for ``part`` out of ``whole``: the part, and an invisible cell for the rest."""
    rest = Cell(value=whole.value - part.value, virtual=True)
    return Line(cells=[part, rest], total=whole)


def protect(*, cells: list[Cell], lines: list[Line], k: int) -> None:
    """Hide cells in place so that no group smaller than ``k`` can be seen or derived."""
    for cell in cells:
        if cell.sensitive and not cell.virtual and 0 < cell.value < k:
            cell.hidden = cell.small = True
    changed = True
    while changed:
        changed = False
        for cell in cells:
            followers = (cell.dependents if cell.hidden else []) + (
                cell.members if cell.small else []
            )
            for follower in followers:
                if not follower.hidden:
                    follower.hidden = changed = True
        for line in lines:
            if not line.total.shown:
                continue
            remainder = line.hidden_remainder()
            hides_a_shown_cell = any(cell.hidden and not cell.virtual for cell in line.cells)
            if remainder >= k or (remainder == 0 and not hides_a_shown_cell):
                continue
            candidates = [cell for cell in line.cells if cell.shown and cell.value > 0]
            if candidates:
                min(candidates, key=lambda cell: cell.value).hidden = True
            else:
                line.total.hidden = True
            changed = True
