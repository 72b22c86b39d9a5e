"""The HR alignment dashboard's tables as JSON, with the dashboard's small-group rules: a
group smaller than the organisation's minimum size is ``suppressed`` (no value), and so
is any cell from which one could be worked out."""

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
    value: Decimal | int | str | None = Field(description="Null when suppressed.")
    suppressed: bool = Field(description="A small group, or one that totals would reveal.")
    text: str = Field(description="As the dashboard shows it (such as '< 5').")


class TableOut(Schema):
    key: str
    title: str
    columns: list[str]
    rows: list[list[CellOut]]
    total: list[CellOut] | None


class AlignmentOut(Schema):
    computed_at: str
    min_group_size: int
    tables: list[TableOut]


class AlignmentFilters(Schema):
    unit_id: UUID | None = Field(None, description="Only this unit and the units below it.")
    year: int | None = Field(None, ge=2000, le=2100, description="Goals due in this year.")


def _cell(entry: Entry) -> dict:
    if entry.hidden:
        return {"value": None, "suppressed": True, "text": entry.text}
    if entry.kind == COUNT and entry.csv:
        value: object = int(entry.csv)
    elif entry.kind == MONEY and entry.csv:
        value = Decimal(entry.csv.replace(",", "."))
    elif entry.kind == PERCENT:
        value = entry.percent
    else:
        value = entry.text or None
    return {"value": value, "suppressed": False, "text": entry.text}


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
    return {
        "computed_at": snapshot.computed_at.isoformat(timespec="seconds"),
        "min_group_size": dashboard.k,
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
