"""The editable items of a plan, described once so one set of views and services serves
them all: which model, which fields, how the history labels them.

A plan's own fields are split into sections (``ambition``, ``org-ambition``,
``details``) so each is edited in place on its own; they share the plan row's version.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .models import ActionStep, CompetencyGap, DevelopmentAction, DevelopmentPlan, PrivateNote

# The editable fields of a development action (history, snapshots, agreed versions).
ACTION_FIELDS = (
    "kind",
    "title",
    "description",
    "gap",
    "goal",
    "priority",
    "status",
    "start_date",
    "due_date",
    "cost",
    "hours",
    "provider",
    "knowledge_transfer",
    "reflection",
)


@dataclass(frozen=True)
class ItemKind:
    name: str
    title: str
    model: type[models.Model]
    fields: tuple[str, ...]
    # Changes to content items raise the plan's revision, reset pending akkoords and are
    # written to the change log. Private notes are none of that.
    content: bool = True
    can_add: bool = False
    can_delete: bool = False
    # Only the plan's employee writes it (their ambition).
    employee_only: bool = False

    @property
    def is_plan_section(self) -> bool:
        return self.model is DevelopmentPlan

    def queryset(self, *, plan: DevelopmentPlan, user) -> models.QuerySet:
        if self.is_plan_section:
            return DevelopmentPlan.objects.filter(pk=plan.pk)
        if self.model is ActionStep:
            return ActionStep.objects.filter(action__plan=plan).select_related("action")
        if self.model is PrivateNote:
            return PrivateNote.objects.filter(plan=plan, author_id=user.pk)
        related = {"gap": ("competency", "goal"), "action": ("gap__competency", "goal")}
        return self.model.objects.filter(plan=plan).select_related(*related[self.name])

    def get(self, *, plan: DevelopmentPlan, user, item_uuid) -> models.Model:
        try:
            return self.queryset(plan=plan, user=user).get(uuid=item_uuid)
        except self.model.DoesNotExist as missing:
            raise Http404 from missing

    def label_of(self, item: models.Model) -> str:
        if self.is_plan_section:
            return ""
        if isinstance(item, CompetencyGap):
            return item.competency.name
        if isinstance(item, PrivateNote):
            return ""
        return item.title


KINDS: dict[str, ItemKind] = {
    kind.name: kind
    for kind in (
        ItemKind(
            "ambition",
            _("Ambition of the employee"),
            DevelopmentPlan,
            ("employee_ambition",),
            employee_only=True,
        ),
        ItemKind(
            "org-ambition",
            _("The organisation's ambition"),
            DevelopmentPlan,
            ("organisation_ambition",),
        ),
        ItemKind(
            "details",
            _("Period and budget"),
            DevelopmentPlan,
            ("period_start", "period_end", "yearly_budget"),
        ),
        ItemKind(
            "gap",
            _("Competency gap"),
            CompetencyGap,
            ("competency", "current_level", "desired_level", "why_it_matters", "goal", "priority"),
            can_add=True,
            can_delete=True,
        ),
        ItemKind(
            "action",
            _("Development action"),
            DevelopmentAction,
            ACTION_FIELDS,
            can_add=True,
            can_delete=True,
        ),
        ItemKind(
            "step",
            _("Step"),
            ActionStep,
            ("title", "due_date", "done_on"),
            can_add=True,
            can_delete=True,
        ),
        ItemKind(
            "note",
            _("Private note"),
            PrivateNote,
            ("body",),
            content=False,
            can_add=True,
            can_delete=True,
        ),
    )
}
# The history names items by these types.
HISTORY_TYPE = {
    DevelopmentPlan: "plan",
    CompetencyGap: "gap",
    DevelopmentAction: "action",
    ActionStep: "step",
}
MODEL_OF_TYPE = {name: model for model, name in HISTORY_TYPE.items()}


def kind_named(name: str) -> ItemKind:
    try:
        return KINDS[name]
    except KeyError as missing:
        raise Http404 from missing


def raw(value: object) -> str:
    """How a value is kept in the history and in agreed snapshots."""
    if value is None:
        return ""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def field_value(item: models.Model, name: str) -> object:
    """The field's value, the related object for a foreign key."""
    return getattr(item, name)
