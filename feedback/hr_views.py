"""HR's feedback settings: the anonymity floor, the questions per subject, and upward
feedback as organisation-wide figures (HR of the organisation only; 404 for anyone else)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from people.access import organisation_get_for_hr

from . import access, selectors, services
from .forms import PolicyForm, QuestionAddForm, QuestionForm
from .models import FeedbackQuestion, Subject


@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    organisation = organisation_get_for_hr(user=request.user)
    policy = services.policy_of(organisation)
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form")
    policy_form = PolicyForm(posted if which == "policy" else None, instance=policy)
    add_form = QuestionAddForm(posted if which == "question" else None)
    if which == "policy" and policy_form.is_valid():
        services.policy_save(
            organisation=organisation,
            by=request.user,
            anonymity_floor=policy_form.cleaned_data["anonymity_floor"],
        )
        messages.success(request, _("The feedback policy is saved."))
        return redirect("feedback:settings")
    if which == "question" and add_form.is_valid():
        services.question_add(organisation=organisation, by=request.user, **add_form.cleaned_data)
        messages.success(request, _("The question is added."))
        return redirect("feedback:settings")
    if which == "adopt" and request.POST.get("subject") in Subject.values:
        services.questions_adopt(
            organisation=organisation, by=request.user, subject=request.POST["subject"]
        )
        return redirect(f"{request.path}#subject-{request.POST['subject']}")
    stored = FeedbackQuestion.objects.filter(organisation=organisation).order_by(
        "subject", "position", "id"
    )
    subjects = []
    for subject in Subject:
        own = [q for q in stored if q.subject == subject]
        # No questions of its own yet: the defaults, shown until HR adopts them.
        subjects.append((subject, own or services.questions_of(organisation, subject), not own))
    respondents, figures = selectors.upward_organisation(organisation)
    context = {
        "policy_form": policy_form,
        "add_form": add_form,
        "subjects": subjects,
        "respondents": respondents,
        "figures": figures,
        "min_group": organisation.min_group_size,
    }
    return render(request, "feedback/hr_settings.html", context)


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_uuid: UUID) -> HttpResponse:
    question = access.question_get_for_hr(user=request.user, question_uuid=question_uuid)
    form = QuestionForm(
        request.POST if request.method == "POST" else None,
        initial={"text_nl": question.text_nl, "text_en": question.text_en},
    )
    if request.method == "POST" and form.is_valid():
        services.question_reword(question=question, by=request.user, **form.cleaned_data)
        messages.success(request, _("The question is saved."))
        return redirect("feedback:settings")
    return render(request, "feedback/hr_question_edit.html", {"form": form, "question": question})


@require_POST
def question_active(request: HttpRequest, question_uuid: UUID) -> HttpResponse:
    question = access.question_get_for_hr(user=request.user, question_uuid=question_uuid)
    active = request.POST.get("active") == "1"
    services.question_set_active(question=question, by=request.user, active=active)
    messages.success(
        request,
        _("The question is in use again.")
        if active
        else _("The question is retired. Requests already made keep their questions."),
    )
    return redirect("feedback:settings")
