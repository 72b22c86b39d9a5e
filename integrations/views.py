"""HR's integrations page (API clients, the SCIM token, webhooks, Teams or Slack, the
notification policy) and each person's notification settings."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from people.models import ApiClient, TopicPolicy
from people.preferences import settings_for

from . import access, forms, selectors, services


def _overview(request: HttpRequest, status: int = 200, **bound) -> HttpResponse:
    """The page, with the forms that were posted (and their errors) in place."""
    organisation = access.integrations_for_hr(user=request.user)
    policies = {
        p.topic: (p.default, p.minimum)
        for p in TopicPolicy.objects.filter(organisation=organisation)
    }
    context = {
        "organisation": organisation,
        "overview": selectors.integrations_overview(organisation=organisation),
        "client_form": bound.get("client_form") or forms.ApiClientForm(),
        "webhook_form": bound.get("webhook_form") or forms.WebhookForm(),
        "chat_form": bound.get("chat_form") or forms.ChatChannelForm(),
        "policy_form": bound.get("policy_form") or forms.TopicPolicyForm(policies=policies),
        "api_docs": reverse("integrations:api-docs"),
    }
    return render(request, "integrations/overview.html", context, status=status)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request)


def _token_page(request: HttpRequest, client: ApiClient, token: str) -> HttpResponse:
    """The token, this once: it is not stored, and the page is not kept by the browser."""
    response = render(request, "integrations/token.html", {"client": client, "token": token})
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_POST
def client_add(request: HttpRequest) -> HttpResponse:
    organisation = access.integrations_for_hr(user=request.user)
    form = forms.ApiClientForm(request.POST)
    if not form.is_valid():
        return _overview(request, client_form=form)
    client, token = services.api_client_create(
        organisation=organisation, by=request.user, **form.cleaned_data
    )
    return _token_page(request, client, token)


@require_POST
def client_revoke(request: HttpRequest, client_uuid: UUID) -> HttpResponse:
    client = access.client_get_for_hr(user=request.user, client_uuid=client_uuid)
    services.api_client_revoke(client=client, by=request.user)
    messages.success(
        request, _("%(name)s can no longer call POP Platform.") % {"name": client.name}
    )
    return redirect("integrations:overview")


@never_cache
@require_POST
def scim_token(request: HttpRequest) -> HttpResponse:
    """A new SCIM token for the identity provider (the previous one stops working)."""
    organisation = access.integrations_for_hr(user=request.user)
    client, token = services.api_client_create(
        organisation=organisation, by=request.user, name="SCIM", scopes=[], kind=ApiClient.Kind.SCIM
    )
    return _token_page(request, client, token)


@require_POST
def webhook_add(request: HttpRequest) -> HttpResponse:
    organisation = access.integrations_for_hr(user=request.user)
    form = forms.WebhookForm(request.POST)
    if not form.is_valid():
        return _overview(request, webhook_form=form)
    subscription = services.subscription_create(
        organisation=organisation, by=request.user, **form.cleaned_data
    )
    messages.success(
        request, _("The subscription is made. Use its secret to check the signatures.")
    )
    return redirect("integrations:webhook-detail", subscription_uuid=subscription.uuid)


@require_http_methods(["GET", "POST"])
def webhook_detail(request: HttpRequest, subscription_uuid: UUID) -> HttpResponse:
    """One subscription: its secret, events and switch, and its delivery log."""
    subscription = access.subscription_get_for_hr(
        user=request.user, subscription_uuid=subscription_uuid
    )
    initial = {"events": subscription.events, "active": subscription.is_active}
    form = forms.WebhookEditForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        services.subscription_update(
            subscription=subscription, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("The subscription is saved."))
        return redirect("integrations:webhook-detail", subscription_uuid=subscription.uuid)
    context = {
        "subscription": subscription,
        "form": form,
        "deliveries": selectors.delivery_log(subscription=subscription),
    }
    response = render(request, "integrations/webhook_detail.html", context)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def webhook_test(request: HttpRequest, subscription_uuid: UUID) -> HttpResponse:
    subscription = access.subscription_get_for_hr(
        user=request.user, subscription_uuid=subscription_uuid
    )
    try:
        services.subscription_send_test(subscription=subscription, by=request.user)
        messages.success(
            request, _("A test event is on its way. Its delivery shows below in a moment.")
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    return redirect("integrations:webhook-detail", subscription_uuid=subscription.uuid)


@require_POST
def webhook_delete(request: HttpRequest, subscription_uuid: UUID) -> HttpResponse:
    subscription = access.subscription_get_for_hr(
        user=request.user, subscription_uuid=subscription_uuid
    )
    services.subscription_delete(subscription=subscription, by=request.user)
    messages.success(request, _("The subscription is removed."))
    return redirect("integrations:overview")


@require_POST
def chat_set(request: HttpRequest) -> HttpResponse:
    organisation = access.integrations_for_hr(user=request.user)
    form = forms.ChatChannelForm(request.POST)
    if not form.is_valid():
        return _overview(request, chat_form=form)
    services.chat_channel_set(organisation=organisation, by=request.user, **form.cleaned_data)
    messages.success(request, _("Notifications can now go to this channel."))
    return redirect("integrations:overview")


@require_POST
def chat_remove(request: HttpRequest) -> HttpResponse:
    channel = access.organisation_channel_for_hr(user=request.user)
    if channel is not None:
        services.chat_channel_remove(channel=channel, by=request.user)
        messages.success(request, _("Notifications no longer go to the organisation's channel."))
    return redirect("integrations:overview")


@require_POST
def policy_save(request: HttpRequest) -> HttpResponse:
    organisation = access.integrations_for_hr(user=request.user)
    form = forms.TopicPolicyForm(request.POST, policies={})
    if form.is_valid():
        try:
            services.topic_policies_save(
                organisation=organisation, by=request.user, policies=form.policies()
            )
            messages.success(request, _("The notification policy is saved."))
            return redirect("integrations:overview")
        except ValidationError as wrong:
            form.add_error(None, wrong)
    return _overview(request, policy_form=form)


# --- A person's own notification settings ------------------------------------------------


def _my_page(request: HttpRequest, **bound) -> HttpResponse:
    person = request.user
    context = {
        "form": bound.get("form")
        or forms.NotificationChoicesForm(settings_now=settings_for(person)),
        "chat_form": bound.get("chat_form") or forms.ChatChannelForm(),
        "own_channel": access.own_channel(user=person),
    }
    return render(request, "integrations/my_notifications.html", context)


@require_http_methods(["GET", "POST"])
def my_notifications(request: HttpRequest) -> HttpResponse:
    """How each kind of notification reaches me: e-mail, Teams or Slack, in-app, off."""
    if request.user.organisation_id is None:
        return redirect("people:profile")
    if request.method == "GET":
        return _my_page(request)
    form = forms.NotificationChoicesForm(request.POST, settings_now=settings_for(request.user))
    if not form.is_valid():
        return _my_page(request, form=form)
    services.notification_choices_save(person=request.user, choices=form.cleaned_data)
    messages.success(request, _("Your notification settings are saved."))
    return redirect("integrations:my-notifications")


@require_POST
def my_chat_set(request: HttpRequest) -> HttpResponse:
    if request.user.organisation_id is None:
        return redirect("people:profile")
    form = forms.ChatChannelForm(request.POST)
    if not form.is_valid():
        return _my_page(request, chat_form=form)
    services.chat_channel_set(
        organisation=request.user.organisation,
        by=request.user,
        person=request.user,
        **form.cleaned_data,
    )
    messages.success(request, _("Your notifications can now go to your own channel."))
    return redirect("integrations:my-notifications")


@require_POST
def my_chat_remove(request: HttpRequest) -> HttpResponse:
    channel = access.own_channel(user=request.user)
    if channel is not None:
        services.chat_channel_remove(channel=channel, by=request.user)
        messages.success(request, _("Your own channel is removed."))
    return redirect("integrations:my-notifications")
