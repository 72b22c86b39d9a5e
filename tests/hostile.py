"""Hostile input for the property tests, and the checks every one of them shares.

The strategies produce what a careless or malicious client can send in a form: huge and
empty strings, right-to-left and combining text, emoji, NUL and other control
characters, lone surrogates (sent as the invalid UTF-8 a client can put on the wire),
numbers at and past every limit, impossible and far dates, wrong choices, and fields
that are missing or sent twice.

The checks are the three properties of issue 8: never a server error (the test client
re-raises any uncaught exception); every rejection shows a clear message in the user's
language on the page; and nothing is stored half (``db_state`` before and after).
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import html
import re
from collections.abc import Iterable, Iterator
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import django
import polib
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model
from django.forms import BaseForm
from django.http import HttpResponse
from django.test import Client
from django.utils import translation
from hypothesis import strategies as st

# --- Text ---------------------------------------------------------------------------------

PAYLOADS = [
    "<script>window.__x=1</script>",
    '<img src=x onerror="window.__x=2">',
    "\"'><svg onload=window.__x=3>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% now 'Y' %}",
    "%(name)s %s %d {0}",
    '=HYPERLINK("http://evil.example")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
]
NASTY_TEXT = [
    "",
    " ",
    "  \t \u00a0\u2003 ",
    "\x00",
    "voor\x00na",
    "regel één\r\nregel twee\rregel drie\n",
    "\u202eRTL-override\u202c",
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "e\u0301\u0301\u0301\u0301\u0301",
    "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466\U0001f600",
    "\ufeffBOM vooraan",
    "zero\u200bwidth",
    "\x1b[31mrood\x1b[0m\x07\x08\x0b\x0c\x7f",
    "\x85\u2028\u2029",
    "\ud800",
    "a\udfffb",
    "NaN",
    "-1",
    "+31 6 1234 5678",
    "\tTab vooraan",
    "\\",
    "../../etc/passwd",
    "' OR '1'='1' --",
    "None",
    *PAYLOADS,
]
HUGE_LENGTHS = [199, 200, 201, 299, 300, 301, 4999, 5000, 5001, 20_000]


def _any_character() -> st.SearchStrategy[str]:
    """Every code point, surrogates included."""
    return st.characters(exclude_categories=())


def texts(*, max_size: int = 40) -> st.SearchStrategy[str]:
    """Free text as a client may send it (often valid, often not)."""
    huge = st.builds(
        lambda unit, length: (unit * length)[:length],
        st.sampled_from(["a", "é", "\U0001f600", "e\u0301", " ", "<b>", "\x00"]),
        st.sampled_from(HUGE_LENGTHS),
    )
    return st.one_of(
        st.sampled_from(NASTY_TEXT),
        st.text(_any_character(), max_size=max_size),
        st.builds(
            lambda a, b: a + b, st.sampled_from(NASTY_TEXT), st.text(_any_character(), max_size=8)
        ),
        huge,
        st.text(st.sampled_from("abc de\u00ebf"), min_size=1, max_size=max_size),
    )


def numbers(*valid: str) -> st.SearchStrategy[str]:
    """Numbers as text: the given valid ones, limits, non-finite and malformed ones."""
    edge = [
        "",
        "0",
        "-0",
        "-1",
        "1e30",
        "-1e30",
        "1e-30",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "inf",
        "0.0000000001",
        "12.345678901234567890",
        "99999999999999",
        "999999999999999999999999999999",
        "32767",
        "32768",
        "65536",
        "2147483648",
        "9223372036854775808",
        "-9223372036854775809",
        "5,5",
        "1.000,50",
        " 7 ",
        "0x10",
        "1_000",
        "\u0663",
        "\uff15",
        "1e",
        "--1",
        "\x00",
    ]
    return st.one_of(
        st.sampled_from([*valid, *edge]),
        st.integers().map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
        st.floats().map(repr),
    )


def dates(*valid: str) -> st.SearchStrategy[str]:
    """Dates as a date input sends them (ISO), and what it never sends."""
    edge = [
        "",
        "0001-01-01",
        "9999-12-31",
        "1900-01-01",
        "2100-01-01",
        "2026-02-29",
        "2028-02-29",
        "2026-02-30",
        "2026-13-01",
        "2026-00-10",
        "10000-01-01",
        "0000-00-00",
        "31-12-2026",
        "2026/12/31",
        "2026-1-1",
        "today",
        "\x00",
    ]
    return st.one_of(
        st.sampled_from([*valid, *edge]),
        st.dates().map(datetime.date.isoformat),
        st.text(st.sampled_from("0123456789-/ T:"), max_size=12),
    )


def choices(*valid: object) -> st.SearchStrategy[str]:
    """One of the valid choices, or a wrong one."""
    wrong = [
        "",
        "0",
        "-1",
        "999999999999999999999",
        "null",
        "true",
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
        "\x00",
        "<script>",
    ]
    return st.one_of(st.sampled_from([str(value) for value in valid]), st.sampled_from(wrong))


def field(values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    """A form field as sent: usually once, sometimes missing or twice."""
    return st.one_of(values.map(lambda value: [value]), st.lists(values, max_size=2))


def form(
    valid: dict[str, str] | None = None, **fields: st.SearchStrategy[str]
) -> st.SearchStrategy[dict[str, list[str]]]:
    """A whole form: every field hostile, or (given ``valid``) a valid form with a few
    fields made hostile, so that acceptance and what follows it are tried as well."""
    everything = st.fixed_dictionaries({name: field(values) for name, values in fields.items()})
    if valid is None:
        return everything

    @st.composite
    def mostly_valid(draw) -> dict[str, list[str]]:
        data = {name: [value] for name, value in valid.items()}
        for name in draw(st.lists(st.sampled_from(sorted(fields)), max_size=3, unique=True)):
            data[name] = draw(field(fields[name]))
        return data

    return st.one_of(mostly_valid(), everything)


# --- Sending -------------------------------------------------------------------------------


def _wire(value: str) -> str:
    """Percent-encode like a client: lone surrogates go out as (invalid) UTF-8 bytes."""
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(value.encode("utf-8", "surrogatepass"))


def post(
    client: Client, url: str, data: dict[str, list[str] | str], *, htmx: bool = False
) -> HttpResponse:
    """POST ``data`` form-encoded, every value exactly as given."""
    pairs = []
    for name, values in data.items():
        for value in [values] if isinstance(values, str) else values:
            pairs.append(f"{_wire(name)}={_wire(value)}")
    headers = {"HX-Request": "true"} if htmx else {}
    with forms_validated() as validated:
        response = client.generic(
            "POST",
            url,
            "&".join(pairs).encode("ascii"),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )
    response.validated_forms = validated
    return response


def get(client: Client, url: str, data: dict[str, list[str]]) -> HttpResponse:
    """GET with ``data`` in the query string, every value exactly as given."""
    query = "&".join(
        f"{_wire(name)}={_wire(value)}" for name, values in data.items() for value in values
    )
    with forms_validated() as validated:
        response = client.get(f"{url}?{query}")
    response.validated_forms = validated
    return response


def one(data: dict[str, list[str]], name: str) -> str | None:
    """The value a form reads for ``name`` (the last one sent), or None when missing."""
    values = data.get(name) or []
    return values[-1] if values else None


def as_sent(value: str | None) -> str | None:
    """The text the server receives: invalid UTF-8 becomes U+FFFD, as Django decodes it."""
    if value is None:
        return None
    return value.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


# --- Checks --------------------------------------------------------------------------------

OUR_APPS = ("people", "goals", "plans", "conversations", "dashboards")


def our_models() -> list[type[Model]]:
    """Our models with a table of their own (a proxy, ``Notification``, shares one)."""
    return [
        model
        for label in OUR_APPS
        for model in apps.get_app_config(label).get_models()
        if not model._meta.proxy
    ]


# Table and column names come from our own models' metadata, quoted.
_TABLE_HASH = (
    "SELECT %s, md5(coalesce(string_agg(t::text, '|' ORDER BY t.{pk}), '')) FROM {table} t"
)


def db_state(models: Iterable[type[Model]] | None = None) -> dict[str, object]:
    """Every row of our tables (or of ``models``): compare before and after a rejection.

    On PostgreSQL one query hashes each table's rows (every column); elsewhere the rows
    themselves are read.
    """
    models = our_models() if models is None else list(models)
    if connection.vendor != "postgresql":
        return {model._meta.label: list(model.objects.order_by("pk").values()) for model in models}
    quote = connection.ops.quote_name
    sql = " UNION ALL ".join(
        _TABLE_HASH.format(pk=quote(model._meta.pk.column), table=quote(model._meta.db_table))
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [model._meta.label for model in models])
        return dict(cursor.fetchall())


class _Rollback(Exception):
    pass


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """Run one example in a savepoint that is always rolled back: examples stay apart."""
    try:
        with transaction.atomic():
            yield
            raise _Rollback
    except _Rollback:
        pass


_PLACEHOLDER = re.compile(r"%\\\((\w+)\\\)[sdfr]|%[sdfr]|\\\{\w*\\\}")


def _dutch_catalogues() -> list[Path]:
    """Every Dutch ``django.po`` Django reads: ours, the installed apps' and Django's."""
    folders = [
        *(Path(folder) for folder in settings.LOCALE_PATHS),
        *(Path(app.path) / "locale" for app in apps.get_app_configs()),
        Path(django.__file__).parent / "conf" / "locale",
    ]
    files = [folder / "nl" / "LC_MESSAGES" / "django.po" for folder in folders]
    return [file for file in files if file.is_file()]


@functools.cache
def _catalogue(language: str) -> tuple[frozenset[str], tuple[re.Pattern, ...]]:
    """The messages of ``language`` as exact strings and, with placeholders, patterns.

    Only messages whose Dutch differs from the English count: the rest proves nothing.
    """
    texts: set[str] = set()
    for file in _dutch_catalogues():
        for entry in polib.pofile(str(file)).translated_entries():
            english = [entry.msgid, entry.msgid_plural]
            dutch = [entry.msgstr, *entry.msgstr_plural.values()]
            if set(dutch) - {""} == set(english) - {""}:
                continue
            texts.update(text for text in (dutch if language == "nl" else english) if text)
    exact = frozenset(text.replace("%%", "%") for text in texts)
    patterns = tuple(
        re.compile(_PLACEHOLDER.sub(".*?", re.escape(text)).replace("%%", "%"), re.S)
        for text in texts
        if "%" in text or "{" in text
    )
    return exact, patterns


def in_language(message: str, language: str = "nl") -> bool:
    """Whether ``message`` is one of the product's (or Django's) messages in ``language``."""
    exact, patterns = _catalogue(language)
    message = str(message).strip()
    return message in exact or any(pattern.fullmatch(message) for pattern in patterns)


@contextlib.contextmanager
def forms_validated() -> Iterator[list[BaseForm]]:
    """Every form validated meanwhile (templates partials do not expose their context)."""
    seen: list[BaseForm] = []
    original = BaseForm.full_clean

    def full_clean(form: BaseForm) -> None:
        original(form)
        seen.append(form)

    with mock.patch.object(BaseForm, "full_clean", full_clean):
        yield seen


def form_errors(response: HttpResponse) -> list[str]:
    """Every error message of the forms the request validated, in the response's
    language (Django's own messages are translated when they are shown)."""
    with translation.override(response.get("Content-Language") or "nl"):
        return [
            str(message)
            for form in getattr(response, "validated_forms", [])
            for messages in form.errors.values()
            for message in messages
        ]


class _Alerts(HTMLParser):
    """The text of every element with ``role="alert"`` or ``role="status"``, and of what
    an htmx answer puts into the page's live region (``#live-status``, a status region:
    templates/_live_status.html)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open: list[list[str]] = []
        self._depth: list[int] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = dict(attrs)
        if attributes.get("role") in ("alert", "status") or attributes.get("id") == "live-status":
            self._open.append([])
            self._depth.append(0)
        if self._depth and tag not in VOID:
            self._depth[-1] += 1

    def handle_endtag(self, tag: str) -> None:
        if not self._depth:
            return
        self._depth[-1] -= 1
        if self._depth[-1] == 0:
            self._depth.pop()
            text = " ".join("".join(self._open.pop()).split())
            if text:
                self.found.append(text)

    def handle_data(self, data: str) -> None:
        for part in self._open:
            part.append(data)


VOID = {"br", "hr", "img", "input", "link", "meta", "source", "wbr"}


def alerts(response: HttpResponse) -> list[str]:
    """What the page announces (``role="alert"``/``"status"``, the live region), as plain
    text."""
    parser = _Alerts()
    parser.feed(response.content.decode())
    return parser.found


def page_messages(response: HttpResponse, level: str | None = None) -> list[str]:
    """The messages (django.contrib.messages) shown on the page."""
    if not response.context or "messages" not in response.context:
        return []
    return [
        str(message)
        for message in response.context["messages"]
        if level is None or message.level_tag == level
    ]


def assert_shown(response: HttpResponse, messages: list[str], language: str = "nl") -> None:
    """A rejection: at least one message, each in the user's language and on the page."""
    assert messages, "rejected without saying why"
    page = response.content.decode()
    for message in messages:
        assert in_language(message, language), f"not a {language} message: {message!r}"
        assert html.escape(message) in page or message in page, f"not shown: {message!r}"


def assert_rejected(response: HttpResponse, before: dict, language: str = "nl") -> None:
    """A rejected form: shown again (200), nothing stored, every error on the page."""
    assert response.status_code == 200
    assert db_state() == before
    assert_shown(response, form_errors(response), language)


def assert_refused(response: HttpResponse, status: int, language: str = "nl") -> None:
    """A refusal of a tampered choice or id (403, 404): its page says so."""
    assert response.status_code == status
    assert_shown(response, alerts(response), language)


def normalised(value: str | None) -> str:
    """What a Django ``CharField`` keeps of sent text: decoded, then stripped."""
    return (as_sent(value) or "").strip()


def decimal_or_none(value: object) -> Decimal | None:
    return None if value is None else Decimal(value)
