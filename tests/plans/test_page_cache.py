"""The plan page's goal lines, gaps and actions come from the shared cache (issue 17):
under keys naming everything they show, never another viewer's, never with a CSRF token."""

from __future__ import annotations

import re

from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import translation

from goals.models import Goal
from plans import services
from plans.models import PlanComment
from plans.privacy import _anonymise
from pop_platform.cache import CSRF_MARK

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _page(client, plan) -> str:
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def _sections(client, plan) -> str:
    """The cached part of the page: goal lines, gaps and actions."""
    html = _page(client, plan)
    return html[html.index('id="plan-goals"') : html.index('id="plan-budget"')]


def _nl(text: str) -> str:
    with translation.override("nl"):
        return translation.gettext(text)


def test_a_second_visit_renders_the_sections_from_the_cache(world, pop, as_user):
    cache.clear()
    client = as_user(world.employee)
    with CaptureQueriesContext(connection) as first:
        html = _page(client, pop.plan)
    with CaptureQueriesContext(connection) as second:
        again = _page(client, pop.plan)
    first_sql = " ".join(q["sql"] for q in first.captured_queries)
    second_sql = " ".join(q["sql"] for q in second.captured_queries)
    assert 'FROM "goals_goal"' in first_sql and 'FROM "plans_levelassessment"' in first_sql
    assert 'FROM "goals_goal"' not in second_sql
    assert 'FROM "plans_levelassessment"' not in second_sql
    assert len(second) < len(first)
    for text in (pop.goal.title, pop.competency.name, pop.action.title, "Module 1: basis"):
        assert text in html and text in again


def test_viewers_with_different_rights_never_share_a_section(world, pop, as_user):
    """A private goal is named to the employee and their manager only; HR reads "a goal
    that is not shared with you". Each viewer gets their own buttons, whoever came first."""
    pop.goal.visibility = Goal.Visibility.PRIVATE
    pop.goal.save()
    cache.clear()
    hidden = _nl("a goal that is not shared with you")
    mine, managers = _nl("Give my view"), _nl("Give your view as manager")
    for _round in range(2):  # the second round reads what the first one stored
        hr = _page(as_user(world.hr), pop.plan)
        employee = _page(as_user(world.employee), pop.plan)
        manager = _page(as_user(world.manager), pop.plan)
        # The goal lines and the links of gaps and actions.
        assert pop.goal.title in employee and pop.goal.title in manager
        assert pop.goal.title not in hr and hidden in hr
        assert hidden not in employee and hidden not in manager
        assert mine in employee and managers not in employee
        assert managers in manager and mine not in manager
        edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
        assert edit in employee and edit in manager and edit not in hr


def test_what_changes_shows_on_the_next_visit(world, pop, as_user):
    client = as_user(world.employee)
    _sections(client, pop.plan)
    services.comment_add(plan=pop.plan, by=world.manager, body="Mooi tempo!", action=pop.action)
    assert "Mooi tempo!" in _sections(client, pop.plan)
    services.gap_assess(
        plan=pop.plan, gap=pop.gap, by=world.manager, level=3, reason="Ze doet het al goed",
        expected_sequence=0,
    )  # fmt: skip
    assert "Ze doet het al goed" in _sections(client, pop.plan)
    world.manager.full_name = "Karin de Vries-Jansen"
    world.manager.save()
    assert "Karin de Vries-Jansen" in _sections(client, pop.plan)
    pop.goal.title = "Dertig cliënten begeleiden met beeldzorg"
    pop.goal.save()
    assert "Dertig cliënten begeleiden met beeldzorg" in _sections(client, pop.plan)
    pop.competency.name = "Digitale zorgvaardigheden"
    pop.competency.save()
    assert "Digitale zorgvaardigheden" in _sections(client, pop.plan)


def test_no_token_is_cached_and_each_visitor_posts_with_their_own(world, pop):
    """The sections' forms (comments, steps) carry this request's CSRF token, put in after
    the HTML is read from the cache; a post with it is accepted."""
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.force_login(world.employee)
    second.force_login(world.employee)
    _page(first, pop.plan)  # fills the cache
    html = _page(second, pop.plan)
    assert CSRF_MARK not in html
    section = html[html.index('id="plan-actions"') :]
    step_form = section[section.index(f'id="add-step-{pop.action.uuid}"') :]
    step_form = step_form[: step_form.index("</form>")]
    token = TOKEN.search(step_form).group(1)
    url = reverse("plans:plan-comment-add", args=[pop.plan.uuid])
    data = {"csrfmiddlewaretoken": token, "body": "Met mijn eigen token", "action": pop.action.uuid}
    response = second.post(url, data)
    assert response.status_code == 302
    assert PlanComment.objects.filter(body="Met mijn eigen token").exists()
    data["csrfmiddlewaretoken"] = CSRF_MARK
    assert second.post(url, data).status_code == 403


def test_a_leavers_texts_are_gone_from_the_cached_sections(world, pop, as_user):
    hr = as_user(world.hr)
    assert "Module 1 tot en met 4." in _sections(hr, pop.plan)
    _anonymise([world.employee])
    sections = _sections(hr, pop.plan)
    assert "Module 1 tot en met 4." not in sections and "Module 1: basis" not in sections


ADDRESS = re.compile(r'(?:href|hx-get|hx-post|action|formaction)="(/[^"#?]*)')


def test_every_address_on_the_page_leads_to_its_view(world, pop, as_user):
    """Items' addresses are built on the plan's path, resolved once (not one ``{% url %}``
    per item): each must still be what ``plans/urls.py`` resolves, to the item it names."""
    html = _page(as_user(world.manager), pop.plan)
    paths = {path for path in ADDRESS.findall(html) if not path.startswith("/static/")}
    for path in paths:
        resolve(path)  # Resolver404 names any address that leads nowhere
    expected = [
        reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid]),
        reverse("plans:plan-item-edit", args=[pop.plan.uuid, "gap", pop.gap.uuid]),
        reverse("plans:plan-item-edit", args=[pop.plan.uuid, "step", pop.step.uuid]),
        reverse("plans:plan-gap-assess", args=[pop.plan.uuid, pop.gap.uuid]),
        reverse("plans:plan-comment-add", args=[pop.plan.uuid]),
        reverse("plans:plan-item-add", args=[pop.plan.uuid, "step"]),
    ]
    assert set(expected) <= paths


def test_sections_rendered_from_other_templates_are_not_served(world, pop, as_user, settings):
    """A release with changed code, templates or translations renders the sections again
    (the release's digest is part of the key)."""
    client = as_user(world.employee)
    _page(client, pop.plan)
    settings.RELEASE_DIGEST = "another-release"
    with CaptureQueriesContext(connection) as queries:
        _page(client, pop.plan)
    assert any('FROM "goals_goal"' in query["sql"] for query in queries.captured_queries)
