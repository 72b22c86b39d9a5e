"""Demo goal cascade for the demo organisation (called by ``seed_demo``).

Four strategic goals drawn from the practice in the source texts (duurzame
inzetbaarheid, digitalisering, een lerende organisatie, verzuim), team goals under them,
one individual goal per team member under their team's goals, check-ins over the past
months, a few goals behind schedule and a few that are not linked. Idempotent: goals are
found by title and owner. Bulk inserts only, so ``--people 10000`` stays fast.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from people.demo import EMPLOYEE_EMAIL, MANAGER_EMAIL
from people.models import Organisation, OrgUnit, User

from .models import Goal, GoalUpdate, goals_changed
from .progress import expected_share, measured_share

Level, Status, Visibility, Metric = Goal.Level, Goal.Status, Goal.Visibility, Goal.Metric
D = Decimal


@dataclass(frozen=True)
class Spec:
    title: str
    metric: str = Metric.NONE
    start: Decimal | None = None
    target: Decimal | None = None
    unit: str = ""
    description: str = ""
    feasibility: str = ""


STRATEGIC = {
    "vitaal": Spec(
        "Duurzame inzetbaarheid: gezond en met plezier aan het werk",
        description="Medewerkers blijven duurzaam inzetbaar: minder werkdruk, meer werkplezier "
        "en ontwikkeling die past bij hun energie en toekomst.",
        feasibility="Vastgesteld door het MT na toetsing bij de OR en de teamleiders.",
    ),
    "digitaal": Spec(
        "Digitalisering van de zorg: e-health in elke wijk",
        description="Cliënten krijgen zorg op afstand waar het kan, medewerkers werken met "
        "digitale dossiers en beeldzorg.",
        feasibility="Budget uit het innovatiefonds; Team Digitale Zorg ondersteunt de teams.",
    ),
    "lerend": Spec(
        "Een lerende organisatie: iedere medewerker heeft een actueel POP",
        Metric.PERCENTAGE,
        D(40),
        D(100),
        "% van de medewerkers",
        "Vertaal organisatiedoelen naar team- en individuele doelstellingen: ieder POP "
        "verbindt persoonlijke ambities met de strategie.",
        "Teamleiders krijgen tijd en een training voor het ontwikkelgesprek.",
    ),
    "verzuim": Spec(
        "Verzuim terugbrengen van 7,2% naar 5,5%",
        Metric.PERCENTAGE,
        D("7.2"),
        D("5.5"),
        "% verzuim",
        "Het ziekteverzuim over twaalf maanden daalt naar 5,5%.",
        "Haalbaar met de vitaliteitsaanpak en vroegtijdige gesprekken over belastbaarheid.",
    ),
}

DEPARTMENT_GOALS = {
    "Zorg": ("digitaal", Spec("Zorg: de helft van onze cliënten gebruikt e-health")),
}

# Team (by the name its generated copies start with) -> (parent, team goal, individual goal).
# A parent "department" links to the department goal above; None means "not linked".
TEAM_GOALS: dict[str, list[tuple[str | None, Spec, Spec]]] = {
    "Wijkteam": [
        (
            "department",
            Spec(
                "Alle cliëntdossiers digitaal bijgehouden op de tablet",
                Metric.PERCENTAGE,
                D(30),
                D(100),
                "% van de dossiers",
            ),
            Spec(
                "Zorgdossiers van mijn cliënten volledig digitaal bijhouden",
                Metric.PERCENTAGE,
                D(20),
                D(100),
                "% van mijn dossiers",
            ),
        ),
        (
            "vitaal",
            Spec("Werkdruk in het wijkteam eerlijker verdeeld"),
            Spec("Training 'Grenzen stellen en veerkracht' afronden en toepassen", Metric.YES_NO),
        ),
    ],
    "Team Dagbesteding": [
        (
            "vitaal",
            Spec(
                "Beweegprogramma voor cliënten en medewerkers",
                Metric.NUMBER,
                D(0),
                D(40),
                "deelnemers",
            ),
            Spec(
                "Twee beweegactiviteiten per week begeleiden",
                Metric.NUMBER,
                D(0),
                D(80),
                "activiteiten",
            ),
        )
    ],
    "Team Thuiszorg": [
        (
            "digitaal",
            Spec(
                "Beeldzorg bij 50 cliënten in de thuiszorg", Metric.NUMBER, D(0), D(50), "cliënten"
            ),
            Spec(
                "Beeldzorg inzetten bij vijf van mijn cliënten",
                Metric.NUMBER,
                D(0),
                D(5),
                "cliënten",
            ),
        )
    ],
    "Team ICT": [
        (
            "digitaal",
            Spec(
                "80% van de meldingen binnen één werkdag opgelost",
                Metric.PERCENTAGE,
                D(55),
                D(80),
                "% van de meldingen",
            ),
            Spec(
                "Kennisartikelen schrijven voor de servicedesk",
                Metric.NUMBER,
                D(0),
                D(20),
                "artikelen",
            ),
        )
    ],
    "Team Financiën": [
        (
            "digitaal",
            Spec(
                "Digitale factuurverwerking voor alle leveranciers",
                Metric.PERCENTAGE,
                D(20),
                D(100),
                "%",
            ),
            Spec("E-learning digitale factuurverwerking afronden", Metric.YES_NO),
        )
    ],
    "Team Facilitair": [
        (
            None,
            Spec(
                "Nieuwe roosterplanning invoeren op alle locaties",
                Metric.NUMBER,
                D(0),
                D(12),
                "locaties",
            ),
            Spec("Het nieuwe roosterprogramma zelfstandig gebruiken", Metric.YES_NO),
        )
    ],
    "Team HR-advies": [
        (
            "lerend",
            Spec(
                "Elke teamleider voert met al zijn medewerkers een ontwikkelgesprek",
                Metric.PERCENTAGE,
                D(30),
                D(100),
                "% van de teamleiders",
            ),
            Spec(
                "Teamleiders coachen bij het ontwikkelgesprek",
                Metric.NUMBER,
                D(0),
                D(8),
                "teamleiders",
            ),
        )
    ],
    "Team Leren & Ontwikkelen": [
        (
            "vitaal",
            Spec(
                "E-learningaanbod voor vitaliteit en werkplezier",
                Metric.NUMBER,
                D(0),
                D(12),
                "modules",
            ),
            Spec("Module 'Gezond roosteren' ontwikkelen", Metric.YES_NO),
        )
    ],
    "Team Kwaliteit": [
        (
            "lerend",
            Spec(
                "Leren van incidenten: elke maand een teamreflectie",
                Metric.NUMBER,
                D(0),
                D(12),
                "reflecties",
            ),
            Spec(
                "Teamreflecties begeleiden in de wijkteams", Metric.NUMBER, D(0), D(6), "reflecties"
            ),
        )
    ],
    "Team Digitale Zorg": [
        (
            "digitaal",
            Spec("Beeldzorg uitrollen naar vier wijkteams", Metric.NUMBER, D(0), D(4), "wijkteams"),
            Spec("Wijkteams trainen in beeldzorg", Metric.NUMBER, D(0), D(4), "wijkteams"),
        )
    ],
}
UNLINKED_REASON_TEAM = (
    "Operationeel doel uit het jaarplan Facilitair; hangt niet aan een strategisch doel."
)
PERSONAL_UNLINKED = Spec(
    "Cursus Engels voor zorgprofessionals afronden",
    Metric.YES_NO,
    description="Mijn Engels verbeteren voor gesprekken met anderstalige cliënten.",
    feasibility="Avondcursus van tien weken, ik betaal de helft zelf.",
)
UNLINKED_REASON_PERSON = "Persoonlijke ambitie; past (nog) niet bij een team- of organisatiedoel."
TEAM_FEASIBLE = "Besproken in het teamoverleg; past in de formatie en het teambudget."
FEASIBLE = "Besproken met mijn leidinggevende; past in mijn rooster en het opleidingsbudget."


def _team_key(name: str) -> str | None:
    for key in sorted(TEAM_GOALS, key=len, reverse=True):
        if name.startswith(key):
            return key
    return None


class _Builder:
    """Collects new goals level by level; keeps the ones that already exist."""

    def __init__(self, organisation: Organisation, today: datetime.date) -> None:
        self.organisation = organisation
        self.today = today
        self.rng = random.Random(2026)
        self.start = datetime.date(today.year, 1, 1)
        self.due = datetime.date(today.year, 12, 31)
        self.expected = expected_share(self.start, self.due, today) or D(0)
        self.existing = {
            (goal.title, goal.owner_unit_id, goal.owner_person_id): goal
            for goal in Goal.objects.filter(organisation=organisation)
        }
        self.new: list[Goal] = []

    def goal(self, spec: Spec, *, author: User | None, **fields: object) -> Goal:
        key = (spec.title, fields.get("owner_unit_id"), fields.get("owner_person_id"))
        if key in self.existing:
            return self.existing[key]
        fields.setdefault("due_date", self.due)
        fields.setdefault("description", spec.description)
        fields.setdefault("feasibility_note", spec.feasibility or FEASIBLE)
        goal = Goal(
            organisation=self.organisation,
            title=spec.title,
            metric=spec.metric,
            start_value=spec.start if spec.metric != Metric.YES_NO else D(0),
            target_value=spec.target if spec.metric != Metric.YES_NO else D(1),
            measure_unit=spec.unit,
            start_date=self.start,
            status=Status.ACTIVE,
            approved_at=datetime.datetime.combine(
                self.start, datetime.time(9), timezone.get_current_timezone()
            ),
            **fields,
        )
        goal.demo_author = author
        if goal.is_measured:
            goal.current_value = self.value_at(goal, self.share_for(goal))
        self.existing[key] = goal
        self.new.append(goal)
        return goal

    def share_for(self, goal: Goal) -> Decimal:
        """Most goals near the expected progress; about one in six clearly behind."""
        if goal.metric == Metric.YES_NO:
            return D(1) if self.rng.random() < float(self.expected) * 0.7 else D(0)
        lag = (
            self.rng.uniform(0.2, 0.45)
            if self.rng.random() < 1 / 6
            else self.rng.uniform(-0.05, 0.09)
        )
        return min(max(self.expected - D(str(round(lag, 2))), D(0)), D(1))

    @staticmethod
    def value_at(goal: Goal, share: Decimal) -> Decimal:
        if goal.metric == Metric.YES_NO:
            return share
        value = goal.start_value + (goal.target_value - goal.start_value) * share
        return value.quantize(D("1") if goal.metric == Metric.NUMBER else D("0.1"))

    def flush(self) -> None:
        """Insert the new goals, then their check-ins."""
        created = Goal.objects.bulk_create(self.new, batch_size=2000)
        goals_changed(*{goal.organisation_id for goal in created})
        self.new = []
        _check_ins(created, builder=self)


def _check_ins(goals: list[Goal], *, builder: _Builder) -> None:
    """Three or four check-ins per active measured goal over the past months, ending at
    today's value; the author is the one who looks after the goal."""
    tz = timezone.get_current_timezone()
    notes = [
        "Goed op weg; besproken in het teamoverleg.",
        "Iets vertraagd door de drukte rond de vakantieperiode.",
        "Nieuwe afspraken gemaakt met de teamleider.",
        "Stap gezet; volgende keer meer tijd inplannen.",
    ]
    elapsed = (builder.today - builder.start).days
    updates = []
    for goal in goals:
        if goal.status != Status.ACTIVE or not goal.is_measured or elapsed < 30:
            continue
        steps = builder.rng.choice([3, 4])
        final = measured_share(
            metric=goal.metric,
            start=goal.start_value,
            target=goal.target_value,
            value=goal.current_value,
        ) or D(0)
        for step in range(1, steps + 1):
            day = builder.start + datetime.timedelta(days=elapsed * step // steps - 6)
            if step == steps:
                value = goal.current_value
            elif goal.metric == Metric.YES_NO:
                value = D(0)
            else:
                value = builder.value_at(goal, final * step / steps)
            updates.append(
                GoalUpdate(
                    goal=goal,
                    value=value,
                    confidence=builder.rng.randint(4, 9),
                    note=notes[(goal.pk + step) % len(notes)],
                    author=goal.demo_author,
                    recorded_at=datetime.datetime.combine(day, datetime.time(10, 0), tz),
                )
            )
    GoalUpdate.objects.bulk_create(updates, batch_size=5000)


def seed(*, organisation: Organisation) -> None:
    builder = _Builder(organisation, timezone.localdate())
    units = list(OrgUnit.objects.filter(organisation=organisation).select_related("manager"))
    hr = User.objects.filter(organisation=organisation, is_hr=True).order_by("pk").first()

    strategic = {
        key: builder.goal(
            spec,
            author=hr,
            level=Level.ORGANISATION,
            visibility=Visibility.ORGANISATION,
            created_by=hr,
            approved_by=hr,
        )
        for key, spec in STRATEGIC.items()
    }
    builder.flush()

    departments: dict[int, Goal] = {}
    for unit in units:
        if unit.name in DEPARTMENT_GOALS:
            parent_key, spec = DEPARTMENT_GOALS[unit.name]
            departments[unit.pk] = builder.goal(
                spec,
                author=unit.manager,
                description="In elke wijk kunnen cliënten kiezen voor beeldzorg, een digitaal "
                "zorgdossier en e-health-apps; de wijkteams dragen elk hun deel bij.",
                feasibility_note=TEAM_FEASIBLE,
                level=Level.TEAM,
                owner_unit_id=unit.pk,
                parent=strategic[parent_key],
                visibility=Visibility.ORGANISATION,
                created_by=unit.manager,
                approved_by=unit.manager,
            )
    builder.flush()

    team_goals: dict[int, list[tuple[Goal, Spec]]] = {}
    for unit in units:
        key = _team_key(unit.name)
        if key is None or unit.kind != OrgUnit.Kind.TEAM:
            continue
        for parent_key, team_spec, personal_spec in TEAM_GOALS[key]:
            if parent_key == "department":
                parent = departments.get(unit.parent_id)
            else:
                parent = strategic[parent_key] if parent_key else None
            goal = builder.goal(
                team_spec,
                author=unit.manager,
                description=team_spec.description
                or f"Wat {unit.name} dit jaar samen bereikt: {team_spec.title.lower()}.",
                feasibility_note=TEAM_FEASIBLE,
                level=Level.TEAM,
                owner_unit_id=unit.pk,
                parent=parent,
                not_linked_reason="" if parent else UNLINKED_REASON_TEAM,
                visibility=Visibility.TEAM,
                created_by=unit.manager,
                approved_by=unit.manager,
            )
            team_goals.setdefault(unit.pk, []).append((goal, personal_spec))
    builder.flush()

    people = (
        User.objects.filter(organisation=organisation, unit_id__in=team_goals)
        .exclude(managed_units__isnull=False)
        .select_related("line_manager")
        .order_by("pk")
    )
    proposals_left = 2
    for index, person in enumerate(people):
        choices = team_goals[person.unit_id]
        team_goal, spec = choices[index % len(choices)]
        proposed = (
            proposals_left > 0
            and person.line_manager is not None
            and person.line_manager.email == MANAGER_EMAIL
            and person.email != EMPLOYEE_EMAIL
        )
        goal = builder.goal(
            spec,
            author=person,
            level=Level.INDIVIDUAL,
            owner_person_id=person.pk,
            parent=team_goal,
            visibility=Visibility.TEAM if index % 4 == 0 else Visibility.PRIVATE,
            created_by=person,
            description=f"Mijn bijdrage aan het teamdoel '{team_goal.title}'.",
            proposed_by=person,
            approved_by=None if proposed else person.line_manager,
            due_date=builder.due - datetime.timedelta(days=31 * (index % 3)),
        )
        if proposed and goal.pk is None:
            goal.status, goal.current_value, goal.approved_at = Status.PROPOSED, None, None
            proposals_left -= 1
        if index % 12 == 5 or person.email == EMPLOYEE_EMAIL:
            builder.goal(
                PERSONAL_UNLINKED,
                author=person,
                level=Level.INDIVIDUAL,
                owner_person_id=person.pk,
                not_linked_reason=UNLINKED_REASON_PERSON,
                visibility=Visibility.PRIVATE,
                created_by=person,
                proposed_by=person,
                approved_by=person.line_manager,
            )
        if len(builder.new) >= 2000:
            builder.flush()
    builder.flush()
