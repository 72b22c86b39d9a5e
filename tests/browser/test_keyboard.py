"""Keyboard only (WCAG 2.1.1, 2.4.3, 2.4.7, 4.1.3): the main flows without a mouse.

Tab, Shift+Tab, Enter, Escape and typing; no clicks. Every element the journey tabs
through shows a visible focus indicator (an outline or a box-shadow), each step lands on
the element a keyboard user expects (focus is never lost to <body> after an htmx swap),
and updates are announced in the page's live region (#live-status).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from conversations.models import AgendaItem, PreparationAnswer
from people.demo import DEMO_PASSWORD
from plans.models import CompetencyGap, DevelopmentAction
from tests.browser.conftest import assert_accessible
from tests.browser.pages import build_demo

# What hides the focused element's focus indicator ("" when an outline or a box-shadow shows).
FOCUS_HIDDEN = """() => {
    const el = document.activeElement;
    if (el === document.body) return "focus was lost to <body>";
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    if (box.width > 0 && box.height > 0 && (outline || style.boxShadow !== "none")) return "";
    return `no visible focus indicator on ${el.outerHTML.slice(0, 150)}`;
}"""


def _focus_shown(page) -> None:
    """The focused element is not <body> and shows where it is."""
    hidden = page.evaluate(FOCUS_HIDDEN)
    assert hidden == ""


def _at(page, target) -> None:
    """Focus is on ``target``, visibly."""
    expect(target).to_be_focused()
    _focus_shown(page)


def tab_to(page, target, *, back: bool = False, limit: int = 80) -> None:
    """Tab (or Shift+Tab) until ``target`` has focus; each stop on the way shows focus."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        _focus_shown(page)
        if target.evaluate("el => el === document.activeElement"):
            return
    raise AssertionError(f"{limit} × {key} did not reach {target}")


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    _at(page, page.get_by_label("E-mailadres"))  # autofocus
    page.keyboard.type(email)
    page.keyboard.press("Enter")  # the e-mail step; the password field then takes focus
    expect(page.get_by_label("Wachtwoord")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


@pytest.mark.django_db(transaction=True)
def test_keyboard_only_plan_editing(open_session):
    demo = build_demo()
    session = open_session()
    page = session.page
    live = page.locator("#live-status")
    sign_in(page, demo.employee.email)
    action = demo.action
    page.goto(demo.plan.get_absolute_url())

    # The skip link is the first stop and takes focus to the main content.
    page.keyboard.press("Tab")
    _at(page, page.get_by_role("link", name="Direct naar de inhoud"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # Open the action's edit form in place: focus goes into its first field.
    tab_to(page, page.get_by_role("link", name=f"Bewerken {action.title}"))
    page.keyboard.press("Enter")
    form = page.locator(f"#item-action-{action.uuid}")
    _at(page, form.get_by_label("Titel"))
    assert_accessible(page, context=f"#item-action-{action.uuid}")  # the page: the walk's
    page.keyboard.press("Control+a")
    page.keyboard.type("Training veerkracht, met terugkomdag")
    tab_to(page, form.get_by_role("button", name="Opslaan"))
    page.keyboard.press("Enter")

    # Saved: announced, and focus on the item's Edit button (not lost to <body>).
    expect(live).to_have_text("Je wijzigingen zijn opgeslagen.")
    _at(page, page.get_by_role("link", name="Bewerken Training veerkracht, met terugkomdag"))
    action.refresh_from_db()
    assert action.title == "Training veerkracht, met terugkomdag"
    assert_accessible(page, context="#plan-actions")

    # Add a competency gap; focus lands on the new gap.
    tab_to(page, page.get_by_text("Competentie toevoegen"), back=True)
    page.keyboard.press("Enter")
    add_gap = page.locator("#add-gap")
    # The folded form is fetched when it opens and takes focus on its first field (tabbing
    # on before it is there would race the swap).
    _at(page, add_gap.get_by_label("Competentie"))
    page.keyboard.type("Projectmatig")
    page.keyboard.press("Tab")
    _at(page, add_gap.get_by_label("Huidig niveau"))
    page.keyboard.type("1")
    page.keyboard.press("Tab")
    _at(page, add_gap.get_by_label("Gewenst niveau"))
    page.keyboard.type("3")
    tab_to(page, add_gap.get_by_role("button", name="Toevoegen"))
    page.keyboard.press("Enter")
    expect(live).to_have_text("Toegevoegd.")
    new_gap = page.get_by_role("link", name="Bewerken Projectmatig werken")
    _at(page, new_gap)
    gap = CompetencyGap.objects.get(plan=demo.plan, competency__name="Projectmatig werken")
    assert (gap.current_level, gap.desired_level) == (1, 3)

    # Remove it again, through the confirmation dialog.
    page.keyboard.press("Enter")
    remove = page.locator(f"#item-gap-{gap.uuid}").get_by_role("button", name="Verwijderen")
    tab_to(page, remove)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("alertdialog", name="Weet je het zeker?")
    expect(dialog).to_contain_text("“Projectmatig werken” uit het plan verwijderen?")
    _at(page, dialog.get_by_role("button", name="Nee, terug"))
    assert_accessible(page)  # the whole page, with the dialog open
    session.screenshot("keyboard-remove-dialog")
    page.keyboard.press("Escape")  # closes it; focus back on the button that opened it
    expect(dialog).to_be_hidden()
    _at(page, remove)
    assert CompetencyGap.objects.filter(pk=gap.pk).exists()
    page.keyboard.press("Enter")
    _at(page, dialog.get_by_role("button", name="Nee, terug"))
    page.keyboard.press("Tab")
    _at(page, dialog.get_by_role("button", name="Ja, verwijderen"))
    page.keyboard.press("Enter")
    expect(live).to_have_text("Verwijderd.")
    _at(page, page.get_by_role("heading", name="Competenties om te ontwikkelen"))
    assert not CompetencyGap.objects.filter(pk=gap.pk).exists()
    assert DevelopmentAction.objects.filter(pk=action.pk).exists()
    assert_accessible(page, context="#plan-gaps")
    session.screenshot("keyboard-plan-after-remove")
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_keyboard_only_conversation_preparation(open_session):
    demo = build_demo()
    session = open_session()
    page = session.page
    live = page.locator("#live-status")
    sign_in(page, demo.employee.email)

    # From the menu to the upcoming conversation.
    tab_to(page, page.get_by_role("link", name="Gesprekken"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gesprekken")
    upcoming = page.get_by_test_id("upcoming").get_by_role("link", name="Ontwikkelgesprek")
    tab_to(page, upcoming)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ontwikkelgesprek")

    # Answer the preparation questions and save.
    preparation = page.locator("#conv-preparation")
    questions = preparation.get_by_role("textbox")
    tab_to(page, questions.first)
    count = questions.count()
    assert count >= 2
    for number in range(count):
        _at(page, questions.nth(number))
        page.keyboard.press("Control+a")
        page.keyboard.type(f"Mijn antwoord op vraag {number + 1}.")
        page.keyboard.press("Tab")
    save = preparation.get_by_role("button", name="Mijn voorbereiding opslaan")
    _at(page, save)
    page.keyboard.press("Enter")
    expect(live).to_have_text("Je voorbereiding is opgeslagen.")
    _at(page, save)  # the same button again, in the updated section
    expect(questions.last).to_have_value(f"Mijn antwoord op vraag {count}.")
    answers = PreparationAnswer.objects.filter(conversation=demo.upcoming, author=demo.employee)
    assert sorted(answer.body for answer in answers) == [
        f"Mijn antwoord op vraag {number + 1}." for number in range(count)
    ]

    # Back up to the agenda and add an item (Enter in the field submits it).
    field = page.get_by_label("Nieuw agendapunt")
    tab_to(page, field, back=True)
    page.keyboard.type("Hoe ik collega's meeneem in beeldzorg")
    page.keyboard.press("Enter")
    expect(live).to_have_text("Het punt staat op de agenda.")
    expect(page.get_by_test_id("agenda")).to_contain_text("Hoe ik collega's meeneem in beeldzorg")
    _at(page, field)  # ready for the next item
    expect(field).to_have_value("")
    assert AgendaItem.objects.filter(
        conversation=demo.upcoming, text="Hoe ik collega's meeneem in beeldzorg"
    ).exists()
    assert_accessible(page, context="#conv-agenda, #conv-preparation")
    session.screenshot("keyboard-conversation-prepared")
    session.assert_no_console_errors()


@pytest.mark.django_db(transaction=True)
def test_keyboard_only_hr_menu(open_session):
    """HR's pages sit in one menu in the bar: it opens with Enter, its links are reached
    with Tab, Escape closes it and gives focus back to it; axe is clean while it is open."""
    from people.demo import HR_EMAIL

    build_demo()
    page = open_session().page
    sign_in(page, HR_EMAIL)
    menu = page.locator("#hr-menu")
    summary = menu.locator("summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    audit = page.get_by_role("link", name="Auditlog")
    expect(audit).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Escape")
    expect(audit).to_be_hidden()
    _at(page, summary)
    page.keyboard.press("Enter")
    tab_to(page, audit)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Auditlog")
    expect(page.locator("#hr-menu summary")).to_have_class("nav-link active")
