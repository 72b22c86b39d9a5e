"""Bottom-up meets top-down: propose, approve or return with a comment, check in, edit
with a version check, and bulk assignment of a team goal to reports."""

from decimal import Decimal

from django.urls import reverse
from django.utils import timezone

from goals.models import Goal, GoalUpdate
from people.models import AuditEvent, Notification
from people.outbox import message_render
from tests.factories import GoalFactory, UserFactory

from .conftest import goal_form_data


def url(name, goal):
    return reverse(f"goals:{name}", kwargs={"goal_uuid": goal.uuid})


def test_employee_proposes_manager_approves(world, cascade, as_user):
    employee, manager = as_user(world.employee), as_user(world.manager)
    response = employee.post(url("goal-submit", cascade.draft))
    assert response.status_code == 302
    cascade.draft.refresh_from_db()
    assert cascade.draft.status == "proposed"
    assert cascade.draft.proposed_by == world.employee
    note = Notification.objects.get(recipient=world.manager, kind="goal_proposed")
    assert message_render(note).title == f"Sanne Jansen stelt een doel voor: {cascade.draft.title}"
    assert note.link == cascade.draft.get_absolute_url()

    page = manager.get(url("goal-detail", cascade.draft)).content.decode()
    assert "Dit voorstel beoordelen" in page

    response = manager.post(url("goal-approve", cascade.draft), {"comment": "Mooi voorstel!"})
    assert response.status_code == 302
    cascade.draft.refresh_from_db()
    assert cascade.draft.status == "active"
    assert cascade.draft.approved_by == world.manager
    assert cascade.draft.approved_at is not None
    assert cascade.draft.review_comment == "Mooi voorstel!"
    assert Notification.objects.filter(recipient=world.employee, kind="goal_approved").exists()
    assert AuditEvent.objects.filter(actor=world.manager, subject=world.employee).exists()


def test_manager_returns_with_a_comment_the_employee_sees(world, cascade, as_user):
    manager = as_user(world.manager)
    response = manager.post(url("goal-return", cascade.proposal), {"comment": ""})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()
    cascade.proposal.refresh_from_db()
    assert cascade.proposal.status == "proposed"

    comment = "Maak het meetbaar: hoeveel intervisiebijeenkomsten?"
    response = manager.post(url("goal-return", cascade.proposal), {"comment": comment})
    assert response.status_code == 302
    cascade.proposal.refresh_from_db()
    assert (cascade.proposal.status, cascade.proposal.review_comment) == ("draft", comment)
    note = Notification.objects.get(recipient=world.employee, kind="goal_returned")
    assert message_render(note).body == comment

    page = as_user(world.employee).get(url("goal-detail", cascade.proposal)).content.decode()
    assert "Teruggestuurd door je leidinggevende:" in page
    assert comment in page


def test_approving_twice_is_refused_with_a_message(world, cascade, as_user):
    manager = as_user(world.manager)
    manager.post(url("goal-approve", cascade.proposal))
    response = manager.post(url("goal-approve", cascade.proposal), follow=True)
    assert "Alleen een voorgesteld doel kan worden goedgekeurd." in response.content.decode()


def test_employee_proposes_straight_from_the_form(world, cascade, as_user):
    response = as_user(world.employee).post(
        reverse("goals:goal-create"),
        {
            "level": "individual",
            "action": "propose",
            "title": "Vijf cliënten begeleiden met beeldzorg",
            "description": "Beeldzorg inzetten bij cliënten in de wijk.",
            "parent": cascade.team_goal.pk,
            "metric": "number",
            "start_value": "0",
            "target_value": "5",
            "due_date": f"{timezone.localdate().year}-12-31",
            "weight": "1",
            "visibility": "private",
        },
    )
    goal = Goal.objects.get(title="Vijf cliënten begeleiden met beeldzorg")
    assert response.status_code == 302 and response.url == goal.get_absolute_url()
    assert (goal.status, goal.owner_person, goal.parent) == (
        "proposed",
        world.employee,
        cascade.team_goal,
    )


def test_check_in_moves_the_current_value_and_the_roll_up(world, cascade, as_user):
    client = as_user(world.employee)
    response = client.post(
        url("goal-check-in", cascade.employee_goal),
        {"value": "8", "confidence": "7", "note": "Module 3 af."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and '<div id="goal-page">' in html
    assert '<div id="messages" hx-swap-oob="innerHTML">' in html
    assert "Van 0 naar 10; nu 8" in html  # the whole goal page is refreshed in place
    assert "Je check-in is opgeslagen." in html
    assert "80%" in html
    update = GoalUpdate.objects.get(goal=cascade.employee_goal)
    assert (update.value, update.confidence, update.author) == (Decimal(8), 7, world.employee)
    cascade.employee_goal.refresh_from_db()
    assert cascade.employee_goal.current_value == 8
    # The team goal (no own measure) is the mean of the employee's 80 % and colleague's 100 %.
    team_page = client.get(url("goal-detail", cascade.team_goal)).content.decode()
    assert 'data-testid="progress-percent">90%' in team_page


def test_check_in_errors_rerender_the_fragment_with_the_input(world, cascade, as_user):
    response = as_user(world.employee).post(
        url("goal-check-in", cascade.employee_goal),
        {"value": "", "confidence": "12", "note": "Nog even"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dit veld is verplicht." in html
    assert "Nog even" in html
    assert not GoalUpdate.objects.exists()


def test_check_in_without_javascript_redirects(world, cascade, as_user):
    response = as_user(world.manager).post(
        url("goal-check-in", cascade.employee_goal), {"value": "6", "confidence": "5"}
    )
    assert response.status_code == 302
    assert GoalUpdate.objects.get().author == world.manager


def test_check_in_on_a_draft_is_refused(world, cascade, as_user):
    response = as_user(world.employee).post(
        url("goal-check-in", cascade.draft), {"value": "6", "confidence": "5"}
    )
    assert "Je kunt alleen inchecken op een actief doel." in response.content.decode()
    assert not GoalUpdate.objects.exists()


def test_edit_saves_and_bumps_the_version(world, cascade, as_user):
    goal = cascade.draft
    response = as_user(world.employee).post(
        url("goal-edit", goal), goal_form_data(goal, target_value="12")
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.target_value, goal.version) == (12, 2)


def test_edit_conflict_keeps_the_input_and_shows_the_other_version(world, cascade, as_user):
    goal = cascade.draft
    stale = goal_form_data(goal, title="Mijn nieuwe titel voor dit doel")
    Goal.objects.filter(pk=goal.pk).update(title="Titel van de manager", version=2)
    response = as_user(world.employee).post(url("goal-edit", goal), stale)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Iemand anders heeft dit doel opgeslagen terwijl je het bewerkte." in html
    assert 'value="Mijn nieuwe titel voor dit doel"' in html
    assert "Titel van de manager" in html
    assert 'name="version" value="2"' in html
    goal.refresh_from_db()
    assert goal.title == "Titel van de manager"


def test_manager_closes_a_goal_of_a_report(world, cascade, as_user):
    goal = cascade.employee_goal
    response = as_user(world.manager).post(
        url("goal-edit", goal), goal_form_data(goal, status="achieved")
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert goal.status == "achieved"
    assert AuditEvent.objects.filter(object_type="goal", subject=world.employee).exists()


def test_bulk_assignment_creates_one_draft_per_report_once(world, cascade, as_user):
    third = UserFactory(
        organisation=world.organisation, unit=world.team, line_manager=world.manager
    )
    client = as_user(world.manager)
    page = client.get(url("goal-assign", cascade.team_goal)).content.decode()
    assert "Sanne Jansen" in page and "Daan Visser" in page
    data = {
        "people": [world.employee.pk, world.colleague.pk, third.pk],
        "title": "Mijn bijdrage aan een eerlijke werkverdeling",
        "target_value": "4",
        "due_date": cascade.team_goal.due_date.isoformat(),
    }
    response = client.post(url("goal-assign", cascade.team_goal), data, follow=True)
    # employee and colleague already have a goal under this team goal; only the third is new.
    assert "Conceptdoelen klaargezet: 1. Had hier al een doel: 2." in response.content.decode()
    assigned = Goal.objects.get(owner_person=third)
    assert (assigned.parent, assigned.status, assigned.target_value, assigned.created_by) == (
        cascade.team_goal,
        "draft",
        4,
        world.manager,
    )
    assert Notification.objects.filter(recipient=third, kind="goal_assigned").count() == 1
    client.post(url("goal-assign", cascade.team_goal), data)
    assert Goal.objects.filter(owner_person=third).count() == 1


def test_bulk_assignment_only_to_own_reports(world, cascade, as_user):
    stranger = UserFactory(organisation=world.organisation, unit=world.other_team)
    new_team_goal = GoalFactory(level="team", owner_unit=world.team, parent=cascade.org_goal)
    response = as_user(world.manager).post(
        url("goal-assign", new_team_goal),
        {"people": [stranger.pk], "title": "Iets voor iemand anders"},
    )
    assert response.status_code == 200
    assert not Goal.objects.filter(owner_person=stranger).exists()


def test_proposing_without_a_line_manager_is_refused_and_nothing_is_saved(world, cascade, as_user):
    response = as_user(world.hr).post(
        reverse("goals:goal-create"),
        {
            "level": "individual",
            "action": "propose",
            "title": "Training arbeidsrecht volgen en toepassen",
            "parent": cascade.org_goal.pk,
            "metric": "yes_no",
            "weight": "1",
            "visibility": "private",
        },
    )
    assert response.status_code == 200
    assert "Je hebt geen leidinggevende die dit doel kan goedkeuren." in response.content.decode()
    assert not Goal.objects.filter(title="Training arbeidsrecht volgen en toepassen").exists()


def test_a_goal_whose_parent_was_archived_can_still_be_edited(world, cascade, as_user):
    Goal.objects.filter(pk=cascade.team_goal.pk).update(status="archived")
    goal = cascade.draft
    response = as_user(world.employee).post(
        url("goal-edit", goal),
        goal_form_data(goal, title="Coachingstraject timemanagement afronden"),
    )
    assert response.status_code == 302
    goal.refresh_from_db()
    assert (goal.title, goal.parent_id) == (
        "Coachingstraject timemanagement afronden",
        cascade.team_goal.pk,
    )


def test_yes_no_check_in_reaches_the_goal(world, cascade, as_user):
    goal = GoalFactory(
        owner_person=world.employee,
        parent=cascade.team_goal,
        metric="yes_no",
        start_value=0,
        target_value=1,
        current_value=0,
    )
    client = as_user(world.employee)
    html = client.get(url("goal-detail", goal)).content.decode()
    assert "Behaald?" in html and "Ja, behaald" in html
    client.post(url("goal-check-in", goal), {"value": "1", "confidence": "10"})
    goal.refresh_from_db()
    assert goal.current_value == 1
    html = client.get(url("goal-detail", goal)).content.decode()
    assert 'data-testid="goal-progress"' in html and "100%" in html


def test_check_in_on_a_goal_without_own_measure_records_note_and_confidence(
    world, cascade, as_user
):
    client = as_user(world.manager)
    html = client.get(url("goal-detail", cascade.team_goal)).content.decode()
    assert 'name="value"' not in html and 'name="confidence"' in html
    client.post(
        url("goal-check-in", cascade.team_goal),
        {"value": "99", "confidence": "6", "note": "Rooster besproken"},
    )
    update = GoalUpdate.objects.get(goal=cascade.team_goal)
    assert (update.value, update.confidence, update.note) == (None, 6, "Rooster besproken")


def test_a_goal_without_measure_or_due_date_cannot_be_proposed_or_approved(world, cascade, as_user):
    """Issue 16, item 6: "Beter worden", with no measure and no dates, could be proposed
    and approved (and then showed "Periode 1 januari 2026 - -")."""
    client = as_user(world.employee)
    response = client.post(
        reverse("goals:goal-create"),
        {
            "level": "individual",
            "action": "propose",
            "title": "Beter worden",
            "parent": cascade.team_goal.pk,
            "metric": "percentage",
            "weight": "1",
            "visibility": "organisation",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Maak het doel eerst meetbaar en tijdsgebonden" in page
    assert "Meetbaar: Kies een streefwaarde: welk getal wil je bereiken?" in page
    assert "Tijdsgebonden: Kies een einddatum." in page
    assert 'value="Beter worden"' in page  # nothing typed is lost
    assert not Goal.objects.filter(title="Beter worden").exists()
    # One that got into review anyway (before this rule) cannot be approved.
    proposed = Goal.objects.create(
        organisation=world.organisation,
        level="individual",
        owner_person=world.employee,
        parent=cascade.team_goal,
        title="Beter worden in alles",
        status="proposed",
        created_by=world.employee,
    )
    response = as_user(world.manager).post(
        reverse("goals:goal-approve", args=[proposed.uuid]), {"comment": ""}, follow=True
    )
    assert "Het kan nog niet worden goedgekeurd" in response.content.decode()
    proposed.refresh_from_db()
    assert proposed.status == "proposed"
