"""Conversation pages. Each part of a conversation page (agenda, preparation, notes,
private note, agreements) is a partial of one template: an htmx POST answers with the
updated part, a plain POST redirects back to it (post/redirect/get). Form errors and
version conflicts answer 200 with the part and the user's input kept."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from goals.models import Goal
from people.models import AuditEvent
from people.services import audit_record, audit_record_about
from plans.access import plan_get_for_user
from plans.models import DevelopmentAction

from . import access, selectors, services
from .calendar import conversation_ics as build_ics
from .calendar import ics_content_type
from .forms import (
    AgendaItemForm,
    AgreementForm,
    AgreementToPlanForm,
    NoteForm,
    PreparationForm,
    RequestForm,
    ScheduleForm,
    WhenForm,
)
from .models import Agreement, Conversation
from .privacy import AUDIT_TYPE
from .report import conversation_report, report_pdf

DETAIL = "conversations/conversation_detail.html"


def _page_context(request: HttpRequest, conversation: Conversation, **extra) -> dict:
    page = selectors.conversation_page(
        conversation=conversation, viewer=request.user, now=timezone.now()
    )
    context = {
        "page": page,
        "conversation": conversation,
        "agenda_form": AgendaItemForm(),
        "agreement_form": AgreementForm(conversation=conversation),
        "action_kinds": DevelopmentAction.Kind.choices,
        **extra,
    }
    note = page.shared_note
    context.setdefault(
        "note_form",
        NoteForm(
            initial={"body": note.body if note else "", "version": note.version if note else 1}
        ),
    )
    preparation = context.get("preparation_form")
    if preparation is not None:  # the answers as typed, with what is wrong with them
        for line in page.questions:
            name = f"answer-{line.question.pk}"
            if name in preparation.fields:
                line.mine, line.errors = preparation[name].value() or "", preparation[name].errors
    mine = page.private_note
    context.setdefault(
        "private_form",
        NoteForm(
            initial={"body": mine.body if mine else "", "version": mine.version if mine else 1},
            prefix="private",
        ),
    )
    return context


def _part(request: HttpRequest, conversation: Conversation, part: str, **extra) -> HttpResponse:
    """The updated part for htmx; otherwise back to the page (or the page with the
    user's input when something needs their attention)."""
    needs_attention = any(key in extra for key in ("conflict", "errors_in"))
    if request.htmx:
        context = _page_context(request, conversation, **extra)
        return render(request, f"{DETAIL}#{part}", context)
    if needs_attention:
        return render(request, DETAIL, _page_context(request, conversation, **extra))
    if extra.get("announce"):
        messages.success(request, extra["announce"])
    return redirect(f"{conversation.get_absolute_url()}#{part}")


@require_GET
def conversation_list(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        raise Http404
    lists = selectors.conversation_list(user=request.user, now=timezone.now())
    return render(
        request,
        "conversations/conversation_list.html",
        {
            "lists": lists,
            "may_schedule": access.reports_of(request.user).exists(),
            "may_request": access.may_request(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def conversation_new(request: HttpRequest) -> HttpResponse:
    """A manager schedules; an employee asks their manager for a conversation."""
    user = request.user
    reports = access.reports_of(user)
    mode = request.POST.get("mode") or request.GET.get("mode")
    if mode not in ("schedule", "request"):
        mode = "schedule" if reports.exists() else "request"
    if (mode == "schedule" and not reports.exists()) or (
        mode == "request" and not access.may_request(user)
    ):
        raise Http404
    data = request.POST if request.method == "POST" else None
    nearby: list[Conversation] = []
    if mode == "schedule":
        form = ScheduleForm(
            data, reports=reports, tz=user.organisation.tzinfo, initial=_schedule_initial(request)
        )
        nearby = _planned_nearby(form, request)
    else:
        form = RequestForm(data)
    if data is not None and form.is_valid() and not (nearby and not data.get("confirm_nearby")):
        values = form.cleaned_data
        try:
            if mode == "schedule":
                conversation = services.conversation_schedule(
                    manager=user,
                    employee=values["employee"],
                    kind=values["kind"],
                    starts_at=values["starts_at"],
                    duration_minutes=values["duration_minutes"],
                    location=values["location"],
                )
                messages.success(
                    request, _("The conversation is planned; you both receive an invitation.")
                )
            else:
                conversation = services.conversation_request(
                    employee=user, kind=values["kind"], note=values["note"]
                )
                messages.success(
                    request,
                    _("Your request is sent to %(name)s.") % {"name": user.line_manager.full_name},
                )
            return redirect(conversation)
        except ValidationError as error:
            form.add_error("date" if mode == "schedule" else None, error.messages)
    return render(
        request,
        "conversations/conversation_new.html",
        {
            "form": form,
            "mode": mode,
            "may_request": access.may_request(user),
            "may_schedule": reports.exists(),
            "nearby": nearby,
        },
    )


def _schedule_initial(request: HttpRequest) -> dict:
    """The report from the link, and the kind it names or else the one the cadence
    policy says is due for them."""
    initial = {"employee": request.GET.get("employee"), "kind": request.GET.get("kind")}
    if initial["employee"] and not initial["kind"]:
        employee = access.reports_of(request.user).filter(uuid=_uuid_or_none(initial["employee"]))
        person = employee.select_related("organisation").first()
        if person is not None:
            initial["kind"] = selectors.kind_due_for(employee=person)
    return initial


def _uuid_or_none(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def _planned_nearby(form: ScheduleForm, request: HttpRequest) -> list[Conversation]:
    """Open conversations of the chosen kind with the chosen report, close to the chosen
    time (or, before a time is chosen, to now): a second one is probably a mistake."""
    if form.is_bound:
        if not form.is_valid():
            return []
        employee, kind = form.cleaned_data["employee"], form.cleaned_data["kind"]
        around = form.cleaned_data["starts_at"]
    else:
        people = access.reports_of(request.user)
        employee = people.filter(uuid=_uuid_or_none(form.initial.get("employee") or "")).first()
        kind, around = form.initial.get("kind"), timezone.now()
    if employee is None or not kind:
        return []
    return selectors.planned_nearby(employee=employee, kind=kind, around=around)


def _audit(request: HttpRequest, conversation: Conversation, action: str, part: str) -> None:
    """Reads by the manager, and exports by either party, go to the audit trail."""
    record = audit_record if action == AuditEvent.Action.EXPORT else audit_record_about
    record(
        actor=request.user,
        subject=conversation.employee,
        action=action,
        object_type=AUDIT_TYPE,
        object_id=str(conversation.uuid),
        summary=part,
    )


@require_GET
def conversation_detail(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = access.conversation_get_for_user(
        user=request.user, conversation_uuid=conversation_uuid
    )
    _audit(request, conversation, AuditEvent.Action.READ, "page")
    return render(request, DETAIL, _page_context(request, conversation))


@require_GET
def conversation_ics(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = access.conversation_get_for_user(
        user=request.user, conversation_uuid=conversation_uuid
    )
    if conversation.starts_at is None:
        raise Http404
    _audit(request, conversation, AuditEvent.Action.EXPORT, "ics")
    with translation.override(request.user.language):
        body = build_ics(conversation)
    response = HttpResponse(body, content_type=ics_content_type(conversation))
    response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.uuid}.ics"'
    return response


@never_cache
@require_GET
def conversation_report_pdf(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    """The report of a held conversation, for its two parties (no private notes)."""
    conversation = access.conversation_get_for_user(
        user=request.user, conversation_uuid=conversation_uuid
    )
    if conversation.status != Conversation.Status.HELD:
        raise Http404
    _audit(request, conversation, AuditEvent.Action.EXPORT, "report")
    report = conversation_report(conversation_id=conversation.pk)
    pdf = report_pdf(report=report, generated_at=timezone.now())
    day = timezone.localtime(conversation.starts_at).date()
    filename = slugify(f"{conversation.get_kind_display()} {conversation.employee.full_name} {day}")
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}.pdf"'},
    )


@require_http_methods(["GET", "POST"])
def conversation_reschedule(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = access.conversation_get_for_user(
        user=request.user, conversation_uuid=conversation_uuid, manage=True
    )
    if not conversation.is_open:
        raise PermissionDenied
    tz = conversation.organisation.tzinfo
    initial = {"duration_minutes": conversation.duration_minutes, "location": conversation.location}
    if conversation.starts_at:
        local = timezone.localtime(conversation.starts_at, tz)
        initial.update(date=local.date(), time=local.time())
    form = WhenForm(request.POST if request.method == "POST" else None, tz=tz, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.conversation_reschedule(
                conversation=conversation,
                by=request.user,
                starts_at=form.cleaned_data["starts_at"],
                duration_minutes=form.cleaned_data["duration_minutes"],
                location=form.cleaned_data["location"],
            )
        except ValidationError as error:
            form.add_error("date", error.messages)
        else:
            messages.success(
                request, _("The new time is saved; you both receive an updated invitation.")
            )
            return redirect(conversation)
    return render(
        request,
        "conversations/conversation_reschedule.html",
        {"form": form, "conversation": conversation},
    )


def _transition(request: HttpRequest, conversation_uuid: UUID, service, done: str) -> HttpResponse:
    conversation = access.conversation_get_for_user(
        user=request.user, conversation_uuid=conversation_uuid, manage=True
    )
    try:
        service(conversation=conversation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect(conversation)


@require_POST
def conversation_cancel(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    return _transition(
        request,
        conversation_uuid,
        services.conversation_cancel,
        _("The conversation is cancelled; you both receive a cancellation."),
    )


@require_POST
def conversation_held(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    return _transition(
        request,
        conversation_uuid,
        services.conversation_mark_held,
        _("The conversation is marked as held."),
    )


def _writable(request: HttpRequest, conversation_uuid: UUID) -> Conversation:
    return access.conversation_get_for_user(user=request.user, conversation_uuid=conversation_uuid)


@require_POST
def agenda_add(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = _writable(request, conversation_uuid)
    form = AgendaItemForm(request.POST)
    if not form.is_valid():
        return _part(request, conversation, "conv-agenda", agenda_form=form, errors_in="agenda")
    try:
        services.agenda_item_add(
            conversation=conversation, by=request.user, text=form.cleaned_data["text"]
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _part(request, conversation, "conv-agenda", agenda_form=form, errors_in="agenda")
    return _part(request, conversation, "conv-agenda", announce=_("The item is on the agenda."))


@require_POST
def preparation_save(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = _writable(request, conversation_uuid)
    form = PreparationForm(
        request.POST,
        questions=selectors.preparation_questions(
            conversation=conversation,
            answerable=True,
            side=selectors.side_of(conversation, request.user),
        ),
    )
    if any(name.startswith("answer-") and name not in form.fields for name in request.POST):
        raise PermissionDenied  # an answer to a question this page does not ask
    if form.is_valid():
        try:
            services.preparation_save(
                conversation=conversation, by=request.user, answers=form.answers()
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _part(
                request, conversation, "conv-preparation", announce=_("Your preparation is saved.")
            )
    return _part(
        request,
        conversation,
        "conv-preparation",
        preparation_form=form,
        errors_in="conv-preparation",
    )


def _note_save(request: HttpRequest, conversation_uuid: UUID, *, private: bool) -> HttpResponse:
    conversation = _writable(request, conversation_uuid)
    prefix, part = ("private", "conv-private-note") if private else (None, "conv-notes")
    form_key = "private_form" if private else "note_form"
    form = NoteForm(request.POST, prefix=prefix)
    if not form.is_valid():
        return _part(request, conversation, part, errors_in=part, **{form_key: form})
    save = services.private_note_save if private else services.shared_note_save
    body = form.cleaned_data["body"]
    # After a conflict, one click: keep their version, or put both together.
    resolve = request.POST.get("resolve")
    if resolve in ("theirs", "both"):
        current = selectors.note_now(conversation=conversation, user=request.user, private=private)
        if resolve == "theirs":
            return _part(request, conversation, part, announce=_("Their version is kept."))
        body = services.notes_merged(theirs=current.body if current else "", mine=body)
    try:
        save(
            conversation=conversation,
            by=request.user,
            body=body,
            expected_version=form.cleaned_data["version"],
        )
    except services.VersionConflict as conflict:
        current = conflict.current
        form.data = form.data.copy()
        form.data[form.add_prefix("version")] = current.version
        return _part(
            request, conversation, part, conflict=current, conflict_in=part, **{form_key: form}
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _part(request, conversation, part, errors_in=part, **{form_key: form})
    return _part(request, conversation, part, announce=_("Saved."))


@require_POST
def notes_save(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    return _note_save(request, conversation_uuid, private=False)


@require_POST
def private_note_save(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    return _note_save(request, conversation_uuid, private=True)


@require_POST
def agreement_add(request: HttpRequest, conversation_uuid: UUID) -> HttpResponse:
    conversation = _writable(request, conversation_uuid)
    form = AgreementForm(request.POST, conversation=conversation)
    if form.is_valid():
        owner = (
            conversation.employee
            if form.cleaned_data["owner"] == conversation.employee_id
            else conversation.manager
        )
        try:
            services.agreement_add(
                conversation=conversation,
                by=request.user,
                text=form.cleaned_data["text"],
                owner=owner,
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            return _part(
                request, conversation, "conv-agreements", announce=_("The agreement is added.")
            )
    return _part(
        request, conversation, "conv-agreements", agreement_form=form, errors_in="agreements"
    )


def _agreement(conversation: Conversation, agreement_uuid: UUID) -> Agreement:
    try:
        return conversation.agreements.select_related(
            "conversation__employee", "conversation__organisation"
        ).get(uuid=agreement_uuid)
    except Agreement.DoesNotExist as missing:
        raise Http404 from missing


@require_POST
def agreement_to_plan(
    request: HttpRequest, conversation_uuid: UUID, agreement_uuid: UUID
) -> HttpResponse:
    """One click: the agreement becomes a development action or a goal check-in."""
    conversation = _writable(request, conversation_uuid)
    agreement = _agreement(conversation, agreement_uuid)
    form = AgreementToPlanForm(request.POST)
    if not form.is_valid():
        return _part(
            request,
            conversation,
            "conv-agreements",
            plan_error=(
                agreement.pk,
                list(dict.fromkeys(m for e in form.errors.values() for m in e)),
            ),
            plan_choice=(
                agreement.pk,
                request.POST.get("target", ""),
                request.POST.get("kind", ""),
            ),
            errors_in="agreements",
        )
    kind, uuid = form.cleaned_data["target"]
    page = selectors.conversation_page(
        conversation=conversation, viewer=request.user, now=timezone.now()
    )
    targets = {str(item.uuid): item for item in (page.gaps if kind == "gap" else page.goals)}
    target = targets.get(uuid)
    if target is None:
        raise Http404
    try:
        if form.cleaned_data["make"] == "check_in":
            if not isinstance(target, Goal) or target.owner_person_id != conversation.employee_id:
                raise ValidationError(_("A check-in goes on one of the employee's own goals."))
            services.agreement_to_check_in(agreement=agreement, by=request.user, goal=target)
            done = _("The agreement is recorded as a check-in on the goal.")
        else:
            services.agreement_to_action(
                agreement=agreement,
                by=request.user,
                gap=target if kind == "gap" else None,
                goal=target if kind == "goal" else None,
                kind=form.cleaned_data["kind"],
            )
            done = _("The agreement is now a development action on the plan.")
    except ValidationError as error:
        return _part(
            request,
            conversation,
            "conv-agreements",
            plan_error=(agreement.pk, error.messages),
            plan_choice=(
                agreement.pk,
                request.POST.get("target", ""),
                request.POST.get("kind", ""),
            ),
            errors_in="agreements",
        )
    # Its buttons are gone: focus goes to the agreement itself, which now links the plan.
    return _part(request, conversation, "conv-agreements", announce=done, converted=agreement.pk)


@require_POST
def agreement_done(
    request: HttpRequest, conversation_uuid: UUID, agreement_uuid: UUID
) -> HttpResponse:
    conversation = _writable(request, conversation_uuid)
    agreement = _agreement(conversation, agreement_uuid)
    try:
        services.agreement_set_done(
            agreement=agreement, by=request.user, done=request.POST.get("done") == "1"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _part(request, conversation, "conv-agreements")


@require_GET
def plan_fragment(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    """The plan page lazy-loads this: the person's next and last conversations."""
    plan = plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    found = selectors.plan_conversations(plan=plan, viewer=request.user, now=timezone.now())
    return render(request, "conversations/plan_fragment.html", {"plan": plan, "found": found})


@require_GET
def team(request: HttpRequest) -> HttpResponse:
    access.team_for_manager(request.user)
    overview = selectors.team_overview(manager=request.user, now=timezone.now())
    return render(
        request,
        "conversations/team.html",
        {"overview": overview, "organisation": request.user.organisation},
    )
