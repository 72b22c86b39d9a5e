"""The HR alignment dashboard's tables as JSON: the same figures as HR's page and CSV
(``dashboards.selectors.alignment_dashboard``), so the same small-group rules: every
figure is about at least the organisation's minimum group size, smaller units and teams
are counted together, and a unit too small to show on its own is not shown alone."""

from decimal import Decimal
from uuid import UUID

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from dashboards.alignment import Scope
from dashboards.selectors import alignment_dashboard
from dashboards.tables import COUNT, MONEY, PERCENT, Entry
from people.access import units_of_organisation
from people.models import ApiClient

from .auth import scoped
from .common import client_of, get_or_404

router = Router(tags=["alignment"])
READ = scoped(ApiClient.Scope.ALIGNMENT_READ)


class CellOut(Schema):
    value: Decimal | int | str | None = Field(description="A number, a percentage or a label.")
    text: str = Field(description="As the dashboard shows it.")


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[CellOut]]
    total: list[CellOut] | None


class AlignmentOut(Schema):
    computed_at: str
    min_group_size: int
    unit: str | None = Field(description="The unit the figures are about (null: all).")
    unit_not_shown_alone: bool = Field(
        description="The unit asked for is smaller than the minimum group size: the "
        "figures are of the group it is counted in."
    )
    tables: list[TableOut]


class AlignmentFilters(Schema):
    unit_id: UUID | None = Field(None, description="Only this unit and the units below it.")
    year: int | None = Field(None, ge=2000, le=2100, description="Goals due in this year.")


def _cell(entry: Entry) -> dict:
    """The figure behind a cell (its CSV text, which has the exact number)."""
    value: object = None
    if entry.kind == PERCENT:
        value = entry.percent if entry.percent is not None else _leading_number(entry.csv)
    elif entry.kind == COUNT and entry.csv:
        value = int(entry.csv)
    elif entry.kind == MONEY and entry.csv:
        value = Decimal(entry.csv.replace(",", "."))
    elif entry.csv:
        value = entry.csv
    return {"value": value, "text": entry.text}


def _leading_number(text: str) -> int | None:
    """A percentage's number ("25 (in gevaar)": 25), or None for an empty cell."""
    digits = text.split(" ", 1)[0]
    return int(digits) if digits.isdigit() else None


@router.get("/alignment", response=AlignmentOut, **READ)
def alignment(request: HttpRequest, filters: Query[AlignmentFilters]):
    organisation = client_of(request).organisation
    unit = None
    if filters.unit_id:
        unit = get_or_404(units_of_organisation(organisation.pk), filters.unit_id)
    scope = Scope(
        organisation=organisation,
        manager_id=None,
        unit_id=unit.pk if unit else None,
        year=filters.year,
    )
    dashboard, snapshot = alignment_dashboard(scope=scope)
    selection = dashboard.selection
    return {
        "computed_at": snapshot.computed_at.isoformat(timespec="seconds"),
        "min_group_size": dashboard.k,
        "unit": selection.label or None,
        "unit_not_shown_alone": selection.widened,
        "tables": [
            {
                "key": table.key,
                "title": str(table.title),
                "columns": [str(column) for column in table.columns],
                "rows": [[_cell(entry) for entry in row] for row in table.rows],
                "total": [_cell(entry) for entry in table.total] if table.total else None,
            }
            for table in dashboard
        ],
    }
