"""The plan page: what people see, in-place editing (htmx and plain), validation,
conflicts, changes panels, budget and the query budget."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans import services
from plans.items import KINDS
from plans.models import ActionStep, CompetencyGap, DevelopmentAction, PlanComment

from .conftest import action_form_data, make_action, make_competency

HX = {"HTTP_HX_REQUEST": "true"}


def test_page_shows_ambitions_goals_gaps_actions_budget(world, pop, as_user):
    html = as_user(world.employee).get(pop.plan.get_absolute_url()).content.decode()
    assert "Wat willen we samen bereiken?" in html
    assert "Groeien naar specialistisch wijkverpleegkundige e-health." in html
    assert "Meer cliënten zelfstandig thuis met digitale zorg." in html
    # Individual goal with its cascade path and progress (5 of 20 = 25%).
    assert "Digitale zorg voor iedere cliënt › Beeldzorg in Wijkteam Noord › Twintig" in html
    assert 'data-testid="progress-percent">25%' in html
    assert "Digitale vaardigheden" in html and "Gebruikt beeldbellen met hulp." in html
    assert "E-learning beeldzorg" in html and "Module 1: basis" in html
    assert "Goed plan!" in html
    assert re.search(r'data-testid="budget-used">€ 150,00', html)
    assert re.search(r'data-testid="budget-left">€ 1.350,00', html)
    assert 'data-testid="budget-warning"' not in html
    # The conversations app serves the next and last conversations; the page loads them.
    url = f"/conversations/plan/{pop.plan.uuid}/"
    assert f'id="plan-conversations" class="card shadow-sm mb-4" hx-get="{url}"' in html


def test_actions_are_grouped_by_priority_and_status_and_over_budget_warns(world, pop, as_user):
    make_action(
        pop.plan,
        pop.gap,
        title="Congres e-health",
        kind="conference",
        priority=1,
        status="in_progress",
        cost=Decimal("1200"),
    )
    make_action(
        pop.plan, pop.gap, title="Oude cursus", priority=3, status="cancelled", cost=Decimal("5000")
    )
    html = as_user(world.manager).get(pop.plan.get_absolute_url()).content.decode()
    high, medium, low = (html.index(f"Prioriteit {p}") for p in ("hoog", "gemiddeld", "laag"))
    assert high < html.index("Congres e-health") < medium < html.index("E-learning beeldzorg")
    assert low < html.index("Oude cursus")
    # 150 + 1200 count; the cancelled 5000 does not: 150 left of 1500.
    assert re.search(r'data-testid="budget-left">€ 150,00', html)
    make_action(pop.plan, pop.gap, title="Master", cost=Decimal("400"))
    html = as_user(world.manager).get(pop.plan.get_absolute_url()).content.decode()
    assert 'data-testid="budget-left">€ -250,00' in html
    assert 'data-testid="budget-warning"' in html


def test_htmx_edit_form_and_save_return_fragments(world, pop, as_user):
    client = as_user(world.manager)
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    form = client.get(url, **HX).content.decode()
    assert "<html" not in form
    assert f'id="item-action-{pop.action.uuid}"' in form and 'name="version" value="1"' in form
    response = client.post(url, action_form_data(pop, title="E-learning beeldzorg deel 2"), **HX)
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert f'id="item-action-{pop.action.uuid}"' in html
    assert "E-learning beeldzorg deel 2" in html
    assert re.search(r'<section id="plan-budget"[^>]*hx-swap-oob="true"', html)  # budget follows
    assert "€ 495,00" in html
    pop.action.refresh_from_db()
    assert pop.action.version == 2 and pop.action.cost == Decimal("495")


def test_plain_post_redirects_back_to_the_item(world, pop, as_user):
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "org-ambition", pop.plan.uuid])
    response = as_user(world.manager).post(
        url, {"organisation_ambition": "Sanne wordt aandachtsvelder e-health.", "version": 1}
    )
    assert response.status_code == 302
    assert response.url == f"{pop.plan.get_absolute_url()}#item-org-ambition-{pop.plan.uuid}"
    pop.plan.refresh_from_db()
    assert pop.plan.organisation_ambition == "Sanne wordt aandachtsvelder e-health."


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"gap": "", "goal": ""}, "gap", "Koppel deze actie aan een competentie"),
        (
            {"start_date": "2026-05-01", "due_date": "2026-03-01"},
            "due_date",
            "De einddatum kan niet vóór de begindatum liggen.",
        ),
        ({"cost": "-10"}, "cost", "De kosten kunnen niet negatief zijn."),
    ],
    ids=["no-gap-or-goal", "due-before-start", "negative-cost"],
)
@pytest.mark.parametrize("htmx", [True, False], ids=["htmx", "plain"])
def test_action_validation_keeps_everything_typed(
    world, pop, as_user, overrides, field, message, htmx
):
    url = reverse("plans:plan-item-add", args=[pop.plan.uuid, "action"])
    data = action_form_data(pop, **overrides)
    response = as_user(world.employee).post(url, data, **(HX if htmx else {}))
    html = response.content.decode()
    assert response.status_code == 200
    assert message in html
    assert ("<html" in html) != htmx
    for kept in (
        "Training coachend werken",
        "Twee dagen training met terugkomdag.",
        "Ik geef een teamoverleg-sessie over wat ik leerde.",
        "Zorgacademie",
    ):
        assert kept in html
    assert not DevelopmentAction.objects.filter(title="Training coachend werken").exists()


@pytest.mark.parametrize(
    ("current", "desired", "message"),
    [
        ("4", "2", "Het gewenste niveau kan niet lager zijn dan het huidige niveau."),
        ("0", "3", "Kies een niveau van 1 tot en met 5."),
        ("2", "6", "Kies een niveau van 1 tot en met 5."),
    ],
)
def test_gap_validation(world, pop, as_user, current, desired, message):
    competency = make_competency(world.organisation, "Coachend werken")
    url = reverse("plans:plan-item-add", args=[pop.plan.uuid, "gap"])
    data = {
        "competency": competency.pk,
        "current_level": current,
        "desired_level": desired,
        "priority": 2,
        "why_it_matters": "Cliënten regie laten houden.",
    }
    html = as_user(world.employee).post(url, data, **HX).content.decode()
    assert message in html
    assert "Cliënten regie laten houden." in html
    assert not CompetencyGap.objects.filter(competency=competency).exists()


def test_english_user_gets_english_messages(world, pop, as_user):
    world.employee.language = "en"
    world.employee.save()
    url = reverse("plans:plan-item-add", args=[pop.plan.uuid, "action"])
    html = (
        as_user(world.employee).post(url, action_form_data(pop, cost="-1"), **HX).content.decode()
    )
    assert "The cost cannot be negative." in html


def test_conflict_shows_their_value_beside_mine_and_keep_mine_applies(world, pop, as_user):
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    theirs = "Jeroen: eerst module 1 en 2, dan evalueren."
    mine = "Sanne: alle vier modules in één keer."
    assert (
        as_user(world.manager).post(url, action_form_data(pop, description=theirs)).status_code
        == 302
    )
    response = as_user(world.employee).post(url, action_form_data(pop, description=mine), **HX)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="conflict"' in html
    assert "Jeroen de Vries heeft dit om" in html
    assert mine in html  # my input is kept in the field
    assert 'data-testid="their-description"' in html and theirs in html
    assert 'name="version" value="2"' in html  # "save my version" now targets their version
    pop.action.refresh_from_db()
    assert pop.action.description == theirs
    # "Take theirs" shows the item as it is now.
    show = reverse("plans:plan-item", args=[pop.plan.uuid, "action", pop.action.uuid])
    assert f'hx-get="{show}"' in html
    shown = as_user(world.employee).get(show, **HX).content.decode()
    assert theirs in shown and mine not in shown and "<form" not in shown
    # Keep mine: submit again with the version from the conflict view.
    response = as_user(world.employee).post(
        url, action_form_data(pop, description=mine, version=2), **HX
    )
    assert 'data-testid="conflict"' not in response.content.decode()
    pop.action.refresh_from_db()
    assert pop.action.description == mine and pop.action.version == 3


def test_conflict_without_js_renders_the_full_edit_page(world, pop, as_user):
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "org-ambition", pop.plan.uuid])
    as_user(world.manager).post(url, {"organisation_ambition": "Versie A", "version": 1})
    response = as_user(world.employee).post(
        url, {"organisation_ambition": "Versie B", "version": 1}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert "Versie A" in html and "Versie B" in html and 'data-testid="conflict"' in html


def test_editing_an_item_someone_removed_keeps_the_text(world, pop, as_user):
    services.item_delete(
        plan=pop.plan, kind=KINDS["step"], item=pop.step, by=world.manager, expected_version=1
    )
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "step", pop.step.uuid])
    response = as_user(world.employee).post(
        url, {"title": "Module 1: basis en praktijk", "version": 1}, **HX
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'data-testid="conflict"' in html
    assert "Iemand anders heeft dit onderdeel verwijderd" in html
    assert 'value="Module 1: basis en praktijk"' in html
    assert not ActionStep.objects.exists()
    # A removed action can be added again from the same form.
    services.item_delete(
        plan=pop.plan, kind=KINDS["action"], item=pop.action, by=world.manager, expected_version=1
    )
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    html = as_user(world.employee).post(url, action_form_data(pop), **HX).content.decode()
    add = reverse("plans:plan-item-add", args=[pop.plan.uuid, "action"])
    assert f'formaction="{add}"' in html and "Training coachend werken" in html


def test_add_step_and_comment_with_htmx_return_their_sections(world, pop, as_user):
    client = as_user(world.employee)
    add = reverse("plans:plan-item-add", args=[pop.plan.uuid, "step"])
    response = client.post(add, {"action": pop.action.uuid, "title": "Module 2: beeldbellen"}, **HX)
    assert response["HX-Retarget"] == "#plan-actions"
    assert "Module 2: beeldbellen" in response.content.decode()
    comment = reverse("plans:plan-comment-add", args=[pop.plan.uuid])
    response = client.post(comment, {"body": "Dank je!", "gap": pop.gap.uuid}, **HX)
    html = response.content.decode()
    assert f'id="comments-gap-{pop.gap.uuid}"' in html and "Dank je!" in html
    assert PlanComment.objects.filter(gap=pop.gap, author=world.employee).exists()
    # An empty comment: the block again, with the message; nothing stored.
    response = client.post(comment, {"body": "", "action": pop.action.uuid}, **HX)
    html = response.content.decode()
    assert (
        f'id="comments-action-{pop.action.uuid}"' in html and "Schrijf eerst een reactie." in html
    )
    assert PlanComment.objects.count() == 2
    response = client.post(comment, {"body": "Op het hele plan"})
    assert response.url == f"{pop.plan.get_absolute_url()}#comments-plan-{pop.plan.uuid}"


def test_changes_since_last_visit_and_since_agreed_version(world, pop, as_user):
    employee, manager = as_user(world.employee), as_user(world.manager)
    url = pop.plan.get_absolute_url()
    employee.get(url)
    services.plan_agree(plan=pop.plan, by=world.employee, revision=1)
    services.plan_agree(plan=pop.plan, by=world.manager, revision=1)
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    manager.post(
        edit, action_form_data(pop, title="E-learning beeldzorg", cost="600", gap=pop.gap.pk)
    )
    html = employee.get(url).content.decode()
    since_visit = html[html.index('data-testid="changes-visit"') :]
    assert "Jeroen de Vries" in since_visit and "kosten (€)" in since_visit
    assert "150" in since_visit and "600" in since_visit
    assert 'data-testid="plan-status">Gewijzigd sinds akkoord' in html
    # The other views load on demand (htmx), in the same panel.
    changes = reverse("plans:plan-changes", args=[pop.plan.uuid])
    diff = employee.get(changes, {"changes": "version"}, HTTP_HX_REQUEST="true")
    assert 'data-testid="changes-version"' in diff.content.decode()
    assert "600" in diff.content.decode() and "<html" not in diff.content.decode()
    history = employee.get(changes, {"changes": "history"}, HTTP_HX_REQUEST="true")
    history = history.content.decode()
    assert "gaf akkoord op" in history and "150" in history and "600" in history
    # The next visit: nothing new from others.
    html = employee.get(url).content.decode()
    assert "Niemand anders heeft iets veranderd sinds je vorige bezoek." in html


def _grow(pop, world, actions: int) -> None:
    for number in range(actions - DevelopmentAction.objects.filter(plan=pop.plan).count()):
        action = make_action(pop.plan, pop.gap, title=f"Actie {number}", goal=pop.goal)
        ActionStep.objects.bulk_create(
            [ActionStep(action=action, title=f"Stap {n}") for n in range(3)]
        )
        PlanComment.objects.create(plan=pop.plan, action=action, author=world.manager, body="Ok")
        services.item_update(
            plan=pop.plan,
            kind=KINDS["action"],
            item=action,
            by=world.manager,
            expected_version=1,
            changes={"cost": Decimal("10")},
        )


def _count(client, url) -> tuple[int, str]:
    cache.clear()  # from an empty shared cache: the sections are rendered (issue 17)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)


@pytest.mark.parametrize("persona", ["employee", "manager", "hr"])
def test_query_count_does_not_grow_with_actions(world, pop, as_user, persona):
    client = as_user(world.personas()[persona])
    url = pop.plan.get_absolute_url()
    _grow(pop, world, 3)
    client.get(url)  # a first visit, so both runs show "since your last visit"
    small, _ = _count(client, url)
    _grow(pop, world, 30)
    large, sql = _count(client, url)
    print(f"plan page queries for {persona}: 3 actions={small}, 30 actions={large}")
    assert large == small, sql
    # 36: the manager's and HR's reads are audited (one INSERT per request).
    assert small <= 36, sql


def test_an_htmx_save_reads_only_what_its_fragments_show(world, pop, as_user):
    """The saved action, the status and the budget: not the history, the private notes or
    the goal lines of the whole page, so a save costs the same on a plan with a long
    history."""
    client = as_user(world.employee)
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])

    def save(text: str) -> tuple[int, str]:
        pop.action.refresh_from_db()
        data = action_form_data(pop, description=text, version=pop.action.version)
        with CaptureQueriesContext(connection) as queries:
            response = client.post(url, data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and text in response.content.decode()
        return len(queries), "\n".join(q["sql"] for q in queries.captured_queries)

    save("Eerste versie")  # the form's other fields are now what it posts
    small, _ = save("Tweede versie")
    _grow(pop, world, 30)  # 30 more actions, each with a change in the history
    large, sql = save("Derde versie")
    assert large == small, sql
    assert 'FROM "plans_privatenote"' not in sql and 'FROM "goals_goal"' not in sql
    assert small <= 33, sql  # with the savepoints of the test transaction


def test_without_javascript_edit_and_add_are_full_pages(world, pop, as_user):
    client = as_user(world.manager)
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "gap", pop.gap.uuid])
    html = client.get(edit).content.decode()
    assert "<html" in html and f'action="{edit}"' in html
    assert 'name="why_it_matters"' in html and "Beeldzorg is de toekomst van de wijk." in html
    add = reverse("plans:plan-item-add", args=[pop.plan.uuid, "action"])
    html = client.get(add).content.decode()
    assert "<html" in html and "Ontwikkelactie" in html and 'name="title"' in html
    show = reverse("plans:plan-item", args=[pop.plan.uuid, "gap", pop.gap.uuid])
    assert client.get(show).url == f"{pop.plan.get_absolute_url()}#item-gap-{pop.gap.uuid}"


def test_removing_items(world, pop, as_user):
    client = as_user(world.employee)

    def url(kind, item):
        return reverse("plans:plan-item-delete", args=[pop.plan.uuid, kind, item.uuid])

    html = client.post(url("gap", pop.gap), {"version": 1}, **HX).content.decode()
    assert "Er zijn nog acties gekoppeld aan deze competentie." in html
    assert CompetencyGap.objects.filter(pk=pop.gap.pk).exists()
    services.item_update(
        plan=pop.plan,
        kind=KINDS["action"],
        item=pop.action,
        by=world.manager,
        expected_version=1,
        changes={"title": "Nieuwe titel"},
    )
    html = client.post(url("action", pop.action), {"version": 1}, **HX).content.decode()
    assert "Iemand anders heeft dit onderdeel intussen gewijzigd." in html
    assert DevelopmentAction.objects.filter(pk=pop.action.pk).exists()
    # A version the page never sends reads as a stale one: refused with that message.
    refused = client.post(url("step", pop.step), {"version": "x"}, follow=True)
    assert "Iemand anders heeft dit onderdeel intussen gewijzigd." in refused.content.decode()
    assert ActionStep.objects.filter(pk=pop.step.pk).exists()
    response = client.post(url("step", pop.step), {"version": 1})
    assert response.url == f"{pop.plan.get_absolute_url()}#plan-actions"
    assert not ActionStep.objects.exists()
    assert "Verwijderd." in client.get(response.url).content.decode()
