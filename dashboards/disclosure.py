"""Which groups of people the alignment dashboard may show figures about (docs/privacy.md,
chapter 5).

The rule: every figure HR sees is about a group of at least ``k`` people (the
organisation's minimum group size), and no sum or difference of shown figures — rows
against totals, one table against another, one filter value against another — is about a
group of 1 to ``k - 1`` people.

How: the groups the page could show (the selection of each unit filter, the rows of each
table) are *admitted* one at a time, largest first, into a ``Partition`` of the people. The
groups admitted so far cut the people into pieces ("atoms"); a group is admitted only when
every piece then still has 0 or at least ``k`` people. Any group one can form by adding
and subtracting admitted groups is a union of pieces, so it has 0 or at least ``k`` people.
A group that was not admitted is never shown on its own: its people are counted in an
"other" row, and a unit filter on it shows the smallest larger unit that was admitted.
Within a group of at least ``k`` people every figure is shown, zeros too: a count of
actions or of people with a plan says nothing about who they are.

Two families of figures are protected apart, because no figure of one can be subtracted
from a figure of the other: everything about people by their own unit, and conversation
compliance, which is the line manager's task and is counted with the manager's team, under
the manager's unit. A manager who looks at their own reports sees them unprotected: they
see each of them by name on their team page anyway.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

Element = Hashable


class Partition:
    """People, grouped in elements (a unit's own members, a manager's team) with their
    sizes, cut into atoms by the admitted groups (sets of elements)."""

    def __init__(self, sizes: Mapping[Element, int], k: int) -> None:
        self.k = k
        self.sizes = {element: size for element, size in sizes.items() if size > 0}
        self._atom = dict.fromkeys(self.sizes, 0)
        self._atom_size = {0: sum(self.sizes.values())}
        self._next = 1
        #: Fewer than k people in all: no figure can be shown.
        self.too_small = not self._fits(self._atom_size[0])

    def _fits(self, size: int) -> bool:
        return size == 0 or size >= self.k

    def _inside(self, group: Iterable[Element]) -> dict[int, int]:
        """How many people of each atom the group holds."""
        inside: dict[int, int] = {}
        for element in set(group):
            if element in self._atom:
                atom = self._atom[element]
                inside[atom] = inside.get(atom, 0) + self.sizes[element]
        return inside

    def admit(self, group: Iterable[Element]) -> bool:
        """Cut the atoms along ``group`` if every piece keeps 0 or at least k people."""
        group = set(group)
        if self.too_small:
            return False
        inside = self._inside(group)
        if not all(self._fits(n) and self._fits(self._atom_size[a] - n) for a, n in inside.items()):
            return False
        split = {}
        for atom, size in inside.items():
            if size < self._atom_size[atom]:
                split[atom] = self._next
                self._atom_size[self._next] = size
                self._atom_size[atom] -= size
                self._next += 1
        for element in group:
            if self._atom.get(element) in split:
                self._atom[element] = split[self._atom[element]]
        return True

    def holds(self, group: Iterable[Element]) -> bool:
        """The group is a union of atoms: its figures may be shown."""
        if self.too_small:
            return False
        return all(size == self._atom_size[atom] for atom, size in self._inside(group).items())

    def size(self, group: Iterable[Element]) -> int:
        return sum(self.sizes.get(element, 0) for element in set(group))


class UnitTree:
    """An organisation's units, loaded once: ``(id, parent id, name)``."""

    def __init__(self, units: Iterable[tuple[int, int | None, str]]) -> None:
        self.names: dict[int, str] = {}
        self.parents: dict[int, int | None] = {}
        self.children: dict[int | None, list[int]] = {}
        for unit_id, parent, name in units:
            self.names[unit_id] = name
            self.parents[unit_id] = parent
        for unit_id, parent in self.parents.items():
            # A unit whose parent is missing (another organisation's) counts as a root.
            self.children.setdefault(parent if parent in self.names else None, []).append(unit_id)

    @property
    def roots(self) -> list[int]:
        return self.children.get(None, [])

    def below(self, unit_id: int) -> set[int]:
        """The unit and every unit under it."""
        found: set[int] = set()
        stack = [unit_id]
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, ()))
        return found

    def top_down(self, weight: Mapping[int, int]) -> list[int]:
        """Every unit, parents before children, larger siblings first (so that when a
        remainder is too small, the smaller sibling is the one folded into "other")."""
        order: list[int] = []
        level = sorted(self.roots, key=lambda u: -weight.get(u, 0))
        while level:
            order.extend(level)
            level = [
                child
                for unit in level
                for child in sorted(self.children.get(unit, ()), key=lambda u: -weight.get(u, 0))
            ]
        return order


@dataclass
class Part:
    """A group counted in an "other" row: its kind and label as in ``Row``."""

    kind: str
    label: str


@dataclass
class Row:
    """One row of a table: its key, what it is, and the elements whose people it counts.

    ``kind``: ``unit`` (a unit with everything under it), ``direct`` (the people directly
    in a unit), ``none`` (no unit, or no line manager), ``manager`` (a line manager's
    team), ``other`` (small groups together; ``parts`` says which)."""

    key: str
    kind: str
    label: str
    unit_id: int | None
    elements: set[Element]
    parts: list[Part] = field(default_factory=list)


@dataclass
class Layout:
    """The rows of one family of figures for one selection, and which row counts whom.

    ``by``: what the elements are: ``unit`` (a person's own unit) or ``manager`` (their
    line manager)."""

    rows: list[Row]
    by: str = "unit"
    #: False: the selection itself may not be shown (too few people, or too close to a
    #: larger group); nothing of this family is shown.
    shown: bool = True

    def __post_init__(self) -> None:
        self._row_of = {element: row.key for row in self.rows for element in row.elements}

    def row_for(self, *, unit_id: int | None, manager_id: int | None) -> str | None:
        """The row that counts this person; None: outside the selection."""
        if not self.shown:
            return None
        return self._row_of.get(unit_id if self.by == "unit" else manager_id)


def _rows(partition: Partition, candidates: list[Row], selection: set, other_key: str) -> list[Row]:
    """The candidates that may be shown, and one "other" row for the rest of the
    selection (a union of admitted groups too, so 0 or at least k people)."""
    rows = [
        row for row in candidates if partition.size(row.elements) and partition.holds(row.elements)
    ]
    shown = set().union(*(row.elements for row in rows))
    leftover = set(selection) - shown
    if partition.size(leftover):
        parts = [
            Part(row.kind, row.label)
            for row in candidates
            if row not in rows and partition.size(row.elements)
        ]
        rows.append(Row(other_key, "other", "", None, leftover, parts))
    return rows


@dataclass
class Selection:
    """What the page shows for the unit filter asked: ``unit_id`` is the unit shown (None:
    the whole organisation); it differs from ``asked`` when that unit may not be shown on
    its own, and is then the smallest unit above it that may."""

    asked: int | None
    unit_id: int | None
    units: Layout
    compliance: Layout
    managers: Layout
    #: The units in the selection; None: everyone.
    subtree: set[int] | None

    @property
    def widened(self) -> bool:
        return self.asked != self.unit_id


def hr_selection(
    *,
    tree: UnitTree,
    people: list[tuple[int, int | None, int | None]],
    managers: Mapping[int, tuple[str, int | None]],
    k: int,
    asked: int | None,
) -> Selection:
    """The selection and the rows HR may see for the unit filter ``asked``.

    ``people``: ``(id, unit id, line manager id)`` of everyone counted; ``managers``: each
    line manager's name and unit (compliance counts a person with their manager's team,
    under the manager's unit)."""
    unit_sizes: dict[int | None, int] = {}
    team_sizes: dict[int | None, int] = {}
    for _pk, unit_id, manager_id in people:
        unit_sizes[unit_id] = unit_sizes.get(unit_id, 0) + 1
        team_sizes[manager_id] = team_sizes.get(manager_id, 0) + 1
    weight = {u: sum(unit_sizes.get(v, 0) for v in tree.below(u)) for u in tree.names}
    order = tree.top_down(weight)

    # People by their own unit: the elements are units (None: no unit).
    units = Partition(unit_sizes, k)
    for unit in order:
        units.admit(tree.below(unit))
    for unit in order:
        units.admit({unit})
    units.admit({None})
    shown = asked if asked in tree.names else None
    while shown is not None and not units.holds(tree.below(shown)):
        shown = tree.parents.get(shown)
    chosen_units = tree.below(shown) if shown is not None else set(unit_sizes) | set(tree.names)
    base = shown if shown is not None else (tree.roots[0] if len(tree.roots) == 1 else None)

    def candidates(elements_of, none_row: bool) -> list[Row]:
        heads = tree.children.get(base, []) if base is not None else tree.roots
        found = [
            Row(str(u), "unit", tree.names[u], u, elements_of(tree.below(u)))
            for u in sorted(heads, key=lambda u: tree.names[u].lower())
        ]
        if base is not None:
            found.append(
                Row(f"direct-{base}", "direct", tree.names[base], base, elements_of({base}))
            )
        if none_row:
            found.append(Row("none", "none", "", None, {None}))
        return found

    unit_layout = Layout(
        rows=_rows(units, candidates(set, shown is None), chosen_units, "other"),
        shown=not units.too_small,
    )

    # Conversation compliance: the elements are line managers (None: no line manager).
    located: dict[int | None, set[int]] = {}
    for manager_id in team_sizes:
        if manager_id is not None:
            located.setdefault(managers.get(manager_id, ("", None))[1], set()).add(manager_id)

    def managed_in(found: set[int]) -> set[int | None]:
        """The line managers whose unit is one of ``found``."""
        return set().union(*(located.get(unit, set()) for unit in found))

    teams = Partition(team_sizes, k)
    teams.admit(managed_in(set(tree.names)))
    for unit in order:
        teams.admit(managed_in(tree.below(unit)))
    for unit in order:
        teams.admit(managed_in({unit}))
    for manager in sorted((m for m in team_sizes if m), key=lambda m: -team_sizes[m]):
        teams.admit({manager})
    chosen = managed_in(chosen_units) if shown is not None else set(team_sizes)
    compliance_shown = teams.size(chosen) > 0 and teams.holds(chosen)
    teams_of = [
        Row(f"m{m}", "manager", managers.get(m, ("", None))[0], None, {m})
        for m in sorted(chosen - {None}, key=lambda m: managers.get(m, ("", None))[0].lower())
    ]
    if None in chosen:
        teams_of.append(Row("none", "none", "", None, {None}))
    return Selection(
        asked=asked,
        unit_id=shown,
        units=unit_layout,
        compliance=Layout(
            rows=_rows(teams, candidates(managed_in, shown is None), chosen, "other"),
            by="manager",
            shown=compliance_shown,
        ),
        managers=Layout(
            rows=_rows(teams, teams_of, chosen, "other-managers"),
            by="manager",
            shown=compliance_shown,
        ),
        subtree=None if shown is None else chosen_units,
    )


def manager_selection(
    *,
    names: Mapping[int, str],
    people: list[tuple[int, int | None, int | None]],
    manager: tuple[int, str],
    asked: int | None,
) -> Selection:
    """A manager's own reports, by their units: nothing is held back (they know them)."""
    in_units = {unit_id for _pk, unit_id, _m in people}
    shown = asked if asked in in_units else None
    chosen = {shown} if shown is not None else in_units
    order = sorted(chosen, key=lambda u: (u is None, names.get(u, "").lower()))

    def rows() -> list[Row]:
        return [
            Row(
                str(u) if u is not None else "none",
                "unit" if u else "none",
                names.get(u, ""),
                u,
                {u},
            )
            for u in order
        ]

    manager_id, name = manager
    return Selection(
        asked=asked,
        unit_id=shown,
        units=Layout(rows=rows()),
        compliance=Layout(rows=rows()),
        managers=Layout(rows=[Row(f"m{manager_id}", "manager", name, None, chosen)]),
        subtree=None if shown is None else chosen,
    )
