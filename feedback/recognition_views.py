"""Recognition pages: the compliments on a plan's completed items (the plan page loads
them into its items), and giving one on a completed step, action or achieved goal.

With htmx the plan page swaps each item's part in place (out of band); without
JavaScript each part is a page of its own (post/redirect/get)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from plans.access import plan_get_for_user

from . import recognition
from .forms import ComplimentForm

SLOT = "feedback/_compliments.html"


@require_GET
def plan_compliments(request: HttpRequest, plan_uuid: UUID) -> HttpResponse:
    """Every completed item's compliments on a plan: for htmx each in its place on the
    plan page (out of band), otherwise a page of them."""
    plan = plan_get_for_user(user=request.user, plan_uuid=plan_uuid)
    slots = recognition.plan_slots(plan=plan, viewer=request.user)
    context = {"plan": plan, "slots": slots, "form": ComplimentForm()}
    if request.htmx:
        return render(request, f"{SLOT}#plan-slots", context)
    return render(request, "feedback/plan_compliments.html", context)


@require_http_methods(["GET", "POST"])
def compliment(request: HttpRequest, kind: str, item_uuid: UUID) -> HttpResponse:
    """GET: the item's compliments (htmx: the part; otherwise a page). POST: give one."""
    target = recognition.compliment_target_for(user=request.user, kind=kind, item_uuid=item_uuid)
    form = ComplimentForm(request.POST if request.method == "POST" else None)
    given = False
    if request.method == "POST":
        if not recognition.may_compliment(request.user, target):
            raise PermissionDenied
        if form.is_valid():
            recognition.compliment_give(
                target=target, by=request.user, text=form.cleaned_data["text"]
            )
            if not request.htmx:
                messages.success(request, _("Your compliment is sent."))
                return redirect(target.link)
            form, given = ComplimentForm(), True
    context = {
        "slot": recognition.slot_for(target=target, viewer=request.user),
        "form": form,
        "given": given,
    }
    if request.htmx:
        return render(request, f"{SLOT}#slot", context)
    return render(request, "feedback/compliment.html", context)
