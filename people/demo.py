"""Demo organisation: departments and teams, people with managers, fixed demo accounts.

Idempotent: people are found by e-mail address and units by name, so running it again
changes nothing. Names come from a seeded Faker, so the same run makes the same people.
Large organisations (``--people 10000``) are created with bulk inserts.
"""

from __future__ import annotations

import datetime
import math
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils.text import slugify
from faker import Faker

from .models import Organisation, OrgUnit, User
from .versions import Part, versions_raise

DEMO_PASSWORD = "pop-demo-2026"  # noqa: S105 - documented demo password
ORGANISATION_NAME = "Zorggroep Rivierenland"
HR_EMAIL = "hr@example.com"
MANAGER_EMAIL = "manager@example.com"
EMPLOYEE_EMAIL = "employee@example.com"
ADMIN_EMAIL = "admin@example.com"

# Department -> its teams, with the job titles that fit them.
STRUCTURE: dict[str, list[tuple[str, list[str]]]] = {
    "Zorg": [
        ("Wijkteam Noord", ["Wijkverpleegkundige", "Verzorgende IG", "Helpende Plus"]),
        ("Wijkteam Zuid", ["Wijkverpleegkundige", "Verzorgende IG", "Helpende Plus"]),
        ("Team Dagbesteding", ["Begeleider dagbesteding", "Activiteitenbegeleider"]),
        ("Team Thuiszorg", ["Verzorgende IG", "Thuiszorgmedewerker"]),
    ],
    "Bedrijfsvoering": [
        ("Team ICT", ["Applicatiebeheerder", "Servicedeskmedewerker", "Informatieanalist"]),
        ("Team Financiën", ["Financieel adviseur", "Medewerker crediteuren"]),
        ("Team Facilitair", ["Facilitair medewerker", "Roosteraar"]),
    ],
    "HR & Ontwikkeling": [
        ("Team HR-advies", ["HR-adviseur", "Salarisadministrateur"]),
        ("Team Leren & Ontwikkelen", ["Opleidingsadviseur", "Praktijkopleider"]),
    ],
    "Kwaliteit & Innovatie": [
        ("Team Kwaliteit", ["Kwaliteitsadviseur", "Beleidsmedewerker"]),
        ("Team Digitale Zorg", ["Innovatiemedewerker", "Projectleider e-health"]),
    ],
}
REGIONS = ["Noord", "Zuid", "Oost", "West", "Centrum", "Betuwe", "Maasland", "Waal"]


@dataclass
class PeopleSeedResult:
    organisation: Organisation
    created: int
    total: int


def _email_for(name: str, index: int) -> str:
    return f"{slugify(name).replace('-', '.')}.{index}@example.com"


def _team_plan(size: int) -> list[tuple[str, str, list[str]]]:
    """(department, team, job titles); more teams per department for large organisations."""
    teams = [(dept, team, titles) for dept, items in STRUCTURE.items() for team, titles in items]
    wanted = max(len(teams), math.ceil(size / 10))
    extra = 0
    while len(teams) < wanted:
        dept, team, titles = teams[extra % 11]
        region = REGIONS[(extra // 11) % len(REGIONS)]
        teams.append((dept, f"{team} {region} {extra // (11 * len(REGIONS)) + 2}", titles))
        extra += 1
    return teams


@transaction.atomic
def seed_people(*, people: int = 80) -> PeopleSeedResult:
    """Build the demo organisation with at least ``people`` people; returns what it made."""
    fake = Faker("nl_NL")
    fake.seed_instance(2026)
    rng = random.Random(2026)
    password = make_password(DEMO_PASSWORD)
    today = datetime.date.today()

    organisation, _ = Organisation.objects.get_or_create(name=ORGANISATION_NAME)
    units = {(u.parent_id, u.name): u for u in OrgUnit.objects.filter(organisation=organisation)}

    def unit(name: str, parent: OrgUnit | None, kind: str) -> OrgUnit:
        key = (parent.pk if parent else None, name)
        if key not in units:
            units[key] = OrgUnit.objects.create(
                organisation=organisation, parent=parent, name=name, kind=kind
            )
        return units[key]

    root = unit("Directie", None, OrgUnit.Kind.DEPARTMENT)
    departments = {name: unit(name, root, OrgUnit.Kind.DEPARTMENT) for name in STRUCTURE}
    teams = [
        (departments[dept], unit(team, departments[dept], OrgUnit.Kind.TEAM), titles)
        for dept, team, titles in _team_plan(people)
    ]
    team_by_name = {team.name: team for _dept, team, _titles in teams}

    existing = {user.email: user for user in User.objects.filter(organisation=organisation)}
    pending: list[User] = []
    created = 0

    def person(email: str, name: str, **fields: object) -> User:
        if email in existing:
            return existing[email]
        user = User(
            email=email,
            full_name=name,
            organisation=organisation,
            password=password,
            language="nl",
            start_date=today - datetime.timedelta(days=rng.randint(120, 365 * 15)),
            **fields,
        )
        existing[email] = user
        pending.append(user)
        return user

    def flush() -> None:
        nonlocal created
        User.objects.bulk_create(pending)
        versions_raise(organisation_ids=[organisation.pk], part=Part.UNITS)
        created += len(pending)
        pending.clear()

    # Managers before their reports, so every line manager has a primary key.
    director = person(
        "directeur@example.com", "Marieke van den Berg", unit=root, job_title="Directeur-bestuurder"
    )
    flush()
    heads = {}
    for name, dept in departments.items():
        full_name = fake.name()
        heads[name] = person(
            _email_for(full_name, 0),
            full_name,
            unit=dept,
            job_title=f"Afdelingshoofd {name}",
            line_manager=director,
        )
    flush()
    person(
        HR_EMAIL,
        "Fatima el Amrani",
        unit=team_by_name["Team HR-advies"],
        is_hr=True,
        job_title="HR-adviseur",
        line_manager=heads["HR & Ontwikkeling"],
    )
    manager = person(
        MANAGER_EMAIL,
        "Jeroen de Vries",
        unit=team_by_name["Wijkteam Noord"],
        job_title="Teamleider",
        line_manager=heads["Zorg"],
    )
    leads: dict[int, User] = {team_by_name["Wijkteam Noord"].pk: manager}
    for index, (dept, team, _titles) in enumerate(teams, start=1):
        if team.pk not in leads:
            full_name = fake.name()
            leads[team.pk] = person(
                _email_for(full_name, index),
                full_name,
                unit=team,
                job_title="Teamleider",
                line_manager=heads[dept.name],
            )
    flush()
    person(
        EMPLOYEE_EMAIL,
        "Sanne Jansen",
        unit=team_by_name["Wijkteam Noord"],
        job_title="Wijkverpleegkundige",
        line_manager=manager,
    )

    # Team members, round the teams, until the organisation has the requested size.
    index = len(teams) + 1
    while len(existing) < people:
        _dept, team, titles = teams[index % len(teams)]
        full_name = fake.name()
        person(
            _email_for(full_name, index),
            full_name,
            unit=team,
            job_title=rng.choice(titles),
            line_manager=leads[team.pk],
        )
        index += 1
        if len(pending) >= 2000:
            flush()
    flush()

    if not User.objects.filter(email=ADMIN_EMAIL).exists():
        User.objects.create_superuser(
            email=ADMIN_EMAIL, password=DEMO_PASSWORD, full_name="Beheerder POP Platform"
        )

    # Units know their managers.
    managers = {root.pk: director}
    managers.update({dept.pk: heads[name] for name, dept in departments.items()})
    managers.update(leads)
    changed = []
    for unit_obj in [root, *departments.values(), *(team for _d, team, _t in teams)]:
        if unit_obj.manager_id != managers[unit_obj.pk].pk:
            unit_obj.manager = managers[unit_obj.pk]
            changed.append(unit_obj)
    OrgUnit.objects.bulk_update(changed, ["manager"], batch_size=1000)
    versions_raise(organisation_ids=[organisation.pk], part=Part.UNITS)

    return PeopleSeedResult(organisation=organisation, created=created, total=len(existing))
