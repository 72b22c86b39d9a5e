from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Organisation
from .outbox import Channel, outbox_send


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an e-mail address (the field keeps Django's name ``username``)."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    error_messages = {
        "invalid_login": _("This e-mail address and password do not match. Please try again."),
        "inactive": _("This account is inactive."),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class LocalisedPasswordResetForm(PasswordResetForm):
    """Queues the reset e-mail in the outbox instead of sending it during the request: a
    worker sends it in the language the person chose, with a link on ``SITE_URL`` made
    when it is sent (``people.outbox``, kind ``password_reset``). None goes to someone
    who may no longer sign in (``people.backends``)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if not user.has_left)

    @transaction.atomic
    def save(self, **options: object) -> None:
        for user in self.get_users(self.cleaned_data["email"]):
            outbox_send(recipient=user, kind="password_reset", channels=[Channel.EMAIL])


class LanguageForm(forms.Form):
    """The language only; where to go next is checked by the view (a path on this site)."""

    language = forms.ChoiceField(choices=(("nl", "Nederlands"), ("en", "English")))


class OrganisationPolicyForm(forms.ModelForm):
    """HR's policy settings: conversation cadence, reminders, privacy, budget, retention."""

    class Meta:
        model = Organisation
        fields = [
            "default_language",
            "timezone",
            "checkin_cadence_weeks",
            "conversation_interval_months",
            "start_conversation_within_weeks",
            "reminder_lead_days",
            "goal_behind_margin",
            "goal_at_risk_margin",
            "default_yearly_budget",
            "min_group_size",
            "retention_months",
        ]


class AuditFilterForm(forms.Form):
    """Filters of the audit trail page; every field is optional."""

    # A name, part of one, or an e-mail address (the page says so under the form).
    whose = forms.CharField(label=_("Whose data"), required=False, max_length=200)
    who = forms.CharField(label=_("Who"), required=False, max_length=200)
    action = forms.ChoiceField(
        label=_("What"),
        required=False,
        choices=[("", _("Everything")), *AuditEvent.Action.choices],
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data
