"""The editable kinds of a plan, each declared once: its model, form, page section,
label, history type and the fields an agreed version keeps. One set of views and
services serves them all.

A plan's own fields are split into sections (``ambition``, ``org-ambition``,
``details``) so each is edited in place on its own; they share the plan row's version.
Comments are not a kind: they have their own form and view, and attach to the plan or
to the kinds marked ``commentable``.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from .forms import (
    ActionForm,
    AmbitionForm,
    DetailsForm,
    GapForm,
    ItemForm,
    NoteForm,
    OrganisationAmbitionForm,
    StepForm,
)
from .models import ActionStep, CompetencyGap, DevelopmentAction, DevelopmentPlan, PrivateNote

#: How the change log names the plan itself (its sections, and comments on the plan).
PLAN_TYPE = "plan"


@dataclass(frozen=True)
class ItemKind:
    name: str
    title: str
    model: type[models.Model]
    form: type[ItemForm]
    #: How the change log names items of this kind (``PlanChange.item_type``). Empty for
    #: private notes: they are not the plan's content (no history, no revision, no reset
    #: of pending akkoords, no audit trail).
    history_type: str
    #: The fields an agreed version keeps (``selectors.plan_snapshot``).
    snapshot_fields: tuple[str, ...] = ()
    #: The field that names an item on the page and in the history ("" : unnamed).
    label_field: str = ""
    #: The page section an added or removed item shows up in.
    section: str = ""
    #: The item this kind hangs from, on the plan (a step: its action); "" : the plan.
    parent: str = ""
    #: Read along with an item.
    related: tuple[str, ...] = ()
    #: Only the plan's employee writes it (their ambition).
    employee_only: bool = False
    #: Only its author sees it.
    private: bool = False
    #: Takes comments (``views.comment_add``).
    commentable: bool = False

    @property
    def content(self) -> bool:
        """Changes raise the plan's revision, reset pending akkoords and are logged."""
        return bool(self.history_type)

    @property
    def is_plan_section(self) -> bool:
        """Part of the plan row: edited in place, never added or removed."""
        return self.model is DevelopmentPlan

    @property
    def history_label(self) -> str:
        return _("the plan") if self.is_plan_section else self.model._meta.verbose_name

    def queryset(self, *, plan: DevelopmentPlan, user) -> models.QuerySet:
        if self.is_plan_section:
            return DevelopmentPlan.objects.filter(pk=plan.pk)
        on_plan = f"{self.parent}__plan" if self.parent else "plan"
        items = self.model.objects.filter(**{on_plan: plan})
        if self.related:
            items = items.select_related(*self.related)
        return items.filter(author_id=user.pk) if self.private else items

    def get(self, *, plan: DevelopmentPlan, user, item_uuid) -> models.Model:
        try:
            return self.queryset(plan=plan, user=user).get(uuid=item_uuid)
        except self.model.DoesNotExist as missing:
            raise Http404 from missing

    def label_of(self, item: models.Model) -> str:
        return str(getattr(item, self.label_field)) if self.label_field else ""

    def snapshot_of(self, item: models.Model) -> dict[str, object]:
        """An item as an agreed version keeps it. Keys starting with "_" are bookkeeping,
        not content: its label, which goal it names (a goal's title shows only to whoever
        may see the goal) and which item it hangs from."""
        row: dict[str, object] = {"_label": self.label_of(item)}
        if "goal" in self.snapshot_fields:
            row["_goal"] = item.goal_id
        if self.parent:
            row[f"_{self.parent}"] = str(getattr(item, self.parent).uuid)
        return row | {name: raw(getattr(item, name)) for name in self.snapshot_fields}


def _plan_section(name: str, title: str, form: type[ItemForm], **options) -> ItemKind:
    return ItemKind(name, title, DevelopmentPlan, form, history_type=PLAN_TYPE, **options)


KINDS: dict[str, ItemKind] = {
    kind.name: kind
    for kind in (
        _plan_section(
            "ambition",
            _("Ambition of the employee"),
            AmbitionForm,
            snapshot_fields=("employee_ambition",),
            employee_only=True,
        ),
        _plan_section(
            "org-ambition",
            _("The organisation's ambition"),
            OrganisationAmbitionForm,
            snapshot_fields=("organisation_ambition",),
        ),
        _plan_section(
            "details",
            _("Period and budget"),
            DetailsForm,
            snapshot_fields=("period_start", "period_end", "yearly_budget"),
        ),
        ItemKind(
            "gap",
            _("Competency gap"),
            CompetencyGap,
            GapForm,
            history_type="gap",
            snapshot_fields=(
                "competency",
                "current_level",
                "desired_level",
                "why_it_matters",
                "goal",
                "priority",
            ),
            label_field="competency",
            section="plan-gaps",
            related=("competency", "goal"),
            commentable=True,
        ),
        ItemKind(
            "action",
            _("Development action"),
            DevelopmentAction,
            ActionForm,
            history_type="action",
            snapshot_fields=(
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
            ),
            label_field="title",
            section="plan-actions",
            related=("gap__competency", "goal"),
            commentable=True,
        ),
        ItemKind(
            "step",
            _("Step"),
            ActionStep,
            StepForm,
            history_type="step",
            snapshot_fields=("title", "due_date", "done_on"),
            label_field="title",
            section="plan-actions",
            parent="action",
            related=("action",),
        ),
        ItemKind(
            "note",
            _("Private note"),
            PrivateNote,
            NoteForm,
            history_type="",
            section="plan-notes",
            private=True,
        ),
    )
}
#: The plan's own sections, in the order an agreed version lists their fields.
PLAN_SECTIONS = tuple(kind for kind in KINDS.values() if kind.is_plan_section)
#: The kinds an agreed version keeps as items of their own.
SNAPSHOT_ITEMS = tuple(
    kind for kind in KINDS.values() if kind.snapshot_fields and not kind.is_plan_section
)
#: The kind of each history type (the plan's sections share one: any answers for them).
KIND_OF_TYPE = {kind.history_type: kind for kind in KINDS.values() if kind.content}


def kind_named(name: str) -> ItemKind:
    try:
        return KINDS[name]
    except KeyError as missing:
        raise Http404 from missing


def kind_of(item: models.Model) -> ItemKind:
    """The kind of a saved item (the plan itself answers as its first section)."""
    return next(kind for kind in KINDS.values() if isinstance(item, kind.model))


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
