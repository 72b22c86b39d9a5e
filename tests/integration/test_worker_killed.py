"""A worker killed (SIGKILL, main process and pool at once) in the middle of its work
loses nothing: its task is redelivered and finished by the next worker.

- A plan PDF being rendered: the redelivered task finds the export still marked
  "rendering" by the dead run and takes it over (it used to leave it there until the
  page called it failed).
- A batch of notification e-mails, some at the mail server and the rest still queued:
  each arrives exactly once. (The one window in which a
  message can go out twice — the mail server accepted it, the row was not yet marked —
  is documented in ``people/outbox.py``; these kills fall outside it.)

The reminder e-mails' kill test is in ``test_reminders.py``, a single notification's in
``test_notification_email.py``.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import psycopg2
import pytest
from django.db import connection, transaction
from django.urls import reverse

from people.models import OutgoingMessage
from people.outbox import outbox_send
from plans.models import PlanExport
from tests.conftest import client_for
from tests.plans.conftest import pdf_text, pop  # noqa: F401  (the plan fixture)

from .harness import process_alive, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def _table_locked(database_url: str, table: str) -> Iterator[Callable[[], int]]:
    """Another session holds ``table`` in ACCESS EXCLUSIVE mode: whoever reads it waits.
    Yields a function that counts the sessions waiting for it."""
    holder = psycopg2.connect(database_url)
    try:
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")

        def waiting() -> int:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database() AND query LIKE %s",
                    [f"%{table}%"],
                )
                return cursor.fetchone()[0]

        yield waiting
    finally:
        holder.rollback()
        holder.close()


@pytest.mark.pdf
@pytest.mark.parametrize(("celery_worker_concurrency", "celery_worker_autostart"), [(1, False)])
def test_a_worker_killed_while_rendering_a_pdf_is_redelivered_and_the_pdf_is_made(
    world,
    pop,  # noqa: F811
    celery_worker,
    broker,
    postgresql,
):
    employee = client_for(world.employee)
    url = reverse("plans:plan-pdf", args=[pop.plan.uuid])
    assert employee.post(url).status_code == 302
    export = PlanExport.objects.get()
    assert broker.pending() == 1

    # The render reads the plan: with its table locked, the worker stops right there,
    # after claiming the export.
    with _table_locked(postgresql, "plans_developmentplan") as waiting:
        celery_worker.start()
        wait_until(
            lambda: (
                PlanExport.objects.filter(pk=export.pk, status="rendering").exists()
                and waiting() >= 1
            ),
            what="the worker to be in the middle of rendering",
            details=celery_worker.log,
        )
        processes = celery_worker.processes()
        celery_worker.kill()
        assert not [pid for pid in processes if process_alive(pid)]
    export.refresh_from_db()
    assert (export.status, export.attempts, bool(export.file)) == ("rendering", 1, False)
    assert 'data-state="working"' in employee.get(url).content.decode()

    celery_worker.start()
    wait_until(
        lambda: PlanExport.objects.filter(pk=export.pk, status="done").exists(),
        what="the redelivered task to make the PDF",
        timeout=30,
        details=celery_worker.log,
    )
    broker.wait_until_idle(details=celery_worker.log)
    export.refresh_from_db()
    assert export.attempts == 2  # the killed try and the redelivery
    assert export.error == "" and export.pages >= 1
    with export.file.open("rb") as pdf:
        assert "Twintig cliënten begeleiden met beeldzorg" in pdf_text(pdf.read())
    page = employee.get(url).content.decode()
    assert 'data-state="done"' in page and "Pdf downloaden" in page
    print(f"\nPDF after SIGKILL mid-render: made on redelivery, attempts {export.attempts}")


def test_a_worker_killed_with_a_batch_of_emails_under_way_sends_each_once(
    world, celery_worker, smtp_server, broker
):
    """Two pool processes: two e-mails at the (held) mail server, three still queued."""
    smtp_server.hold()
    people = [world.employee, world.colleague, world.manager, world.other_manager, world.hr]
    with transaction.atomic():
        notifications = [
            outbox_send(recipient=person, kind="text", context={"title": f"Bericht {number}"})[-1]
            for number, person in enumerate(people, start=1)
        ]
    wait_until(
        lambda: smtp_server.held == 2 and broker.pending() == len(people),
        what="two sends at the mail server and three tasks queued",
        details=celery_worker.log,
    )
    celery_worker.kill()
    wait_until(lambda: smtp_server.held == 0, what="the SMTP sessions to end")
    smtp_server.release()
    assert smtp_server.messages == []

    celery_worker.start()
    smtp_server.wait_for_messages(len(people), timeout=30, details=celery_worker.log)
    pks = [notification.pk for notification in notifications]
    wait_until(
        lambda: not OutgoingMessage.objects.filter(pk__in=pks, sent_at__isnull=True).exists(),
        what="every notification to be marked e-mailed",
        details=celery_worker.log,
    )
    broker.wait_until_idle(details=celery_worker.log)
    received = sorted((m.to[0], m.subject) for m in smtp_server.messages)
    assert received == sorted(
        (person.email, f"Bericht {number}") for number, person in enumerate(people, start=1)
    )
    attempts = sorted(OutgoingMessage.objects.filter(pk__in=pks).values_list("attempts", flat=True))
    assert attempts == [1, 1, 1, 2, 2]  # the two at the mail server were tried twice
    print(
        f"\nnotification e-mails after SIGKILL: {len(received)} sent once each, attempts {attempts}"
    )
