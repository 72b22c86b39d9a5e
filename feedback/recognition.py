"""Recognition: a compliment ("schouderklopje") on a completed step, a completed action or
an achieved goal (issue 19, item 5); and, on a completed action, the feedback received
about it beside the employee's reflection: what the learning brought (item 7).

Who may give one: anyone who can see the item, by the plans' and goals' own access rules
(the employee's line manager and HR see the plan; colleagues see the goals shared with
the team or the organisation), never the receiver themself. Each compliment is a
notification to the receiver through the outbox. What reads compliments reads them here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from goals.access import goals_visible_to
from goals.models import Goal
from people.models import User
from people.outbox import outbox_send
from plans.access import plans_visible_to
from plans.models import ActionStep, DevelopmentAction, DevelopmentPlan

from .models import Compliment
from .selectors import Results, action_feedback

KINDS = ("step", "action", "goal")


@dataclass(frozen=True)
class Target:
    """A completed item someone may be complimented on, as one viewer may see it."""

    kind: str
    item: models.Model
    receiver: User

    @property
    def title(self) -> str:
        return self.item.title

    @property
    def link(self) -> str:
        """Where the item shows: its place on the plan, or the goal's page."""
        if self.kind == "goal":
            return self.item.get_absolute_url()
        action = self.item.action if self.kind == "step" else self.item
        return f"{action.plan.get_absolute_url()}#item-{self.kind}-{self.item.uuid}"


def _completed(kind: str, user: User) -> models.QuerySet:
    """The completed items of ``kind`` that ``user`` can see."""
    plans = plans_visible_to(user)
    if kind == "step":
        return ActionStep.objects.filter(action__plan__in=plans, done_on__isnull=False)
    if kind == "action":
        done = DevelopmentAction.Status.DONE
        return DevelopmentAction.objects.filter(plan__in=plans, status=done)
    return goals_visible_to(user).filter(level=Goal.Level.INDIVIDUAL, status=Goal.Status.ACHIEVED)


def compliment_target_for(*, user: User, kind: str, item_uuid) -> Target:
    """The item as ``user`` may see it; 404 when it is not a completed item they can see."""
    if kind not in KINDS:
        raise Http404
    related = {
        "step": "action__plan__employee",
        "action": "plan__employee",
        "goal": "owner_person",
    }[kind]
    item = _completed(kind, user).select_related(related).filter(uuid=item_uuid).first()
    if item is None:
        raise Http404
    receiver = {
        "step": lambda: item.action.plan.employee,
        "action": lambda: item.plan.employee,
        "goal": lambda: item.owner_person,
    }[kind]()
    return Target(kind=kind, item=item, receiver=receiver)


def may_compliment(user: User, target: Target) -> bool:
    return user.pk != target.receiver.pk


@transaction.atomic
def compliment_give(*, target: Target, by: User, text: str) -> Compliment:
    """Store the compliment and notify the receiver (one outbox row per channel, in this
    transaction)."""
    if not may_compliment(by, target):
        raise PermissionDenied
    compliment = Compliment.objects.create(
        organisation_id=target.receiver.organisation_id,
        giver=by,
        receiver=target.receiver,
        text=text,
        **{target.kind: target.item},
    )
    outbox_send(
        recipient=target.receiver,
        kind="compliment",
        context={"name": by.full_name, "title": target.title, "text": text},
        link=target.link,
    )
    return compliment


# --- Reads -------------------------------------------------------------------------------


def compliments_on(kind: str, items: list[models.Model]) -> dict[int, list[Compliment]]:
    """The compliments on each of ``items`` (of one kind), oldest first, in one query."""
    found: dict[int, list[Compliment]] = defaultdict(list)
    if not items:
        return found
    rows = Compliment.objects.filter(**{f"{kind}__in": items}).select_related("giver")
    for compliment in rows:
        found[getattr(compliment, f"{kind}_id")].append(compliment)
    return found


@dataclass
class Slot:
    """One completed item's compliments and whether the viewer may add one."""

    target: Target
    compliments: list[Compliment]
    can_give: bool
    #: A completed action's feedback the viewer may read: shown with the reflection.
    feedback: list[Results] = field(default_factory=list)

    @property
    def dom_id(self) -> str:
        return f"compliments-{self.target.kind}-{self.target.item.uuid}"


def plan_slots(*, plan: DevelopmentPlan, viewer: User) -> list[Slot]:
    """The compliment slots of a plan page: its completed steps and actions, and the
    employee's achieved goals the viewer can see (a few queries, whatever the size)."""
    employee = plan.employee
    items = {
        "step": list(
            _completed("step", viewer)
            .filter(action__plan=plan)
            .select_related("action__plan__employee")
        ),
        "action": list(_completed("action", viewer).filter(plan=plan).select_related("plan")),
        "goal": list(_completed("goal", viewer).filter(owner_person_id=employee.pk)),
    }
    for step in items["step"]:
        step.action.plan.employee = employee
    for action in items["action"]:
        action.plan.employee = employee
    feedback = action_feedback(actions=items["action"], viewer=viewer)
    slots = []
    for kind, rows in items.items():
        compliments = compliments_on(kind, rows)
        for item in rows:
            target = Target(kind=kind, item=item, receiver=employee)
            slot = Slot(target, compliments[item.pk], may_compliment(viewer, target))
            if kind == "action":
                slot.feedback = feedback[item.pk]
            slots.append(slot)
    return slots


def slot_for(*, target: Target, viewer: User) -> Slot:
    compliments = compliments_on(target.kind, [target.item])[target.item.pk]
    slot = Slot(target, compliments, may_compliment(viewer, target))
    if target.kind == "action":
        slot.feedback = action_feedback(actions=[target.item], viewer=viewer)[target.item.pk]
    return slot


def team_feed(*, viewer: User, limit: int = 10) -> list[Compliment]:
    """The latest compliments received by people of the viewer's unit who share them
    (``User.share_compliments``, their own choice, off until they turn it on)."""
    if viewer.unit_id is None:
        return []
    return list(
        Compliment.objects.filter(
            organisation_id=viewer.organisation_id,
            receiver__unit_id=viewer.unit_id,
            receiver__share_compliments=True,
            receiver__is_active=True,
        )
        .select_related("giver", "receiver", "step", "action", "goal")
        .order_by("-created_at", "-id")[:limit]
    )
