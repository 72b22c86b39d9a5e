"""HR's integrations page and each person's notification settings, as their users use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from people.models import (
    ApiClient,
    AuditEvent,
    ChatChannel,
    NotificationChoice,
    OutgoingMessage,
    TopicPolicy,
    WebhookSubscription,
)
from people.outbox import Channel, outbox_send
from tests.conftest import client_for

from .conftest import Api

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("integrations:overview")


def test_only_hr_opens_the_integrations_page(world):
    assert client_for(world.hr).get(OVERVIEW).status_code == 200
    for persona in (world.employee, world.manager):
        assert client_for(persona).get(OVERVIEW).status_code == 404


def test_hr_makes_a_client_sees_its_token_once_and_it_works(world):
    hr = client_for(world.hr)
    page = hr.post(
        reverse("integrations:client-add"),
        {"name": "AFAS", "scopes": ["people:read", "goals:read"], "allowed_networks": ""},
    )
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    token = page.context["token"]
    assert token.startswith("pop_") and token in page.content.decode()
    client = ApiClient.objects.get(name="AFAS")
    assert client.token_hash != token and token not in str(client.__dict__)
    assert Api(token).get("/people").status_code == 200
    assert token not in hr.get(OVERVIEW).content.decode()  # never shown again
    assert AuditEvent.objects.filter(
        actor=world.hr, object_type="api_client", action="create"
    ).exists()
    hr.post(reverse("integrations:client-revoke", args=[client.uuid]))
    assert Api(token).get("/people").status_code == 401


def test_a_bad_client_form_keeps_what_was_typed_with_the_reason(world):
    page = client_for(world.hr).post(
        reverse("integrations:client-add"),
        {"name": "Visma", "scopes": [], "allowed_networks": "kantoor"},
    )
    text = page.content.decode()
    assert page.status_code == 200 and 'value="Visma"' in text
    assert "&#x27;kantoor&#x27; is geen IP-adres of netwerk." in text
    assert not ApiClient.objects.exists()


def test_hr_subscribes_a_webhook_sends_a_test_event_and_reads_its_log(world, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    hr = client_for(world.hr)
    refused = hr.post(
        reverse("integrations:webhook-add"),
        {"url": "https://127.0.0.1/hook", "events": ["goal.approved"]},
    )
    assert "privé-netwerk" in refused.content.decode() and not WebhookSubscription.objects.exists()
    made = hr.post(
        reverse("integrations:webhook-add"),
        {"url": "https://hooks.example.org/pop", "events": ["goal.approved", "person.deactivated"]},
    )
    subscription = WebhookSubscription.objects.get()
    assert made.url == reverse("integrations:webhook-detail", args=[subscription.uuid])
    detail = hr.get(made.url)
    assert subscription.secret in detail.content.decode() and "no-store" in detail["Cache-Control"]
    hr.post(reverse("integrations:webhook-test", args=[subscription.uuid]))
    row = OutgoingMessage.objects.get(subscription=subscription)
    assert row.kind == "test" and row.channel == "webhook"
    assert "<code>test</code>" in hr.get(made.url).content.decode()
    hr.post(made.url, {"events": ["goal.approved"], "active": ""})
    subscription.refresh_from_db()
    assert subscription.events == ["goal.approved"] and not subscription.is_active
    hr.post(reverse("integrations:webhook-delete", args=[subscription.uuid]))
    assert not WebhookSubscription.objects.exists()


def test_hr_sets_the_chat_channel_and_the_policy_and_people_choose_within_it(world):
    hr = client_for(world.hr)
    hr.post(
        reverse("integrations:chat-set"),
        {"chat-service": "teams", "chat-url": "https://contoso.webhook.office.com/x"},
    )
    assert ChatChannel.objects.get(person=None).service == "teams"
    data = {
        f"{topic}-default": "email"
        for topic in ("invitations", "reminders", "approvals", "agreements", "digests")
    }
    data.update(
        {
            f"{topic}-minimum": "none"
            for topic in ("reminders", "approvals", "agreements", "digests")
        }
    )
    data["invitations-minimum"] = "email"
    assert hr.post(reverse("integrations:policy-save"), data).status_code == 302
    assert TopicPolicy.objects.get(topic="invitations").minimum == "email"

    employee = client_for(world.employee)
    page = employee.get(reverse("integrations:my-notifications"))
    options = [value for value, _label in page.context["form"].fields["invitations"].choices]
    assert options == ["email", "email_chat"]  # invitations always by e-mail
    assert "chat" in [value for value, _label in page.context["form"].fields["reminders"].choices]
    employee.post(
        reverse("integrations:my-notifications"),
        {
            "invitations": "email_chat",
            "reminders": "chat",
            "approvals": "in_app",
            "agreements": "off",
            "digests": "email",
        },
    )
    assert (
        dict(
            NotificationChoice.objects.filter(person=world.employee).values_list(
                "topic", "delivery"
            )
        )["reminders"]
        == "chat"
    )
    sneaky = employee.post(reverse("integrations:my-notifications"), {"invitations": "off"})
    assert sneaky.status_code == 200  # not a choice she has: the form says so
    rows = outbox_send(
        recipient=world.employee,
        kind="reminder_goal_due",
        context={"title": "X", "due": "2026-12-24"},
    )
    assert [row.channel for row in rows] == [Channel.IN_APP, Channel.CHAT]
    assert (
        outbox_send(
            recipient=world.employee, kind="plan_agreement", context={"employee": "S", "by": "J"}
        )
        == []
    )
    invitation = outbox_send(recipient=world.employee, kind="goal_approved", context={"title": "X"})
    assert [row.channel for row in invitation] == [Channel.IN_APP]


def test_a_person_sets_their_own_channel(world):
    employee = client_for(world.employee)
    employee.post(
        reverse("integrations:my-chat-set"),
        {"chat-service": "slack", "chat-url": "https://hooks.slack.com/services/T/B/X"},
    )
    assert ChatChannel.objects.get(person=world.employee).service == "slack"
    employee.post(reverse("integrations:my-chat-remove"))
    assert not ChatChannel.objects.filter(person=world.employee).exists()


def test_the_api_docs_are_served_from_vendored_files_under_the_strict_policy(client):
    page = client.get(reverse("integrations:api-docs"))
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "/static/vendor/swagger-ui/swagger-ui-bundle.js" in text
        and "/static/js/api-docs.js" in text
    )
    assert "cdn" not in text.lower() and "<script>" not in text
    assert "script-src 'self'" in page["Content-Security-Policy"]
    schema = client.get(reverse("integrations:api-schema")).json()
    assert schema["openapi"] == "3.1.0" and "/api/v1/people" in schema["paths"]
