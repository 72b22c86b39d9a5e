"""Demo POPs for the demo organisation (called by ``seed_demo`` after people and goals).

A competency catalogue; for Sanne Jansen (employee@example.com) a plan that tells a
coherent story — growing towards specialist district nurse e-health — with gaps, actions
of several kinds in several states, steps, comments from her manager Jeroen, an agreed
version 1 and changes made after it. About a third of the other people get a smaller
plan. Idempotent: nothing is added for a person who already has a plan. Bulk inserts, so
``--people 10000`` stays fast.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from goals.models import Goal
from people.demo import EMPLOYEE_EMAIL, MANAGER_EMAIL
from people.models import Organisation, User
from people.versions import Part, versions_raise

from .items import KINDS
from .models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    PlanChange,
    PlanComment,
    PlanVersion,
    Priority,
    PrivateNote,
)
from .selectors import plan_content, plan_snapshot
from .services import item_create, item_update
from .versions import version_snapshot

Kind, Status = DevelopmentAction.Kind, DevelopmentAction.Status

CATALOGUE = [
    (
        "Digitale vaardigheden",
        "Werken met e-health, het digitale cliëntdossier en beeldzorg.",
        [
            "Gebruikt het cliëntdossier met hulp.",
            "Gebruikt beeldbellen en het dossier zelfstandig.",
            "Zet e-health passend in bij cliënten.",
            "Leert collega's e-health toepassen.",
            "Ontwikkelt nieuwe vormen van zorg op afstand.",
        ],
    ),
    (
        "Coachend werken",
        "Cliënten en collega's helpen hun eigen oplossingen te vinden.",
        [
            "Geeft vooral advies en oplossingen.",
            "Stelt open vragen in eenvoudige situaties.",
            "Coacht cliënten op eigen regie.",
            "Coacht collega's en geeft feedback.",
            "Begeleidt teams in coachend werken.",
        ],
    ),
    (
        "Klinisch redeneren",
        "Zorgvragen systematisch analyseren en onderbouwd handelen.",
        [
            "Volgt protocollen.",
            "Herkent veranderingen in de situatie van de cliënt.",
            "Onderbouwt keuzes met richtlijnen.",
            "Redeneert in complexe situaties.",
            "Verbetert richtlijnen op basis van praktijk.",
        ],
    ),
    (
        "Samenwerken in het netwerk",
        "Samenwerken met huisarts, gemeente, mantelzorgers en andere partners.",
        [
            "Kent de belangrijkste partners.",
            "Stemt af met partners rond een cliënt.",
            "Organiseert overleg in het netwerk.",
            "Bouwt het netwerk rond de wijk uit.",
            "Verbindt organisaties in de regio.",
        ],
    ),
    (
        "Veerkracht en vitaliteit",
        "Eigen energie bewaken en duurzaam inzetbaar blijven.",
        [
            "Merkt signalen van werkdruk laat op.",
            "Herkent eigen signalen van werkdruk.",
            "Bewaakt grenzen en vraagt hulp.",
            "Helpt collega's hun energie te bewaken.",
            "Geeft vitaliteit in het team vorm.",
        ],
    ),
    (
        "Projectmatig werken",
        "Verbeteringen planmatig aanpakken, in kleine stappen.",
        [
            "Werkt mee in een project.",
            "Plant eigen taken in een project.",
            "Leidt een klein verbeterproject.",
            "Leidt projecten met meerdere teams.",
            "Stuurt een programma van projecten.",
        ],
    ),
]

ACTION_IDEAS = [
    (Kind.ELEARNING, "E-learning {competency}", Decimal("95"), "Online leerplatform"),
    (Kind.TRAINING, "Training {competency}", Decimal("650"), "Zorgacademie Rivierenland"),
    (Kind.SHADOWING, "Meelopen met een ervaren collega", Decimal("0"), ""),
    (Kind.MENTORING, "Buddy voor {competency}", Decimal("0"), ""),
    (Kind.COACHING, "Coachingstraject", Decimal("900"), "Coachbureau De Brug"),
    (Kind.JOB_CRAFTING, "Taken anders verdelen in het team", Decimal("0"), ""),
    (Kind.SELF_STUDY, "Vakliteratuur over {competency}", Decimal("45"), ""),
    (Kind.CONFERENCE, "Congres zorginnovatie", Decimal("395"), "V&VN"),
]


def _catalogue(organisation: Organisation) -> dict[str, Competency]:
    existing = {c.name: c for c in Competency.objects.filter(organisation=organisation)}
    new = [
        Competency(
            organisation=organisation,
            name=name,
            description=description,
            **{f"level_{n}": text for n, text in enumerate(levels, start=1)},
        )
        for name, description, levels in CATALOGUE
        if name not in existing
    ]
    Competency.objects.bulk_create(new)
    versions_raise(organisation_ids=[organisation.pk], part=Part.COMPETENCIES)
    existing.update({c.name: c for c in new})
    return existing


def _linked_goal(person: User) -> Goal | None:
    return (
        Goal.objects.filter(level=Goal.Level.INDIVIDUAL, owner_person=person, parent__isnull=False)
        .order_by("pk")
        .first()
    )


def _sanne(organisation: Organisation, catalogue: dict[str, Competency]) -> None:
    sanne = User.objects.filter(email=EMPLOYEE_EMAIL, organisation=organisation).first()
    jeroen = User.objects.filter(email=MANAGER_EMAIL).first()
    if sanne is None or jeroen is None or DevelopmentPlan.objects.filter(employee=sanne).exists():
        return
    today = timezone.localdate()
    now = timezone.now()
    agreed_at = now - datetime.timedelta(days=35)
    # Her digital gap serves her team's digital goal; her own goal (resilience, from the
    # goals demo) is served by the resilience training she already finished.
    team_goal = (
        Goal.objects.filter(
            level=Goal.Level.TEAM, owner_unit_id=sanne.unit_id, title__icontains="digitaal"
        )
        .order_by("pk")
        .first()
    )
    own_goal = _linked_goal(sanne)
    goal = team_goal or own_goal
    plan = DevelopmentPlan.objects.create(
        employee=sanne,
        organisation=organisation,
        yearly_budget=organisation.default_yearly_budget,
        period_start=today.replace(month=1, day=1),
        period_end=today.replace(month=12, day=31),
        employee_ambition=(
            "Ik wil doorgroeien naar specialistisch wijkverpleegkundige e-health. Ik merk "
            "dat cliënten veel zelfstandiger blijven met beeldzorg, en ik wil collega's "
            "helpen dat ook te durven."
        ),
        organisation_ambition=(
            "Wijkteam Noord zet dit jaar bij twintig cliënten beeldzorg in. We zoeken een "
            "aandachtsvelder e-health die het team meeneemt: kleine stappen, kennis delen "
            "als een olievlek."
        ),
    )
    digital = CompetencyGap.objects.create(
        plan=plan,
        competency=catalogue["Digitale vaardigheden"],
        current_level=2,
        desired_level=4,
        priority=Priority.HIGH,
        goal=goal,
        why_it_matters="Zonder deze vaardigheden kan ik collega's niet meenemen in beeldzorg.",
    )
    coaching = CompetencyGap.objects.create(
        plan=plan,
        competency=catalogue["Coachend werken"],
        current_level=2,
        desired_level=3,
        priority=Priority.MEDIUM,
        why_it_matters="Cliënten houden zelf de regie; ik wil minder voor ze oplossen.",
    )
    vitality = CompetencyGap.objects.create(
        plan=plan,
        competency=catalogue["Veerkracht en vitaliteit"],
        current_level=2,
        desired_level=3,
        priority=Priority.LOW,
        goal=own_goal,
        why_it_matters="Ik wil dit werk lang en met plezier blijven doen.",
    )
    resilience = DevelopmentAction.objects.create(
        plan=plan,
        kind=Kind.TRAINING,
        title="Training 'Grenzen stellen en veerkracht'",
        gap=vitality,
        goal=own_goal,
        priority=Priority.LOW,
        status=Status.DONE,
        start_date=today - datetime.timedelta(days=150),
        due_date=today - datetime.timedelta(days=120),
        cost=Decimal("350"),
        hours=Decimal("8"),
        provider="Zorgacademie Rivierenland",
        knowledge_transfer="Ik bespreek de signalenkaart in het teamoverleg.",
        reflection="Ik zeg vaker nee tegen extra diensten en plan mijn pauzes echt in.",
    )
    start = today - datetime.timedelta(days=90)
    elearning = DevelopmentAction.objects.create(
        plan=plan,
        kind=Kind.ELEARNING,
        title="E-learning Zorg op afstand (4 modules)",
        gap=digital,
        goal=goal,
        priority=Priority.HIGH,
        status=Status.DONE,
        start_date=start,
        due_date=start + datetime.timedelta(days=42),
        cost=Decimal("95"),
        hours=Decimal("12"),
        provider="Online leerplatform",
        knowledge_transfer="Ik laat in het teamoverleg zien hoe een beeldbelafspraak werkt.",
        reflection=(
            "Module 3 over privacy was eye-opening. Ik kan beeldbellen nu zelf aan "
            "cliënten uitleggen; de techniek is niet meer het probleem, de gewoonte wel."
        ),
    )
    ActionStep.objects.bulk_create(
        [
            ActionStep(
                action=elearning,
                title=f"Module {n}",
                due_date=start + datetime.timedelta(days=10 * n),
                done_on=start + datetime.timedelta(days=10 * n - 2),
            )
            for n in range(1, 5)
        ]
    )
    shadowing = DevelopmentAction.objects.create(
        plan=plan,
        kind=Kind.SHADOWING,
        title="Meelopen met Team Digitale Zorg",
        description="Drie dagdelen meelopen bij de projectleider e-health.",
        gap=digital,
        goal=goal,
        priority=Priority.HIGH,
        status=Status.IN_PROGRESS,
        start_date=today - datetime.timedelta(days=20),
        due_date=today + datetime.timedelta(days=40),
        hours=Decimal("12"),
        provider="Team Digitale Zorg",
        knowledge_transfer="Wat ik zie, vertaal ik naar een werkinstructie voor ons team.",
    )
    ActionStep.objects.bulk_create(
        [
            ActionStep(
                action=shadowing,
                title="Dagdeel 1: intake beeldzorg",
                due_date=today - datetime.timedelta(days=10),
                done_on=today - datetime.timedelta(days=11),
            ),
            ActionStep(
                action=shadowing,
                title="Dagdeel 2: storingen oplossen",
                due_date=today + datetime.timedelta(days=14),
            ),
            ActionStep(
                action=shadowing,
                title="Dagdeel 3: evaluatie met cliënten",
                due_date=today + datetime.timedelta(days=40),
            ),
        ]
    )
    training = DevelopmentAction.objects.create(
        plan=plan,
        kind=Kind.TRAINING,
        title="Training coachend werken",
        gap=coaching,
        priority=Priority.MEDIUM,
        status=Status.PLANNED,
        start_date=today + datetime.timedelta(days=60),
        due_date=today + datetime.timedelta(days=95),
        cost=Decimal("650"),
        hours=Decimal("16"),
        provider="Zorgacademie Rivierenland",
        knowledge_transfer="Ik oefen de gesprekstechnieken in intervisie met het team.",
    )
    buddy = DevelopmentAction.objects.create(
        plan=plan,
        kind=Kind.MENTORING,
        title="Buddy voor collega's bij beeldbellen",
        description="Elke nieuwe collega krijgt één keer een beeldbelafspraak met mij erbij.",
        gap=digital,
        goal=goal,
        priority=Priority.LOW,
        status=Status.PLANNED,
        start_date=today + datetime.timedelta(days=30),
        due_date=today + datetime.timedelta(days=180),
        knowledge_transfer="Olievlek: elke collega die ik begeleid, begeleidt daarna een ander.",
    )
    PlanComment.objects.bulk_create(
        [
            PlanComment(
                plan=plan,
                author=jeroen,
                body="Mooi dat je dit oppakt, Sanne. Dit past precies bij ons teamdoel.",
            ),
            PlanComment(
                plan=plan,
                action=shadowing,
                author=jeroen,
                body="Ik heb het rooster al aangepast voor de dagdelen bij Digitale Zorg.",
            ),
            PlanComment(
                plan=plan,
                action=training,
                author=sanne,
                body="Kan dit ook in het voorjaar? Dan past het beter naast het meelopen.",
            ),
        ]
    )
    PrivateNote.objects.create(
        plan=plan,
        author=sanne,
        body="Voor mezelf: vragen of de specialistenrol ook een andere functieschaal betekent.",
    )
    PlanChange.objects.bulk_create(
        [
            PlanChange(
                plan=plan,
                author=sanne if n % 2 == 0 else jeroen,
                at=agreed_at - datetime.timedelta(days=3, hours=n),
                operation=PlanChange.Operation.ADDED,
                item_type=kind,
                item_uuid=item.uuid,
                item_label=label,
            )
            for n, (kind, item, label) in enumerate(
                [
                    ("gap", digital, digital.competency.name),
                    ("gap", coaching, coaching.competency.name),
                    ("gap", vitality, vitality.competency.name),
                    ("action", resilience, resilience.title),
                    ("action", elearning, elearning.title),
                    ("action", shadowing, shadowing.title),
                    ("action", training, training.title),
                    ("action", buddy, buddy.title),
                ]
            )
        ]
    )
    PlanVersion.objects.create(
        plan=plan,
        number=1,
        snapshot=version_snapshot(plan=plan_content(plan_id=plan.pk, comments=False)),
        employee_agreed_at=agreed_at - datetime.timedelta(hours=2),
        manager_agreed_at=agreed_at,
        manager=jeroen,
    )
    DevelopmentPlan.objects.filter(pk=plan.pk).update(status=DevelopmentPlan.Status.AGREED)
    plan.refresh_from_db()
    # After the agreement: Jeroen moves the training and it got more expensive; Sanne adds
    # a step to the buddy action. The plan is now "changed since agreement".
    training.refresh_from_db()
    item_update(
        plan=plan,
        kind=KINDS["action"],
        item=training,
        by=jeroen,
        expected_version=training.version,
        changes={"cost": Decimal("795"), "start_date": today + datetime.timedelta(days=30)},
    )
    item_create(
        plan=plan,
        kind=KINDS["step"],
        by=sanne,
        values={"action": buddy, "title": "Werkinstructie beeldbellen schrijven"},
    )


_CONTENT = (
    "gaps__competency",
    "gaps__goal",
    Prefetch("actions", DevelopmentAction.objects.select_related("gap__competency", "goal")),
    "actions__steps",
)


def _others(organisation: Organisation, catalogue: dict[str, Competency]) -> None:
    rng = random.Random(4)
    today = timezone.localdate()
    # Every third person (by id), so a second run picks the same people and adds nothing.
    people = [
        person
        for person in User.objects.filter(
            organisation=organisation, is_active=True, development_plan__isnull=True
        )
        .exclude(email=EMPLOYEE_EMAIL)
        .only("pk")
        if person.pk % 3 == 0
    ]
    if not people:
        return
    goals = dict(
        Goal.objects.filter(
            organisation=organisation, level=Goal.Level.INDIVIDUAL, parent__isnull=False
        ).values_list("owner_person_id", "pk")
    )
    competencies = list(catalogue.values())
    plans = DevelopmentPlan.objects.bulk_create(
        [
            DevelopmentPlan(
                employee_id=person.pk,
                organisation=organisation,
                yearly_budget=organisation.default_yearly_budget,
                period_start=today.replace(month=1, day=1),
                period_end=today.replace(month=12, day=31),
                employee_ambition="Ik wil me verder ontwikkelen in mijn vak.",
            )
            for person in people
        ],
        batch_size=1000,
    )
    gaps = []
    for plan in plans:
        for competency in rng.sample(competencies, rng.randint(1, 2)):
            current = rng.randint(1, 3)
            gaps.append(
                CompetencyGap(
                    plan=plan,
                    competency=competency,
                    current_level=current,
                    desired_level=min(5, current + rng.randint(1, 2)),
                    priority=rng.choice(list(Priority)),
                    goal_id=goals.get(plan.employee_id) if rng.random() < 0.5 else None,
                )
            )
    CompetencyGap.objects.bulk_create(gaps, batch_size=2000)
    statuses = [Status.PLANNED, Status.PLANNED, Status.IN_PROGRESS, Status.DONE, Status.CANCELLED]
    actions = []
    for gap in gaps:
        for _n in range(rng.randint(1, 2)):
            kind, title, cost, provider = rng.choice(ACTION_IDEAS)
            start = today + datetime.timedelta(days=rng.randint(-120, 90))
            actions.append(
                DevelopmentAction(
                    plan=gap.plan,
                    kind=kind,
                    title=title.format(competency=gap.competency.name.lower()),
                    gap=gap,
                    goal_id=gap.goal_id,
                    priority=gap.priority,
                    status=rng.choice(statuses),
                    start_date=start,
                    due_date=start + datetime.timedelta(days=rng.randint(14, 120)),
                    cost=cost,
                    provider=provider,
                )
            )
    DevelopmentAction.objects.bulk_create(actions, batch_size=2000)
    # A share of the plans is agreed (version 1).
    agreed = [plan.pk for plan in plans[::2]]
    now = timezone.now()
    versions = [
        PlanVersion(
            plan=plan,
            number=1,
            snapshot=plan_snapshot(plan=plan),
            employee_agreed_at=now - datetime.timedelta(days=20),
            manager_agreed_at=now - datetime.timedelta(days=19),
        )
        for plan in DevelopmentPlan.objects.filter(pk__in=agreed).prefetch_related(*_CONTENT)
    ]
    PlanVersion.objects.bulk_create(versions, batch_size=500)
    DevelopmentPlan.objects.filter(pk__in=agreed).update(status=DevelopmentPlan.Status.AGREED)


def seed(*, organisation: Organisation) -> None:
    catalogue = _catalogue(organisation)
    _sanne(organisation, catalogue)
    _others(organisation, catalogue)
