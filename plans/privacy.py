"""The plans app's part of the personal data export and the retention job
(``people.privacy``), and of the audit trail (``people.audit``); registered in
``PlansConfig.ready()``.

A person's own plan is theirs in full: the plan, its gaps, actions and steps, every
comment on it, its agreed versions, its history and its PDFs, and their own private
notes. On other people's plans (as their manager) only what they wrote or did: their
comments, the fields they changed (not the values: those are the other person's plan),
their akkoord. Someone else's private note on their plan is not theirs.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from people import audit, privacy
from people.models import Organisation, User

from .access import plans_visible_to
from .items import KINDS
from .models import (
    ActionStep,
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanChange,
    PlanComment,
    PlanExport,
    PlanVersion,
    PlanVisit,
    PrivateNote,
)

AUDIT_TYPE = "development_plan"


def _plan_links(viewer: User, object_ids: list[str]) -> dict[str, str]:
    return audit.links_by_uuid(
        plans_visible_to(viewer), object_ids, "plans:plan-detail", "plan_uuid"
    )


def _export(person: User) -> list[privacy.Section]:
    records = privacy.records
    own = Q(plan__employee=person)
    plan_of = ("plan", _("plan"))
    return [
        records(
            DevelopmentPlan.objects.filter(employee=person).select_related("manager_agreed_by"),
            (
                "period_start",
                "period_end",
                "status",
                "employee_ambition",
                "organisation_ambition",
                "yearly_budget",
                "employee_agreed_at",
                "manager_agreed_at",
                "manager_agreed_by",
                "created_at",
                "updated_at",
            ),
            model=DevelopmentPlan,
            title=_("Your development plan (POP)"),
        ),
        records(
            CompetencyGap.objects.filter(own).select_related("competency", "goal"),
            KINDS["gap"].snapshot_fields,
            model=CompetencyGap,
            title=_("Competencies you develop"),
        ),
        records(
            LevelAssessment.objects.filter(gap__plan__employee=person).select_related(
                "gap__competency", "author"
            ),
            ("gap", "side", "author", "level", "reason", "created_at"),
            model=LevelAssessment,
            title=_("Views of your current level: your own and your manager's"),
        ),
        records(
            DevelopmentAction.objects.filter(own).select_related("gap__competency", "goal"),
            KINDS["action"].snapshot_fields,
            model=DevelopmentAction,
            title=_("Your development actions"),
        ),
        records(
            ActionStep.objects.filter(action__plan__employee=person).select_related("action"),
            ("action", *KINDS["step"].snapshot_fields),
            model=ActionStep,
            title=_("Steps of your development actions"),
        ),
        records(
            PlanComment.objects.filter(own).select_related("author"),
            ("created_at", "author", "body"),
            model=PlanComment,
            title=_("Comments on your plan"),
        ),
        records(
            PrivateNote.objects.filter(author=person).select_related("plan__employee"),
            (plan_of, "created_at", "body"),
            model=PrivateNote,
            title=_("Your private notes on plans"),
            explanation=_("Only you see these."),
        ),
        records(
            PlanVersion.objects.filter(own).select_related("manager"),
            ("number", "employee_agreed_at", "manager_agreed_at", "manager", "snapshot"),
            model=PlanVersion,
            title=_("Agreed versions of your plan"),
        ),
        records(
            PlanChange.objects.filter(own).select_related("author"),
            ("at", "author", "operation", "item_type", "item_label", "field", "old", "new"),
            model=PlanChange,
            title=_("History of your plan"),
        ),
        records(
            PlanExport.objects.filter(own | Q(requested_by=person)).select_related(
                "plan__employee", "requested_by"
            ),
            (plan_of, "created_at", "requested_by", "language", "status", "pages", "finished_at"),
            model=PlanExport,
            title=_("PDFs made of your plan, or requested by you"),
        ),
        records(
            PlanVisit.objects.filter(user=person).select_related("plan__employee"),
            (plan_of, ("last_seen_at", _("last seen"))),
            model=PlanVisit,
            title=_("When you last opened a plan"),
        ),
        records(
            PlanComment.objects.filter(author=person).exclude(own).select_related("plan__employee"),
            (plan_of, "created_at", "body"),
            model=PlanComment,
            title=_("Your comments on other people's plans"),
        ),
        records(
            LevelAssessment.objects.filter(author=person)
            .exclude(gap__plan__employee=person)
            .select_related("gap__plan__employee", "gap__competency"),
            (("gap.plan", _("plan")), "gap", "level", "reason", "created_at"),
            model=LevelAssessment,
            title=_("Your views of the level of the people you manage"),
        ),
        records(
            PlanChange.objects.filter(author=person).exclude(own).select_related("plan__employee"),
            (plan_of, "at", "operation", "item_type", "field"),
            model=PlanChange,
            title=_("Your changes to other people's plans"),
            explanation=_("Which fields you changed; the values belong to that person's plan."),
        ),
        records(
            PlanVersion.objects.filter(manager=person)
            .exclude(own)
            .select_related("plan__employee"),
            (plan_of, "number", "manager_agreed_at"),
            model=PlanVersion,
            title=_("Plan versions you agreed to as manager"),
        ),
        records(
            DevelopmentPlan.objects.filter(manager_agreed_by=person)
            .exclude(employee=person)
            .select_related("employee"),
            ("employee", "manager_agreed_at"),
            model=DevelopmentPlan,
            title=_("You agreed as manager; waiting for the employee"),
        ),
    ]


def _anonymise(people: list[User]) -> None:
    """Clear the personal texts of the leavers' plans and remove their private notes,
    comments, history and PDFs; numbers, dates and statuses stay for the figures."""
    plans = DevelopmentPlan.objects.filter(employee__in=people)
    removed = gettext("(removed)")
    # A new page version: no cached fragment of these plans is shown again.
    plans.update(employee_ambition="", organisation_ambition="", page_version=F("page_version") + 1)
    CompetencyGap.objects.filter(plan__in=plans).update(why_it_matters="")
    LevelAssessment.objects.filter(gap__plan__in=plans).update(reason="")
    kinds = DevelopmentAction.Kind.choices
    DevelopmentAction.objects.filter(plan__in=plans).update(
        # An action's title becomes its kind ("training or course").
        title=Case(
            *(When(kind=kind, then=Value(str(label))) for kind, label in kinds),
            default=Value(removed),
        ),
        description="",
        knowledge_transfer="",
        reflection="",
    )
    ActionStep.objects.filter(action__plan__in=plans).update(title=removed)
    PlanComment.objects.filter(plan__in=plans).delete()
    PrivateNote.objects.filter(Q(plan__in=plans) | Q(author__in=people)).delete()
    PlanVersion.objects.filter(plan__in=plans).update(snapshot={})
    PlanChange.objects.filter(plan__in=plans).delete()
    PlanVisit.objects.filter(Q(plan__in=plans) | Q(user__in=people)).delete()
    _delete_with_files(PlanExport.objects.filter(plan__in=plans))


def _delete_with_files(exports) -> None:
    """PDF rows now, their files once the transaction has committed."""
    files = [(export.file.storage, export.file.name) for export in exports if export.file]
    exports.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


def _organisation_delete(organisation: Organisation) -> None:
    """Actions point at gaps, gaps at competencies (protected): in that order."""
    plans = DevelopmentPlan.objects.filter(organisation=organisation)
    _delete_with_files(PlanExport.objects.filter(plan__in=plans))
    DevelopmentAction.objects.filter(plan__in=plans).delete()
    CompetencyGap.objects.filter(plan__in=plans).delete()
    plans.delete()
    Competency.objects.filter(organisation=organisation).delete()


PLANS = privacy.PersonalData(
    app="plans",
    covers={
        "plans.DevelopmentPlan": ("employee", "manager_agreed_by"),
        "plans.CompetencyGap": (),
        "plans.LevelAssessment": ("author",),
        "plans.DevelopmentAction": (),
        "plans.ActionStep": (),
        "plans.PlanComment": ("author",),
        "plans.PrivateNote": ("author",),
        "plans.PlanVersion": ("manager",),
        "plans.PlanChange": ("author",),
        "plans.PlanVisit": ("user",),
        "plans.PlanExport": ("requested_by",),
    },
    export=_export,
    anonymise=_anonymise,
    organisation_delete=_organisation_delete,
)


def register() -> None:
    privacy.register(PLANS)
    parts = {name: kind.title for name, kind in KINDS.items() if kind.content}
    parts.update(
        {
            "page": _("plan page"),
            "comment": _("comment"),
            "akkoord": _("agreement to the plan"),
            "pdf": _("PDF"),
            "version": _("agreed version"),
            "history": _("change history"),
            "assessment": _("view of a level"),
        }
    )
    audit.register_object_type(
        AUDIT_TYPE,
        _("development plan"),
        parts=parts,
        links=_plan_links,
        withdrawn=[name for name, kind in KINDS.items() if not kind.content],
    )
