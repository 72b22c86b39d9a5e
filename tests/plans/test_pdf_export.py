"""Requesting, rendering and downloading the plan PDF: access, the task, failures."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from plans import pdf, services, tasks
from plans.items import kind_named
from plans.models import PlanExport
from tests.conftest import lock_held_elsewhere, sends_to_sign_in
from tests.people.test_notifications import retries_in_process  # noqa: F401

from .conftest import make_action, pdf_text

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf

# The plan PDF is the editors' document: it shows the employee's private goals and the
# agreements of their last conversation, which HR may not see (HR reads plans on screen).
READERS = {"employee", "manager"}
OUTSIDERS = {"colleague", "other_manager", "other_hr", "hr"}


@pytest.fixture(autouse=True)
def _media(media_root):
    return media_root


@pytest.fixture
def request_pdf(as_user, django_capture_on_commit_callbacks):
    """POST as ``user``; the queued task runs (eagerly) when the request commits."""

    def post(plan, user, **headers):
        with django_capture_on_commit_callbacks(execute=True):
            return as_user(user).post(reverse("plans:plan-pdf", args=[plan.uuid]), **headers)

    return post


def _url(plan, **query) -> str:
    url = reverse("plans:plan-pdf", args=[plan.uuid])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.parametrize("persona", sorted(READERS | OUTSIDERS | {"anonymous"}))
def test_permission_matrix_for_every_pdf_url(world, pop, as_user, request_pdf, persona):
    user = world.personas()[persona]
    client = as_user(user)
    request_pdf(pop.plan, world.employee)  # a ready PDF exists
    responses = {
        "page": client.get(_url(pop.plan)),
        "poll": client.get(_url(pop.plan), headers={"HX-Request": "true"}),
        "download": client.get(_url(pop.plan, download=1)),
        "request": request_pdf(pop.plan, user),
    }
    for name, response in responses.items():
        if persona == "anonymous":
            assert sends_to_sign_in(response), name
        elif persona in OUTSIDERS:
            assert response.status_code == 404, name
        else:
            assert response.status_code in (200, 302), name
            assert "no-store" in response["Cache-Control"], name
    if persona in READERS:
        assert responses["download"]["Content-Type"] == "application/pdf"
        assert "Twintig cliënten begeleiden met beeldzorg" in pdf_text(
            b"".join(responses["download"].streaming_content)
        )


def test_wrong_methods_answer_405(world, pop, as_user):
    client = as_user(world.employee)
    assert client.put(_url(pop.plan)).status_code == 405
    assert client.delete(_url(pop.plan)).status_code == 405


def test_request_render_and_download(world, pop, as_user, request_pdf):
    client = as_user(world.employee)
    page = client.get(_url(pop.plan))
    assert "Pdf maken" in page.content.decode()
    response = request_pdf(pop.plan, world.employee)
    assert response.status_code == 302 and response["Location"] == _url(pop.plan)
    export = PlanExport.objects.get()
    assert export.status == PlanExport.Status.DONE
    assert export.attempts == 1 and export.requested_by == world.employee
    assert export.language == "nl" and export.pages == 2 and export.finished_at
    assert export.file.name.startswith("private/plan-exports/")
    page = client.get(_url(pop.plan)).content.decode()
    assert 'data-state="done"' in page and "hx-trigger" not in page
    assert "Een pdf van 2 pagina's, gemaakt op" in page
    download = client.get(_url(pop.plan, download=1))
    assert download["Content-Disposition"].startswith('attachment; filename="pop-sanne-jansen-')
    assert "no-store" in download["Cache-Control"]
    text = pdf_text(b"".join(download.streaming_content))
    assert "Twintig cliënten begeleiden met beeldzorg" in text and "Pagina 2 van 2" in text


def test_the_pdf_is_in_the_owners_language_whoever_asks(world, pop, request_pdf, as_user):
    world.employee.language = "en"
    world.employee.save(update_fields=["language"])
    request_pdf(pop.plan, world.manager)  # the manager reads Dutch
    download = as_user(world.manager).get(_url(pop.plan, download=1))
    text = pdf_text(b"".join(download.streaming_content))
    assert "Development actions" in text and "Page 1 of 2" in text


def test_an_unchanged_plan_reuses_its_last_file(world, pop, request_pdf):
    request_pdf(pop.plan, world.employee)
    request_pdf(pop.plan, world.manager)
    assert PlanExport.objects.count() == 1
    services.item_update(
        plan=pop.plan,
        kind=kind_named("action"),
        item=pop.action,
        by=world.employee,
        expected_version=pop.action.version,
        changes={"title": "E-learning beeldzorg, deel 2"},
    )
    request_pdf(pop.plan, world.employee)
    assert PlanExport.objects.count() == 2
    assert PlanExport.objects.filter(status=PlanExport.Status.DONE).count() == 2


def test_a_changed_plan_says_its_pdf_is_outdated(world, pop, request_pdf, as_user):
    request_pdf(pop.plan, world.employee)
    pop.goal.current_value = 15
    pop.goal.save(update_fields=["current_value"])
    page = as_user(world.employee).get(_url(pop.plan)).content.decode()
    assert "Het plan is gewijzigd sinds deze pdf is gemaakt." in page
    assert "Nieuwe pdf maken" in page


def test_hr_gets_no_plan_pdf_and_no_pdf_link(world, pop, as_user, request_pdf):
    request_pdf(pop.plan, world.employee)
    client = as_user(world.hr)
    assert client.get(_url(pop.plan, download=1)).status_code == 404
    assert client.post(_url(pop.plan)).status_code == 404
    page = client.get(pop.plan.get_absolute_url()).content.decode()
    assert 'data-testid="plan-pdf-link"' not in page
    assert (
        'data-testid="plan-pdf-link"'
        in as_user(world.employee).get(pop.plan.get_absolute_url()).content.decode()
    )


def test_htmx_polls_while_rendering_and_stops_when_done(world, pop, as_user):
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    client = as_user(world.employee)
    fragment = client.get(_url(pop.plan), headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and 'id="pdf-status"' in fragment
    assert 'hx-trigger="every 1s"' in fragment and "De pdf wordt gemaakt" in fragment
    # The poll itself: nothing new is no swap (204), so a screen reader hears no repeat.
    poll = client.get(_url(pop.plan), {"state": "working"}, headers={"HX-Request": "true"})
    assert poll.status_code == 204 and poll.content == b""
    tasks.plan_render_pdf.delay(export.pk)
    poll = client.get(_url(pop.plan), {"state": "working"}, headers={"HX-Request": "true"})
    fragment = poll.content.decode()
    assert poll.status_code == 200
    assert "hx-trigger" not in fragment and "Pdf downloaden" in fragment


def test_the_task_is_claimed_once_when_enqueued_twice(world, pop, monkeypatch):
    renders = []
    real = pdf.render_pdf_counted

    def counting(**kwargs):
        renders.append(1)
        return real(**kwargs)

    monkeypatch.setattr(pdf, "render_pdf_counted", counting)
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    tasks.plan_render_pdf.delay(export.pk)
    tasks.plan_render_pdf.delay(export.pk)
    tasks.plan_render_pdf(export.pk)
    export.refresh_from_db()
    assert renders == [1]
    assert export.attempts == 1 and export.status == PlanExport.Status.DONE


def test_an_export_a_live_run_is_rendering_is_left_to_it(world, pop):
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    assert services.plan_export_claim(export_id=export.pk) is True
    # Enqueued twice: the second run finds the first one busy and tries again later (the
    # first may still die), without touching the export.
    with lock_held_elsewhere(f"plan-export:{export.pk}"), pytest.raises(Retry):
        tasks.plan_render_pdf.apply(args=[export.pk], throw=True)
    export.refresh_from_db()
    assert export.status == PlanExport.Status.RENDERING and not export.file
    assert export.attempts == 1


def test_an_export_left_rendering_by_a_killed_worker_is_finished_by_the_redelivery(world, pop):
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    # The first run claimed it and died: its lock died with it, the row says "rendering".
    assert services.plan_export_claim(export_id=export.pk) is True
    tasks.plan_render_pdf.delay(export.pk)
    export.refresh_from_db()
    assert export.status == PlanExport.Status.DONE and export.file and export.pages
    assert export.attempts == 2


def test_an_export_that_keeps_killing_its_worker_is_given_up(world, pop, settings):
    settings.TASK_MAX_RETRIES = 2
    export = PlanExport.objects.create(
        plan=pop.plan,
        requested_by=world.employee,
        language="nl",
        fingerprint="x",
        status=PlanExport.Status.RENDERING,
        started_at=timezone.now(),
        attempts=3,
    )
    tasks.plan_render_pdf.delay(export.pk)
    export.refresh_from_db()
    assert export.status == PlanExport.Status.FAILED and not export.file
    assert export.error == "Started 3 times and never finished."


def test_an_export_that_waited_too_long_is_not_made_late(world, pop, as_user):
    """The page shows it as failed already; a late task (lost and redelivered) agrees."""
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    long_ago = timezone.now() - datetime.timedelta(seconds=services.PDF_STALE_AFTER + 1)
    PlanExport.objects.filter(pk=export.pk).update(created_at=long_ago)
    tasks.plan_render_pdf.delay(export.pk)
    export.refresh_from_db()
    assert export.status == PlanExport.Status.FAILED and not export.file
    assert export.error.startswith(f"Not made within {services.PDF_STALE_AFTER} s")
    page = as_user(world.employee).get(_url(pop.plan)).content.decode()
    assert 'data-state="failed"' in page and "Opnieuw proberen" in page


def test_the_sweep_records_exports_that_never_finish_as_failed(world, pop):
    now = timezone.now()
    late = now - datetime.timedelta(seconds=services.PDF_STALE_AFTER + 1)
    make = lambda **fields: PlanExport.objects.create(  # noqa: E731
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x", **fields
    )
    lost = make()
    PlanExport.objects.filter(pk=lost.pk).update(created_at=late)
    dead = make(status=PlanExport.Status.RENDERING, started_at=late)
    waiting, busy = make(), make(status=PlanExport.Status.RENDERING, started_at=now)
    assert services.plan_exports_fail_stale(now=now) == 2
    statuses = dict(PlanExport.objects.values_list("pk", "status"))
    assert statuses == {
        lost.pk: "failed",
        dead.pk: "failed",
        waiting.pk: "pending",
        busy.pk: "rendering",
    }


@pytest.mark.django_db(transaction=True)  # the task is queued when the request commits
def test_with_the_broker_down_the_page_says_the_pdf_cannot_be_made_now(
    world, pop, as_user, broker_down
):
    client = as_user(world.employee)
    started = time.monotonic()
    response = client.post(_url(pop.plan), headers={"HX-Request": "true"})
    assert time.monotonic() - started < 2
    fragment = response.content.decode()
    assert response.status_code == 200
    assert 'data-state="unavailable"' in fragment and "hx-trigger" not in fragment
    assert "De pdf kan nu niet worden gemaakt." in fragment
    assert "Opnieuw proberen" in fragment
    export = PlanExport.objects.get()
    assert export.status == PlanExport.Status.FAILED
    assert export.error == services.PDF_QUEUE_UNREACHABLE
    assert "De pdf kan nu niet" in client.get(_url(pop.plan)).content.decode()
    # The broker is back: "Try again" makes it.
    broker_down.conf.task_always_eager = True
    page = client.post(_url(pop.plan), follow=True).content.decode()
    assert "Pdf downloaden" in page and "De pdf kan nu niet" not in page
    assert PlanExport.objects.first().status == PlanExport.Status.DONE


def test_too_many_pages_fails_with_a_retry_not_a_spinner(
    world, pop, as_user, request_pdf, monkeypatch
):
    monkeypatch.setattr(pdf, "PLAN_MAX_PAGES", 1)
    request_pdf(pop.plan, world.employee)
    export = PlanExport.objects.get()
    assert export.status == PlanExport.Status.FAILED
    assert "2 pages (at most 1)" in export.error and export.finished_at
    page = as_user(world.employee).get(_url(pop.plan)).content.decode()
    assert 'data-state="failed"' in page and "hx-trigger" not in page
    assert "De pdf kon niet worden gemaakt." in page and "Opnieuw proberen" in page
    monkeypatch.setattr(pdf, "PLAN_MAX_PAGES", 150)
    request_pdf(pop.plan, world.employee)  # the retry button posts the same form
    assert PlanExport.objects.first().status == PlanExport.Status.DONE


def test_a_storage_error_is_retried_a_bounded_number_of_times(
    world,
    pop,
    settings,
    monkeypatch,
    retries_in_process,  # noqa: F811
):
    settings.TASK_MAX_RETRIES = 2

    def broken_save(self, name, content, save=True):
        raise OSError("disk full")

    monkeypatch.setattr("django.db.models.fields.files.FieldFile.save", broken_save)
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    # In-process, as a worker runs it: each failed run hands the export back for the next
    # (each claims it again), and the last records the failure for the person to see.
    result = tasks.plan_render_pdf.apply(args=[export.pk], throw=False)
    assert result.failed() and isinstance(result.result, OSError)
    export.refresh_from_db()
    assert export.attempts == 3
    assert export.status == PlanExport.Status.FAILED and export.error == "disk full"


def test_a_render_that_never_finishes_shows_as_failed(world, pop, as_user, request_pdf):
    long_ago = timezone.now() - datetime.timedelta(seconds=services.PDF_STALE_AFTER + 1)
    export = PlanExport.objects.create(
        plan=pop.plan,
        requested_by=world.employee,
        language="nl",
        fingerprint=services.plan_export_current_fingerprint(plan=pop.plan),
        status=PlanExport.Status.RENDERING,
        started_at=long_ago,
    )
    page = as_user(world.employee).get(_url(pop.plan)).content.decode()
    assert 'data-state="failed"' in page and "Opnieuw proberen" in page
    request_pdf(pop.plan, world.employee)
    assert PlanExport.objects.exclude(pk=export.pk).get().status == PlanExport.Status.DONE


def test_a_fresh_render_of_the_same_content_is_shared(world, pop, request_pdf):
    busy = PlanExport.objects.create(
        plan=pop.plan,
        requested_by=world.employee,
        language="nl",
        fingerprint=services.plan_export_current_fingerprint(plan=pop.plan),
        status=PlanExport.Status.RENDERING,
        started_at=timezone.now(),
    )
    request_pdf(pop.plan, world.manager)
    assert list(PlanExport.objects.all()) == [busy]


def test_only_the_newest_file_of_a_plan_is_kept(world, pop, request_pdf, media_root):
    request_pdf(pop.plan, world.employee)
    first = PlanExport.objects.get()
    old_path = first.file.path
    pop.goal.current_value = 12
    pop.goal.save(update_fields=["current_value"])
    request_pdf(pop.plan, world.employee)
    first.refresh_from_db()
    newest = PlanExport.objects.first()
    assert newest != first and newest.file and not first.file
    assert not Path(old_path).exists()
    assert sorted(p.name for p in media_root.rglob("*.pdf")) == [newest.file.name.split("/")[-1]]


def _queries(call) -> tuple[int, str]:
    cache.clear()  # counted from an empty shared cache: the most a call can cost
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured), "\n".join(q["sql"] for q in captured.captured_queries)


def test_queries_do_not_grow_with_the_plan(world, pop, as_user, request_pdf):
    """The status page (which compares fingerprints) and the render path, 3 and 30 actions."""
    client = as_user(world.hr)
    request_pdf(pop.plan, world.employee)

    def measure() -> tuple[int, int, str]:
        page, page_sql = _queries(lambda: client.get(_url(pop.plan)))
        render, render_sql = _queries(
            lambda: pdf.plan_document(plan_id=pop.plan.pk, language="nl").fingerprint()
        )
        return page, render, page_sql + render_sql

    for number in range(3):
        make_action(pop.plan, pop.gap, title=f"Actie {number}")
    small_page, small_render, _ = measure()
    for number in range(3, 30):
        make_action(pop.plan, pop.gap, title=f"Actie {number}")
    large_page, large_render, sql = measure()
    print(f"pdf page: {small_page}/{large_page} queries, document: {small_render}/{large_render}")
    assert (large_page, large_render) == (small_page, small_render), sql
    # The document reads its goals' roll-up level by level (one small query per level of
    # the goal tree, however many goals the organisation has).
    assert small_page <= 30 and small_render <= 18, sql


def test_a_render_over_the_time_limit_is_recorded_as_failed(world, pop, monkeypatch):
    assert tasks.plan_render_pdf.soft_time_limit == services.PDF_SOFT_TIME_LIMIT
    assert tasks.plan_render_pdf.time_limit == services.PDF_TIME_LIMIT
    assert services.PDF_STALE_AFTER > services.PDF_TIME_LIMIT

    def too_slow(**kwargs):
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(pdf, "render_pdf_counted", too_slow)
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    tasks.plan_render_pdf.delay(export.pk)
    export.refresh_from_db()
    assert export.status == PlanExport.Status.FAILED
    assert export.error == f"Time limit of {services.PDF_SOFT_TIME_LIMIT} s reached."


def test_an_unexpected_error_is_recorded_and_raised_for_the_log(
    world,
    pop,
    monkeypatch,
    retries_in_process,  # noqa: F811
):
    def broken(**kwargs):
        raise ValueError("unexpected")

    monkeypatch.setattr(pdf, "render_pdf_counted", broken)
    export = PlanExport.objects.create(
        plan=pop.plan, requested_by=world.employee, language="nl", fingerprint="x"
    )
    result = tasks.plan_render_pdf.delay(export.pk)
    assert result.failed() and isinstance(result.result, ValueError)  # the worker logs it
    export.refresh_from_db()
    assert export.status == PlanExport.Status.FAILED and "unexpected" in export.error
