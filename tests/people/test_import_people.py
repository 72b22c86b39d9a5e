"""`manage.py import_people FILE.csv`: all rows or nothing, every bad row reported.

Commands speak the default language (Dutch), like the rest of the product.
"""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from people.models import OrgUnit, User

GOOD = """email,name,unit,manager_email,is_hr
an.dekker@zorg.test,An Dekker,Zorg/Team Oost,,nee
bram.peters@zorg.test,Bram Peters,Zorg/Team Oost,an.dekker@zorg.test,nee
chris.vos@zorg.test,Chris Vos,HR & Ontwikkeling,an.dekker@zorg.test,ja
"""


def _import(tmp_path, text, organisation):
    path = tmp_path / "people.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_people", str(path), organisation=organisation.name, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_good_file_creates_people_units_and_managers(tmp_path, world):
    out, _err = _import(tmp_path, GOOD, world.organisation)
    assert "3 aangemaakt, 0 bijgewerkt, 2 nieuwe afdelingen of teams" in out
    bram = User.objects.get(email="bram.peters@zorg.test")
    assert bram.organisation == world.organisation
    assert bram.line_manager.email == "an.dekker@zorg.test"
    assert bram.unit.name == "Team Oost"
    assert bram.unit.parent == world.department  # existing "Zorg" reused, not duplicated
    assert User.objects.get(email="chris.vos@zorg.test").is_hr
    assert not bram.has_usable_password()


def test_import_again_updates_instead_of_duplicating(tmp_path, world):
    _import(tmp_path, GOOD, world.organisation)
    changed = GOOD.replace("Bram Peters,Zorg/Team Oost", "Bram Peters-Jansen,Zorg/Wijkteam Noord")
    out, _err = _import(tmp_path, changed, world.organisation)
    # Only Bram changed: the other two rows are the same as what is stored.
    assert "0 aangemaakt, 1 bijgewerkt, 0 nieuwe afdelingen of teams" in out
    bram = User.objects.get(email="bram.peters@zorg.test")
    assert bram.full_name == "Bram Peters-Jansen"
    assert bram.unit == world.team


def test_semicolon_separated_excel_file_with_bom(tmp_path, world):
    text = "\ufeff" + GOOD.replace(",", ";")
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    call_command(
        "import_people", str(path), organisation=world.organisation.name, stdout=StringIO()
    )
    assert User.objects.filter(email="an.dekker@zorg.test").exists()


def test_bad_rows_are_all_reported_with_line_numbers_and_nothing_changes(tmp_path, world):
    people_before = User.objects.count()
    units_before = OrgUnit.objects.count()
    bad = GOOD + (
        "not-an-email,Iemand,Zorg/Team Oost,,nee\n"
        "dirk@zorg.test,,Zorg/Team Oost,,nee\n"
        "eva@zorg.test,Eva,Zorg/Team Oost,onbekend@zorg.test,misschien\n"
        "an.dekker@zorg.test,An Dubbel,Zorg,,nee\n"
        f"{world.other_employee.email},Lotte,Zorg,,nee\n"
    )
    path = tmp_path / "bad.csv"
    path.write_text(bad, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="er is niets geïmporteerd"):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    report = err.getvalue()
    assert "regel 5: 'not-an-email' is geen geldig e-mailadres." in report
    assert "regel 6: De naam is leeg." in report
    assert "regel 7: 'misschien' is geen geldige waarde voor HR (gebruik ja/nee)." in report
    assert "regel 8: an.dekker@zorg.test staat er twee keer in (ook op regel 2)." in report
    assert User.objects.count() == people_before
    assert OrgUnit.objects.count() == units_before


def test_unknown_manager_and_person_of_another_organisation_are_refused(tmp_path, world):
    text = (
        "email,name,unit,manager_email,is_hr\n"
        "eva@zorg.test,Eva,Zorg/Team Oost,onbekend@zorg.test,nee\n"
        f"{world.other_employee.email},Lotte,Zorg,,nee\n"
        f"fien@zorg.test,Fien,Zorg,{world.other_hr.email},nee\n"
    )
    path = tmp_path / "refs.csv"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    report = err.getvalue()
    assert (
        "regel 2: Leidinggevende onbekend@zorg.test staat niet in dit bestand en niet in de organisatie."
        in report
    )
    assert f"regel 3: {world.other_employee.email} hoort bij een andere organisatie." in report
    assert (
        f"regel 4: Leidinggevende {world.other_hr.email} hoort bij een andere organisatie."
        in report
    )
    world.other_employee.refresh_from_db()
    assert world.other_employee.full_name == "Lotte Mulder"
    assert not User.objects.filter(email="eva@zorg.test").exists()


def test_manager_loops_are_refused(tmp_path, world):
    text = (
        "email,name,unit,manager_email,is_hr\n"
        "a@zorg.test,A,Zorg,b@zorg.test,nee\n"
        "b@zorg.test,B,Zorg,a@zorg.test,nee\n"
    )
    path = tmp_path / "loop.csv"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    assert "regel 2: De keten van leidinggevenden van a@zorg.test is rond." in err.getvalue()


def test_missing_columns_are_reported(tmp_path, world):
    path = tmp_path / "cols.csv"
    path.write_text("email,unit\nx@zorg.test,Zorg\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    assert "regel 1: Ontbrekende kolommen: name." in err.getvalue()


def test_a_platform_staff_account_is_a_row_error_not_a_crash(tmp_path, world):
    """Issue 16, item 15: a row for a platform support account (no organisation) crashed
    the import with an IntegrityError traceback."""
    staff = User.objects.create_superuser(email="beheer@platform.test", password="x-Y-z-12345!")
    text = (
        "email,name,unit,manager_email,is_hr\n"
        f"{staff.email},Beheer,Zorg,,nee\n"
        f"gijs@zorg.test,Gijs,Zorg,{staff.email},nee\n"
    )
    path = tmp_path / "staff.csv"
    path.write_text(text, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 problemen gevonden; er is niets geïmporteerd\."):
        call_command(
            "import_people",
            str(path),
            organisation=world.organisation.name,
            stdout=StringIO(),
            stderr=err,
        )
    report = err.getvalue()
    assert f"regel 2: {staff.email} hoort bij een account van platformbeheer." in report
    assert (
        f"regel 3: Leidinggevende {staff.email} hoort bij een account van platformbeheer." in report
    )
    staff.refresh_from_db()
    assert (
        staff.organisation_id is None and not User.objects.filter(email="gijs@zorg.test").exists()
    )
