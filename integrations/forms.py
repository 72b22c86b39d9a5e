"""Forms of the integration pages: they validate and normalise; services write."""

from __future__ import annotations

import ipaddress
import socket

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from people.models import ApiClient, ChatChannel, Delivery, Minimum, Topic, WebhookSubscription
from pop_platform import outbound

from . import tokens


class ApiClientForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("For example: AFAS nightly sync.")
    )
    scopes = forms.MultipleChoiceField(
        label=_("May"),
        choices=ApiClient.Scope.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_networks = forms.CharField(
        label=_("May call from (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "IP addresses or networks, one per line, such as 203.0.113.0/24. Empty: any address."
        ),
    )

    def clean_allowed_networks(self) -> str:
        text = self.cleaned_data["allowed_networks"]
        try:
            tokens.networks(text)
        except ValueError as bad:
            raise forms.ValidationError(
                _("'%(line)s' is not an IP address or network.") % {"line": bad}
            ) from bad
        return text


def _outside_url(value: str) -> str:
    """An https URL of a server outside our own network (http and private addresses only
    when the operator allows private destinations)."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE
    try:
        scheme, host, port, _path = outbound.check_url(value)
    except outbound.DestinationRefused as bad:
        raise forms.ValidationError(
            _("Enter a complete address that starts with https://.")
        ) from bad
    if scheme != "https" and not allow_private:
        raise forms.ValidationError(_("Enter a complete address that starts with https://."))
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    refused = _("This address is inside a private network; POP Platform does not send there.")
    if literal is not None and not outbound.address_allowed(literal, allow_private=allow_private):
        raise forms.ValidationError(refused)
    if literal is None:
        try:
            outbound.resolve(host, port, allow_private=allow_private)
        except outbound.DestinationRefused as private:
            raise forms.ValidationError(refused) from private
        except (OSError, socket.gaierror):
            pass  # not found now: deliveries try again later, and say so in the log
    return value


class WebhookForm(forms.Form):
    url = forms.URLField(label=_("Address (URL)"), max_length=500, assume_scheme="https")
    description = forms.CharField(label=_("Description (optional)"), max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookSubscription.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self) -> str:
        return _outside_url(self.cleaned_data["url"])


class WebhookEditForm(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookSubscription.Event.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Send events to this address"), required=False)


class ChatChannelForm(forms.Form):
    prefix = "chat"  # beside the webhook form's URL field on HR's page: ids stay unique

    service = forms.ChoiceField(label=_("Service"), choices=ChatChannel.Service.choices)
    url = forms.URLField(
        label=_("Incoming webhook URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_(
            "From the channel's settings in Teams (Workflows or Connectors) or Slack "
            "(Incoming Webhooks)."
        ),
    )

    def clean_url(self) -> str:
        return _outside_url(self.cleaned_data["url"])


class TopicPolicyForm(forms.Form):
    """Per topic: the default delivery and what is mandatory."""

    def __init__(self, *args, policies: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for topic, label in Topic.choices:
            default, minimum = policies.get(topic, (Delivery.EMAIL, Minimum.NONE))
            self.fields[f"{topic}-default"] = forms.ChoiceField(
                label=_("%(topic)s: default") % {"topic": label},
                choices=Delivery.choices,
                initial=default,
            )
            self.fields[f"{topic}-minimum"] = forms.ChoiceField(
                label=_("%(topic)s: mandatory") % {"topic": label},
                choices=Minimum.choices,
                initial=minimum,
            )

    def policies(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            topic: (data[f"{topic}-default"], data[f"{topic}-minimum"]) for topic in Topic.values
        }


class NotificationChoicesForm(forms.Form):
    """A person's delivery per topic, among what the organisation allows them."""

    def __init__(self, *args, settings_now: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Delivery.choices)
        for setting in settings_now:
            self.fields[setting.topic] = forms.ChoiceField(
                label=setting.label,
                choices=[(value, labels[value]) for value in setting.choices],
                initial=setting.delivery,
            )
