"""Recognition (issue 19, item 5): a compliment ("schouderklopje") on a completed step, a
completed action or an achieved goal, by someone who can see it; it shows on the item and
reaches the receiver as a notification."""

from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from feedback.models import Compliment
from goals.models import Goal
from people.models import Notification
from plans.models import ActionStep, DevelopmentAction
from tests.factories import GoalFactory
from tests.hostile import assert_rejected, db_state, form, post, rolled_back, texts
from tests.plans.conftest import Pop, make_pop

pytestmark = pytest.mark.django_db


@pytest.fixture
def pop(world) -> Pop:
    return make_pop(world)


def url(kind: str, item) -> str:
    return reverse("feedback:compliment", args=[kind, item.uuid])


def done(step: ActionStep) -> ActionStep:
    ActionStep.objects.filter(pk=step.pk).update(done_on=datetime.date(2026, 3, 2))
    step.refresh_from_db()
    return step


def achieved_goal(world, visibility: str) -> Goal:
    return GoalFactory(
        owner_person=world.employee,
        title="Twintig cliënten begeleid met beeldzorg",
        status=Goal.Status.ACHIEVED,
        visibility=visibility,
    )


def test_the_manager_compliments_a_completed_step(world, pop, as_user):
    step = done(pop.step)
    response = as_user(world.manager).post(
        url("step", step), {"text": "Knap gedaan, Sanne!"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="compliments-step-{step.uuid}"' in html and "Knap gedaan, Sanne!" in html
    assert "Je schouderklopje is verstuurd." in html
    compliment = Compliment.objects.get()
    assert (compliment.giver, compliment.receiver, compliment.step) == (
        world.manager,
        world.employee,
        step,
    )
    # Sanne's inbox, with a link to the step on her plan.
    notification = Notification.objects.get(recipient=world.employee, kind="compliment")
    assert notification.link == f"{pop.plan.get_absolute_url()}#item-step-{step.uuid}"
    inbox = as_user(world.employee).get(reverse("people:inbox")).content.decode()
    assert "Jeroen de Vries gaf je een schouderklopje: Module 1: basis" in inbox
    assert "Knap gedaan, Sanne!" in inbox


def test_the_plan_page_shows_them_on_their_items(world, pop, as_user):
    step = done(pop.step)
    DevelopmentAction.objects.filter(pk=pop.action.pk).update(status="done")
    Compliment.objects.create(
        organisation=world.organisation,
        giver=world.manager,
        receiver=world.employee,
        step=step,
        text="Goed bezig!",
    )
    employee = as_user(world.employee)
    page = employee.get(pop.plan.get_absolute_url()).content.decode()
    # The places the feedback app fills, and the one request that fills them.
    assert f'<div id="compliments-step-{step.uuid}"></div>' in page
    assert f'<div id="compliments-action-{pop.action.uuid}"></div>' in page
    loader = reverse("feedback:plan-compliments", args=[pop.plan.uuid])
    assert f'hx-get="{loader}"' in page
    slots = employee.get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert slots.count('hx-swap-oob="true"') == 2
    assert "Goed bezig!" in slots and "Jeroen de Vries" in slots
    assert "Schouderklopje geven" not in slots  # not to oneself
    manager_slots = as_user(world.manager).get(loader, HTTP_HX_REQUEST="true").content.decode()
    assert manager_slots.count("Schouderklopje geven") == 2
    # Without JavaScript: a page of them.
    plain = employee.get(loader).content.decode()
    assert "<html" in plain and "Goed bezig!" in plain and "Module 1: basis" in plain


def test_a_colleague_compliments_a_goal_shared_with_the_team(world, pop, as_user):
    goal = achieved_goal(world, Goal.Visibility.TEAM)
    colleague = as_user(world.colleague)
    page = colleague.get(goal.get_absolute_url()).content.decode()
    assert f'hx-get="{url("goal", goal)}"' in page
    response = colleague.post(url("goal", goal), {"text": "Gefeliciteerd!"})
    assert response.status_code == 302 and response["Location"] == goal.get_absolute_url()
    assert Compliment.objects.get().goal == goal
    assert Notification.objects.filter(recipient=world.employee, kind="compliment").exists()


def test_only_what_one_can_see_and_what_is_completed(world, pop, as_user):
    data = {"text": "Top!"}
    # Not completed yet: nothing to compliment.
    assert as_user(world.manager).post(url("step", pop.step), data).status_code == 404
    step = done(pop.step)
    # Colleagues do not see Sanne's plan; other managers and other organisations neither.
    for outsider in (world.colleague, world.other_manager, world.other_hr):
        assert as_user(outsider).post(url("step", step), data).status_code == 404
        assert as_user(outsider).get(url("step", step)).status_code == 404
    # Not to oneself.
    assert as_user(world.employee).post(url("step", step), data).status_code == 403
    # A goal only she and her manager see.
    private = achieved_goal(world, Goal.Visibility.PRIVATE)
    assert as_user(world.colleague).post(url("goal", private), data).status_code == 404
    assert as_user(world.manager).post(url("goal", private), data).status_code == 302
    assert as_user(world.manager).post(url("nonsense", private), data).status_code == 404
    assert Compliment.objects.count() == 1


def test_bad_input_is_refused_with_a_dutch_message(world, pop, as_user):
    step = done(pop.step)
    manager = as_user(world.manager)

    @given(data=form({"text": "Mooi werk."}, text=texts(max_size=400)), htmx=st.booleans())
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            response = post(manager, url("step", step), data, htmx=htmx)
            assert response.status_code in (200, 302)
            if response.status_code == 302 or 'aria-invalid="true"' not in (
                response.content.decode()
            ):
                text = Compliment.objects.get().text
                assert text and len(text) <= 280 and text == text.strip()
                return
            assert_rejected(response, before)

    check()


def test_a_long_compliment_is_kept_when_refused(world, pop, as_user):
    step = done(pop.step)
    text = "Geweldig " * 40
    response = as_user(world.manager).post(
        url("step", step), {"text": text}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert "Houd het kort: hooguit 280 tekens." in html and text.strip() in html
    assert not Compliment.objects.exists()


def test_the_plan_loader_costs_the_same_for_many_items(world, pop, as_user):
    client = as_user(world.manager)
    loader = reverse("feedback:plan-compliments", args=[pop.plan.uuid])

    def grow(count: int) -> None:
        for number in range(count):
            step = ActionStep.objects.create(
                action=pop.action, title=f"Stap {number}", done_on=datetime.date(2026, 3, 1)
            )
            Compliment.objects.create(
                organisation=world.organisation,
                giver=world.hr,
                receiver=world.employee,
                step=step,
                text="Mooi!",
            )

    def count() -> int:
        cache.clear()  # counted from an empty shared cache: the most a request can cost
        with CaptureQueriesContext(connection) as queries:
            client.get(loader, HTTP_HX_REQUEST="true")
        return len(queries)

    grow(2)
    small = count()
    grow(20)
    assert count() == small


def test_the_team_feed_shows_only_what_the_receiver_shares(world, pop, as_user):
    step = done(pop.step)
    as_user(world.manager).post(url("step", step), {"text": "Een schouderklopje voor Sanne!"})
    home = reverse("dashboards:home")
    colleague = as_user(world.colleague)  # Sanne's teammate in Wijkteam Noord
    assert "Een schouderklopje voor Sanne!" not in colleague.get(home).content.decode()
    sanne = as_user(world.employee)
    response = sanne.post(reverse("people:compliment-sharing"), {"share": "1"})
    assert response.status_code == 302 and response["Location"].endswith("#profile-sharing")
    shown = colleague.get(home).content.decode()
    assert "Jeroen de Vries aan Sanne Jansen, voor “Module 1: basis”:" in shown
    assert "Een schouderklopje voor Sanne!" in shown
    # Another team's home does not show it.
    other = as_user(world.other_manager).get(home).content.decode()
    assert "Een schouderklopje voor Sanne!" not in other
    sanne.post(reverse("people:compliment-sharing"), {"share": "0"})
    assert "Een schouderklopje voor Sanne!" not in colleague.get(home).content.decode()
