from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import Organisation


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
    """Sends the reset e-mail in the language the person chose, not the visitor's."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        with translation.override(context["user"].language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name,
            )


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
