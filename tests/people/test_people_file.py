"""The people file on HR's upload page: CSV (comma or semicolon; UTF-8 with or without BOM,
or Windows-1252) and XLSX; a preview of what changes; every bad row on its line; nothing
applied until HR confirms, then all of it in one transaction."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from people.imports import MAX_ROWS, plan_import
from people.models import Invitation, OrgUnit, PeopleImport, User
from tests.hostile import db_state

pytestmark = pytest.mark.django_db

HEADER = "email;name;job_title;unit;manager_email;start_date;end_date;language;is_hr"
GOOD = (
    f"{HEADER}\n"
    "an.dekker@zorg.test;An Dekker;Teamleider;Zorg/Team Oost;;01-03-2027;;nl;nee\n"
    "bram.peters@zorg.test;Bram Peters;Helpende;Zorg/Team Oost;an.dekker@zorg.test;;;en;nee\n"
    "employee@zorg.test;Sanne Jansen;Senior wijkverpleegkundige;Zorg/Wijkteam Noord;"
    "manager@zorg.test;;;;nee\n"
)


def _upload(client, content: bytes, name: str = "mensen.csv", **options):
    return client.post(
        reverse("people:people-import"),
        {"file": SimpleUploadedFile(name, content), **options},
        follow=True,
    )


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_preview_shows_additions_changes_and_new_units_and_changes_nothing(world, as_user):
    client = as_user(world.hr)
    before = db_state([User, OrgUnit])
    preview = _upload(client, GOOD.encode())
    page = preview.content.decode()
    plan = preview.context["plan"]
    assert [row.email for row in plan.additions] == ["an.dekker@zorg.test", "bram.peters@zorg.test"]
    (change,) = plan.changes
    assert change.person == world.employee
    assert ("job_title", "Wijkverpleegkundige", "Senior wijkverpleegkundige") in change.fields
    assert plan.new_units == ["Zorg/Team Oost"]
    assert "Functie: <del>Wijkverpleegkundige</del> → <ins>Senior wijkverpleegkundige</ins>" in page
    assert db_state([User, OrgUnit]) == before


def test_confirm_applies_everything_and_invites_the_new_people(
    world, as_user, django_capture_on_commit_callbacks
):
    client = as_user(world.hr)
    preview = _upload(client, GOOD.encode(), invite="on")
    fingerprint = preview.context["plan"].fingerprint
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(preview.request["PATH_INFO"], {"fingerprint": fingerprint}, follow=True)
    assert "2 toegevoegd, 1 gewijzigd, 0 op inactief gezet, 1 nieuwe afdelingen of teams" in (
        done.content.decode()
    )
    bram = User.objects.get(email="bram.peters@zorg.test")
    assert (bram.unit.name, bram.unit.parent, bram.line_manager.email, bram.language) == (
        "Team Oost",
        world.department,
        "an.dekker@zorg.test",
        "en",
    )
    assert str(User.objects.get(email="an.dekker@zorg.test").start_date) == "2027-03-01"
    world.employee.refresh_from_db()
    assert world.employee.job_title == "Senior wijkverpleegkundige"
    assert sorted(message.to[0] for message in mail.outbox) == [
        "an.dekker@zorg.test",
        "bram.peters@zorg.test",
    ]
    assert Invitation.objects.filter(person=world.employee).count() == 0
    pending = PeopleImport.objects.get()
    assert pending.applied_at is not None and bytes(pending.content) == b""
    # A second click applies nothing again.
    again = client.post(preview.request["PATH_INFO"], {"fingerprint": fingerprint})
    assert again.status_code == 404


def test_a_confirmation_of_an_outdated_preview_shows_the_new_one(world, as_user):
    client = as_user(world.hr)
    preview = _upload(client, GOOD.encode())
    fingerprint = preview.context["plan"].fingerprint
    world.employee.job_title = "Senior wijkverpleegkundige"
    world.employee.save()
    response = client.post(preview.request["PATH_INFO"], {"fingerprint": fingerprint})
    assert response.status_code == 200
    assert "De organisatie is veranderd sinds dit overzicht." in response.content.decode()
    assert not User.objects.filter(email="an.dekker@zorg.test").exists()


def test_bad_rows_are_listed_on_their_line_and_nothing_is_applied(world, as_user):
    client = as_user(world.hr)
    bad = (
        f"{HEADER}\n"
        "an.dekker@zorg.test;An Dekker;;Zorg/Team Oost;;;;;nee\n"  # line 2: fine
        "an.dekker@zorg.test;An Dubbel;;Zorg;;;;;nee\n"  # 3: twice
        f"{world.other_employee.email};Lotte;;Zorg;;;;;nee\n"  # 4: another organisation
        "eva@zorg.test;Eva;;Zorg;onbekend@zorg.test;;;;nee\n"  # 5: manager nowhere
        "fien@zorg.test;Fien;;Zorg;;31-02-2027;;;nee\n"  # 6: no such date
        "gijs@zorg.test;Gijs;;Zorg;;01-05-2027;01-04-2027;;nee\n"  # 7: ends before it starts
        "hans@zorg.test;Hans;;Zorg;ida@zorg.test;;;;nee\n"  # 8: a loop of managers
        "ida@zorg.test;Ida;;Zorg;hans@zorg.test;;;;nee\n"  # 9
        "jan@zorg.test;Jan;;Zorg;;;;fr;misschien\n"  # 10: language, HR flag
    )
    before = db_state([User, OrgUnit])
    response = _upload(client, bad.encode())
    errors = [(line, reason) for line, reason in response.context["plan"].errors]
    text = "\n".join(f"{line}: {reason}" for line, reason in errors)
    assert "3: an.dekker@zorg.test staat er twee keer in (ook op regel 2)." in text
    assert "6: '31-02-2027' is geen datum" in text
    assert "7: De datum uit dienst ligt vóór de datum in dienst." in text
    assert "10: 'fr' is geen taal die we aanbieden (gebruik nl of en)." in text
    assert "10: 'misschien' is geen geldige waarde voor HR (gebruik ja/nee)." in text
    assert not response.context["plan"].ok
    page = response.content.decode()
    assert "Regel 3</strong>: an.dekker@zorg.test staat er twee keer in" in page
    assert "Deze wijzigingen doorvoeren" not in page
    # The rest is checked once every row reads well.
    fixed = bad.replace("an.dekker@zorg.test;An Dubbel", "an.dubbel@zorg.test;An Dubbel")
    fixed = fixed.replace("31-02-2027", "28-02-2027").replace("01-04-2027", "01-06-2027")
    fixed = fixed.replace(";fr;misschien", ";en;ja")
    response = _upload(client, fixed.encode())
    text = "\n".join(f"{line}: {reason}" for line, reason in response.context["plan"].errors)
    assert f"4: {world.other_employee.email} hoort bij een andere organisatie." in text
    assert "5: Leidinggevende onbekend@zorg.test staat niet in dit bestand" in text
    assert "8: De keten van leidinggevenden van hans@zorg.test is rond." in text
    assert db_state([User, OrgUnit]) == before


def test_this_file_is_everyone_deactivates_the_others_but_not_the_uploader(world, as_user):
    client = as_user(world.hr)
    everyone = (
        f"email,name\n{world.employee.email},Sanne Jansen\n{world.manager.email},Jeroen de Vries\n"
    )
    preview = _upload(client, everyone.encode(), everyone="on")
    plan = preview.context["plan"]
    assert sorted(person.email for person in plan.deactivations) == [
        world.colleague.email,
        world.other_manager.email,
    ]
    client.post(preview.request["PATH_INFO"], {"fingerprint": plan.fingerprint})
    world.colleague.refresh_from_db()
    world.hr.refresh_from_db()
    assert not world.colleague.is_active and world.hr.is_active
    world.other_employee.refresh_from_db()
    assert world.other_employee.is_active


def test_excel_files_windows_1252_and_xlsx(world, as_user):
    client = as_user(world.hr)
    dutch_excel = "email;naam;afdeling\r\nrene@zorg.test;René Çelik;Zorg/Team Zuidoost\r\n"
    plan = _upload(client, dutch_excel.encode("cp1252")).context["plan"]
    assert plan.ok and plan.additions[0].name == "René Çelik"
    with_bom = "\ufeff" + dutch_excel
    assert (
        _upload(client, with_bom.encode("utf-8")).context["plan"].additions[0].name == "René Çelik"
    )
    workbook = _xlsx(
        [
            ["E-mail", "Naam", "Afdeling", "Startdatum", "HR"],
            ["xl@zorg.test", "Xander Lut", "Zorg/Team Oost", "15-01-2027", "ja"],
        ]
    )
    plan = _upload(client, workbook, name="mensen.xlsx").context["plan"]
    assert plan.ok, plan.errors
    (row,) = plan.additions
    assert (row.email, row.given["is_hr"], str(row.given["start_date"])) == (
        "xl@zorg.test",
        True,
        "2027-01-15",
    )


def test_what_is_not_a_people_file_is_refused_with_a_reason(world, as_user):
    client = as_user(world.hr)
    formula = _xlsx([["email", "name"], ["a@zorg.test", '=CONCAT("A";"n")']])
    cases = {
        "formule.xlsx": (formula, "Op deze regel staat een formule."),
        "plaatje.png": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Dit is geen CSV- of XLSX-bestand"),
        "kapot.xlsx": (b"PK\x03\x04 niet echt", "Dit is geen CSV- of XLSX-bestand"),
        "oud.xls": (b"\xd0\xcf\x11\xe0 een oude werkmap", "Dit is geen XLSX-werkmap."),
    }
    for name, (content, message) in cases.items():
        page = _upload(client, content, name=name).content.decode()
        assert message in page, name
    big = b"email,name\n" + b"x" * (5 * 1024 * 1024)
    response = _upload(client, big)
    assert "Het bestand is groter dan 5 MB." in response.content.decode()
    assert not PeopleImport.objects.filter(
        filename="mensen.csv", content__startswith=b"email,name\nxx"
    ).exists()


def test_more_than_20000_rows_are_refused(world):
    rows = "".join(f"p{number}@zorg.test,P {number}\n" for number in range(MAX_ROWS + 1))
    plan = plan_import(organisation=world.organisation, content=f"email,name\n{rows}".encode())
    assert plan.errors == [(1, "Het bestand bevat meer dan 20.000 mensen. Importeer het in delen.")]
