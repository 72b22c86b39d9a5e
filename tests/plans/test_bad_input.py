"""Hostile input on every plan form (items, comments, akkoord, competency catalogue),
through the views, plain and htmx, as the persona that may post.

Properties (issue 8): no server error; a rejection shows a clear Dutch message next to
the field or at the top, and changes nothing; an acceptance stores the normalised input.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from people.models import User
from plans.forms import CompetencyForm, item_form
from plans.items import kind_named
from plans.models import (
    Competency,
    DevelopmentAction,
    DevelopmentPlan,
    PlanComment,
    Priority,
)
from tests.factories import OrganisationFactory
from tests.hostile import (
    alerts,
    as_sent,
    assert_refused,
    assert_rejected,
    assert_shown,
    choices,
    dates,
    db_state,
    form,
    form_errors,
    normalised,
    numbers,
    one,
    page_messages,
    post,
    rolled_back,
    texts,
)
from tests.plans.conftest import make_competency

PRIORITIES = [value for value, _label in Priority.choices]


def _fields(pop, kind: str, *, adding: bool) -> dict:
    goals = [pop.goal.pk, pop.team_goal.pk, pop.org_goal.pk]
    fields = {
        "ambition": {"employee_ambition": texts()},
        "org-ambition": {"organisation_ambition": texts()},
        "details": {
            "period_start": dates("2026-01-01"),
            "period_end": dates("2026-12-31"),
            "yearly_budget": numbers("1500", "0", "99999999.99"),
        },
        "gap": {
            "competency": choices(pop.competency.pk, pop.other_competency.pk),
            "current_level": numbers("1", "2", "5"),
            "desired_level": numbers("3", "5"),
            "priority": choices(*PRIORITIES),
            "goal": choices(*goals),
            "why_it_matters": texts(),
        },
        "action": {
            "title": texts(),
            "kind": choices(*DevelopmentAction.Kind.values),
            "gap": choices(pop.gap.pk),
            "goal": choices(*goals),
            "priority": choices(*PRIORITIES),
            "status": choices(*DevelopmentAction.Status.values),
            "start_date": dates("2026-02-01"),
            "due_date": dates("2026-06-01"),
            "cost": numbers("150", "0", "12.50"),
            "hours": numbers("8", "1.5"),
            "provider": texts(),
            "description": texts(),
            "knowledge_transfer": texts(),
            "reflection": texts(),
        },
        "step": {"title": texts(), "due_date": dates("2026-03-01"), "done_on": dates("2026-03-02")},
        "note": {"body": texts()},
    }[kind]
    if kind == "step" and adding:
        fields["action"] = choices(pop.action.uuid)
    return fields


def _valid(pop, kind: str, *, adding: bool) -> dict[str, str]:
    valid = {
        "ambition": {"employee_ambition": "Doorgroeien naar wijkverpleegkundige e-health."},
        "org-ambition": {"organisation_ambition": "Meer zorg op afstand."},
        "details": {
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "yearly_budget": "1500.00",
        },
        "gap": {
            "competency": str(pop.competency.pk),
            "current_level": "2",
            "desired_level": "4",
            "priority": "1",
            "goal": str(pop.goal.pk),
            "why_it_matters": "Beeldzorg groeit.",
        },
        "action": {
            "title": "Training beeldbellen",
            "kind": "training",
            "gap": str(pop.gap.pk),
            "priority": "2",
            "status": "planned",
            "start_date": "2026-02-01",
            "due_date": "2026-06-01",
            "cost": "250.00",
            "hours": "8",
            "provider": "Zorgacademie",
        },
        "step": {"title": "Module 2", "due_date": "2026-03-01"},
        "note": {"body": "Bespreken in het volgende gesprek."},
    }[kind]
    if kind == "step" and adding:
        valid["action"] = str(pop.action.uuid)
    return valid


def _item(pop, kind: str):
    return {
        "ambition": pop.plan,
        "org-ambition": pop.plan,
        "details": pop.plan,
        "gap": pop.gap,
        "action": pop.action,
        "step": pop.step,
        "note": pop.employee_note,
    }[kind]


def _assert_stored_is_the_input(item, kind: str, data: dict, cleaned: dict) -> None:
    """Text as sent (decoded and stripped); everything else as the form read it."""
    item.refresh_from_db()
    for name, value in cleaned.items():
        if name == "version" or name not in data:
            continue
        field = item._meta.get_field(name)
        stored = getattr(item, name)
        if isinstance(field, models.CharField | models.TextField) and not field.choices:
            assert stored == normalised(one(data, name)), name
        else:
            assert stored == value, name


def _cleaned(pop, kind: str, user, data: dict, instance=None) -> dict:
    """The form as the view builds it, to know what it read from ``data``."""
    query = QueryDict(mutable=True)
    for name, values in data.items():
        query.setlist(name, [as_sent(value) for value in values])
    bound = item_form(kind_named(kind), plan=pop.plan, user=user, data=query, instance=instance)
    assert bound.is_valid(), bound.errors
    return bound.changes()


def _edit_cases():
    return st.sampled_from(
        [
            ("ambition", "employee"),
            ("org-ambition", "manager"),
            ("details", "manager"),
            ("gap", "manager"),
            ("action", "employee"),
            ("action", "manager"),
            ("step", "employee"),
            ("note", "employee"),
        ]
    )


def _other_competency(pop, world):
    pop.other_competency = make_competency(OrganisationFactory(name="Elders"), name="Elders")


def test_edit_every_item_kind(world, pop, as_user):
    _other_competency(pop, world)
    clients = {"employee": as_user(world.employee), "manager": as_user(world.manager)}

    @given(case=_edit_cases(), data=st.data(), htmx=st.booleans())
    def check(case, data, htmx):
        kind, persona = case
        item = _item(pop, kind)
        values = data.draw(
            form(
                {**_valid(pop, kind, adding=False), "version": str(item.version)},
                version=numbers(str(item.version)),
                **_fields(pop, kind, adding=False),
            )
        )
        url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, kind, item.uuid])
        with rolled_back():
            before = db_state()
            response = post(clients[persona], url, values, htmx=htmx)
            assert response.status_code in (200, 302)
            page = response.content.decode()
            if response.status_code == 302 or 'class="item-form' not in page:
                user = getattr(world, persona)
                saved = type(item).objects.get(pk=item.pk)
                cleaned = _cleaned(pop, kind, user, values, instance=saved)
                _assert_stored_is_the_input(item, kind, values, cleaned)
                return
            assert db_state() == before
            if 'data-testid="conflict"' in page:
                return  # both changed the same field: their version beside the input
            assert_shown(response, form_errors(response))

    check()


def test_add_every_item_kind(world, pop, as_user):
    _other_competency(pop, world)
    clients = {"employee": as_user(world.employee), "manager": as_user(world.manager)}

    @given(
        case=st.sampled_from(
            [("gap", "employee"), ("action", "manager"), ("step", "employee"), ("note", "manager")]
        ),
        data=st.data(),
        htmx=st.booleans(),
        language=st.sampled_from(["nl", "en"]),
    )
    def check(case, data, htmx, language):
        kind, persona = case
        user = getattr(world, persona)
        values = data.draw(form(_valid(pop, kind, adding=True), **_fields(pop, kind, adding=True)))
        url = reverse("plans:plan-item-add", args=[pop.plan.uuid, kind])
        spec = kind_named(kind)
        with rolled_back():
            User.objects.filter(pk=user.pk).update(language=language)
            before = db_state()
            known = set(spec.model.objects.values_list("pk", flat=True))
            response = post(clients[persona], url, values, htmx=htmx)
            added = spec.model.objects.exclude(pk__in=known).first()
            if added is not None:
                assert response.status_code == (200 if htmx else 302)
                cleaned = _cleaned(pop, kind, user, values)
                _assert_stored_is_the_input(added, kind, values, cleaned)
                if kind == "note":
                    assert added.author == user
                elif kind == "step":
                    assert added.action == pop.action
                else:
                    assert added.plan == pop.plan
                return
            assert_rejected(response, before, language)

    check()


def test_comment(world, pop, as_user):
    client = as_user(world.manager)
    url = reverse("plans:plan-comment-add", args=[pop.plan.uuid])

    @given(
        data=form(
            {"body": "Goed idee.", "action": str(pop.action.uuid)},
            body=texts(),
            gap=choices(pop.gap.uuid),
            action=choices(pop.action.uuid),
        ),
        htmx=st.booleans(),
    )
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            known = set(PlanComment.objects.values_list("pk", flat=True))
            response = post(client, url, data, htmx=htmx)
            comment = PlanComment.objects.exclude(pk__in=known).first()
            if comment is not None:
                assert comment.body == normalised(one(data, "body"))
                assert comment.author == world.manager
                return
            assert db_state() == before
            if response.status_code == 404:
                assert_refused(response, 404)  # an item of another plan, or none at all
                return
            if htmx:
                assert response.status_code == 200
                messages = form_errors(response)
            else:
                assert response.status_code == 302
                response = client.get(response.url)
                messages = page_messages(response, "error")
            assert_shown(response, messages)

    check()


def test_akkoord_with_a_tampered_revision(world, pop, as_user):
    client = as_user(world.employee)
    url = reverse("plans:plan-agree", args=[pop.plan.uuid])

    @given(data=form(revision=numbers(str(pop.plan.revision))))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            assert response.status_code == 302
            plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
            if plan.employee_agreed_at is not None:
                sent = forms.IntegerField().clean(as_sent(one(data, "revision")))
                assert sent == plan.revision
                return
            assert db_state() == before
            page = client.get(response.url)
            assert_shown(page, page_messages(page, "warning"))

    check()


def test_remove_with_a_tampered_version(world, pop, as_user):
    client = as_user(world.employee)

    @given(
        kind=st.sampled_from(["action", "step", "note"]),
        data=form(version=numbers("1")),
        htmx=st.booleans(),
    )
    def check(kind, data, htmx):
        item = _item(pop, kind)
        url = reverse("plans:plan-item-delete", args=[pop.plan.uuid, kind, item.uuid])
        with rolled_back():
            before = db_state()
            response = post(client, url, data, htmx=htmx)
            if not type(item).objects.filter(pk=item.pk).exists():
                assert response.status_code == (200 if htmx else 302)
                return
            assert db_state() == before
            if htmx:
                assert response.status_code == 200
                assert_shown(response, alerts(response))
            else:
                assert response.status_code == 302
                page = client.get(response.url)
                assert_shown(page, page_messages(page, "error"))

    check()


def test_competency_catalogue(world, pop, as_user):
    client = as_user(world.hr)
    texts_of = ["name", "description", "level_1", "level_2", "level_3", "level_4", "level_5"]
    fields = {name: texts() for name in texts_of}

    @given(
        edit=st.booleans(),
        data=form(
            {"name": "Coachen", "description": "Anderen helpen groeien.", "is_active": "on"},
            is_active=choices("on", "true", "false", "1"),
            **fields,
        ),
    )
    def check(edit, data):
        url = (
            reverse("plans:competency-edit", args=[pop.competency.uuid])
            if edit
            else reverse("plans:competency-list")
        )
        with rolled_back():
            before = db_state()
            known = set(Competency.objects.values_list("pk", flat=True))
            response = post(client, url, data)
            if response.status_code == 302:
                saved = (
                    Competency.objects.get(pk=pop.competency.pk)
                    if edit
                    else Competency.objects.exclude(pk__in=known).get()
                )
                for name in texts_of:
                    assert getattr(saved, name) == normalised(one(data, name)), name
                assert saved.organisation == world.organisation
                query = QueryDict(mutable=True)
                for name, values in data.items():
                    query.setlist(name, [as_sent(value) for value in values])
                checkbox = CompetencyForm(query, organisation_id=world.organisation.pk)["is_active"]
                assert saved.is_active == checkbox.field.clean(checkbox.data)
                return
            assert_rejected(response, before)

    check()


# --- Regressions found by the properties above --------------------------------------------


def test_an_empty_post_is_a_rejection_with_messages_not_an_empty_form(world, pop, as_user):
    """An empty POST used to read as "no data" (``request.POST or None``): the form came
    back without a word."""
    url = reverse("plans:plan-item-add", args=[pop.plan.uuid, "note"])
    response = as_user(world.employee).post(url, {})
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.content.decode()


def test_a_comment_that_is_too_long_says_so_and_keeps_the_text(world, pop, as_user):
    url = reverse("plans:plan-comment-add", args=[pop.plan.uuid])
    text = "Lang verhaal. " * 400
    response = as_user(world.manager).post(url, {"body": text}, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Zorg dat deze waarde niet meer dan 5000 tekens bevat (het zijn er nu 5599)." in page
    assert text.strip() in page
    assert not PlanComment.objects.filter(body__startswith="Lang verhaal").exists()


def test_tampered_version_or_revision_reads_as_a_stale_one(world, pop, as_user):
    client = as_user(world.employee)
    delete = reverse("plans:plan-item-delete", args=[pop.plan.uuid, "action", pop.action.uuid])
    response = client.post(delete, {"version": "x"}, follow=True)
    assert "Iemand anders heeft dit onderdeel intussen gewijzigd." in response.content.decode()
    assert DevelopmentAction.objects.filter(pk=pop.action.pk).exists()
    agree = reverse("plans:plan-agree", args=[pop.plan.uuid])
    response = client.post(agree, {"revision": "1e3"}, follow=True)
    assert "Het plan is gewijzigd nadat je het opende." in response.content.decode()
