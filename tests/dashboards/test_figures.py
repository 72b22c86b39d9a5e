"""The figures are computed as typed results and stored as JSON (``AlignmentSnapshot``);
the tables read the stored JSON back into the same types."""

import json

import pytest

from dashboards.alignment import Scope, alignment_figures, figures_from_json, figures_to_json
from tests.dashboards.conftest import YEAR


@pytest.mark.parametrize("k", [1, 5])
def test_stored_figures_read_back_as_computed(world, strategy, k):
    world.organisation.min_group_size = k
    for manager, unit in ((None, None), (None, world.department), (world.manager, None)):
        scope = Scope(
            organisation=world.organisation,
            manager_id=manager.pk if manager else None,
            unit_id=unit.pk if unit else None,
            year=YEAR,
        )
        figures = alignment_figures(scope)
        stored = json.loads(json.dumps(figures_to_json(figures)))  # as the JSON column keeps it
        assert figures_from_json(stored) == figures
        assert figures.rows and figures.goals and figures.coverage  # something to compare


def test_the_stored_shape_is_the_one_earlier_snapshots_have(world, strategy):
    """Snapshots stored before the figures were typed read back without a recompute."""
    world.organisation.min_group_size = 1
    scope = Scope(organisation=world.organisation, manager_id=None, unit_id=None, year=YEAR)
    stored = figures_to_json(alignment_figures(scope))
    assert set(stored) == {
        "computed_at", "scope", "selection", "rows", "goals", "heat", "coverage", "budget",
        "not_linked", "actions", "gaps", "compliance_rows", "compliance", "managers",
    }  # fmt: skip
    row = stored["rows"][0]
    assert set(row) == {"key", "kind", "label", "unit_id", "parts"}
    assert set(stored["coverage"][row["key"]]) == {"people", "with_plan", "agreed", "recent"}
    assert isinstance(stored["budget"][row["key"]]["used"], str)
    assert set(stored["managers"][0]) == {*row, "people", "overdue"}
