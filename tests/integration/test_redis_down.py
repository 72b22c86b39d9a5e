"""Redis down: every page still answers, quickly; ``/healthz`` says 503; and the work
asked for meanwhile is done once Redis is back — although it comes back empty, as a
Redis without persistence does — with each e-mail sent once, or it is clearly reported
(the plan PDF page says it cannot be made right now and offers to try again).

A real ``redis-server`` of the test's own is stopped and started; a real Celery worker
runs the beat's sweep (``conversations.tasks.reminders_sweep``) and the tasks it queues
again, against the test database and a real SMTP server.
"""

import datetime
import time
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from conversations import reminders
from conversations.models import Conversation, ReminderDelivery
from conversations.tasks import reminders_sweep
from people.models import OutgoingMessage
from people.outbox import NOT_TRIED_AFTER, outbox_send
from people.tasks import outbox_requeue
from plans.models import PlanExport
from plans.services import plan_get_or_create
from tests.conftest import client_for
from tests.conversations.conftest import schedule_form

from .harness import Broker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

#: A page may take this long with the broker gone (it takes milliseconds).
PAGE_SECONDS = 2.0


def _this_weeks_digest_is_decided(world) -> None:
    """The sweep runs on the real clock: keep the weekly digest out of this test."""
    now = timezone.now()
    ReminderDelivery.objects.create(
        kind="digest",
        recipient=world.manager,
        object_type="user",
        object_id=world.manager.pk,
        due_slot=reminders.week_slot(now, world.organisation.tzinfo),
    )


def _as_if_the_sweep_came_later() -> None:
    """The sweep leaves rows alone for ``NOT_TRIED_AFTER`` (their task may be queued):
    let that time pass for the rows made so far, rather than wait."""
    earlier = F("created_at") - NOT_TRIED_AFTER - datetime.timedelta(seconds=1)
    OutgoingMessage.objects.update(created_at=earlier)


def test_work_asked_for_while_redis_is_down_is_done_once_it_is_back(
    world, throwaway_broker, throwaway_broker_worker, smtp_server
):
    redis, worker = throwaway_broker, throwaway_broker_worker
    broker = Broker(redis.url)
    plan = plan_get_or_create(employee=world.employee)
    _this_weeks_digest_is_decided(world)
    employee, manager, colleague = (
        client_for(world.employee),
        client_for(world.manager),
        client_for(world.colleague),
    )
    pdf_url = reverse("plans:plan-pdf", args=[plan.uuid])

    # Redis is up but no worker runs yet: this notification's task waits in Redis...
    with transaction.atomic():
        outbox_send(recipient=world.employee, kind="text", context={"title": "Wachtte in Redis"})
    assert broker.pending() == 1

    # ...and Redis stops. People go on using the application.
    redis.stop()
    seconds: dict[str, float] = {}

    def timed(name: str, call):
        started = time.monotonic()
        response = call()
        seconds[name] = time.monotonic() - started
        return response

    health = timed("/healthz", lambda: employee.get(reverse("healthz")))
    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "ok", "broker": "unreachable"}
    for name, path in [
        ("home", "/"),
        ("plan", plan.get_absolute_url()),
        ("conversations", reverse("conversations:conversation-list")),
        ("inbox", reverse("people:inbox")),
    ]:
        assert timed(name, lambda path=path: employee.get(path)).status_code == 200, name
    scheduled = timed(
        "schedule a conversation",
        lambda: manager.post(
            reverse("conversations:conversation-new"), schedule_form(world.employee)
        ),
    )
    conversation = Conversation.objects.get(employee=world.employee)
    assert scheduled.status_code == 302 and scheduled["Location"] == conversation.get_absolute_url()
    assert employee.get(conversation.get_absolute_url()).status_code == 200
    requested = timed(
        "ask for a conversation",
        lambda: colleague.post(
            reverse("conversations:conversation-new"),
            {"mode": "request", "kind": "check_in", "note": "Even bijpraten?"},
        ),
    )
    assert requested.status_code == 302
    pdf = timed("request the PDF", lambda: employee.post(pdf_url, headers={"HX-Request": "true"}))
    assert pdf.status_code == 200
    assert 'data-state="unavailable"' in pdf.content.decode()
    assert "De pdf kan nu niet worden gemaakt." in pdf.content.decode()
    assert "Opnieuw proberen" in pdf.content.decode()
    assert max(seconds.values()) < PAGE_SECONDS, seconds
    assert smtp_server.messages == []

    # Redis comes back empty: the task that waited in it is gone.
    redis.start()
    assert broker.pending() == 0
    worker.start()
    _as_if_the_sweep_came_later()
    reminders_sweep.delay()  # what beat sends every few minutes
    outbox_requeue.delay()

    expected = {
        (world.employee.email, "Wachtte in Redis"),
        (world.employee.email, "Uitnodiging: ontwikkelgesprek met Jeroen de Vries"),
        (world.manager.email, "Uitnodiging: ontwikkelgesprek met Sanne Jansen"),
        (world.manager.email, "Daan Visser wil graag een check-in met je"),
    }
    smtp_server.wait_for_messages(len(expected), timeout=30, details=worker.log)
    wait_until(
        lambda: not OutgoingMessage.objects.filter(sent_at__isnull=True).exists(),
        what="every notification and invitation to be marked sent",
        details=worker.log,
    )
    reminders_sweep.delay()  # later sweeps find nothing left to do
    outbox_requeue.delay()
    broker.wait_until_idle(timeout=20, details=worker.log)
    sent = Counter((message.to[0], message.subject) for message in smtp_server.messages)
    assert sent == dict.fromkeys(expected, 1), sent

    # The PDF: "Try again" now works.
    assert employee.post(pdf_url).status_code == 302
    export = wait_until(
        lambda: PlanExport.objects.filter(plan=plan, status=PlanExport.Status.DONE).first(),
        what="the PDF to be made",
        timeout=30,
        details=worker.log,
    )
    assert export.pages >= 1
    assert "Pdf downloaden" in employee.get(pdf_url).content.decode()
    assert employee.get(reverse("healthz")).status_code == 200
    print(
        f"\nRedis down: {len(seconds)} requests, slowest {max(seconds.values()):.3f} s "
        f"({max(seconds, key=seconds.get)}); /healthz 503. Redis back empty: "
        f"{len(smtp_server.messages)} e-mails, each once; PDF made on retry ({export.pages} p.)"
    )
