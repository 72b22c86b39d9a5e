"""HR runs the organisation in the app: people, units, the people file, sign-in settings.

Every page is for HR of the organisation only (``access.organisation_get_for_hr``: 404 for
anyone else) and every change is audited by the service that makes it.
"""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, directory, imports, invitations, selectors, sso, two_factor
from .forms import (
    PeopleFilterForm,
    PeopleImportForm,
    PersonAddForm,
    PersonForm,
    SignInSettingsForm,
    TwoFactorCodeForm,
    UnitForm,
)
from .models import PeopleImport, User

#: At most this many lines of each part of an import's preview are listed.
PREVIEW_ROWS = 200


def _errors_to_form(form, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# --- People -------------------------------------------------------------------------------


@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    organisation = access.organisation_get_for_hr(user=request.user)
    form = PeopleFilterForm(request.GET or None, organisation=organisation)
    if form.is_bound:
        form.is_valid()  # the valid filters apply even when another one is wrong
    filters = getattr(form, "cleaned_data", {})
    page = selectors.people_page(
        organisation=organisation, filters=filters, page_number=request.GET.get("page")
    )
    now = timezone.now()
    paths = selectors.unit_paths(organisation_id=organisation.pk)
    rows = [
        (person, invitations.invitation_summary(person, now), paths.get(person.unit_id, ""))
        for person in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "organisation": organisation,
    }
    return render(request, "people/hr/person_list.html", context)


@require_POST
def people_invite(request: HttpRequest) -> HttpResponse:
    """Invite (again) the people ticked on the list, or everyone never invited."""
    organisation = access.organisation_get_for_hr(user=request.user)
    people = access.people_in_organisation(organisation.pk).filter(is_active=True)
    if request.POST.get("never_invited"):
        people = invitations.filter_by_state(
            invitations.with_invitation_state(people), invitations.State.NEVER, timezone.now()
        )
    else:
        wanted = []
        for value in request.POST.getlist("person"):
            try:
                wanted.append(UUID(value))
            except ValueError:
                continue
        people = people.filter(uuid__in=wanted)
    sent = invitations.invitations_send(people=list(people), by=request.user)
    if sent:
        messages.success(
            request,
            ngettext(
                "%(count)d invitation is on its way.",
                "%(count)d invitations are on their way.",
                len(sent),
            )
            % {"count": len(sent)},
        )
    else:
        messages.info(request, _("Nobody was selected to invite."))
    return redirect("people:person-list")


@require_http_methods(["GET", "POST"])
def person_add(request: HttpRequest) -> HttpResponse:
    organisation = access.organisation_get_for_hr(user=request.user)
    form = PersonAddForm(
        request.POST if request.method == "POST" else None, organisation=organisation
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = directory.person_create(
                organisation=organisation,
                by=request.user,
                values=form.values(),
                invite=form.cleaned_data["invite"],
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _added_message(person, form))
            return redirect("people:person-detail", person_uuid=person.uuid)
    return render(request, "people/hr/person_add.html", {"form": form})


def _added_message(person: User, form) -> str:
    if form.cleaned_data["invite"]:
        return _("%(name)s is added and an invitation is on its way.") % {"name": person.full_name}
    return _("%(name)s is added.") % {"name": person.full_name}


@require_http_methods(["GET", "POST"])
def person_detail(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    person = access.person_get_for_hr(user=request.user, person_uuid=person_uuid)
    form = PersonForm(
        request.POST if request.method == "POST" else None,
        organisation=person.organisation,
        person=person,
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = directory.person_update(
                person=person, by=request.user, changes=form.values(), request=request
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            if changed:
                messages.success(request, _("The changes are saved."))
            return redirect("people:person-detail", person_uuid=person.uuid)
    summary = invitations.invitation_summary(
        invitations.with_invitation_state(User.objects.filter(pk=person.pk)).get()
    )
    context = {
        "form": form,
        "person": person,
        "invitation": summary,
        "single_sign_on_only": invitations.uses_single_sign_on_only(person),
        "two_factor": two_factor.has_two_factor(person),
    }
    return render(request, "people/hr/person_detail.html", context)


@require_POST
def person_active(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    person = access.person_get_for_hr(user=request.user, person_uuid=person_uuid)
    active = request.POST.get("active") == "1"
    try:
        directory.person_set_active(person=person, by=request.user, active=active, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            (_("%(name)s is active again.") if active else _("%(name)s is deactivated."))
            % {"name": person.full_name},
        )
    return redirect("people:person-detail", person_uuid=person.uuid)


@require_POST
def person_invite(request: HttpRequest, person_uuid: UUID) -> HttpResponse:
    person = access.person_get_for_hr(user=request.user, person_uuid=person_uuid)
    if invitations.invitations_send(people=[person], by=request.user):
        messages.success(request, _("The invitation is on its way."))
    else:
        messages.error(request, _("Only an active person can be invited."))
    return redirect("people:person-detail", person_uuid=person.uuid)


# --- Units --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def unit_list(request: HttpRequest) -> HttpResponse:
    organisation = access.organisation_get_for_hr(user=request.user)
    form = UnitForm(request.POST if request.method == "POST" else None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        values = form.values()
        try:
            unit = directory.unit_create(
                organisation=organisation,
                by=request.user,
                name=values["name"],
                kind=values["kind"],
                parent=values["parent"],
                manager=values["manager"],
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("%(name)s is added.") % {"name": unit.name})
            return redirect("people:unit-list")
    tree = selectors.unit_tree(organisation_id=organisation.pk)
    counts = selectors.unit_member_counts(organisation_id=organisation.pk)
    todo = list(tree)
    while todo:
        node = todo.pop()
        node.members = counts.get(node.unit.pk, 0)
        todo.extend(node.children)
    return render(request, "people/hr/unit_list.html", {"form": form, "tree": tree})


@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_uuid: UUID) -> HttpResponse:
    unit = access.unit_get_for_hr(user=request.user, unit_uuid=unit_uuid)
    form = UnitForm(
        request.POST if request.method == "POST" else None,
        organisation=request.user.organisation,
        unit=unit,
    )
    if request.method == "POST" and form.is_valid():
        try:
            directory.unit_update(
                unit=unit,
                by=request.user,
                changes=form.values(),
                members_report=form.cleaned_data.get("members_report", False),
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:unit-list")
    return render(request, "people/hr/unit_edit.html", {"form": form, "unit": unit})


@require_POST
def unit_delete(request: HttpRequest, unit_uuid: UUID) -> HttpResponse:
    unit = access.unit_get_for_hr(user=request.user, unit_uuid=unit_uuid)
    try:
        directory.unit_delete(unit=unit, by=request.user, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("people:unit-edit", unit_uuid=unit.uuid)
    messages.success(request, _("%(name)s is removed.") % {"name": unit.name})
    return redirect("people:unit-list")


# --- The people file ----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def people_import(request: HttpRequest) -> HttpResponse:
    """Upload: the file is kept (until applied or replaced) and its preview shown."""
    organisation = access.organisation_get_for_hr(user=request.user)
    form = PeopleImportForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with transaction.atomic():
            PeopleImport.objects.filter(organisation=organisation, applied_at__isnull=True).delete()
            pending = PeopleImport.objects.create(
                organisation=organisation,
                uploaded_by=request.user,
                filename=upload.name[:255],
                content=upload.read(),
                everyone=form.cleaned_data["everyone"],
                invite=form.cleaned_data["invite"],
            )
        return redirect("people:people-import-preview", import_uuid=pending.uuid)
    return render(request, "people/hr/people_import.html", {"form": form})


def _plan(request: HttpRequest, pending: PeopleImport) -> imports.ImportPlan:
    return imports.plan_import(
        organisation=pending.organisation,
        content=bytes(pending.content),
        filename=pending.filename,
        everyone=pending.everyone,
        keep=request.user,
    )


@require_http_methods(["GET", "POST"])
def people_import_preview(request: HttpRequest, import_uuid: UUID) -> HttpResponse:
    """What the file will do; nothing changes until HR confirms (POST), and then all of it
    in one transaction, exactly what the preview showed."""
    pending = access.people_import_get_for_hr(user=request.user, import_uuid=import_uuid)
    plan = _plan(request, pending)
    if request.method == "POST" and plan.ok:
        if request.POST.get("fingerprint") != plan.fingerprint:
            messages.warning(
                request,
                _(
                    "The organisation changed since this preview. Check the new preview and "
                    "confirm again."
                ),
            )
        else:
            return _apply(request, pending, plan)
    context = {
        "pending": pending,
        "plan": plan,
        "limit": PREVIEW_ROWS,
        "errors": plan.errors[: imports.MAX_ERRORS_SHOWN],
        "labels": imports.LABELS,
    }
    return render(request, "people/hr/people_import_preview.html", context)


def _apply(request: HttpRequest, pending: PeopleImport, plan: imports.ImportPlan) -> HttpResponse:
    with transaction.atomic():
        claimed = PeopleImport.objects.filter(pk=pending.pk, applied_at__isnull=True).update(
            applied_at=timezone.now(), content=b""
        )
        if not claimed:  # applied meanwhile (a second click)
            return redirect("people:person-list")
        result = imports.apply_import(plan=plan, actor=request.user)
        if pending.invite and result.created:
            invitations.invitations_send(people=result.created, by=request.user)
    messages.success(
        request,
        _(
            "The file is applied: %(created)d added, %(updated)d changed, "
            "%(deactivated)d deactivated, %(units)d new units."
        )
        % {
            "created": len(result.created),
            "updated": result.updated,
            "deactivated": result.deactivated,
            "units": result.units_created,
        },
    )
    return redirect("people:person-list")


# --- Sign-in settings ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in_settings(request: HttpRequest) -> HttpResponse:
    organisation = access.organisation_get_for_hr(user=request.user)
    row = sso.sign_in_settings_for(organisation)
    form = SignInSettingsForm(request.POST if request.method == "POST" else None, settings_row=row)
    if request.method == "POST" and form.is_valid():
        values = dict(form.cleaned_data)
        domains = values.pop("domains")
        try:
            sso.sign_in_configure(
                organisation=organisation,
                by=request.user,
                values=values,
                domains=domains,
                request=request,
            )
        except ValidationError as error:
            _errors_to_form(form, error)
        else:
            messages.success(request, _("The sign-in settings are saved."))
            return redirect("people:sign-in-settings")
    context = {
        "form": form,
        "organisation": organisation,
        "settings_row": row,
        "callback_url": sso.callback_url(request, sso.sign_in_settings_for(organisation)),
    }
    return render(request, "people/hr/sign_in_settings.html", context)


# --- One's own second factor --------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def own_two_factor(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator, make new recovery codes, or turn it off (unless the
    organisation requires it)."""
    user = request.user
    action = request.POST.get("action", "")
    form = TwoFactorCodeForm(request.POST if action == "confirm" else None)
    if action == "confirm" and form.is_valid():
        codes = two_factor.totp_confirm(request=request, user=user, code=form.cleaned_data["code"])
        if codes is not None:
            request.session[two_factor.SHOW_CODES_KEY] = codes
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("people:two-factor")
        form.add_error(
            "code", _("This code is not right. Check the time on your phone and try again.")
        )
    elif action == "new-codes" and two_factor.has_two_factor(user):
        request.session[two_factor.SHOW_CODES_KEY] = two_factor.recovery_codes_new(user=user)
        return redirect("people:two-factor")
    elif (
        action == "remove" and two_factor.has_two_factor(user) and not two_factor.required_for(user)
    ):
        two_factor.two_factor_remove(user=user)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("people:two-factor")
    active = two_factor.has_two_factor(user)
    context = {
        "form": form,
        "active": active,
        "required": two_factor.required_for(user),
        "codes": request.session.pop(two_factor.SHOW_CODES_KEY, None),
        "codes_left": two_factor.recovery_codes_left(user) if active else 0,
        "single_sign_on": request.session.get(sso.SESSION_KEY) is not None,
    }
    if not active:
        device = two_factor.setup_device(request, user)
        context.update(
            secret=two_factor.secret_for_display(device), qr_code=two_factor.qr_code(device)
        )
    return render(request, "people/two_factor.html", context)
