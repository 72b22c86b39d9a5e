"""Demo conversations (called by ``seed_demo`` after people, goals and plans).

For Sanne Jansen (employee@example.com) and her manager Jeroen de Vries a coherent story:
a held startgesprek with agreements (one done, one still open), a held voortgangsgesprek
whose agreement became an action on her plan, and an upcoming ontwikkelgesprek with the
agenda prefilled from her plan and the open agreement carried over, her own agenda item
and her preparation. Everyone else with a manager gets a held check-in some weeks ago,
about three in four a development or appraisal conversation in the last year, and every
third person an upcoming conversation. Idempotent (nothing is added when the
organisation already has conversations) and bulk inserts, so ``--people 10000`` is fast.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone

from people.demo import EMPLOYEE_EMAIL, MANAGER_EMAIL
from people.models import Organisation, User
from plans.models import DevelopmentAction

from .models import (
    AgendaItem,
    Agreement,
    Conversation,
    Kind,
    PreparationAnswer,
    PreparationQuestion,
    SharedNote,
)
from .services import conversation_prepare, preparation_questions_ensure


def _at(day: datetime.date, hour: int, tz) -> datetime.datetime:
    """``hour`` o'clock local on ``day``, or on the working day before it (no weekends)."""
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=tz)


def _held_agenda(conversation: Conversation, *items: tuple[User, str]) -> None:
    """The agenda a held conversation had, added by both sides before it started."""
    AgendaItem.objects.bulk_create(
        AgendaItem(conversation=conversation, author=author, text=text) for author, text in items
    )
    AgendaItem.objects.filter(conversation=conversation).update(
        created_at=conversation.starts_at - datetime.timedelta(days=3)
    )


def _sanne(organisation: Organisation) -> None:
    sanne = User.objects.filter(email=EMPLOYEE_EMAIL, organisation=organisation).first()
    jeroen = User.objects.filter(email=MANAGER_EMAIL, organisation=organisation).first()
    if sanne is None or jeroen is None or sanne.line_manager_id != jeroen.pk:
        return
    tz, today = organisation.tzinfo, timezone.localdate()
    common = {"organisation": organisation, "employee": sanne, "manager": jeroen}
    start = Conversation.objects.create(
        **common,
        kind=Kind.START,
        status=Conversation.Status.HELD,
        starts_at=_at(today - datetime.timedelta(days=200), 10, tz),
        held_at=_at(today - datetime.timedelta(days=200), 11, tz),
        location="Kamer 2.14",
    )
    _held_agenda(
        start,
        (jeroen, "Kennismaking en verwachtingen over en weer"),
        (sanne, "Inwerkprogramma en een buddy in het team"),
        (sanne, "Mijn ambitie: e-health in de wijk"),
    )
    SharedNote.objects.create(
        conversation=start,
        body=(
            "Sanne is gestart in Wijkteam Noord. Ze wil zich ontwikkelen richting e-health en "
            "merkt dat de werkdruk in de wijk hoog is. We spreken elke zes weken een check-in af."
        ),
        updated_by=jeroen,
    )
    Agreement.objects.bulk_create(
        [
            Agreement(
                conversation=start,
                text="Inwerkprogramma afronden met buddy Daan",
                owner=sanne,
                status=Agreement.Status.DONE,
                created_by=jeroen,
            ),
            Agreement(
                conversation=start,
                text="Rooster: één vaste dag per week voor e-health",
                owner=jeroen,
                due_date=today + datetime.timedelta(days=14),
                created_by=jeroen,
            ),
        ]
    )
    progress = Conversation.objects.create(
        **common,
        kind=Kind.PROGRESS,
        status=Conversation.Status.HELD,
        starts_at=_at(today - datetime.timedelta(days=45), 14, tz),
        held_at=_at(today - datetime.timedelta(days=45), 15, tz),
        location="Teams",
    )
    _held_agenda(
        progress,
        (jeroen, "Voortgang e-learning Zorg op afstand"),
        (sanne, "Meelopen met Team Digitale Zorg"),
        (sanne, "Energie en werkdruk: de avonddiensten"),
    )
    SharedNote.objects.create(
        conversation=progress,
        body=(
            "De e-learning Zorg op afstand loopt goed. Sanne wil meelopen met Team Digitale "
            "Zorg. Energie: redelijk, de avonddiensten wegen zwaar."
        ),
        updated_by=sanne,
    )
    shadowing = DevelopmentAction.objects.filter(
        plan__employee=sanne, title="Meelopen met Team Digitale Zorg"
    ).first()
    Agreement.objects.create(
        conversation=progress,
        text="Meelopen met Team Digitale Zorg",
        owner=sanne,
        due_date=today + datetime.timedelta(days=30),
        created_by=jeroen,
        plan_action=shadowing,
    )
    # The notes were written on the day of each conversation, not when the demo was built.
    for held in (start, progress):
        SharedNote.objects.filter(conversation=held).update(updated_at=held.held_at)
    upcoming = Conversation.objects.create(
        **common,
        kind=Kind.DEVELOPMENT,
        starts_at=_at(today + datetime.timedelta(days=5), 10, tz),
        location="Kamer 2.14",
    )
    conversation_prepare(upcoming)
    AgendaItem.objects.create(
        conversation=upcoming,
        author=sanne,
        text="Minder avonddiensten om de opleiding te kunnen volgen",
    )
    development = PreparationQuestion.objects.filter(
        organisation=organisation, kind=Kind.DEVELOPMENT
    )
    questions = list(development.exclude(audience=PreparationQuestion.Audience.MANAGER))
    answers = [
        "Mijn eerste beeldzorgcliënten zijn zelfstandiger geworden.",
        "Energie is goed, maar de werkdruk in de avond is hoog.",
        "Coachend werken, zodat ik collega's kan helpen met e-health.",
        "Tijd in het rooster voor de opleiding.",
        "Specialistisch wijkverpleegkundige e-health.",
    ]
    PreparationAnswer.objects.bulk_create(
        PreparationAnswer(conversation=upcoming, question=question, author=sanne, body=answer)
        for question, answer in zip(questions, answers, strict=False)
    )
    if questions:
        PreparationAnswer.objects.create(
            conversation=upcoming,
            question=questions[0],
            author=jeroen,
            body="Sanne heeft beeldzorg in het team op gang gebracht.",
        )
    asked_of_manager = development.filter(audience=PreparationQuestion.Audience.MANAGER)
    support = asked_of_manager.filter(text_nl__startswith="Wat kun jij").first()
    if support is not None:
        PreparationAnswer.objects.create(
            conversation=upcoming,
            question=support,
            author=jeroen,
            body="Roosteren zodat Sanne de opleiding kan volgen.",
        )


def _others(organisation: Organisation) -> None:
    tz, today = organisation.tzinfo, timezone.localdate()
    rng = random.Random(organisation.pk)
    people = (
        User.objects.filter(organisation=organisation, line_manager__isnull=False, is_active=True)
        .exclude(email=EMPLOYEE_EMAIL)
        .only("id", "line_manager_id")
        .order_by("id")
    )
    rows = []
    for index, person in enumerate(people.iterator(chunk_size=2000)):
        common = {
            "organisation": organisation,
            "employee_id": person.pk,
            "manager_id": person.line_manager_id,
        }
        # Most people are within the policy: a check-in in the last weeks and, for about
        # three in four, a development or appraisal conversation in the last year.
        held_day = today - datetime.timedelta(days=rng.randint(7, 50))
        if rng.random() < 0.75:
            yearly_day = today - datetime.timedelta(days=rng.randint(60, 330))
            rows.append(
                Conversation(
                    **common,
                    kind=rng.choice([Kind.DEVELOPMENT, Kind.PERFORMANCE]),
                    status=Conversation.Status.HELD,
                    starts_at=_at(yearly_day, 10, tz),
                    held_at=_at(yearly_day, 11, tz),
                    duration_minutes=60,
                )
            )
        rows.append(
            Conversation(
                **common,
                kind=Kind.CHECK_IN,
                status=Conversation.Status.HELD,
                starts_at=_at(held_day, rng.choice([9, 11, 14]), tz),
                held_at=_at(held_day, 15, tz),
                duration_minutes=30,
            )
        )
        if index % 3 == 0:
            rows.append(
                Conversation(
                    **common,
                    kind=rng.choice([Kind.PROGRESS, Kind.DEVELOPMENT, Kind.CHECK_IN]),
                    starts_at=_at(today + datetime.timedelta(days=rng.randint(1, 40)), 10, tz),
                    location="Teams",
                )
            )
    Conversation.objects.bulk_create(rows, batch_size=2000)


def seed(*, organisation: Organisation) -> None:
    if Conversation.objects.filter(organisation=organisation).exists():
        return
    preparation_questions_ensure(organisation_id=organisation.pk)
    _sanne(organisation)
    _others(organisation)
