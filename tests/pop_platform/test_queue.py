"""Queueing a task when the broker is down: the caller learns it at once, nothing raises."""

import logging
import time

import pytest
from django.db import transaction

from people.tasks import outbox_deliver
from pop_platform.queue import enqueue, enqueue_on_commit


def test_an_unreachable_broker_is_reported_at_once_and_logged(broker_down, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="pop_platform.queue"):
        assert enqueue(outbox_deliver, 41) is False
    assert time.monotonic() - started < 1
    assert "people.tasks.outbox_deliver(41,) was not queued: the broker" in caplog.text


@pytest.mark.django_db(transaction=True)
def test_after_commit_the_unreachable_callback_runs_and_the_commit_stands(broker_down):
    from people.models import Organisation

    told = []
    with transaction.atomic():
        Organisation.objects.create(name="Zorggroep Wachtrij")
        enqueue_on_commit(outbox_deliver, 42, unreachable=lambda: told.append(42))
        assert told == []  # not before the commit
    assert told == [42]
    assert Organisation.objects.filter(name="Zorggroep Wachtrij").exists()


def test_with_eager_tasks_it_runs_the_task_here(world):
    from tests.factories import OutgoingMessageFactory

    notification = OutgoingMessageFactory(recipient=world.employee, title="Nu")
    assert enqueue(outbox_deliver, notification.pk) is True
    notification.refresh_from_db()
    assert notification.sent_at is not None


def test_pdfs_have_their_own_queue_that_every_worker_takes_from():
    """A morning's reminders never keep someone waiting for their PDF: the render task is
    routed to its own queue, and a worker started without -Q consumes every queue."""
    from pop_platform.celery import app

    queues = {queue.name: queue.routing_key for queue in app.conf.task_queues}
    assert queues == {"celery": "celery", "celery-pdf": "celery-pdf"}
    route = app.amqp.router.route({}, "plans.tasks.plan_render_pdf")
    assert route["queue"].name == "celery-pdf"
    assert app.amqp.router.route({}, "people.tasks.outbox_deliver")["queue"].name == ("celery")
