"""The people file: one set of rules for HR's upload page and ``manage.py import_people``.

1. ``read_table`` turns the uploaded bytes into rows of text: a CSV file (comma or
   semicolon; UTF-8 with or without BOM, or Windows-1252 as Dutch Excel writes it) or an
   XLSX workbook (its first sheet, read with openpyxl in read-only mode; formulas are
   refused, since their value is whatever Excel last computed).
2. ``parse_rows`` checks each row on its own: e-mail, name, unit path, manager, dates,
   language, HR flag; duplicates within the file.
3. ``plan_import`` compares the rows with the organisation: who is added, who changes
   (old → new per field), who is deactivated when the file is everyone, which units are
   new; and what cannot be (another organisation's address, a manager nowhere, a cycle of
   managers). Nothing is written.
4. ``apply_import`` writes a plan in one transaction, in bulk (10,000 rows take seconds).

Each problem is reported with its line number (the header is line 1) and a reason in the
reader's language; while there is any, nothing is applied.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditEvent, Language, Organisation, OrgUnit, User, versions_moved
from .selectors import unit_paths
from .versions import Part, versions_raise

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
#: At most this many problems are listed (the count says how many there are).
MAX_ERRORS_SHOWN = 500

# Column → the headers that name it (compared lower-case, with - and _ read as spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "email": ("email", "e mail", "e mailadres", "emailadres", "email address", "e mail address"),
    "name": ("name", "naam", "full name", "volledige naam"),
    "job_title": ("job title", "functie", "functietitel"),
    "unit": ("unit", "afdeling", "team", "afdeling of team"),
    "manager_email": (
        "manager email",
        "manager",
        "leidinggevende",
        "e mail leidinggevende",
        "email leidinggevende",
    ),
    "start_date": ("start date", "startdatum", "in dienst", "datum in dienst"),
    "end_date": ("end date", "einddatum", "uit dienst", "datum uit dienst"),
    "language": ("language", "taal"),
    "is_hr": ("is hr", "hr"),
}
REQUIRED = ("email", "name")
LABELS = {
    "name": gettext_lazy("name"),
    "job_title": gettext_lazy("job title"),
    "unit": gettext_lazy("unit"),
    "manager_email": gettext_lazy("line manager"),
    "start_date": gettext_lazy("start date"),
    "end_date": gettext_lazy("end date"),
    "language": gettext_lazy("language"),
    "is_hr": gettext_lazy("HR"),
    "is_active": gettext_lazy("active"),
}
_TRUE = {"1", "true", "yes", "ja", "j", "y", "x", "waar", "wahr"}
_FALSE = {"", "0", "false", "no", "nee", "n", "onwaar"}
_LANGUAGES = {
    "nl": Language.DUTCH,
    "nederlands": Language.DUTCH,
    "dutch": Language.DUTCH,
    "vlaams": Language.DUTCH,
    "en": Language.ENGLISH,
    "engels": Language.ENGLISH,
    "english": Language.ENGLISH,
}
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y")


class ImportFileError(Exception):
    """The file cannot be read (from ``line`` on); the message says why."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.line = line


Problem = tuple[int, str]  # (line, reason)


# --- 1. Reading the file ------------------------------------------------------------------


@dataclass
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line, cells as text)


def read_table(content: bytes, *, filename: str = "") -> Table:
    """The file's rows as text. Raises ``ImportFileError`` for a file that is too large,
    has too many rows, or is neither CSV nor XLSX."""
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)d MB. Split it, or leave out columns we do not use.")
            % {"size": MAX_BYTES // (1024 * 1024)}
        )
    if content.startswith(b"PK\x03\x04"):
        table = _read_xlsx(content)
    elif filename.lower().endswith((".xlsx", ".xlsm", ".xls", ".ods")):
        raise ImportFileError(_("This is not an XLSX workbook. Save it as .xlsx or as CSV."))
    else:
        table = _read_csv(content)
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            _("The file has more than %(rows)s people. Import it in parts.")
            % {"rows": number_format(MAX_ROWS, force_grouping=True)}
        )
    return table


def _decode(content: bytes) -> str:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00\x00" in content[:4096]:
        raise ImportFileError(_("This file is not a CSV or XLSX file we can read."))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("This file is not a CSV or XLSX file we can read (not UTF-8 or Windows-1252).")
        ) from error


def _read_csv(content: bytes) -> Table:
    text = _decode(content).lstrip("\ufeff")
    first_line = text.split("\n", 1)[0]
    counts = {delimiter: first_line.count(delimiter) for delimiter in (";", ",", "\t")}
    delimiter = max(counts, key=lambda d: (counts[d], d == ","))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    line = 1
    try:
        header = next(reader, [])
        line = reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
            if len(rows) > MAX_ROWS:
                break
    except csv.Error as error:  # a field too long to be real; ``line_num`` counts lines read
        raise ImportFileError(
            _("This line cannot be read: check its quotes and separators."),
            line=line,
        ) from error
    return Table(header=header, rows=rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "ja" if value else "nee"
    return str(value)


def _read_xlsx(content: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise ImportFileError(_("This file is not a CSV or XLSX file we can read.")) from error
    try:
        sheet = workbook.worksheets[0]
        rows: list[tuple[int, list[str]]] = []
        header: list[str] = []
        for index, cells in enumerate(sheet.iter_rows(), start=1):
            for cell in cells:
                if getattr(cell, "data_type", None) == "f":
                    raise ImportFileError(
                        _(
                            "This line holds a formula. Replace formulas by their values "
                            "(copy, then paste as values) and upload again."
                        ),
                        line=index,
                    )
            values = [_cell_text(cell.value) for cell in cells]
            if index == 1:
                header = values
            elif any(value.strip() for value in values):
                rows.append((index, values))
                if len(rows) > MAX_ROWS:
                    break
    except (zipfile.BadZipFile, KeyError, ValueError, IndexError) as error:
        raise ImportFileError(_("This file is not a CSV or XLSX file we can read.")) from error
    finally:
        workbook.close()
    return Table(header=header, rows=rows)


# --- 2. Checking each row -----------------------------------------------------------------


@dataclass
class PersonRow:
    """A valid row. ``given`` holds the optional columns the file has (an empty cell
    clears that field), each already in the form it is stored in."""

    line: int
    email: str
    name: str
    given: dict[str, object] = field(default_factory=dict)


def _header_key(name: str) -> str:
    return " ".join(re.sub(r"[-_]", " ", name.strip().lower().lstrip("\ufeff")).split())


def _columns(header: list[str]) -> tuple[dict[str, int], list[Problem]]:
    aliases = {alias: column for column, names in COLUMNS.items() for alias in names}
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = aliases.get(_header_key(name))
        if column is not None and column not in found:
            found[column] = index
    missing = [column for column in REQUIRED if column not in found]
    if missing:
        return found, [(1, _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})]
    return found, []


def _parse_date(text: str) -> datetime.date | None:
    for date_format in _DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, date_format).date()
        except ValueError:
            continue
    raise ValueError(text)


def _limits() -> dict[str, int]:
    return {
        "email": User._meta.get_field("email").max_length,
        "name": User._meta.get_field("full_name").max_length,
        "job_title": User._meta.get_field("job_title").max_length,
        "unit": OrgUnit._meta.get_field("name").max_length,
    }


def _text_problems(values: dict[str, str]) -> list[str]:
    """Control characters (a NUL, a line break inside a quoted field) and text longer
    than the columns it goes into."""
    problems = [
        _("The column %(column)s contains a control character (such as a line break).")
        % {"column": column}
        for column, value in values.items()
        if any(unicodedata.category(char) == "Cc" for char in value)
    ]
    limits = _limits()
    too_long = {
        "email": _("The e-mail address is longer than %(limit)d characters."),
        "name": _("The name is longer than %(limit)d characters."),
        "job_title": _("The job title is longer than %(limit)d characters."),
    }
    for column, message in too_long.items():
        if len(values.get(column, "").strip()) > limits[column]:
            problems.append(message % {"limit": limits[column]})
    if any(len(part.strip()) > limits["unit"] for part in values.get("unit", "").split("/")):
        problems.append(
            _("A unit name is longer than %(limit)d characters.") % {"limit": limits["unit"]}
        )
    return problems


def _check_email(email: str) -> str | None:
    try:
        validate_email(email)
    except ValidationError:
        return _("'%(email)s' is not a valid e-mail address.") % {"email": email}
    return None


def _optional_values(values: dict[str, str], problems: list[str]) -> dict[str, object]:
    """The optional columns of one row in their stored form; problems are appended."""
    given: dict[str, object] = {}
    if "job_title" in values:
        given["job_title"] = values["job_title"]
    if "unit" in values:
        given["unit"] = tuple(part.strip() for part in values["unit"].split("/") if part.strip())
    if "manager_email" in values:
        manager = values["manager_email"].lower()
        if manager and (problem := _check_email(manager)):
            problems.append(problem)
        given["manager_email"] = manager
    for column in ("start_date", "end_date"):
        if column in values:
            try:
                given[column] = _parse_date(values[column]) if values[column] else None
            except ValueError:
                problems.append(
                    _("'%(value)s' is not a date: write it as 31-12-2026 or 2026-12-31.")
                    % {"value": values[column]}
                )
    start, end = given.get("start_date"), given.get("end_date")
    if start and end and end < start:
        problems.append(_("The end date is before the start date."))
    if "language" in values:
        language = values["language"].lower()
        if language and language not in _LANGUAGES:
            problems.append(
                _("'%(value)s' is not a language we offer (use nl or en).")
                % {"value": values["language"]}
            )
        given["language"] = _LANGUAGES.get(language)
    if "is_hr" in values:
        flag = values["is_hr"].lower()
        if flag not in _TRUE | _FALSE:
            problems.append(
                _("'%(value)s' is not a valid HR flag (use ja/nee).") % {"value": values["is_hr"]}
            )
        given["is_hr"] = flag in _TRUE
    return given


def parse_rows(table: Table) -> tuple[list[PersonRow], list[Problem]]:
    """The valid rows and the problems of the others, each with its line."""
    columns, errors = _columns(table.header)
    if errors:
        return [], errors
    rows: list[PersonRow] = []
    seen: dict[str, int] = {}
    for line, cells in table.rows:
        values = {
            column: (cells[index] if index < len(cells) else "").strip()
            for column, index in columns.items()
        }
        problems = _text_problems(values)
        if problems:
            errors.extend((line, problem) for problem in problems)
            continue
        email = values["email"].lower()
        if problem := _check_email(email):
            problems.append(problem)
        if email in seen:
            problems.append(
                _("%(email)s appears twice (also on line %(line)d).")
                % {"email": email, "line": seen[email]}
            )
        seen.setdefault(email, line)
        if not values["name"]:
            problems.append(_("The name is empty."))
        given = _optional_values(values, problems)
        if email and given.get("manager_email") == email:
            problems.append(_("A person cannot be their own manager."))
        if problems:
            errors.extend((line, problem) for problem in problems)
            continue
        rows.append(PersonRow(line=line, email=email, name=values["name"], given=given))
    if not rows and not errors:
        errors.append((1, _("The file contains no people.")))
    return rows, errors


# --- 3. Comparing with the organisation ---------------------------------------------------


@dataclass
class Change:
    person: User
    line: int
    fields: list[tuple[str, str, str]]  # (field, old, new) as shown


@dataclass
class ImportPlan:
    organisation: Organisation
    rows: list[PersonRow] = field(default_factory=list)
    additions: list[PersonRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    deactivations: list[User] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    unchanged: int = 0
    errors: list[Problem] = field(default_factory=list)
    everyone: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def fingerprint(self) -> str:
        """What applying this plan would do, as a hash: a confirmation applies only the
        plan the preview showed."""
        summary = {
            "add": [(row.email, row.name, _plain(row.given)) for row in self.additions],
            "change": [(change.person.pk, change.fields) for change in self.changes],
            "deactivate": [person.pk for person in self.deactivations],
            "units": self.new_units,
        }
        return hashlib.sha256(json.dumps(summary, sort_keys=True).encode()).hexdigest()


def _plain(given: dict[str, object]) -> dict[str, str]:
    return {key: str(value) for key, value in sorted(given.items())}


@dataclass
class _Organisation:
    """What the comparison needs of the organisation, read in a few queries."""

    people: dict[str, User]
    emails_by_pk: dict[int, str]
    paths: dict[int, str]
    unit_keys: set[tuple[str, ...]]


def _load(organisation: Organisation) -> _Organisation:
    people = {
        person.email: person for person in User.objects.filter(organisation=organisation).order_by()
    }
    paths = unit_paths(organisation_id=organisation.pk)
    return _Organisation(
        people=people,
        emails_by_pk={person.pk: email for email, person in people.items()},
        paths=paths,
        unit_keys={_key(path.split("/")) for path in paths.values()},
    )


def _key(parts) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in parts)


def _elsewhere(rows: list[PersonRow], organisation: Organisation) -> dict[str, int | None]:
    """Addresses in the file (people and managers) that belong to another organisation
    (its id) or to platform staff (None)."""
    emails = {row.email for row in rows} | {
        row.given["manager_email"] for row in rows if row.given.get("manager_email")
    }
    found: dict[str, int | None] = {}
    for batch in _batches(sorted(emails), 2000):
        found.update(
            User.objects.filter(email__in=batch)
            .exclude(organisation=organisation)
            .values_list("email", "organisation_id")
        )
    return found


def _batches(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _reference_problems(
    rows: list[PersonRow], organisation: Organisation, known: _Organisation
) -> list[Problem]:
    elsewhere = _elsewhere(rows, organisation)
    in_file = {row.email for row in rows}
    problems: list[Problem] = []
    for row in rows:
        if row.email in elsewhere:
            message = (
                _("%(email)s belongs to a platform support account.")
                if elsewhere[row.email] is None
                else _("%(email)s belongs to another organisation.")
            )
            problems.append((row.line, message % {"email": row.email}))
        manager = row.given.get("manager_email")
        if not manager:
            continue
        if manager in elsewhere:
            message = (
                _("Manager %(email)s is a platform support account.")
                if elsewhere[manager] is None
                else _("Manager %(email)s belongs to another organisation.")
            )
            problems.append((row.line, message % {"email": manager}))
        elif manager not in in_file and manager not in known.people:
            problems.append(
                (
                    row.line,
                    _("Manager %(email)s is neither in this file nor in the organisation.")
                    % {"email": manager},
                )
            )
    return problems + _manager_cycles(rows, known)


def _manager_cycles(rows: list[PersonRow], known: _Organisation) -> list[Problem]:
    managers = {
        email: known.emails_by_pk.get(person.line_manager_id)
        for email, person in known.people.items()
        if person.line_manager_id
    }
    for row in rows:
        if "manager_email" in row.given:
            managers[row.email] = row.given["manager_email"] or None
    problems = []
    for row in rows:
        seen = {row.email}
        current = managers.get(row.email)
        while current:
            if current in seen:
                problems.append(
                    (row.line, _("The manager chain of %(email)s loops.") % {"email": row.email})
                )
                break
            seen.add(current)
            current = managers.get(current)
    return problems


def _shown(value: object) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.date):
        return value.strftime("%d-%m-%Y")
    if value in Language.values:
        return str(Language(value).label)
    return str(value)


def _differences(row: PersonRow, person: User, known: _Organisation) -> list[tuple[str, str, str]]:
    current: dict[str, object] = {
        "name": person.full_name,
        "job_title": person.job_title,
        "unit": known.paths.get(person.unit_id, ""),
        "manager_email": known.emails_by_pk.get(person.line_manager_id, ""),
        "start_date": person.start_date,
        "end_date": person.end_date,
        "language": person.language,
        "is_hr": person.is_hr,
    }
    wanted: dict[str, object] = {"name": row.name, **row.given}
    if "unit" in wanted:
        wanted["unit"] = "/".join(wanted["unit"])
    if wanted.get("language") is None:
        wanted.pop("language", None)  # an empty language cell keeps the person's
    fields = []
    for name, new in wanted.items():
        old = current[name]
        same = (
            _key(str(old).split("/")) == _key(str(new).split("/"))
            if name == "unit"
            else (old or None) == (new or None)
        )
        if not same:
            fields.append((name, _shown(old), _shown(new)))
    if not person.is_active:
        fields.append(("is_active", _shown(False), _shown(True)))
    return fields


def plan_import(
    *,
    organisation: Organisation,
    content: bytes,
    filename: str = "",
    everyone: bool = False,
    keep: User | None = None,
) -> ImportPlan:
    """What applying the file would do; nothing is written. ``keep``: a person never
    deactivated by "this file is everyone" (the HR adviser who uploads it)."""
    plan = ImportPlan(organisation=organisation, everyone=everyone)
    try:
        table = read_table(content, filename=filename)
    except ImportFileError as error:
        plan.errors = [(error.line, str(error))]
        return plan
    rows, plan.errors = parse_rows(table)
    if plan.errors:
        return plan
    known = _load(organisation)
    plan.errors = _reference_problems(rows, organisation, known)
    if plan.errors:
        return plan
    plan.rows = rows
    new_units: set[tuple[str, ...]] = set()
    for row in rows:
        path = row.given.get("unit") or ()
        for depth in range(1, len(path) + 1):
            if _key(path[:depth]) not in known.unit_keys and _key(path[:depth]) not in new_units:
                new_units.add(_key(path[:depth]))
                plan.new_units.append("/".join(path[:depth]))
        person = known.people.get(row.email)
        if person is None:
            plan.additions.append(row)
        elif fields := _differences(row, person, known):
            plan.changes.append(Change(person=person, line=row.line, fields=fields))
        else:
            plan.unchanged += 1
    if everyone:
        listed = {row.email for row in rows}
        plan.deactivations = [
            person
            for email, person in sorted(known.people.items())
            if person.is_active and email not in listed and person != keep and not person.is_staff
        ]
    return plan


# --- 4. Applying --------------------------------------------------------------------------


@dataclass
class ImportResult:
    created: list[User] = field(default_factory=list)
    updated: int = 0
    deactivated: int = 0
    units_created: int = 0


def _units_for(plan: ImportPlan, result: ImportResult) -> dict[tuple[str, ...], OrgUnit]:
    """Every unit path of the file, the new ones created (parents first)."""
    organisation = plan.organisation
    paths = unit_paths(organisation_id=organisation.pk)
    by_pk = OrgUnit.objects.in_bulk(list(paths))
    units = {_key(path.split("/")): by_pk[pk] for pk, path in paths.items()}
    for path in sorted(plan.new_units, key=lambda text: text.count("/")):
        parts = path.split("/")
        key = _key(parts)
        if key in units:
            continue
        units[key] = OrgUnit.objects.create(
            organisation=organisation,
            parent=units.get(key[:-1]),
            name=parts[-1],
            kind=OrgUnit.Kind.DEPARTMENT
            if any(
                other != path and other.lower().startswith(f"{path.lower()}/")
                for other in plan.new_units
            )
            else OrgUnit.Kind.TEAM,
        )
        result.units_created += 1
    return units


# Django's bulk_update writes a CASE over the batch for every field: PostgreSQL's work per
# row grows with the batch, so small batches are faster overall (7,000 changed people:
# batches of 1,000 took 21 s, of 100 see bench/import_bench.py).
BULK_UPDATE_BATCH = 100
_COLUMN = {
    "name": "full_name",
    "job_title": "job_title",
    "unit": "unit",
    "start_date": "start_date",
    "end_date": "end_date",
    "language": "language",
    "is_hr": "is_hr",
    "is_active": "is_active",
}


def _assign(person: User, row: PersonRow, units: dict, *, new: bool) -> None:
    person.full_name = row.name
    given = row.given
    if "job_title" in given:
        person.job_title = given["job_title"]
    if "unit" in given:
        person.unit = units.get(_key(given["unit"])) if given["unit"] else None
    for name in ("start_date", "end_date", "is_hr"):
        if name in given:
            setattr(person, name, given[name])
    if given.get("language"):
        person.language = given["language"]
    elif new:
        person.language = person.organisation.default_language
    person.is_active = True


@transaction.atomic
def apply_import(*, plan: ImportPlan, actor: User | None) -> ImportResult:
    """Write ``plan`` (from ``plan_import``, without errors) in one transaction: units,
    new people, changes, line managers, deactivations, and their audit events."""
    assert plan.ok, "a plan with problems is never applied"
    from .services import audit_event, audit_record_many, person_manager_changed

    result = ImportResult()
    organisation = plan.organisation
    units = _units_for(plan, result)
    rows_by_email = {row.email: row for row in plan.rows}
    new_people = []
    for row in plan.additions:
        person = User(email=row.email, organisation=organisation, password=make_password(None))
        _assign(person, row, units, new=True)
        new_people.append(person)
    result.created = User.objects.bulk_create(new_people, batch_size=1000)
    changed = [change.person for change in plan.changes]
    for person in changed:
        _assign(person, rows_by_email[person.email], units, new=False)
    # Only the columns that change (building the CASE of each costs CPU for every row).
    columns = sorted(
        {
            _COLUMN[name]
            for change in plan.changes
            for name, _o, _n in change.fields
            if name in _COLUMN
        }
    )
    if columns:
        columns += versions_moved(changed)
        User.objects.bulk_update(changed, columns, batch_size=BULK_UPDATE_BATCH)
    result.updated = len(changed)
    # Line managers last: a manager may be new in this file.
    people = {person.email: person for person in User.objects.filter(organisation=organisation)}
    with_manager, old_managers = [], {}
    for row in plan.rows:
        if "manager_email" not in row.given:
            continue
        person = people[row.email]
        manager = people.get(row.given["manager_email"]) if row.given["manager_email"] else None
        if person.line_manager_id != (manager.pk if manager else None):
            old_managers[person.pk] = person.line_manager_id
            person.line_manager = manager
            with_manager.append(person)
    User.objects.bulk_update(
        with_manager,
        ["line_manager", *versions_moved(with_manager)],
        batch_size=BULK_UPDATE_BATCH,
    )
    # Their former managers no longer hold their coming conversations (conversations app).
    for person in with_manager:
        person_manager_changed(person=person, old_manager_id=old_managers[person.pk])
    deactivated = [person for person in plan.deactivations if person.is_active]
    result.deactivated = User.objects.filter(
        pk__in=[person.pk for person in deactivated], is_active=True
    ).update(is_active=False, version=F("version") + 1, updated_at=timezone.now())
    from .directory import person_deactivated_event

    for person in deactivated:
        person_deactivated_event(person)
    # New people report to someone (their changes raised the version with the writes).
    versions_raise(organisation_ids=[organisation.pk], part=Part.UNITS)
    if actor is not None:
        _audit(plan, result, actor, audit_event, audit_record_many)
    return result


def _audit(plan, result, actor, audit_event, audit_record_many) -> None:
    events = [
        audit_event(
            actor=actor,
            action=action,
            object_type="person",
            object_id=str(person.uuid),
            subject=person,
            summary="import",
        )
        for action, group in (
            (AuditEvent.Action.CREATE, result.created),
            (AuditEvent.Action.CHANGE, [change.person for change in plan.changes]),
            (AuditEvent.Action.CHANGE, plan.deactivations),
        )
        for person in group
    ]
    events.append(
        audit_event(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_type="people",
            summary=(
                f"{len(result.created)} created, {result.updated} updated, "
                f"{result.deactivated} deactivated, {result.units_created} units"
            ),
        )
    )
    for event in events:
        event.occurred_at = timezone.now()
    audit_record_many(events)
