import datetime
import re
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordResetForm,
    SetPasswordForm,
    _unicode_ci_compare,
)
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Language, Organisation, OrgUnit, SignInSettings, User
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
        """Every active person with this address, also one who never had a usable
        password (imported, invited, created by HR: Django's form skips them), unless they
        left or their organisation signs in only through its own provider."""
        from .sso import passwords_allowed_for

        people = User._default_manager.filter(email__iexact=email, is_active=True).select_related(
            "organisation"
        )
        return (
            person
            for person in people
            if _unicode_ci_compare(email, person.email)
            and not person.has_left
            and passwords_allowed_for(person)
        )

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


# --- Sign-in: the e-mail step, the second factor, the invitation -----------------------


class EmailStepForm(forms.Form):
    """The sign-in page's first step: which organisation's way of signing in applies."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("The six digits your authenticator app shows, or one of your recovery codes."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not code or any(unicodedata.category(char)[0] == "C" for char in code):
            raise forms.ValidationError(_("Enter the code from your authenticator app."))
        return code


class InvitationPasswordForm(SetPasswordForm):
    """Choose a password from an invitation (Django's checks and messages)."""


# --- HR: people and units -----------------------------------------------------------------


def _unit_choices(organisation_id: int | None, *, exclude: set[int] = frozenset()):
    from .selectors import unit_paths

    paths = unit_paths(organisation_id=organisation_id)
    return sorted(
        ((pk, path) for pk, path in paths.items() if pk not in exclude),
        key=lambda item: item[1].lower(),
    )


class UnitChoiceField(forms.TypedChoiceField):
    """A unit of the organisation, shown by its path (``Zorg/Wijkteam Noord``)."""

    def __init__(self, *, organisation_id, exclude=frozenset(), empty_label, **kwargs):
        choices = [("", empty_label), *_unit_choices(organisation_id, exclude=exclude)]
        super().__init__(choices=choices, coerce=int, empty_value=None, **kwargs)


class PersonEmailField(forms.EmailField):
    """A person of the organisation named by e-mail address (works for 10,000 people)."""

    def __init__(self, *, organisation_id, **kwargs):
        self.organisation_id = organisation_id
        super().__init__(max_length=254, **kwargs)

    def clean(self, value):
        email = super().clean(value)
        if not email:
            return None
        person = User.objects.filter(
            organisation_id=self.organisation_id, email__iexact=email.strip(), is_active=True
        ).first()
        if person is None:
            raise forms.ValidationError(
                _("No active person of your organisation has the address %(email)s.")
                % {"email": email}
            )
        return person


class PersonForm(forms.Form):
    """HR adds or edits a person."""

    full_name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail address"), max_length=254)
    job_title = forms.CharField(label=_("Job title"), max_length=200, required=False)
    is_hr = forms.BooleanField(
        label=_("HR (manages the organisation in POP Platform)"), required=False
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    start_date = forms.DateField(
        label=_("Start date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end_date = forms.DateField(
        label=_("End date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Their last working day. After it they can no longer sign in."),
    )

    def __init__(self, *args, organisation: Organisation, person: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.person = person
        self.fields["unit"] = UnitChoiceField(
            organisation_id=organisation.pk,
            empty_label=_("No unit yet (to place)"),
            label=_("Unit"),
            required=False,
        )
        self.fields["line_manager"] = PersonEmailField(
            organisation_id=organisation.pk,
            label=_("Line manager's e-mail address"),
            required=False,
        )
        self.order_fields(
            ["full_name", "email", "job_title", "unit", "line_manager", "is_hr", "language"]
        )
        if person is not None and not self.is_bound:
            self.initial.update(
                {
                    "full_name": person.full_name,
                    "email": person.email,
                    "job_title": person.job_title,
                    "unit": person.unit_id,
                    "line_manager": person.line_manager.email if person.line_manager else "",
                    "is_hr": person.is_hr,
                    "language": person.language,
                    "start_date": person.start_date,
                    "end_date": person.end_date,
                }
            )
        elif not self.is_bound:
            self.initial.setdefault("language", organisation.default_language)

    def clean_full_name(self) -> str:
        return _no_control_characters(self.cleaned_data["full_name"])

    def clean_job_title(self) -> str:
        return _no_control_characters(self.cleaned_data["job_title"])

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        clash = User.objects.filter(email__iexact=email)
        if self.person is not None:
            clash = clash.exclude(pk=self.person.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another account already uses this e-mail address."))
        return email

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        manager = data.get("line_manager")
        if manager is not None and self.person is not None and manager.pk == self.person.pk:
            self.add_error("line_manager", _("A person cannot be their own line manager."))
        return data

    def values(self) -> dict[str, object]:
        """The form's values as the person's fields (the unit as an object)."""
        data = dict(self.cleaned_data)
        data["unit"] = OrgUnit.objects.filter(pk=data["unit"]).first() if data["unit"] else None
        return data


class PersonAddForm(PersonForm):
    invite = forms.BooleanField(label=_("Send an invitation now"), required=False, initial=True)

    def values(self) -> dict[str, object]:
        data = super().values()
        data.pop("invite", None)
        return data


ROLE_CHOICES = [
    ("", _("Every role")),
    ("employee", _("Employees without reports")),
    ("manager", _("Managers")),
    ("hr", _("HR")),
]
STATUS_CHOICES = [
    ("", _("Active")),
    ("to_place", _("New, to place (no unit)")),
    ("inactive", _("Deactivated")),
    ("all", _("Everyone")),
]


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    unit = forms.TypedChoiceField(label=_("Unit"), required=False, coerce=int, empty_value=None)
    role = forms.ChoiceField(label=_("Role"), required=False, choices=ROLE_CHOICES)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    invitation = forms.ChoiceField(label=_("Invitation"), required=False)

    def __init__(self, *args, organisation: Organisation, **kwargs):
        from .invitations import STATE_LABELS

        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Every unit")), *_unit_choices(organisation.pk)]
        self.fields["invitation"].choices = [
            ("", _("Any")),
            *((state.value, label) for state, label in STATE_LABELS.items()),
        ]

    def clean_q(self) -> str:
        return "".join(char for char in self.cleaned_data["q"] if char != "\x00").strip()


class UnitForm(forms.Form):
    """HR adds, renames or moves a unit and sets its manager."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OrgUnit.Kind.choices)

    def __init__(self, *args, organisation: Organisation, unit: OrgUnit | None = None, **kwargs):
        from .directory import descendants_of

        super().__init__(*args, **kwargs)
        exclude = {unit.pk, *descendants_of(unit)} if unit is not None else set()
        self.fields["parent"] = UnitChoiceField(
            organisation_id=organisation.pk,
            exclude=exclude,
            empty_label=_("Top level"),
            label=_("Part of"),
            required=False,
        )
        self.fields["manager"] = PersonEmailField(
            organisation_id=organisation.pk,
            label=_("Manager's e-mail address"),
            required=False,
            help_text=_("Leave empty for a unit without a manager."),
        )
        if unit is not None:
            self.fields["members_report"] = forms.BooleanField(
                label=_("The manager becomes the line manager of the people in this unit"),
                required=False,
                initial=True,
            )
        if unit is not None and not self.is_bound:
            self.initial.update(
                {
                    "name": unit.name,
                    "kind": unit.kind,
                    "parent": unit.parent_id,
                    "manager": unit.manager.email if unit.manager else "",
                }
            )

    def clean_name(self) -> str:
        name = _no_control_characters(self.cleaned_data["name"])
        if "/" in name:
            raise forms.ValidationError(_("A unit name cannot contain a slash (/)."))
        return name

    def values(self) -> dict[str, object]:
        data = dict(self.cleaned_data)
        data.pop("members_report", None)
        data["parent"] = (
            OrgUnit.objects.filter(pk=data["parent"]).first() if data["parent"] else None
        )
        return data


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or XLSX)"),
        help_text=_("At most 5 MB and 20,000 people."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    everyone = forms.BooleanField(
        label=_("This file is everyone: deactivate the people who are not in it"),
        required=False,
    )
    invite = forms.BooleanField(label=_("Invite the new people"), required=False)

    def clean_file(self):
        from .imports import MAX_BYTES

        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _(
                    "The file is larger than %(size)d MB. Split it, or leave out columns "
                    "we do not use."
                )
                % {"size": MAX_BYTES // (1024 * 1024)}
            )
        return upload


class SignInSettingsForm(forms.Form):
    """HR's sign-in settings: single sign-on and two-factor sign-in."""

    sso_enabled = forms.BooleanField(
        label=_("Sign in through our own identity provider"), required=False
    )
    provider_name = forms.CharField(
        label=_("Name of the sign-in service"),
        max_length=100,
        required=False,
        help_text=_("Shown on the sign-in button, e.g. Microsoft or Google Workspace."),
    )
    issuer = forms.URLField(
        label=_("Issuer URL"),
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text=_("Entra ID: https://login.microsoftonline.com/TENANT-ID/v2.0"),
    )
    client_id = forms.CharField(label=_("Client ID"), max_length=300, required=False)
    client_secret = forms.CharField(
        label=_("Client secret"),
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    domains = forms.CharField(
        label=_("E-mail domains of the organisation"),
        max_length=2000,
        required=False,
        help_text=_("Separated by commas, e.g. zorggroep.nl, zorggroep.be."),
    )
    passwords_allowed = forms.BooleanField(
        label=_("Password sign-in stays allowed"), required=False
    )
    create_accounts = forms.BooleanField(
        label=_("Create accounts on first sign-in"),
        required=False,
        help_text=_("Without a unit: you place them afterwards."),
    )
    two_factor = forms.ChoiceField(
        label=_("Two-factor sign-in for password accounts"),
        choices=SignInSettings.TwoFactor.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, settings_row: SignInSettings, **kwargs):
        super().__init__(*args, **kwargs)
        self.settings_row = settings_row
        if not self.is_bound:
            self.initial.update(
                {
                    "sso_enabled": settings_row.sso_enabled,
                    "provider_name": settings_row.provider_name,
                    "issuer": settings_row.issuer,
                    "client_id": settings_row.client_id,
                    "passwords_allowed": settings_row.passwords_allowed,
                    "create_accounts": settings_row.create_accounts,
                    "two_factor": settings_row.two_factor,
                    "domains": ", ".join(
                        settings_row.organisation.sign_in_domains.values_list("domain", flat=True)
                    )
                    if settings_row.organisation_id
                    else "",
                }
            )
        if settings_row.client_secret:
            self.fields["client_secret"].help_text = _(
                "A secret is saved (it is never shown). Leave empty to keep it."
            )

    def clean_provider_name(self) -> str:
        return _no_control_characters(self.cleaned_data["provider_name"])

    def clean_client_id(self) -> str:
        return _no_control_characters(self.cleaned_data["client_id"])

    def clean_client_secret(self) -> str:
        return _no_control_characters(self.cleaned_data["client_secret"])

    def clean_issuer(self) -> str:
        issuer = self.cleaned_data["issuer"].strip()
        if issuer:
            issuer_problem = sso_issuer_problem(issuer)
            if issuer_problem:
                raise forms.ValidationError(issuer_problem)
        return issuer.rstrip("/") if issuer.endswith("/") and issuer.count("/") > 3 else issuer

    def clean_domains(self) -> list[str]:
        from .sso import domains_taken, normalise_domains

        domains = normalise_domains(self.cleaned_data["domains"])
        wrong = [domain for domain in domains if not DOMAIN.fullmatch(domain)]
        if wrong:
            raise forms.ValidationError(
                _("Not an e-mail domain: %(domains)s.") % {"domains": ", ".join(wrong)}
            )
        if self.settings_row.organisation_id:
            taken = domains_taken(self.settings_row.organisation, domains)
            if taken:
                raise forms.ValidationError(
                    _("These domains belong to another organisation: %(domains)s.")
                    % {"domains": ", ".join(taken)}
                )
        return domains

    def clean(self) -> dict:
        data = super().clean()
        if data.get("sso_enabled"):
            required = {
                "issuer": _("Enter the issuer URL of your identity provider."),
                "client_id": _("Enter the client ID of POP Platform's app registration."),
                "domains": _("Enter at least one e-mail domain."),
            }
            for name, message in required.items():
                if name not in self.errors and not data.get(name):
                    self.add_error(name, message)
            if not data.get("client_secret") and not self.settings_row.client_secret:
                self.add_error("client_secret", _("Enter the client secret."))
        elif "passwords_allowed" in data and not data["passwords_allowed"]:
            self.add_error(
                "passwords_allowed",
                _("Without single sign-on, people can only sign in with a password."),
            )
        return data


DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def sso_issuer_problem(issuer: str) -> str | None:
    """An issuer must be https (plain http only for this machine, in testing)."""
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http" and parts.hostname in ("127.0.0.1", "localhost"):
        return None
    return str(_("The issuer URL must start with https://."))


def _no_control_characters(text: str) -> str:
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise forms.ValidationError(_("Remove the control characters (such as line breaks)."))
    return text.strip()


class QuestionTextForm(forms.Form):
    """A question HR words for the organisation, in Dutch and (optionally) English: the
    preparation questions of conversations and the feedback questions."""

    text_nl = forms.CharField(label=_("Question in Dutch"), max_length=300)
    text_en = forms.CharField(
        label=_("Question in English"),
        max_length=300,
        required=False,
        help_text=_("Empty: English readers see the Dutch question."),
    )

    @staticmethod
    def _one_line(text: str) -> str:
        if any(unicodedata.category(char) == "Cc" for char in text):
            raise forms.ValidationError(_("Remove the control characters (such as line breaks)."))
        return text.strip()

    def clean_text_nl(self) -> str:
        return self._one_line(self.cleaned_data["text_nl"])

    def clean_text_en(self) -> str:
        return self._one_line(self.cleaned_data["text_en"])
