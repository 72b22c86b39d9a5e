"""What people see on /goals/, a goal page and the goal form (in Dutch)."""

import datetime
import html as html_lib
import re
from decimal import Decimal

from django.urls import reverse

from goals.models import GoalUpdate
from tests.factories import GoalFactory

LIST = reverse("goals:goal-list")


def detail(goal):
    return reverse("goals:goal-detail", kwargs={"goal_uuid": goal.uuid})


def node_titles(html: str) -> list[str]:
    return [html_lib.unescape(t) for t in re.findall(r'class="goal-title">([^<]+)</a>', html)]


def test_cascade_shows_organisation_team_and_individual_goals(world, cascade, as_user):
    html = as_user(world.employee).get(LIST).content.decode()
    assert "<h1" in html and "Doelen" in html
    assert node_titles(html) == [
        cascade.org_goal.title,
        cascade.team_goal.title,
        cascade.draft.title,  # the employee's own draft and proposal, visible to them
        cascade.proposal.title,
        cascade.employee_goal.title,
    ]
    # The team goal is the mean of the two active individual goals (the employee's 50 % and
    # the colleague's 100 %); drafts and proposals do not count. The organisation goal is the
    # mean of its two team goals: 75 % and Wijkteam Zuid's 4 of 20 (20 %) = 47.5 % → 48 %.
    percents = re.findall(r'data-testid="progress-percent">(\d+)%', html)
    assert percents[:2] == ["48", "75"]
    assert "Organisatiedoel" in html and "Teamdoel" in html and "Persoonlijk doel" in html
    assert "Wijkteam Noord" in html and "Sanne Jansen" in html
    assert "Concept" in html and "Voorgesteld" in html
    assert cascade.colleague_goal.title not in html  # private to the colleague
    assert cascade.elsewhere_goal.title not in html


def test_on_track_badges_and_counts(world, cascade, as_user):
    today = datetime.date.today()
    GoalFactory(
        owner_person=world.employee,
        parent=cascade.team_goal,
        title="Achterstand in de rapportages wegwerken",
        start_date=today - datetime.timedelta(days=90),
        due_date=today + datetime.timedelta(days=10),
        current_value=1,
    )
    html = as_user(world.employee).get(LIST).content.decode()
    late = html.split("Achterstand in de rapportages wegwerken")[1].split("</li>")[0]
    assert 'data-testid="progress-signal">In gevaar' in late
    summary = re.search(r'data-testid="goal-summary">\s*([^<]+)', html).group(1).strip()
    badges = re.findall(r'data-testid="progress-signal">([^<]+)<', html)
    assert summary == (
        f"6 doelen: {badges.count('Op koers')} op koers, {badges.count('Achter')} achter, "
        f"{badges.count('In gevaar')} in gevaar."
    )


def test_not_linked_goals_are_listed_apart_with_their_reason(world, cascade, as_user):
    GoalFactory(
        owner_person=world.employee,
        title="Cursus Engels voor zorgprofessionals",
        not_linked_reason="Persoonlijke ambitie",
    )
    html = as_user(world.employee).get(LIST).content.decode()
    section = html.split('data-testid="not-linked"')[1]
    assert "Niet gekoppeld aan een strategisch doel" in section
    assert "Cursus Engels voor zorgprofessionals" in section
    assert "Niet gekoppeld, want: Persoonlijke ambitie" in section
    cascade_part = html.split('data-testid="not-linked"')[0]
    assert "Cursus Engels" not in cascade_part


def test_filters_by_unit_status_period_and_search(world, cascade, as_user):
    client = as_user(world.hr)
    by_unit = client.get(LIST, {"unit": world.other_team.pk}).content.decode()
    assert node_titles(by_unit) == [cascade.org_goal.title, cascade.other_team_goal.title]

    GoalFactory(
        level="team",
        owner_unit=world.team,
        parent=cascade.org_goal,
        title="Oud teamdoel",
        status="archived",
    )
    assert "Oud teamdoel" not in client.get(LIST).content.decode()
    archived = client.get(LIST, {"status": "archived"}).content.decode()
    assert "Oud teamdoel" in archived and cascade.other_team_goal.title not in archived

    next_year = cascade.org_goal.due_date.year + 1
    GoalFactory(
        level="team",
        owner_unit=world.team,
        parent=cascade.org_goal,
        title="Teamdoel voor volgend jaar",
        start_date=datetime.date(next_year, 1, 1),
        due_date=datetime.date(next_year, 6, 30),
    )
    in_next_year = client.get(LIST, {"year": next_year}).content.decode()
    assert node_titles(in_next_year) == [cascade.org_goal.title, "Teamdoel voor volgend jaar"]

    found = client.get(LIST, {"q": "beeldzorg"}).content.decode()
    assert node_titles(found) == [cascade.org_goal.title, cascade.other_team_goal.title]


def test_search_and_counts_honour_visibility(world, cascade, as_user):
    html = as_user(world.colleague).get(LIST, {"q": "veerkracht"}).content.decode()
    assert node_titles(html) == []  # the employee's private goal stays hidden
    assert "0 doelen" in html


def test_hr_sees_private_goals_only_as_a_count(world, cascade, as_user):
    html = as_user(world.hr).get(LIST).content.decode()
    assert cascade.employee_goal.title not in html
    assert "Persoonlijke doelen die niet getoond worden: 4" in html


def test_filter_form_answers_htmx_with_the_tree_fragment(world, cascade, as_user):
    response = as_user(world.manager).get(LIST, {"unit": world.team.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="goal-tree">')
    assert cascade.team_goal.title in html


def test_goal_page_shows_path_children_history_chart_and_smart(world, cascade, as_user):
    goal = cascade.employee_goal
    for days_ago, value in ((60, 2), (30, 4), (1, 5)):
        update = GoalUpdate.objects.create(
            goal=goal,
            value=Decimal(value),
            confidence=7,
            author=world.employee,
            note=f"stap {value}",
        )
        GoalUpdate.objects.filter(pk=update.pk).update(
            recorded_at=update.recorded_at - datetime.timedelta(days=days_ago)
        )
    html = as_user(world.employee).get(detail(goal)).content.decode()
    path = html.split('data-testid="goal-path"')[1].split("</ol>")[0]
    assert path.index(cascade.org_goal.title) < path.index(cascade.team_goal.title)
    assert "(75%)" in path  # each step of the path with its progress
    assert 'data-testid="progress-percent">50%' in html
    history = html.split('data-testid="check-ins"')[1]
    assert history.index("stap 5") < history.index("stap 4") < history.index("stap 2")
    assert "<td>40%</td>" in history
    assert '<svg viewBox="0 0 480 160" role="img"' in html
    assert "Voortgang in de tijd" in html
    assert re.search(r"Van 0% op 1 januari \d{4} naar 50% op .+\.", html)
    assert html.count('class="chart-point"') == 4  # the start and three check-ins
    assert "SMART-check" in html
    assert "Check-in vastleggen" in html

    team_page = as_user(world.manager).get(detail(cascade.team_goal)).content.decode()
    children = team_page.split('data-testid="goal-children"')[1]
    assert cascade.employee_goal.title in children and cascade.colleague_goal.title in children


def test_goal_page_lists_what_is_not_smart(world, cascade, as_user):
    vague = GoalFactory(
        owner_person=world.employee,
        title="Beter worden",
        description="",
        target_value=None,
        due_date=None,
        feasibility_note="",
        not_linked_reason="Nog niet besproken",
        status="draft",
    )
    html = as_user(world.employee).get(detail(vague)).content.decode()
    hints = re.findall(r'data-testid="smart-hint">([^<]+)<', html)
    assert hints == [
        "Benoem het resultaat in een paar woorden: wat is er anders als het af is?",
        "Kies een streefwaarde: welk getal wil je bereiken?",
        "Koppel het doel aan een team- of organisatiedoel, zodat duidelijk is waaraan het bijdraagt.",
        "Geef aan waarom het haalbaar is: de tijd, het budget en de steun die je nodig hebt.",
        "Kies een einddatum.",
    ]


def test_smart_check_fragment_follows_what_is_typed(world, cascade, as_user):
    client = as_user(world.employee)
    url = reverse("goals:goal-smart-check")
    empty = client.post(url, {"level": "individual"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in empty
    assert len(re.findall('data-testid="smart-hint"', empty)) == 5

    late = cascade.team_goal.due_date + datetime.timedelta(days=30)
    typed = {
        "level": "individual",
        "title": "Vijf cliënten begeleiden met beeldzorg",
        "description": "In de wijk Noord.",
        "parent": cascade.team_goal.pk,
        "metric": "number",
        "start_value": "0",
        "target_value": "5",
        "feasibility_note": "Twee uur per week, training betaald.",
        "due_date": late.isoformat(),
    }
    html = client.post(url, typed, HTTP_HX_REQUEST="true").content.decode()
    assert re.findall(r'data-testid="smart-hint">([^<]+)<', html) == [
        "De einddatum valt na de einddatum van het doel waaraan het bijdraagt."
    ]
    typed["due_date"] = cascade.team_goal.due_date.isoformat()
    html = client.post(url, typed, HTTP_HX_REQUEST="true").content.decode()
    assert "smart-hint" not in html and html.count("in orde") == 5


def test_smart_hints_in_english_for_an_english_user(world, cascade, as_user):
    world.employee.language = "en"
    world.employee.save()
    html = (
        as_user(world.employee)
        .post(reverse("goals:goal-smart-check"), {"level": "individual"})
        .content.decode()
    )
    assert "Set a due date." in html


def test_create_form_preselects_the_parent_and_keeps_input_on_errors(world, cascade, as_user):
    client = as_user(world.employee)
    url = reverse("goals:goal-create")
    html = client.get(url, {"parent": cascade.team_goal.uuid}).content.decode()
    assert f'<option value="{cascade.team_goal.pk}" selected>' in html
    assert "Nieuw persoonlijk doel" in html
    assert 'hx-post="/goals/smart-check/"' in html

    response = client.post(
        url,
        {
            "level": "individual",
            "title": "Mijn eigen doel",
            "metric": "number",
            "weight": "1",
            "visibility": "private",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Mijn eigen doel"' in html
    assert (
        "Koppel het doel aan een team- of organisatiedoel, of geef aan waarom het niet gekoppeld is."
        in html
    )


def test_manager_creates_a_team_goal_that_is_active_at_once(world, cascade, as_user):
    response = as_user(world.manager).post(
        reverse("goals:goal-create") + "?level=team",
        {
            "level": "team",
            "owner_unit": world.team.pk,
            "title": "Alle dossiers digitaal op de tablet",
            "parent": cascade.org_goal.pk,
            "metric": "percentage",
            "start_value": "30",
            "target_value": "100",
            "weight": "1",
            "visibility": "team",
        },
    )
    assert response.status_code == 302
    page = as_user(world.employee).get(response.url).content.decode()
    assert "Alle dossiers digitaal op de tablet" in page and "Actief" in page


def test_manager_cannot_create_a_team_goal_for_a_unit_they_do_not_manage(world, cascade, as_user):
    response = as_user(world.manager).post(
        reverse("goals:goal-create"),
        {
            "level": "team",
            "owner_unit": world.other_team.pk,
            "title": "Niet mijn team",
            "metric": "none",
            "weight": "1",
            "visibility": "team",
            "parent": cascade.org_goal.pk,
        },
    )
    assert response.status_code == 200
    assert "Selecteer een geldige keuze." in response.content.decode()


def test_a_large_tree_folds_individual_goals_into_counts(world, cascade, as_user, monkeypatch):
    monkeypatch.setattr("goals.selectors.TREE_LIMIT", 3)
    client = as_user(world.manager)
    html = client.get(LIST).content.decode()
    assert cascade.employee_goal.title not in html
    assert f'<a href="?unit={world.team.pk}">Toon de persoonlijke doelen (4)</a>' in html
    unfolded = client.get(LIST, {"unit": world.team.pk}).content.decode()
    assert cascade.employee_goal.title in unfolded and "Toon de persoonlijke doelen" not in unfolded


def test_hidden_count_is_about_private_goals_not_about_filters(world, cascade, as_user):
    html = as_user(world.hr).get(LIST, {"unit": world.other_team.pk}).content.decode()
    assert "Persoonlijke doelen die niet getoond worden" not in html


def test_support_staff_without_organisation_see_an_empty_cascade(world, cascade, as_user):
    from tests.factories import UserFactory

    staff = UserFactory(organisation=None, unit=None, is_staff=True)
    response = as_user(staff).get(LIST)
    assert response.status_code == 200
    assert node_titles(response.content.decode()) == []
    assert as_user(staff).get(detail(cascade.org_goal)).status_code == 404
    assert as_user(staff).get(reverse("goals:goal-create")).status_code == 403


def test_edit_form_of_a_team_goal_does_not_offer_to_move_it(world, cascade, as_user):
    html = (
        as_user(world.manager)
        .get(reverse("goals:goal-edit", kwargs={"goal_uuid": cascade.team_goal.uuid}))
        .content.decode()
    )
    assert 'name="owner_unit"' not in html
    assert 'name="status"' in html  # the manager may close an active team goal


def test_a_large_tree_folds_other_units_team_goals_into_a_link(
    world, cascade, as_user, monkeypatch
):
    """Over TREE_LIMIT, the team goals of units the viewer neither belongs to nor manages
    become a count with a link to the goal above them, whose page lists them."""
    monkeypatch.setattr("goals.selectors.TREE_LIMIT", 3)
    theirs = GoalFactory(
        level="team",
        owner_unit=world.other_team,
        parent=cascade.org_goal,
        visibility="organisation",
        title="Wachttijd wijkzorg Zuid halveren",
    )
    client = as_user(world.manager)
    html = client.get(LIST).content.decode()
    assert cascade.team_goal.title in html  # their own team's goal stays
    assert theirs.title not in html
    org_url = reverse("goals:goal-detail", kwargs={"goal_uuid": cascade.org_goal.uuid})
    folded = re.findall(
        r'<a href="([^"]+)">Toon de teamdoelen van andere teams \((\d+)\)</a>', html
    )
    assert folded == [(org_url, "1")], folded
    assert theirs.title in client.get(org_url).content.decode()
    unfolded = client.get(LIST, {"unit": world.other_team.pk}).content.decode()
    assert theirs.title in unfolded and "Toon de teamdoelen" not in unfolded
