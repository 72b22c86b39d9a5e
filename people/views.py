from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import access, selectors, services
from .forms import LanguageForm, OrganisationPolicyForm
from .models import Organisation


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
        return render(request, "people/inbox.html#notification", {"notification": notification})
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("people:inbox")


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
    organisation = access.organisation_get_for_policy(user=request.user)
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
