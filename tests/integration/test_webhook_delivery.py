"""Webhooks through a real Celery worker on Redis to a real HTTP receiver on the loopback
(``tests/receiver.py``), which verifies every request with the Standard Webhooks reference
implementation. Each event is accepted exactly once: when the receiver answers 500 twice
before it recovers, and when the worker is killed while the receiver holds a delivery
(the receiver never answered it, so it never accepted it)."""

from __future__ import annotations

import collections

import pytest
from django.db import transaction

from conversations.services import conversation_schedule
from integrations.services import subscription_create
from people import directory
from people.models import OutgoingMessage, WebhookSubscription
from tests.conversations.conftest import in_days
from tests.factories import UserFactory
from tests.receiver import Receiver

from .conftest import worker_env
from .harness import CeleryWorker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
EVENTS = WebhookSubscription.Event


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def webhook_worker(postgresql, broker, smtp_server, media_root, tmp_path):
    """``celery_worker``, allowed to deliver to the loopback (WEBHOOK_ALLOW_PRIVATE)."""
    env = worker_env(
        database_url=postgresql, broker_url=broker.url, smtp=smtp_server, media_root=media_root
    )
    worker = CeleryWorker(
        env={**env, "WEBHOOK_ALLOW_PRIVATE": "true"}, log_path=tmp_path / "worker.log"
    )
    try:
        worker.start()
        yield worker
    finally:
        worker.close()


def _subscribe(world, receiver, path: str, events: list[str]) -> WebhookSubscription:
    subscription = subscription_create(
        organisation=world.organisation, by=world.hr, url=receiver.url + path, events=events
    )
    receiver.secrets[path] = subscription.secret
    return subscription


def _delivered(count: int):
    return lambda: (
        OutgoingMessage.objects.filter(channel="webhook", sent_at__isnull=False).count() == count
    )


def test_each_event_is_accepted_once_also_after_two_failures(
    world, webhook_worker, receiver, broker, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    everything = _subscribe(world, receiver, "/all", list(EVENTS.values))
    _subscribe(world, receiver, "/people", [EVENTS.PERSON_DEACTIVATED])
    receiver.script("/all", [500, 500])  # down for two answers, then 200 again
    leavers = [UserFactory(organisation=world.organisation, unit=world.team) for _ in range(6)]
    for person in leavers:  # each in its own transaction, as HR's page would
        with transaction.atomic():
            directory.person_set_active(person=person, by=world.hr, active=False)
    for days in range(3, 9):
        with transaction.atomic():
            conversation_schedule(
                manager=world.manager,
                employee=world.employee,
                kind="progress",
                starts_at=in_days(days),
            )
    # 6 deactivations to both subscriptions, 6 conversations to the first: 18 deliveries.
    wait_until(
        _delivered(18), what="18 deliveries to be recorded", timeout=60, details=webhook_worker.log
    )
    broker.wait_until_idle(details=webhook_worker.log)

    accepted = receiver.accepted()
    assert len(accepted) == 18
    assert all(request.verified for request in receiver.received())
    ids = collections.Counter(request.headers["webhook-id"] for request in accepted)
    assert len(ids) == 18 and set(ids.values()) == {1}  # each event once
    by_path = collections.Counter((r.path, r.json["type"]) for r in accepted)
    assert by_path == {
        ("/all", "person.deactivated"): 6,
        ("/all", "conversation.scheduled"): 6,
        ("/people", "person.deactivated"): 6,
    }
    failed = [r for r in receiver.received("/all") if r.status == 500]
    assert len(failed) == 2
    for request in failed:  # retried with the same id and accepted once
        assert ids[request.headers["webhook-id"]] == 1
    retried = OutgoingMessage.objects.filter(subscription=everything, attempts__gt=1)
    assert sum(row.attempts - 1 for row in retried) == 2
    assert all(row.status_code == 200 for row in OutgoingMessage.objects.filter(channel="webhook"))
    print(
        f"\nwebhooks: {len(receiver.received())} requests, {len(accepted)} accepted, "
        f"{len(failed)} answered 500, 18 events, {len(ids)} distinct ids"
    )


def test_a_worker_killed_mid_delivery_redelivers_and_the_event_is_accepted_once(
    world, webhook_worker, receiver, broker, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE = True
    _subscribe(world, receiver, "/hook", [EVENTS.PERSON_DEACTIVATED])
    receiver.hold()
    with transaction.atomic():
        directory.person_set_active(person=world.colleague, by=world.hr, active=False)
    wait_until(
        lambda: receiver.held == 1,
        what="the worker to be at the receiver",
        details=webhook_worker.log,
    )
    row = OutgoingMessage.objects.get(channel="webhook")
    assert (row.attempts, row.sent_at) == (1, None)

    webhook_worker.kill()  # mid-delivery: the receiver has the request, not yet answered
    receiver.release()
    wait_until(lambda: receiver.held == 0, what="the held request to be answered")
    assert receiver.accepted() == []  # the sender was gone: never accepted

    webhook_worker.start()  # Redis hands the unacknowledged task to the new worker
    wait_until(_delivered(1), what="the redelivered event", timeout=30, details=webhook_worker.log)
    broker.wait_until_idle(details=webhook_worker.log)
    [accepted] = receiver.accepted()
    first, second = receiver.received()
    assert (
        first.headers["webhook-id"]
        == second.headers["webhook-id"]
        == accepted.headers["webhook-id"]
    )
    assert accepted.verified and accepted.json["data"]["person_id"] == str(world.colleague.uuid)
    row.refresh_from_db()
    assert row.attempts == 2 and row.status_code == 200
    print(
        f"\nkilled mid-delivery: {len(receiver.received())} requests, 1 accepted, attempts {row.attempts}"
    )
