"""Scheduling, the agenda prefilled from the plan, carry-over, notes and agreements."""

import datetime
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from conversations import services
from conversations.models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    SharedNote,
)
from goals.models import GoalUpdate
from people.models import Notification, OutgoingMessage, User
from people.outbox import message_render
from plans.models import DevelopmentAction

from .conftest import EMPLOYEE_ANSWER, MANAGER_ANSWER, in_days, schedule_form, start_it

CHANNELS = ("in_app", "email")


def _invitations(conversation, kind="reminder_invitation"):
    """The e-mails of ``kind`` about ``conversation`` (each also in the inbox)."""
    return OutgoingMessage.objects.filter(
        kind=kind, channel="email", context__conversation_id=conversation.pk
    )


def _url(name, conversation, **kwargs):
    return reverse(
        f"conversations:{name}", kwargs={"conversation_uuid": conversation.uuid, **kwargs}
    )


def test_manager_schedules_from_the_form_and_both_get_an_invitation(
    world, pop, as_user, mailoutbox, django_capture_on_commit_callbacks
):
    day = timezone.localdate() + datetime.timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(world.manager).post(
            reverse("conversations:conversation-new"), schedule_form(world.employee, days=10)
        )
    conversation = Conversation.objects.get()
    assert response.status_code == 302 and response["Location"] == conversation.get_absolute_url()
    local = timezone.localtime(conversation.starts_at, world.organisation.tzinfo)
    assert (local.date(), local.hour, local.minute) == (day, 14, 30)
    assert (conversation.status, conversation.sequence) == ("scheduled", 0)
    deliveries = OutgoingMessage.objects.filter(
        kind="reminder_invitation", context__conversation_id=conversation.pk
    )
    assert {(d.recipient, d.channel) for d in deliveries} == {
        (person, channel) for person in (world.employee, world.manager) for channel in CHANNELS
    }
    assert all(d.sent_at for d in deliveries)
    assert sorted(m.to[0] for m in mailoutbox) == [world.employee.email, world.manager.email]
    mail = next(m for m in mailoutbox if m.to == [world.employee.email])
    assert mail.subject == "Uitnodiging: ontwikkelgesprek met Jeroen de Vries"
    assert mail.attachments[0].get_filename() == "uitnodiging.ics"
    assert "14:30" in mail.body and "https://meet.example.org/pop" in mail.body
    html = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert "Ontwikkelgesprek" in html and "Jeroen de Vries" in html


def test_only_reports_can_be_scheduled(world, pop, as_user):
    response = as_user(world.manager).post(
        reverse("conversations:conversation-new"),
        {
            "mode": "schedule",
            "employee": world.other_manager.uuid,
            "kind": "check_in",
            "date": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            "time": "09:00",
            "duration_minutes": 30,
        },
    )
    assert response.status_code == 200 and not Conversation.objects.exists()
    with pytest.raises(PermissionDenied):
        services.conversation_schedule(
            manager=world.manager,
            employee=world.other_employee,
            kind="check_in",
            starts_at=in_days(2),
        )


def test_employee_requests_and_manager_plans_the_time(world, pop, as_user, mailoutbox):
    response = as_user(world.employee).post(
        reverse("conversations:conversation-new"),
        {"mode": "request", "kind": "progress", "note": "Mijn werkdruk"},
    )
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert (conversation.status, conversation.manager, conversation.starts_at) == (
        "requested",
        world.manager,
        None,
    )
    assert (
        message_render(Notification.objects.get(recipient=world.manager)).title
        == "Sanne Jansen wil graag een voortgangsgesprek met je"
    )
    day = timezone.localdate() + datetime.timedelta(days=4)
    response = as_user(world.manager).post(
        _url("conversation-reschedule", conversation),
        {"date": day.isoformat(), "time": "11:00", "duration_minutes": 60, "location": "Kamer 1"},
    )
    conversation.refresh_from_db()
    assert response.status_code == 302
    assert (conversation.status, conversation.sequence) == ("scheduled", 0)
    assert _invitations(conversation).count() == 2


def test_reschedule_raises_the_sequence_and_cancel_sends_a_cancellation(
    world, conversation, as_user
):
    client = as_user(world.manager)
    day = timezone.localdate() + datetime.timedelta(days=9)
    client.post(
        _url("conversation-reschedule", conversation),
        {"date": day.isoformat(), "time": "13:00", "duration_minutes": 60, "location": "Kamer 3"},
    )
    conversation.refresh_from_db()
    assert conversation.sequence == 1 and conversation.location == "Kamer 3"
    assert _invitations(conversation).count() == 4
    client.post(_url("conversation-cancel", conversation))
    conversation.refresh_from_db()
    assert (conversation.status, conversation.sequence) == ("cancelled", 2)
    assert _invitations(conversation, kind="reminder_cancellation").count() == 2


def test_agenda_is_prefilled_from_the_plan(world, pop, conversation):
    # The pop action is due 2026-04-01 (overdue); the goal is behind (5 of 20 at year end
    # expected share); no previous conversation.
    items = {(item.source, item.text) for item in conversation.agenda_items.all()}
    assert ("action", "E-learning beeldzorg") in items
    assert not any(source == "agreement" for source, _text in items)


def test_open_agreements_of_the_last_conversation_are_carried_over(
    world, pop, conversation, as_user
):
    start_it(conversation)
    services.conversation_mark_held(conversation=conversation, by=world.manager)
    open_one = services.agreement_add(
        conversation=conversation,
        by=world.manager,
        text="Sanne volgt de training coachen",
        owner=world.employee,
        due_date=datetime.date(2027, 1, 31),
    )
    done = services.agreement_add(
        conversation=conversation, by=world.manager, text="Rooster aanpassen", owner=world.manager
    )
    services.agreement_set_done(agreement=done, by=world.manager, done=True)

    nxt = services.conversation_schedule(
        manager=world.manager, employee=world.employee, kind="progress", starts_at=in_days(30)
    )
    carried = list(nxt.agenda_items.filter(source=AgendaItem.Source.AGREEMENT))
    assert [(item.text, item.agreement) for item in carried] == [
        ("Sanne volgt de training coachen", open_one)
    ]
    html = as_user(world.employee).get(nxt.get_absolute_url()).content.decode()
    assert "Sanne volgt de training coachen" in html
    assert "open afspraak van de vorige keer" in html
    assert "Rooster aanpassen" not in html


def test_agreement_becomes_a_development_action_in_one_step(world, pop, conversation, as_user):
    client = as_user(world.manager)
    client.post(
        _url("conversation-agreement-add", conversation),
        {
            "text": "Meelopen met de e-health coach",
            "owner": world.employee.pk,
            "due_date": "2027-02-15",
        },
    )
    agreement = Agreement.objects.get()
    response = client.post(
        _url("conversation-agreement-plan", conversation, agreement_uuid=agreement.uuid),
        {"target": f"gap:{pop.gap.uuid}", "kind": "shadowing", "make": "action"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="conv-agreements"' in html
    action = DevelopmentAction.objects.get(title="Meelopen met de e-health coach")
    assert (action.plan, action.gap, action.kind, action.due_date) == (
        pop.plan,
        pop.gap,
        "shadowing",
        datetime.date(2027, 2, 15),
    )
    agreement.refresh_from_db()
    assert agreement.plan_action == action
    plan_html = as_user(world.employee).get(pop.plan.get_absolute_url()).content.decode()
    assert "Meelopen met de e-health coach" in plan_html
    # A second click does not add it twice.
    client.post(
        _url("conversation-agreement-plan", conversation, agreement_uuid=agreement.uuid),
        {"target": f"gap:{pop.gap.uuid}", "make": "action"},
    )
    assert DevelopmentAction.objects.filter(title="Meelopen met de e-health coach").count() == 1


def test_agreement_becomes_a_goal_check_in(world, pop, conversation, as_user):
    agreement = services.agreement_add(
        conversation=conversation,
        by=world.employee,
        text="Tien cliënten extra in beeldzorg",
        owner=world.employee,
    )
    as_user(world.employee).post(
        _url("conversation-agreement-plan", conversation, agreement_uuid=agreement.uuid),
        {"target": f"goal:{pop.goal.uuid}", "make": "check_in"},
    )
    update = GoalUpdate.objects.get(goal=pop.goal)
    assert update.note == "Afgesproken in ons gesprek: Tien cliënten extra in beeldzorg"
    assert update.author == world.employee
    agreement.refresh_from_db()
    assert agreement.goal_update == update


def test_agreement_cannot_go_on_another_persons_plan(world, pop, conversation, as_user):
    agreement = services.agreement_add(
        conversation=conversation, by=world.manager, text="X", owner=world.employee
    )
    from plans.models import CompetencyGap, DevelopmentPlan

    other_plan = DevelopmentPlan.objects.create(
        employee=world.colleague, organisation=world.organisation, yearly_budget=0
    )
    other_gap = CompetencyGap.objects.create(
        plan=other_plan, competency=pop.competency, current_level=1, desired_level=2
    )
    response = as_user(world.manager).post(
        _url("conversation-agreement-plan", conversation, agreement_uuid=agreement.uuid),
        {"target": f"gap:{other_gap.uuid}", "kind": "training", "make": "action"},
    )
    assert response.status_code == 404
    assert not DevelopmentAction.objects.filter(title="X").exists()


def test_shared_notes_conflict_keeps_both_texts(world, conversation, as_user):
    employee, manager = as_user(world.employee), as_user(world.manager)
    employee.post(
        _url("conversation-notes", conversation), {"body": "Eerste versie van Sanne", "version": 1}
    )
    note = SharedNote.objects.get()
    assert (note.body, note.version, note.updated_by) == (
        "Eerste versie van Sanne",
        2,
        world.employee,
    )
    # The manager opened the page before Sanne saved (version 1).
    response = manager.post(
        _url("conversation-notes", conversation),
        {"body": "Mijn aantekeningen", "version": 1},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="conflict"' in html
    assert "Mijn aantekeningen" in html and "Eerste versie van Sanne" in html
    assert 'name="version" value="2"' in html
    note.refresh_from_db()
    assert note.body == "Eerste versie van Sanne"
    manager.post(_url("conversation-notes", conversation), {"body": "Samengevoegd", "version": 2})
    note.refresh_from_db()
    assert (note.body, note.version) == ("Samengevoegd", 3)


def test_private_notes_are_for_their_author_alone(world, conversation, as_user):
    as_user(world.manager).post(
        _url("conversation-private-note", conversation),
        {"private-body": "Let op overbelasting", "private-version": 1},
    )
    assert ConversationPrivateNote.objects.get().author == world.manager
    assert (
        "Let op overbelasting"
        in as_user(world.manager).get(conversation.get_absolute_url()).content.decode()
    )
    for viewer in (world.employee,):
        assert (
            "Let op overbelasting"
            not in as_user(viewer).get(conversation.get_absolute_url()).content.decode()
        )
    assert (
        "Let op overbelasting"
        not in as_user(world.employee)
        .get(reverse("conversations:conversation-list"))
        .content.decode()
    )
    assert (
        b"Let op overbelasting"
        not in as_user(world.employee).get(_url("conversation-ics", conversation)).content
    )


def test_preparation_answers_show_to_the_other_side_once_started(world, conversation, as_user):
    before = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert EMPLOYEE_ANSWER in before and MANAGER_ANSWER not in before
    assert "Jeroen de Vries heeft zich voorbereid." in before
    start_it(conversation)
    after = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert MANAGER_ANSWER in after


def test_preparation_is_saved_per_author(world, conversation, as_user):
    question = conversation.organisation.preparation_questions.filter(
        kind="development", audience__in=["both", "employee"]
    ).last()
    as_user(world.employee).post(
        _url("conversation-preparation", conversation),
        {f"answer-{question.pk}": "Over twee jaar ben ik specialist."},
    )
    answer = conversation.preparation_answers.get(question=question)
    assert (answer.author, answer.body) == (world.employee, "Over twee jaar ben ik specialist.")
    # A question of another kind (or organisation) is refused.
    other = conversation.organisation.preparation_questions.filter(kind="check_in").first()
    response = as_user(world.employee).post(
        _url("conversation-preparation", conversation), {f"answer-{other.pk}": "x"}
    )
    assert response.status_code == 403


def test_held_only_after_start_and_only_by_the_manager(world, conversation, as_user):
    assert as_user(world.employee).post(_url("conversation-held", conversation)).status_code == 403
    as_user(world.manager).post(_url("conversation-held", conversation))
    conversation.refresh_from_db()
    assert conversation.status == "scheduled"  # not started yet
    start_it(conversation)
    as_user(world.manager).post(_url("conversation-held", conversation))
    conversation.refresh_from_db()
    assert conversation.status == "held" and conversation.held_at is not None


def test_list_shows_upcoming_and_past_for_employee_and_manager(world, conversation, as_user):
    past = services.conversation_schedule(
        manager=world.manager,
        employee=world.colleague,
        kind="check_in",
        starts_at=timezone.now() - datetime.timedelta(hours=10),
    )
    manager_html = (
        as_user(world.manager).get(reverse("conversations:conversation-list")).content.decode()
    )
    upcoming_part, past_part = manager_html.split('id="past-heading"')
    assert "Sanne Jansen" in upcoming_part and "Daan Visser" in past_part
    employee_html = (
        as_user(world.employee).get(reverse("conversations:conversation-list")).content.decode()
    )
    assert "Jeroen de Vries" in employee_html and "Daan Visser" not in employee_html
    assert past.get_absolute_url() not in employee_html


def test_plan_page_fragment_shows_next_and_last(world, pop, conversation, as_user):
    url = reverse("conversations:plan-fragment", kwargs={"plan_uuid": pop.plan.uuid})
    html = as_user(world.employee).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert conversation.get_absolute_url() in html and "<html" not in html
    assert "nog geen" in html  # no last conversation
    hr_html = as_user(world.hr).get(url).content.decode()
    assert conversation.get_absolute_url() not in hr_html
    assert as_user(world.colleague).get(url).status_code == 404


def test_team_page_shows_who_is_overdue_under_the_policy(world, pop, as_user):
    from conversations.models import UnitCadence

    for person in (world.employee, world.colleague):
        person.date_joined = timezone.now() - datetime.timedelta(days=400)
        person.save(update_fields=["date_joined"])
    Conversation.objects.create(
        organisation=world.organisation,
        employee=world.colleague,
        manager=world.manager,
        kind="development",
        status="held",
        starts_at=timezone.now() - datetime.timedelta(days=10),
    )
    html = as_user(world.manager).get(reverse("conversations:team")).content.decode()
    rows = {
        re.search(r'<th scope="row">(?:<a [^>]+>)?([^<]+)<', row).group(1): row
        for row in html.split('data-testid="team-row"')[1:]
    }
    assert (
        "te laat" in rows["Sanne Jansen"] and "check-in, ontwikkelgesprek" in rows["Sanne Jansen"]
    )
    assert "op schema" in rows["Daan Visser"] and re.search(
        r"Ontwikkelgesprek</span>:\s+laatste", rows["Daan Visser"]
    )
    assert "akkoord" not in rows["Daan Visser"] and "nog geen POP" in rows["Daan Visser"]
    assert "1 persoon is te laat volgens het beleid." in html
    UnitCadence.objects.create(
        unit=world.team, checkin_cadence_weeks=70, conversation_interval_months=24
    )
    html = as_user(world.manager).get(reverse("conversations:team")).content.decode()
    assert "0 personen zijn te laat volgens het beleid." in html
    assert (
        "Ritme van de eenheid: elke 70 weken een check-in, elke 24 maanden een ontwikkelgesprek."
        in html
    )


def test_a_former_manager_cannot_change_the_plan_through_an_old_conversation(
    world, pop, conversation, as_user
):
    client = as_user(world.manager)
    client.post(
        _url("conversation-agreement-add", conversation),
        {"text": "Training coachend werken", "owner": world.employee.pk, "due_date": ""},
    )
    agreement = Agreement.objects.get()
    # Sanne moves to another manager; Jeroen keeps the old conversation, not her plan.
    world.employee.line_manager = world.other_manager
    world.employee.save()
    page = client.get(_url("conversation-detail", conversation)).content.decode()
    assert pop.gap.competency.name not in page  # no plan gaps offered any more
    for target in (f"gap:{pop.gap.uuid}", f"goal:{pop.goal.uuid}"):
        for make in ("action", "check_in"):
            response = client.post(
                _url("conversation-agreement-plan", conversation, agreement_uuid=agreement.uuid),
                {"target": target, "kind": "training", "make": make, "value": "50"},
            )
            assert response.status_code in (403, 404)  # refused, nothing written
    assert not DevelopmentAction.objects.filter(title="Training coachend werken").exists()
    assert not GoalUpdate.objects.filter(goal=pop.goal, note__contains="Training").exists()
    agreement.refresh_from_db()
    assert agreement.plan_action is None
    with pytest.raises(PermissionDenied):
        services.agreement_to_action(agreement=agreement, by=world.manager, gap=pop.gap)


def test_a_question_taken_out_of_use_meanwhile_keeps_every_answer(world, conversation, as_user):
    """The page was opened, then HR took a question out of use: saving keeps all the
    answers typed, that one included (it is no longer asked on the page)."""
    first, second = conversation.organisation.preparation_questions.filter(
        kind="development"
    ).order_by("pk")[:2]
    second.is_active = False
    second.save(update_fields=["is_active"])
    response = as_user(world.employee).post(
        _url("conversation-preparation", conversation),
        {f"answer-{first.pk}": "Meer regie.", f"answer-{second.pk}": "Minder avonddiensten."},
    )
    assert response.status_code == 302
    saved = dict(
        conversation.preparation_answers.filter(author=world.employee).values_list(
            "question_id", "body"
        )
    )
    assert (saved[first.pk], saved[second.pk]) == ("Meer regie.", "Minder avonddiensten.")


def test_a_conversation_cannot_be_moved_into_the_past_to_read_the_preparation(
    world, conversation, as_user
):
    """Issue 16, item 14: a manager could move it to 23 hours ago (accepted), read the
    employee's answers, and move it back."""
    from tests.conversations.conftest import EMPLOYEE_ANSWER

    client = as_user(world.manager)
    before = conversation.starts_at
    earlier = timezone.localtime() - datetime.timedelta(hours=23)
    response = client.post(
        _url("conversation-reschedule", conversation),
        {
            "date": earlier.date().isoformat(),
            "time": earlier.strftime("%H:%M"),
            "duration_minutes": 60,
            "location": "Kamer 2.14",
        },
    )
    assert response.status_code == 200
    assert "Kies een moment dat nog niet voorbij is." in response.content.decode()
    conversation.refresh_from_db()
    assert conversation.starts_at == before and conversation.sequence == 0
    page = client.get(conversation.get_absolute_url()).content.decode()
    assert EMPLOYEE_ANSWER not in page


def test_turning_an_agreement_into_an_action_asks_for_its_kind_and_target(
    world, pop, conversation, as_user
):
    """Issue 16, item 6: "agreement → plan action" silently took the first competency gap
    and the kind "Anders". Now both are asked, prefilled from the agreement's words."""
    client = as_user(world.manager)
    suggested = services.agreement_add(
        conversation=conversation,
        by=world.manager,
        text="Sanne volgt een cursus digitale vaardigheden",
        owner=world.employee,
    )
    unclear = services.agreement_add(
        conversation=conversation,
        by=world.manager,
        text="Samen verder kijken",
        owner=world.employee,
    )
    html = client.get(conversation.get_absolute_url()).content.decode()
    form = html[html.index(f'id="target-{suggested.uuid}"') :]
    assert f'<option value="gap:{pop.gap.uuid}" selected>' in form.split("</select>")[0]
    kinds = html[html.index(f'id="kind-{suggested.uuid}"') :].split("</select>")[0]
    assert '<option value="training" selected>' in kinds
    vague = html[html.index(f'id="target-{unclear.uuid}"') :].split("</select>")[0]
    assert "selected" not in vague  # nothing chosen for the person
    vague_kind = html[html.index(f'id="kind-{unclear.uuid}"') :].split("</select>")[0]
    assert "selected" not in vague_kind
    url = _url("conversation-agreement-plan", conversation, agreement_uuid=unclear.uuid)
    response = client.post(
        url, {"target": "", "kind": "", "make": "action"}, HTTP_HX_REQUEST="true"
    )
    page = response.content.decode()
    assert "Kies een competentie-ontwikkelpunt of een doel." in page
    assert "Kies de soort ontwikkelactie." in page
    assert not DevelopmentAction.objects.filter(title="Samen verder kijken").exists()
    client.post(url, {"target": f"goal:{pop.goal.uuid}", "kind": "coaching", "make": "action"})
    action = DevelopmentAction.objects.get(title="Samen verder kijken")
    assert (action.kind, action.goal, action.gap) == ("coaching", pop.goal, None)


def test_the_team_page_links_each_person_and_lists_goals_to_review(
    world, pop, conversation, as_user
):
    """Issue 16, item 8: the names on /team/ were not links; a "goals to review" column."""
    from tests.factories import GoalFactory

    User.objects.filter(organisation=world.organisation).update(
        date_joined=timezone.now() - datetime.timedelta(days=400), start_date=None
    )
    proposal = GoalFactory(
        owner_person=world.colleague, status="proposed", title="Daan leert wondzorg"
    )
    html = as_user(world.manager).get(reverse("conversations:team")).content.decode()
    sanne = html[html.index("Sanne Jansen") - 200 : html.index("</tr>", html.index("Sanne Jansen"))]
    assert (
        f'<a href="{pop.plan.get_absolute_url()}" data-testid="team-person">Sanne Jansen</a>'
        in sanne
    )
    daan = html[html.index("Daan Visser") : html.index("</tr>", html.index("Daan Visser"))]
    column = daan[daan.index('data-testid="goals-to-review"') :]
    assert f'<a href="{proposal.get_absolute_url()}">Daan leert wondzorg</a>' in column
    new = reverse("conversations:conversation-new")
    overdue = daan[daan.index('data-testid="overdue"') :]
    assert (
        f'href="{new}?mode=schedule&amp;employee={world.colleague.uuid}&amp;kind=development"'
        in overdue
    )


def test_scheduling_starts_from_the_kind_that_is_due_and_warns_of_one_nearby(
    world, pop, conversation, as_user
):
    """Issue 16, item 8: scheduling defaults to the kind of conversation that is due, and
    warns when one of that kind is already planned close to it."""
    User.objects.filter(pk=world.colleague.pk).update(
        date_joined=timezone.now() - datetime.timedelta(days=400), start_date=None
    )
    client = as_user(world.manager)
    new = reverse("conversations:conversation-new")
    page = client.get(new, {"mode": "schedule", "employee": world.colleague.uuid}).content.decode()
    kinds = page[page.index('name="kind"') : page.index("</select>", page.index('name="kind"'))]
    assert '<option value="development" selected>' in kinds
    # Sanne already has an ontwikkelgesprek in a week (the fixture): another one a few
    # days later is probably a mistake.
    data = schedule_form(world.employee, days=10)
    response = client.post(new, data)
    assert response.status_code == 200
    warning = response.content.decode()
    assert "Er staat al een gesprek van deze soort vlak in de buurt gepland" in warning
    assert conversation.get_absolute_url() in warning
    assert Conversation.objects.filter(employee=world.employee, kind="development").count() == 1
    response = client.post(new, {**data, "confirm_nearby": "1"})
    assert response.status_code == 302
    assert Conversation.objects.filter(employee=world.employee, kind="development").count() == 2
    # A kind that is not planned nearby goes through at once.
    assert client.post(new, {**data, "kind": "check_in"}).status_code == 302


def test_each_side_prepares_with_its_own_questions(world, conversation, as_user):
    """Issue 16, item 9: the manager was asked the employee's questions ("Wat heb je nodig
    van je leidinggevende?")."""
    employee_only = "Wat heb je nodig van je leidinggevende of je team?"
    manager_only = "Wat kun jij doen om je medewerker te ondersteunen?"
    manager_page = as_user(world.manager).get(conversation.get_absolute_url()).content.decode()
    employee_page = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    assert manager_only in manager_page and employee_only not in manager_page
    assert employee_only in employee_page and manager_only not in employee_page
    assert "Wat ging er goed sinds ons vorige gesprek?" in manager_page  # a question for both
    questions = conversation.organisation.preparation_questions.filter(kind="development")
    asked_of_employee = questions.get(text_nl=employee_only)
    refused = as_user(world.manager).post(
        _url("conversation-preparation", conversation),
        {f"answer-{asked_of_employee.pk}": "Meer tijd"},
    )
    assert refused.status_code == 403
    as_user(world.employee).post(
        _url("conversation-preparation", conversation),
        {f"answer-{asked_of_employee.pk}": "Tijd in het rooster voor de opleiding."},
    )
    as_user(world.manager).post(
        _url("conversation-preparation", conversation),
        {f"answer-{questions.get(text_nl=manager_only).pk}": "Roosteren met het team."},
    )
    # Once the conversation starts, each sees what the other prepared on their own questions.
    start_it(conversation)
    manager_page = as_user(world.manager).get(conversation.get_absolute_url()).content.decode()
    theirs = manager_page[manager_page.index('data-testid="their-questions"') :]
    assert employee_only in theirs and "Tijd in het rooster voor de opleiding." in theirs
    employee_page = as_user(world.employee).get(conversation.get_absolute_url()).content.decode()
    theirs = employee_page[employee_page.index('data-testid="their-questions"') :]
    assert manager_only in theirs and "Roosteren met het team." in theirs


def test_a_notes_conflict_is_resolved_in_one_click(world, conversation, as_user):
    """Issue 16, item 9: during a live meeting a conflict on the shared notes could only be
    solved by retyping; now "take theirs" and "put both together" are one click each."""
    employee, manager = as_user(world.employee), as_user(world.manager)
    url = _url("conversation-notes", conversation)
    employee.post(url, {"body": "Sanne: opleiding beeldzorg in mei.", "version": 1})
    conflict = manager.post(
        url, {"body": "Jeroen: rooster aanpassen.", "version": 1}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'name="resolve" value="both"' in conflict and 'name="resolve" value="theirs"' in conflict
    merged = manager.post(
        url,
        {"body": "Jeroen: rooster aanpassen.", "version": 2, "resolve": "both"},
        HTTP_HX_REQUEST="true",
    )
    assert "Opgeslagen." in merged.content.decode()
    note = SharedNote.objects.get()
    assert note.body == "Sanne: opleiding beeldzorg in mei.\n\nJeroen: rooster aanpassen."
    # The other way: Sanne typed over an older version and takes Jeroen's merged text.
    employee.post(url, {"body": "Sanne: alleen dit.", "version": 2}, HTTP_HX_REQUEST="true")
    kept = employee.post(
        url,
        {"body": "Sanne: alleen dit.", "version": note.version, "resolve": "theirs"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert "Hun versie is behouden." in kept
    assert "Jeroen: rooster aanpassen." in kept and "Sanne: alleen dit." not in kept
    note.refresh_from_db()
    assert note.body == "Sanne: opleiding beeldzorg in mei.\n\nJeroen: rooster aanpassen."
