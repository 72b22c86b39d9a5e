"""PDFs from conversations: the report of a held conversation, and the agreements of the
last held conversation for the plan PDF.

The plan PDF lives in ``plans``, which may not import this app; ``plans.pdf`` offers a
hook that ``ConversationsConfig.ready()`` fills with ``last_held_agreements``.

A report shows what both parties share: the agenda, the shared notes and the agreements.
Private notes and preparation answers are never part of it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.utils import timezone, translation

from plans.models import DevelopmentPlan
from plans.pdf import Agreement as AgreementLine
from plans.pdf import ConversationAgreements
from pop_platform.pdf import print_context, render_pdf

from .models import AgendaItem, Conversation, SharedNote

REPORT_MAX_PAGES = 40


def last_held_agreements(plan: DevelopmentPlan) -> ConversationAgreements | None:
    """The agreements of the employee's most recent held conversation with their current
    line manager: the plan PDF is the document of those two, and a new manager may not
    read a conversation they were not part of."""
    held = Conversation.objects.filter(
        organisation_id=plan.organisation_id,
        employee_id=plan.employee_id,
        status=Conversation.Status.HELD,
    )
    manager_id = plan.employee.line_manager_id
    if manager_id is not None:
        held = held.filter(manager_id=manager_id)
    conversation = (
        held.order_by("-held_at", "-starts_at", "-id").prefetch_related("agreements__owner").first()
    )
    if conversation is None:
        return None
    held = timezone.localtime(conversation.held_at or conversation.starts_at)
    return ConversationAgreements(
        title=str(conversation.get_kind_display()).capitalize(),
        held_on=held.date(),
        agreements=tuple(
            AgreementLine(
                text=agreement.text,
                owner=agreement.owner.full_name if agreement.owner else "",
                due_date=agreement.due_date,
                done=agreement.status == agreement.Status.DONE,
            )
            for agreement in conversation.agreements.all()
        ),
    )


@dataclass
class ConversationReport:
    conversation: Conversation
    agenda: list[AgendaItem]
    shared_note: SharedNote | None
    agreements: list

    @property
    def language(self) -> str:
        employee = self.conversation.employee
        return employee.language or self.conversation.organisation.default_language


def conversation_report(*, conversation_id: int) -> ConversationReport:
    conversation = (
        Conversation.objects.select_related("employee__unit", "manager", "organisation")
        .prefetch_related(
            Prefetch("agenda_items", AgendaItem.objects.select_related("author")),
            "agreements__owner",
            "agreements__plan_action",
            "agreements__goal_update__goal",
        )
        .get(pk=conversation_id)
    )
    return ConversationReport(
        conversation=conversation,
        agenda=list(conversation.agenda_items.all()),
        shared_note=SharedNote.objects.filter(conversation=conversation).first(),
        agreements=list(conversation.agreements.all()),
    )


def report_pdf(*, report: ConversationReport, generated_at: datetime.datetime) -> bytes:
    """The report in the employee's language."""
    organisation = report.conversation.organisation
    with translation.override(report.language), timezone.override(organisation.tzinfo):
        context = print_context(organisation=organisation, generated_at=generated_at)
        html = render_to_string("conversations/pdf/report.html", {**context, "report": report})
    return render_pdf(html=html, max_pages=REPORT_MAX_PAGES)
