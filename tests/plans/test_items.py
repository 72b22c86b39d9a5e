"""Each plan item kind is declared once (``plans.items.KINDS``); what the declarations
promise, checked against the models and forms they name."""

import pytest

from plans.items import KINDS, SNAPSHOT_ITEMS


@pytest.mark.parametrize(
    "kind", [kind for kind in KINDS.values() if kind.content], ids=lambda kind: kind.name
)
def test_an_agreed_version_keeps_every_field_people_edit(kind):
    """A field added to a kind's form but not to its snapshot fields would be left out of
    agreed versions and their comparisons without anyone noticing."""
    editable = set(kind.form._meta.fields)
    assert editable <= set(kind.snapshot_fields), kind.name
    for name in kind.snapshot_fields:
        assert kind.model._meta.get_field(name)


def test_private_notes_leave_no_history_and_are_in_no_version():
    note = KINDS["note"]
    assert not note.content and note.private and not note.snapshot_fields
    assert note not in SNAPSHOT_ITEMS


def test_items_that_can_be_added_say_where_they_show_up():
    for kind in KINDS.values():
        assert bool(kind.section) != kind.is_plan_section, kind.name
