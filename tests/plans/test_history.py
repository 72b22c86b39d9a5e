"""The plan's change history (issue 16, item 4): a text's change shows word by word, saves
of one field in a row read as one change, one "what changed" panel with a switch, and the
full history loads on demand so the page does not grow with it."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from plans import services
from plans.items import KINDS
from plans.models import DevelopmentPlan, PlanChange, PlanVisit

HX = {"HTTP_HX_REQUEST": "true"}
LONG = (
    "Ik wil de komende twee jaar doorgroeien naar specialistisch wijkverpleegkundige. "
    "Daarvoor wil ik meer leren over wondzorg, palliatieve zorg en het begeleiden van "
    "mantelzorgers, en wil ik collega's in het team helpen met het digitale dossier en "
    "met beeldbellen bij cliënten die dat lastig vinden"
)


def _save(plan, by, field, value, *, minutes_ago: float) -> None:
    """One save of a plan field, as the page makes it, ``minutes_ago``."""
    plan.refresh_from_db()
    kind = KINDS["org-ambition" if field == "organisation_ambition" else "ambition"]
    services.item_update(
        plan=plan,
        kind=kind,
        item=plan,
        by=by,
        expected_version=plan.version,
        changes={field: value},
    )
    PlanChange.objects.filter(plan=plan, field=field).filter(
        at__gte=timezone.now() - datetime.timedelta(seconds=5)
    ).update(at=timezone.now() - datetime.timedelta(minutes=minutes_ago))


def _visited(client, plan, *, minutes_ago: int = 720) -> None:
    """The person opened the plan ``minutes_ago``."""
    client.get(plan.get_absolute_url())
    PlanVisit.objects.filter(plan=plan).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=minutes_ago)
    )


def _panel(html: str) -> str:
    return html[
        html.index('id="plan-changes"') : html.index("</section>", html.index('id="plan-changes"'))
    ]


def test_an_edit_at_the_end_of_a_long_text_shows_the_words_that_changed(world, pop, as_user):
    """The history cut long texts from the start (80 characters), so an edit at the end of
    the ambition showed as rows that looked the same."""
    employee = as_user(world.employee)
    _visited(employee, pop.plan)
    DevelopmentPlan.objects.filter(pk=pop.plan.pk).update(organisation_ambition=LONG)
    _save(
        pop.plan,
        world.manager,
        "organisation_ambition",
        LONG + " en videogesprekken.",
        minutes_ago=1,
    )
    panel = _panel(employee.get(pop.plan.get_absolute_url()).content.decode())
    assert (
        '<ins><span class="visually-hidden">toegevoegd: </span> en videogesprekken.</ins>' in panel
    )
    assert "<del>" not in panel.split("word-diff", 1)[1].split("</li>", 1)[0]  # nothing removed
    assert "…" in panel and "Ik wil de komende twee jaar" not in panel  # in context, not whole
    assert "bij cliënten die dat lastig vinden" in panel  # the words just before the change


def test_saves_of_one_field_in_a_row_are_one_change(world, pop, as_user):
    employee = as_user(world.employee)
    _visited(employee, pop.plan)
    for number, minutes in enumerate((9, 7, 5, 3, 1), start=1):
        _save(
            pop.plan,
            world.manager,
            "organisation_ambition",
            f"Versie {number} van de ambitie",
            minutes_ago=minutes,
        )
    panel = _panel(employee.get(pop.plan.get_absolute_url()).content.decode())
    assert panel.count("Jeroen de Vries</span> wijzigde") == 1
    assert "5 keer opgeslagen" in panel
    assert "Versie 5 van de ambitie" in panel and "Versie 3 van de ambitie" not in panel


def test_one_panel_lists_a_change_once(world, pop, as_user):
    """ "Since your last visit", "since the agreed version" and "difference with the
    version" listed the same change three times; now one panel shows one of them."""
    employee = as_user(world.employee)
    services.plan_agree(plan=pop.plan, by=world.employee, revision=1)
    services.plan_agree(plan=pop.plan, by=world.manager, revision=1)
    _visited(employee, pop.plan, minutes_ago=30)
    _save(
        pop.plan, world.manager, "organisation_ambition", "Een heel nieuwe ambitie", minutes_ago=1
    )
    html = employee.get(pop.plan.get_absolute_url()).content.decode()
    assert html.count("Een heel nieuwe ambitie") == 2  # the ambition itself, and one change
    switch = _panel(html)
    assert "Sinds mijn vorige bezoek" in switch and "Sinds versie 1" in switch
    assert "Alles" in switch


def test_the_full_history_loads_on_demand_and_the_page_does_not_grow(world, pop, as_user):
    """The demo employee's page grew from 56 to 105 KB after 129 saves."""
    employee, manager = as_user(world.employee), as_user(world.manager)
    url = pop.plan.get_absolute_url()
    _visited(employee, pop.plan, minutes_ago=700)
    _save(pop.plan, world.manager, "organisation_ambition", "Eerste ambitie", minutes_ago=600)
    small = len(employee.get(url).content)
    PlanVisit.objects.filter(plan=pop.plan).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=700)
    )
    for number in range(130):
        _save(
            pop.plan,
            world.manager,
            "organisation_ambition",
            f"Ambitie nummer {number}",
            minutes_ago=500 - 3 * number,
        )
        if number % 2:
            _save(
                pop.plan,
                world.employee,
                "employee_ambition",
                f"Mijn ambitie {number}",
                minutes_ago=499 - 3 * number,
            )
    PlanVisit.objects.filter(plan=pop.plan).update(
        last_seen_at=timezone.now() - datetime.timedelta(minutes=700)
    )
    html = employee.get(url).content.decode()
    assert len(html) - small < 6_000, len(html) - small
    assert "Ambitie nummer 3 " not in html  # older lines only in the full history
    changes = reverse("plans:plan-changes", args=[pop.plan.uuid])
    history = manager.get(changes, {"changes": "history"}, **HX).content.decode()
    assert "<html" not in history and 'data-testid="changes-history"' in history
    assert "Mijn ambitie 129" in history and "Oudere wijzigingen" in history
    older = manager.get(changes, {"changes": "history", "page": "2"}, **HX).content.decode()
    assert "Mijn ambitie 1<" in older or "Mijn ambitie 1 " in older
    # Without JavaScript the link opens the plan page with that view.
    plain = manager.get(changes, {"changes": "history"})
    assert plain.status_code == 302 and plain["Location"].endswith("?changes=history#plan-changes")


def test_word_diff_keeps_a_few_words_of_context():
    from plans.diff import word_diff

    words = " ".join(f"woord{n}" for n in range(20))
    segments = word_diff(words + " einde", words + " slot")
    assert [segment.kind for segment in segments] == ["gap", "same", "del", "ins"]
    assert segments[1].text.split() == [f"woord{n}" for n in range(14, 20)]
    assert (segments[2].text, segments[3].text) == ("einde", "slot")
