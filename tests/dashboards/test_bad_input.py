"""Hostile filters on the HR alignment dashboard, its CSV export, its refresh and its
named drill-down: never a server error, a bad value drops only that filter."""

from __future__ import annotations

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from people.models import AuditEvent
from tests.hostile import assert_refused, choices, db_state, form, get, post, rolled_back, texts

PERIODS = ["2026", "2025", "all", "9999", "0", "-1", "10000", "2026.0", "１２"]


def _filters(world, strategy):
    return form(
        {"unit": str(world.team.pk), "period": "all"},
        unit=choices(world.team.pk, world.department.pk, world.other_team.pk),
        period=st.one_of(st.sampled_from(PERIODS), texts(max_size=8)),
        goal=choices(strategy.digital.uuid),
        show=choices("not-linked"),
    )


def test_alignment_page_csv_and_drill_down(world, strategy, as_user):
    clients = {"hr": as_user(world.hr), "manager": as_user(world.manager)}
    pages = {
        "page": reverse("dashboards:alignment"),
        "csv": reverse("dashboards:alignment-csv"),
        "people": reverse("dashboards:alignment-people"),
    }

    @given(
        persona=st.sampled_from(sorted(clients)),
        page=st.sampled_from(sorted(pages)),
        data=_filters(world, strategy),
    )
    def check(persona, page, data):
        with rolled_back():
            response = get(clients[persona], pages[page], data)
            if page == "people":
                # HR only; a goal that is not a strategic goal of this organisation: 404.
                if response.status_code == 200:
                    assert persona == "hr"
                    assert AuditEvent.objects.filter(object_type="alignment-drilldown").exists()
                else:
                    assert_refused(response, 404)
                return
            assert response.status_code == 200
            if page == "csv":
                assert response["Content-Type"].startswith("text/csv")

    check()


def test_refresh_with_hostile_filters(world, strategy, as_user):
    client = as_user(world.hr)
    url = reverse("dashboards:alignment-refresh")

    @given(data=_filters(world, strategy))
    def check(data):
        with rolled_back():
            before = {
                label: value
                for label, value in db_state().items()
                if label != "dashboards.AlignmentSnapshot"
            }
            response = post(client, url, data)
            assert response.status_code == 302
            assert response.url.startswith(reverse("dashboards:alignment") + "?")
            after = db_state()
            assert {label: after[label] for label in before} == before

    check()
