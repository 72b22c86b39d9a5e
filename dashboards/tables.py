"""The alignment figures as tables for the page and the CSV, which show exactly the same
numbers. ``alignment.alignment_figures`` already chose rows and a selection that
``disclosure`` allows, so every number is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from goals.progress import SIGNAL_LABELS
from plans.models import DevelopmentAction

from .alignment import Compliance, Coverage, Figures, RowFigures, SelectionFigures, TeamGoal
from .disclosure import Part

COUNT, MONEY, PERCENT, TEXT = "count", "money", "percent", "text"


@dataclass
class Entry:
    """One shown table cell: text for the page, text for the CSV, and styling."""

    text: str
    csv: str
    kind: str = TEXT
    css: str = ""
    href: str = ""
    percent: int | None = None  # for progress bars
    label: str = ""  # signal label next to a progress bar
    note: str = ""  # a second line in the cell (the heatmap's share)

    # The page's cells are built here rather than in a template: a dashboard has a few
    # hundred of them, and an ``{% include %}`` per cell would cost more than the rest.
    @property
    def th(self) -> str:
        if self.href:
            return format_html('<th scope="row"><a href="{}">{}</a></th>', self.href, self.text)
        return format_html('<th scope="row">{}</th>', self.text)

    @property
    def td(self) -> str:
        classes = " ".join(
            part for part in ("text-end text-nowrap" if self.kind != TEXT else "", self.css) if part
        )
        if self.percent is not None:
            badge = (
                format_html(' <span class="badge text-bg-light border">{}</span>', self.label)
                if self.label
                else ""
            )
            inner = format_html(
                '<span class="goal-progress-wrap"><progress class="goal-progress" max="100" '
                'value="{}" aria-hidden="true"></progress> {}</span>{}',
                self.percent,
                self.text,
                badge,
            )
        elif self.note:
            inner = format_html('{}<span class="heat-share">{}</span>', self.text, self.note)
        elif self.href:
            inner = format_html('<a href="{}">{}</a>', self.href, self.text)
        else:
            inner = self.text
        return format_html('<td class="{}">{}</td>', classes, inner)


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[Entry]] = field(default_factory=list)
    total: list[Entry] | None = None
    page_limit: int | None = None  # long lists: the page shows the first rows, the CSV all

    @property
    def page_rows(self) -> list[list[Entry]]:
        return self.rows[: self.page_limit] if self.page_limit else self.rows

    @property
    def more_rows(self) -> int:
        return len(self.rows) - len(self.page_rows)


def _dutch_csv(value: Decimal | int, kind: str) -> str:
    if kind == MONEY:
        return f"{Decimal(value).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)}".replace(
            ".", ","
        )
    return str(value)


def _grouped(value: int | Decimal, *, decimals: int = 0) -> str:
    """A number with the active language's separators (1.234,50 in Dutch)."""
    thousands, decimal = get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def _number(value: int | Decimal, kind: str = COUNT) -> Entry:
    if kind == MONEY:
        amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return Entry(
            text="€ " + _grouped(amount, decimals=2), csv=_dutch_csv(value, kind), kind=kind
        )
    return Entry(text=_grouped(value), csv=_dutch_csv(value, kind), kind=kind)


def _share(part: int | Decimal, whole: int | Decimal) -> int | None:
    if not whole:
        return None
    share = Decimal(part) / Decimal(whole) * 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent_entry(part: int | Decimal, whole: int | Decimal) -> Entry:
    share = _share(part, whole)
    if share is None:
        return Entry(text="", csv="", kind=PERCENT)
    return Entry(text=f"{share} %", csv=str(share), kind=PERCENT)


def _text(value: str, href: str = "") -> Entry:
    return Entry(text=value, csv=value, href=href)


def _heat_entry(part: int, whole: int) -> Entry:
    """A heatmap cell: the number of people, and their share of the row's people as text
    (the colour is the share in four bands, so the meaning never rests on colour alone)."""
    entry = _number(part)
    share = _share(part, whole) or 0
    entry.css = f"heat heat-{min(4, 1 + share // 25) if share else 0}"
    entry.note = f"{share} %"
    return entry


ROW_NO_UNIT = gettext_lazy("No unit")
NO_MANAGER = gettext_lazy("No line manager")
PART_NO_UNIT = gettext_lazy("people without a unit")
PART_NO_MANAGER = gettext_lazy("people without a line manager")
PARTS_SHOWN = 3


def _part_label(part: Part, family: str) -> str:
    if part.kind == "none":
        return str(PART_NO_UNIT if family == "units" else PART_NO_MANAGER)
    if part.kind == "direct":
        return _("directly in %(unit)s") % {"unit": part.label}
    return part.label


def row_label(row: RowFigures, family: str = "units") -> str:
    """``family``: ``units`` (people by their own unit) or ``managers`` (compliance, by the
    line manager's team)."""
    if row.kind == "other":
        names = [_part_label(part, family) for part in row.parts]
        if len(names) > PARTS_SHOWN:
            more = len(names) - PARTS_SHOWN
            names = [
                *names[:PARTS_SHOWN],
                ngettext("%(count)s more", "%(count)s more", more) % {"count": more},
            ]
        if family == "managers" and row.key == "other-managers":
            return _("Other line managers, together (small teams): %(names)s") % {
                "names": ", ".join(names)
            }
        return _("Small groups together: %(names)s") % {"names": ", ".join(names)}
    if row.kind == "none":
        return str(ROW_NO_UNIT if family == "units" else NO_MANAGER)
    if row.kind == "direct":
        return _("Directly in %(unit)s") % {"unit": row.label}
    return row.label


@dataclass
class Dashboard:
    tables: dict[str, Table]
    not_linked_team_goals: list[TeamGoal]
    k: int
    selection: SelectionFigures

    def __iter__(self):
        return iter(self.tables.values())


def _strategy(figures: Figures, goal_url, drill_url) -> Table:
    table = Table(
        key="strategy",
        title=_("Strategic goals"),
        columns=[
            _("Strategic goal"),
            _("Progress"),
            _("Team goals"),
            _("Individual goals"),
            _("Development actions"),
            _("People contributing"),
            _("Completed actions"),
            _("with a reflection"),
            _("with feedback"),
        ],
    )
    for goal in figures.goals:
        signal = str(SIGNAL_LABELS[goal.signal]) if goal.signal else ""
        progress = Entry(
            text="" if goal.percent is None else f"{goal.percent} %",
            csv=(f"{goal.percent}" if goal.percent is not None else "")
            + (f" ({signal})" if signal else ""),
            kind=PERCENT,
            percent=goal.percent,
            label=signal,
        )
        people = _number(goal.people)
        if drill_url is not None and goal.people:
            people.href = drill_url(goal.uuid)
        table.rows.append(
            [
                _text(goal.title, goal_url(goal.uuid)),
                progress,
                _number(goal.team_goals),
                _number(goal.individual_goals),
                _number(goal.actions),
                people,
                _number(goal.completed),
                _number(goal.reflected),
                _number(goal.with_feedback),
            ]
        )
    return table


def _heatmap(figures: Figures) -> Table:
    goals, rows, coverage = figures.goals, figures.rows, figures.coverage
    table = Table(
        key="heatmap",
        title=_("People contributing per unit and strategic goal"),
        columns=[_("Unit"), *[goal.title for goal in goals]],
    )
    for row in rows:
        values = figures.heat.get(row.key, {})
        whole = coverage[row.key].people
        table.rows.append(
            [_text(row_label(row))]
            + [_heat_entry(values.get(str(goal.id), 0), whole) for goal in goals]
        )
    if rows:
        total = sum(coverage[row.key].people for row in rows)
        table.total = [_text(_("Total"))] + [_heat_entry(goal.people, total) for goal in goals]
    return table


def _not_linked(figures: Figures, goal_url) -> tuple[Table, Table]:
    counts = figures.not_linked
    numbers = Table(
        key="not_linked",
        title=_("Not linked to any strategic goal"),
        columns=[_("What"), _("Number")],
    )
    if figures.rows:
        numbers.rows = [
            [_text(_("Team goals")), _number(counts.team_goals)],
            [_text(_("Individual goals")), _number(counts.individual_goals)],
            [_text(_("Development actions")), _number(counts.actions)],
        ]
    team_list = Table(
        key="not_linked_team_goals",
        title=_("Team goals not linked to a strategic goal"),
        columns=[_("Team goal"), _("Unit")],
        page_limit=25,
    )
    team_list.rows = [
        [_text(item.title, goal_url(item.uuid)), _text(item.unit)] for item in counts.team_goal_list
    ]
    return numbers, team_list


def _coverage(figures: Figures) -> Table:
    table = Table(
        key="coverage",
        title=_("Plan coverage"),
        columns=[
            _("Unit"),
            _("People"),
            _("With a plan"),
            _("With a plan (%)"),
            _("With an agreed plan"),
            _("Plan updated in the last 90 days"),
        ],
    )

    def line(label: str, group: Coverage) -> list[Entry]:
        return [
            _text(label),
            _number(group.people),
            _number(group.with_plan),
            _percent_entry(group.with_plan, group.people),
            _number(group.agreed),
            _number(group.recent),
        ]

    groups = [figures.coverage[row.key] for row in figures.rows]
    table.rows = [
        line(row_label(row), group) for row, group in zip(figures.rows, groups, strict=True)
    ]
    if groups:
        table.total = line(
            _("Total"),
            Coverage(
                people=sum(g.people for g in groups),
                with_plan=sum(g.with_plan for g in groups),
                agreed=sum(g.agreed for g in groups),
                recent=sum(g.recent for g in groups),
            ),
        )
    return table


def _compliance(figures: Figures) -> tuple[Table, Table]:
    columns = [_("People"), _("Overdue under the conversation policy"), _("On schedule (%)")]

    def line(label: str, counts: Compliance) -> list[Entry]:
        people, late = counts.people, counts.overdue
        return [
            _text(label),
            _number(people),
            _number(late),
            _percent_entry(people - late, people),
        ]

    per_unit = Table(
        key="compliance_units",
        title=_("Conversation compliance per unit"),
        columns=[_("Unit of the line manager"), *columns],
    )
    rows = [row for row in figures.compliance_rows if row.key in figures.compliance]
    per_unit.rows = [line(row_label(row, "managers"), figures.compliance[row.key]) for row in rows]
    per_manager = Table(
        key="compliance_managers",
        title=_("Conversation compliance per manager"),
        columns=[_("Line manager"), *columns],
        page_limit=40,
    )
    per_manager.rows = [
        line(row.label if row.kind == "manager" else row_label(row, "managers"), row)
        for row in figures.managers
    ]
    if rows:
        counted = [figures.compliance[row.key] for row in rows]
        totals = Compliance(
            people=sum(c.people for c in counted), overdue=sum(c.overdue for c in counted)
        )
        per_unit.total = per_manager.total = line(_("Total"), totals)
    return per_unit, per_manager


def _actions(figures: Figures) -> Table:
    statuses = list(DevelopmentAction.Status)
    kinds = [kind for kind in DevelopmentAction.Kind if kind.value in figures.actions]
    grid = {kind.value: figures.actions[kind.value] for kind in kinds}
    table = Table(
        key="actions",
        title=_("Development actions by kind and status"),
        columns=[_("Kind"), *[str(s.label) for s in statuses], _("Total")],
    )
    table.rows = [
        [_text(str(kind.label).capitalize())]
        + [_number(grid[kind.value].get(s.value, 0)) for s in statuses]
        + [_number(sum(grid[kind.value].values()))]
        for kind in kinds
    ]
    if kinds:
        table.total = (
            [_text(_("Total"))]
            + [_number(sum(grid[k].get(s.value, 0) for k in grid)) for s in statuses]
            + [_number(sum(sum(by_status.values()) for by_status in grid.values()))]
        )
    return table


def _budget(figures: Figures) -> Table:
    table = Table(
        key="budget",
        title=_("Development budget per unit"),
        columns=[_("Unit"), _("Budget used (€)"), _("Budget available (€)"), _("Used (%)")],
    )

    def line(label: str, used: Decimal, available: Decimal) -> list[Entry]:
        return [
            _text(label),
            _number(used, MONEY),
            _number(available, MONEY),
            _percent_entry(used, available),
        ]

    money = [figures.budget[row.key] for row in figures.rows]
    table.rows = [
        line(row_label(row), budget.used, budget.available)
        for row, budget in zip(figures.rows, money, strict=True)
    ]
    if money:
        table.total = line(
            _("Total"),
            sum((m.used for m in money), Decimal(0)),
            sum((m.available for m in money), Decimal(0)),
        )
    return table


def _gaps(figures: Figures) -> Table:
    table = Table(
        key="gaps",
        title=_("Largest competency gaps (training needs)"),
        columns=[
            _("Competency"),
            _("People with this gap"),
            _("Levels to grow, in total"),
            _("Strategic goals served"),
        ],
    )
    table.rows = [
        [
            _text(gap.competency),
            _number(gap.people),
            _number(gap.points),
            _text(", ".join(gap.goals)),
        ]
        for gap in figures.gaps
    ]
    return table


def build(figures: Figures, *, k: int, goal_url, drill_url=None) -> Dashboard:
    """The tables of ``alignment.alignment_figures``.

    ``goal_url(uuid)`` links a goal; ``drill_url(goal_uuid)`` (HR only) links the named
    drill-down of a strategic goal.
    """
    not_linked, team_list = _not_linked(figures, goal_url)
    per_unit, per_manager = _compliance(figures)
    tables = [
        _strategy(figures, goal_url, drill_url),
        _heatmap(figures),
        not_linked,
        team_list,
        _coverage(figures),
        per_unit,
        per_manager,
        _actions(figures),
        _budget(figures),
        _gaps(figures),
    ]
    return Dashboard(
        tables={table.key: table for table in tables},
        not_linked_team_goals=figures.not_linked.team_goal_list,
        k=k,
        selection=figures.selection,
    )
