"""Hostile input on sign-in, password reset, the language switch, the organisation's
settings and the people import (service and command).

Properties (issue 8): no server error; a rejection shows a clear Dutch message next to
the field or at the top (the import: per line), and changes nothing; an acceptance stores
the normalised input.
"""

from __future__ import annotations

import csv
import io
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from people.forms import OrganisationPolicyForm
from people.imports import apply_import, plan_import
from people.models import Organisation, OutgoingMessage, User
from people.selectors import unit_paths
from tests.factories import NotificationFactory
from tests.hostile import (
    as_sent,
    assert_rejected,
    assert_shown,
    choices,
    db_state,
    form,
    form_errors,
    in_language,
    numbers,
    one,
    our_models,
    post,
    rolled_back,
    texts,
)

EMAILS = ["employee@zorg.test", "EMPLOYEE@ZORG.TEST", " employee@zorg.test ", "niemand@zorg.test"]


def emails() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(EMAILS), st.emails(), texts())


def test_sign_in(world, client, password):
    url = reverse("login")

    @given(
        data=form(
            {"username": world.employee.email, "password": password},
            username=emails(),
            password=st.one_of(st.just(password), texts()),
            next=st.sampled_from(["/goals/", "https://evil.example/", "//evil.example", "/\x00"]),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state([Organisation])
            response = post(client, url, data)
            assert db_state([Organisation]) == before
            if "_auth_user_id" in client.session:
                assert response.status_code == 302
                assert urlsplit(response.url).netloc == ""  # never to another site
                assert as_sent(one(data, "username")).strip().lower() == world.employee.email
                client.logout()
                return
            assert response.status_code in (200, 429)
            if response.status_code == 200:
                assert_shown(response, form_errors(response))

    check()


def test_password_reset_request(world, client):
    url = reverse("password_reset")

    others = [model for model in our_models() if model is not OutgoingMessage]

    @given(data=form({"email": world.employee.email}, email=emails()))
    def check(data):
        with rolled_back():
            before = db_state(others)
            response = post(client, url, data)
            assert db_state(others) == before
            queued = [m.recipient for m in OutgoingMessage.objects.filter(kind="password_reset")]
            if response.status_code == 302:
                # Queued at most once, only to the address on the account, never the input.
                assert queued in ([], [world.employee])
                return
            assert response.status_code == 200
            assert queued == []
            assert_shown(response, form_errors(response))

    check()


def test_password_reset_new_password(world, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": world.employee.email})
    link = re.search(r"(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # the token moves into the session
    password = st.one_of(texts(), st.just("een-nieuw-sterk-wachtwoord-42"))

    @given(new_password1=password, new_password2=password, same=st.booleans())
    def check(new_password1, new_password2, same):
        data = {
            "new_password1": [new_password1],
            "new_password2": [new_password1 if same else new_password2],
        }
        with rolled_back():
            before = db_state()
            response = post(client, form_url, data)
            world.employee.refresh_from_db()
            if response.status_code == 302:
                assert world.employee.check_password(as_sent(new_password1))
                return
            assert_rejected(response, before)

    check()


def test_language_switch(world, as_user, client):
    clients = {"signed in": as_user(world.employee), "anonymous": client}
    url = reverse("people:set-language")

    @given(
        who=st.sampled_from(sorted(clients)),
        data=form(
            {"language": "en", "next": "/goals/"},
            language=choices("nl", "en", "de", "EN", "en-us"),
            next=st.one_of(
                st.sampled_from(
                    ["/goals/", "https://evil.example/", "//evil.example/x", "/\r\nX: y"]
                ),
                texts(),
            ),
        ),
    )
    def check(who, data):
        with rolled_back():
            response = post(clients[who], url, data)
            assert response.status_code == 302
            target = urlsplit(response.url)
            assert target.scheme == "" and target.netloc == ""
            assert "\n" not in response["Location"] and "\r" not in response["Location"]
            cookie = response.cookies.get(settings.LANGUAGE_COOKIE_NAME)
            language = as_sent(one(data, "language"))
            if language in ("nl", "en"):
                assert cookie.value == language
            else:
                assert cookie is None
            if who == "signed in":
                world.employee.refresh_from_db()
                assert world.employee.language == (language if language in ("nl", "en") else "nl")

    check()


def test_organisation_settings(world, as_user):
    client = as_user(world.hr)
    url = reverse("people:organisation-settings")
    valid = {
        "default_language": "nl",
        "timezone": "Europe/Amsterdam",
        "checkin_cadence_weeks": "6",
        "conversation_interval_months": "12",
        "start_conversation_within_weeks": "4",
        "reminder_lead_days": "3",
        "goal_behind_margin": "0.10",
        "goal_at_risk_margin": "0.25",
        "default_yearly_budget": "1500.00",
        "min_group_size": "5",
        "retention_months": "24",
    }
    small = numbers("1", "6", "12", "52", "53", "0")
    fields = {
        "default_language": choices("nl", "en"),
        "timezone": choices("Europe/Amsterdam", "Europe/Brussels", "UTC", "Mars/Olympus"),
        "checkin_cadence_weeks": small,
        "conversation_interval_months": small,
        "start_conversation_within_weeks": small,
        "reminder_lead_days": small,
        "goal_behind_margin": numbers("0.10", "0.30", "1", "1.01"),
        "goal_at_risk_margin": numbers("0.25", "0.05", "1"),
        "default_yearly_budget": numbers("1500", "0", "99999999.99", "100000000"),
        "min_group_size": small,
        "retention_months": numbers("24", "120", "121"),
    }

    @given(data=form(valid, **fields))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                organisation = Organisation.objects.get(pk=world.organisation.pk)
                sent = {name: as_sent(one(data, name)) for name in data}
                expected = OrganisationPolicyForm(sent, instance=organisation)
                assert expected.is_valid(), expected.errors
                for name, value in expected.cleaned_data.items():
                    assert getattr(organisation, name) == value, name
                assert organisation.name == world.organisation.name
                return
            assert_rejected(response, before)

    check()


def test_notifications_read_whatever_else_is_sent(world, as_user):
    client = as_user(world.employee)
    notification = NotificationFactory(recipient=world.employee, title="Nieuw")
    urls = {
        "one": reverse("people:notification-read", args=[notification.uuid]),
        "all": reverse("people:notifications-read-all"),
    }

    @given(which=st.sampled_from(sorted(urls)), data=form(next=texts(), link=texts()))
    def check(which, data):
        with rolled_back():
            response = post(client, urls[which], data)
            assert response.status_code == 302
            assert urlsplit(response.url).netloc == ""
            notification.refresh_from_db()
            assert notification.read_at is not None

    check()


# --- The people import ---------------------------------------------------------------------

HEADER = ["email", "name", "unit", "manager_email", "is_hr"]


def _rows():
    person = st.fixed_dictionaries(
        {
            "email": st.one_of(
                st.sampled_from(
                    ["an@zorg.test", "bo@zorg.test", "AN@ZORG.TEST", "employee@zorg.test"]
                ),
                st.emails(),
                texts(max_size=10),
            ),
            "name": st.one_of(st.sampled_from(["An de Vries", "Bo Çelik"]), texts()),
            "unit": st.one_of(
                st.sampled_from(
                    ["Zorg/Wijkteam Noord", "Zorg/Team Oost", "HR", "zorg/ wijkteam noord /", "/"]
                ),
                texts(),
            ),
            "manager_email": st.one_of(
                st.sampled_from(["", "an@zorg.test", "manager@zorg.test", "hr@elders.test"]),
                texts(max_size=10),
            ),
            "is_hr": st.one_of(
                st.sampled_from(["ja", "nee", "", "X", "waar", "misschien"]), texts(max_size=5)
            ),
        }
    )
    return st.lists(person, max_size=6)


def _csv(rows: list[dict], delimiter: str, quoting: int) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row[name] for name in HEADER])
    return out.getvalue()


CORRUPTIONS = {
    "bom": lambda text: "\ufeff" + text,
    "two boms": lambda text: "\ufeff\ufeff" + text,
    "stray quote": lambda text: text.replace(",", ',"', 1),
    "mixed separators": lambda text: text.replace(",", ";", 3),
    "short row": lambda text: text + "alleen@een.test\r\n",
    "long row": lambda text: text + "x@y.test,X,Zorg,,nee,extra,meer\r\n",
    "no header": lambda text: text.split("\r\n", 1)[-1],
    "header only": lambda text: text.split("\r\n", 1)[0],
    "upper header": lambda text: text.replace("email", "EMAIL ", 1),
    "very long line": lambda text: text + "z@z.test," + "N" * 200_000 + ",Zorg,,nee\r\n",
    "nul": lambda text: text.replace("a", "a\x00", 1),
    "bare cr": lambda text: text.replace("\r\n", "\r"),
    "blank lines": lambda text: text.replace("\r\n", "\r\n\r\n"),
    "tabs": lambda text: text.replace(",", "\t"),
}


def _stored(organisation: Organisation) -> dict[str, tuple[str, str, str | None, bool]]:
    paths = unit_paths(organisation_id=organisation.pk)
    return {
        person.email: (
            person.full_name,
            paths.get(person.unit_id, ""),
            person.line_manager.email if person.line_manager else None,
            person.is_hr,
        )
        for person in User.objects.filter(organisation=organisation).select_related("line_manager")
    }


def people_import(*, organisation, text: str, actor):
    """The upload page's and the command's path: plan, and apply when there is no problem."""
    plan = plan_import(organisation=organisation, content=text.encode(), keep=actor)
    if plan.ok:
        apply_import(plan=plan, actor=actor)
    return plan


def _assert_errors_are_dutch_lines(result) -> None:
    for line, reason in result.errors:
        assert isinstance(line, int) and line >= 1
        assert in_language(reason), reason


def test_people_import_service(world):
    organisation = world.organisation

    @given(
        rows=_rows(),
        delimiter=st.sampled_from([",", ";"]),
        quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
        corruption=st.one_of(st.none(), st.sampled_from(sorted(CORRUPTIONS))),
    )
    def check(rows, delimiter, quoting, corruption):
        text = _csv(rows, delimiter, quoting)
        if corruption is not None:
            text = CORRUPTIONS[corruption](text)
        text = as_sent(text)
        with rolled_back():
            before = db_state()
            result = people_import(organisation=organisation, text=text, actor=world.hr)
            if not result.ok:
                _assert_errors_are_dutch_lines(result)
                assert db_state() == before
                return
            stored = _stored(organisation)
            if corruption is None:
                for row in rows:
                    email = row["email"].strip().lower()
                    name, path, manager, is_hr = stored[email]
                    assert name == row["name"].strip()
                    parts = [part.strip() for part in row["unit"].split("/") if part.strip()]
                    assert path.lower() == "/".join(parts).lower()
                    assert manager == (row["manager_email"].strip().lower() or None)
                    assert is_hr == (
                        row["is_hr"].strip().lower()
                        in {"1", "true", "yes", "ja", "j", "y", "x", "waar"}
                    )

    check()


def test_import_people_command(world, tmp_path):
    good = _csv(
        [
            {
                "email": "an@zorg.test",
                "name": "An",
                "unit": "Zorg",
                "manager_email": "",
                "is_hr": "nee",
            }
        ],
        ",",
        csv.QUOTE_MINIMAL,
    ).encode()

    @given(
        content=st.one_of(
            st.sampled_from(
                [
                    b"",
                    b"\xef\xbb\xbf" + good,
                    b"\xff\xfe" + good,
                    good.replace(b"An", b"\xc3\x28"),
                    good.replace(b"An", b"\xed\xa0\x80"),
                    good.decode().encode("utf-16"),
                    good.decode().encode("latin-1"),
                    good.replace(b"An", "Ané".encode("cp1252")),
                    b"\x00" * 10,
                    good,
                ]
            ),
            st.binary(max_size=200),
            st.builds(lambda head, tail: head + tail, st.just(good), st.binary(max_size=50)),
        )
    )
    def check(content):
        path = tmp_path / "people.csv"
        path.write_bytes(content)
        out, err = StringIO(), StringIO()
        with rolled_back():
            before = db_state()
            try:
                call_command(
                    "import_people",
                    str(path),
                    organisation=world.organisation.name,
                    stdout=out,
                    stderr=err,
                )
            except CommandError as refused:
                assert db_state() == before
                assert in_language(str(refused)), str(refused)
                for line in err.getvalue().splitlines():
                    assert re.fullmatch(r"regel \d+: .+", line), line
                return
            assert "aangemaakt" in out.getvalue()

    check()


# --- Regressions found by the properties above --------------------------------------------


def test_language_switch_with_a_next_that_is_not_a_path_goes_home(client, db):
    """``redirect("0")`` looked "0" up as a view name: a 500."""
    for next_url in ("0", "home", "goals/", "dashboards:home"):
        response = client.post(reverse("people:set-language"), {"language": "en", "next": next_url})
        assert response.status_code == 302
        assert response.url == reverse("dashboards:home")


def test_language_switch_works_whatever_the_next_field_holds(client, db):
    """A NUL in ``next`` made the whole form invalid: no language change."""
    response = client.post(reverse("people:set-language"), {"language": "en", "next": "/\x00"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


def test_a_too_short_new_password_is_refused_in_dutch(
    world, client, django_capture_on_commit_callbacks
):
    """Django 5.2's reworded message has no Dutch translation upstream."""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": world.employee.email})
    link = re.search(r"(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    response = client.post(form_url, {"new_password1": "kort", "new_password2": "kort"})
    assert "Dit wachtwoord is te kort. Het moet minstens 8 tekens bevatten." in (
        response.content.decode()
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("nul@zorg.test,Nu\x00l,Zorg,,nee", "regel 2: De kolom name bevat een stuurteken"),
        # The row starts on line 2 (where Excel shows it), though it ends on line 3.
        ('lf@zorg.test,"Twee\nregels",Zorg,,nee', "regel 2: De kolom name bevat een stuurteken"),
        (f"lang@zorg.test,{'N' * 201},Zorg,,nee", "regel 2: De naam is langer dan 200 tekens."),
        (
            f"team@zorg.test,T,Zorg/{'T' * 201},,nee",
            "regel 2: De naam van een afdeling of team is langer dan 200 tekens.",
        ),
        (
            f"{'a' * 250}@zorg.test,A,Zorg,,nee",
            "regel 2: Het e-mailadres is langer dan 254 tekens.",
        ),
        (f"veld@zorg.test,{'N' * 200_000},Zorg,,nee", "regel 2: Deze regel is niet te lezen"),
    ],
)
def test_import_refuses_what_the_database_would_refuse(tmp_path, world, line, expected):
    """Each of these was an uncaught exception (PostgreSQL refuses a NUL and too long text;
    the csv module a field over 128 kB)."""
    path = tmp_path / "people.csv"
    path.write_text(f"email,name,unit,manager_email,is_hr\n{line}\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="er is niets geïmporteerd"):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    assert expected in err.getvalue()
    assert not User.objects.filter(email__endswith="@zorg.test", full_name__startswith="N").exists()


def test_import_reads_old_mac_line_endings(tmp_path, world):
    path = tmp_path / "people.csv"
    path.write_bytes(b"email,name,unit,manager_email,is_hr\ran@zorg.test,An,Zorg,,nee\r")
    call_command(
        "import_people", str(path), organisation=world.organisation.name, stdout=StringIO()
    )
    assert User.objects.get(email="an@zorg.test").full_name == "An"
