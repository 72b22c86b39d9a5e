"""Personal data (AVG/GDPR): what the platform holds about a person, for their download,
and what the retention job clears.

``people`` may not import the apps to its right, so each app registers a
``PersonalData`` provider in its ``AppConfig.ready()`` (as ``conversations`` registers
its agreements with ``plans.pdf``). A provider says, for each of its models with a
relation to a person, which of those relations the export follows (``covers``) and which
it deliberately leaves out, with the reason (``withheld``); a test fails when a model
field pointing at a person is in neither. It also clears, for the retention job, the
personal texts of people who left long ago (``anonymise``).

What counts as "about them" (docs/privacy.md says the same in Dutch):

1. Records about the person (their account, plan, goals, conversations as the employee,
   notifications, who read or changed their data): in full, including what their manager
   wrote in them — except the private notes of others (a manager's private note on the
   employee's conversation belongs to the manager alone).
2. Records the person only acted on (a comment or check-in on someone else's plan, an
   agreement or agenda item in a conversation they held as manager, an approval): their
   own text and the moment, with a reference; not the rest of the other person's record.
3. Never: password hashes, session keys, other people's private notes.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from axes.models import AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from pop_platform.pdf import print_context, render_pdf

from . import audit
from .models import (
    AuditEvent,
    ChatChannel,
    Invitation,
    NotificationChoice,
    Organisation,
    OrgUnit,
    OutgoingMessage,
    User,
)

FORMAT = "POP Platform personal data export, version 1"
AUDIT_TYPE = "personal_data"
PDF_MAX_PAGES = 150
# The PDF shows at most this many records per section; the JSON file has them all.
PDF_ROWS_PER_SECTION = 100


# --- Sections: a model's rows as plain values ---------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    label: str


@dataclass
class Section:
    """Rows of one model as plain, JSON-ready values; each row has an ``id``."""

    model: str
    title: str
    explanation: str
    columns: list[Column]
    rows: list[dict[str, object]]

    @property
    def pdf_rows(self) -> list[list[tuple[str, str]]]:
        """Each shown row as (label, text) pairs, in column order."""
        return [
            [(column.label, _readable(row.get(column.name))) for column in self.columns]
            for row in self.rows[:PDF_ROWS_PER_SECTION]
        ]

    @property
    def rows_left_out_of_pdf(self) -> int:
        return max(0, len(self.rows) - PDF_ROWS_PER_SECTION)

    def as_json(self) -> dict[str, object]:
        return {
            "model": self.model,
            "title": self.title,
            "explanation": self.explanation,
            "columns": {column.name: column.label for column in self.columns},
            "rows": self.rows,
        }


Getter = Callable[[models.Model], object]
# A field name; or (name or path through relations, label); or (name, label, getter).
FieldSpec = str | tuple[str, str | Promise] | tuple[str, str | Promise, Getter]

# Labels for fields whose model gives none of its own (``created_at`` and the like).
FIELD_LABELS: dict[str, str | Promise] = {
    "created_at": _("created on"),
    "updated_at": _("last changed on"),
    "author": _("written by"),
    "created_by": _("created by"),
    "updated_by": _("last saved by"),
    "requested_by": _("requested by"),
    "manager": _("manager"),
    "employee_agreed_at": _("employee agreed on"),
    "manager_agreed_at": _("manager agreed on"),
    "manager_agreed_by": _("manager who agreed"),
    "snapshot": _("content as agreed"),
    "at": _("when"),
    "operation": _("what"),
    "item_type": _("part"),
    "item_label": _("item"),
    "field": _("field"),
    "old": _("old value"),
    "new": _("new value"),
    "language": _("language"),
    "pages": _("pages"),
    "finished_at": _("finished on"),
    "source": _("source"),
    "action": _("development action"),
    "plan": _("plan"),
}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _readable(value: object) -> str:
    """A plain value as the PDF shows it: dates as people write them, yes and no."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dict | list):
        return gettext("(in the JSON file)")
    text = str(value)
    if _ISO_DATETIME.match(text):
        return date_format(datetime.datetime.fromisoformat(text), "DATETIME_FORMAT")
    if _ISO_DATE.match(text):
        return date_format(datetime.date.fromisoformat(text), "DATE_FORMAT")
    return text


def plain(value: object) -> object:
    """A value as JSON has it: text, number, true/false, a list or an object."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return str(value)  # Decimal, UUID, lazy text, a related row


def _value(instance: models.Model | None, path: str) -> object:
    """``path`` is a field name, or names joined by dots through foreign keys."""
    head, _dot, rest = path.partition(".")
    if instance is None:
        return None
    if rest:
        return _value(getattr(instance, head), rest)
    try:
        model_field = instance._meta.get_field(head)
    except FieldDoesNotExist:  # a property, such as ``text`` on a question
        model_field = None
    if model_field is not None and getattr(model_field, "choices", None):
        return plain(getattr(instance, f"get_{head}_display")())
    return plain(getattr(instance, head))


def _column(model: type[models.Model], spec: FieldSpec) -> tuple[Column, Getter]:
    if isinstance(spec, tuple):
        name, label, *getter = spec
        get = getter[0] if getter else (lambda row, path=name: _value(row, path))
        return Column(name, str(capfirst(label))), lambda row: plain(get(row))
    verbose = str(model._meta.get_field(spec).verbose_name)
    if verbose == spec.replace("_", " ") and spec in FIELD_LABELS:  # the model has no label
        verbose = str(FIELD_LABELS[spec])
    return Column(spec, str(capfirst(verbose))), lambda row: _value(row, spec)


def records(
    rows: Iterable[models.Model],
    fields: Sequence[FieldSpec],
    *,
    model: type[models.Model],
    title: str | Promise,
    explanation: str | Promise = "",
) -> Section:
    """A section of ``model``'s rows with the given fields. The first column is the row's
    public id (its UUID, or else its number)."""
    key = "uuid" if any(f.name == "uuid" for f in model._meta.fields) else "id"
    columns = [_column(model, spec) for spec in fields]
    return Section(
        model=model._meta.label,
        title=str(title),
        explanation=str(explanation),
        columns=[Column("id", str(capfirst(_("reference")))), *(column for column, _g in columns)],
        rows=[
            {"id": plain(getattr(row, key)), **{column.name: get(row) for column, get in columns}}
            for row in rows
        ],
    )


# --- The registry -------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonalData:
    """One app's part of the personal data.

    ``covers``: model label → the fields pointing at a person whose rows ``export``
    includes. ``withheld``: ``"app.Model.field"`` → why rows found through that field
    are not in the person's export. ``anonymise`` clears the app's personal texts of the
    given people (the retention job; texts come in the organisation's language).
    ``organisation_delete`` removes all the app's rows of an organisation, in an order
    its protected foreign keys allow (``people.services.organisation_delete`` calls the
    apps from right to left).
    """

    app: str
    covers: dict[str, tuple[str, ...]]
    export: Callable[[User], list[Section]]
    anonymise: Callable[[list[User]], None]
    withheld: dict[str, str] = field(default_factory=dict)
    organisation_delete: Callable[[Organisation], None] | None = None


_providers: dict[str, PersonalData] = {}


def register(provider: PersonalData) -> None:
    """Called from an ``AppConfig.ready()``; registering an app again replaces it."""
    _providers[provider.app] = provider


def providers() -> list[PersonalData]:
    """In the apps' order (people first), so exports read the same every time."""
    order = {config.name: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_providers.values(), key=lambda provider: order.get(provider.app, 999))


def covered_fields() -> dict[str, set[str]]:
    """Model label → the person fields that the export follows or explicitly withholds."""
    found: dict[str, set[str]] = {}
    for provider in providers():
        for label, names in provider.covers.items():
            found.setdefault(label, set()).update(names)
        for path in provider.withheld:
            label, _dot, name = path.rpartition(".")
            found.setdefault(label, set()).add(name)
    return found


# --- The export ---------------------------------------------------------------------------


def admin_history_forget(rows: models.QuerySet) -> int:
    """For a provider's ``anonymise``: the Django admin's history of these rows keeps
    what they were called then (``object_repr``: a goal's title, a person's name) and a
    summary of the change; both go. Returns how many history entries were changed."""
    content_type = ContentType.objects.get_for_model(rows.model)
    ids = [str(pk) for pk in rows.values_list("pk", flat=True)]
    return LogEntry.objects.filter(content_type=content_type, object_id__in=ids).update(
        object_repr=gettext("(removed)"), change_message=""
    )


def _person_zone(person: User) -> datetime.tzinfo:
    organisation = person.organisation
    return organisation.tzinfo if organisation else timezone.get_default_timezone()


def personal_data(person: User) -> list[Section]:
    """Every section of every app, in the person's language and time zone."""
    language = person.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(_person_zone(person)):
        return [section for provider in providers() for section in provider.export(person)]


def personal_data_json(*, person: User, generated_at: datetime.datetime) -> dict[str, object]:
    sections = personal_data(person)
    with timezone.override(_person_zone(person)):
        return {
            "format": FORMAT,
            "generated_at": plain(generated_at),
            "person": {"id": str(person.uuid), "name": person.full_name, "email": person.email},
            "sections": [section.as_json() for section in sections],
        }


def personal_data_pdf(*, person: User, generated_at: datetime.datetime) -> bytes:
    """The same sections as the JSON file, as a tagged PDF in the person's language.

    Raises ``pop_platform.pdf.PdfTooLong`` beyond ``PDF_MAX_PAGES`` pages (each section
    shows at most ``PDF_ROWS_PER_SECTION`` records, so only a very large one gets there).
    """
    sections = personal_data(person)
    language = person.language or settings.LANGUAGE_CODE
    with translation.override(language), timezone.override(_person_zone(person)):
        context = print_context(organisation=person.organisation, generated_at=generated_at)
        html = render_to_string(
            "people/pdf/personal_data.html",
            {
                **context,
                "person": person,
                "sections": [section for section in sections if section.rows],
                "empty": [section.title for section in sections if not section.rows],
            },
        )
    return render_pdf(html=html, max_pages=PDF_MAX_PAGES)


# --- People's own part --------------------------------------------------------------------

ACCOUNT_FIELDS: tuple[FieldSpec, ...] = (
    "full_name",
    "email",
    "job_title",
    "organisation",
    "unit",
    "line_manager",
    "is_hr",
    "language",
    "start_date",
    "end_date",
    "is_active",
    "is_staff",
    "date_joined",
    "last_login",
)
AUDIT_FIELDS: tuple[FieldSpec, ...] = (
    "occurred_at",
    "actor",
    "action",
    ("object_type", _("object type"), lambda event: audit.describe(event)[0]),
    "object_id",
    ("summary", _("part"), lambda event: audit.describe(event)[1]),
    "subject",
    "ip_address",
    "user_agent",
)
# What others did with your data: without their IP address and browser (their data).
AUDIT_FIELDS_ABOUT_YOU = tuple(
    spec for spec in AUDIT_FIELDS if spec not in ("ip_address", "user_agent")
)
SIGN_IN_FIELDS: tuple[FieldSpec, ...] = ("attempt_time", "ip_address", "user_agent")


def _export(person: User) -> list[Section]:
    account = User.objects.select_related("organisation", "unit", "line_manager").get(pk=person.pk)
    events = audit.without_withdrawn(AuditEvent.objects.select_related("actor", "subject"))
    return [
        records(
            [account],
            ACCOUNT_FIELDS,
            model=User,
            title=_("Your account"),
            explanation=_("Your password is stored only as a hash and is not part of this."),
        ),
        records(
            OrgUnit.objects.filter(manager=person).select_related("parent"),
            ("name", "kind", "parent"),
            model=OrgUnit,
            title=_("Units you manage"),
        ),
        records(
            OutgoingMessage.objects.filter(recipient=person).order_by("created_at", "id"),
            (
                "created_at",
                "channel",
                "kind",
                ("text", _("message"), _message_text),
                "link",
                "sent_at",
                "read_at",
            ),
            model=OutgoingMessage,
            title=_("Your notifications and e-mails"),
        ),
        records(
            ChatChannel.objects.filter(person=person),
            ("service", "url", "created_at"),
            model=ChatChannel,
            title=_("Your own Teams or Slack channel"),
        ),
        records(
            NotificationChoice.objects.filter(person=person),
            ("topic", "delivery"),
            model=NotificationChoice,
            title=_("How your notifications reach you"),
        ),
        records(
            events.filter(subject=person),
            AUDIT_FIELDS_ABOUT_YOU,
            model=AuditEvent,
            title=_("Who read, changed or exported your data"),
            explanation=_("From the audit trail: your manager's and HR's use of your data."),
        ),
        records(
            events.filter(actor=person).exclude(subject=person),
            AUDIT_FIELDS,
            model=AuditEvent,
            title=_("What you did with other people's data"),
            explanation=_("From the audit trail: references only, never content."),
        ),
        records(
            AccessLog.objects.filter(username__iexact=person.email),
            (*SIGN_IN_FIELDS, "logout_time"),
            model=AccessLog,
            title=_("Your sign-ins"),
            explanation=_("Kept for 90 days."),
        ),
        records(
            AccessFailureLog.objects.filter(username__iexact=person.email),
            (*SIGN_IN_FIELDS, "locked_out"),
            model=AccessFailureLog,
            title=_("Failed sign-ins with your e-mail address"),
            explanation=_("Kept for 90 days."),
        ),
        records(
            Invitation.objects.filter(person=person),
            ("created_at", "expires_at", "accepted_at", "revoked_at"),
            model=Invitation,
            title=_("Your invitations"),
        ),
        records(
            TOTPDevice.objects.filter(user=person),
            ("name", "confirmed", "created_at", "last_used_at"),
            model=TOTPDevice,
            title=_("Your two-factor sign-in"),
            explanation=_(
                "The secret of your authenticator and your recovery codes are not part of this."
            ),
        ),
        records(
            StaticDevice.objects.filter(user=person),
            ("name", "confirmed", "created_at", "last_used_at"),
            model=StaticDevice,
            title=_("Your recovery codes"),
            explanation=_(
                "The secret of your authenticator and your recovery codes are not part of this."
            ),
        ),
        records(
            LogEntry.objects.filter(user=person).select_related("content_type"),
            ("action_time", "content_type", "object_repr", "action_flag", "change_message"),
            model=LogEntry,
            title=_("Your changes in the administration"),
        ),
    ]


def _message_text(message: OutgoingMessage) -> str:
    """A message as its recipient reads it (in the language of the export)."""
    from .outbox import message_render

    rendered = message_render(message)
    return "\n".join(part for part in (rendered.title, rendered.body) if part)


def _anonymise(people: list[User]) -> None:
    """People's part is done by ``people.retention`` itself (the account, sessions,
    sign-in records); their messages (inbox and e-mails), invitations and second factors go
    here."""
    OutgoingMessage.objects.filter(recipient__in=people).delete()
    ChatChannel.objects.filter(person__in=people).delete()
    NotificationChoice.objects.filter(person__in=people).delete()
    Invitation.objects.filter(person__in=people).delete()
    TOTPDevice.objects.filter(user__in=people).delete()
    StaticDevice.objects.filter(user__in=people).delete()


PEOPLE = PersonalData(
    app="people",
    covers={
        "people.User": (),
        "people.OrgUnit": ("manager",),
        "people.OutgoingMessage": ("recipient",),
        "people.AuditEvent": ("actor", "subject"),
        "people.ChatChannel": ("person",),
        "people.NotificationChoice": ("person",),
        "admin.LogEntry": ("user",),
        "people.Invitation": ("person",),
        "otp_totp.TOTPDevice": ("user",),
        "otp_static.StaticDevice": ("user",),
    },
    withheld={
        "people.ApiClient.created_by": (
            "The organisation's configuration; who made a client is in the audit trail, "
            "which the export has (what you did)."
        ),
        "people.ApiClient.revoked_by": (
            "The organisation's configuration; who revoked a client is in the audit trail."
        ),
        "people.WebhookSubscription.created_by": (
            "The organisation's configuration; who subscribed is in the audit trail."
        ),
        "people.Invitation.invited_by": (
            "Whom HR invited is those people's data; each person's own invitations are in "
            "their export."
        ),
        "people.PeopleImport.uploaded_by": (
            "An uploaded people file is about other people; it is kept only until it is "
            "applied (then emptied) or replaced by the next upload."
        ),
        "account.EmailAddress.user": (
            "django-allauth's table of addresses; POP Platform never fills it (the account's "
            "address is in the account section)."
        ),
        "socialaccount.SocialAccount.user": (
            "Never filled: single sign-on links a person by e-mail address, and no account "
            "at the provider is stored."
        ),
        "people.User.line_manager": (
            "Who reports to a manager is their reports' data; each person's own line manager "
            "is in their account section."
        ),
    },
    export=_export,
    anonymise=_anonymise,
)
