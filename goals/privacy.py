"""The goals app's part of the personal data export and the retention job
(``people.privacy``), and of the audit trail (``people.audit``); registered in
``GoalsConfig.ready()``.

A person's individual goals and every check-in on them are theirs in full. Of goals they
created, proposed or approved for someone else, and of check-ins they wrote on them,
only their own part: when, in which role, their comment or note.
"""

from __future__ import annotations

from django.db.models import Case, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people import audit, privacy
from people.models import Organisation, User
from people.services import delete_leaves_first

from .access import goals_visible_to
from .models import Goal, GoalUpdate

AUDIT_TYPE = "goal"
# Who proposed and reviewed a goal, and the reviewer's comment.
REVIEW: tuple[str, ...] = (
    "created_by",
    "proposed_by",
    "proposed_at",
    "approved_by",
    "approved_at",
    "review_comment",
)


def _goal_links(viewer: User, object_ids: list[str]) -> dict[str, str]:
    return audit.links_by_uuid(
        goals_visible_to(viewer), object_ids, "goals:goal-detail", "goal_uuid"
    )


def _export(person: User) -> list[privacy.Section]:
    records = privacy.records
    goal_ref = ("goal.uuid", _("goal"))
    return [
        records(
            Goal.objects.filter(owner_person=person).select_related(
                "parent", "created_by", "proposed_by", "approved_by"
            ),
            (
                "title",
                "description",
                "parent",
                "not_linked_reason",
                "metric",
                "start_value",
                "target_value",
                "current_value",
                "measure_unit",
                "feasibility_note",
                "start_date",
                "due_date",
                "status",
                "visibility",
                "weight",
                *REVIEW,
                "created_at",
            ),
            model=Goal,
            title=_("Your goals"),
        ),
        records(
            GoalUpdate.objects.filter(goal__owner_person=person).select_related("goal", "author"),
            ("goal", "recorded_at", "value", "confidence", "note", "author"),
            model=GoalUpdate,
            title=_("Check-ins on your goals"),
        ),
        records(
            Goal.objects.filter(
                Q(created_by=person) | Q(proposed_by=person) | Q(approved_by=person)
            )
            .exclude(owner_person=person)
            .select_related("created_by", "proposed_by", "approved_by"),
            ("level", *REVIEW),
            model=Goal,
            title=_("Goals of others that you created, proposed or reviewed"),
            explanation=_("Your part only; the goal itself belongs to its owner."),
        ),
        records(
            GoalUpdate.objects.filter(author=person)
            .exclude(goal__owner_person=person)
            .select_related("goal"),
            (goal_ref, "recorded_at", "value", "confidence", "note"),
            model=GoalUpdate,
            title=_("Your check-ins on other people's goals"),
        ),
    ]


def _anonymise(people: list[User]) -> None:
    """The leavers' individual goals keep their numbers, dates and status (the progress
    roll-up and the figures stay the same); their texts go."""
    goals = Goal.objects.filter(owner_person__in=people, level=Goal.Level.INDIVIDUAL)
    removed = gettext("(removed)")
    goals.update(
        title=removed,
        description="",
        feasibility_note="",
        review_comment="",
        # An unlinked goal must say why (a constraint); the reason itself goes.
        not_linked_reason=Case(When(not_linked_reason="", then=Value("")), default=Value(removed)),
    )
    GoalUpdate.objects.filter(goal__in=goals).update(note="")
    privacy.admin_history_forget(goals)


def _organisation_delete(organisation: Organisation) -> None:
    """Goals point at their parent (protected): the leaves go first."""
    delete_leaves_first(Goal.objects.filter(organisation=organisation))


GOALS = privacy.PersonalData(
    app="goals",
    covers={
        "goals.Goal": ("owner_person", "created_by", "proposed_by", "approved_by"),
        "goals.GoalUpdate": ("author",),
    },
    export=_export,
    anonymise=_anonymise,
    organisation_delete=_organisation_delete,
)


def register() -> None:
    privacy.register(GOALS)
    audit.register_object_type(
        AUDIT_TYPE,
        _("goal"),
        parts={
            "edit": _("edited"),
            "approve": _("approved"),
            "return": _("returned with a comment"),
            "check-in": _("check-in"),
            "assign": _("assigned from a team goal"),
        },
        links=_goal_links,
    )
