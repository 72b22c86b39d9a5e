"""Self and manager assessment of a competency gap's current level (issue 19, item 6):
each side's view with a reason, kept as a history, shown with the level descriptors and
the difference; the agreed level stays the gap's own; a view far from the other's goes on
the next conversation's agenda."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from conversations.models import AgendaItem
from conversations.services import conversation_mark_held
from people.models import AuditEvent
from plans import services
from plans.models import CompetencyGap, DevelopmentPlan, LevelAssessment
from tests.conversations.conftest import make_conversation as schedule_conversation
from tests.conversations.conftest import start_it
from tests.hostile import (
    assert_rejected,
    choices,
    db_state,
    form,
    form_errors,
    numbers,
    post,
    rolled_back,
    texts,
)
from tests.plans.conftest import make_competency

pytestmark = pytest.mark.django_db


def assess_url(pop) -> str:
    return reverse("plans:plan-gap-assess", args=[pop.plan.uuid, pop.gap.uuid])


def assess(pop, user, level: int, reason: str, sequence: int | None = None) -> LevelAssessment:
    if sequence is None:
        side = "employee" if user == pop.plan.employee else "manager"
        sequence = LevelAssessment.objects.filter(gap=pop.gap, side=side).count()
    return services.gap_assess(
        plan=pop.plan,
        gap=pop.gap,
        by=user,
        level=level,
        reason=reason,
        expected_sequence=sequence,
    )


def views_block(html: str) -> str:
    start = html.index('data-testid="gap-views"')
    return html[start : start + 6000]


def test_both_views_show_on_the_plan_with_descriptors_and_the_difference(world, pop, as_user):
    employee, manager = as_user(world.employee), as_user(world.manager)
    response = employee.post(
        assess_url(pop), {"level": "2", "reason": "Beeldbellen lukt nog niet alleen.", "version": 0}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-gap-{pop.gap.uuid}")
    response = manager.post(
        assess_url(pop),
        {"level": "4", "reason": "Ze legt collega's beeldzorg uit.", "version": 0},
        HTTP_HX_REQUEST="true",
    )
    fragment = response.content.decode()
    assert response.status_code == 200 and "<html" not in fragment
    assert f'id="item-gap-{pop.gap.uuid}"' in fragment
    assert response["HX-Retarget"] == f"#item-gap-{pop.gap.uuid}"

    for client in (employee, manager, as_user(world.hr)):  # HR reads the plan, and the views
        block = views_block(client.get(pop.plan.get_absolute_url()).content.decode())
        assert "Beeldbellen lukt nog niet alleen." in block
        assert "Gebruikt beeldbellen met hulp." in block  # level 2's descriptor
        assert "Ze legt collega&#x27;s beeldzorg uit." in block
        assert "Leert collega&#x27;s e-health toepassen." in block  # level 4's descriptor
        assert "De inschattingen liggen 2 niveaus uit elkaar." in block
        assert "Het staat op de agenda van jullie volgende gesprek." in block
    gap = CompetencyGap.objects.get(pk=pop.gap.pk)
    assert gap.current_level == 2  # the agreed level is theirs to change together


def test_every_view_is_kept_and_the_latest_of_each_side_shown(world, pop, as_user):
    assess(pop, world.employee, 1, "Net begonnen.")
    assess(pop, world.employee, 3, "Na de e-learning gaat het zelfstandig.")
    assess(pop, world.manager, 3, "Eens.")
    rows = LevelAssessment.objects.filter(gap=pop.gap)
    assert [(r.side, r.level, r.sequence) for r in rows.order_by("id")] == [
        ("employee", 1, 1),
        ("employee", 3, 2),
        ("manager", 3, 1),
    ]
    block = views_block(as_user(world.employee).get(pop.plan.get_absolute_url()).content.decode())
    latest, earlier = block.split('data-testid="earlier-views"')
    assert "Na de e-learning gaat het zelfstandig." in latest and "Net begonnen." not in latest
    assert "Eerdere inschatting (1)" in earlier and "Net begonnen." in earlier
    assert "Jullie zien hetzelfde niveau." in latest


def test_a_view_is_not_a_change_of_the_plan(world, pop):
    """No new revision, no voided akkoord, nothing in the change log: the plan is what they
    agreed; a view is an opinion about it."""
    plan = pop.plan
    DevelopmentPlan.objects.filter(pk=plan.pk).update(status="agreed")
    before = DevelopmentPlan.objects.values("revision", "status").get(pk=plan.pk)
    changes = plan.changes.count()
    assess(pop, world.manager, 4, "Ze doet het al.")
    assert DevelopmentPlan.objects.values("revision", "status").get(pk=plan.pk) == before
    assert plan.changes.count() == changes


def test_the_managers_view_is_in_the_audit_trail(world, pop):
    assess(pop, world.employee, 2, "Mijn eigen inschatting.")
    assert not AuditEvent.objects.filter(summary="assessment").exists()
    assess(pop, world.manager, 4, "Mijn inschatting.")
    event = AuditEvent.objects.get(summary="assessment")
    assert (event.actor, event.subject, event.action) == (
        world.manager,
        world.employee,
        AuditEvent.Action.CREATE,
    )


def test_the_same_view_again_stores_nothing(world, pop):
    first = assess(pop, world.employee, 2, "Zelfde.")
    again = assess(pop, world.employee, 2, "Zelfde.", sequence=1)
    assert again == first and LevelAssessment.objects.count() == 1


def test_a_view_saved_meanwhile_is_shown_and_the_input_kept(world, pop, as_user):
    """Two tabs of the manager (or a save from the phone): the second save started from an
    older view. Nothing is lost: their view shows beside the input, and saving again keeps
    the person's own."""
    manager = as_user(world.manager)
    opened = manager.get(assess_url(pop), HTTP_HX_REQUEST="true").content.decode()
    assert 'name="version" value="0"' in opened
    assess(pop, world.manager, 3, "Vanochtend ingevuld op mijn telefoon.")
    data = {"level": "5", "reason": "Ze is al expert.", "version": "0"}
    response = manager.post(assess_url(pop), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="conflict"' in html
    assert "Vanochtend ingevuld op mijn telefoon." in html  # theirs
    assert "Ze is al expert." in html and re.search(r'value="5"[^>]*checked', html)
    assert 'name="version" value="1"' in html
    assert LevelAssessment.objects.count() == 1
    data["version"] = "1"
    response = manager.post(assess_url(pop), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-testid="conflict"' not in response.content.decode()
    assert LevelAssessment.objects.filter(gap=pop.gap).first().reason == "Ze is al expert."


def test_only_the_employee_and_her_line_manager_give_views(world, pop, as_user):
    data = {"level": "3", "reason": "Mag dit?", "version": 0}
    assert as_user(world.hr).post(assess_url(pop), data).status_code == 403
    for outsider in (world.colleague, world.other_manager, world.other_hr):
        assert as_user(outsider).post(assess_url(pop), data).status_code == 404
        assert as_user(outsider).get(assess_url(pop)).status_code == 404
    elsewhere = make_competency(world.organisation, name="Coachen")
    other_gap = CompetencyGap.objects.create(
        plan=DevelopmentPlan.objects.create(
            employee=world.colleague, organisation=world.organisation, yearly_budget=0
        ),
        competency=elsewhere,
        current_level=1,
        desired_level=2,
    )
    # A gap of another plan, through this plan's URL: 404.
    url = reverse("plans:plan-gap-assess", args=[pop.plan.uuid, other_gap.uuid])
    assert as_user(world.employee).post(url, data).status_code == 404
    assert not LevelAssessment.objects.exists()


def test_the_form_offers_every_level_with_its_descriptor(world, pop, as_user):
    html = as_user(world.employee).get(assess_url(pop)).content.decode()
    assert "niveau 3: Zet e-health zelfstandig in bij cliënten." in html
    assert len(re.findall(r'type="radio"[^>]*name="level"', html)) == 5


def test_bad_input_is_refused_with_a_dutch_message_and_nothing_stored(world, pop, as_user):
    clients = {"employee": as_user(world.employee), "manager": as_user(world.manager)}

    @given(
        persona=st.sampled_from(sorted(clients)),
        data=form(
            {"level": "3", "reason": "Zelfstandig met beeldbellen.", "version": "0"},
            level=choices(1, 2, 3, 4, 5),
            reason=texts(max_size=1200),
            version=numbers("0"),
        ),
        htmx=st.booleans(),
    )
    def check(persona, data, htmx):
        with rolled_back():
            before = db_state()
            response = post(clients[persona], assess_url(pop), data, htmx=htmx)
            assert response.status_code in (200, 302)
            if response.status_code == 302 or 'class="assess-form' not in response.content.decode():
                row = LevelAssessment.objects.get()
                assert row.side == persona and 1 <= row.level <= 5 and row.reason.strip()
                return
            if 'data-testid="conflict"' in response.content.decode():
                assert db_state() == before
                return
            assert_rejected(response, before)
            assert form_errors(response)

    check()


def test_a_long_reason_is_refused_and_kept(world, pop, as_user):
    reason = "Heel uitgebreid. " * 80
    response = as_user(world.employee).post(
        assess_url(pop), {"level": "2", "reason": reason, "version": 0}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Houd de reden kort: hooguit 1000 tekens." in html
    assert reason.strip() in html
    assert not LevelAssessment.objects.exists()


# --- The conversation's agenda ------------------------------------------------------------


def agenda(client, conversation) -> str:
    html = client.get(conversation.get_absolute_url()).content.decode()
    start = html.index('id="conv-agenda"')
    return html[start : html.index("</section>", start)]


def test_views_two_levels_apart_are_on_the_next_conversations_agenda(world, pop, as_user):
    conversation = schedule_conversation(world)  # scheduled before anyone gave a view
    employee, manager = as_user(world.employee), as_user(world.manager)
    assess(pop, world.employee, 2, "Nog onzeker.")
    assess(pop, world.manager, 3, "Het gaat goed.")
    assert "Digitale vaardigheden" not in agenda(employee, conversation)  # 1 level apart
    assess(pop, world.manager, 4, "Ze legt het collega's uit.")
    for client in (employee, manager):
        shown = agenda(client, conversation)
        assert "Digitale vaardigheden" in shown
        assert "jullie inschattingen van het niveau verschillen" in shown
        assert "Sanne: niveau 2, leidinggevende: niveau 4" in shown
    assess(pop, world.employee, 3, "Na gesprek met collega's toch hoger.")
    assert "Digitale vaardigheden" not in agenda(employee, conversation)  # 1 apart again


def test_a_held_conversation_keeps_what_was_on_its_agenda(world, pop, as_user):
    conversation = schedule_conversation(world)
    assess(pop, world.employee, 1, "Nog onzeker.")
    assess(pop, world.manager, 4, "Het gaat goed.")
    start_it(conversation)
    conversation_mark_held(conversation=conversation, by=world.manager)
    stored = AgendaItem.objects.get(conversation=conversation, source="gap")
    assert (stored.gap, stored.text) == (pop.gap, "Digitale vaardigheden")
    assess(pop, world.employee, 4, "Ik zie het nu ook.")  # after the conversation
    shown = agenda(as_user(world.employee), conversation)
    assert shown.count("Digitale vaardigheden") == 1  # kept once, not read again


def test_a_former_managers_conversation_does_not_read_the_plan(world, pop, as_user):
    conversation = schedule_conversation(world)
    assess(pop, world.employee, 1, "Nog onzeker.")
    assess(pop, world.manager, 4, "Het gaat goed.")
    world.employee.line_manager = world.other_manager
    world.employee.save(update_fields=["line_manager"])
    assert "Digitale vaardigheden" not in agenda(as_user(world.manager), conversation)


def test_the_agenda_costs_the_same_queries_for_many_gaps(world, pop, as_user):
    conversation = schedule_conversation(world)
    client = as_user(world.manager)

    def grow(count: int) -> None:
        for _ in range(count):
            name = f"Competentie {CompetencyGap.objects.count()}"
            gap = CompetencyGap.objects.create(
                plan=pop.plan,
                competency=make_competency(world.organisation, name=name),
                current_level=1,
                desired_level=5,
            )
            for side, level in (("employee", 1), ("manager", 4)):
                LevelAssessment.objects.create(
                    gap=gap, side=side, level=level, reason="Zo zie ik het.", sequence=1
                )

    def count() -> int:
        cache.clear()  # counted from an empty shared cache: the most a request can cost
        with CaptureQueriesContext(connection) as queries:
            client.get(conversation.get_absolute_url())
        return len(queries)

    grow(2)
    small = count()
    grow(20)
    large = count()
    assert large == small
    assert agenda(client, conversation).count("Zo zie ik het.") == 0  # reasons stay on the plan
    assert agenda(client, conversation).count("leidinggevende: niveau 4") == 22


def test_the_plan_page_costs_the_same_queries_with_many_views(world, pop, as_user):
    client = as_user(world.manager)
    url = pop.plan.get_absolute_url()
    client.get(url)

    def count() -> int:
        cache.clear()  # counted from an empty shared cache: the most a request can cost
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        return len(queries)

    assess(pop, world.employee, 2, "Eerste.")
    small = count()
    for number in range(10):
        assess(pop, world.manager, 2 + number % 3, f"Inschatting {number}.")
    assert count() == small
