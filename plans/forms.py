"""Forms validate and normalise; the views hand ``cleaned_data`` to the services.

Every edit form carries the version the user started from in a hidden field. Messages
are whole sentences in the user's language; nothing typed is lost on an error because
the form is re-rendered from the posted data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.utils.translation import gettext_lazy as _

from people.models import User

from .access import active_competencies, linkable_goals
from .models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    PrivateNote,
)

if TYPE_CHECKING:
    from .items import ItemKind

LEVEL_ERRORS = {
    "min_value": _("Choose a level from 1 to 5."),
    "max_value": _("Choose a level from 1 to 5."),
    "invalid": _("Choose a level from 1 to 5."),
}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class VersionField(forms.CharField):
    """The version of a row the person started editing from, in a hidden field.

    A value the page never sends (not a small whole number) reads as -1: a version no
    row has, so the save goes through the usual conflict handling instead of failing.
    """

    widget = forms.HiddenInput

    def __init__(self, **kwargs) -> None:
        super().__init__(required=False, **kwargs)

    def to_python(self, value: object) -> int:
        text = super().to_python(value)
        return int(text) if text.isdecimal() and len(text) <= 9 else -1


class ItemForm(forms.ModelForm):
    """Base of every in-place edit form: the version travels along."""

    version = VersionField()

    def __init__(self, *args, plan: DevelopmentPlan, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.plan, self.user = plan, user
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 3)

    def changes(self) -> dict[str, object]:
        """The edited values, without the version and without fields this user may not
        write (disabled ones)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "version" and not self.fields[name].disabled
        }


class AmbitionForm(ItemForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["employee_ambition"]
        widgets = {"employee_ambition": _textarea(5)}
        help_texts = {
            "employee_ambition": _(
                "Where do you want to grow? What would you like to be doing in a year or two?"
            )
        }


class OrganisationAmbitionForm(ItemForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["organisation_ambition"]
        widgets = {"organisation_ambition": _textarea(5)}
        help_texts = {
            "organisation_ambition": _(
                "What does the organisation need from this role, now and in the coming years?"
            )
        }


class DetailsForm(ItemForm):
    class Meta:
        model = DevelopmentPlan
        fields = ["period_start", "period_end", "yearly_budget"]
        widgets = {"period_start": DateInput(), "period_end": DateInput()}

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("The end of the period cannot be before its start."))
        return data


class GapForm(ItemForm):
    current_level = forms.IntegerField(
        label=_("current level"), min_value=1, max_value=5, error_messages=LEVEL_ERRORS
    )
    desired_level = forms.IntegerField(
        label=_("desired level"), min_value=1, max_value=5, error_messages=LEVEL_ERRORS
    )

    class Meta:
        model = CompetencyGap
        fields = [
            "competency",
            "current_level",
            "desired_level",
            "priority",
            "goal",
            "why_it_matters",
        ]
        widgets = {"why_it_matters": _textarea()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = active_competencies(plan=self.plan)
        self.fields["goal"].queryset = linkable_goals(plan=self.plan)
        self.fields["goal"].help_text = _("The goal this competency helps to reach.")
        for name in ("current_level", "desired_level"):
            self.fields[name].help_text = _("1 = beginner, 5 = expert")

    def clean(self) -> dict:
        data = super().clean()
        current, desired = data.get("current_level"), data.get("desired_level")
        if current is not None and desired is not None and desired < current:
            self.add_error(
                "desired_level", _("The desired level cannot be below the current level.")
            )
        competency = data.get("competency")
        others = CompetencyGap.objects.filter(plan=self.plan, competency=competency)
        if competency is not None and others.exclude(pk=self.instance.pk).exists():
            self.add_error(
                "competency",
                _(
                    "%(name)s is already on this plan as a competency to develop. "
                    "Change that one instead."
                )
                % {"name": competency.name},
            )
        return data


class ActionForm(ItemForm):
    class Meta:
        model = DevelopmentAction
        fields = [
            "title",
            "kind",
            "gap",
            "goal",
            "priority",
            "status",
            "start_date",
            "due_date",
            "cost",
            "hours",
            "provider",
            "description",
            "knowledge_transfer",
            "reflection",
        ]
        widgets = {
            "start_date": DateInput(),
            "due_date": DateInput(),
            "description": _textarea(),
            "knowledge_transfer": _textarea(),
            "reflection": _textarea(),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gap"].queryset = CompetencyGap.objects.filter(plan=self.plan).select_related(
            "competency"
        )
        self.fields["goal"].queryset = linkable_goals(plan=self.plan)
        self.fields["gap"].help_text = _("Link a competency gap, a goal, or both.")
        if self.user.pk != self.plan.employee_id:
            self.fields["reflection"].disabled = True
            self.fields["reflection"].help_text = _("Only the employee writes the reflection.")

    def clean(self) -> dict:
        data = super().clean()
        if not data.get("gap") and not data.get("goal") and "gap" not in self.errors:
            self.add_error(
                "gap",
                _(
                    "Link this action to a competency gap or a goal: development should serve "
                    "at least one of them."
                ),
            )
        start, due = data.get("start_date"), data.get("due_date")
        if start and due and due < start:
            self.add_error("due_date", _("The due date cannot be before the start date."))
        return data


class StepForm(ItemForm):
    action = forms.ModelChoiceField(
        queryset=DevelopmentAction.objects.none(), to_field_name="uuid", widget=forms.HiddenInput
    )

    class Meta:
        model = ActionStep
        fields = ["title", "due_date", "done_on"]
        widgets = {"due_date": DateInput(), "done_on": DateInput()}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["action"]
        else:
            self.fields["action"].queryset = DevelopmentAction.objects.filter(plan=self.plan)
            self.fields.pop("done_on")


class NoteForm(ItemForm):
    class Meta:
        model = PrivateNote
        fields = ["body"]
        widgets = {"body": _textarea()}
        help_texts = {"body": _("Only you can see this note: not your manager, not HR.")}


def item_form(kind: ItemKind, *, plan, user, data=None, instance=None, prefix=None) -> ItemForm:
    """The form of one item kind; ids are made unique per item so one page can hold many."""
    auto_id = f"id_{kind.name}_{instance.uuid if instance is not None else 'new'}_%s"
    return kind.form(data, instance=instance, plan=plan, user=user, auto_id=auto_id, prefix=prefix)


class AssessmentForm(forms.Form):
    """A view of a gap's current level: the level, with its descriptor beside it, and why.

    ``version``: the number of the person's own latest view when they opened the form."""

    level = forms.TypedChoiceField(
        label=_("Which level do you see now?"),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a level from 1 to 5."),
            "invalid_choice": _("Choose a level from 1 to 5."),
        },
    )
    reason = forms.CharField(
        label=_("Why this level?"),
        help_text=_("A sentence or two: what you see in the work that shows this level."),
        widget=_textarea(2),
        max_length=1000,
        error_messages={
            "required": _("Write in a sentence or two why you see this level."),
            "max_length": _("Keep the reason short: at most %(limit_value)d characters."),
        },
    )
    version = VersionField()

    def __init__(self, *args, gap: CompetencyGap, **kwargs) -> None:
        kwargs.setdefault("auto_id", f"id_assess_{gap.uuid}_%s")
        super().__init__(*args, **kwargs)
        competency = gap.competency
        self.fields["level"].choices = [
            (level, _level_choice(level, competency.level_descriptor(level)))
            for level in range(1, 6)
        ]


def _level_choice(level: int, descriptor: str) -> str:
    if not descriptor:
        return str(_("level %(level)s") % {"level": level})
    return str(_("level %(level)s: %(descriptor)s") % {"level": level, "descriptor": descriptor})


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        widget=_textarea(2),
        max_length=5000,
        error_messages={"required": _("Write a comment first.")},
    )
    gap = forms.UUIDField(required=False, widget=forms.HiddenInput)
    action = forms.UUIDField(required=False, widget=forms.HiddenInput)


class CompetencyForm(forms.ModelForm):
    class Meta:
        model = Competency
        fields = [
            "name",
            "description",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "level_5",
            "is_active",
        ]
        widgets = {"description": _textarea(2)}

    def __init__(self, *args, organisation_id: int, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organisation_id = organisation_id
