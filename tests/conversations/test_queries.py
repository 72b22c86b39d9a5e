"""Query budgets: /conversations/ and /team/ cost the same for 3 as for 30 reports and
conversations (the numbers are printed with ``-s``)."""

import datetime

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conversations.models import Agreement, Conversation
from plans.models import DevelopmentAction, DevelopmentPlan
from tests.factories import UserFactory
from tests.plans.conftest import make_competency

MEASURED: dict[str, list[int]] = {}


def _grow(world, reports: int, competency) -> None:
    """Give the manager ``reports`` extra reports, each with a plan, an overdue action and
    two conversations (one held with an agreement, one planned)."""
    now = timezone.now()
    for index in range(reports):
        person = UserFactory(
            organisation=world.organisation, unit=world.team, line_manager=world.manager
        )
        plan = DevelopmentPlan.objects.create(
            employee=person, organisation=world.organisation, yearly_budget=0
        )
        gap = plan.gaps.create(competency=competency, current_level=1, desired_level=3)
        DevelopmentAction.objects.create(
            plan=plan, kind="training", title="Cursus", gap=gap, due_date=datetime.date(2026, 1, 1)
        )
        held = Conversation.objects.create(
            organisation=world.organisation,
            employee=person,
            manager=world.manager,
            kind="check_in",
            starts_at=now - datetime.timedelta(days=20 + index),
            status="held",
        )
        Agreement.objects.create(conversation=held, text="Afspraak", owner=person)
        Conversation.objects.create(
            organisation=world.organisation,
            employee=person,
            manager=world.manager,
            kind="development",
            starts_at=now + datetime.timedelta(days=5 + index),
        )


def _count(client, url) -> tuple[int, str]:
    cache.clear()  # counted from an empty shared cache: the most a request can cost
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


def _measure(world, as_user, url: str, name: str, check) -> None:
    competency = make_competency(world.organisation)
    client = as_user(world.manager)
    _grow(world, 3, competency)
    small, _sql = _count(client, url)
    _grow(world, 27, competency)
    large, sql = _count(client, url)
    check(client.get(url).content.decode())
    MEASURED[name] = [small, large]
    assert small == large, f"{name}: {small} queries with 3, {large} with 30\n{sql}"
    assert large <= 16, f"{name}: {large} queries\n{sql}"


def test_conversation_list_does_not_grow(world, as_user):
    def check(html):
        assert html.count("conversation-line") == 60

    _measure(world, as_user, reverse("conversations:conversation-list"), "/conversations/", check)


def test_team_page_does_not_grow(world, as_user):
    def check(html):
        assert html.count('data-testid="team-row"') == 32  # 30 + Sanne and Daan

    _measure(world, as_user, reverse("conversations:team"), "/team/", check)


def test_conversation_page_does_not_grow_with_agenda_and_agreements(world, conversation, as_user):
    from conversations.services import agenda_item_add, agreement_add

    client = as_user(world.employee)

    def add(count):
        for n in range(count):
            agenda_item_add(conversation=conversation, by=world.employee, text=f"Punt {n}")
            agreement_add(
                conversation=conversation,
                by=world.manager,
                text=f"Afspraak {n}",
                owner=world.employee,
            )

    add(3)
    small, _sql = _count(client, conversation.get_absolute_url())
    add(27)
    large, sql = _count(client, conversation.get_absolute_url())
    MEASURED["/conversations/<uuid>/"] = [small, large]
    assert small == large, sql


def test_zz_report_query_counts():
    """Print what the budget tests measured (shown with ``-s``)."""
    for name, (small, large) in MEASURED.items():
        print(f"{name}: {small} queries with 3 reports/conversations, {large} with 30")
