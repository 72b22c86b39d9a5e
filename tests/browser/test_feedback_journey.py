"""Feedback in real Chromium.

(a) Sanne asks three colleagues for anonymous feedback on "Digitale vaardigheden". Two
answer: she sees nothing. The third answers: she sees the three answers, merged. Her
manager sees neither authors nor answers until she shares them, and then no authors.
(d) An upward round for a manager with four reports, three of whom answer: the manager
sees the figures.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from feedback.models import FeedbackRequest
from people.demo import DEMO_PASSWORD, EMPLOYEE_EMAIL, HR_EMAIL, MANAGER_EMAIL, seed_people
from people.models import User
from plans.models import CompetencyGap, DevelopmentPlan
from tests.browser.conftest import assert_accessible
from tests.plans.conftest import make_competency

ANSWERS = [
    "Legt cliënten rustig uit hoe beeldbellen werkt",
    "Helpt het team met de zorgapp",
    "Probeert nieuwe digitale hulpmiddelen als eerste uit",
]
PHONE = {"viewport": {"width": 390, "height": 844}}


def _answer(session, email: str, text: str, *, shoot: str = "") -> None:
    page = session.page
    session.sign_in(email, DEMO_PASSWORD)
    page.goto("/feedback/")
    page.get_by_test_id("inbox").get_by_role("link").first.click()
    notice = page.get_by_test_id("who-reads")
    expect(notice).to_contain_text("Anoniem")
    expect(notice).to_contain_text("zonder namen")
    forms = page.get_by_test_id("answer-form")
    for index in range(forms.count()):
        form = forms.nth(index)
        form.get_by_role("textbox").fill(f"{text} ({index})")
        expect(form.get_by_role("status")).to_have_text("Opgeslagen.")
    if shoot:
        assert_accessible(page)
        session.screenshot(shoot)
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_anonymous_feedback_on_a_competency(open_session):
    result = seed_people(people=20)
    sanne = User.objects.get(email=EMPLOYEE_EMAIL)
    plan = DevelopmentPlan.objects.create(
        employee=sanne, organisation=result.organisation, yearly_budget=1500
    )
    CompetencyGap.objects.create(
        plan=plan,
        competency=make_competency(result.organisation),
        current_level=2,
        desired_level=4,
        why_it_matters="Beeldzorg wordt de standaard in de wijk.",
    )
    colleagues = list(
        User.objects.filter(organisation=result.organisation, is_active=True, is_hr=False)
        .exclude(pk__in=[sanne.pk, sanne.line_manager_id])
        .filter(reports__isnull=True)
        .order_by("full_name")[:3]
    )

    employee = open_session()
    page = employee.page
    employee.sign_in(EMPLOYEE_EMAIL, DEMO_PASSWORD)
    page.goto("/plans/mine/")
    page.get_by_test_id("ask-feedback").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Feedback vragen")
    expect(page.get_by_label("Digitale vaardigheden")).to_be_checked()
    page.get_by_label("Deze mensen vragen").select_option(
        label=[person.full_name for person in colleagues]
    )
    page.get_by_label("Anoniem", exact=False).check()
    assert_accessible(page)
    employee.screenshot("feedback-ask")
    page.get_by_role("button", name="Vraag versturen").click()
    expect(page.get_by_test_id("answer-count")).to_have_text("0 van 3 mensen hebben geantwoord.")
    request_url = page.url

    for person, text in zip(colleagues[:2], ANSWERS, strict=False):
        _answer(open_session(), person.email, text, shoot="feedback-answer")

    page.reload()
    expect(page.get_by_test_id("below-floor")).to_contain_text("Er is nog 1 antwoord nodig")
    for text in ANSWERS:
        expect(page.get_by_text(text, exact=False)).to_have_count(0)
    employee.screenshot("feedback-below-floor")

    _answer(open_session(**PHONE), colleagues[2].email, ANSWERS[2], shoot="feedback-answer-390")

    page.reload()
    merged = page.get_by_test_id("merged")
    expect(merged.first.get_by_role("listitem")).to_have_count(3)
    for text in ANSWERS:
        expect(merged.first).to_contain_text(f"{text} (0)")
    for person in colleagues:
        expect(page.get_by_text(person.full_name)).to_have_count(0)
    assert_accessible(page)
    employee.screenshot("feedback-results")

    manager = open_session()
    mpage = manager.page
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    mpage.goto(request_url)
    expect(mpage.get_by_test_id("not-shared")).to_be_visible()
    for text in ANSWERS:
        expect(mpage.get_by_text(text, exact=False)).to_have_count(0)
    for person in colleagues:
        expect(mpage.get_by_text(person.full_name)).to_have_count(0)

    page.get_by_role("button", name="Delen met mijn leidinggevende").click()
    expect(page.get_by_role("button", name="Niet meer delen")).to_be_visible()
    mpage.reload()
    expect(mpage.get_by_test_id("merged").first).to_contain_text(f"{ANSWERS[0]} (0)")
    for person in colleagues:
        expect(mpage.get_by_text(person.full_name)).to_have_count(0)
    manager.screenshot("feedback-manager-shared")
    for session in (employee, manager):
        session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_upward_round_for_a_manager_with_four_reports(open_session):
    result = seed_people(people=20)
    jeroen = User.objects.get(email=MANAGER_EMAIL)
    others = (
        User.objects.filter(organisation=result.organisation, is_active=True, is_hr=False)
        .exclude(pk=jeroen.pk)
        .exclude(line_manager=jeroen)
        .filter(reports__isnull=True)
        .order_by("full_name")
    )
    missing = 4 - User.objects.filter(line_manager=jeroen, is_active=True).count()
    User.objects.filter(pk__in=[p.pk for p in others[:missing]]).update(line_manager=jeroen)
    reports = list(User.objects.filter(line_manager=jeroen, is_active=True).order_by("pk"))
    assert len(reports) == 4

    hr = open_session()
    page = hr.page
    hr.sign_in(HR_EMAIL, DEMO_PASSWORD)
    page.goto("/feedback/upward/new/")
    page.get_by_label("Leidinggevende").select_option(label=jeroen.full_name)
    assert_accessible(page)
    page.get_by_role("button", name="Ronde starten").click()
    expect(page.get_by_test_id("answer-count")).to_have_text("0 van 4 mensen hebben geantwoord.")
    round_url = page.url

    for person, score in zip(reports[:3], (4, 5, 3), strict=True):
        session = open_session()
        rpage = session.page
        session.sign_in(person.email, DEMO_PASSWORD)
        rpage.goto("/feedback/")
        rpage.get_by_test_id("inbox").get_by_role("link").first.click()
        expect(rpage.get_by_test_id("who-reads")).to_contain_text("gemiddelde scores")
        forms = rpage.get_by_test_id("answer-form")
        for index in range(forms.count()):
            forms.nth(index).get_by_label(str(score), exact=False).first.check()
            expect(forms.nth(index).get_by_role("status")).to_have_text("Opgeslagen.")
        if person == reports[0]:
            forms.first.get_by_role("textbox").fill("Neemt tijd voor mijn POP")
            expect(forms.first.get_by_role("status")).to_have_text("Opgeslagen.")
            assert_accessible(rpage)
            session.screenshot("feedback-upward-answer")
        session.assert_no_console_errors()

    manager = open_session()
    mpage = manager.page
    manager.sign_in(MANAGER_EMAIL, DEMO_PASSWORD)
    mpage.goto(round_url)
    means = mpage.get_by_test_id("mean")
    expect(means).to_have_count(FeedbackRequest.objects.get().questions.count())
    expect(means.first).to_have_text("Gemiddeld 4,0 van 5 (3 scores)")
    expect(mpage.get_by_test_id("merged").first).to_contain_text("Neemt tijd voor mijn POP")
    for person in reports:
        expect(mpage.get_by_text(person.full_name)).to_have_count(0)
    assert_accessible(mpage)
    manager.screenshot("feedback-upward-aggregate")
    manager.page.set_viewport_size({"width": 390, "height": 844})
    manager.screenshot("feedback-upward-aggregate-390")

    page.goto(round_url)  # HR launched it: the progress, never the figures
    expect(page.get_by_test_id("answer-count")).to_have_text("3 van 4 mensen hebben geantwoord.")
    expect(page.get_by_test_id("mean")).to_have_count(0)
