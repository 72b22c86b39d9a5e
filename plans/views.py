"""The plan page and its in-place editing.

One set of views serves every editable item kind (``items.KINDS``): show, edit, add,
remove. Each works without JavaScript (post/redirect/get, full pages for forms) and with
htmx (the fragment; form errors and version conflicts answer 200 with the form).
"""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from people.models import AuditEvent
from people.services import audit_record, audit_record_about
from pop_platform.cache import partials

from . import access, selectors, services, versions
from . import pdf as pdf_documents
from .forms import AssessmentForm, CommentForm, CompetencyForm, VersionField, item_form
from .items import KINDS, ItemKind, field_value, kind_named, raw
from .models import CompetencyGap, DevelopmentPlan, LevelAssessment, PlanChange
from .privacy import AUDIT_TYPE

TEMPLATE = "plans/plan_detail.html"


def _read_plan(
    request: HttpRequest, plan_uuid: UUID, part: str = "page", plan: DevelopmentPlan | None = None
) -> DevelopmentPlan:
    """The plan for reading; a read by anyone but its employee (their manager, HR) goes
    to the audit trail, with ``part``: the page or the kind of item shown. ``plan``: the
    plan as the access check just read it."""
    plan = plan or access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    audit_record_about(
        actor=request.user,
        subject=plan.employee,
        action=AuditEvent.Action.READ,
        object_type=AUDIT_TYPE,
        object_id=str(plan.uuid),
        summary=part,
    )
    return plan


def _page_context(
    request: HttpRequest, plan: DevelopmentPlan, *, fresh: bool = False, **extra
) -> dict:
    """``fresh``: ``plan`` was read in this request before any change (a GET of the page),
    so the page reuses it; after a change it reads the plan again."""
    page = selectors.plan_page(plan_id=plan.pk, viewer=request.user, loaded=plan if fresh else None)
    context = {"page": page, "plan": page.plan, "kinds": KINDS, **extra}
    if page.can_edit:  # gaps and actions load their add form when it is opened
        context.setdefault(
            "note_add_form", item_form(kind_named("note"), plan=plan, user=request.user)
        )
    return context


def _fragments(request: HttpRequest, context: dict, *names: str, oob: tuple = ()) -> HttpResponse:
    html = "".join(render_to_string(f"{TEMPLATE}#{name}", context, request) for name in names)
    html += "".join(
        render_to_string(f"{TEMPLATE}#{name}", {**context, "oob": True}, request) for name in oob
    )
    return HttpResponse(html)


@require_http_methods(["GET", "POST"])
def plan_mine(request: HttpRequest) -> HttpResponse:
    """The person's own plan. GET only looks: before the plan exists it shows a page
    that invites them to start it; the POST of that page creates it."""
    if request.user.organisation_id is None:
        raise Http404
    plan = access.own_plan(request.user)
    if plan is None and request.method == "GET":
        return render(request, "plans/plan_start.html")
    if plan is None:
        plan = services.plan_get_or_create(employee=request.user)
    return redirect(plan)


@require_http_methods(["GET", "POST"])
def plan_for_report(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    """A manager starts the plan of a direct report who has none yet (so that the
    conversation about it can begin); once it exists this leads to it."""
    person = access.report_get_for_manager(user=request.user, person_uuid=person_uuid)
    plan = access.plans_visible_to(request.user).filter(employee=person).first()
    if plan is None and request.method == "GET":
        return render(request, "plans/plan_start.html", {"person": person})
    if plan is None:
        plan = services.plan_get_or_create(employee=person)
    return redirect(plan)


def _cached_sections(request: HttpRequest, context: dict) -> dict[str, SafeString]:
    """The plan's own sections (ambitions, goal lines, gaps, actions, budget) as HTML from
    the shared cache, under what they depend on (``selectors.plan_page_parts``); rendered
    on a miss. The agreement, what changed and private notes are always rendered."""
    parts = selectors.plan_page_parts(context["page"])
    names = ("ambitions", "goals", "gaps", "actions", "budget")
    return partials(request, TEMPLATE, "plan-", dict.fromkeys(names, parts), context)


CHANGE_VIEWS = ("visit", "version", "history")


def _changes_context(request: HttpRequest, page: selectors.PlanPage) -> dict:
    """Which view of "what changed" to show (``?changes=``), with its lines: since the
    viewer's last visit, against the last agreed version, or a page of the full history
    (only when asked for: the plan page must not grow with its history)."""
    view = request.GET.get("changes")
    if view not in CHANGE_VIEWS:
        view = page.changes_default
    context = {"changes_view": view}
    if view == "history":
        number = max(1, min(_page_number(request.GET.get("page")), 10_000))
        context["history"] = selectors.plan_history(page=page, number=number)
    return context


def _page_number(value: str | None) -> int:
    try:
        return int(value or 1)
    except ValueError:
        return 1


@require_GET
def plan_detail(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    plan = _read_plan(request, plan_uuid)
    context = _page_context(request, plan, fresh=True)
    context.update(_changes_context(request, context["page"]))
    context["sections"] = _cached_sections(request, context)
    if context["page"].can_edit:
        services.plan_visit_record(plan=plan, user=request.user)
    return render(request, TEMPLATE, context)


@require_GET
def plan_changes(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    """The "what changed" panel in one of its views (htmx swaps it into the page); without
    JavaScript, the plan page with that view."""
    if not request.htmx:
        plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
        query = request.GET.urlencode()
        return redirect(f"{plan.get_absolute_url()}?{query}#plan-changes")
    plan = _read_plan(request, plan_uuid, part="history")
    page = selectors.plan_page(plan_id=plan.pk, viewer=request.user, loaded=plan)
    context = {"page": page, "plan": page.plan, **_changes_context(request, page)}
    return render(request, f"{TEMPLATE}#plan-changes", context)


@require_GET
def plan_version(request: HttpRequest, plan_uuid: UUID, number: int) -> HttpResponse:
    """An agreed version, read-only, with the plan's sections; ``?compare=current`` or
    ``?compare=<n>`` adds what differs from the plan now or from version n."""
    plan = _read_plan(request, plan_uuid, part="version")
    version = versions.version_get(plan=plan, number=number)
    parties = access.may_edit(request.user, plan)
    shown = versions.shown_goals_for(version=version, viewer=request.user, parties=parties)
    against = request.GET.get("compare", "")
    context = {
        "plan": plan,
        "version": version,
        "versions": list(plan.versions.select_related("manager")),
        "content": versions.version_content(version=version, plan=plan, shown_goals=shown),
        "parties": parties,
        "against": against,
        "comparison": versions.version_compare(
            plan=plan, version=version, against=against, parties=parties
        )
        if against
        else None,
    }
    return render(request, "plans/plan_version.html", context)


@never_cache
@require_GET
def plan_version_pdf(request: HttpRequest, plan_uuid: UUID, number: int) -> HttpResponse:
    """The PDF of an agreed version, marked with when and by whom it was agreed. Like the
    plan's PDF it is the employee's and their line manager's document."""
    plan = access.plan_get_for_pdf(user=request.user, plan_uuid=plan_uuid)
    version = versions.version_get(plan=plan, number=number)
    language = pdf_documents.owner_language(plan)
    with translation.override(language):
        document = pdf_documents.version_document(plan=plan, version=version, language=language)
        pdf = pdf_documents.plan_pdf(document=document, generated_at=timezone.now())
        name = slugify(f"pop {plan.employee.full_name} {_('version')} {version.number}")
    audit_record(
        actor=request.user,
        subject=plan.employee,
        action=AuditEvent.Action.EXPORT,
        object_type=AUDIT_TYPE,
        object_id=str(plan.uuid),
        summary="version",
    )
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )


@require_GET
def item_show(request: HttpRequest, plan_uuid: UUID, kind: str, item_uuid: UUID) -> HttpResponse:
    """One item as displayed (htmx: "cancel" and "take theirs" land here)."""
    if not request.htmx:  # the page itself shows it (and records an HR read there)
        plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
        item = kind_named(kind).get(plan=plan, user=request.user, item_uuid=item_uuid)
        return redirect(f"{plan.get_absolute_url()}#item-{kind}-{item.uuid}")
    spec = kind_named(kind)
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    item = spec.get(plan=plan, user=request.user, item_uuid=item_uuid)
    if spec.content:  # a private note is its author's own: it leaves no trace
        _read_plan(request, plan_uuid, part=spec.name, plan=plan)
    context = _page_context(request, plan, item=item, focus_edit=True)
    return _fragments(request, context, f"item-{kind}")


def _form_response(request, plan, spec: ItemKind, form, item=None, **extra) -> HttpResponse:
    """The form: opened (focus in its first field), or again after a validation error or a
    conflict, with the typed text kept (focus on the message)."""
    if request.method == "GET":
        first = next(iter(form.visible_fields()), None)
        if first is not None:
            first.field.widget.attrs["autofocus"] = True
    context = {"plan": plan, "spec": spec, "form": form, "item": item, "kinds": KINDS, **extra}
    if request.htmx:
        return render(request, f"{TEMPLATE}#item-form", context)
    return render(request, "plans/item_edit.html", context)


def _conflict_context(
    spec: ItemKind, form, conflict: services.VersionConflict, plan: DevelopmentPlan
) -> dict:
    """Their current values beside the user's own input, for the fields that clash.

    Fields only the other person changed are filled in with their values, so saving the
    form again ("keep mine") can never undo a change this person did not make.
    """
    current = conflict.current
    if current is None:
        return {"conflict_gone": True}
    mine = form.changes()
    clashes = conflict.clashes
    if clashes is None:
        clashes = {
            name for name, value in mine.items() if raw(getattr(current, name)) != raw(value)
        }
    form.data = form.data.copy()
    for name in conflict.theirs - clashes:
        if name in form.fields and not form.fields[name].disabled:
            value = form.fields[name].prepare_value(field_value(current, name))
            form.data[form.add_prefix(name)] = "" if value is None else value
    form.data[form.add_prefix("version")] = current.version
    last = (
        PlanChange.objects.filter(
            plan=plan, item_uuid=current.uuid, operation=PlanChange.Operation.CHANGED
        )
        .select_related("author")
        .first()
        if spec.content
        else None
    )
    return {
        "conflict": {name: _display(current, name) for name in mine if name in clashes},
        "conflict_by": last.author if last else None,
        "conflict_at": last.at if last else None,
    }


def _display(item, name: str) -> str:
    getter = getattr(item, f"get_{name}_display", None)
    value = getter() if getter else getattr(item, name)
    return "" if value is None else str(value)


@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, plan_uuid: UUID, kind: str, item_uuid: UUID) -> HttpResponse:
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    spec = kind_named(kind)
    access.check_kind_writable(user=request.user, plan=plan, employee_only=spec.employee_only)
    if request.method == "POST" and selectors.item_was_removed(plan=plan, item_uuid=item_uuid):
        # Removed by someone else while this person was editing: keep their text.
        form = item_form(spec, plan=plan, user=request.user, data=request.POST)
        gone = spec.model(uuid=item_uuid)
        return _form_response(request, plan, spec, form, gone, conflict_gone=True)
    item = spec.get(plan=plan, user=request.user, item_uuid=item_uuid)
    form = item_form(
        spec,
        plan=plan,
        user=request.user,
        data=request.POST if request.method == "POST" else None,
        instance=item,
    )
    if request.method == "GET" or not form.is_valid():
        return _form_response(request, plan, spec, form, item)
    try:
        services.item_update(
            plan=plan,
            kind=spec,
            item=item,
            by=request.user,
            expected_version=form.cleaned_data["version"] or 0,
            changes=form.changes(),
        )
    except services.VersionConflict as conflict:
        extra = _conflict_context(spec, form, conflict, plan)
        return _form_response(request, plan, spec, form, conflict.current or item, **extra)
    if not request.htmx:
        messages.success(request, _("Your changes are saved."))
        return redirect(f"{plan.get_absolute_url()}#item-{kind}-{item.uuid}")
    fresh = spec.get(plan=plan, user=request.user, item_uuid=item_uuid)
    context = _page_context(request, plan, item=fresh, saved=True, focus_edit=True)
    return _fragments(request, context, f"item-{kind}", oob=("plan-status", "plan-budget"))


@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, plan_uuid: UUID, kind: str) -> HttpResponse:
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    spec = kind_named(kind)
    if spec.is_plan_section:
        raise Http404
    form = item_form(
        spec, plan=plan, user=request.user, data=request.POST if request.method == "POST" else None
    )
    if request.method == "GET" or not form.is_valid():
        return _form_response(request, plan, spec, form, adding=True)
    item = services.item_create(plan=plan, kind=spec, by=request.user, values=form.changes())
    return _after_add_or_remove(request, plan, spec, _("It is added."), focus_uuid=item.uuid)


def _after_add_or_remove(
    request, plan, spec: ItemKind, message: str, level: int = messages.SUCCESS, focus_uuid=None
) -> HttpResponse:
    """Plain: back to the section with a message. htmx: the section, message inside, and
    focus on the new item's Edit button (or, after a removal, on the section heading)."""
    section = spec.section
    if not request.htmx:
        messages.add_message(request, level, message)
        return redirect(f"{plan.get_absolute_url()}#{section}")
    context = _page_context(
        request, plan, announce=message, focus_uuid=focus_uuid, focus_section=focus_uuid is None
    )
    response = _fragments(request, context, section, oob=("plan-status", "plan-budget"))
    return reswap(retarget(response, f"#{section}"), "outerHTML")


@require_POST
def item_delete(request: HttpRequest, plan_uuid: UUID, kind: str, item_uuid: UUID) -> HttpResponse:
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    spec = kind_named(kind)
    if spec.is_plan_section:
        raise Http404
    item = spec.get(plan=plan, user=request.user, item_uuid=item_uuid)
    try:
        services.item_delete(
            plan=plan,
            kind=spec,
            item=item,
            by=request.user,
            expected_version=VersionField().clean(request.POST.get("version")),
        )
    except ValidationError as refused:
        return _after_add_or_remove(request, plan, spec, " ".join(refused.messages), messages.ERROR)
    except services.VersionConflict:
        message = _(
            "Someone else changed this item meanwhile. Look at it again before removing it."
        )
        return _after_add_or_remove(request, plan, spec, message, messages.ERROR)
    return _after_add_or_remove(request, plan, spec, _("It is removed."))


ASSESS_PAGE = "plans/gap_assess.html"


def _assess_response(
    request: HttpRequest,
    plan: DevelopmentPlan,
    gap: CompetencyGap,
    form: AssessmentForm,
    conflict: LevelAssessment | None = None,
    stale: bool = False,
) -> HttpResponse:
    """The form (htmx: in place on the gap; without JavaScript: a page of its own), with
    what was typed kept after an error or a conflict (``stale``: the form started from
    another view than the latest, ``conflict``, which may be none at all)."""
    context = {"plan": plan, "gap": gap, "form": form, "conflict": conflict, "stale": stale}
    if request.htmx:
        return render(request, f"{TEMPLATE}#assess-form", context)
    return render(request, ASSESS_PAGE, context)


@require_http_methods(["GET", "POST"])
def gap_assess(request: HttpRequest, plan_uuid: UUID, gap_uuid: UUID) -> HttpResponse:
    """The person's own view of a gap's current level: the employee's self-assessment
    or the line manager's. HR reads both on the plan; nobody else sees them."""
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    gap = kind_named("gap").get(plan=plan, user=request.user, item_uuid=gap_uuid)
    side = access.assessment_side(user=request.user, plan=plan)
    if request.method == "GET":
        latest = selectors.gap_views([gap])[gap.pk].latest_of(side)
        initial = {"level": latest.level, "reason": latest.reason} if latest else {}
        initial["version"] = latest.sequence if latest else 0
        return _assess_response(request, plan, gap, AssessmentForm(initial=initial, gap=gap))
    form = AssessmentForm(request.POST, gap=gap)
    if not form.is_valid():
        return _assess_response(request, plan, gap, form)
    try:
        services.gap_assess(
            plan=plan,
            gap=gap,
            by=request.user,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
            expected_sequence=form.cleaned_data["version"],
        )
    except services.VersionConflict as conflict:
        form.data = form.data.copy()  # "save mine" now goes on from their view
        form.data["version"] = conflict.current.sequence if conflict.current else 0
        return _assess_response(request, plan, gap, form, conflict=conflict.current, stale=True)
    if not request.htmx:
        messages.success(request, _("Your view is saved."))
        return redirect(f"{plan.get_absolute_url()}#item-gap-{gap.uuid}")
    context = _page_context(request, plan, item=gap, saved=True, focus_assess=True)
    response = _fragments(request, context, "item-gap")
    return reswap(retarget(response, f"#item-gap-{gap.uuid}"), "outerHTML")


@require_POST
def comment_add(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    """A comment on the plan, a gap or an action (the hidden ``gap``/``action`` field)."""
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    form = CommentForm(request.POST)
    valid = form.is_valid()
    if "gap" in form.errors or "action" in form.errors:
        raise Http404  # not an item of this page
    commentable = (name for name, spec in KINDS.items() if spec.commentable)
    kind = next((name for name in commentable if form.cleaned_data.get(name)), "plan")
    item = None
    if kind != "plan":
        item = kind_named(kind).get(plan=plan, user=request.user, item_uuid=form.cleaned_data[kind])
    if valid:
        target = {kind: item} if item else {}
        services.comment_add(plan=plan, by=request.user, body=form.cleaned_data["body"], **target)
    block = f"comments-{kind}-{(item or plan).uuid}"
    if not request.htmx:
        for error in form.errors.get("body", []):
            messages.error(request, error)
        return redirect(f"{plan.get_absolute_url()}#{block}")
    context = _page_context(
        request,
        plan,
        target_kind=kind,
        comment_form=None if valid else form,
        comment_added=valid,
    )
    page = context["page"]
    finders = {"gap": page.gap, "action": page.action}
    context["target"] = finders[kind](item.uuid) if item else None
    return _fragments(request, context, "comments")


@require_POST
def plan_agree(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    plan = access.plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    # A revision the page never sent reads as a stale one: the person looks again.
    revision = VersionField().clean(request.POST.get("revision"))
    try:
        version = services.plan_agree(plan=plan, by=request.user, revision=revision)
    except services.VersionConflict:
        messages.warning(
            request,
            _("The plan changed after you opened it. Look at the changes, then agree again."),
        )
        return redirect(f"{plan.get_absolute_url()}#plan-changes")
    if version is not None:
        messages.success(
            request,
            _("Both of you agreed: version %(number)s is saved.") % {"number": version.number},
        )
    else:
        done = _("Your agreement is saved. The plan is agreed once the other side agrees too.")
        messages.success(request, done)
    return redirect(f"{plan.get_absolute_url()}#plan-status")


# --- Competency catalogue (HR) -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def competency_list(request: HttpRequest) -> HttpResponse:
    competencies = access.competencies_for_hr(request.user)
    form = CompetencyForm(
        request.POST if request.method == "POST" else None,
        organisation_id=request.user.organisation_id,
    )
    if request.method == "POST" and form.is_valid():
        services.competency_save(
            organisation_id=request.user.organisation_id, values=form.cleaned_data
        )
        messages.success(request, _("The competency is added to the catalogue."))
        return redirect("plans:competency-list")
    return render(
        request, "plans/competency_list.html", {"competencies": competencies, "form": form}
    )


@require_http_methods(["GET", "POST"])
def competency_edit(request: HttpRequest, competency_uuid: UUID) -> HttpResponse:
    competency = access.competency_get_for_hr(user=request.user, competency_uuid=competency_uuid)
    form = CompetencyForm(
        request.POST if request.method == "POST" else None,
        instance=competency,
        organisation_id=competency.organisation_id,
    )
    if request.method == "POST" and form.is_valid():
        services.competency_save(
            organisation_id=competency.organisation_id,
            values=form.cleaned_data,
            competency=competency,
        )
        messages.success(request, _("The competency is saved."))
        return redirect("plans:competency-list")
    return render(request, "plans/competency_edit.html", {"competency": competency, "form": form})


# --- PDF ---------------------------------------------------------------------------------

PDF_PAGE = "plans/plan_pdf.html"


def _pdf_context(plan: DevelopmentPlan) -> dict:
    """The latest export of the plan and what the person can do with it."""
    export = services.plan_export_latest(plan=plan)
    state = "none" if export is None else export.status
    if export is not None and export.is_stale(limit_seconds=services.PDF_STALE_AFTER):
        state = "failed"
    if state in ("pending", "rendering"):
        state = "working"
    if state == "failed" and export.error == services.PDF_QUEUE_UNREACHABLE:
        state = "unavailable"  # nothing went wrong with the plan: try again in a while
    ready = services.plan_export_latest_done(plan=plan)
    outdated = (
        ready is not None
        and state in ("done", "failed", "unavailable")
        and (ready.fingerprint != services.plan_export_current_fingerprint(plan=plan))
    )
    return {"plan": plan, "export": export, "state": state, "ready": ready, "outdated": outdated}


@never_cache
@require_http_methods(["GET", "POST"])
def plan_pdf(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    """GET: the PDF's status (htmx: the polling fragment), or ``?download=1`` the file.
    POST: request a PDF of the plan as it is now."""
    plan = access.plan_get_for_pdf(user=request.user, plan_uuid=plan_uuid)
    if request.method == "POST":
        services.plan_export_request(plan=plan, by=request.user)
        if not request.htmx:
            return redirect("plans:plan-pdf", plan_uuid=plan.uuid)
        return render(request, f"{PDF_PAGE}#pdf-status", {**_pdf_context(plan), "requested": True})
    if request.GET.get("download"):
        return _plan_pdf_download(request, plan)
    if request.htmx:
        context = _pdf_context(plan)
        if request.GET.get("state") == context["state"]:  # the poll: nothing new to show
            return HttpResponse(status=204)
        return render(request, f"{PDF_PAGE}#pdf-status", context)
    return render(request, PDF_PAGE, _pdf_context(plan))


def _plan_pdf_download(request: HttpRequest, plan: DevelopmentPlan) -> FileResponse:
    export = services.plan_export_latest_done(plan=plan)
    if export is None or not export.file.storage.exists(export.file.name):
        raise Http404
    audit_record(  # every export, the employee's own too
        actor=request.user,
        subject=plan.employee,
        action=AuditEvent.Action.EXPORT,
        object_type=AUDIT_TYPE,
        object_id=str(plan.uuid),
        summary="pdf",
    )
    name = slugify(f"pop {plan.employee.full_name} {export.finished_at:%Y-%m-%d}")
    return FileResponse(
        export.file.open("rb"),
        as_attachment=True,
        filename=f"{name}.pdf",
        content_type="application/pdf",
    )


@never_cache
@require_GET
def plan_template_pdf(request: HttpRequest) -> HttpResponse:
    """The blank POP template with the organisation's strategic goals (``?lang=en``)."""
    if request.user.organisation_id is None:
        raise Http404
    language = request.GET.get("lang", "nl")
    if language not in dict(settings.LANGUAGES):
        language = "nl"
    pdf = pdf_documents.template_pdf_for(organisation=request.user.organisation, language=language)
    with translation.override(language):
        filename = slugify(_("POP template")) + f"-{language}.pdf"
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
