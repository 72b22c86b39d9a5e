"""Feedback in the demo organisation (called by ``seed_demo`` after plans).

- Sanne asked four colleagues, anonymously, how they see her grow in "Digitale
  vaardigheden"; three answered, so she reads their answers merged.
- A colleague asked Sanne (and others) for named feedback on an action; Sanne has not
  answered yet.
- HR started upward rounds: about Jeroen (his other reports answered, Sanne not yet: below
  the floor) and about the manager with the largest team (three answered: figures show).
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from people.demo import EMPLOYEE_EMAIL, HR_EMAIL, MANAGER_EMAIL
from people.models import Organisation, User
from plans.models import DevelopmentPlan

from . import services
from .models import FeedbackRequest

ANSWERS = [
    (
        "Je legt cliënten rustig uit hoe beeldbellen werkt; ze voelen zich er niet dom door.",
        "Durf vaker zelf het digitale dossier te openen in het teamoverleg.",
    ),
    (
        "Sinds de e-learning help je ons bij vragen over de zorgapp.",
        "Deel wat je leert ook in de werkbegeleiding van stagiairs.",
    ),
    (
        "Je bent de eerste die nieuwe digitale hulpmiddelen uitprobeert.",
        "Plan een korte kennissessie, dan hoeft niet iedereen het zelf uit te zoeken.",
    ),
]
UPWARD = [(4, "Jeroen neemt echt tijd voor mijn POP."), (5, ""), (3, "Graag vaker even bijpraten.")]


def _answer(feedback: FeedbackRequest, person: User, texts, score=None) -> None:
    invitation = feedback.invitations.get(person=person)
    for question, text in zip(feedback.questions.order_by("position"), texts, strict=False):
        services.answer_save(
            invitation=invitation,
            question=question,
            by=person,
            body=text,
            score=score,
            expected_version=1,
        )


def _colleagues(organisation: Organisation, sanne: User, jeroen: User) -> list[User]:
    """Sanne's teammates first, then others of the organisation."""
    people = User.objects.filter(organisation=organisation, is_active=True, is_hr=False).exclude(
        pk__in=[sanne.pk, jeroen.pk]
    )
    team = list(people.filter(line_manager=jeroen).order_by("full_name"))
    return team + list(people.exclude(pk__in=[p.pk for p in team]).order_by("full_name")[:6])


def seed(*, organisation: Organisation) -> None:
    if FeedbackRequest.objects.filter(organisation=organisation).exists():
        return
    people = User.objects.filter(organisation=organisation, is_active=True)
    sanne = people.get(email=EMPLOYEE_EMAIL)
    jeroen = people.get(email=MANAGER_EMAIL)
    hr = people.get(email=HR_EMAIL)
    due = timezone.localdate() + datetime.timedelta(days=10)
    colleagues = _colleagues(organisation, sanne, jeroen)
    plan = DevelopmentPlan.objects.get(employee=sanne)
    gap = plan.gaps.filter(competency__name="Digitale vaardigheden").first()
    if gap is not None:
        asked = services.request_create(
            plan=plan,
            by=sanne,
            items=[gap],
            people=colleagues[:4],
            due_date=due,
            anonymous=True,
            share_description=True,
            message="Ik werk aan mijn digitale vaardigheden. Hoe zien jullie mij daarin groeien?",
        )
        for person, texts in zip(colleagues[:3], ANSWERS, strict=True):
            _answer(asked, person, texts)
    # A colleague's named request that Sanne has not answered yet.
    other = (
        DevelopmentPlan.objects.filter(organisation=organisation, actions__isnull=False)
        .exclude(employee__in=[sanne, jeroen])
        .order_by("employee__full_name")
        .first()
    )
    if other is not None:
        around = [p for p in colleagues if p.pk != other.employee_id][:2]
        services.request_create(
            plan=other,
            by=other.employee,
            items=[other.actions.order_by("pk").first()],
            people=[sanne, *around],
            due_date=due,
            anonymous=False,
            share_description=False,
        )
    # HR's upward rounds: about Jeroen (Sanne has not answered yet) and about the manager
    # with the largest team, where three reports answered.
    _upward(jeroen, hr, due, skip=sanne)
    largest = (
        people.exclude(pk=jeroen.pk)
        .annotate(size=Count("reports", filter=Q(reports__is_active=True)))
        .order_by("-size", "full_name")
        .first()
    )
    if largest is not None:
        _upward(largest, hr, due)


def _upward(manager: User, hr: User, due: datetime.date, skip: User | None = None) -> None:
    reports = manager.reports.filter(is_active=True).exclude(pk=getattr(skip, "pk", None))
    floor = services.policy_of(manager.organisation).anonymity_floor
    if reports.count() + (1 if skip else 0) < floor:
        return
    upward = services.upward_round_launch(manager=manager, by=hr, due_date=due)
    for person, (score, comment) in zip(reports.order_by("full_name"), UPWARD, strict=False):
        _answer(upward, person, [comment, *[""] * (upward.questions.count() - 1)], score)
