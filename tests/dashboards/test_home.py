import datetime

from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from people.models import User
from plans.models import DevelopmentPlan
from tests.factories import GoalFactory, NotificationFactory


def test_home_shows_who_you_are(world, as_user):
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert "Welkom, Sanne" in html
    assert 'data-testid="person-name">Sanne Jansen<' in html
    assert 'data-testid="person-unit">Wijkteam Noord<' in html
    assert 'data-testid="person-manager">Jeroen de Vries<' in html
    assert 'data-testid="person-roles">Medewerker<' in html


def test_home_shows_the_manager_and_hr_roles(world, as_user):
    manager_html = as_user(world.manager).get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="person-roles">Medewerker, Leidinggevende<' in manager_html
    hr_html = as_user(world.hr).get(reverse("dashboards:home")).content.decode()
    assert 'data-testid="person-roles">Medewerker, HR<' in hr_html


def test_home_page_layout_is_accessible_by_structure(world, as_user):
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert '<html lang="nl">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert html.count("<h1") == 1
    assert "<nav" in html and "<header>" in html and "<footer" in html


def test_home_query_count_is_small(world, as_user, django_assert_max_num_queries):
    client = as_user(world.manager)
    with django_assert_max_num_queries(19):  # growth is tested in test_queries.py
        client.get(reverse("dashboards:home"))


def card(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</section>", start)]


def test_employee_sees_plan_goals_actions_and_notifications(world, strategy, as_user):
    NotificationFactory(recipient=world.employee, title="Daan reageerde")
    NotificationFactory(recipient=world.employee, title="Al gelezen", read_at=timezone.now())
    html = as_user(world.employee).get(reverse("dashboards:home")).content.decode()
    assert "Status: akkoord" in card(html, "home-plan")
    assert "Verder met je POP" in card(html, "home-plan")
    goals = card(html, "home-goals")
    assert "Sannes eigen doel" in goals and "50 %" in goals
    actions = card(html, "home-actions")
    assert "Te laat" in actions and "training of cursus" in actions  # due in June, open
    notifications = card(html, "home-notifications")
    assert "Daan reageerde" in notifications and "Al gelezen" not in notifications
    assert 'data-testid="home-team"' not in html and 'data-testid="home-hr"' not in html


def test_employee_without_plan_is_told_to_start_one(world, strategy, as_user):
    html = as_user(strategy.noor).get(reverse("dashboards:home")).content.decode()
    plan = card(html, "home-plan")
    assert "Je hebt nog geen POP" in plan
    assert "Begin aan je POP" in plan and "Verder met je POP" not in plan
    assert "Geen ontwikkelacties" in card(html, "home-actions")


def test_manager_sees_who_needs_something(world, strategy, as_user):
    GoalFactory(owner_person=strategy.bram, status="proposed", parent=strategy.team_digital)
    DevelopmentPlan.objects.filter(employee=world.colleague).update(
        employee_agreed_at=timezone.now()
    )
    team = card(
        as_user(world.manager).get(reverse("dashboards:home")).content.decode(), "home-team"
    )
    assert "van je 5 medewerkers" in team
    assert "Noor de Boer" in team and "Nog geen POP" in team
    assert "Voorgesteld doel om te beoordelen:" in team  # Bram
    assert "wacht op jouw akkoord" in team  # Daan agreed, the manager did not yet
    assert "2 te late ontwikkelacties" in team  # Sanne's training and coaching (due June)
    assert "1 te late ontwikkelactie om" in team  # Daan's mentoring
    assert "Gesprek te laat" not in team  # everyone joined today: nothing due yet


def test_manager_sees_who_needs_a_conversation(world, strategy, as_user):
    User.objects.filter(organisation=world.organisation).update(
        date_joined=timezone.now() - datetime.timedelta(days=400), start_date=None
    )
    for kind in ("check_in", "development"):
        Conversation.objects.create(
            organisation=world.organisation,
            employee=world.employee,
            manager=world.manager,
            kind=kind,
            status=Conversation.Status.HELD,
            starts_at=timezone.now() - datetime.timedelta(days=7),
        )
    html = as_user(world.manager).get(reverse("dashboards:home")).content.decode()
    team = card(html, "home-team")
    assert "van je 5 medewerkers" in team
    noor = team[team.index("Noor de Boer") : team.index("</tr>", team.index("Noor de Boer"))]
    assert "Gesprek te laat: check-in, ontwikkelgesprek" in noor
    sanne = team[team.index("Sanne Jansen") : team.index("</tr>", team.index("Sanne Jansen"))]
    assert "Gesprek te laat" not in sanne


def test_hr_sees_headline_numbers_and_the_dashboard_link(world, strategy, as_user):
    html = as_user(world.hr).get(reverse("dashboards:home")).content.decode()
    hr = card(html, "home-hr")
    assert 'data-testid="hr-people">10<' in hr
    assert "Digitalisering" in hr and "92 %" in hr
    assert reverse("dashboards:alignment") in hr


def test_every_item_of_the_managers_to_do_list_leads_where_it_is_done(world, strategy, as_user):
    """Issue 16, item 8: the names and "1 voorgesteld doel te beoordelen" were not links."""
    import re

    from conversations.services import conversation_schedule

    proposal = GoalFactory(
        owner_person=strategy.bram,
        status="proposed",
        parent=strategy.team_digital,
        title="Bram leert beeldbellen",
    )
    DevelopmentPlan.objects.filter(employee=world.colleague).update(
        employee_agreed_at=timezone.now()
    )
    User.objects.filter(organisation=world.organisation).update(
        date_joined=timezone.now() - datetime.timedelta(days=400), start_date=None
    )
    upcoming = conversation_schedule(
        manager=world.manager,
        employee=world.employee,
        kind="progress",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    team = card(
        as_user(world.manager).get(reverse("dashboards:home")).content.decode(), "home-team"
    )
    body = team[team.index("<tbody>") : team.index("</tbody>")]
    items = re.findall(r"<li>(.*?)</li>", body, re.S)
    assert items and all(item.strip().startswith("<a href=") for item in items), items
    assert (
        f'href="{proposal.get_absolute_url()}">Voorgesteld doel om te beoordelen: Bram leert beeldbellen'
        in body
    )
    assert (
        f'href="{upcoming.get_absolute_url()}#conv-preparation">Bereid het voortgangsgesprek'
        in body
    )
    new = reverse("conversations:conversation-new")
    assert f'href="{new}?mode=schedule&amp;employee={strategy.noor.uuid}&amp;kind=' in body
    names = re.findall(r'<th scope="row">(.*?)</th>', body, re.S)
    assert names and all(name.startswith("<a href=") for name in names), names
    # Someone without a plan yet leads to where their manager starts it.
    start = reverse("plans:plan-for-report", kwargs={"person_uuid": strategy.noor.uuid})
    assert f'<a href="{start}">Noor de Boer' in body
