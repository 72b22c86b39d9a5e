"""Who may see and change a conversation.

A conversation belongs to its two parties: the employee and the manager who holds it.
Nobody else sees it — not colleagues, not other managers, and not HR: HR sees only
aggregate compliance with the cadence policy, never what was said (a deliberate choice;
a conversation's content is more personal than a plan). Outsiders get 404. The employee
reads and writes the conversation's content but only the manager schedules, reschedules,
cancels and marks it held (403 for the employee). Private notes belong to their author
alone; the other side's preparation answers show once the conversation has started.
"""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from people.access import organisation_get_for_hr
from people.models import User

from .models import Conversation, PreparationQuestion


def conversations_of(user: User) -> QuerySet[Conversation]:
    """The conversations ``user`` is a party to, as employee or as manager."""
    if not user.is_authenticated or user.organisation_id is None:
        return Conversation.objects.none()
    return Conversation.objects.filter(organisation_id=user.organisation_id).filter(
        Q(employee_id=user.pk) | Q(manager_id=user.pk)
    )


def conversation_get_for_user(
    *, user: User, conversation_uuid: UUID, manage: bool = False
) -> Conversation:
    """``manage``: scheduling, cancelling, marking held — the manager's part."""
    try:
        conversation = (
            conversations_of(user)
            .select_related("employee", "manager", "organisation")
            .get(uuid=conversation_uuid)
        )
    except Conversation.DoesNotExist as missing:
        raise Http404 from missing
    if manage and conversation.manager_id != user.pk:
        raise PermissionDenied
    return conversation


def reports_of(manager: User) -> QuerySet[User]:
    """The manager's active direct reports, whom they hold conversations with."""
    if not manager.is_authenticated or manager.organisation_id is None:
        return User.objects.none()
    return User.objects.filter(
        organisation_id=manager.organisation_id, line_manager_id=manager.pk, is_active=True
    )


def report_get_for_manager(*, manager: User, person_uuid: UUID) -> User:
    try:
        return reports_of(manager).get(uuid=person_uuid)
    except User.DoesNotExist as missing:
        raise Http404 from missing


def may_request(user: User) -> bool:
    """An employee asks their own line manager for a conversation."""
    return user.is_authenticated and user.organisation_id is not None and bool(user.line_manager_id)


def team_for_manager(user: User) -> QuerySet[User]:
    """``/team/``: a manager's reports; anyone who is not a manager gets 404."""
    if not user.is_authenticated or user.organisation_id is None or not user.is_manager:
        raise Http404
    return reports_of(user)


def question_get_for_hr(*, user: User, question_uuid: UUID) -> PreparationQuestion:
    """A preparation question of HR's own organisation; 404 for anyone else."""
    organisation = organisation_get_for_hr(user=user)
    try:
        return PreparationQuestion.objects.get(organisation=organisation, uuid=question_uuid)
    except PreparationQuestion.DoesNotExist as missing:
        raise Http404 from missing
