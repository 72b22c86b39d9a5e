"""Small groups on the HR dashboard: no figure, and no difference between figures, is about
1 to k - 1 people (docs/privacy.md, chapter 5); and nothing is hidden that cannot identify
anyone.

The organisation below is built to trip a dashboard up: one person without a unit (the
whole organisation minus the root unit is that one person), a team of two and one of three,
a department whose own members are few, team leads who sit in the team they lead (so a
unit and its lead's team differ by the lead alone), and plans, actions, goals and
conversations spread over two years. The test asks HR's CSV for every unit filter and
every period, works out from the organisation itself which people each printed row is
about, and checks every pair of figures against every other.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Conversation
from goals.models import Goal
from people.models import Organisation, OrgUnit, User
from plans.models import Competency, CompetencyGap, DevelopmentAction, DevelopmentPlan
from tests.factories import GoalFactory, OrgUnitFactory, UserFactory

K = 5
YEAR = datetime.date.today().year
CSV_URL = reverse("dashboards:alignment-csv")
NO_MEASURE = {"metric": "none", "start_value": None, "target_value": None, "current_value": None}


@dataclass
class Org:
    organisation: Organisation
    hr: User
    units: dict[str, OrgUnit]
    people: list[User] = field(default_factory=list)

    def ids(self, people) -> frozenset[int]:
        return frozenset(person.pk for person in people)

    def below(self, unit: OrgUnit) -> set[int]:
        found, stack = set(), [unit.pk]
        while stack:
            current = stack.pop()
            found.add(current)
            stack += [u.pk for u in self.units.values() if u.parent_id == current]
        return found

    def in_units(self, unit_ids: set[int]) -> frozenset[int]:
        return self.ids(p for p in self.people if p.unit_id in unit_ids)

    def managed_in(self, unit_ids: set[int]) -> frozenset[int]:
        units = {p.pk: p.unit_id for p in self.people}
        return self.ids(p for p in self.people if units.get(p.line_manager_id) in unit_ids)


def build() -> Org:
    organisation = Organisation.objects.create(name="Zorggroep Verschil", min_group_size=K)
    unit = {}

    def add_unit(name, parent=None):
        unit[name] = OrgUnitFactory(organisation=organisation, name=name, parent=parent)
        return unit[name]

    root = add_unit("Zorggroep")
    zorg = add_unit("Zorg", root)
    bv = add_unit("Bedrijfsvoering", root)
    for name in ("Wijkteam Noord", "Wijkteam Zuid", "Team Klein"):
        add_unit(name, zorg)
    for name in ("Team ICT", "Team Financiën"):
        add_unit(name, bv)
    org = Org(organisation=organisation, hr=None, units=unit)
    number = itertools.count(1)

    def person(where, manager=None, **extra):
        made = UserFactory(
            organisation=organisation,
            unit=unit[where] if where else None,
            line_manager=manager,
            full_name=f"Persoon {next(number):02d}",
            **extra,
        )
        org.people.append(made)
        return made

    director = person("Zorggroep")
    org.hr = person("Zorggroep", director, is_hr=True)
    person(None, director)  # the one person without a unit
    head_zorg = person("Zorg", director)
    person("Zorg", head_zorg)
    for team, size in (("Wijkteam Noord", 6), ("Wijkteam Zuid", 5), ("Team Klein", 1)):
        lead = person(team, head_zorg)
        for _ in range(size):
            person(team, lead)
    head_bv = person("Bedrijfsvoering", director)
    for team, size in (("Team ICT", 4), ("Team Financiën", 2)):
        lead = person(team, head_bv)
        for _ in range(size):
            person(team, lead)
    _fill(org)
    return org


def _fill(org: Org) -> None:
    """Plans, gaps, actions, goals and conversations, spread by a seeded die so that every
    figure differs from person to person and from year to year."""
    die = random.Random(16)
    organisation = org.organisation
    goals = [
        GoalFactory(organisation=organisation, level="organisation", title=title, **NO_MEASURE)
        for title in ("Digitalisering", "Inzetbaarheid")
    ]
    competency = Competency.objects.create(organisation=organisation, name="Digitaal werken")
    now = timezone.now()
    for person in org.people:
        if die.random() < 0.3:
            continue
        plan = DevelopmentPlan.objects.create(
            employee=person,
            organisation=organisation,
            yearly_budget=Decimal(die.choice([500, 1000, 1500])),
            status=die.choice(["draft", "agreed", "changed_since_agreement"]),
        )
        gap = CompetencyGap.objects.create(
            plan=plan, competency=competency, current_level=1, desired_level=die.randint(1, 4)
        )
        for _ in range(die.randint(0, 3)):
            year = die.choice([YEAR - 1, YEAR])
            DevelopmentAction.objects.create(
                plan=plan,
                kind=die.choice(["training", "coaching", "elearning"]),
                status=die.choice(["planned", "in_progress", "done", "cancelled"]),
                title="Actie",
                cost=Decimal(die.randint(0, 4) * 100),
                goal=die.choice([*goals, None]),
                gap=gap,
                start_date=datetime.date(year, 2, 1),
                due_date=datetime.date(year, 11, 1),
            )
        if die.random() < 0.6:
            year = die.choice([YEAR - 1, YEAR])
            GoalFactory(
                owner_person=person,
                parent=die.choice(goals),
                title="Eigen doel",
                start_date=datetime.date(year, 1, 1),
                due_date=datetime.date(year, 12, 31),
            )
        if person.line_manager_id and die.random() < 0.5:
            Conversation.objects.create(
                organisation=organisation,
                employee=person,
                manager=person.line_manager,
                kind="development",
                status=Conversation.Status.HELD,
                starts_at=now - datetime.timedelta(days=die.randint(10, 500)),
            )
    Goal.objects.filter(organisation=organisation).update(organisation=organisation)


@pytest.fixture
def org(db) -> Org:
    return build()


def read_csv(response) -> list[list[str]]:
    raw = response.content
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark for Excel
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def tables(rows: list[list[str]]) -> dict[str, list[list[str]]]:
    """Each table of the CSV by its title: its header and rows."""
    found, title = {}, None
    for index, row in enumerate(rows):
        if row == [] and index + 1 < len(rows) and len(rows[index + 1]) == 1:
            title = rows[index + 1][0]
            found[title] = []
        elif title is not None and row and row != [title]:
            found[title].append(row)
    return found


@dataclass(frozen=True)
class Figure:
    """The numbers of one printed row, and the people they are about."""

    view: str
    table: str
    label: str
    people: frozenset[int]
    values: tuple[str, ...]


def _row_people(org: Org, label: str, selection: frozenset[int], by_manager: bool):
    """The people a row label stands for (None: a row of small groups, worked out as the
    rest of the selection)."""
    units = {u.name: u for u in org.units.values()}
    managers = {p.full_name: p for p in org.people}
    group = org.managed_in if by_manager else org.in_units
    if label in ("Totaal",):
        return selection
    if label in units:
        return group(org.below(units[label])) & selection
    if label.startswith("Direct onder "):
        return group({units[label.removeprefix("Direct onder ")].pk}) & selection
    if label == "Geen afdeling of team":
        return org.ids(p for p in org.people if p.unit_id is None) & selection
    if label == "Geen leidinggevende":
        return org.ids(p for p in org.people if p.line_manager_id is None) & selection
    if label in managers:
        return org.ids(p for p in org.people if p.line_manager_id == managers[label].pk) & selection
    return None


# The progress of a strategic goal and the number of team goals are not about people.
NOT_ABOUT_PEOPLE = ("Voortgang", "Teamdoelen")


def _is_number(text: str) -> bool:
    return text.replace(",", "").replace(".", "").isdigit()


def figures_of(org: Org, rows: list[list[str]], view: str, asked: str = "") -> list[Figure]:
    """Every printed row of the CSV, with the people it is about. The CSV says which unit
    it shows (``asked`` when it does not say)."""
    header = {row[0]: row[1:] for row in rows[:6] if row}
    shown_unit = header.get("Afdeling of team", [asked])[0]
    units = {u.name: u for u in org.units.values()}
    selection = (
        org.in_units(org.below(units[shown_unit])) if shown_unit in units else org.ids(org.people)
    )
    compliance_selection = (
        org.managed_in(org.below(units[shown_unit])) if shown_unit in units else selection
    )
    found = []
    for title, body in tables(rows).items():
        by_manager = title.startswith("Gesprekken volgens het beleid")
        whole = compliance_selection if by_manager else selection
        labelled = [(row[0], _row_people(org, row[0], whole, by_manager), row) for row in body[1:]]
        known = set().union(
            *(p for label, p, _r in labelled if p is not None and label != "Totaal")
        )
        for label, people, row in labelled:
            if people is None:
                # Small groups together: the rest of the selection. And the rows of a goal,
                # a kind of action or a competency: all of the selection.
                people = whole - known
            if label in NOT_ABOUT_PEOPLE:
                continue
            if any(_is_number(value) for value in row[1:]):  # a row of "< 5" and "*" tells nothing
                found.append(Figure(view, title, label, people, tuple(row[1:])))
    return found


def all_views(org: Org, client) -> dict[tuple[str, str], list[list[str]]]:
    """The CSV of every unit filter and period, by (unit name, period)."""
    views = {}
    for unit, period in itertools.product(
        ["", *[u.pk for u in org.units.values()]], [str(YEAR - 1), str(YEAR), "all"]
    ):
        response = client.get(CSV_URL, {"unit": unit, "period": period})
        assert response.status_code == 200
        name = next((u.name for u in org.units.values() if u.pk == unit), "")
        views[(name, period)] = read_csv(response)
    return views


def test_no_pair_of_figures_tells_a_small_group(org, client):
    """Every pair of filter values (unit x period) and the totals of every table: no row
    is about 1 to k - 1 people, and no difference between two rows (of one view or of two
    views, totals included) is."""
    client.force_login(org.hr)
    views = all_views(org, client)
    found = [
        figure
        for (unit, period), rows in views.items()
        for figure in figures_of(org, rows, f"unit={unit or 'all'} period={period}", unit)
    ]
    # People by their own unit, then conversation compliance (by line manager's team): no
    # figure of one family can be subtracted from one of the other.
    for compliance in (False, True):
        family = [f for f in found if f.table.startswith("Gesprekken") == compliance]
        for figure in family:
            assert not 0 < len(figure.people) < K, (figure.view, figure.table, figure.label)
        groups = {figure.people: figure for figure in family}
        for first, second in itertools.combinations(groups, 2):
            for difference in (first - second, second - first):
                assert not 0 < len(difference) < K, (
                    f"{groups[first].view} {groups[first].table} {groups[first].label} minus "
                    f"{groups[second].view} {groups[second].table} {groups[second].label}: "
                    f"{len(difference)} people"
                )


def test_headcounts_match_the_people_of_each_row(org, client):
    """The test's own reading of the rows is right: each row's "People" is its headcount."""
    client.force_login(org.hr)
    for (unit, period), rows in all_views(org, client).items():
        for figure in figures_of(org, rows, f"{unit} {period}", unit):
            if figure.table in (
                "Plandekking",
                "Gesprekken volgens het beleid per afdeling of team",
                "Gesprekken volgens het beleid per leidinggevende",
            ):
                assert figure.values[0] == str(len(figure.people)), (unit, figure.label)


def test_the_one_person_without_a_unit_cannot_be_subtracted(org, client):
    """The issue's case: the whole organisation minus the root unit is one person. The
    root unit's filter shows the whole organisation and says why."""
    client.force_login(org.hr)
    root = org.units["Zorggroep"]
    everyone = read_csv(client.get(CSV_URL, {"period": "all"}))
    only_root = read_csv(client.get(CSV_URL, {"unit": root.pk, "period": "all"}))
    assert tables(everyone)["Plandekking"][-1] == tables(only_root)["Plandekking"][-1]
    assert ["Gevraagd", "Zorggroep", f"niet apart getoond: minder dan {K} mensen"] in only_root
    html = client.get(reverse("dashboards:alignment"), {"unit": root.pk}).content.decode()
    assert 'data-testid="selection-widened"' in html


def test_nothing_is_hidden_that_cannot_identify_anyone(org, client):
    """Zeros, the actions by kind of a large selection and the compliance of a team of six
    are shown as numbers; no cell reads "< 5" or "*"."""
    client.force_login(org.hr)
    rows = read_csv(client.get(CSV_URL, {"period": "all"}))
    cells = [cell for row in rows for cell in row[1:]]
    assert "< 5" not in cells and "*" not in cells
    by_manager = {
        row[0]: row for row in tables(rows)["Gesprekken volgens het beleid per leidinggevende"]
    }
    noord_lead = User.objects.get(unit__name="Wijkteam Noord", line_manager__unit__name="Zorg")
    assert by_manager[noord_lead.full_name][1] == "6"
    assert by_manager[noord_lead.full_name][2].isdigit()
    actions = tables(rows)["Ontwikkelacties per soort en status"]
    assert all(cell.isdigit() for row in actions[1:] for cell in row[1:])


def test_a_manager_sees_their_own_team_unprotected(org, client):
    """A team of two is its manager's own to see: no row is folded away."""
    lead = User.objects.get(unit__name="Team Financiën", line_manager__unit__name="Bedrijfsvoering")
    client.force_login(lead)
    rows = read_csv(client.get(CSV_URL, {"period": "all"}))
    coverage = tables(rows)["Plandekking"]
    assert coverage[1][0] == "Team Financiën" and coverage[1][1] == "2"


def test_partition_refuses_a_group_that_leaves_a_small_rest():
    from dashboards.disclosure import Partition

    partition = Partition({"a": 6, "b": 1, "c": 4, "d": 9}, 5)
    assert not partition.admit({"a", "c", "d"})  # would leave b, one person, on its own
    assert partition.admit({"a"})  # 6 and 14
    assert not partition.admit({"c"})  # 4 people
    assert not partition.admit({"c", "d"})  # would leave b on its own again
    assert partition.admit({"b", "c"})  # 5, and d's 9
    assert partition.holds({"b", "c", "d"}) and partition.holds({"d"})
    assert not partition.holds({"c"}) and not partition.holds({"a", "b"})
