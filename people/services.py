"""Writes for people: language, notifications, audit events and the CSV import."""

from __future__ import annotations

import csv
import hashlib
import io
import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, privacy
from .models import ApiClient, AuditEvent, Notification, Organisation, OrgUnit, User
from .selectors import unit_paths


def user_set_language(*, user: User, language: str) -> User:
    supported = {code for code, _name in settings.LANGUAGES}
    if language not in supported:
        raise ValidationError(_("This language is not available."))
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user


# --- Notifications (in-app messages; made with ``people.outbox.outbox_send``) ------------


def notification_mark_read(*, notification: Notification) -> Notification:
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- Password reset -----------------------------------------------------------------------

#: Requests for a new-password link within ``PASSWORD_RESET_WINDOW`` seconds: per address
#: typed (whether or not it has an account) and per client (IP address).
PASSWORD_RESETS_PER_ADDRESS = 3
PASSWORD_RESETS_PER_CLIENT = 10
PASSWORD_RESET_WINDOW = 60 * 60


def _counted(key: str, *, limit: int) -> bool:
    """Count one more under ``key`` in the shared cache (for ``PASSWORD_RESET_WINDOW``
    from the first); whether it stays within ``limit``."""
    cache.add(key, 0, PASSWORD_RESET_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, PASSWORD_RESET_WINDOW)
        count = 1
    return count <= limit


def password_reset_allowed(*, email: str, client: str) -> bool:
    """Whether a new-password link may be queued for ``email`` asked from ``client``; the
    request counts against both limits either way."""
    address = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    per_address = _counted(f"password-reset:address:{address}", limit=PASSWORD_RESETS_PER_ADDRESS)
    per_client = _counted(f"password-reset:client:{client}", limit=PASSWORD_RESETS_PER_CLIENT)
    return per_address and per_client


# --- Audit ------------------------------------------------------------------------------


def audit_event(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str = "",
    subject: User | None = None,
    subject_id: int | None = None,
    summary: str = "",
    client: ApiClient | None = None,
) -> AuditEvent:
    """An unsaved event; its organisation is the subject's, or else the actor's (give
    ``subject_id`` alone for someone of the actor's organisation), or the API client's
    (a system calling the API or SCIM acts without a person)."""
    owner = subject or actor or client
    organisation_id = owner.organisation_id if owner else None
    if organisation_id is None:
        raise ValidationError("An audit event needs an organisation.")
    return AuditEvent(
        organisation_id=organisation_id,
        actor=actor,
        api_client=client,
        subject_id=subject.pk if subject else subject_id,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        summary=summary[:500],
    )


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: str = "",
    subject: User | None = None,
    summary: str = "",
    request: HttpRequest | None = None,
    client: ApiClient | None = None,
) -> AuditEvent:
    """Record who did what to whose data. Within a request the event is written with the
    request's other events when the response is ready (``people.audit``), with the
    request's IP address and browser: the event returned is then not saved yet (no
    ``pk``). Outside a request (tasks, commands) it is saved at once."""
    event = audit_event(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        subject=subject,
        summary=summary,
        client=client,
    )
    audit.record([event], request=request)
    return event


def audit_record_about(
    *, actor: User | None, subject: User, client: ApiClient | None = None, **details: str
) -> AuditEvent | None:
    """``audit_record`` when someone other than ``subject`` reads or changes their data
    (their manager, HR, an API client); a person's own use of their own data is not
    recorded."""
    if actor is not None and actor.pk == subject.pk:
        return None
    return audit_record(actor=actor, subject=subject, client=client, **details)


def audit_record_many(events: list[AuditEvent]) -> None:
    """Several events from ``audit_event`` in one INSERT (e.g. one per person listed)."""
    audit.record(events)


# --- CSV import -------------------------------------------------------------------------

IMPORT_COLUMNS = ("email", "name", "unit", "manager_email", "is_hr")
_TRUE = {"1", "true", "yes", "ja", "j", "y", "x", "waar"}
_FALSE = {"", "0", "false", "no", "nee", "n", "onwaar"}


@dataclass
class ImportRow:
    line: int
    email: str
    name: str
    unit_path: tuple[str, ...]
    manager_email: str
    is_hr: bool


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    units_created: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _text_problems(values: dict[str, str]) -> list[str]:
    """Control characters (a NUL, a line break inside a quoted field) and text longer
    than the columns it goes into."""
    problems = [
        _("The column %(column)s contains a control character (such as a line break).")
        % {"column": column}
        for column, value in values.items()
        if any(unicodedata.category(char) == "Cc" for char in value)
    ]
    limits = [
        (
            [values["email"]],
            User._meta.get_field("email").max_length,
            _("The e-mail address is longer than %(limit)d characters."),
        ),
        (
            [values["name"]],
            User._meta.get_field("full_name").max_length,
            _("The name is longer than %(limit)d characters."),
        ),
        (
            values["unit"].split("/"),
            OrgUnit._meta.get_field("name").max_length,
            _("A unit name is longer than %(limit)d characters."),
        ),
    ]
    problems += [
        message % {"limit": limit}
        for texts, limit, message in limits
        if any(len(text.strip()) > limit for text in texts)
    ]
    return problems


def _parse_rows(text: str) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return _read_rows(reader)
    except csv.Error:  # a field too long to be real; ``line_num`` counts the lines read
        line = reader.line_num + 1
        return [], [(line, _("This line cannot be read: check its quotes and separators."))]


def _read_rows(reader: csv.DictReader) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    errors: list[tuple[int, str]] = []
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    missing = [column for column in IMPORT_COLUMNS if column not in header]
    if missing:
        errors.append((1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}))
        return [], errors
    reader.fieldnames = header
    rows: list[ImportRow] = []
    seen: dict[str, int] = {}
    for record in reader:
        line = reader.line_num
        values = {
            key: (value or "").strip() for key, value in record.items() if key in IMPORT_COLUMNS
        }
        email = values["email"].lower()
        problems = _text_problems(values)
        if problems:
            errors.extend((line, problem) for problem in problems)
            continue
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("'%(email)s' is not a valid e-mail address.") % {"email": email})
        if email in seen:
            problems.append(
                _("%(email)s appears twice (also on line %(line)d).")
                % {"email": email, "line": seen[email]}
            )
        seen.setdefault(email, line)
        if not values["name"]:
            problems.append(_("The name is empty."))
        unit_path = tuple(part.strip() for part in values["unit"].split("/") if part.strip())
        if not unit_path:
            problems.append(_("The unit is empty."))
        manager_email = values["manager_email"].lower()
        if manager_email == email and email:
            problems.append(_("A person cannot be their own manager."))
        hr_flag = values["is_hr"].lower()
        if hr_flag not in _TRUE | _FALSE:
            problems.append(
                _("'%(value)s' is not a valid HR flag (use ja/nee).") % {"value": values["is_hr"]}
            )
        if problems:
            errors.extend((line, problem) for problem in problems)
            continue
        rows.append(
            ImportRow(
                line=line,
                email=email,
                name=values["name"],
                unit_path=unit_path,
                manager_email=manager_email,
                is_hr=hr_flag in _TRUE,
            )
        )
    return rows, errors


def _check_cross_references(
    *, organisation: Organisation, rows: list[ImportRow]
) -> list[tuple[int, str]]:
    """Managers must exist (in the file or the organisation); no one from elsewhere."""
    errors: list[tuple[int, str]] = []
    emails = {row.email for row in rows} | {row.manager_email for row in rows if row.manager_email}
    existing = {
        person.email: person.organisation_id
        for person in User.objects.filter(email__in=emails).only("email", "organisation_id")
    }
    in_file = {row.email for row in rows}
    for row in rows:
        owner = existing.get(row.email)
        if owner is not None and owner != organisation.pk:
            errors.append(
                (row.line, _("%(email)s belongs to another organisation.") % {"email": row.email})
            )
        if row.manager_email:
            manager_org = existing.get(row.manager_email)
            if row.manager_email not in in_file and manager_org is None:
                errors.append(
                    (
                        row.line,
                        _("Manager %(email)s is neither in this file nor in the organisation.")
                        % {"email": row.manager_email},
                    )
                )
            elif manager_org is not None and manager_org != organisation.pk:
                errors.append(
                    (
                        row.line,
                        _("Manager %(email)s belongs to another organisation.")
                        % {"email": row.manager_email},
                    )
                )
    errors.extend(_manager_cycles(rows=rows, organisation=organisation))
    return errors


def _manager_cycles(*, rows: list[ImportRow], organisation: Organisation) -> list[tuple[int, str]]:
    managers = dict(
        User.objects.filter(organisation=organisation, line_manager__isnull=False).values_list(
            "email", "line_manager__email"
        )
    )
    managers.update({row.email: row.manager_email for row in rows if row.manager_email})
    for row in rows:
        if not row.manager_email:
            managers.pop(row.email, None)
    errors = []
    for row in rows:
        seen = {row.email}
        current = managers.get(row.email)
        while current:
            if current in seen:
                errors.append(
                    (row.line, _("The manager chain of %(email)s loops.") % {"email": row.email})
                )
                break
            seen.add(current)
            current = managers.get(current)
    return errors


def _ensure_unit(
    *, organisation: Organisation, path: tuple[str, ...], cache: dict, result: ImportResult
) -> OrgUnit:
    parent: OrgUnit | None = None
    for depth in range(1, len(path) + 1):
        key = tuple(part.lower() for part in path[:depth])
        unit = cache.get(key)
        if unit is None:
            unit = OrgUnit.objects.create(
                organisation=organisation,
                parent=parent,
                name=path[depth - 1],
                kind=OrgUnit.Kind.TEAM if depth == len(path) else OrgUnit.Kind.DEPARTMENT,
            )
            cache[key] = unit
            result.units_created += 1
        parent = unit
    assert parent is not None
    return parent


def people_import(
    *, organisation: Organisation, text: str, actor: User | None = None
) -> ImportResult:
    """Create or update people and units from CSV text, all or nothing.

    Columns: ``email``, ``name``, ``unit`` (a path such as ``Zorg/Team Noord``),
    ``manager_email``, ``is_hr``. Every bad row is reported with its line number and the
    reason; when there is any, nothing is changed.
    """
    result = ImportResult()
    rows, result.errors = _parse_rows(text)
    if not result.errors and not rows:
        result.errors.append((1, _("The file contains no people.")))
    if result.errors:
        return result
    result.errors = _check_cross_references(organisation=organisation, rows=rows)
    if result.errors:
        return result

    with transaction.atomic():
        cache: dict[tuple[str, ...], OrgUnit] = {}
        paths = unit_paths(organisation_id=organisation.pk)
        for unit in OrgUnit.objects.filter(organisation=organisation):
            cache[tuple(part.lower() for part in paths[unit.pk].split("/"))] = unit
        existing = {
            person.email: person for person in User.objects.filter(organisation=organisation)
        }
        people: dict[str, User] = {}
        for row in rows:
            unit = _ensure_unit(
                organisation=organisation, path=row.unit_path, cache=cache, result=result
            )
            person = existing.get(row.email)
            if person is None:
                person = User.objects.create_user(
                    email=row.email,
                    password=None,
                    full_name=row.name,
                    organisation=organisation,
                    unit=unit,
                    is_hr=row.is_hr,
                    language=organisation.default_language,
                )
                result.created += 1
            else:
                person.full_name, person.unit, person.is_hr = row.name, unit, row.is_hr
                person.save(update_fields=["full_name", "unit", "is_hr"])
                result.updated += 1
            people[row.email] = person
        for row in rows:
            person = people[row.email]
            manager = (
                (people.get(row.manager_email) or existing.get(row.manager_email))
                if row.manager_email
                else None
            )
            if person.line_manager_id != (manager.pk if manager else None):
                person.line_manager = manager
                person.save(update_fields=["line_manager"])
        if actor is not None:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.IMPORT,
                object_type="people",
                summary=f"{result.created} created, {result.updated} updated",
            )
    return result


def organisation_update_policy(
    *,
    organisation: Organisation,
    by: User,
    changes: dict[str, object],
    request: HttpRequest | None = None,
) -> Organisation:
    """Save HR's policy settings and log who changed what."""
    changed = {
        name: (getattr(organisation, name), value)
        for name, value in changes.items()
        if getattr(organisation, name) != value
    }
    if not changed:
        return organisation
    for name, (_old, new) in changed.items():
        setattr(organisation, name, new)
    organisation.full_clean()
    with transaction.atomic():
        organisation.save(update_fields=[*changed, "updated_at"])
        audit_record(
            actor=by,
            action=AuditEvent.Action.CHANGE,
            object_type="organisation",
            object_id=str(organisation.uuid),
            summary="; ".join(f"{name}: {old} → {new}" for name, (old, new) in changed.items()),
            request=request,
        )
    return organisation


@transaction.atomic
def organisation_delete(*, organisation: Organisation) -> None:
    """Remove an organisation with everything in it (its people and their data), its
    audit trail included: the one deletion of audit events there is. On PostgreSQL the
    audit trigger (migration ``people.0004``) lets this transaction, and only for this
    organisation, delete them."""
    table = AuditEvent._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config('pop.audit_purge_organisation', %s, true)",
                [str(organisation.pk)],
            )
        # The model refuses deletes of audit events; this is the deliberate exception.
        cursor.execute(f"DELETE FROM {table} WHERE organisation_id = %s", [organisation.pk])  # noqa: S608
    for provider in reversed(privacy.providers()):  # dashboards first, people last
        if provider.organisation_delete is not None:
            provider.organisation_delete(organisation)
    User.objects.filter(organisation=organisation).delete()
    delete_leaves_first(OrgUnit.objects.filter(organisation=organisation))
    organisation.delete()


def delete_leaves_first(rows: QuerySet) -> None:
    """Delete a tree whose parent links are protected: the rows without children first."""
    while rows.exists():
        rows.filter(children__isnull=True).delete()
