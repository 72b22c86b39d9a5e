"""HR's organisation settings for conversations: preparation questions per kind and the
cadence per unit (HR of the organisation only; 404 for anyone else)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.access import organisation_get_for_hr, unit_get_for_hr
from people.selectors import unit_paths

from . import access, policy
from .cadence import unit_policies
from .forms import PreparationQuestionAddForm, PreparationQuestionForm, UnitCadenceForm
from .models import Kind, PreparationQuestion, UnitCadence


@require_http_methods(["GET", "POST"])
def question_list(request: HttpRequest) -> HttpResponse:
    organisation = organisation_get_for_hr(user=request.user)
    form = PreparationQuestionAddForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        policy.question_add(
            organisation=organisation, by=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("The question is added."))
        return redirect(f"{request.path}#kind-{form.cleaned_data['kind']}")
    questions = PreparationQuestion.objects.filter(organisation=organisation).order_by(
        "kind", "position", "id"
    )
    by_kind = {kind: [] for kind in Kind}
    for question in questions:
        by_kind[Kind(question.kind)].append(question)
    context = {"form": form, "kinds": [(kind, by_kind[kind]) for kind in Kind]}
    return render(request, "conversations/hr/question_list.html", context)


@require_http_methods(["GET", "POST"])
def question_edit(request: HttpRequest, question_uuid: UUID) -> HttpResponse:
    question = access.question_get_for_hr(user=request.user, question_uuid=question_uuid)
    form = PreparationQuestionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "audience": question.audience,
            "text_nl": question.text_nl,
            "text_en": question.text_en,
        },
    )
    if request.method == "POST" and form.is_valid():
        policy.question_reword(
            question=question, by=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("The question is saved."))
        return redirect("conversations:question-list")
    return render(
        request, "conversations/hr/question_edit.html", {"form": form, "question": question}
    )


@require_POST
def question_move(request: HttpRequest, question_uuid: UUID) -> HttpResponse:
    question = access.question_get_for_hr(user=request.user, question_uuid=question_uuid)
    policy.question_move(
        question=question,
        by=request.user,
        up=request.POST.get("direction") == "up",
        request=request,
    )
    return redirect(f"{redirect('conversations:question-list').url}#kind-{question.kind}")


@require_POST
def question_active(request: HttpRequest, question_uuid: UUID) -> HttpResponse:
    question = access.question_get_for_hr(user=request.user, question_uuid=question_uuid)
    active = request.POST.get("active") == "1"
    policy.question_set_active(question=question, by=request.user, active=active, request=request)
    messages.success(
        request,
        _("The question is in use again.")
        if active
        else _("The question is retired. Answers already given stay with their conversations."),
    )
    return redirect(f"{redirect('conversations:question-list').url}#kind-{question.kind}")


@require_GET
def cadence_list(request: HttpRequest) -> HttpResponse:
    """Every unit with the cadence that applies to it and whether it is its own."""
    organisation = organisation_get_for_hr(user=request.user)
    policies = unit_policies(organisation)
    own = {
        cadence.unit_id: cadence
        for cadence in UnitCadence.objects.filter(unit__organisation=organisation)
    }
    paths = unit_paths(organisation_id=organisation.pk)
    units = organisation.units.order_by()
    rows = sorted(
        (
            (paths.get(unit.pk, unit.name), unit, policies.get(unit.pk), own.get(unit.pk))
            for unit in units
        ),
        key=lambda row: row[0].lower(),
    )
    context = {"rows": rows, "organisation": organisation}
    return render(request, "conversations/hr/cadence_list.html", context)


@require_http_methods(["GET", "POST"])
def cadence_edit(request: HttpRequest, unit_uuid: UUID) -> HttpResponse:
    unit = unit_get_for_hr(user=request.user, unit_uuid=unit_uuid)
    cadence = UnitCadence.objects.filter(unit=unit).first() or UnitCadence(unit=unit)
    form = UnitCadenceForm(request.POST if request.method == "POST" else None, instance=cadence)
    if request.method == "POST" and form.is_valid():
        policy.unit_cadence_save(
            unit=unit, by=request.user, values=form.cleaned_data, request=request
        )
        messages.success(request, _("The cadence of %(unit)s is saved.") % {"unit": unit.name})
        return redirect("conversations:cadence-list")
    context = {"form": form, "unit": unit, "organisation": request.user.organisation}
    return render(request, "conversations/hr/cadence_edit.html", context)
