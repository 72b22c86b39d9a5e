"""WCAG 2.1 AA: axe-core finds no serious or critical violation on any page, in any role.

Each role walks every page of ``pages.URLS`` that it opens (one signed-in browser
context per role, one demo organisation per test), first in Dutch and then the main
pages in English. The other tests here check the page after htmx swaps, with validation
errors shown and with a confirmation dialog open.
"""

from __future__ import annotations

from re import compile as re_compile

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from people.demo import DEMO_PASSWORD
from plans.models import ActionStep
from tests.browser.conftest import axe_serious
from tests.browser.pages import ROLES, URLS, build_demo, pages_for

URLS_BY_ID = {url.id: url for url in URLS}

# The main pages, walked in English too (each role's own; the employee's for the pages
# every role shares).
IN_ENGLISH = {
    "anonymous": {"login"},
    "employee": {
        "dashboards:home",
        "goals:goal-list",
        "plans:plan-detail",
        "conversations:conversation-detail",
    },
    "manager": {"dashboards:home", "conversations:team"},
    "hr": {"dashboards:home", "dashboards:alignment"},
}


def _walk(session, demo, urls, *, language: str) -> list[str]:
    page, problems = session.page, []
    for url in urls:
        response = page.goto(url.path(demo))
        where = f"{url.id} [{language}]"
        if response is None or response.status != 200:
            problems.append(f"{where}: {response and response.status}")
            continue
        # Parts that htmx loads into the page (hx-trigger="load") are in before the check.
        expect(page.locator(".htmx-request")).to_have_count(0)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        problems += axe_serious(page, where=where)
    return problems


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ROLES)
def test_every_page_is_accessible_in_every_role(role, open_session):
    demo = build_demo()
    session = open_session()
    person = getattr(demo, role, None)
    if person is not None:
        session.sign_in(person.email, DEMO_PASSWORD)
    urls = pages_for(role)
    problems = _walk(session, demo, urls, language="nl")
    session.page.get_by_role("button", name="English").click()
    expect(session.page.locator("html")).to_have_attribute("lang", "en")
    main = [url for url in urls if url.name in IN_ENGLISH[role] and not url.label]
    problems += _walk(session, demo, main, language="en")
    assert problems == [], "\n".join(problems)
    session.assert_no_console_errors()


# The fields whose aria-describedby (their own, or their group's <fieldset>) leads to no text.
DESCRIPTION_MISSING = """fields => fields.filter(field => {
    const owner = field.hasAttribute("aria-describedby") ? field : field.closest("fieldset");
    const ids = ((owner && owner.getAttribute("aria-describedby")) || "").split(/\\s+/);
    return !ids.some(id => id && document.getElementById(id)?.textContent.trim());
}).map(field => field.name)"""


def _errors_shown(page, where: str, region: str = "main") -> list[str]:
    """Validation errors as a screen reader meets them: each invalid field in ``region``
    says so (aria-invalid) and is described by its message (aria-describedby); then
    axe-core on the region (the rest of the page is the walk's)."""
    invalid = page.locator(region).locator('[aria-invalid="true"]')
    expect(invalid.first).to_be_visible()
    undescribed = invalid.evaluate_all(DESCRIPTION_MISSING)
    problems = [f"{where}: {name} has no error description" for name in undescribed]
    return problems + axe_serious(page, where=where, context=region)


@pytest.mark.django_db(transaction=True)
def test_forms_with_validation_errors_are_accessible(open_session):
    demo = build_demo()
    problems = []

    # Anonymous: a wrong password, the lockout after five, a bad new password.
    anonymous = open_session()
    page = anonymous.page
    page.goto("/accounts/login/")
    page.get_by_label("E-mailadres").fill("directeur@example.com")  # not one used below
    page.get_by_role("button", name="Volgende").click()  # then the password step
    for attempt in range(5):
        page.get_by_label("Wachtwoord").fill(f"niet-het-wachtwoord-{attempt}")
        page.get_by_role("button", name="Inloggen").click()
        if attempt == 0:
            error = page.get_by_role("alert")
            expect(error).to_contain_text("Dit e-mailadres en wachtwoord horen niet bij elkaar.")
            expect(error).to_be_focused()
            problems += axe_serious(page, where="login error")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inloggen tijdelijk geblokkeerd")
    problems += axe_serious(page, where="lockout")
    anonymous.screenshot("a11y-lockout")
    page.goto(URLS_BY_ID["password_reset_confirm (valid link)"].path(demo))
    page.locator("#id_new_password1").fill("kort")
    page.locator("#id_new_password2").fill("anders")
    page.get_by_role("button", name="Nieuw wachtwoord opslaan").click()
    problems += _errors_shown(page, "new password")

    # The employee: plan items in place, a comment, the goal form, a check-in, the agenda.
    employee = open_session()
    page = employee.page
    employee.sign_in(demo.employee.email, DEMO_PASSWORD)
    page.goto(demo.plan.get_absolute_url())
    page.get_by_role("link", name=f"Bewerken {demo.action.title}").click()
    form = page.locator(f"#item-action-{demo.action.uuid}")
    form.get_by_label("Titel").fill("")
    form.get_by_role("button", name="Opslaan").click()
    expect(form.get_by_role("alert")).to_be_focused()
    problems += _errors_shown(page, "plan action edit", f"#item-action-{demo.action.uuid}")
    page.get_by_text("Competentie toevoegen").click()
    page.locator("#add-gap").get_by_role("button", name="Toevoegen").click()
    problems += _errors_shown(page, "plan gap add", "#add-gap")
    comments = f"#comments-plan-{demo.plan.uuid}"
    plan_comments = page.locator(comments)
    plan_comments.get_by_text("Reactie schrijven").click()  # the folded comment form
    plan_comments.get_by_role("button", name="Reageren").click()
    expect(plan_comments.get_by_label("Reactie toevoegen")).to_be_focused()
    problems += _errors_shown(page, "plan comment", comments)
    employee.screenshot("a11y-plan-errors")

    page.goto("/goals/new/")
    page.get_by_role("button", name="Voorstellen aan mijn leidinggevende").click()
    expect(page.get_by_label("Titel")).to_be_focused()
    problems += _errors_shown(page, "goal form")
    employee.screenshot("a11y-goal-form-errors")
    page.goto(demo.own_goal.get_absolute_url())
    page.get_by_role("button", name="Check-in opslaan").click()
    problems += _errors_shown(page, "goal check-in", "#goal-progress")
    page.goto(demo.upcoming.get_absolute_url())
    page.get_by_role("button", name="Op de agenda zetten").click()
    expect(page.get_by_label("Nieuw agendapunt")).to_be_focused()
    problems += _errors_shown(page, "agenda item", "#conv-agenda")

    # The manager: planning a conversation, an agreement, returning and assigning goals.
    manager = open_session()
    page = manager.page
    manager.sign_in(demo.manager.email, DEMO_PASSWORD)
    page.goto("/conversations/new/?mode=schedule")
    page.get_by_role("button", name="Plannen en uitnodigen").click()
    problems += _errors_shown(page, "conversation schedule")
    page.goto(demo.upcoming.get_absolute_url())
    page.get_by_role("button", name="Afspraak toevoegen").click()
    problems += _errors_shown(page, "agreement", "#conv-agreements")
    page.goto(demo.proposed_goal.get_absolute_url())
    page.get_by_role("button", name="Terugsturen met toelichting").click()
    problems += _errors_shown(page, "goal return")
    page.goto(reverse("goals:goal-assign", args=[demo.team_goal.uuid]))
    page.get_by_role("button", name="Doelen klaarzetten").click()
    problems += _errors_shown(page, "goal assign")

    # HR: the competency catalogue and the organisation's policy.
    hr = open_session()
    page = hr.page
    hr.sign_in(demo.hr.email, DEMO_PASSWORD)
    page.goto(reverse("plans:competency-list"))
    page.get_by_role("button", name="Toevoegen").click()
    problems += _errors_shown(page, "competency")
    page.goto(reverse("people:organisation-settings"))
    page.get_by_label("Minimale groepsgrootte").fill("0")
    page.get_by_role("button", name="Instellingen opslaan").click()
    problems += _errors_shown(page, "organisation settings")

    assert problems == [], "\n".join(problems)
    for session in (employee, manager, hr):  # the lockout answers 429: a console error
        session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_pages_after_htmx_swaps_and_with_a_dialog_open(open_session):
    demo = build_demo()
    problems = []
    employee = open_session()
    page = employee.page
    live = page.locator("#live-status")
    employee.sign_in(demo.employee.email, DEMO_PASSWORD)

    # Notifications: one marked as read in place keeps focus and says so.
    page.goto(reverse("people:inbox"))
    mark_read = page.get_by_role("button", name="Markeren als gelezen")
    expect(mark_read).to_have_accessible_description("Nieuwe e-learning over beeldzorg")
    mark_read.click()
    expect(live).to_have_text("Gemarkeerd als gelezen.")
    expect(page.locator("li:focus")).to_contain_text("Nieuwe e-learning over beeldzorg")
    problems += axe_serious(page, where="inbox after mark-read", context="main")

    # The goal form's live SMART check, and the filtered cascade.
    page.goto(reverse("goals:goal-create"))
    page.get_by_label("Titel").fill("Tien cliënten met beeldzorg")
    page.get_by_label("Wat wil je precies bereiken?").fill("Cliënten in Noord krijgen beeldzorg.")
    expect(live).to_contain_text("SMART-check: aan")
    problems += axe_serious(page, where="goal form after SMART check", context="#smart-live")
    page.goto(reverse("goals:goal-list"))
    page.get_by_label("Status").select_option(label="Alle statussen")
    expect(page).to_have_url(re_compile(r"status=all"))
    expect(live).to_contain_text("doelen:")
    problems += axe_serious(page, where="goal list after filter", context="#goal-tree")

    # A check-in on the goal page (the page part is swapped; focus on its Progress heading).
    page.goto(demo.own_goal.get_absolute_url())
    check_in = page.locator(".check-in-form")
    check_in.get_by_label("Behaald?").select_option(label="Ja, behaald")  # a yes/no goal
    check_in.get_by_label("Vertrouwen").fill("7")
    check_in.get_by_label("Notitie").fill("Module 3 afgerond.")
    check_in.get_by_role("button", name="Check-in opslaan").click()
    expect(page.get_by_role("status").filter(has_text="Je check-in is opgeslagen.")).to_be_visible()
    expect(page.get_by_role("heading", name="Voortgang", exact=True)).to_be_focused()
    problems += axe_serious(page, where="goal after check-in", context="#goal-page")

    # The plan: a step, a private note, a comment, each added in place and announced.
    page.goto(demo.plan.get_absolute_url())
    card = page.locator(f"#item-action-{demo.action.uuid}").locator("xpath=ancestor::article")
    card.locator("summary", has_text="Stap toevoegen").click()  # the folded step form
    step_form = page.locator(f"#add-step-{demo.action.uuid}")
    step_form.get_by_label("Nieuwe stap").fill("Terugkomdag plannen")
    step_form.get_by_role("button", name="Stap toevoegen").click()
    expect(live).to_have_text("Toegevoegd.")
    expect(page.get_by_role("link", name="Bewerken Terugkomdag plannen")).to_be_focused()
    page.get_by_text("Privénotitie toevoegen").click()
    page.locator("#add-note").get_by_role("textbox").fill("Vragen naar de terugkomdag.")
    page.locator("#add-note").get_by_role("button", name="Toevoegen").click()
    expect(page.get_by_test_id("private-note").last).to_have_text("Vragen naar de terugkomdag.")
    comments = page.locator(f"#comments-plan-{demo.plan.uuid}")
    comments.get_by_text("Reactie schrijven").click()
    comments.get_by_label("Reactie toevoegen").fill("Ik plan de terugkomdag in mei.")
    comments.get_by_role("button", name="Reageren").click()
    expect(live).to_have_text("Je reactie is toegevoegd.")
    expect(comments.get_by_role("button", name="Reageren")).to_be_focused()
    problems += axe_serious(
        page, where="plan after adds", context="#plan-actions, #plan-notes, #plan-ambitions"
    )
    employee.screenshot("a11y-plan-after-swaps")

    # The manager: shared notes, an agreement that becomes an action, then cancelling.
    manager = open_session()
    page = manager.page
    live = page.locator("#live-status")
    manager.sign_in(demo.manager.email, DEMO_PASSWORD)
    page.goto(demo.upcoming.get_absolute_url())
    page.locator("#shared-notes").fill("Sanne wil zich verder ontwikkelen in e-health.")
    page.get_by_role("button", name="Aantekeningen opslaan").click()
    expect(live).to_have_text("Opgeslagen.")
    expect(page.get_by_role("button", name="Aantekeningen opslaan")).to_be_focused()
    page.get_by_label("Nieuwe afspraak").fill("Meelopen bij de e-healthpoli")
    page.get_by_role("button", name="Afspraak toevoegen").click()
    expect(live).to_have_text("De afspraak is toegevoegd.")
    agreement = page.locator("li.agreement").filter(has_text="Meelopen bij de e-healthpoli")
    agreement.get_by_role("button", name="Maak ontwikkelactie").click()  # nothing chosen yet
    expect(page.locator("#conv-agreements").get_by_role("alert").first).to_have_text(
        "Kies een competentie-ontwikkelpunt of een doel."
    )
    problems += axe_serious(page, where="agreement to plan, not chosen", context="#conv-agreements")
    agreement = page.locator("li.agreement").filter(has_text="Meelopen bij de e-healthpoli")
    agreement.get_by_label("Op het plan, voor").select_option(index=1)
    agreement.get_by_role("button", name="Maak ontwikkelactie").click()
    expect(live).to_have_text("De afspraak is nu een ontwikkelactie op het plan.")
    expect(agreement).to_be_focused()  # its buttons are gone; the agreement has focus
    problems += axe_serious(
        page, where="conversation after saves", context="#conv-notes, #conv-agreements"
    )

    page.get_by_role("button", name="Gesprek afzeggen").click()
    dialog = page.get_by_role("alertdialog", name="Weet je het zeker?")
    expect(dialog).to_contain_text("Dit gesprek met Sanne Jansen afzeggen?")
    expect(dialog.get_by_role("button", name="Nee, terug")).to_be_focused()
    problems += axe_serious(page, where="cancel dialog open")
    manager.screenshot("a11y-cancel-dialog", full_page=False)
    dialog.get_by_role("button", name="Ja, afzeggen").click()
    expect(page.get_by_test_id("status")).to_have_text("geannuleerd")
    demo.upcoming.refresh_from_db()
    assert demo.upcoming.status == "cancelled"

    assert problems == [], "\n".join(problems)
    employee.assert_no_console_errors()
    manager.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_confirmed_actions_still_post(open_session):
    """The dialog is an enhancement: without JavaScript, Remove and Cancel simply post."""
    demo = build_demo()
    step = (  # a step of an open action (finished ones are folded away)
        ActionStep.objects.filter(action__plan=demo.plan)
        .exclude(action__status__in=["done", "cancelled"])
        .order_by("pk")
        .first()
    )
    employee = open_session(java_script_enabled=False)
    page = employee.page
    employee.sign_in(demo.employee.email, DEMO_PASSWORD)
    page.goto(demo.plan.get_absolute_url())
    page.get_by_role("link", name=f"Bewerken {step.title}").click()  # the edit page
    page.get_by_role("button", name="Verwijderen").click()
    expect(page.locator("#messages")).to_have_text("Verwijderd.")
    assert not ActionStep.objects.filter(pk=step.pk).exists()

    manager = open_session(java_script_enabled=False)
    page = manager.page
    manager.sign_in(demo.manager.email, DEMO_PASSWORD)
    page.goto(demo.upcoming.get_absolute_url())
    page.get_by_role("button", name="Gesprek afzeggen").click()
    expect(page.locator("#messages")).to_contain_text("Het gesprek is afgezegd")
    demo.upcoming.refresh_from_db()
    assert demo.upcoming.status == "cancelled"
