"""Journey (b) of issue 19 in real Chromium: Sanne and her manager Jeroen each give their
view of the current level of the same competency, two levels apart; both see both views on
the plan with the level descriptors, and the next conversation's agenda lists the gap."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from conversations.services import conversation_schedule
from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, MANAGER_EMAIL, seed_people
from people.models import User
from plans.models import CompetencyGap, DevelopmentPlan, LevelAssessment
from tests.browser.conftest import axe_serious
from tests.plans.conftest import make_competency


def _give_view(session, gap, button: str, level: str, reason: str) -> None:
    page = session.page
    card = page.locator(f"#item-gap-{gap.uuid}")
    card.get_by_role("link", name=button).click()
    form = page.locator(f"#assess-{gap.uuid}")
    expect(form.get_by_label(level)).to_be_visible()
    form.get_by_label(level).check()
    form.get_by_label("Waarom dit niveau?").fill(reason)
    form.get_by_role("button", name="Opslaan").click()
    expect(card.get_by_test_id("gap-views")).to_contain_text(reason)
    expect(page.locator("#live-status")).to_have_text("Je wijzigingen zijn opgeslagen.")


@pytest.mark.django_db(transaction=True)
def test_views_two_levels_apart_reach_the_next_conversations_agenda(open_session):
    result = seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    jeroen = User.objects.get(email=MANAGER_EMAIL)
    plan = DevelopmentPlan.objects.create(
        employee=sanne, organisation=result.organisation, yearly_budget=1500
    )
    gap = CompetencyGap.objects.create(
        plan=plan, competency=make_competency(result.organisation), current_level=2, desired_level=4
    )
    day = timezone.localdate() + datetime.timedelta(days=7)
    conversation = conversation_schedule(
        manager=jeroen,
        employee=sanne,
        kind="development",
        starts_at=datetime.datetime.combine(
            day, datetime.time(10, 30), tzinfo=timezone.get_current_timezone()
        ),
        location="Kamer 2.14",
    )
    problems: list[str] = []

    employee = open_session()
    page = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    page.goto(plan.get_absolute_url())
    card = page.locator(f"#item-gap-{gap.uuid}")
    expect(card.get_by_test_id("view-employee")).to_contain_text("Nog niet gegeven.")
    # Saving without a level or a reason: both are asked for, nothing is lost or stored.
    card.get_by_role("link", name="Geef mijn inschatting Digitale vaardigheden").click()
    form = page.locator(f"#assess-{gap.uuid}")
    form.get_by_label("Waarom dit niveau?").fill("   ")
    form.get_by_role("button", name="Opslaan").click()
    expect(form.get_by_role("alert")).to_be_focused()
    expect(form).to_contain_text("Kies een niveau van 1 tot en met 5.")
    expect(form).to_contain_text("Schrijf in een zin of twee waarom je dit niveau ziet.")
    problems += axe_serious(page, where="assessment with errors", context=f"#assess-{gap.uuid}")
    employee.screenshot("assessment-errors")
    form.get_by_role("link", name="Annuleren").click()
    assert not LevelAssessment.objects.exists()
    _give_view(
        employee,
        gap,
        "Geef mijn inschatting Digitale vaardigheden",
        "niveau 2: Gebruikt beeldbellen met hulp.",
        "Beeldbellen lukt, maar ik vraag nog vaak hulp.",
    )

    manager = open_session()
    mpage = manager.page
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    mpage.goto(plan.get_absolute_url())
    _give_view(
        manager,
        gap,
        "Geef je inschatting als leidinggevende Digitale vaardigheden",
        "niveau 4: Leert collega's e-health toepassen.",
        "Sanne legt nieuwe collega's het beeldbellen uit.",
    )
    mcard = mpage.locator(f"#item-gap-{gap.uuid}")
    difference = mcard.get_by_test_id("views-difference")
    expect(difference).to_contain_text("De inschattingen liggen 2 niveaus uit elkaar.")
    expect(difference).to_contain_text("Het staat op de agenda van jullie volgende gesprek.")
    expect(mcard.get_by_test_id("view-employee")).to_contain_text("Gebruikt beeldbellen met hulp.")
    expect(mcard.get_by_test_id("view-manager")).to_contain_text("Leert collega's e-health")
    problems += axe_serious(mpage, where="gap with both views", context=f"#item-gap-{gap.uuid}")
    mcard.scroll_into_view_if_needed()
    manager.screenshot("assessment-gap-both-views-1280")
    mpage.set_viewport_size({"width": 390, "height": 844})
    manager.screenshot("assessment-gap-both-views-390")
    mpage.set_viewport_size({"width": 1280, "height": 900})

    # The next conversation's agenda, for both of them.
    for session in (manager, employee):
        session.page.goto(conversation.get_absolute_url())
        agenda = session.page.get_by_test_id("agenda")
        expect(agenda).to_contain_text("Digitale vaardigheden")
        expect(agenda).to_contain_text("Sanne: niveau 2, leidinggevende: niveau 4")
    problems += axe_serious(page, where="agenda with the gap", context="#conv-agenda")
    employee.screenshot("assessment-agenda-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    employee.screenshot("assessment-agenda-390")
    assert problems == [], "\n".join(problems)
    employee.assert_no_console_errors()
    manager.assert_no_console_errors()
