import datetime
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Organisation


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
    """Sends the reset e-mail in the language the person chose, not the visitor's; and
    none to someone who may no longer sign in (``people.backends``). The link points at
    ``SITE_URL``, never at the Host the request came with (which a visitor chooses)."""

    def get_users(self, email):
        return (user for user in super().get_users(email) if not user.has_left)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ) -> None:
        site = urlsplit(settings.SITE_URL)
        context = {**context, "protocol": site.scheme, "domain": site.netloc + site.path}
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


# The trail holds events of this century; a date far outside it is a typing error (and
# 31-12-9999 plus a day, or 01-01-0001 in the organisation's time zone, is off the
# calendar).
AUDIT_FIRST, AUDIT_LAST = datetime.date(2000, 1, 1), datetime.date(2099, 12, 31)
_AUDIT_DATE_MESSAGE = _("Choose a date between 1 January 2000 and 31 December 2099.")
AUDIT_DATES = [
    MinValueValidator(AUDIT_FIRST, _AUDIT_DATE_MESSAGE),
    MaxValueValidator(AUDIT_LAST, _AUDIT_DATE_MESSAGE),
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
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": AUDIT_FIRST, "max": AUDIT_LAST}),
        validators=AUDIT_DATES,
    )
    date_to = forms.DateField(
        label=_("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "min": AUDIT_FIRST, "max": AUDIT_LAST}),
        validators=AUDIT_DATES,
    )

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data
