"""Writes of the feedback app: asking, answering, declining, sharing, extending, and
launching upward rounds. Each asked person is told through the outbox, in the
transaction that asks them."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from people.access import is_line_manager_of
from people.models import AuditEvent, Organisation, User
from people.outbox import outbox_send
from people.services import audit_record_about
from plans.models import CompetencyGap, DevelopmentAction, DevelopmentPlan
from plans.services import VersionConflict, conditional_update

from .models import (
    ANONYMITY_FLOOR_MINIMUM,
    Answer,
    AskedQuestion,
    FeedbackItem,
    FeedbackPolicy,
    FeedbackQuestion,
    FeedbackRequest,
    Invitation,
    Subject,
)

__all__ = ["VersionConflict"]

AUDIT_TYPE = "feedback"
MAX_PEOPLE = 20

# The questions an organisation starts with; HR edits them (Dutch first, then English).
DEFAULT_QUESTIONS: dict[str, list[tuple[str, str]]] = {
    Subject.GAP: [
        (
            "Wat zie je mij al goed doen op dit gebied?",
            "What do you already see me do well in this area?",
        ),
        (
            "Wat zou ik kunnen doen om hierin verder te groeien?",
            "What could I do to grow further in this?",
        ),
    ],
    Subject.GOAL: [
        (
            "Hoe zie je mij bijdragen aan dit doel?",
            "How do you see me contributing to this goal?",
        ),
        (
            "Wat zou mij helpen dit doel te bereiken?",
            "What would help me reach this goal?",
        ),
    ],
    Subject.ACTION: [
        (
            "Wat heb je gemerkt van wat ik hiermee geleerd heb?",
            "What have you noticed of what I learned from this?",
        ),
        (
            "Hoe kan ik wat ik geleerd heb beter delen of toepassen?",
            "How could I share or apply what I learned better?",
        ),
    ],
    Subject.UPWARD: [
        (
            "Mijn leidinggevende neemt tijd voor mijn ontwikkeling.",
            "My manager makes time for my development.",
        ),
        (
            "Ik krijg van mijn leidinggevende bruikbare feedback.",
            "My manager gives me feedback I can use.",
        ),
        (
            "Mijn leidinggevende helpt mij mijn ontwikkelacties waar te maken.",
            "My manager helps me carry out my development actions.",
        ),
    ],
}


def policy_of(organisation: Organisation) -> FeedbackPolicy:
    """The organisation's policy; its defaults (unsaved) until HR changes it."""
    return FeedbackPolicy.objects.filter(organisation=organisation).first() or FeedbackPolicy(
        organisation=organisation
    )


def questions_of(
    organisation: Organisation, subject: str, *, create: bool = False
) -> list[FeedbackQuestion]:
    """The organisation's questions in use for ``subject``. Until HR changes them, the
    defaults: unsaved, or stored first with ``create`` (to change them)."""
    questions = FeedbackQuestion.objects.filter(organisation=organisation, subject=subject)
    if questions.exists():
        return list(questions.filter(is_active=True).order_by("position", "id"))
    defaults = [
        FeedbackQuestion(
            organisation=organisation, subject=subject, position=index, text_nl=nl, text_en=en
        )
        for index, (nl, en) in enumerate(DEFAULT_QUESTIONS[subject])
    ]
    if create:
        FeedbackQuestion.objects.bulk_create(defaults)
    return defaults


def _item_subject(item: object) -> str:
    if isinstance(item, CompetencyGap):
        return Subject.GAP
    if isinstance(item, Goal):
        return Subject.GOAL
    return Subject.ACTION


def _check_items(plan: DevelopmentPlan, items: Sequence[object]) -> None:
    if not items:
        raise ValidationError(_("Choose at least one item of the plan to ask about."))
    for item in items:
        if isinstance(item, CompetencyGap | DevelopmentAction):
            ok = item.plan_id == plan.pk
        else:
            ok = isinstance(item, Goal) and item.owner_person_id == plan.employee_id
        if not ok:
            raise ValidationError(_("Ask only about items of this plan."))


def _check_people(
    *, about: User, people: Sequence[User], anonymous: bool, floor: int
) -> list[User]:
    people = list(dict.fromkeys(people))
    if any(person.pk == about.pk for person in people):
        raise ValidationError(_("You cannot ask yourself for feedback."))
    if any(
        person.organisation_id != about.organisation_id or not person.is_active for person in people
    ):
        raise ValidationError(_("Ask only active colleagues of your organisation."))
    if not people:
        raise ValidationError(_("Choose at least one person to ask."))
    if len(people) > MAX_PEOPLE:
        raise ValidationError(_("Ask at most %(max)s people at once.") % {"max": MAX_PEOPLE})
    if anonymous and len(people) < floor:
        raise ValidationError(
            ngettext(
                "Anonymous feedback is shown only once %(floor)s person has answered: ask at "
                "least %(floor)s person.",
                "Anonymous feedback is shown only once %(floor)s people have answered: ask at "
                "least %(floor)s people.",
                floor,
            )
            % {"floor": floor}
        )
    return people


def _check_due(due_date: datetime.date) -> None:
    today = timezone.localdate()
    if due_date < today:
        raise ValidationError(_("The due date cannot be in the past."))
    if due_date > today + datetime.timedelta(days=366):
        raise ValidationError(_("Choose a due date within a year."))


def _copy_questions(feedback: FeedbackRequest, subjects: Sequence[str]) -> None:
    asked = []
    for subject in dict.fromkeys(subjects):
        for question in questions_of(feedback.organisation, subject):
            asked.append(
                AskedQuestion(
                    request=feedback,
                    subject=subject,
                    position=len(asked),
                    text_nl=question.text_nl,
                    text_en=question.text_en,
                    scored=subject == Subject.UPWARD,
                )
            )
    AskedQuestion.objects.bulk_create(asked)


def _invite(feedback: FeedbackRequest, people: Sequence[User]) -> None:
    invitations = Invitation.objects.bulk_create(
        Invitation(request=feedback, person=person) for person in people
    )
    for invitation in invitations:
        outbox_send(
            recipient=invitation.person,
            kind="feedback_asked",
            context={
                "request_id": feedback.pk,
                "name": feedback.about.full_name,
                "upward": feedback.is_upward,
                "anonymous": feedback.anonymous,
                "due": feedback.due_date.isoformat(),
            },
            link=invitation.get_absolute_url(),
        )


@transaction.atomic
def request_create(
    *,
    plan: DevelopmentPlan,
    by: User,
    items: Sequence[object],
    people: Sequence[User],
    due_date: datetime.date,
    anonymous: bool,
    share_description: bool,
    message: str = "",
) -> FeedbackRequest:
    """The employee, or their line manager, asks people for feedback about items of the
    plan. A request asked by the manager is announced to the employee."""
    employee = plan.employee
    if by.pk != employee.pk and not is_line_manager_of(by, employee):
        raise PermissionDenied
    floor = policy_of(plan.organisation).anonymity_floor
    _check_items(plan, items)
    people = _check_people(about=employee, people=people, anonymous=anonymous, floor=floor)
    _check_due(due_date)
    feedback = FeedbackRequest.objects.create(
        organisation=plan.organisation,
        kind=FeedbackRequest.Kind.PLAN,
        about=employee,
        plan=plan,
        asked_by=by,
        anonymous=anonymous,
        share_description=share_description,
        message=message.strip(),
        due_date=due_date,
    )
    FeedbackItem.objects.bulk_create(
        FeedbackItem(request=feedback, **{_item_subject(item): item}) for item in items
    )
    _copy_questions(feedback, [_item_subject(item) for item in items])
    _invite(feedback, people)
    if by.pk != employee.pk:
        outbox_send(
            recipient=employee,
            kind="feedback_asked_for_you",
            context={"request_id": feedback.pk, "name": by.full_name, "count": len(people)},
            link=feedback.get_absolute_url(),
        )
        audit_record_about(
            actor=by,
            subject=employee,
            action=AuditEvent.Action.CHANGE,
            object_type=AUDIT_TYPE,
            object_id=str(feedback.uuid),
            summary="ask",
        )
    return feedback


@transaction.atomic
def upward_round_launch(*, manager: User, by: User, due_date: datetime.date) -> FeedbackRequest:
    """Ask a manager's reports, anonymously, about the manager's support of their
    development. HR may launch it for any manager, a manager for themself."""
    if manager.organisation_id != by.organisation_id or not (by.pk == manager.pk or by.is_hr):
        raise PermissionDenied
    floor = policy_of(manager.organisation).anonymity_floor
    reports = list(User.objects.filter(line_manager=manager, is_active=True).order_by("pk"))
    if len(reports) < floor:
        raise ValidationError(
            _(
                "An upward round needs at least %(floor)s reports, so that no answer can be "
                "traced to its author; %(name)s has %(count)s."
            )
            % {"floor": floor, "name": manager.full_name, "count": len(reports)}
        )
    _check_due(due_date)
    feedback = FeedbackRequest.objects.create(
        organisation=manager.organisation,
        kind=FeedbackRequest.Kind.UPWARD,
        about=manager,
        asked_by=by,
        anonymous=True,
        due_date=due_date,
    )
    _copy_questions(feedback, [Subject.UPWARD])
    _invite(feedback, reports)
    return feedback


def is_open(feedback: FeedbackRequest) -> bool:
    return timezone.localdate() <= feedback.due_date


def _check_answerable(invitation: Invitation, by: User) -> None:
    if invitation.person_id != by.pk:
        raise PermissionDenied
    if not is_open(invitation.request):
        raise ValidationError(_("The due date has passed: answers can no longer be changed."))


@transaction.atomic
def answer_save(
    *,
    invitation: Invitation,
    question: AskedQuestion,
    by: User,
    body: str,
    score: int | None,
    expected_version: int,
) -> Answer:
    """Save one answer as its author types. Raises ``VersionConflict`` (with the answer as
    it is now) when it was saved elsewhere since ``expected_version`` (another tab)."""
    _check_answerable(invitation, by)
    if question.request_id != invitation.request_id:
        raise PermissionDenied
    if score is not None and not question.scored:
        score = None
    answer, created = Answer.objects.get_or_create(
        invitation=invitation, question=question, defaults={"version": 1}
    )
    if created and expected_version != 1:
        raise VersionConflict(answer)
    conditional_update(
        item=answer, expected_version=expected_version, changes={"body": body, "score": score}
    )
    answer.refresh_from_db()
    has_content = (
        Answer.objects.filter(invitation=invitation)
        .filter(~Q(body="") | Q(score__isnull=False))
        .exists()
    )
    status = Invitation.Status.ANSWERED if has_content else Invitation.Status.INVITED
    # Not ``updated_at``: when someone answered is not kept, so it cannot be told.
    Invitation.objects.filter(pk=invitation.pk).exclude(status=status).update(
        status=status, version=F("version") + 1
    )
    return answer


@transaction.atomic
def invitation_decline(*, invitation: Invitation, by: User) -> Invitation:
    """Decline: whatever was answered is removed."""
    _check_answerable(invitation, by)
    invitation.answers.all().delete()
    Invitation.objects.filter(pk=invitation.pk).update(
        status=Invitation.Status.DECLINED, version=F("version") + 1
    )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def invitation_reopen(*, invitation: Invitation, by: User) -> Invitation:
    """Changed one's mind after declining: answer after all."""
    _check_answerable(invitation, by)
    Invitation.objects.filter(pk=invitation.pk, status=Invitation.Status.DECLINED).update(
        status=Invitation.Status.INVITED, version=F("version") + 1
    )
    invitation.refresh_from_db()
    return invitation


@transaction.atomic
def due_date_extend(
    *, feedback: FeedbackRequest, by: User, due_date: datetime.date
) -> FeedbackRequest:
    if by.pk not in (feedback.about_id, feedback.asked_by_id):
        raise PermissionDenied
    if due_date <= feedback.due_date:
        raise ValidationError(_("Choose a date after the current due date."))
    _check_due(due_date)
    return _request_change(feedback, due_date=due_date)


@transaction.atomic
def request_share(*, feedback: FeedbackRequest, by: User, shared: bool) -> FeedbackRequest:
    """The person the feedback is about shares its answers with their manager, or stops."""
    if by.pk != feedback.about_id or feedback.is_upward:
        raise PermissionDenied
    return _request_change(feedback, shared_with_manager=shared)


def _request_change(feedback: FeedbackRequest, **fields) -> FeedbackRequest:
    """Change a request's own fields and its version in one update, and read it back."""
    FeedbackRequest.objects.filter(pk=feedback.pk).update(**fields, version=F("version") + 1)
    feedback.refresh_from_db()
    return feedback


@transaction.atomic
def policy_save(*, organisation: Organisation, by: User, anonymity_floor: int) -> FeedbackPolicy:
    if not by.is_hr or by.organisation_id != organisation.pk:
        raise PermissionDenied
    if anonymity_floor < ANONYMITY_FLOOR_MINIMUM:
        raise ValidationError(_("Anonymous feedback needs at least 3 answers."))
    policy, created = FeedbackPolicy.objects.get_or_create(
        organisation=organisation, defaults={"anonymity_floor": anonymity_floor}
    )
    if not created:
        FeedbackPolicy.objects.filter(pk=policy.pk).update(
            anonymity_floor=anonymity_floor, version=F("version") + 1
        )
        policy.refresh_from_db()
    return policy


def _audit_policy(by: User, object_id: str, summary: str) -> None:
    from people.services import audit_record

    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type="feedback question",
        object_id=object_id,
        summary=summary,
    )


@transaction.atomic
def question_add(
    *, organisation: Organisation, by: User, subject: str, text_nl: str, text_en: str
) -> FeedbackQuestion:
    """A new question, last in its subject's list (the defaults are made first)."""
    existing = questions_of(organisation, subject, create=True)
    question = FeedbackQuestion.objects.create(
        organisation=organisation,
        subject=subject,
        position=max((q.position for q in existing), default=-1) + 1,
        text_nl=text_nl,
        text_en=text_en,
    )
    _audit_policy(by, str(question.uuid), "added")
    return question


@transaction.atomic
def questions_adopt(*, organisation: Organisation, by: User, subject: str) -> None:
    """Store the default questions of ``subject``, so HR can change them one by one."""
    if not FeedbackQuestion.objects.filter(organisation=organisation, subject=subject).exists():
        questions_of(organisation, subject, create=True)
        _audit_policy(by, subject, "adopted")


@transaction.atomic
def question_reword(
    *, question: FeedbackQuestion, by: User, text_nl: str, text_en: str
) -> FeedbackQuestion:
    """New wording; requests already made keep the words they were asked in."""
    if (question.text_nl, question.text_en) != (text_nl, text_en):
        question.text_nl, question.text_en = text_nl, text_en
        question.save(update_fields=["text_nl", "text_en", "updated_at"])
        _audit_policy(by, str(question.uuid), "reworded")
    return question


@transaction.atomic
def question_set_active(*, question: FeedbackQuestion, by: User, active: bool) -> None:
    if question.is_active != active:
        question.is_active = active
        question.save(update_fields=["is_active", "updated_at"])
        _audit_policy(by, str(question.uuid), "in use" if active else "retired")
