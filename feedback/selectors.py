"""Reads of the feedback app, each with what its page needs fetched up front.

Anonymous answers are shown merged: per question, every answer's text in an order drawn
afresh for each view (nothing kept, nothing derived from who answered or when), and only
once at least the organisation's floor of people answered. Per question on its own, so
one person's answers to two questions cannot be paired either.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Prefetch, Q
from django.utils.translation import get_language

from people.models import Organisation, User

from .access import may_read_answers
from .models import Answer, AskedQuestion, FeedbackItem, FeedbackRequest, Invitation, Subject
from .services import is_open, policy_of

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class NamedAnswer:
    author: str
    body: str
    score: int | None


@dataclass
class QuestionResult:
    question: AskedQuestion
    answers: list[NamedAnswer] = field(default_factory=list)  # named requests
    texts: list[str] = field(default_factory=list)  # anonymous: merged, shuffled
    scores: list[int] = field(default_factory=list)

    @property
    def mean(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    @property
    def distribution(self) -> list[tuple[int, int]]:
        counts = Counter(self.scores)
        return [(score, counts.get(score, 0)) for score in range(1, 6)]


@dataclass
class Results:
    """What the reader of a request's answers sees."""

    feedback: FeedbackRequest
    invited: int
    answered: int
    floor: int
    questions: list[QuestionResult]

    @property
    def shown(self) -> bool:
        return not self.feedback.anonymous or self.answered >= self.floor

    @property
    def missing(self) -> int:
        return max(self.floor - self.answered, 0)


def request_items(feedback: FeedbackRequest) -> list[FeedbackItem]:
    return list(feedback.items.select_related("gap__competency", "goal", "action").order_by("id"))


def counts(feedback: FeedbackRequest) -> tuple[int, int]:
    """(people asked, people who answered)."""
    found = feedback.invitations.aggregate(
        invited=Count("id"), answered=Count("id", filter=Q(status=Invitation.Status.ANSWERED))
    )
    return found["invited"], found["answered"]


def results(feedback: FeedbackRequest) -> Results:
    invited, answered = counts(feedback)
    floor = policy_of(feedback.organisation).anonymity_floor
    outcome = Results(feedback, invited, answered, floor, [])
    questions = {q.pk: QuestionResult(q) for q in feedback.questions.order_by("position", "id")}
    outcome.questions = list(questions.values())
    if not outcome.shown:
        return outcome  # nothing read: not even the answers' texts
    answers = Answer.objects.filter(
        invitation__request=feedback, invitation__status=Invitation.Status.ANSWERED
    ).filter(~Q(body="") | Q(score__isnull=False))
    if feedback.anonymous:
        for body, score, question_id in answers.values_list("body", "score", "question_id"):
            result = questions[question_id]
            if body:
                result.texts.append(body)
            if score is not None:
                result.scores.append(score)
        for result in outcome.questions:
            _shuffle(result.texts)
            _shuffle(result.scores)
    else:
        for answer in answers.select_related("invitation__person").order_by(
            "invitation__person__full_name", "id"
        ):
            person = answer.invitation.person
            questions[answer.question_id].answers.append(
                NamedAnswer(person.full_name if person else "—", answer.body, answer.score)
            )
    return outcome


@dataclass(frozen=True)
class InvitationLine:
    invitation: Invitation
    titles: list[str]
    is_open: bool


def inbox(user: User) -> list[InvitationLine]:
    """What the user was asked to answer: whom and what about, never by whom else."""
    invitations = (
        Invitation.objects.filter(person=user)
        .select_related("request__about")
        .prefetch_related(
            Prefetch(
                "request__items",
                queryset=FeedbackItem.objects.select_related("gap__competency", "goal", "action"),
            )
        )
        .order_by("-request__due_date", "-id")
    )
    return [
        InvitationLine(
            invitation,
            [item.title for item in invitation.request.items.all()],
            is_open(invitation.request),
        )
        for invitation in invitations
    ]


def requests_list(queryset) -> list[tuple[FeedbackRequest, list[str], int, int]]:
    """Requests with their item titles and counts, in a fixed number of queries."""
    feedback = list(
        queryset.select_related("about", "asked_by")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=FeedbackItem.objects.select_related("gap__competency", "goal", "action"),
            )
        )
        .annotate(
            invited_count=Count("invitations", distinct=True),
            answered_count=Count(
                "invitations",
                filter=Q(invitations__status=Invitation.Status.ANSWERED),
                distinct=True,
            ),
        )
        .order_by("-created_at", "-id")
    )
    return [
        (f, [i.title for i in f.items.all()], f.invited_count, f.answered_count) for f in feedback
    ]


def answer_form_rows(invitation: Invitation) -> list[tuple[AskedQuestion, Answer | None]]:
    answers = {a.question_id: a for a in invitation.answers.all()}
    return [(q, answers.get(q.pk)) for q in invitation.request.questions.order_by("position")]


@dataclass(frozen=True)
class UpwardFigure:
    question: str
    respondents: int
    mean: float | None


def upward_organisation(organisation: Organisation) -> tuple[int, list[UpwardFigure]]:
    """HR's view: per question text, the organisation-wide mean over every round that
    reached its floor, counted in people. Shown only when at least the dashboard's
    minimum group size of people answered (``None`` otherwise): the dashboard's rule."""
    floor = policy_of(organisation).anonymity_floor
    rounds = (
        FeedbackRequest.objects.filter(organisation=organisation, kind=FeedbackRequest.Kind.UPWARD)
        .annotate(
            answered=Count("invitations", filter=Q(invitations__status=Invitation.Status.ANSWERED))
        )
        .filter(answered__gte=floor)
    )
    people = Invitation.objects.filter(
        request__in=rounds, status=Invitation.Status.ANSWERED
    ).count()
    scores: dict[tuple[str, str], list[int]] = defaultdict(list)
    for text_nl, text_en, score in Answer.objects.filter(
        question__request__in=rounds,
        question__subject=Subject.UPWARD,
        score__isnull=False,
        invitation__status=Invitation.Status.ANSWERED,
    ).values_list("question__text_nl", "question__text_en", "score"):
        scores[(text_nl, text_en)].append(score)
    enough = people >= organisation.min_group_size
    english = get_language() == "en"
    return people, [
        UpwardFigure(
            text_en if english and text_en else text_nl,
            len(values),
            round(sum(values) / len(values), 1) if enough else None,
        )
        for (text_nl, text_en), values in scores.items()
    ]


# --- For a conversation's agenda ----------------------------------------------------------


@dataclass(frozen=True)
class ReceivedFeedback:
    """Feedback about items of someone's plan whose answers its reader now sees."""

    feedback: FeedbackRequest
    titles: list[str]


def feedback_received_since(
    *, employee: User, since: datetime.datetime | None
) -> list[ReceivedFeedback]:
    """Requests about ``employee``'s plan answered after ``since`` (None: ever) whose
    answers can be shown: named ones with an answer, anonymous ones once the floor of
    answers is reached (below it nothing is told, not even that someone answered). For
    the agenda: titles only, never answers, counts or names."""
    answered = Q(invitations__status=Invitation.Status.ANSWERED)
    requests = (
        FeedbackRequest.objects.filter(kind=FeedbackRequest.Kind.PLAN, about_id=employee.pk)
        .annotate(
            answered_count=Count("invitations", filter=answered, distinct=True),
            last_answer=Max("invitations__updated_at", filter=answered),
        )
        .filter(answered_count__gt=0)
        .prefetch_related(
            Prefetch(
                "items",
                queryset=FeedbackItem.objects.select_related("gap__competency", "goal", "action"),
            )
        )
        .order_by("created_at", "id")
    )
    if since is not None:
        requests = requests.filter(last_answer__gt=since)
    requests = list(requests)
    floor = policy_of(employee.organisation).anonymity_floor if requests else 0
    return [
        ReceivedFeedback(feedback, [item.title for item in feedback.items.all()])
        for feedback in requests
        if not feedback.anonymous or feedback.answered_count >= floor
    ]


# --- What learning brought ----------------------------------------------------------------


def action_feedback(*, actions: list, viewer: User) -> dict[int, list[Results]]:
    """Per completed action: the answers ``viewer`` may read of the feedback asked about
    it, where they can be shown (the floor holds for anonymous requests). Shown beside the
    employee's reflection: what the learning brought. Costs a query, then a few per
    request found."""
    found: dict[int, list[Results]] = defaultdict(list)
    if not actions:
        return found
    items = (
        FeedbackItem.objects.filter(action__in=actions, request__kind=FeedbackRequest.Kind.PLAN)
        .select_related("request__about", "request__organisation")
        .order_by("request__created_at", "id")
    )
    for item in items:
        feedback = item.request
        if not may_read_answers(viewer, feedback):
            continue
        outcome = results(feedback)
        if outcome.shown and any(q.texts or q.answers or q.scores for q in outcome.questions):
            found[item.action_id].append(outcome)
    return found


def actions_with_feedback(*, organisation: Organisation):
    """The ids of the organisation's development actions that received feedback whose
    answers can be shown (named: an answer; anonymous: the floor reached), as a subquery
    for the HR dashboard's figures (counts only, never who or what)."""
    floor = policy_of(organisation).anonymity_floor
    answered = Q(invitations__status=Invitation.Status.ANSWERED)
    shown = (
        FeedbackRequest.objects.filter(
            organisation_id=organisation.pk, kind=FeedbackRequest.Kind.PLAN
        )
        .annotate(answered_count=Count("invitations", filter=answered, distinct=True))
        .filter(
            Q(anonymous=False, answered_count__gt=0) | Q(anonymous=True, answered_count__gte=floor)
        )
    )
    return FeedbackItem.objects.filter(request__in=shown.values("pk"), action__isnull=False).values(
        "action_id"
    )
