"""The alignment figures as tables, suppressed for small groups (see ``suppression``).

One set of tables serves the page and the CSV, so both show exactly the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import get_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from goals.progress import SIGNAL_LABELS
from plans.models import DevelopmentAction

from .suppression import Cell, Line, protect, rest_of

COUNT, MONEY, PERCENT, TEXT = "count", "money", "percent", "text"
HIDDEN_MARK = "*"
SMALL_TITLE = gettext_lazy("A small group: not shown to protect privacy")
HIDDEN_TITLE = gettext_lazy("Hidden so that a small group cannot be worked out from the totals")


@dataclass
class Entry:
    """One shown table cell: text for the page, text for the CSV, and styling."""

    text: str
    csv: str
    kind: str = TEXT
    css: str = ""
    href: str = ""
    small: bool = False
    hidden: bool = False
    percent: int | None = None  # for progress bars
    label: str = ""  # signal label next to a progress bar

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
        elif self.hidden:
            inner = format_html(
                '<span class="suppressed" title="{}">{}</span>',
                SMALL_TITLE if self.small else HIDDEN_TITLE,
                self.text,
            )
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


def _show(cell: Cell | None, kind: str, k: int) -> Entry:
    if cell is None:
        return Entry(text="", csv="", kind=kind)
    if cell.small:
        text = f"< {k}"
        return Entry(text=text, csv=text, kind=kind, small=True, hidden=True)
    if cell.hidden:
        return Entry(text=HIDDEN_MARK, csv=HIDDEN_MARK, kind=kind, hidden=True)
    if kind == MONEY:
        amount = Decimal(cell.value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        text = "€ " + _grouped(amount, decimals=2)
    else:
        text = _grouped(cell.value)
    return Entry(text=text, csv=_dutch_csv(cell.value, kind), kind=kind)


def _share(part: Cell, whole: Cell) -> int | None:
    if not (part.shown and whole.shown) or not whole.value:
        return None
    share = Decimal(part.value) / Decimal(whole.value) * 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _percent_entry(part: Cell, whole: Cell) -> Entry:
    share = _share(part, whole)
    if share is None:
        hidden = not (part.shown and whole.shown)
        mark = HIDDEN_MARK if hidden else ""
        return Entry(text=mark, csv=mark, kind=PERCENT, hidden=hidden)
    return Entry(text=f"{share} %", csv=str(share), kind=PERCENT)


def _text(value: str, href: str = "") -> Entry:
    return Entry(text=value, csv=value, href=href)


def _heat_css(part: Cell, whole: Cell) -> str:
    if not part.shown:
        return "heat heat-hidden"
    share = _share(part, whole)
    if share is None or share == 0:
        return "heat heat-0"
    return f"heat heat-{min(4, 1 + share // 25)}"


ROW_NO_UNIT = gettext_lazy("No unit")
NO_MANAGER = gettext_lazy("No line manager")


def row_label(row: dict) -> str:
    if row["key"] == "none":
        return str(ROW_NO_UNIT)
    if row["direct"]:
        return _("Directly in %(unit)s") % {"unit": row["label"]}
    return row["label"]


@dataclass
class Dashboard:
    tables: dict[str, Table]
    not_linked_team_goals: list[dict]
    k: int

    def __iter__(self):
        return iter(self.tables.values())


def build(payload: dict, *, k: int, goal_url, drill_url=None) -> Dashboard:
    """Suppressed tables from ``alignment.compute``'s figures.

    ``goal_url(uuid)`` links a goal; ``drill_url(goal_uuid)`` (HR only) links the named
    drill-down of a strategic goal.
    """
    cells: list[Cell] = []
    lines: list[Line] = []

    def cell(value, *, sensitive: bool = True) -> Cell:
        made = Cell(value=value, sensitive=sensitive)
        cells.append(made)
        return made

    rows = payload["rows"]
    goals = payload["goals"]
    coverage = payload["coverage"]

    # People and plan coverage per row (the headcount is the whole for most other numbers).
    names = ("people", "with_plan", "agreed", "recent")
    cov = {row["key"]: {n: cell(coverage[row["key"]][n]) for n in names} for row in rows}
    cov_total = {n: cell(sum(coverage[row["key"]][n] for row in rows)) for n in names}
    for group in [*cov.values(), cov_total]:
        group["people"].members += [group["with_plan"], group["agreed"], group["recent"]]
        lines.append(rest_of(group["people"], group["with_plan"]))
        lines.append(rest_of(group["with_plan"], group["agreed"]))
        lines.append(rest_of(group["with_plan"], group["recent"]))
    for n in names:
        lines.append(Line(cells=[cov[row["key"]][n] for row in rows], total=cov_total[n]))

    # Strategic goals and the unit × goal heatmap of people contributing.
    goal_cells = {
        goal["id"]: {
            "individual_goals": cell(goal["individual_goals"]),
            "actions": cell(goal["actions"]),
            "people": cell(goal["people"]),
            "team_goals": cell(goal["team_goals"], sensitive=False),
        }
        for goal in goals
    }
    heat: dict[str, dict[int, Cell]] = {}
    for row in rows:
        values = payload["heat"].get(row["key"], {})
        heat[row["key"]] = {goal["id"]: cell(values.get(str(goal["id"]), 0)) for goal in goals}
        whole = cov[row["key"]]["people"]
        for goal_cell in heat[row["key"]].values():
            whole.members.append(goal_cell)
            lines.append(rest_of(whole, goal_cell))
    for goal in goals:
        total = goal_cells[goal["id"]]["people"]
        lines.append(Line(cells=[heat[row["key"]][goal["id"]] for row in rows], total=total))
        lines.append(rest_of(cov_total["people"], total))
        total.members += [
            goal_cells[goal["id"]]["individual_goals"],
            goal_cells[goal["id"]]["actions"],
        ]

    # Not linked to any strategic goal.
    not_linked = payload["not_linked"]
    nl_cells = {
        "team_goals": cell(not_linked["team_goals"], sensitive=False),
        "individual_goals": cell(not_linked["individual_goals"]),
        "actions": cell(not_linked["actions"]),
    }

    # Development actions by kind and status.
    statuses = list(DevelopmentAction.Status)
    kinds = [kind for kind in DevelopmentAction.Kind if kind.value in payload["actions"]]
    grid = {
        kind.value: {
            s.value: cell(payload["actions"][kind.value].get(s.value, 0)) for s in statuses
        }
        for kind in kinds
    }
    kind_totals = {kind: cell(sum(c.value for c in grid[kind].values())) for kind in grid}
    status_totals = {s.value: cell(sum(grid[k2][s.value].value for k2 in grid)) for s in statuses}
    grand = cell(sum(c.value for c in kind_totals.values()))
    for kind, by_status in grid.items():
        lines.append(Line(cells=list(by_status.values()), total=kind_totals[kind]))
    for s in statuses:
        lines.append(Line(cells=[grid[k2][s.value] for k2 in grid], total=status_totals[s.value]))
    lines.append(Line(cells=list(kind_totals.values()), total=grand))
    lines.append(Line(cells=list(status_totals.values()), total=grand))

    # Budget per row: hidden with the row's headcount.
    budget = {
        row["key"]: {
            name: cell(Decimal(payload["budget"][row["key"]][name]), sensitive=False)
            for name in ("used", "available")
        }
        for row in rows
    }
    budget_total = {
        name: cell(sum((b[name].value for b in budget.values()), Decimal(0)), sensitive=False)
        for name in ("used", "available")
    }
    for row in rows:
        cov[row["key"]]["people"].dependents += list(budget[row["key"]].values())

    # Conversation compliance: people overdue under the cadence policy, per row and manager.
    overdue = {row["key"]: cell(payload["compliance"].get(row["key"], 0)) for row in rows}
    overdue_total = cell(sum(c.value for c in overdue.values()))
    for row in rows:
        whole = cov[row["key"]]["people"]
        whole.members.append(overdue[row["key"]])
        lines.append(rest_of(whole, overdue[row["key"]]))
    lines.append(Line(cells=list(overdue.values()), total=overdue_total))
    lines.append(rest_of(cov_total["people"], overdue_total))
    managers = []
    for item in payload["managers"]:
        reports, late = cell(item["people"]), cell(item["overdue"])
        reports.members.append(late)
        lines.append(rest_of(reports, late))
        managers.append((item["name"], reports, late))
    lines.append(Line(cells=[m[1] for m in managers], total=cov_total["people"]))
    lines.append(Line(cells=[m[2] for m in managers], total=overdue_total))

    # Training needs.
    gap_cells = []
    for gap in payload["gaps"]:
        people = cell(gap["people"])
        points = cell(gap["points"], sensitive=False)
        people.members.append(points)
        gap_cells.append((gap, people, points))

    protect(cells=cells, lines=lines, k=k)

    tables: dict[str, Table] = {}
    strategy_columns = [
        _("Strategic goal"),
        _("Progress"),
        _("Team goals"),
        _("Individual goals"),
        _("Development actions"),
        _("People contributing"),
    ]
    strategy = Table(key="strategy", title=_("Strategic goals"), columns=strategy_columns)
    for goal in goals:
        c = goal_cells[goal["id"]]
        signal = str(SIGNAL_LABELS[goal["signal"]]) if goal["signal"] else ""
        progress_text = "" if goal["percent"] is None else f"{goal['percent']} %"
        progress = Entry(
            text=progress_text,
            csv=(f"{goal['percent']}" if goal["percent"] is not None else "")
            + (f" ({signal})" if signal else ""),
            kind=PERCENT,
            percent=goal["percent"],
            label=signal,
        )
        people = _show(c["people"], COUNT, k)
        if drill_url is not None and c["people"].value:
            people.href = drill_url(goal["uuid"])
        strategy.rows.append(
            [
                _text(goal["title"], goal_url(goal["uuid"])),
                progress,
                _show(c["team_goals"], COUNT, k),
                _show(c["individual_goals"], COUNT, k),
                _show(c["actions"], COUNT, k),
                people,
            ]
        )
    tables["strategy"] = strategy

    heatmap = Table(
        key="heatmap",
        title=_("People contributing per unit and strategic goal"),
        columns=[_("Unit"), *[goal["title"] for goal in goals]],
    )
    for row in rows:
        entries = [_text(row_label(row))]
        whole = cov[row["key"]]["people"]
        for goal in goals:
            part = heat[row["key"]][goal["id"]]
            entry = _show(part, COUNT, k)
            entry.css = _heat_css(part, whole)
            entries.append(entry)
        heatmap.rows.append(entries)
    heatmap.total = [_text(_("Total"))] + [
        _show(goal_cells[goal["id"]]["people"], COUNT, k) for goal in goals
    ]
    tables["heatmap"] = heatmap

    unlinked = Table(
        key="not_linked",
        title=_("Not linked to any strategic goal"),
        columns=[_("What"), _("Number")],
    )
    unlinked.rows = [
        [_text(_("Team goals")), _show(nl_cells["team_goals"], COUNT, k)],
        [_text(_("Individual goals")), _show(nl_cells["individual_goals"], COUNT, k)],
        [_text(_("Development actions")), _show(nl_cells["actions"], COUNT, k)],
    ]
    tables["not_linked"] = unlinked

    team_list = Table(
        key="not_linked_team_goals",
        title=_("Team goals not linked to a strategic goal"),
        columns=[_("Team goal"), _("Unit")],
        page_limit=25,
    )
    team_list.rows = [
        [_text(item["title"], goal_url(item["uuid"])), _text(item["unit"])]
        for item in not_linked["team_goal_list"]
    ]
    tables["not_linked_team_goals"] = team_list

    cover = Table(
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

    def coverage_row(label: str, group: dict[str, Cell]) -> list[Entry]:
        return [
            _text(label),
            _show(group["people"], COUNT, k),
            _show(group["with_plan"], COUNT, k),
            _percent_entry(group["with_plan"], group["people"]),
            _show(group["agreed"], COUNT, k),
            _show(group["recent"], COUNT, k),
        ]

    cover.rows = [coverage_row(row_label(row), cov[row["key"]]) for row in rows]
    cover.total = coverage_row(_("Total"), cov_total)
    tables["coverage"] = cover

    def compliance_row(label: str, people: Cell, late: Cell) -> list[Entry]:
        on_time = Cell(value=people.value - late.value, hidden=not (people.shown and late.shown))
        return [
            _text(label),
            _show(people, COUNT, k),
            _show(late, COUNT, k),
            _percent_entry(on_time, people),
        ]

    compliance_columns = [
        _("People"),
        _("Overdue under the conversation policy"),
        _("On schedule (%)"),
    ]
    per_unit = Table(
        key="compliance_units",
        title=_("Conversation compliance per unit"),
        columns=[_("Unit"), *compliance_columns],
    )
    per_unit.rows = [
        compliance_row(row_label(row), cov[row["key"]]["people"], overdue[row["key"]])
        for row in rows
    ]
    per_unit.total = compliance_row(_("Total"), cov_total["people"], overdue_total)
    tables["compliance_units"] = per_unit
    per_manager = Table(
        key="compliance_managers",
        title=_("Conversation compliance per manager"),
        columns=[_("Line manager"), *compliance_columns],
        page_limit=40,
    )
    per_manager.rows = [
        compliance_row(name or str(NO_MANAGER), reports, late) for name, reports, late in managers
    ]
    per_manager.total = compliance_row(_("Total"), cov_total["people"], overdue_total)
    tables["compliance_managers"] = per_manager

    by_kind = Table(
        key="actions",
        title=_("Development actions by kind and status"),
        columns=[_("Kind"), *[str(s.label) for s in statuses], _("Total")],
    )
    by_kind.rows = [
        [_text(str(kind.label).capitalize())]
        + [_show(grid[kind.value][s.value], COUNT, k) for s in statuses]
        + [_show(kind_totals[kind.value], COUNT, k)]
        for kind in kinds
    ]
    by_kind.total = (
        [_text(_("Total"))]
        + [_show(status_totals[s.value], COUNT, k) for s in statuses]
        + [_show(grand, COUNT, k)]
    )
    tables["actions"] = by_kind

    money = Table(
        key="budget",
        title=_("Development budget per unit"),
        columns=[_("Unit"), _("Budget used (€)"), _("Budget available (€)"), _("Used (%)")],
    )

    def budget_row(label: str, group: dict[str, Cell]) -> list[Entry]:
        return [
            _text(label),
            _show(group["used"], MONEY, k),
            _show(group["available"], MONEY, k),
            _percent_entry(group["used"], group["available"]),
        ]

    money.rows = [budget_row(row_label(row), budget[row["key"]]) for row in rows]
    money.total = budget_row(_("Total"), budget_total)
    tables["budget"] = money

    needs = Table(
        key="gaps",
        title=_("Largest competency gaps (training needs)"),
        columns=[
            _("Competency"),
            _("People with this gap"),
            _("Levels to grow, in total"),
            _("Strategic goals served"),
        ],
    )
    needs.rows = [
        [
            _text(gap["competency"]),
            _show(people, COUNT, k),
            _show(points, COUNT, k),
            _text(", ".join(gap["goals"]) if people.shown else ""),
        ]
        for gap, people, points in gap_cells
    ]
    tables["gaps"] = needs
    return Dashboard(tables=tables, not_linked_team_goals=not_linked["team_goal_list"], k=k)
