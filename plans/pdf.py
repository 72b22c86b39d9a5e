"""The plan PDF and the blank POP template: one list of sections, two uses.

``SECTIONS`` is the single definition of what a POP contains. The plan PDF renders every
section with the plan's content; the blank template renders the same section templates
with ``blank=True``, which turns them into fillable form fields.

The agreements of the last conversation belong to the conversations app, which ``plans``
may not import (conversations depends on plans, not the other way round). ``plans``
therefore defines a small hook: ``register_agreements_source`` takes a function that,
given a plan, returns the last held conversation's agreements. The conversations app
registers its function in its ``AppConfig.ready()``; without one, the plan PDF says that
no conversation was recorded.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from goals.models import Goal
from people.models import Organisation, User
from pop_platform.pdf import print_context, render_pdf, render_pdf_counted

from .models import CompetencyGap, DevelopmentAction, DevelopmentPlan, PlanVersion
from .selectors import GoalLine, PlanBudget, plan_content, plan_goal_lines, plan_snapshot
from .versions import version_content

# Bump when the layout changes, so unchanged plans get a fresh file in the new layout.
LAYOUT_VERSION = 2
PLAN_MAX_PAGES = 150
TEMPLATE_MAX_PAGES = 20


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    blank_hint: str
    blank_rows: int = 0

    @property
    def template(self) -> str:
        return f"plans/pdf/sections/{self.key}.html"

    @property
    def blank_range(self) -> range:
        """Row numbers of the empty table rows in the blank template."""
        return range(1, self.blank_rows + 1)


SECTIONS: tuple[Section, ...] = (
    Section(
        "ambitions",
        _("Ambitions"),
        _("Where do you want to grow, and what does the organisation ask of you?"),
    ),
    Section(
        "goals",
        _("Goals"),
        _("Your goals for this period, and the strategic goal each one contributes to."),
        blank_rows=4,
    ),
    Section(
        "gaps",
        _("Competencies to develop"),
        _("Which competencies do you want to develop, from which level (1 to 5) to which?"),
        blank_rows=5,
    ),
    Section(
        "actions",
        _("Development actions"),
        _("What will you do to get there: a course, coaching, an assignment, job shadowing…"),
        blank_rows=5,
    ),
    Section("budget", _("Budget"), _("What does it cost, and does it fit the yearly budget?")),
    Section(
        "agreements",
        _("Agreements of the last conversation"),
        _("What did you agree, who does it, and by when?"),
        blank_rows=5,
    ),
)


# --- The agreements hook -----------------------------------------------------------------


@dataclass(frozen=True)
class Agreement:
    text: str
    owner: str
    due_date: datetime.date | None = None
    done: bool = False


@dataclass(frozen=True)
class ConversationAgreements:
    """The agreements of one held conversation, as plain values."""

    title: str
    held_on: datetime.date
    agreements: tuple[Agreement, ...]


AgreementsSource = Callable[[DevelopmentPlan], ConversationAgreements | None]
_agreement_sources: list[AgreementsSource] = []


def register_agreements_source(source: AgreementsSource) -> None:
    """Called by another app's ``AppConfig.ready()``; registering twice is harmless."""
    if source not in _agreement_sources:
        _agreement_sources.append(source)


def unregister_agreements_source(source: AgreementsSource) -> None:
    if source in _agreement_sources:
        _agreement_sources.remove(source)


def last_conversation_agreements(plan: DevelopmentPlan) -> ConversationAgreements | None:
    for source in _agreement_sources:
        found = source(plan)
        if found is not None:
            return found
    return None


# --- The plan document -------------------------------------------------------------------


@dataclass
class PlanDocument(PlanBudget):
    """Everything the plan PDF shows, read once with everything prefetched."""

    plan: DevelopmentPlan
    language: str
    gaps: list[CompetencyGap]
    actions: list[DevelopmentAction]
    goals: list[GoalLine]
    latest_version: PlanVersion | None
    agreements: ConversationAgreements | None
    manager: User | None = field(default=None)
    #: Set for the PDF of an agreed version: the document shows that version, frozen.
    version: PlanVersion | None = None
    #: False: an older version's snapshot holds no goals.
    goals_recorded: bool = True

    @property
    def employee(self) -> User:
        return self.plan.employee

    @property
    def organisation(self) -> Organisation:
        return self.plan.organisation

    @property
    def is_agreed(self) -> bool:
        return self.plan.status == DevelopmentPlan.Status.AGREED

    @property
    def agreement_manager(self) -> User | None:
        """Who gave the manager's akkoord on the agreed version shown."""
        if self.latest_version is not None and self.latest_version.manager is not None:
            return self.latest_version.manager
        return self.manager

    def fingerprint(self) -> str:
        """A hash of everything the PDF shows except the date it is made."""
        plan, employee, version = self.plan, self.employee, self.latest_version
        data = {
            "layout": LAYOUT_VERSION,
            "language": self.language,
            "content": plan_snapshot(plan=plan),
            "competencies": [gap.competency.name for gap in self.gaps],
            "serves": [
                [str(a.gap.competency.name if a.gap else ""), a.goal.title if a.goal else ""]
                for a in self.actions
            ],
            "status": plan.status,
            "akkoord": [plan.employee_agreed_at, plan.manager_agreed_at, plan.manager_agreed_by_id],
            "version": [version.number, version.agreed_at, version.manager_id] if version else None,
            "people": [
                employee.full_name,
                employee.job_title,
                employee.unit.name if employee.unit else "",
                self.manager.full_name if self.manager else "",
                self.organisation.name,
            ],
            "goals": [
                [
                    line.goal.pk,
                    line.goal.title,
                    line.goal.status,
                    line.goal.due_date,
                    line.path,
                    line.progress.percent,
                    line.progress.signal,
                ]
                for line in self.goals
            ],
            "agreements": asdict(self.agreements) if self.agreements else None,
        }
        encoded = json.dumps(data, sort_keys=True, default=str).encode()
        return hashlib.sha256(encoded).hexdigest()


def plan_document(*, plan_id: int, language: str) -> PlanDocument:
    plan = plan_content(plan_id=plan_id, comments=False)
    for action in plan.actions.all():
        action.step_list = list(action.steps.all())
    return PlanDocument(
        plan=plan,
        language=language,
        gaps=list(plan.gaps.all()),
        actions=list(plan.actions.all()),
        goals=plan_goal_lines(plan=plan, viewer=plan.employee),
        latest_version=plan.versions.select_related("manager").first(),
        agreements=last_conversation_agreements(plan),
        manager=plan.employee.line_manager,
    )


def version_document(*, plan: DevelopmentPlan, version: PlanVersion, language: str) -> PlanDocument:
    """An agreed version, for its PDF (the employee and their line manager: every goal)."""
    content = version_content(version=version, plan=plan, shown_goals=None)
    return PlanDocument(
        plan=content.plan,
        language=language,
        gaps=content.gaps,
        actions=content.actions,
        goals=content.goals or [],
        latest_version=version,
        agreements=None,
        manager=plan.employee.line_manager,
        version=version,
        goals_recorded=content.goals is not None,
    )


def owner_language(plan: DevelopmentPlan) -> str:
    return plan.employee.language or plan.organisation.default_language


def plan_html(*, document: PlanDocument, generated_at: datetime.datetime) -> str:
    with translation.override(document.language), timezone.override(document.organisation.tzinfo):
        context = print_context(organisation=document.organisation, generated_at=generated_at)
        return render_to_string(
            "plans/pdf/plan.html", {**context, "sections": SECTIONS, "doc": document}
        )


def plan_pdf(*, document: PlanDocument, generated_at: datetime.datetime) -> bytes:
    return plan_pdf_counted(document=document, generated_at=generated_at)[0]


def plan_pdf_counted(
    *, document: PlanDocument, generated_at: datetime.datetime
) -> tuple[bytes, int]:
    """The plan PDF and its number of pages."""
    html = plan_html(document=document, generated_at=generated_at)
    return render_pdf_counted(html=html, max_pages=PLAN_MAX_PAGES)


# --- The blank template ------------------------------------------------------------------


def strategic_goals(*, organisation: Organisation) -> list[Goal]:
    """The organisation's current strategic goals, for the person to link their own to."""
    return list(
        Goal.objects.filter(
            organisation=organisation, level=Goal.Level.ORGANISATION, status=Goal.Status.ACTIVE
        ).order_by("title")
    )


def template_fingerprint(*, organisation: Organisation, language: str, goals: list[Goal]) -> str:
    data = [LAYOUT_VERSION, organisation.pk, organisation.name, language]
    data += [[goal.pk, goal.title, goal.description, goal.due_date] for goal in goals]
    return hashlib.sha256(json.dumps(data, default=str).encode()).hexdigest()


def template_html(*, organisation: Organisation, language: str, goals: list[Goal]) -> str:
    with translation.override(language), timezone.override(organisation.tzinfo):
        context = print_context(organisation=organisation, generated_at=None)
        return render_to_string(
            "plans/pdf/plan.html",
            {**context, "sections": SECTIONS, "blank": True, "strategic_goals": goals},
        )


def template_pdf(*, organisation: Organisation, language: str, goals: list[Goal]) -> bytes:
    html = template_html(organisation=organisation, language=language, goals=goals)
    return render_pdf(html=html, max_pages=TEMPLATE_MAX_PAGES, forms=True)


def template_pdf_for(*, organisation: Organisation, language: str) -> bytes:
    """The blank template, cached per organisation, language and strategic goals."""
    goals = strategic_goals(organisation=organisation)
    fingerprint = template_fingerprint(organisation=organisation, language=language, goals=goals)
    key = f"pop-template-pdf:{fingerprint}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = template_pdf(organisation=organisation, language=language, goals=goals)
        cache.set(key, pdf, timeout=24 * 60 * 60)
    return pdf
