"""Reads for the conversation pages, with what they need loaded up front: the query
count of a page does not grow with the number of conversations, reports or items."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from feedback.selectors import feedback_received_since
from goals.models import Goal
from people.models import User
from plans.access import linkable_goals
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan
from plans.selectors import GapViews, gaps_with_views_apart

from .access import conversations_of, reports_of
from .cadence import CadenceStatus, Policy, unit_policies
from .models import (
    AgendaItem,
    Agreement,
    Conversation,
    ConversationPrivateNote,
    Kind,
    PreparationAnswer,
    PreparationQuestion,
    SharedNote,
)
from .reminders import team_cadence

PAST_LIMIT = 100


@dataclass
class ConversationList:
    upcoming: list[Conversation]
    past: list[Conversation]


def _is_upcoming(conversation: Conversation, now: datetime.datetime) -> bool:
    return conversation.status == Conversation.Status.REQUESTED or (
        conversation.status == Conversation.Status.SCHEDULED and conversation.ends_at >= now
    )


def conversation_list(*, user: User, now: datetime.datetime) -> ConversationList:
    base = conversations_of(user).select_related("employee", "manager")
    upcoming = list(
        base.filter(
            Q(status=Conversation.Status.REQUESTED)
            | Q(
                status=Conversation.Status.SCHEDULED,
                starts_at__gte=now - datetime.timedelta(hours=8),
            )
        ).order_by("starts_at", "id")
    )
    upcoming = [c for c in upcoming if _is_upcoming(c, now)]
    upcoming.sort(key=lambda c: (c.starts_at is not None, c.starts_at or now))
    past = list(
        base.exclude(pk__in=[c.pk for c in upcoming])
        .exclude(status=Conversation.Status.REQUESTED)
        .order_by("-starts_at", "-id")[:PAST_LIMIT]
    )
    return ConversationList(upcoming=upcoming, past=past)


@dataclass
class QuestionLine:
    question: PreparationQuestion
    mine: str
    theirs: str | None  # None: not visible (yet)
    errors: list[str] = field(default_factory=list)  # of the answer as typed


@dataclass
class ConversationPage:
    conversation: Conversation
    viewer: User
    now: datetime.datetime
    agenda: list[AgendaItem]
    questions: list[QuestionLine]
    shared_note: SharedNote | None
    private_note: ConversationPrivateNote | None
    agreements: list[Agreement]
    gaps: list[CompetencyGap]
    goals: list
    previous: Conversation | None
    other_answered: bool = False
    their_questions: list[QuestionLine] = field(default_factory=list)

    @property
    def is_manager(self) -> bool:
        return self.viewer.pk == self.conversation.manager_id

    @property
    def other(self) -> User:
        return self.conversation.other_party(self.viewer)

    @property
    def started(self) -> bool:
        return self.conversation.has_started(self.now)

    @property
    def can_mark_held(self) -> bool:
        return self.is_manager and self.started and self.conversation.status == "scheduled"

    @property
    def writable(self) -> bool:
        return self.conversation.status != Conversation.Status.CANCELLED

    @property
    def agenda_open(self) -> bool:
        return self.conversation.is_open

    @cached_property
    def suggestions(self) -> dict[int, tuple[str, str]]:
        """Per agreement not yet on the plan: the gap or goal and the kind of action its
        words suggest ("" when they suggest none: the person chooses)."""
        return {
            agreement.pk: suggest_for_agreement(agreement.text, self.gaps, self.goals)
            for agreement in self.agreements
            if not agreement.on_plan
        }

    @property
    def individual_goals(self) -> list:
        return [
            goal for goal in self.goals if goal.owner_person_id == self.conversation.employee_id
        ]


# Words in an agreement that say which kind of development action it is (Dutch and
# English), one entry per kind.
KIND_WORDS: dict[str, tuple[str, ...]] = {
    DevelopmentAction.Kind.TRAINING: ("training", "cursus", "opleiding", "workshop", "course"),
    DevelopmentAction.Kind.ELEARNING: ("e-learning", "elearning", "online module", "webinar"),
    DevelopmentAction.Kind.COACHING: ("coach", "coaching", "intervisie"),
    DevelopmentAction.Kind.MENTORING: ("mentor", "buddy", "maatje"),
    DevelopmentAction.Kind.SHADOWING: ("meelopen", "meeloop", "shadow", "kijkje"),
    DevelopmentAction.Kind.JOB_CRAFTING: ("job crafting", "taken anders", "taak anders"),
    DevelopmentAction.Kind.ASSIGNMENT: ("opdracht", "project", "assignment"),
    DevelopmentAction.Kind.CONFERENCE: ("congres", "conferentie", "symposium", "conference"),
    DevelopmentAction.Kind.SELF_STUDY: ("zelfstudie", "boek", "lezen", "self-study", "read"),
}
_WORD = re.compile(r"[\w-]{4,}")


def _words(text: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(text)}


def suggest_for_agreement(text: str, gaps: list, goals: list) -> tuple[str, str]:
    """The target (``gap:<uuid>`` or ``goal:<uuid>``) sharing the most words with the
    agreement, and the kind of action its words name; "" for either when nothing fits."""
    words = _words(text)
    lowered = text.lower()
    options = [(f"gap:{gap.uuid}", _words(gap.competency.name)) for gap in gaps]
    options += [(f"goal:{goal.uuid}", _words(goal.title)) for goal in goals]
    scored = sorted(((len(words & found), key) for key, found in options), reverse=True)
    target = scored[0][1] if scored and scored[0][0] > 0 else ""
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        target = ""  # a tie: no honest guess
    kind = next(
        (str(kind) for kind, cues in KIND_WORDS.items() if any(cue in lowered for cue in cues)),
        "",
    )
    return target, kind


def side_of(conversation: Conversation, user: User) -> str:
    """Which side of the conversation ``user`` is on (a ``PreparationQuestion.Audience``)."""
    Audience = PreparationQuestion.Audience
    return Audience.EMPLOYEE if user.pk == conversation.employee_id else Audience.MANAGER


def preparation_questions(
    *, conversation: Conversation, answerable: bool = False, side: str | None = None
) -> QuerySet[PreparationQuestion]:
    """The questions the conversation's page asks (its kind's, in use, and those retired
    since that were answered in it: answers are kept); ``answerable``: also the other
    retired ones, so that an answer typed on a page opened before that is saved rather
    than refused. ``side``: only those asked of that side (its own and those for both)."""
    questions = PreparationQuestion.objects.filter(
        organisation_id=conversation.organisation_id, kind=conversation.kind
    )
    if side is not None:
        questions = questions.filter(audience__in=(PreparationQuestion.Audience.BOTH, side))
    if answerable:
        return questions
    answered = PreparationAnswer.objects.filter(conversation=conversation, question=OuterRef("pk"))
    return questions.filter(Q(is_active=True) | Q(Exists(answered)))


def agenda_from_plan_now(conversation: Conversation) -> list[AgendaItem]:
    """What the plan puts on the agenda of a conversation still to be held, as it is now
    (unsaved items): the gaps on which the employee's and the manager's views of the
    current level are far apart, and feedback about the plan received since the last
    conversation (its items' titles; answers stay on the request's page). Both change up
    to the conversation itself, so they are read each time, and stored on the agenda when
    the conversation is marked held (``services.conversation_mark_held``). Only for a
    conversation with the employee's current line manager: a former manager does not
    read the plan."""
    employee = conversation.employee
    if not conversation.is_open or conversation.manager_id != employee.line_manager_id:
        return []
    apart = gaps_with_views_apart(employee_id=employee.pk)
    items = [_gap_item(conversation, line) for line in apart]
    # Since the last conversation was marked held: its agenda kept what came before.
    last = last_held(conversation)
    since = (last.held_at or last.starts_at) if last else None
    received = feedback_received_since(employee=employee, since=since)
    items += [
        AgendaItem(
            conversation=conversation,
            text=", ".join(line.titles)[:300],
            source=AgendaItem.Source.FEEDBACK,
        )
        for line in received
    ]
    return items


def last_held(conversation: Conversation) -> Conversation | None:
    """The employee's last conversation held before this one with the same manager (whose
    agreements carry over: a new manager does not read a former manager's conversation)."""
    earlier = Conversation.objects.filter(
        employee_id=conversation.employee_id,
        manager_id=conversation.manager_id,
        status=Conversation.Status.HELD,
    ).exclude(pk=conversation.pk)
    if conversation.starts_at:
        earlier = earlier.filter(starts_at__lt=conversation.starts_at)
    return earlier.order_by("-starts_at", "-id").first()


def _gap_item(conversation: Conversation, line: GapViews) -> AgendaItem:
    item = AgendaItem(
        conversation=conversation,
        text=line.gap.competency.name[:300],
        source=AgendaItem.Source.GAP,
        gap=line.gap,
    )
    item.views = line
    return item


def conversation_page(
    *, conversation: Conversation, viewer: User, now: datetime.datetime
) -> ConversationPage:
    agenda = list(
        conversation.agenda_items.select_related("author", "action", "goal", "agreement__owner")
    )
    agenda += agenda_from_plan_now(conversation)
    questions = list(preparation_questions(conversation=conversation))
    answers = {
        (answer.question_id, answer.author_id): answer.body
        for answer in PreparationAnswer.objects.filter(conversation=conversation)
    }
    other_id = conversation.other_party(viewer).pk
    started = conversation.has_started(now)
    side, both = side_of(conversation, viewer), PreparationQuestion.Audience.BOTH
    lines = [
        QuestionLine(
            question=question,
            mine=answers.get((question.pk, viewer.pk), ""),
            theirs=answers.get((question.pk, other_id), "")
            if started and question.audience == both
            else None,
        )
        for question in questions
        if question.audience in (both, side)
    ]
    # The other side's own questions, with their answers, once the conversation started.
    their_lines = [
        QuestionLine(question=question, mine="", theirs=answers.get((question.pk, other_id), ""))
        for question in questions
        if started and question.audience not in (both, side)
    ]
    # The plan's gaps and goals only for those who may edit the plan now (not a former
    # manager who still has the old conversation).
    plan = (
        DevelopmentPlan.objects.filter(employee_id=conversation.employee_id).first()
        if viewer.pk == conversation.employee_id
        or viewer.pk == conversation.employee.line_manager_id
        else None
    )
    if plan is not None:
        plan.employee = conversation.employee  # the same person, already read
    gaps = list(plan.gaps.select_related("competency")) if plan else []
    goals = list(linkable_goals(plan=plan)) if plan else []
    previous = (
        conversations_of(viewer)
        .filter(employee_id=conversation.employee_id, status=Conversation.Status.HELD)
        .exclude(pk=conversation.pk)
        .filter(starts_at__lt=conversation.starts_at or now)
        .order_by("-starts_at")
        .first()
    )
    return ConversationPage(
        conversation=conversation,
        viewer=viewer,
        now=now,
        agenda=agenda,
        questions=lines,
        their_questions=their_lines,
        shared_note=SharedNote.objects.filter(conversation=conversation)
        .select_related("updated_by")
        .first(),
        private_note=ConversationPrivateNote.objects.filter(
            conversation=conversation, author=viewer
        ).first(),
        agreements=list(
            conversation.agreements.select_related(
                "owner", "plan_action__plan", "goal_update__goal"
            )
        ),
        gaps=gaps,
        goals=goals,
        previous=previous,
        other_answered=any(answers.get((q.pk, other_id)) for q in questions),
    )


def note_now(
    *, conversation: Conversation, user: User, private: bool
) -> SharedNote | ConversationPrivateNote | None:
    """The shared note (or the user's private note) as it is saved now."""
    if private:
        return ConversationPrivateNote.objects.filter(
            conversation=conversation, author=user
        ).first()
    return SharedNote.objects.filter(conversation=conversation).first()


# --- The plan page's fragment ------------------------------------------------------------


@dataclass
class PlanConversations:
    next: Conversation | None
    last: Conversation | None
    visible: bool


def plan_conversations(
    *, plan: DevelopmentPlan, viewer: User, now: datetime.datetime
) -> PlanConversations:
    """The person's next and last conversations, for a party to them (HR: not shown)."""
    if viewer.pk not in (plan.employee_id, plan.employee.line_manager_id):
        return PlanConversations(next=None, last=None, visible=False)
    mine = conversations_of(viewer).filter(employee_id=plan.employee_id).select_related("manager")
    upcoming = mine.filter(status=Conversation.Status.SCHEDULED, starts_at__gte=now)
    return PlanConversations(
        next=upcoming.order_by("starts_at").first(),
        last=mine.filter(status=Conversation.Status.HELD).order_by("-starts_at").first(),
        visible=True,
    )


# --- What a manager should do ----------------------------------------------------------

PREPARE_WITHIN = datetime.timedelta(days=14)


def conversations_to_prepare(*, manager: User, employee_ids: list[int]) -> dict[int, Conversation]:
    """Per report: their next conversation with ``manager`` within two weeks that the
    manager has not prepared yet (no answer of theirs), in one query."""
    now = timezone.now()
    answered = PreparationAnswer.objects.filter(
        conversation=OuterRef("pk"), author_id=manager.pk
    ).exclude(body="")
    found: dict[int, Conversation] = {}
    for conversation in (
        Conversation.objects.filter(
            employee_id__in=employee_ids,
            manager_id=manager.pk,
            status=Conversation.Status.SCHEDULED,
            starts_at__gte=now,
            starts_at__lte=now + PREPARE_WITHIN,
        )
        .exclude(Exists(answered))
        .order_by("starts_at")
    ):
        found.setdefault(conversation.employee_id, conversation)
    return found


# A conversation of the same kind this close to a new one is probably the same one.
NEARBY = datetime.timedelta(days=30)


def _shifted(moment: datetime.datetime, delta: datetime.timedelta) -> datetime.datetime:
    """``moment + delta``, held at the calendar's ends (a date typed in year 9999)."""
    try:
        return moment + delta
    except OverflowError:
        end = datetime.datetime.max if delta > datetime.timedelta(0) else datetime.datetime.min
        return end.replace(tzinfo=datetime.UTC)


def planned_nearby(*, employee: User, kind: str, around: datetime.datetime) -> list[Conversation]:
    """The employee's open conversations of ``kind`` (planned within ``NEARBY`` of
    ``around``, or requested without a time yet)."""
    return list(
        Conversation.objects.filter(
            employee=employee,
            kind=kind,
            status__in=[Conversation.Status.SCHEDULED, Conversation.Status.REQUESTED],
        )
        .filter(
            Q(starts_at__isnull=True)
            | Q(starts_at__gte=_shifted(around, -NEARBY), starts_at__lte=_shifted(around, NEARBY))
        )
        .order_by("starts_at")
    )


def kind_due_for(*, employee: User) -> str:
    """The kind of conversation the cadence policy says is due first for the employee
    ("" when none is overdue)."""
    organisation = employee.organisation
    today = timezone.localdate(timezone.now(), organisation.tzinfo)
    return team_cadence(organisation, today, [employee])[employee.pk].kind_due


# --- /team/ ------------------------------------------------------------------------------


@dataclass
class KindLine:
    kind: str
    label: str
    last: Conversation | None = None
    next: Conversation | None = None


@dataclass
class TeamRow:
    person: User
    kinds: list[KindLine]
    next_conversation: Conversation | None
    plan: DevelopmentPlan | None
    overdue_actions: int
    cadence: CadenceStatus
    policy: Policy
    proposed: list = field(default_factory=list)  # goals to review


@dataclass
class TeamOverview:
    rows: list[TeamRow] = field(default_factory=list)

    @property
    def overdue_count(self) -> int:
        return sum(1 for row in self.rows if row.cadence.is_overdue)


def team_overview(*, manager: User, now: datetime.datetime) -> TeamOverview:
    organisation = manager.organisation
    reports = list(reports_of(manager).select_related("unit").order_by("full_name"))
    if not reports:
        return TeamOverview()
    today = timezone.localdate(now, organisation.tzinfo)
    by_person: dict[int, list[Conversation]] = defaultdict(list)
    for conversation in (
        Conversation.objects.filter(employee__in=reports, manager=manager)
        .exclude(status=Conversation.Status.CANCELLED)
        .order_by("starts_at")
    ):
        by_person[conversation.employee_id].append(conversation)
    plans = {
        plan.employee_id: plan
        for plan in DevelopmentPlan.objects.filter(employee__in=reports).annotate(
            overdue=Count(
                "actions",
                filter=Q(
                    actions__status__in=[
                        DevelopmentAction.Status.PLANNED,
                        DevelopmentAction.Status.IN_PROGRESS,
                    ],
                    actions__due_date__lt=today,
                ),
            )
        )
    }
    policies = unit_policies(organisation)
    statuses = team_cadence(organisation, today, reports, policies=policies)
    proposed: dict[int, list[Goal]] = defaultdict(list)
    for goal in Goal.objects.filter(owner_person__in=reports, status=Goal.Status.PROPOSED).order_by(
        "proposed_at", "pk"
    ):
        proposed[goal.owner_person_id].append(goal)
    rows = []
    for person in reports:
        conversations = by_person[person.pk]
        kinds = []
        for kind in Kind:
            of_kind = [c for c in conversations if c.kind == kind and c.starts_at]
            line = KindLine(
                kind=kind,
                label=kind.label,
                last=next(
                    (c for c in reversed(of_kind) if c.status == Conversation.Status.HELD), None
                ),
                next=next(
                    (
                        c
                        for c in of_kind
                        if c.status == Conversation.Status.SCHEDULED and c.starts_at >= now
                    ),
                    None,
                ),
            )
            if line.last or line.next:
                kinds.append(line)
        upcoming = [
            c
            for c in conversations
            if c.status == Conversation.Status.SCHEDULED and c.starts_at >= now
        ]
        plan = plans.get(person.pk)
        rows.append(
            TeamRow(
                person=person,
                kinds=kinds,
                next_conversation=upcoming[0] if upcoming else None,
                plan=plan,
                overdue_actions=plan.overdue if plan else 0,
                cadence=statuses[person.pk],
                policy=policies.get(person.unit_id, policies[None]),
                proposed=proposed[person.pk],
            )
        )
    return TeamOverview(rows=rows)


def conversations_for_organisation(*, organisation_id: int) -> QuerySet[Conversation]:
    """Every conversation of an organisation with its agreements (for the API): dates,
    kinds, status and agreements; never notes, preparation or the agenda."""
    return (
        Conversation.objects.filter(organisation_id=organisation_id)
        .select_related("employee", "manager")
        .prefetch_related(
            Prefetch(
                "agreements",
                Agreement.objects.select_related("owner", "plan_action").order_by(
                    "created_at", "id"
                ),
            )
        )
    )
