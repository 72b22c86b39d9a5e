"""Forms validate and normalise input; the views hand ``cleaned_data`` to the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from people.models import OrgUnit, User
from pop_platform.forms import OptionTagsBoundField

from .models import Goal, GoalUpdate
from .services import STATUSES_AFTER_APPROVAL

Level, Visibility = Goal.Level, Goal.Visibility
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

VISIBILITY_BY_LEVEL = {
    Level.ORGANISATION: [Visibility.ORGANISATION],
    Level.TEAM: [Visibility.TEAM, Visibility.ORGANISATION],
    Level.INDIVIDUAL: [Visibility.PRIVATE, Visibility.TEAM, Visibility.ORGANISATION],
}


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the matching fields (else on the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


class ParentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Goal) -> str:
        return f"{obj.owner_label} · {obj.title}"


class GoalForm(forms.ModelForm):
    """Create or edit a goal of one level; choices depend on who is writing."""

    owner_unit = forms.ModelChoiceField(
        label=_("Team"), queryset=OrgUnit.objects.none(), empty_label=None
    )
    parent = ParentChoiceField(
        label=_("Contributes to"),
        queryset=Goal.objects.none(),
        required=False,
        empty_label=_("— not linked to a team or organisation goal —"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=())

    class Meta:
        model = Goal
        fields = [
            "title",
            "description",
            "parent",
            "not_linked_reason",
            "metric",
            "start_value",
            "target_value",
            "measure_unit",
            "start_date",
            "due_date",
            "feasibility_note",
            "weight",
            "visibility",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "not_linked_reason": forms.Textarea(attrs={"rows": 2}),
            "feasibility_note": forms.Textarea(attrs={"rows": 2}),
            "start_date": DATE_INPUT,
            "due_date": DATE_INPUT,
        }

    def __init__(
        self,
        *args: object,
        level: str,
        parents: QuerySet[Goal],
        units: QuerySet[OrgUnit] | None = None,
        with_status: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.level = level
        self.fields["parent"].queryset = parents
        choices = dict(Visibility.choices)
        self.fields["visibility"].choices = [(v, choices[v]) for v in VISIBILITY_BY_LEVEL[level]]
        self.fields["visibility"].initial = VISIBILITY_BY_LEVEL[level][0]
        if level == Level.INDIVIDUAL:
            metrics = [(k, v) for k, v in Goal.Metric.choices if k != Goal.Metric.NONE]
            self.fields["metric"].choices = metrics
        if level == Level.ORGANISATION:
            for name in ("parent", "not_linked_reason", "weight", "visibility"):
                del self.fields[name]
        if level == Level.TEAM and units is not None:
            self.fields["owner_unit"].queryset = units
            self.order_fields(["owner_unit"])
        else:
            del self.fields["owner_unit"]
        if with_status:
            labels = dict(Goal.Status.choices)
            self.fields["status"].choices = [(s, labels[s]) for s in STATUSES_AFTER_APPROVAL]
            self.fields["status"].initial = self.instance.status
        else:
            del self.fields["status"]

    def goal_data(self) -> dict:
        """The cleaned values the services take (the owner unit and status apart)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("owner_unit", "status")
        }


class CheckInForm(forms.ModelForm):
    class Meta:
        model = GoalUpdate
        fields = ["value", "confidence", "note"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2}),
            "confidence": forms.NumberInput(attrs={"min": 0, "max": 10}),
        }

    def __init__(self, *args: object, goal: Goal, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if goal.metric == Goal.Metric.YES_NO:
            self.fields["value"] = forms.TypedChoiceField(
                label=_("Reached?"),
                choices=[("0", _("Not yet")), ("1", _("Yes, reached"))],
                coerce=lambda value: GoalUpdate._meta.get_field("value").to_python(value),
            )
            self.order_fields(["value"])
        elif goal.is_measured:
            self.fields["value"].required = True
            if goal.measure_unit:
                self.fields["value"].label = _("Value reached (%(unit)s)") % {
                    "unit": goal.measure_unit
                }
        else:
            del self.fields["value"]


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the employee"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        # Shown beside ReturnForm: each "comment" field needs an id (and label) of its own.
        kwargs.setdefault("auto_id", "id_approve_%s")
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What should change?"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("auto_id", "id_return_%s")
        super().__init__(*args, **kwargs)


class AssignForm(forms.Form):
    people = forms.ModelMultipleChoiceField(
        label=_("For whom"), queryset=User.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    title = forms.CharField(label=_("Title of each individual goal"), max_length=200)
    target_value = forms.DecimalField(
        label=_("Target value per person"), max_digits=14, decimal_places=2, required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)

    def __init__(self, *args: object, reports: QuerySet[User], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = reports


class GoalFilterForm(forms.Form):
    bound_field_class = OptionTagsBoundField  # the unit list can be a thousand options long

    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int, required=False, empty_value=None)
    year = forms.TypedChoiceField(label=_("Period"), coerce=int, required=False, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Search"), required=False, max_length=100)

    def __init__(
        self, *args: object, units: list[tuple[int, str]], years: list[int], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("All units")), *units]
        self.fields["year"].choices = [("", _("All periods")), *((y, str(y)) for y in years)]
        self.fields["status"].choices = [
            ("current", _("Current (not cancelled or archived)")),
            ("all", _("All statuses")),
            *Goal.Status.choices,
        ]
