"""Who may do what, for every plans URL and htmx endpoint, across all personas."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people.models import AuditEvent
from plans.models import DevelopmentPlan, PlanChange
from tests.conftest import sends_to_sign_in

from .conftest import EMPLOYEE_NOTE, MANAGER_NOTE

READERS = {"employee", "manager", "hr"}
WRITERS = {"employee", "manager"}
OUTSIDERS = {"colleague", "other_manager", "other_hr"}


def _endpoints(pop):
    plan = pop.plan.uuid
    action = pop.action.uuid
    return {
        # name: (method, url, data, kind) — kind "read" or "write"
        "detail": ("get", reverse("plans:plan-detail", args=[plan]), None, "read"),
        "show-action": (
            "get",
            reverse("plans:plan-item", args=[plan, "action", action]),
            None,
            "read",
        ),
        "edit-form": (
            "get",
            reverse("plans:plan-item-edit", args=[plan, "action", action]),
            None,
            "write",
        ),
        "edit-save": (
            "post",
            reverse("plans:plan-item-edit", args=[plan, "org-ambition", plan]),
            {"organisation_ambition": "Nieuw", "version": 1},
            "write",
        ),
        "add-form": ("get", reverse("plans:plan-item-add", args=[plan, "gap"]), None, "write"),
        "add-step": (
            "post",
            reverse("plans:plan-item-add", args=[plan, "step"]),
            {"action": action, "title": "Module 2"},
            "write",
        ),
        "delete-step": (
            "post",
            reverse("plans:plan-item-delete", args=[plan, "step", pop.step.uuid]),
            {"version": 1},
            "write",
        ),
        "comment": (
            "post",
            reverse("plans:plan-comment-add", args=[plan]),
            {"body": "Prima", "action": action},
            "write",
        ),
        "agree": (
            "post",
            reverse("plans:plan-agree", args=[plan]),
            {"revision": pop.plan.revision},
            "write",
        ),
    }


ENDPOINTS = [
    "detail",
    "show-action",
    "edit-form",
    "edit-save",
    "add-form",
    "add-step",
    "delete-step",
    "comment",
    "agree",
]
PERSONAS = ["employee", "colleague", "manager", "other_manager", "hr", "other_hr", "anonymous"]


def _expected(persona: str, kind: str) -> set[int]:
    if persona in OUTSIDERS:
        return {404}
    if persona == "hr":
        return {200, 302} if kind == "read" else {403}
    return {200, 302}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_permission_matrix(world, pop, as_user, persona, endpoint, htmx):
    method, url, data, kind = _endpoints(pop)[endpoint]
    user = world.personas()[persona]
    client = as_user(user)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    changes_before = PlanChange.objects.count()
    response = getattr(client, method)(url, data or {}, **headers)
    if persona == "anonymous":
        assert sends_to_sign_in(response), (endpoint, response)
    else:
        assert response.status_code in _expected(persona, kind), (persona, endpoint, response)
    if kind == "write" and persona not in WRITERS:
        assert PlanChange.objects.count() == changes_before  # nothing written


@pytest.mark.parametrize("endpoint", ["detail", "show-action"])
def test_hr_reads_are_audited(world, pop, as_user, endpoint):
    _method, url, _data, _kind = _endpoints(pop)[endpoint]
    headers = {"HTTP_HX_REQUEST": "true"} if endpoint != "detail" else {}
    as_user(world.hr).get(url, **headers)
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ)
    assert event.actor == world.hr
    assert event.subject == world.employee
    assert event.object_id == str(pop.plan.uuid)


def test_reads_by_the_employee_are_not_audited_but_the_managers_are(world, pop, as_user):
    url = pop.plan.get_absolute_url()
    as_user(world.employee).get(url)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.READ).exists()
    as_user(world.manager).get(url)
    event = AuditEvent.objects.get(action=AuditEvent.Action.READ)
    assert (event.actor, event.subject, event.summary) == (world.manager, world.employee, "page")


def test_wrong_methods_answer_405(world, pop, as_user):
    client = as_user(world.employee)
    plan = pop.plan.uuid
    assert client.post(reverse("plans:plan-detail", args=[plan])).status_code == 405
    assert client.put(reverse("plans:plan-mine")).status_code == 405
    assert client.get(reverse("plans:plan-agree", args=[plan])).status_code == 405
    assert client.get(reverse("plans:plan-comment-add", args=[plan])).status_code == 405
    delete = reverse("plans:plan-item-delete", args=[plan, "step", pop.step.uuid])
    assert client.get(delete).status_code == 405


def test_mine_redirects_to_own_plan(world, pop, as_user):
    client = as_user(world.employee)
    assert client.get(reverse("plans:plan-mine")).url == pop.plan.get_absolute_url()
    assert client.post(reverse("plans:plan-mine")).url == pop.plan.get_absolute_url()
    assert DevelopmentPlan.objects.filter(employee=world.employee).count() == 1


def test_mine_invites_to_start_a_plan_and_only_a_post_creates_it(world, as_user):
    client = as_user(world.colleague)
    page = client.get(reverse("plans:plan-mine"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Je hebt nog geen POP." in html
    assert f'<form method="post" action="{reverse("plans:plan-mine")}">' in html
    assert "Begin aan mijn POP" in html
    assert not DevelopmentPlan.objects.filter(employee=world.colleague).exists()

    response = client.post(reverse("plans:plan-mine"))
    plan = DevelopmentPlan.objects.get(employee=world.colleague)
    assert response.url == plan.get_absolute_url()
    assert client.post(reverse("plans:plan-mine")).url == plan.get_absolute_url()
    assert client.get(reverse("plans:plan-mine")).url == plan.get_absolute_url()
    assert DevelopmentPlan.objects.filter(employee=world.colleague).count() == 1


def test_a_manager_starts_the_plan_of_a_report_who_has_none(world, pop, as_user):
    """The team page said "no plan yet" and led nowhere: the manager can start it, and
    the employee then finds it as their own; nobody else can start anyone's plan."""
    manager = as_user(world.manager)
    team = manager.get(reverse("conversations:team")).content.decode()
    start = reverse("plans:plan-for-report", kwargs={"person_uuid": world.colleague.uuid})
    assert f'href="{start}" data-testid="team-start-plan"' in team
    page = manager.get(start).content.decode()
    assert "Start het POP van Daan" in page
    assert not DevelopmentPlan.objects.filter(employee=world.colleague).exists()

    response = manager.post(start)
    plan = DevelopmentPlan.objects.get(employee=world.colleague)
    assert response.url == plan.get_absolute_url()
    assert manager.get(start).url == plan.get_absolute_url()
    assert as_user(world.colleague).get(reverse("plans:plan-mine")).url == plan.get_absolute_url()
    team = manager.get(reverse("conversations:team")).content.decode()
    assert f'<a href="{plan.get_absolute_url()}" data-testid="team-person">' in team

    own = reverse("plans:plan-for-report", kwargs={"person_uuid": world.employee.uuid})
    assert manager.get(own).url == pop.plan.get_absolute_url()
    for persona in ("employee", "colleague", "hr", "other_manager"):
        client = as_user(getattr(world, persona))
        assert client.post(start).status_code == 404
    world.colleague.is_active = False
    world.colleague.save()
    assert manager.get(start).status_code == 404


def test_unknown_item_kind_and_other_plans_items_are_404(world, pop, as_user):
    client = as_user(world.employee)
    plan = pop.plan.uuid
    assert client.get(reverse("plans:plan-item", args=[plan, "budget", plan])).status_code == 404
    # The colleague's plan's action is not an item of the employee's plan.
    from plans.services import plan_get_or_create

    other = plan_get_or_create(employee=world.colleague)
    url = reverse("plans:plan-item-edit", args=[other.uuid, "org-ambition", other.uuid])
    assert client.get(url).status_code == 404
    url = reverse("plans:plan-item-edit", args=[plan, "org-ambition", other.uuid])
    assert client.get(url).status_code == 404


# --- Private notes --------------------------------------------------------------------


def test_private_notes_are_seen_by_their_author_alone(world, pop, as_user):
    url = pop.plan.get_absolute_url()
    employee_page = as_user(world.employee).get(url).content.decode()
    manager_page = as_user(world.manager).get(url).content.decode()
    hr_page = as_user(world.hr).get(url).content.decode()
    assert EMPLOYEE_NOTE in employee_page and MANAGER_NOTE not in employee_page
    assert MANAGER_NOTE in manager_page and EMPLOYEE_NOTE not in manager_page
    assert EMPLOYEE_NOTE not in hr_page and MANAGER_NOTE not in hr_page


@pytest.mark.parametrize("persona", ["manager", "hr", "colleague"])
def test_nobody_else_reaches_a_private_note(world, pop, as_user, persona):
    client = as_user(world.personas()[persona])
    note = pop.employee_note.uuid
    plan = pop.plan.uuid
    show = reverse("plans:plan-item", args=[plan, "note", note])
    edit = reverse("plans:plan-item-edit", args=[plan, "note", note])
    delete = reverse("plans:plan-item-delete", args=[plan, "note", note])
    assert client.get(show, HTTP_HX_REQUEST="true").status_code == 404
    assert client.post(edit, {"body": "x", "version": 1}).status_code in {403, 404}
    assert client.post(delete, {"version": 1}).status_code in {403, 404}
    pop.employee_note.refresh_from_db()
    assert pop.employee_note.body == EMPLOYEE_NOTE


def test_private_notes_stay_out_of_history_and_changes_panels(world, pop, as_user):
    employee = as_user(world.employee)
    edit = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "note", pop.employee_note.uuid])
    employee.get(pop.plan.get_absolute_url())  # a visit, so "since your last visit" is shown
    as_user(world.manager).get(pop.plan.get_absolute_url())
    employee.post(edit, {"body": "Geheim: ik solliciteer elders.", "version": 1})
    add = reverse("plans:plan-item-add", args=[pop.plan.uuid, "note"])
    employee.post(add, {"body": "Nog een geheim."})
    assert not PlanChange.objects.filter(new__contains="Geheim").exists()
    assert not PlanChange.objects.filter(item_type="note").exists()
    manager_page = as_user(world.manager).get(pop.plan.get_absolute_url()).content.decode()
    assert "Geheim" not in manager_page and "Nog een geheim" not in manager_page
    # Not even a trace: no link or id of the employee's notes on the manager's page.
    assert str(pop.employee_note.uuid) not in manager_page


# --- Field rules ----------------------------------------------------------------------


def test_only_the_employee_writes_the_employee_ambition(world, pop, as_user):
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "ambition", pop.plan.uuid])
    data = {"employee_ambition": "Jeroen vindt dat Sanne teamleider moet worden.", "version": 1}
    assert as_user(world.manager).get(url).status_code == 403
    assert as_user(world.manager).post(url, data).status_code == 403
    pop.plan.refresh_from_db()
    assert pop.plan.employee_ambition.startswith("Groeien")
    assert as_user(world.employee).post(url, data).status_code == 302
    pop.plan.refresh_from_db()
    assert pop.plan.employee_ambition.startswith("Jeroen vindt")


def test_only_the_employee_writes_the_reflection(world, pop, as_user):
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    data = {
        "title": "E-learning beeldzorg",
        "kind": "elearning",
        "gap": pop.gap.pk,
        "priority": 2,
        "status": "done",
        "cost": "150",
        "reflection": "Geschreven door de manager",
        "version": 1,
    }
    form = as_user(world.manager).get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'name="reflection"' in form and "disabled" in form
    assert as_user(world.manager).post(url, data).status_code == 302
    pop.action.refresh_from_db()
    assert pop.action.status == "done"
    assert pop.action.reflection == ""
    data.update(reflection="Ik kan nu zelf beeldbellen uitleggen.", version=2)
    assert as_user(world.employee).post(url, data).status_code == 302
    pop.action.refresh_from_db()
    assert pop.action.reflection == "Ik kan nu zelf beeldbellen uitleggen."


# --- Competency catalogue -------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_competency_catalogue_is_hr_only(world, pop, as_user, persona):
    client = as_user(world.personas()[persona])
    list_url = reverse("plans:competency-list")
    edit_url = reverse("plans:competency-edit", args=[pop.competency.uuid])
    data = {"name": "Coachend werken", "level_1": "Luistert"}
    expected = {
        "hr": (200, 302, 200),
        "anonymous": (302, 302, 302),
        "other_hr": (200, 302, 404),  # their own (empty) catalogue; not our competency
    }.get(persona, (404, 404, 404))
    assert client.get(list_url).status_code == expected[0]
    assert client.post(list_url, data).status_code == expected[1]
    assert client.get(edit_url).status_code == expected[2]
    names = set(pop.competency.organisation.competencies.values_list("name", flat=True))
    assert ("Coachend werken" in names) == (persona == "hr")


def test_admin_shows_plans_read_only_and_never_private_notes(world, pop, as_user):
    from django.contrib import admin

    from plans.models import PrivateNote

    assert PrivateNote not in admin.site._registry
    world.hr.is_staff = world.hr.is_superuser = True
    world.hr.save()
    client = as_user(world.hr)
    change = reverse("admin:plans_developmentplan_change", args=[pop.plan.pk])
    html = client.get(change).content.decode()
    assert "Sanne Jansen" in html and 'name="yearly_budget"' not in html
    assert EMPLOYEE_NOTE not in html
    assert client.get(reverse("admin:plans_competency_changelist")).status_code == 200


def test_hr_never_sees_the_title_of_a_private_goal_on_a_plan(world, pop, as_user):
    from plans import services
    from plans.items import KINDS

    pop.goal.visibility = "private"
    pop.goal.title = "Minder werken om mantelzorg te geven"
    pop.goal.save()
    services.item_update(
        plan=pop.plan,
        kind=KINDS["action"],
        item=pop.action,
        by=world.employee,
        expected_version=pop.action.version,
        changes={"goal": pop.goal},
    )
    hr_page = as_user(world.hr).get(pop.plan.get_absolute_url()).content.decode()
    assert "Minder werken om mantelzorg te geven" not in hr_page  # not in links, not in history
    assert "een doel dat niet met je gedeeld is" in hr_page
    manager_page = as_user(world.manager).get(pop.plan.get_absolute_url()).content.decode()
    assert "Minder werken om mantelzorg te geven" in manager_page


@pytest.mark.parametrize(
    ("status", "visibility"),
    [("draft", "organisation"), ("proposed", "organisation"), ("active", "private")],
)
def test_hr_never_sees_the_title_of_a_goal_it_may_not_open(world, pop, as_user, status, visibility):
    """Issue 16, item 12: a draft goal with visibility "organisation", linked to an action,
    showed its title and link to HR on the plan page, while /goals/<uuid>/ answers 404 to
    HR. Drafts and proposals are the employee's and their line manager's only."""
    from goals.models import Goal

    Goal.objects.filter(pk=pop.goal.pk).update(status=status, visibility=visibility)
    pop.action.goal = pop.goal
    pop.action.save(update_fields=["goal"])
    assert as_user(world.hr).get(pop.goal.get_absolute_url()).status_code == 404
    page = as_user(world.hr).get(pop.plan.get_absolute_url()).content.decode()
    assert pop.goal.title not in page and str(pop.goal.uuid) not in page
    assert "een doel dat niet met je gedeeld is" in page
    for party in (world.employee, world.manager):
        assert pop.goal.title in as_user(party).get(pop.plan.get_absolute_url()).content.decode()
