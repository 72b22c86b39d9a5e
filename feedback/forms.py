"""Forms validate and normalise; the views hand ``cleaned_data`` to the services."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.forms import QuestionTextForm
from people.models import User
from plans.models import DevelopmentPlan

from .models import ANONYMITY_FLOOR_MINIMUM, FeedbackPolicy, Subject

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANSWER_MAX = 5000


def plan_item_choices(plan: DevelopmentPlan, goals) -> list[tuple[str, list[tuple[str, str]]]]:
    """The plan's gaps, goals and actions as grouped choices ``kind:uuid``."""
    groups = [
        (
            _("Competency gaps"),
            [(f"gap:{gap.uuid}", gap.competency.name) for gap in plan.gaps.all()],
        ),
        (_("Goals"), [(f"goal:{goal.uuid}", goal.title) for goal in goals]),
        (
            _("Development actions"),
            [(f"action:{action.uuid}", action.title) for action in plan.actions.all()],
        ),
    ]
    return [(str(label), choices) for label, choices in groups if choices]


class AskForm(forms.Form):
    items = forms.MultipleChoiceField(
        label=_("Ask about"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one item of the plan to ask about.")},
    )
    people = forms.ModelMultipleChoiceField(
        label=_("Ask these people"),
        queryset=User.objects.none(),
        help_text=_(
            "Colleagues, your manager or people you lead. Hold Ctrl (or ⌘) to choose several."
        ),
        error_messages={"required": _("Choose at least one person to ask.")},
    )
    anonymous = forms.BooleanField(
        label=_(
            "Anonymous: answers are shown without names, merged, and only once enough people "
            "answered"
        ),
        required=False,
    )
    share_description = forms.BooleanField(
        label=_("Show the people asked the description of the items, not only their titles"),
        required=False,
    )
    due_date = forms.DateField(label=_("Answer before"), widget=DATE)
    message = forms.CharField(
        label=_("A message to the people asked (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, plan: DevelopmentPlan, goals, people, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = plan_item_choices(plan, goals)
        self.fields["people"].queryset = people
        self.fields["people"].widget.attrs["size"] = 10
        self.fields["due_date"].initial = timezone.localdate() + datetime.timedelta(days=14)


class AnswerForm(forms.Form):
    question = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Your answer"),
        required=False,
        max_length=ANSWER_MAX,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    score = forms.TypedChoiceField(
        label=_("Score"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), *((str(n), str(n)) for n in range(1, 6))],
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class DueDateForm(forms.Form):
    due_date = forms.DateField(label=_("New due date"), widget=DATE)


class UpwardForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Manager"), queryset=User.objects.none())
    due_date = forms.DateField(label=_("Answer before"), widget=DATE)

    def __init__(self, *args, managers, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers
        self.fields["due_date"].initial = timezone.localdate() + datetime.timedelta(days=14)
        if managers.count() == 1:
            self.fields["manager"].initial = managers.first()


class PolicyForm(forms.ModelForm):
    class Meta:
        model = FeedbackPolicy
        fields = ["anonymity_floor"]
        help_texts = {
            "anonymity_floor": _("At least %(min)s.") % {"min": ANONYMITY_FLOOR_MINIMUM},
        }


class QuestionForm(QuestionTextForm):
    pass


class QuestionAddForm(QuestionForm):
    subject = forms.ChoiceField(label=_("Asked about"), choices=Subject.choices)
    field_order = ["subject", "text_nl", "text_en"]


class ComplimentForm(forms.Form):
    text = forms.CharField(
        label=_("Your compliment"),
        max_length=280,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": 280}),
        error_messages={
            "required": _("Write a few words first."),
            "max_length": _("Keep it short: at most %(limit_value)d characters."),
        },
    )
