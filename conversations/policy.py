"""HR's conversation policy in the app: the preparation questions per conversation kind
(add, reword, reorder, retire; answers to retired questions are kept) and the cadence
overrides per unit. Each change is audited."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest

from people.models import AuditEvent, Organisation, OrgUnit, User
from people.services import audit_record

from .models import PreparationQuestion, UnitCadence


def _audit(by: User, object_type: str, object_id: str, summary: str, request) -> None:
    audit_record(
        actor=by,
        action=AuditEvent.Action.CHANGE,
        object_type=object_type,
        object_id=object_id,
        summary=summary,
        request=request,
    )


@transaction.atomic
def question_add(
    *,
    organisation: Organisation,
    by: User,
    kind: str,
    audience: str,
    text_nl: str,
    text_en: str,
    request: HttpRequest | None = None,
) -> PreparationQuestion:
    """A new question, last in its kind's list, asked of the employee, the manager or both."""
    last = PreparationQuestion.objects.filter(organisation=organisation, kind=kind).aggregate(
        last=Max("position")
    )["last"]
    question = PreparationQuestion.objects.create(
        organisation=organisation,
        kind=kind,
        audience=audience,
        position=0 if last is None else last + 1,
        text_nl=text_nl,
        text_en=text_en,
    )
    _audit(by, "preparation question", str(question.uuid), "added", request)
    return question


@transaction.atomic
def question_reword(
    *,
    question: PreparationQuestion,
    by: User,
    audience: str,
    text_nl: str,
    text_en: str,
    request: HttpRequest | None = None,
) -> PreparationQuestion:
    """New wording, or another side to ask (answers given stay with their conversation)."""
    if (question.audience, question.text_nl, question.text_en) != (audience, text_nl, text_en):
        question.audience, question.text_nl, question.text_en = audience, text_nl, text_en
        question.save(update_fields=["audience", "text_nl", "text_en", "updated_at"])
        _audit(by, "preparation question", str(question.uuid), "reworded", request)
    return question


@transaction.atomic
def question_move(
    *, question: PreparationQuestion, by: User, up: bool, request: HttpRequest | None = None
) -> None:
    """Swap the question with its neighbour in its kind's list (positions renumbered
    0, 1, 2... so ties from older data sort out)."""
    siblings = list(
        PreparationQuestion.objects.select_for_update()
        .filter(organisation_id=question.organisation_id, kind=question.kind)
        .order_by("position", "id")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == question.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    PreparationQuestion.objects.bulk_update(siblings, ["position"])
    _audit(by, "preparation question", str(question.uuid), "moved", request)


@transaction.atomic
def question_set_active(
    *, question: PreparationQuestion, by: User, active: bool, request: HttpRequest | None = None
) -> None:
    """Retire a question (its answers stay with their conversations) or use it again."""
    if question.is_active != active:
        question.is_active = active
        question.save(update_fields=["is_active", "updated_at"])
        _audit(
            by,
            "preparation question",
            str(question.uuid),
            "in use" if active else "retired",
            request,
        )


@transaction.atomic
def unit_cadence_save(
    *, unit: OrgUnit, by: User, values: dict[str, int | None], request: HttpRequest | None = None
) -> UnitCadence | None:
    """A unit's own cadence; all fields empty removes the override (the parent's or the
    organisation's policy applies)."""
    if all(value is None for value in values.values()):
        UnitCadence.objects.filter(unit=unit).delete()
        cadence = None
    else:
        cadence, _created = UnitCadence.objects.update_or_create(unit=unit, defaults=values)
    _audit(by, "unit", str(unit.uuid), "cadence", request)
    return cadence
