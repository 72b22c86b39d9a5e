from uuid import UUID

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pop_platform.locks import exclusive
from pop_platform.pdf import PdfTooLong

from . import access, privacy, selectors, services
from .forms import AuditFilterForm, LanguageForm, LocalisedPasswordResetForm, OrganisationPolicyForm
from .models import AuditEvent, Organisation
from .outbox import site_path


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    notifications = list(selectors.inbox(user=request.user))
    return render(request, "people/inbox.html", {"notifications": notifications})


@require_POST
def notification_read(request: HttpRequest, notification_uuid: UUID) -> HttpResponse:
    notification = access.notification_get_for_user(
        user=request.user, notification_uuid=notification_uuid
    )
    services.notification_mark_read(notification=notification)
    if request.htmx:
        context = {"notification": notification, "just_read": True}
        return render(request, "people/inbox.html#notification", context)
    # Only a path on this site, also for a link stored before links were checked.
    return redirect(site_path(notification.link) or reverse("people:inbox"))


@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("people:inbox")


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch between Dutch and English; remembered on the account and in a cookie."""
    form = LanguageForm(request.POST)
    next_url = request.POST.get("next", "")
    # Only a path on this site (``redirect()`` would take "home" for a view name).
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("dashboards:home")
    response = HttpResponseRedirect(next_url)
    if not form.is_valid():
        return response
    language = form.cleaned_data["language"]
    if request.user.is_authenticated:
        services.user_set_language(user=request.user, language=language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        httponly=True,
    )
    return response


@require_http_methods(["GET", "POST"])
def organisation_settings(request: HttpRequest) -> HttpResponse:
    """HR: the organisation's policy (cadence, reminders, group size, budget, retention)."""
    organisation = access.organisation_get_for_hr(user=request.user)
    form = OrganisationPolicyForm(
        request.POST if request.method == "POST" else None, instance=organisation
    )
    if request.method == "POST" and form.is_valid():
        services.organisation_update_policy(
            organisation=Organisation.objects.get(pk=organisation.pk),
            by=request.user,
            changes=form.cleaned_data,
            request=request,
        )
        messages.success(request, _("The settings are saved."))
        return redirect("people:organisation-settings")
    return render(
        request, "people/organisation_settings.html", {"form": form, "organisation": organisation}
    )


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    """HR: who read, changed or exported whose data, when and from where."""
    events = access.audit_events_for_hr(user=request.user)
    organisation = request.user.organisation
    form = AuditFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the valid filters apply even when another one is wrong
    filters = getattr(form, "cleaned_data", {})
    page, rows = selectors.audit_page(
        events=events,
        organisation=organisation,
        viewer=request.user,
        filters=filters,
        page_number=request.GET.get("page"),
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "organisation": organisation,
        "query": query.urlencode(),
    }
    return render(request, "people/audit_log.html", context)


# --- Profile and personal data ------------------------------------------------------------


@require_GET
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's details and the download of all data about them."""
    person = selectors.person_profile(user_id=request.user.pk)
    return render(request, "people/profile.html", {"person": person})


@require_POST
def compliment_sharing(request: HttpRequest) -> HttpResponse:
    """Turn on or off, for oneself, the compliments one receives in the team's feed."""
    share = request.POST.get("share") == "1"
    services.person_share_compliments(person=request.user, share=share)
    if share:
        messages.success(request, _("Compliments you receive now show in your team's feed."))
    else:
        messages.success(request, _("Compliments you receive no longer show in your team's feed."))
    return redirect(f"{reverse('people:profile')}#profile-sharing")


def _export_name(request: HttpRequest, extension: str) -> str:
    name = slugify(
        _("my data %(name)s %(date)s")
        % {
            "name": request.user.full_name,
            "date": timezone.localdate().isoformat(),
        }
    )
    return f"{name}.{extension}"


def _record_export(request: HttpRequest, part: str) -> None:
    """A person's own export is recorded too (the trail has every export); support staff
    outside an organisation have no trail."""
    if request.user.organisation_id is None:
        return
    services.audit_record(
        actor=request.user,
        subject=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type=privacy.AUDIT_TYPE,
        object_id=str(request.user.uuid),
        summary=part,
    )


@never_cache
@require_GET
def personal_data_json(request: HttpRequest) -> HttpResponse:
    data = privacy.personal_data_json(person=request.user, generated_at=timezone.now())
    _record_export(request, "json")
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{_export_name(request, "json")}"'
    return response


@never_cache
@require_GET
def personal_data_pdf(request: HttpRequest) -> HttpResponse:
    """Made while the person waits (a rare download, at most ``PDF_MAX_PAGES`` pages), one
    at a time per person: impatient repeated clicks do not occupy every web worker."""
    with exclusive(f"personal-data-pdf:{request.user.pk}") as mine:
        if not mine:
            messages.info(request, _("Your PDF is being made already. It downloads in a moment."))
            return redirect("people:profile")
        try:
            pdf = privacy.personal_data_pdf(person=request.user, generated_at=timezone.now())
        except PdfTooLong:
            messages.error(
                request,
                _("Your data is too much for a readable PDF. The JSON file has all of it."),
            )
            return redirect("people:profile")
    _record_export(request, "pdf")
    return HttpResponse(
        pdf,
        content_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(request, "pdf")}"'},
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Django's page, with the e-mail queued (``LocalisedPasswordResetForm``) and the
    requests limited per address and per client: past a limit nothing is queued and the
    page says to wait, the same whether or not the address has an account."""

    form_class = LocalisedPasswordResetForm
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form: LocalisedPasswordResetForm) -> HttpResponse:
        client = get_client_ip_address(self.request) or "unknown"
        if not services.password_reset_allowed(email=form.cleaned_data["email"], client=client):
            form.add_error(
                None,
                _(
                    "A link to choose a new password was asked for too often. Check your "
                    "e-mail (also the spam folder), or try again in an hour."
                ),
            )
            return self.form_invalid(form)
        return super().form_valid(form)
