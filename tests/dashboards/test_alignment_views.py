"""Who may open which dashboards URL, the CSV for Dutch Excel, and the audited drill-down."""

import csv
import io

import pytest
from django.urls import reverse

from dashboards.models import AlignmentSnapshot
from people.models import AuditEvent

ALIGNMENT = reverse("dashboards:alignment")
CSV = reverse("dashboards:alignment-csv")
PEOPLE = reverse("dashboards:alignment-people")
REFRESH = reverse("dashboards:alignment-refresh")

# persona -> expected status for (page, csv, drill-down, refresh)
MATRIX = {
    "employee": (404, 404, 404, 404),
    "colleague": (404, 404, 404, 404),
    "manager": (200, 200, 404, 302),
    "other_manager": (200, 200, 404, 302),
    "hr": (200, 200, 200, 302),
    "other_hr": (200, 200, 404, 302),  # their own organisation; our goal is not theirs
}


@pytest.mark.parametrize("persona", sorted(MATRIX))
def test_permission_matrix(world, strategy, as_user, persona):
    client = as_user(getattr(world, persona))
    drill = f"{PEOPLE}?goal={strategy.digital.uuid}"
    got = (
        client.get(ALIGNMENT).status_code,
        client.get(CSV).status_code,
        client.get(drill).status_code,
        client.post(REFRESH).status_code,
    )
    assert got == MATRIX[persona]


def test_anonymous_is_sent_to_sign_in(world, strategy, client):
    for url in (ALIGNMENT, CSV, PEOPLE):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert "/accounts/login/" in client.post(REFRESH)["Location"]


def test_wrong_methods(world, as_user):
    client = as_user(world.hr)
    assert client.post(ALIGNMENT).status_code == 405
    assert client.post(CSV).status_code == 405
    assert client.post(PEOPLE).status_code == 405
    assert client.get(REFRESH).status_code == 405


def test_other_organisations_hr_sees_nothing_of_ours(world, strategy, as_user):
    html = as_user(world.other_hr).get(ALIGNMENT).content.decode()
    assert "Digitalisering" not in html and "Wijkteam Noord" not in html


def test_manager_sees_only_their_reports_and_no_names(world, strategy, as_user):
    html = as_user(world.manager).get(ALIGNMENT).content.decode()
    assert "Digitalisering" in html
    assert "Bedrijfsvoering" not in html  # not a unit of their reports
    assert PEOPLE not in html  # no drill-down links
    for name in ("Sanne Jansen", "Daan Visser", "Noor de Boer"):
        assert name not in html


def test_hr_drilldown_lists_names_and_is_audited(world, strategy, as_user):
    client = as_user(world.hr)
    html = client.get(ALIGNMENT, {"period": "all"}).content.decode()
    drill = f"{PEOPLE}?unit=&amp;period=all&amp;goal={strategy.digital.uuid}"
    assert drill in html
    response = client.get(PEOPLE, {"period": "all", "goal": str(strategy.digital.uuid)})
    page = response.content.decode()
    for name in ("Sanne Jansen", "Daan Visser", "Bas Kok", "Eva Dijkstra"):
        assert name in page
    assert "Noor de Boer" not in page  # contributes to the other goal
    assert "Sannes eigen doel" not in page and "een privé-doel" in page  # never the title
    # One event per person named on the page: whose data HR saw.
    events = AuditEvent.objects.filter(object_type="alignment-drilldown")
    assert {event.subject.full_name for event in events} == {
        "Sanne Jansen",
        "Daan Visser",
        "Bas Kok",
        "Eva Dijkstra",
    }
    for event in events:
        assert event.actor == world.hr and event.action == AuditEvent.Action.READ
        assert event.object_id == str(strategy.digital.uuid)


def test_hr_drilldown_of_what_is_not_linked(world, strategy, as_user):
    page = as_user(world.hr).get(PEOPLE, {"show": "not-linked"}).content.decode()
    assert "Bram Peters" in page and "een privé-doel" in page  # his unlinked goal
    assert "I4 eigen ambitie" not in page  # private: HR never sees its title
    assert "Daan Visser" in page and "Mila Hendriks" in page  # unlinked actions
    assert "Sanne Jansen" not in page
    assert AuditEvent.objects.filter(
        object_type="alignment-drilldown", object_id="not-linked"
    ).exists()


def test_drilldown_of_an_unknown_goal_is_404(world, strategy, as_user):
    client = as_user(world.hr)
    assert client.get(PEOPLE, {"goal": "not-a-uuid"}).status_code == 404
    assert client.get(PEOPLE, {"goal": str(strategy.team_digital.uuid)}).status_code == 404


def test_csv_opens_in_dutch_excel(world, strategy, as_user):
    # With groups of 2, Zorg (8 of 10 people) may be shown on its own.
    world.organisation.min_group_size = 2
    world.organisation.save(update_fields=["min_group_size"])
    response = as_user(world.hr).get(CSV, {"unit": world.department.pk, "period": "all"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    titles = [row[0] for row in rows if len(row) == 1]
    for title in (
        "Strategische doelen",
        "Medewerkers die bijdragen per afdeling of team en strategisch doel",
        "Niet gekoppeld aan een strategisch doel",
        "Plandekking",
        "Ontwikkelacties per soort en status",
        "Ontwikkelbudget per afdeling of team",
        "Grootste competentiekloven (opleidingsbehoefte)",
    ):
        assert title in titles
    budget = rows[rows.index(["Ontwikkelbudget per afdeling of team"]) + 1 :]
    total = next(row for row in budget if row[0] == "Totaal")
    assert total[1] == "350,00"  # decimal comma, no thousands separator
    assert total[2] == "3000,00"
    assert "Wijkteam Noord" in {row[0] for row in budget if row}  # the unit filter applies
    assert AuditEvent.objects.filter(object_type="alignment-csv", actor=world.hr).exists()


def test_page_shows_the_figures_and_their_age(world, strategy, as_user):
    client = as_user(world.hr)
    html = client.get(ALIGNMENT).content.decode()
    assert "Strategie-dashboard" in html
    assert 'data-testid="figures-age"' in html and "Cijfers van" in html
    assert "92 %" in html and "Op koers" in html
    assert AlignmentSnapshot.objects.filter(organisation=world.organisation).count() == 1


def test_refresh_recomputes_the_figures(world, strategy, as_user):
    client = as_user(world.hr)
    client.get(ALIGNMENT)
    strategy.bram.is_active = False
    strategy.bram.save()
    response = client.post(f"{REFRESH}?unit=&period=all")
    assert response.status_code == 302 and "period=all" in response["Location"]
    fresh = AlignmentSnapshot.objects.get(scope="hr:unit-all:year-all")
    assert sum(row["people"] for row in fresh.figures["coverage"].values()) == 9


def test_a_managers_csv_export_is_in_the_audit_trail_like_hrs(world, strategy, as_user):
    """Issue 16, item 15: only HR's export was recorded."""
    response = as_user(world.manager).get(CSV, {"period": "all"})
    assert response.status_code == 200
    event = AuditEvent.objects.get(object_type="alignment-csv")
    assert event.actor == world.manager and event.action == AuditEvent.Action.EXPORT
    assert event.summary == f"manager-{world.manager.pk}:unit-all:year-all"
