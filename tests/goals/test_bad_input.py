"""Hostile input on every goal form, through the views, as the persona that may post.

Properties (issue 8): no server error; a rejection shows a clear Dutch message next to
the field or at the top, and changes nothing; an acceptance stores the normalised input.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from goals.models import Goal, GoalUpdate
from people.models import Notification, User
from people.outbox import message_render
from tests.hostile import (
    assert_refused,
    assert_rejected,
    assert_shown,
    choices,
    dates,
    db_state,
    form,
    form_errors,
    get,
    normalised,
    numbers,
    one,
    page_messages,
    post,
    rolled_back,
    texts,
)

METRICS = [choice for choice, _label in Goal.Metric.choices]
VISIBILITIES = [choice for choice, _label in Goal.Visibility.choices]
STATUSES = [choice for choice, _label in Goal.Status.choices]


def _goal_fields(parents: list[int]) -> dict:
    return {
        "title": texts(),
        "description": texts(),
        "parent": choices(*parents),
        "not_linked_reason": texts(),
        "metric": choices(*METRICS),
        "start_value": numbers("0", "5"),
        "target_value": numbers("10", "100"),
        "measure_unit": texts(),
        "start_date": dates("2026-01-01"),
        "due_date": dates("2026-12-31"),
        "feasibility_note": texts(),
        "weight": numbers("1", "0.5", "2"),
        "visibility": choices(*VISIBILITIES),
    }


def _valid_goal(parent: int, **more: str) -> dict[str, str]:
    return {
        "title": "Tien cliënten begeleiden met beeldzorg",
        "description": "Elke week één nieuwe cliënt.",
        "parent": str(parent),
        "metric": "number",
        "start_value": "0",
        "target_value": "10",
        "measure_unit": "cliënten",
        "start_date": "2026-01-01",
        "due_date": "2026-12-31",
        "feasibility_note": "Besproken in het team.",
        "weight": "1",
        "visibility": "team",
        **more,
    }


def _number(value: str | None) -> Decimal | None:
    if value is None or not value.strip():
        return None
    try:
        return Decimal(value.strip())
    except InvalidOperation:
        return None


def _assert_goal_is_the_input(goal: Goal, data: dict) -> None:
    for name in ("title", "description", "measure_unit", "feasibility_note"):
        assert getattr(goal, name) == normalised(one(data, name)), name
    if goal.parent_id is None:
        assert goal.not_linked_reason == normalised(one(data, "not_linked_reason"))
    else:
        assert goal.not_linked_reason == ""
    assert goal.metric == one(data, "metric")
    if goal.metric in ("number", "percentage", "currency"):
        assert goal.target_value == _number(one(data, "target_value"))


def test_new_individual_goal(world, cascade, as_user):
    client = as_user(world.employee)
    url = reverse("goals:goal-create")
    parents = [cascade.team_goal.pk, cascade.org_goal.pk, cascade.other_team_goal.pk]

    @given(
        data=form(
            _valid_goal(cascade.team_goal.pk, level="individual", action="propose"),
            level=choices("individual", "team", "organisation"),
            action=choices("propose", "draft"),
            **_goal_fields(parents),
        ),
        language=st.sampled_from(["nl", "en"]),
    )
    def check(data, language):
        with rolled_back():
            User.objects.filter(pk=world.employee.pk).update(language=language)
            before = db_state()
            known = set(Goal.objects.values_list("pk", flat=True))
            response = post(client, url, data)
            if response.status_code == 302:
                goal = Goal.objects.exclude(pk__in=known).get()
                _assert_goal_is_the_input(goal, data)
                assert goal.owner_person == world.employee
                expected = "proposed" if one(data, "action") == "propose" else "draft"
                assert goal.status == expected
                return
            assert db_state() == before
            if one(data, "level") not in (None, "", "individual"):
                assert_refused(response, 403, language)  # not a level this person may create
                return
            assert response.status_code == 200
            assert_shown(response, form_errors(response), language)

    check()


def test_new_team_goal_by_the_manager(world, cascade, as_user):
    client = as_user(world.manager)
    url = reverse("goals:goal-create")

    @given(
        data=form(
            _valid_goal(cascade.org_goal.pk, level="team", owner_unit=str(world.team.pk)),
            level=st.just("team"),
            owner_unit=choices(world.team.pk, world.other_team.pk, world.department.pk),
            **_goal_fields([cascade.org_goal.pk, cascade.team_goal.pk]),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            known = set(Goal.objects.values_list("pk", flat=True))
            response = post(client, url, data)
            if response.status_code == 302:
                goal = Goal.objects.exclude(pk__in=known).get()
                _assert_goal_is_the_input(goal, data)
                if one(data, "level"):
                    assert goal.owner_unit == world.team
                else:  # no level sent: the manager's own individual goal
                    assert goal.owner_person == world.manager
                return
            assert_rejected(response, before)

    check()


def test_edit_own_draft(world, cascade, as_user):
    client = as_user(world.employee)
    draft = cascade.draft
    url = reverse("goals:goal-edit", args=[draft.uuid])

    @given(
        data=form(
            _valid_goal(cascade.team_goal.pk, version=str(draft.version)),
            version=numbers(str(draft.version)),
            **_goal_fields([cascade.team_goal.pk, cascade.org_goal.pk]),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                draft.refresh_from_db()
                _assert_goal_is_the_input(draft, data)
                return
            assert response.status_code == 200
            assert db_state() == before
            if response.context["conflict"] is not None:
                return  # a stale version: the conflict notice, the input kept
            assert_shown(response, form_errors(response))

    check()


def test_manager_closes_a_goal_with_a_status(world, cascade, as_user):
    client = as_user(world.manager)
    goal = cascade.employee_goal
    url = reverse("goals:goal-edit", args=[goal.uuid])
    valid = {
        "title": goal.title,
        "parent": str(goal.parent_id),
        "metric": goal.metric,
        "start_value": "0",
        "target_value": "10",
        "weight": "1",
        "visibility": goal.visibility,
        "version": str(goal.version),
    }

    @given(status=st.lists(choices(*STATUSES), max_size=2))
    def check(status):
        with rolled_back():
            before = db_state()
            response = post(client, url, {**valid, "status": status})
            if response.status_code == 302:
                goal.refresh_from_db()
                assert goal.status == status[-1]
                return
            assert_rejected(response, before)

    check()


def test_check_in(world, cascade, as_user):
    client = as_user(world.employee)
    goal = cascade.employee_goal
    url = reverse("goals:goal-check-in", args=[goal.uuid])

    @given(
        data=form(
            {"value": "7", "confidence": "8", "note": "Goed op weg."},
            value=numbers("7", "10.5"),
            confidence=numbers("0", "7", "10"),
            note=texts(),
        ),
        htmx=st.booleans(),
    )
    def check(data, htmx):
        with rolled_back():
            before = db_state()
            known = set(GoalUpdate.objects.values_list("pk", flat=True))
            response = post(client, url, data, htmx=htmx)
            update = GoalUpdate.objects.exclude(pk__in=known).first()
            if update is not None:
                assert update.note == normalised(one(data, "note"))
                assert update.value == _number(one(data, "value"))
                assert update.confidence == _number(one(data, "confidence"))
                goal.refresh_from_db()
                assert goal.current_value == update.value
                assert response.status_code == (200 if htmx else 302)
                return
            assert_rejected(response, before)

    check()


def test_approve_and_return_with_a_comment(world, cascade, as_user):
    client = as_user(world.manager)
    proposal = cascade.proposal

    @given(
        action=st.sampled_from(["goal-approve", "goal-return"]),
        data=form(comment=texts()),
    )
    def check(action, data):
        with rolled_back():
            before = db_state()
            response = post(client, reverse(f"goals:{action}", args=[proposal.uuid]), data)
            proposal.refresh_from_db()
            if proposal.status != "proposed":
                assert response.status_code == 302
                assert proposal.review_comment == normalised(one(data, "comment"))
                expected = "active" if action == "goal-approve" else "draft"
                assert proposal.status == expected
                notification = Notification.objects.get(recipient=proposal.owner_person)
                assert message_render(notification).body == proposal.review_comment
                return
            assert_rejected(response, before)

    check()


def test_assign_a_team_goal(world, cascade, as_user):
    client = as_user(world.manager)
    team_goal = cascade.team_goal
    url = reverse("goals:goal-assign", args=[team_goal.uuid])
    reports = [world.employee.pk, world.colleague.pk]

    @given(
        data=form(
            {"title": "Beeldzorg bij vijf cliënten", "target_value": "5", "due_date": "2026-12-31"},
            title=texts(),
            target_value=numbers("10", "3.5"),
            due_date=dates("2026-12-31"),
        ),
        people=st.lists(choices(*reports, world.manager.pk, world.other_employee.pk), max_size=3),
    )
    def check(data, people):
        with rolled_back():
            before = db_state()
            known = set(Goal.objects.values_list("pk", flat=True))
            response = post(client, url, {**data, "people": people})
            if response.status_code == 302:
                # People who have a goal under this team goal already are skipped.
                for goal in Goal.objects.exclude(pk__in=known):
                    assert goal.title == normalised(one(data, "title"))
                    assert goal.parent == team_goal
                    assert goal.owner_person_id in reports
                return
            assert_rejected(response, before)

    check()


def test_live_smart_check_never_stores(world, cascade, as_user):
    client = as_user(world.employee)
    url = reverse("goals:goal-smart-check")

    @given(
        data=form(
            _valid_goal(cascade.team_goal.pk),
            level=choices("individual"),
            **_goal_fields([cascade.team_goal.pk]),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data, htmx=True)
            assert db_state() == before
            if one(data, "level") not in (None, "", "individual"):
                assert_refused(response, 403)  # not a level this person may create
                return
            assert response.status_code == 200
            assert "smart" in response.context

    check()


def test_goal_list_filters(world, cascade, as_user):
    client = as_user(world.manager)
    url = reverse("goals:goal-list")

    @given(
        data=form(
            unit=choices(world.team.pk, world.department.pk),
            year=choices(2026, 2025),
            status=choices("current", "all", *STATUSES),
            q=texts(),
        )
    )
    def check(data):
        response = get(client, url, data)
        assert response.status_code == 200
        assert page_messages(response, "error") == []

    check()


# --- Regressions found by the properties above --------------------------------------------


def test_an_approval_with_an_invalid_comment_is_refused_not_stripped(world, cascade, as_user):
    """It used to approve and silently drop the comment."""
    url = reverse("goals:goal-approve", args=[cascade.proposal.uuid])
    response = as_user(world.manager).post(url, {"comment": "Prima\x00 plan"})
    assert response.status_code == 200
    assert "Null-tekens zijn niet toegestaan." in response.content.decode()
    cascade.proposal.refresh_from_db()
    assert cascade.proposal.status == "proposed"
    assert cascade.proposal.review_comment == ""


def test_the_live_smart_check_takes_an_empty_level_as_individual(world, as_user):
    url = reverse("goals:goal-smart-check")
    response = as_user(world.employee).post(url, {"level": "", "title": "Iets"})
    assert response.status_code == 200
    assert "smart" in response.context


def test_proposing_a_goal_with_the_longest_title_notifies_with_a_shortened_title(
    world, cascade, as_user
):
    """The notification title ("<name> proposes a goal: <title>") is longer than a title
    may be: it is stored as its parts and shown whole."""
    title = "é" * 200
    data = _valid_goal(cascade.team_goal.pk, title=title, action="propose")
    response = as_user(world.employee).post(reverse("goals:goal-create"), data)
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=world.manager)
    assert message_render(notification).title == f"Sanne Jansen stelt een doel voor: {title}"
