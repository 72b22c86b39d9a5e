"""Services: conditional updates, the change log, agreement and versions."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.items import KINDS
from plans.models import DevelopmentAction, DevelopmentPlan, PlanChange, PlanVersion
from plans.selectors import plan_content, plan_snapshot, snapshot_diff

from .conftest import EMPLOYEE_NOTE, MANAGER_NOTE

ACTION = KINDS["action"]


def _agree_both(plan, world):
    plan.refresh_from_db()
    assert services.plan_agree(plan=plan, by=world.employee, revision=plan.revision) is None
    return services.plan_agree(plan=plan, by=world.manager, revision=plan.revision)


def test_update_applies_and_logs_each_changed_field(world, pop):
    diff = services.item_update(
        plan=pop.plan,
        kind=ACTION,
        item=pop.action,
        by=world.manager,
        expected_version=1,
        changes={"title": "E-learning beeldzorg (nieuw)", "cost": Decimal("150.00"), "hours": 8},
    )
    assert set(diff) == {"title", "hours"}  # the cost did not change
    pop.action.refresh_from_db()
    assert pop.action.version == 2
    assert pop.action.title == "E-learning beeldzorg (nieuw)"
    rows = {row.field: row for row in PlanChange.objects.filter(plan=pop.plan)}
    assert rows["title"].old == "E-learning beeldzorg"
    assert rows["title"].new == "E-learning beeldzorg (nieuw)"
    assert rows["hours"].old == "" and rows["hours"].new == "8"
    assert {row.author for row in rows.values()} == {world.manager}


def test_stale_version_is_a_conflict_with_the_current_row_and_writes_nothing(world, pop):
    services.item_update(
        plan=pop.plan,
        kind=ACTION,
        item=pop.action,
        by=world.manager,
        expected_version=1,
        changes={"description": "Versie van Jeroen"},
    )
    with pytest.raises(services.VersionConflict) as conflict:
        services.item_update(
            plan=pop.plan,
            kind=ACTION,
            item=pop.action,
            by=world.employee,
            expected_version=1,
            changes={"description": "Versie van Sanne"},
        )
    assert conflict.value.current.description == "Versie van Jeroen"
    assert conflict.value.current.version == 2
    assert PlanChange.objects.filter(field="description").count() == 1


def test_both_akkoords_freeze_version_one_without_private_notes(world, pop):
    version = _agree_both(pop.plan, world)
    assert isinstance(version, PlanVersion) and version.number == 1
    plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
    assert plan.status == DevelopmentPlan.Status.AGREED
    assert plan.employee_agreed_at is None and plan.manager_agreed_at is None
    assert version.manager == world.manager
    snapshot = str(version.snapshot)
    assert "E-learning beeldzorg" in snapshot
    assert EMPLOYEE_NOTE not in snapshot and MANAGER_NOTE not in snapshot
    assert "Goed plan!" not in snapshot  # comments are not content


def test_a_change_after_agreement_marks_the_plan_and_clears_akkoords(world, pop):
    _agree_both(pop.plan, world)
    plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
    services.plan_agree(plan=plan, by=world.employee, revision=plan.revision)
    services.item_update(
        plan=plan,
        kind=ACTION,
        item=pop.action,
        by=world.manager,
        expected_version=1,
        changes={"cost": Decimal("400")},
    )
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.CHANGED
    assert plan.employee_agreed_at is None  # the pending akkoord was for other content
    diff = snapshot_diff(
        agreed=plan.versions.get().snapshot, now=plan_snapshot(plan=plan_content(plan_id=plan.pk))
    )
    assert [(line.item_label, line.old, line.new) for line in diff] == [
        ("E-learning beeldzorg", "150", "400")
    ]
    # Both agree again: version 2.
    assert _agree_both(plan, world).number == 2
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.AGREED


def test_akkoord_on_an_outdated_revision_is_refused(world, pop):
    plan = pop.plan
    old_revision = plan.revision
    services.item_create(
        plan=plan,
        kind=KINDS["step"],
        by=world.manager,
        values={"action": pop.action, "title": "Module 2", "due_date": None},
    )
    with pytest.raises(services.VersionConflict):
        services.plan_agree(plan=plan, by=world.employee, revision=old_revision)
    assert not PlanVersion.objects.exists()


def test_akkoord_on_an_agreed_plan_changes_nothing(world, pop):
    _agree_both(pop.plan, world)
    plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
    assert services.plan_agree(plan=plan, by=world.employee, revision=plan.revision) is None
    assert services.plan_agree(plan=plan, by=world.manager, revision=plan.revision) is None
    assert PlanVersion.objects.count() == 1


def test_only_employee_and_line_manager_give_akkoord(world, pop):
    with pytest.raises(PermissionDenied):
        services.plan_agree(plan=pop.plan, by=world.hr, revision=pop.plan.revision)


def test_comments_and_private_notes_are_not_content(world, pop):
    _agree_both(pop.plan, world)
    plan = DevelopmentPlan.objects.get(pk=pop.plan.pk)
    services.comment_add(plan=plan, by=world.manager, body="Mooi!", action=pop.action)
    services.item_update(
        plan=plan,
        kind=KINDS["note"],
        item=pop.employee_note,
        by=world.employee,
        expected_version=1,
        changes={"body": "Toch blijven."},
    )
    plan.refresh_from_db()
    assert plan.status == DevelopmentPlan.Status.AGREED
    assert not PlanChange.objects.filter(new__contains="Toch blijven").exists()
    assert PlanChange.objects.filter(operation="commented", new="Mooi!").exists()


def test_a_gap_that_actions_serve_cannot_be_removed(world, pop):
    with pytest.raises(ValidationError):
        services.item_delete(
            plan=pop.plan, kind=KINDS["gap"], item=pop.gap, by=world.employee, expected_version=1
        )
    services.item_delete(
        plan=pop.plan, kind=ACTION, item=pop.action, by=world.employee, expected_version=1
    )
    assert not DevelopmentAction.objects.exists()
    assert PlanChange.objects.filter(
        operation="removed", item_label="E-learning beeldzorg"
    ).exists()


def test_first_plan_gets_the_organisation_budget(world):
    world.organisation.default_yearly_budget = Decimal("2250")
    world.organisation.save()
    plan = services.plan_get_or_create(employee=world.colleague)
    assert plan.yearly_budget == Decimal("2250")
    assert services.plan_get_or_create(employee=world.colleague) == plan
