"""Who may see what of feedback. Anything out of scope is 404.

- A request is seen by the person it is about, by whoever asked it and, for a request on a
  plan, by that person's line manager (that it was asked, by whom, its items, its due
  date and how many answered). Answers are read by the person it is about; by their
  manager only when they share them. Anonymous answers are never attributed to anyone.
- An invitation (the answer page) is seen by the person invited alone: not by the person
  the feedback is about, not by their manager, not by HR.
- HR sees upward feedback as organisation-wide aggregates (``selectors``), never a request.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from people.access import is_line_manager_of
from people.models import User

from .models import FeedbackQuestion, FeedbackRequest, Invitation


def requests_visible_to(user: User) -> QuerySet[FeedbackRequest]:
    if not user.is_authenticated or user.organisation_id is None:
        return FeedbackRequest.objects.none()
    return FeedbackRequest.objects.filter(organisation_id=user.organisation_id).filter(
        Q(about_id=user.pk)
        | Q(asked_by_id=user.pk)
        | Q(kind=FeedbackRequest.Kind.PLAN, about__line_manager_id=user.pk)
    )


def may_change(user: User, feedback: FeedbackRequest) -> bool:
    """Extend the due date: the person it is about, or whoever asked it."""
    return user.pk in (feedback.about_id, feedback.asked_by_id)


def may_read_answers(user: User, feedback: FeedbackRequest) -> bool:
    """The person it is about; their line manager only when they shared the answers."""
    if feedback.about_id == user.pk:
        return True
    return (
        feedback.kind == FeedbackRequest.Kind.PLAN
        and feedback.shared_with_manager
        and is_line_manager_of(user, feedback.about)
    )


def request_get_for_user(*, user: User, request_uuid: UUID, write: bool = False) -> FeedbackRequest:
    try:
        feedback = (
            requests_visible_to(user)
            .select_related("about__line_manager", "asked_by", "plan", "organisation")
            .get(uuid=request_uuid)
        )
    except FeedbackRequest.DoesNotExist as missing:
        raise Http404 from missing
    if write and not may_change(user, feedback):
        raise PermissionDenied
    return feedback


def invitations_of(user: User) -> QuerySet[Invitation]:
    if not user.is_authenticated or user.organisation_id is None:
        return Invitation.objects.none()
    return Invitation.objects.filter(
        person_id=user.pk, request__organisation_id=user.organisation_id
    )


def invitation_get_for_user(*, user: User, invitation_uuid: UUID) -> Invitation:
    try:
        return (
            invitations_of(user)
            .select_related("request__about", "request__organisation")
            .get(uuid=invitation_uuid)
        )
    except Invitation.DoesNotExist as missing:
        raise Http404 from missing


def hr_only(user: User) -> None:
    """HR's feedback pages; anyone else gets 404."""
    if not user.is_authenticated or user.organisation_id is None or not user.is_hr:
        raise Http404


def question_get_for_hr(*, user: User, question_uuid: UUID) -> FeedbackQuestion:
    hr_only(user)
    try:
        return FeedbackQuestion.objects.get(
            organisation_id=user.organisation_id, uuid=question_uuid
        )
    except FeedbackQuestion.DoesNotExist as missing:
        raise Http404 from missing


def may_launch_upward(user: User, manager: User) -> bool:
    """A manager for themself; HR for any manager of their organisation."""
    if not user.is_authenticated or manager.organisation_id != user.organisation_id:
        return False
    return manager.pk == user.pk or user.is_hr
