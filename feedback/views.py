"""Feedback pages: parse → access → service → render or redirect."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from goals.access import goals_visible_to
from goals.models import Goal
from people.models import AuditEvent, User
from people.services import audit_record_about
from plans.access import plan_get_for_user
from plans.models import CompetencyGap, DevelopmentAction

from . import access, selectors, services
from .forms import AnswerForm, AskForm, DueDateForm, UpwardForm
from .models import AskedQuestion, Invitation


@require_GET
def feedback_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    visible = access.requests_visible_to(user)
    context = {
        "about_me": selectors.requests_list(visible.filter(about=user)),
        "for_others": selectors.requests_list(visible.exclude(about=user)),
        "inbox": selectors.inbox(user),
        "may_launch_upward": user.is_hr or user.reports.filter(is_active=True).exists(),
    }
    return render(request, "feedback/feedback_list.html", context)


def _plan_goals(user: User, plan):
    return (
        goals_visible_to(user)
        .filter(level=Goal.Level.INDIVIDUAL, owner_person_id=plan.employee_id)
        .exclude(status__in=[Goal.Status.CANCELLED, Goal.Status.ARCHIVED])
        .order_by("title")
    )


def _chosen_items(plan, goals, values: list[str]) -> list[object]:
    by_kind: dict[str, list[str]] = {"gap": [], "goal": [], "action": []}
    for value in values:
        kind, _sep, uuid = value.partition(":")
        by_kind[kind].append(uuid)
    return [
        *CompetencyGap.objects.filter(plan=plan, uuid__in=by_kind["gap"]),
        *goals.filter(uuid__in=by_kind["goal"]),
        *DevelopmentAction.objects.filter(plan=plan, uuid__in=by_kind["action"]),
    ]


@require_http_methods(["GET", "POST"])
def feedback_ask(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    plan = plan_get_for_user(user=request.user, plan_uuid=plan_uuid, write=True)
    goals = _plan_goals(request.user, plan)
    people = User.objects.filter(organisation_id=plan.organisation_id, is_active=True).exclude(
        pk=plan.employee_id
    )
    form = AskForm(
        request.POST or None,
        plan=plan,
        goals=goals,
        people=people.order_by("full_name"),
        initial={"items": request.GET.getlist("item")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            feedback = services.request_create(
                plan=plan,
                by=request.user,
                items=_chosen_items(plan, goals, data["items"]),
                people=list(data["people"]),
                due_date=data["due_date"],
                anonymous=data["anonymous"],
                share_description=data["share_description"],
                message=data["message"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your request for feedback is sent."))
            return redirect(feedback)
    floor = services.policy_of(plan.organisation).anonymity_floor
    context = {"form": form, "plan": plan, "floor": floor}
    return render(request, "feedback/feedback_ask.html", context)


@require_GET
def request_detail(request: HttpRequest, request_uuid: UUID) -> HttpResponse:
    feedback = access.request_get_for_user(user=request.user, request_uuid=request_uuid)
    readable = access.may_read_answers(request.user, feedback)
    audit_record_about(
        actor=request.user,
        subject=feedback.about,
        action=AuditEvent.Action.READ,
        object_type=services.AUDIT_TYPE,
        object_id=str(feedback.uuid),
        summary="answers" if readable else "page",
    )
    results = selectors.results(feedback) if readable else None
    invited, answered = (
        (results.invited, results.answered) if results else selectors.counts(feedback)
    )
    # Who was asked and whether they answered: never for an anonymous request.
    people = [] if feedback.anonymous else feedback.invitations.select_related("person")
    context = {
        "feedback": feedback,
        "items": selectors.request_items(feedback),
        "results": results,
        "invited": invited,
        "answered": answered,
        "people": people,
        "is_about_me": feedback.about_id == request.user.pk,
        "may_change": access.may_change(request.user, feedback),
        "is_open": services.is_open(feedback),
        "due_form": DueDateForm(),
    }
    return render(request, "feedback/request_detail.html", context)


@require_POST
def request_extend(request: HttpRequest, request_uuid: UUID) -> HttpResponse:
    feedback = access.request_get_for_user(user=request.user, request_uuid=request_uuid, write=True)
    form = DueDateForm(request.POST)
    if form.is_valid():
        try:
            services.due_date_extend(
                feedback=feedback, by=request.user, due_date=form.cleaned_data["due_date"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The due date is moved."))
    else:
        messages.error(request, " ".join(form.errors["due_date"]))
    return redirect(feedback)


@require_POST
def request_share(request: HttpRequest, request_uuid: UUID) -> HttpResponse:
    feedback = access.request_get_for_user(user=request.user, request_uuid=request_uuid)
    shared = request.POST.get("shared") == "1"
    services.request_share(feedback=feedback, by=request.user, shared=shared)
    messages.success(
        request,
        _("Your manager can now read the answers.")
        if shared
        else _("The answers are no longer shared with your manager."),
    )
    return redirect(feedback)


def _answer_context(invitation: Invitation, **extra) -> dict:
    feedback = invitation.request
    return {
        "floor": services.policy_of(feedback.organisation).anonymity_floor,
        "invitation": invitation,
        "feedback": feedback,
        "items": selectors.request_items(feedback),
        "rows": selectors.answer_form_rows(invitation),
        "is_open": services.is_open(feedback),
        **extra,
    }


@require_GET
def answer_page(request: HttpRequest, invitation_uuid: UUID) -> HttpResponse:
    invitation = access.invitation_get_for_user(user=request.user, invitation_uuid=invitation_uuid)
    return render(request, "feedback/answer.html", _answer_context(invitation))


def _question(invitation: Invitation, value: object) -> AskedQuestion:
    """One of the invitation's request's questions (its number within that request)."""
    try:
        return invitation.request.questions.get(pk=int(str(value)))
    except (ValueError, AskedQuestion.DoesNotExist) as missing:
        raise Http404 from missing


def _answer_part(request: HttpRequest, invitation: Invitation, question: AskedQuestion, **extra):
    """Saved: the status and the new version. Otherwise (an error, a conflict) the whole
    answer form, in place of the one on the page, with what was typed kept."""
    context = {"invitation": invitation, "question": question, "is_open": True, **extra}
    if "announce" in extra:
        return render(request, "feedback/answer.html#answer-saved", context)
    response = render(request, "feedback/answer.html#answer-form", context)
    if request.htmx:
        return retarget(reswap(response, "outerHTML"), f"#answer-{question.pk}")
    return response


@require_POST
def answer_save(request: HttpRequest, invitation_uuid: UUID) -> HttpResponse:
    """Save as you type: the answer's fragment, with its new version, or the conflict."""
    invitation = access.invitation_get_for_user(user=request.user, invitation_uuid=invitation_uuid)
    question = _question(invitation, request.POST.get("question"))
    form = AnswerForm(request.POST)
    if not form.is_valid():
        return _answer_part(request, invitation, question, form=form, body=request.POST.get("body"))
    data = form.cleaned_data
    try:
        answer = services.answer_save(
            invitation=invitation,
            question=question,
            by=request.user,
            body=data["body"],
            score=data["score"],
            expected_version=data["version"],
        )
    except services.VersionConflict as conflict:
        return _answer_part(
            request,
            invitation,
            question,
            conflict=conflict.current,
            body=data["body"],
            score=data["score"],
            version=conflict.current.version if conflict.current else 1,
        )
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _answer_part(request, invitation, question, form=form, body=data["body"])
    if not request.htmx:
        messages.success(request, _("Your answer is saved."))
        return redirect(invitation)
    return _answer_part(
        request,
        invitation,
        question,
        body=answer.body,
        score=answer.score,
        version=answer.version,
        announce=_("Saved."),
    )


@require_POST
def answer_decline(request: HttpRequest, invitation_uuid: UUID) -> HttpResponse:
    invitation = access.invitation_get_for_user(user=request.user, invitation_uuid=invitation_uuid)
    reopen = request.POST.get("reopen") == "1"
    try:
        if reopen:
            services.invitation_reopen(invitation=invitation, by=request.user)
        else:
            services.invitation_decline(invitation=invitation, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("You can answer again.") if reopen else _("You declined this request.")
        )
    return redirect(invitation)


def _managers_for(user: User):
    managers = User.objects.filter(organisation_id=user.organisation_id, is_active=True).filter(
        Exists(User.objects.filter(line_manager=OuterRef("pk"), is_active=True))
    )
    return managers if user.is_hr else managers.filter(pk=user.pk)


@require_http_methods(["GET", "POST"])
def upward_new(request: HttpRequest) -> HttpResponse:
    managers = _managers_for(request.user).order_by("full_name")
    if not managers.exists():
        raise Http404
    form = UpwardForm(request.POST or None, managers=managers)
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.upward_round_launch(
                manager=form.cleaned_data["manager"],
                by=request.user,
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as error:
            form.add_error(None, error.messages)
        else:
            messages.success(request, _("The upward feedback round has started."))
            return redirect(feedback)
    floor = services.policy_of(request.user.organisation).anonymity_floor
    return render(request, "feedback/upward_new.html", {"form": form, "floor": floor})
