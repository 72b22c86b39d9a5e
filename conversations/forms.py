"""Forms validate and normalise; the views hand ``cleaned_data`` to the services.

Dates and times are entered in the organisation's local time.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.forms import QuestionTextForm
from people.models import User
from plans.forms import VersionField
from plans.models import DevelopmentAction

from .models import Kind, PreparationQuestion, UnitCadence


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class WhenForm(forms.Form):
    """Date, time, duration and place; ``starts_at`` is aware, in the organisation's zone."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=10, max_value=480, initial=60
    )
    location = forms.CharField(label=_("Place or video link"), max_length=300, required=False)

    def __init__(self, *args, tz: datetime.tzinfo, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.tz = tz

    def clean(self) -> dict:
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["starts_at"] = datetime.datetime.combine(
                data["date"], data["time"], tzinfo=self.tz
            )
        return data


class ScheduleForm(WhenForm):
    employee = forms.ModelChoiceField(
        label=_("With"), queryset=User.objects.none(), to_field_name="uuid"
    )
    kind = forms.ChoiceField(label=_("Kind of conversation"), choices=Kind.choices)
    field_order = ["employee", "kind", "date", "time", "duration_minutes", "location"]

    def __init__(self, *args, reports, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = reports


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of conversation"), choices=Kind.choices)
    note = forms.CharField(
        label=_("What would you like to talk about?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )


class AgendaItemForm(forms.Form):
    text = forms.CharField(label=_("New agenda item"), max_length=300)


class PreparationForm(forms.Form):
    """One answer per question on the page, named ``answer-<question id>``.

    Only the answers sent are read: a question missing from the request keeps its answer.
    """

    def __init__(self, *args, questions: Iterable[PreparationQuestion], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for question in questions:
            self.fields[f"answer-{question.pk}"] = forms.CharField(
                label=question.text, required=False, max_length=5000, widget=forms.Textarea
            )

    def answers(self) -> dict[int, str]:
        """Question id → answer, for the answers sent."""
        return {
            int(name.removeprefix("answer-")): value
            for name, value in self.cleaned_data.items()
            if self.add_prefix(name) in self.data
        }


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Notes"), widget=forms.Textarea(attrs={"rows": 6}), required=False
    )
    version = VersionField()


class AgreementForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("made in a conversation", "Agreement"), max_length=300
    )
    owner = forms.TypedChoiceField(label=_("Who"), coerce=int)
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DateInput())

    def __init__(self, *args, conversation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [
            (conversation.employee_id, conversation.employee.full_name),
            (conversation.manager_id, conversation.manager.full_name),
        ]


class AgreementToPlanForm(forms.Form):
    """One choice: ``gap:<uuid>`` or ``goal:<uuid>``, and what to make of it."""

    target = forms.CharField(
        label=_("On the plan, for"),
        error_messages={"required": _("Choose a competency gap or goal.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of action"),
        choices=DevelopmentAction.Kind.choices,
        required=False,
        error_messages={"invalid_choice": _("Choose the kind of development action.")},
    )
    make = forms.ChoiceField(
        choices=[("action", "action"), ("check_in", "check_in")],
        error_messages={
            "required": _("Choose: a development action or a goal check-in."),
            "invalid_choice": _("Choose: a development action or a goal check-in."),
        },
    )

    def clean_target(self) -> tuple[str, str]:
        kind, _sep, uuid = self.cleaned_data["target"].partition(":")
        if kind not in ("gap", "goal") or not uuid:
            raise forms.ValidationError(_("Choose a competency gap or goal."))
        return kind, uuid

    def clean(self) -> dict:
        data = super().clean()
        if data.get("make") == "action" and not data.get("kind"):
            self.add_error("kind", _("Choose the kind of development action."))
        return data


# --- HR: preparation questions and cadence per unit ----------------------------------------


class PreparationQuestionForm(QuestionTextForm):
    audience = forms.ChoiceField(
        label=_("Asked of"),
        choices=PreparationQuestion.Audience.choices,
        initial=PreparationQuestion.Audience.BOTH,
        help_text=_(
            "Each side prepares with its own questions; a question for both is asked of each."
        ),
    )
    field_order = ["audience", "text_nl", "text_en"]


class PreparationQuestionAddForm(PreparationQuestionForm):
    kind = forms.ChoiceField(label=_("Conversation kind"), choices=Kind.choices)
    field_order = ["kind", "audience", "text_nl", "text_en"]


class UnitCadenceForm(forms.ModelForm):
    """Empty fields: the parent unit's or the organisation's policy applies."""

    class Meta:
        model = UnitCadence
        fields = [
            "checkin_cadence_weeks",
            "conversation_interval_months",
            "start_conversation_within_weeks",
        ]
