"""Hostile input on the roll-out's forms (issue 15) and on the people file's parser.

The properties of tests/hostile.py: no server error; a rejection shows a clear Dutch
message on the page and stores nothing; an acceptance stores the normalised input.
"""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook

from conversations.models import PreparationQuestion, UnitCadence
from people.imports import plan_import
from people.models import Invitation, OrgUnit, SignInSettings, User
from tests.hostile import (
    as_sent,
    assert_rejected,
    assert_shown,
    choices,
    dates,
    db_state,
    form,
    form_errors,
    get,
    in_language,
    normalised,
    numbers,
    one,
    post,
    rolled_back,
    texts,
)

EMAILS = st.one_of(
    st.sampled_from(["nieuw@zorg.test", " NIEUW@Zorg.test ", "employee@zorg.test", "@", ""]),
    st.emails(),
    texts(max_size=20),
)


def test_sign_in_email_step(world, client):
    @given(data=form(username=EMAILS, next=texts(max_size=20)))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, reverse("login"), data)
            assert db_state() == before
            assert response.status_code == 200
            if "password" not in response.content.decode():
                assert_shown(response, form_errors(response))

    check()


def test_person_form(world, as_user):
    client = as_user(world.hr)
    url = reverse("people:person-detail", args=[world.employee.uuid])
    valid = {
        "full_name": "Sanne Jansen",
        "email": world.employee.email,
        "job_title": "Wijkverpleegkundige",
        "unit": str(world.team.pk),
        "line_manager": world.manager.email,
        "language": "nl",
        "start_date": "2024-01-01",
        "end_date": "",
    }
    fields = {
        "full_name": texts(),
        "email": EMAILS,
        "job_title": texts(),
        "unit": choices(world.team.pk, world.department.pk, world.other_hr.unit_id),
        "line_manager": st.sampled_from(
            ["", world.manager.email, world.employee.email, world.other_hr.email, "x"]
        ),
        "is_hr": st.sampled_from(["", "on", "x"]),
        "language": choices("nl", "en"),
        "start_date": dates("2024-01-01"),
        "end_date": dates("", "2030-12-31", "2020-01-01"),
    }

    @given(data=form(valid, **fields))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                person = User.objects.get(pk=world.employee.pk)
                assert person.full_name == normalised(one(data, "full_name"))
                assert person.email == normalised(one(data, "email")).lower()
                assert person.organisation == world.organisation
                assert person.unit is None or person.unit.organisation == world.organisation
                return
            assert_rejected(response, before)

    check()


def test_person_add_form(world, as_user):
    client = as_user(world.hr)

    @given(
        data=form(
            {"full_name": "Nina Nieuw", "email": "nieuw@zorg.test", "language": "nl"},
            full_name=texts(),
            email=EMAILS,
            language=choices("nl", "en"),
            invite=st.sampled_from(["", "on"]),
            unit=choices("", world.team.pk, 0),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, reverse("people:person-add"), data)
            if response.status_code == 302:
                person = User.objects.get(email=normalised(one(data, "email")).lower())
                assert person.full_name == normalised(one(data, "full_name"))
                assert not person.has_usable_password()
                return
            assert_rejected(response, before)

    check()


def test_people_filter(world, as_user):
    client = as_user(world.hr)

    @given(
        data=form(
            q=texts(),
            unit=choices(world.team.pk, 0),
            role=choices("hr", "manager", "employee"),
            status=choices("inactive", "to_place", "all"),
            invitation=choices("never", "invited", "expired", "accepted"),
            page=numbers("1", "2"),
        )
    )
    def check(data):
        response = get(client, reverse("people:person-list"), data)
        assert response.status_code == 200

    check()


def test_unit_form(world, as_user):
    client = as_user(world.hr)
    url = reverse("people:unit-edit", args=[world.team.uuid])
    valid = {"name": "Wijkteam Noord", "kind": "team", "parent": str(world.department.pk)}

    @given(
        data=form(
            valid,
            name=texts(),
            kind=choices("team", "department"),
            parent=choices(world.department.pk, world.team.pk, world.other_team.pk, ""),
            manager=st.sampled_from(["", world.manager.email, world.other_hr.email, "geen"]),
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                unit = OrgUnit.objects.get(pk=world.team.pk)
                assert unit.name == normalised(one(data, "name"))
                assert unit.parent_id != unit.pk
                return
            assert_rejected(response, before)

    check()


def test_sign_in_settings_form(world, as_user):
    client = as_user(world.hr)
    url = reverse("people:sign-in-settings")
    valid = {
        "sso_enabled": "on",
        "issuer": "https://login.microsoftonline.com/tenant/v2.0",
        "client_id": "pop-platform",
        "client_secret": "geheim",
        "domains": "zorg.test",
        "passwords_allowed": "on",
        "two_factor": "optional",
    }

    @given(
        data=form(
            valid,
            sso_enabled=st.sampled_from(["", "on"]),
            provider_name=texts(),
            issuer=st.one_of(
                st.sampled_from(["http://evil.example/", "javascript:alert(1)", "ftp://x"]),
                texts(max_size=20),
            ),
            client_id=texts(),
            client_secret=texts(),
            domains=st.one_of(
                st.sampled_from(["zorg.test, ZORG.be", "elders.test", "a..b", "@zorg.test"]),
                texts(max_size=20),
            ),
            passwords_allowed=st.sampled_from(["", "on"]),
            two_factor=choices("optional", "hr", "everyone"),
        )
    )
    def check(data):
        SignInSettings.objects.get_or_create(organisation=world.other_organisation)
        world.other_organisation.sign_in_domains.get_or_create(domain="elders.test")
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                row = SignInSettings.objects.get(organisation=world.organisation)
                if row.sso_enabled:
                    assert row.sso_ready
                    assert row.issuer.startswith("https://")
                assert "elders.test" not in set(
                    world.organisation.sign_in_domains.values_list("domain", flat=True)
                )
                return
            assert_rejected(response, before)

    check()


def test_two_factor_code_on_the_profile(world, as_user):
    client = as_user(world.employee)

    @given(data=form({"action": "confirm"}, action=choices("confirm", "remove"), code=texts()))
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, reverse("people:two-factor"), data)
            assert response.status_code in (200, 302)
            assert db_state() == before  # a wrong code sets nothing up
            if response.status_code == 200 and one(data, "action") == "confirm":
                assert_shown(response, form_errors(response))

    check()


def test_invitation_password(world, client):
    invitation = Invitation.objects.create(person=world.colleague, expires_at="2100-01-01T00:00Z")
    from people.invitations import invitation_token

    url = reverse("invitation-accept", args=[invitation_token(invitation)])
    password = st.one_of(texts(), st.just("een-lang-sterk-wachtwoord-42"))

    @given(new_password1=password, new_password2=password, same=st.booleans())
    def check(new_password1, new_password2, same):
        data = {
            "new_password1": [new_password1],
            "new_password2": [new_password1 if same else new_password2],
        }
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                person = User.objects.get(pk=world.colleague.pk)
                assert person.check_password(as_sent(new_password1))
                return
            assert_rejected(response, before)

    check()


def test_preparation_question_forms(world, conversation, as_user):
    client = as_user(world.hr)
    question = PreparationQuestion.objects.filter(organisation=world.organisation).first()

    @given(
        which=st.sampled_from(["add", "edit"]),
        data=form(
            {"kind": "progress", "text_nl": "Waar ben je trots op?"},
            kind=choices("progress", "start", "check_in"),
            text_nl=texts(),
            text_en=texts(),
        ),
    )
    def check(which, data):
        url = (
            reverse("conversations:question-list")
            if which == "add"
            else reverse("conversations:question-edit", args=[question.uuid])
        )
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                text = normalised(one(data, "text_nl"))
                assert PreparationQuestion.objects.filter(
                    organisation=world.organisation, text_nl=text
                ).exists()
                return
            assert_rejected(response, before)

    check()


def test_unit_cadence_form(world, as_user):
    client = as_user(world.hr)
    url = reverse("conversations:cadence-edit", args=[world.team.uuid])
    small = numbers("", "1", "6", "52", "53", "0")

    @given(
        data=form(
            checkin_cadence_weeks=small,
            conversation_interval_months=small,
            start_conversation_within_weeks=small,
        )
    )
    def check(data):
        with rolled_back():
            before = db_state()
            response = post(client, url, data)
            if response.status_code == 302:
                cadence = UnitCadence.objects.filter(unit=world.team).first()
                if cadence is not None:
                    assert 1 <= (cadence.checkin_cadence_weeks or 1) <= 52
                return
            assert_rejected(response, before)

    check()


# --- The people file ----------------------------------------------------------------------

COLUMNS = [
    "email",
    "name",
    "job_title",
    "unit",
    "manager_email",
    "start_date",
    "end_date",
    "language",
    "is_hr",
]


def _people():
    cell = {
        "email": EMAILS,
        "name": st.one_of(st.sampled_from(["An de Vries", "Bo Çelik"]), texts()),
        "job_title": texts(max_size=10),
        "unit": st.one_of(st.sampled_from(["Zorg/Wijkteam Noord", "Zorg/Nieuw", "/", ""]), texts()),
        "manager_email": st.one_of(
            st.sampled_from(["", "manager@zorg.test", "hr@elders.test", "nieuw@zorg.test"]),
            texts(max_size=10),
        ),
        "start_date": dates("01-02-2027", ""),
        "end_date": dates("31-12-2027", ""),
        "language": st.sampled_from(["", "nl", "en", "Engels", "fr"]),
        "is_hr": st.sampled_from(["ja", "nee", "", "misschien"]),
    }
    return st.lists(st.fixed_dictionaries(cell), max_size=5)


def _file(rows, kind: str, delimiter: str) -> bytes:
    if kind == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.append(COLUMNS)
        for row in rows:
            sheet.append(
                [
                    "".join(char for char in row[name] if char.isprintable() and ord(char) < 0xD800)
                    for name in COLUMNS
                ]
            )
        out = io.BytesIO()
        workbook.save(out)
        return out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([row[name] for name in COLUMNS])
    encoding = "cp1252" if kind == "cp1252" else "utf-8"
    return as_sent(out.getvalue()).encode(encoding, "replace")


def test_people_file_parser(world):
    @given(
        rows=_people(),
        kind=st.sampled_from(["utf-8", "cp1252", "xlsx"]),
        delimiter=st.sampled_from([",", ";"]),
        garbage=st.one_of(st.none(), st.binary(max_size=40)),
        everyone=st.booleans(),
    )
    def check(rows, kind, delimiter, garbage, everyone):
        content = _file(rows, kind, delimiter)
        if garbage is not None:
            content = content[: len(content) // 2] + garbage
        with rolled_back():
            before = db_state()
            plan = plan_import(
                organisation=world.organisation,
                content=content,
                filename=f"mensen.{'xlsx' if kind == 'xlsx' else 'csv'}",
                everyone=everyone,
                keep=world.hr,
            )
            assert db_state() == before, "a preview writes nothing"
            for line, reason in plan.errors:
                assert isinstance(line, int) and line >= 1
                assert in_language(reason), reason
            if plan.ok:
                assert world.hr not in plan.deactivations
                emails = {row.email for row in plan.rows}
                assert all(email == email.strip().lower() for email in emails)

    check()


def test_upload_page_with_any_bytes(world, as_user):
    client = as_user(world.hr)

    @given(content=st.binary(max_size=300), name=st.sampled_from(["a.csv", "a.xlsx", "a", "a.png"]))
    def check(content, name):
        with rolled_back():
            response = client.post(
                reverse("people:people-import"),
                {"file": SimpleUploadedFile(name, content)},
                follow=True,
            )
            assert response.status_code == 200
            plan = response.context.get("plan")
            if plan is not None:
                for _line, reason in plan.errors:
                    assert in_language(reason), reason

    check()
