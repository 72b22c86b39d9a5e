"""Goal pages: the cascade, one goal, create/edit with a live SMART check, the review
flow, check-ins and bulk assignment. Each view: parse → access → service → render."""

from __future__ import annotations

import copy
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pop_platform.cache import fragment

from . import access, selectors, services
from .forms import (
    AssignForm,
    CheckInForm,
    GoalFilterForm,
    GoalForm,
    ReturnForm,
    ReviewForm,
    add_service_errors,
)
from .models import Goal
from .smart import smart_check

Level = Goal.Level


def _uuid_or_404(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError as bad:
        raise Http404 from bad


@require_GET
def goal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = access.unit_scope(user)
    versions = selectors.cascade_versions(user=user)
    form = GoalFilterForm(
        request.GET,
        units=selectors.filter_units(organisation_id=user.organisation_id),
        years=selectors.filter_years_cached(user=user, versions=versions),
    )
    form.is_valid()  # a bad value drops only that filter; the others still apply
    data = form.cleaned_data
    filters = selectors.GoalFilters(
        unit_id=data.get("unit"),
        year=data.get("year"),
        status=data.get("status") or "current",
        query=(data.get("q") or "").strip(),
    )
    htmx = bool(request.htmx and not request.htmx.history_restore_request)

    def render_tree(extra: dict) -> str:
        organisation, progress = selectors.cascade_of(user=user)
        tree = selectors.goal_tree(
            user=user, scope=scope, filters=filters, organisation=organisation, org=progress
        )
        context = {"tree": tree, "filters": filters, **extra}
        return render_to_string("goals/goal_list.html#goal-tree", context, request)

    parts = selectors.goal_tree_parts(user=user, filters=filters, versions=versions, htmx=htmx)
    tree_html = fragment(request, "goal-tree", parts, render_tree)
    if htmx:
        return HttpResponse(tree_html)
    context = {
        "tree_html": tree_html,
        "filter_form": form,
        "levels": access.levels_user_may_create(user, scope),
    }
    return render(request, "goals/goal_list.html", context)


def _detail_context(request: HttpRequest, goal: Goal, permissions, **extra) -> dict:
    user = request.user
    scope = extra.pop("scope", None) or access.unit_scope(user)
    versions = selectors.cascade_versions(user=user)  # read once, for the page and the list
    detail = selectors.goal_detail(user=user, scope=scope, goal=goal, versions=versions)

    def render_children(extra: dict) -> str:
        children = selectors.goal_children(user=user, scope=scope, goal=goal, versions=versions)
        return render_to_string("goals/_goal_children.html", {"children": children, **extra})

    parts = selectors.goal_children_parts(user=user, goal=goal, versions=versions)
    return {
        # Hundreds of lines under an organisation goal: from the shared cache.
        "children_html": fragment(request, "goal-children", parts, render_children),
        "detail": detail,
        "goal": goal,
        "perms": permissions,
        "smart": smart_check(goal),
        "check_in_form": extra.pop("check_in_form", None) or CheckInForm(goal=goal),
        "review_form": extra.pop("review_form", None) or ReviewForm(),
        "return_form": extra.pop("return_form", None) or ReturnForm(),
        **extra,
    }


@require_GET
def goal_detail(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    scope = access.unit_scope(request.user)
    goal, permissions = access.goal_get_for_user(
        user=request.user, goal_uuid=goal_uuid, scope=scope
    )
    context = _detail_context(request, goal, permissions, scope=scope)
    return render(request, "goals/goal_detail.html", context)


def _form_for(
    request: HttpRequest, *, level: str, scope, goal: Goal | None, permissions=None, initial=None
) -> GoalForm:
    return GoalForm(
        request.POST if request.method == "POST" else None,
        instance=copy.deepcopy(goal) if goal else None,
        level=level,
        parents=access.parent_candidates(
            request.user, scope, current=goal.parent_id if goal else None
        ).exclude(pk=goal.pk if goal else None),
        units=selectors.managed_units(scope=scope) if goal is None else None,
        with_status=bool(
            permissions and permissions.manage and goal.status in services.STATUSES_AFTER_APPROVAL
        ),
        initial=initial,
    )


def _smart_for(form: GoalForm, level: str) -> list:
    """The SMART check of what the form holds now (the goal as typed, not as saved)."""
    draft = form.instance
    draft.level = level
    if not form.is_bound and draft.pk is None and form.initial.get("parent"):
        draft.parent = form.initial["parent"]
    return smart_check(draft)


@require_http_methods(["GET", "POST"])
def goal_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = access.unit_scope(user)
    levels = access.levels_user_may_create(user, scope)
    level = request.POST.get("level") or request.GET.get("level") or Level.INDIVIDUAL
    if level not in levels:
        raise PermissionDenied
    initial = {}
    parent_uuid = request.GET.get("parent", "")
    if request.method == "GET" and parent_uuid:
        candidates = access.parent_candidates(user, scope)
        initial["parent"] = candidates.filter(uuid=_uuid_or_404(parent_uuid)).first()
    form = _form_for(request, level=level, scope=scope, goal=None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            goal = services.goal_create(
                by=user,
                level=level,
                data=form.goal_data(),
                owner_unit=form.cleaned_data.get("owner_unit"),
                propose=request.POST.get("action") == "propose",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The goal is saved."))
            return redirect(goal)
    return render(
        request,
        "goals/goal_form.html",
        {
            "form": form,
            "level": level,
            "levels": levels,
            "goal": None,
            "smart": _smart_for(form, level),
        },
    )


@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    scope = access.unit_scope(request.user)
    goal, permissions = access.goal_get_for_user(
        user=request.user, goal_uuid=goal_uuid, action="edit", scope=scope
    )
    if not permissions.can_edit_now:
        raise PermissionDenied  # e.g. the employee's own goal once it is approved
    form = _form_for(request, level=goal.level, scope=scope, goal=goal, permissions=permissions)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = -1
        try:
            services.goal_update(
                goal=goal,
                by=request.user,
                data={**form.goal_data(), "status": form.cleaned_data.get("status")},
                version=version,
                manage=permissions.manage,
            )
        except services.GoalConflict as clash:
            conflict = clash.current
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The goal is saved."))
            return redirect(goal)
    return render(
        request,
        "goals/goal_form.html",
        {
            "form": form,
            "level": goal.level,
            "goal": goal,
            "conflict": conflict,
            "version": goal.version,
            "smart": _smart_for(form, goal.level),
        },
    )


@require_POST
def smart_check_fragment(request: HttpRequest) -> HttpResponse:
    """The SMART hints for the form as it is being typed (htmx, every few keystrokes)."""
    user = request.user
    scope = access.unit_scope(user)
    goal = None
    if request.POST.get("goal"):
        goal, _permissions = access.goal_get_for_user(
            user=user, goal_uuid=_uuid_or_404(request.POST["goal"]), action="edit", scope=scope
        )
        level = goal.level
    else:
        level = request.POST.get("level") or Level.INDIVIDUAL
        if level not in access.levels_user_may_create(user, scope):
            raise PermissionDenied
    form = _form_for(request, level=level, scope=scope, goal=goal)
    form.is_valid()
    smart = _smart_for(form, level)
    # Screen readers hear a short summary, and only when it changes: the fragment keeps the
    # letters that were in order in a hidden field (``smart_met``) that comes back here.
    met = "".join(criterion.letter for criterion in smart if criterion.met)
    announce = ""
    if met != request.POST.get("smart_met"):
        announce = _("SMART check: %(met)s of %(total)s criteria met.") % {
            "met": len(met),
            "total": len(smart),
        }
    context = {"smart": smart, "smart_live": True, "announce": announce}
    return render(request, "goals/_smart.html", context)


def _state_change(request: HttpRequest, goal: Goal, change, success: str) -> HttpResponse:
    try:
        change()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, success)
    return redirect(goal)


@require_POST
def goal_submit(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    goal, _p = access.goal_get_for_user(user=request.user, goal_uuid=goal_uuid, action="submit")
    return _state_change(
        request,
        goal,
        lambda: services.goal_submit(goal=goal, by=request.user),
        _("Your goal is proposed to your manager."),
    )


def _review(request: HttpRequest, goal_uuid: UUID, form_class, form_name: str, change, done):
    """Approve or return a proposed goal with the reviewer's comment; an invalid form
    shows the page again with the comment as typed."""
    goal, permissions = access.goal_get_for_user(
        user=request.user, goal_uuid=goal_uuid, action="review"
    )
    form = form_class(request.POST)
    if not form.is_valid():
        context = _detail_context(request, goal, permissions, **{form_name: form})
        return render(request, "goals/goal_detail.html", context)
    comment = form.cleaned_data["comment"]
    return _state_change(
        request, goal, lambda: change(goal=goal, by=request.user, comment=comment), done
    )


@require_POST
def goal_approve(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    done = _("The goal is approved.")
    return _review(request, goal_uuid, ReviewForm, "review_form", services.goal_approve, done)


@require_POST
def goal_return(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    done = _("The goal is returned to the employee with your comment.")
    return _review(request, goal_uuid, ReturnForm, "return_form", services.goal_return, done)


@require_POST
def goal_check_in(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    goal, permissions = access.goal_get_for_user(
        user=request.user, goal_uuid=goal_uuid, action="check_in"
    )
    form = CheckInForm(request.POST, goal=goal)
    saved = False
    if form.is_valid():
        try:
            services.goal_check_in(
                goal=goal,
                by=request.user,
                value=form.cleaned_data.get("value"),
                confidence=form.cleaned_data["confidence"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, _("Your check-in is saved."))
                return redirect(goal)
            form, saved = CheckInForm(goal=goal), True
    context = _detail_context(request, goal, permissions, check_in_form=form, saved=saved)
    if request.htmx:
        return render(request, "goals/goal_detail.html#goal-page", context)
    return render(request, "goals/goal_detail.html", context)


@require_http_methods(["GET", "POST"])
def goal_assign(request: HttpRequest, goal_uuid: UUID) -> HttpResponse:
    goal, _p = access.goal_get_for_user(user=request.user, goal_uuid=goal_uuid, action="assign")
    reports = selectors.reports_for_assignment(manager=request.user)
    form = AssignForm(
        request.POST if request.method == "POST" else None,
        reports=reports,
        initial={"title": goal.title, "due_date": goal.due_date},
    )
    if request.method == "POST" and form.is_valid():
        try:
            result = services.goals_assign(
                team_goal=goal,
                by=request.user,
                people=list(form.cleaned_data["people"]),
                title=form.cleaned_data["title"],
                target_value=form.cleaned_data["target_value"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Draft goals prepared: %(created)d. Already had a goal here: %(skipped)d.")
                % {"created": len(result.created), "skipped": len(result.skipped)},
            )
            return redirect(goal)
    return render(request, "goals/goal_assign.html", {"goal": goal, "form": form})
