"""HR's audit trail page: /organisation/audit/."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from people.models import AuditEvent
from tests.factories import UserFactory

URL = reverse("people:audit-log")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0"


def _event(world, *, when, actor=None, subject=None, action="read", object_type, object_id, **kw):
    return AuditEvent(
        organisation=world.organisation,
        actor=actor or world.manager,
        subject=subject or world.employee,
        action=action,
        object_type=object_type,
        object_id=object_id,
        occurred_at=when,
        **kw,
    )


@pytest.fixture
def trail(world, scenario):
    """A plan read by HR, a conversation change by the manager, an export; a day apart."""
    base = datetime.datetime(2030, 3, 10, 8, 30, tzinfo=datetime.UTC)  # 09:30 in Amsterdam
    plan, conversation = scenario.pop.plan, scenario.conversation
    AuditEvent.objects.bulk_create(
        [
            _event(
                world,
                when=base,
                actor=world.hr,
                object_type="development_plan",
                object_id=str(plan.uuid),
                summary="page",
                ip_address="203.0.113.7",
                user_agent=FIREFOX,
            ),
            _event(
                world,
                when=base + datetime.timedelta(days=1),
                action="change",
                object_type="conversation",
                object_id=str(conversation.uuid),
                summary="notes",
                ip_address="198.51.100.4",
            ),
            _event(
                world,
                when=base + datetime.timedelta(days=2),
                actor=world.colleague,
                subject=world.colleague,
                action="export",
                object_type="personal_data",
                object_id=str(world.colleague.uuid),
                summary="pdf",
            ),
        ]
    )
    return scenario


def _rows(html: str) -> list[str]:
    body = html.split('data-testid="audit-table"', 1)[1].split("</tbody>", 1)[0]
    return body.split("<tr>")[2:]


def test_hr_sees_who_did_what_to_whose_data_newest_first(world, trail, as_user):
    html = as_user(world.hr).get(URL).content.decode()
    assert "<h1" in html and "Auditlog" in html
    rows = _rows(html)
    assert "Daan Visser" in rows[0] and "geëxporteerd" in rows[0]  # newest first
    hr_read = next(row for row in rows if "203.0.113.7" in row)
    # 09:30 in the organisation's time zone (08:30 UTC), who, what, whose, which, from where.
    assert "10 maart 2030, 09:30" in hr_read
    assert "Fatima el Amrani" in hr_read and "ingezien" in hr_read and "Sanne Jansen" in hr_read
    assert f'href="{trail.pop.plan.get_absolute_url()}"' in hr_read  # HR may open the plan
    assert "Ontwikkelplan" in hr_read and "planpagina" in hr_read
    assert "Firefox, Windows" in hr_read and f'title="{FIREFOX}"' in hr_read
    manager_change = next(row for row in rows if "198.51.100.4" in row)
    assert "Gesprek" in manager_change and "gedeelde aantekeningen" in manager_change
    assert trail.conversation.get_absolute_url() not in manager_change  # HR may not open it


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"whose": "daan"}, {"198.51.100.4": False, "203.0.113.7": False, "Daan": True}),
        ({"whose": "employee@zorg.test"}, {"198.51.100.4": True, "Daan": False}),
        ({"who": "Fatima"}, {"203.0.113.7": True, "198.51.100.4": False}),
        ({"action": "change"}, {"198.51.100.4": True, "203.0.113.7": False}),
        (
            {"date_from": "2030-03-11", "date_to": "2030-03-11"},
            {"198.51.100.4": True, "203.0.113.7": False},
        ),
        ({"date_to": "2030-03-10"}, {"203.0.113.7": True, "198.51.100.4": False}),
    ],
)
def test_filters(world, trail, as_user, filters, expected):
    html = as_user(world.hr).get(URL, filters).content.decode()
    table = html.split('data-testid="audit-table"', 1)[1]
    for text, present in expected.items():
        assert (text in table) is present, (filters, text)


def test_a_bad_period_is_explained_and_the_other_filters_still_apply(world, trail, as_user):
    response = as_user(world.hr).get(
        URL, {"action": "change", "date_from": "2030-03-12", "date_to": "2030-03-10"}
    )
    page = response.content.decode()
    assert "Het einde van de periode kan niet vóór het begin liggen." in page
    table = page.split('data-testid="audit-table"', 1)[1]
    assert "Er is niets vastgelegd dat bij deze filters past." in table  # from 12 March on


@pytest.mark.parametrize(
    "filters", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01"}, {"date_from": "1999-12-31"}]
)
def test_a_date_off_the_calendar_gets_a_message_not_a_server_error(world, trail, as_user, filters):
    """Issue 16, item 15: these answered 500 (a day after 31-12-9999, and 1 January of year
    1 in the organisation's time zone, do not exist)."""
    response = as_user(world.hr).get(URL, filters)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kies een datum tussen 1 januari 2000 en 31 december 2099." in page
    assert 'data-testid="audit-table"' in page  # the other filters (none) still apply


@pytest.mark.parametrize("persona", ["employee", "colleague", "manager", "other_manager"])
def test_only_hr_opens_it(world, trail, as_user, persona):
    assert as_user(world.personas()[persona]).get(URL).status_code == 404


def test_hr_of_another_organisation_sees_only_their_own(world, trail, as_user):
    html = as_user(world.other_hr).get(URL).content.decode()
    assert "Sanne Jansen" not in html and "203.0.113.7" not in html


def test_anonymous_and_wrong_method(world, client, as_user):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert as_user(world.hr).post(URL).status_code == 405


def test_linked_from_the_organisation_settings(world, as_user):
    settings_page = reverse("people:organisation-settings")
    assert f'href="{URL}"' in as_user(world.hr).get(settings_page).content.decode()


def _grow(world, scenario, count: int) -> None:
    """``count`` more events, older than the scenario's, about plans, conversations,
    goals and the organisation in turn."""
    people = UserFactory.create_batch(3, organisation=world.organisation, unit=world.team)
    start = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    objects = [
        ("development_plan", str(scenario.pop.plan.uuid)),
        ("conversation", str(scenario.conversation.uuid)),
        ("goal", str(scenario.pop.goal.uuid)),
        ("organisation", str(world.organisation.uuid)),
    ]
    AuditEvent.objects.bulk_create(
        [
            _event(
                world,
                when=start + datetime.timedelta(minutes=number),
                actor=people[number % 3],
                subject=people[(number + 1) % 3],
                object_type=objects[number % 4][0],
                object_id=objects[number % 4][1],
                summary="page",
            )
            for number in range(count)
        ]
    )


def test_query_count_does_not_grow_with_the_trail(world, scenario, as_user):
    client = as_user(world.hr)
    client.get(URL)
    counts = []
    for more in (8, 112):
        _grow(world, scenario, more)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(URL)
        assert response.status_code == 200
        counts.append(len(queries))
    sql = "\n".join(query["sql"] for query in queries.captured_queries)
    assert counts[0] == counts[1], sql
    assert counts[1] <= 14, sql


def test_pages(world, scenario, as_user):
    _grow(world, scenario, 120)
    client = as_user(world.hr)
    first = client.get(URL, {"who": "", "action": "read"}).content.decode()
    assert "Pagina 1 van 3" in first
    assert "who=&amp;action=read&amp;page=2" in first
    last = client.get(URL, {"action": "read", "page": 3}).content.decode()
    assert "Pagina 3 van 3" in last and "page=2" in last
    assert len(_rows(last)) == AuditEvent.objects.filter(action="read").count() - 100
