"""Webhooks, Teams and Slack through the outbox, posted to a real HTTP receiver on the
loopback (``tests/receiver.py``), which verifies each webhook with the Standard Webhooks
reference implementation. Tasks run in-process here; ``tests/integration/
test_webhook_delivery.py`` runs them in a real worker that is killed mid-delivery."""

from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from conversations import services as conversation_services
from goals import services as goal_services
from integrations.services import chat_channel_set, subscription_create, subscription_send_test
from people import directory
from people.models import ChatChannel, OutgoingMessage, WebhookSubscription
from people.outbox import Channel, outbox_send
from people.tasks import outbox_deliver
from plans import services as plan_services
from plans.items import KINDS
from pop_platform import outbound
from tests.conversations.conftest import in_days
from tests.receiver import Receiver

pytestmark = pytest.mark.django_db
ALL_EVENTS = list(WebhookSubscription.Event.values)


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on the loopback
    server = Receiver().start()
    yield server
    server.stop()


def subscribe(world, receiver, path="/hook", events=ALL_EVENTS) -> WebhookSubscription:
    subscription = subscription_create(
        organisation=world.organisation, by=world.hr, url=receiver.url + path, events=events
    )
    receiver.secrets[path] = subscription.secret
    return subscription


def deliver_all() -> list[OutgoingMessage]:
    """What a worker would do with every row waiting (tasks run in-process)."""
    rows = list(OutgoingMessage.objects.filter(sent_at__isnull=True, failed_at__isnull=True))
    for row in rows:
        outbox_deliver.apply(args=[row.pk], throw=False)
    return rows


def test_each_event_reaches_the_subscription_signed_with_ids_and_facts_only(
    world, pop, cascade, receiver
):
    subscribe(world, receiver)
    elsewhere = WebhookSubscription.objects.create(
        organisation=world.other_organisation,
        url=receiver.url + "/elders",
        events=ALL_EVENTS,
        secret="whsec_AAAA",
    )
    plan = pop.plan
    # plan.agreed, then plan.changed_since_agreement and action.completed
    plan_services.plan_agree(plan=plan, by=world.employee, revision=plan.revision)
    plan.refresh_from_db()
    plan_services.plan_agree(plan=plan, by=world.manager, revision=plan.revision)
    plan.refresh_from_db()
    plan_services.item_update(
        plan=plan,
        kind=KINDS["action"],
        item=pop.action,
        by=world.employee,
        expected_version=pop.action.version,
        changes={"status": "done"},
    )
    # goal.approved and goal.achieved
    goal_services.goal_submit(goal=cascade.draft, by=world.employee)
    goal_services.goal_approve(goal=cascade.draft, by=world.manager, comment="Prima, Sanne!")
    team_goal = cascade.team_goal
    goal_services.goal_update(
        goal=team_goal,
        by=world.manager,
        data={"status": "achieved"},
        version=team_goal.version,
        manage=True,
    )
    # conversation.scheduled and conversation.held
    conversation = conversation_services.conversation_schedule(
        manager=world.manager,
        employee=world.employee,
        kind="development",
        starts_at=in_days(3),
        location="Kamer 2.14",
    )
    conversation.starts_at = timezone.now() - datetime.timedelta(minutes=5)
    conversation.save(update_fields=["starts_at"])
    conversation_services.conversation_mark_held(conversation=conversation, by=world.manager)
    # person.deactivated
    directory.person_set_active(person=world.colleague, by=world.hr, active=False)

    rows = deliver_all()
    webhooks = [row for row in rows if row.channel == Channel.WEBHOOK]
    assert sorted(row.kind for row in webhooks) == sorted(ALL_EVENTS)
    got = receiver.accepted("/hook")
    assert len(got) == len(ALL_EVENTS) and all(request.verified for request in got)
    assert receiver.received("/elders") == []  # another organisation's subscription
    assert not elsewhere.deliveries.exists()
    by_type = {request.json["type"]: request.json for request in got}
    assert by_type["plan.agreed"]["data"] == {
        "plan_id": str(plan.uuid),
        "employee_id": str(world.employee.uuid),
        "version": 1,
        "agreed_at": by_type["plan.agreed"]["data"]["agreed_at"],
    }
    assert by_type["action.completed"]["data"]["action_id"] == str(pop.action.uuid)
    assert by_type["goal.approved"]["data"]["goal_id"] == str(cascade.draft.uuid)
    assert by_type["conversation.held"]["data"]["status"] == "held"
    assert by_type["person.deactivated"]["data"]["person_id"] == str(world.colleague.uuid)
    everything = b"".join(request.body for request in got).decode()
    for text in ("Prima, Sanne", "Kamer 2.14", cascade.draft.title, "E-learning", "Sanne", "Daan"):
        assert text not in everything  # never text a person wrote, nor names
    for request in got:
        assert request.headers["webhook-id"].startswith("msg_")
        assert request.headers["content-type"] == "application/json"
    assert all(row.status_code == 200 for row in OutgoingMessage.objects.filter(channel="webhook"))


def test_a_receiver_that_fails_twice_gets_the_event_once_with_the_same_id(
    world, receiver, retries_in_process
):
    subscription = subscribe(world, receiver)
    receiver.script("/hook", [500, 503])
    subscription_send_test(subscription=subscription, by=world.hr)
    [row] = deliver_all()
    row.refresh_from_db()
    assert (row.attempts, row.status_code, row.failed_at) == (3, 200, None)
    assert row.sent_at is not None
    requests = receiver.received("/hook")
    assert [request.status for request in requests] == [500, 503, 200]
    assert len({request.headers["webhook-id"] for request in requests}) == 1
    assert len(receiver.accepted("/hook")) == 1 and all(request.verified for request in requests)


def test_repeated_failure_switches_the_subscription_off_and_tells_hr(
    world, receiver, settings, retries_in_process
):
    settings.TASK_MAX_RETRIES, settings.WEBHOOK_DISABLE_AFTER = 1, 2
    subscription = subscribe(world, receiver)
    receiver.script("/hook", [500] * 10)
    for _ in range(2):
        subscription_send_test(subscription=subscription, by=world.hr)
    deliver_all()
    subscription.refresh_from_db()
    assert not subscription.is_active and subscription.failures == 2
    assert subscription.disabled_at is not None
    assert OutgoingMessage.objects.filter(channel="webhook", failed_at__isnull=False).count() == 2
    told = OutgoingMessage.objects.filter(recipient=world.hr, kind="webhook_disabled")
    assert {row.channel for row in told} == {"in_app", "email"}
    # Switched off: new events are not sent to it.
    directory.person_set_active(person=world.colleague, by=world.hr, active=False)
    assert subscription.deliveries.count() == 2


def test_private_destinations_are_refused_unless_allowed(
    world, receiver, settings, retries_in_process
):
    subscription = subscribe(world, receiver)
    settings.WEBHOOK_ALLOW_PRIVATE = False
    subscription_send_test(subscription=subscription, by=world.hr)
    [row] = deliver_all()
    row.refresh_from_db()
    assert receiver.received() == []
    assert row.failed_at is not None and row.attempts == 1  # not retried
    assert "WEBHOOK_ALLOW_PRIVATE" in row.last_error


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "::1",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",  # noqa: S104 - an address refused, not bound
    ],
)
def test_loopback_private_and_link_local_addresses_are_refused(address):
    import ipaddress

    assert not outbound.address_allowed(ipaddress.ip_address(address), allow_private=False)


def test_a_name_that_resolves_to_the_loopback_is_refused_and_nothing_connects(receiver):
    port = receiver.server.server_address[1]
    with pytest.raises(outbound.DestinationRefused):
        outbound.post(
            f"http://localhost:{port}/hook", body=b"{}", headers={}, timeout=2, allow_private=False
        )
    assert receiver.received() == []
    assert outbound.address_allowed(
        __import__("ipaddress").ip_address("93.184.216.34"), allow_private=False
    )


@pytest.mark.parametrize("service", ["teams", "slack"])
def test_notifications_post_to_teams_or_slack_in_the_readers_language_with_a_link(
    world, receiver, service, settings
):
    settings.SITE_URL = "https://pop.zorg.test"
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    chat_channel_set(
        organisation=world.organisation, by=world.hr, service=service, url=receiver.url + "/chat"
    )
    rows = outbox_send(
        recipient=world.employee,
        kind="goal_approved",
        context={"title": "Twintig cliënten <b>beeldzorg</b>", "comment": "Prima"},
        link="/goals/",
        channels=(Channel.IN_APP, Channel.CHAT),
    )
    assert [row.channel for row in rows] == ["in_app", "chat"]
    deliver_all()
    [request] = receiver.accepted("/chat")
    body = request.json
    if service == "teams":  # Microsoft's MessageCard
        assert (
            body["@type"] == "MessageCard" and body["@context"] == "https://schema.org/extensions"
        )
        assert body["title"] == "Your goal is approved: Twintig cliënten <b>beeldzorg</b>"
        [action] = body["potentialAction"]
        assert action["@type"] == "OpenUri"
        assert action["targets"] == [{"os": "default", "uri": "https://pop.zorg.test/goals/"}]
        assert body["summary"] == body["title"]
    else:  # Slack's Block Kit
        assert body["text"] == "Your goal is approved: Twintig cliënten <b>beeldzorg</b>"
        header, section, actions = body["blocks"]
        assert header == {"type": "header", "text": {"type": "plain_text", "text": body["text"]}}
        assert section == {"type": "section", "text": {"type": "plain_text", "text": "Prima"}}
        assert actions["type"] == "actions"
        assert actions["elements"][0]["url"] == "https://pop.zorg.test/goals/"
        assert actions["elements"][0]["type"] == "button"


def test_a_persons_own_channel_comes_before_the_organisations(world, receiver):
    chat_channel_set(
        organisation=world.organisation, by=world.hr, service="slack", url=receiver.url + "/org"
    )
    chat_channel_set(
        organisation=world.organisation,
        by=world.employee,
        service="teams",
        url=receiver.url + "/own",
        person=world.employee,
    )
    outbox_send(
        recipient=world.employee,
        kind="goal_approved",
        context={"title": "X"},
        channels=(Channel.CHAT,),
    )
    outbox_send(
        recipient=world.colleague,
        kind="goal_approved",
        context={"title": "Y"},
        channels=(Channel.CHAT,),
    )
    deliver_all()
    assert [r.json["@type"] for r in receiver.accepted("/own")] == ["MessageCard"]
    assert [r.json["text"] for r in receiver.accepted("/org")] == ["Je doel is goedgekeurd: Y"]
    assert ChatChannel.objects.count() == 2
    assert json.loads(receiver.accepted("/org")[0].body)["blocks"][0]["type"] == "header"
