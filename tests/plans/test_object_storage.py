"""Plan PDFs on an S3-compatible store (SeaweedFS, a real server): made into the bucket,
downloaded only through the app's access checks, and deleted from the bucket when they
are replaced, expire or their person is anonymised."""

from __future__ import annotations

import datetime

import pytest
import requests
from django.urls import reverse
from django.utils import timezone

from people.retention import people_anonymise
from plans import services
from plans.models import PlanExport
from tests.pdfs import pdf_text

# Makes PDFs: needs Pango (skipped without it outside CI).
pytestmark = pytest.mark.pdf


@pytest.fixture
def request_pdf(as_user, django_capture_on_commit_callbacks):
    def post(plan, user):
        with django_capture_on_commit_callbacks(execute=True):
            return as_user(user).post(reverse("plans:plan-pdf", args=[plan.uuid]))

    return post


def _download(client, plan):
    return client.get(reverse("plans:plan-pdf", args=[plan.uuid]) + "?download=1")


def test_a_plan_pdf_is_made_into_the_bucket_and_downloaded_through_the_app(
    world, pop, as_user, request_pdf, seaweedfs, bucket
):
    request_pdf(pop.plan, world.employee)
    export = PlanExport.objects.get()
    assert export.status == PlanExport.Status.DONE
    assert seaweedfs.keys(bucket) == [export.file.name]
    stored = seaweedfs.read(bucket, export.file.name)

    response = _download(as_user(world.manager), pop.plan)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content)
    assert body == stored  # streamed from the bucket, not a link to it
    assert "Twintig cliënten begeleiden met beeldzorg" in pdf_text(body)
    assert _download(as_user(world.colleague), pop.plan).status_code == 404
    assert _download(as_user(world.hr), pop.plan).status_code == 404


def test_the_bucket_is_private(world, pop, request_pdf, seaweedfs, bucket):
    request_pdf(pop.plan, world.employee)
    key = PlanExport.objects.get().file.name
    url = f"{seaweedfs.endpoint}/{seaweedfs.bucket}/{bucket}/{key}"
    assert seaweedfs.read(bucket, key).startswith(b"%PDF")
    anonymous = requests.get(url, timeout=10)
    assert anonymous.status_code == 403
    assert b"%PDF" not in anonymous.content


def test_a_newer_pdf_replaces_the_older_file_in_the_bucket(
    world, pop, request_pdf, seaweedfs, bucket
):
    request_pdf(pop.plan, world.employee)
    first = PlanExport.objects.get()
    pop.goal.current_value = 12
    pop.goal.save(update_fields=["current_value"])
    request_pdf(pop.plan, world.employee)
    newest = PlanExport.objects.first()
    assert newest != first
    assert seaweedfs.keys(bucket) == [newest.file.name]


def test_expired_pdfs_are_deleted_from_the_bucket(
    world, pop, request_pdf, seaweedfs, bucket, settings
):
    request_pdf(pop.plan, world.employee)
    export = PlanExport.objects.get()
    now = timezone.now()
    assert services.plan_exports_expire(now=now) == 0
    assert seaweedfs.keys(bucket) == [export.file.name]
    later = export.finished_at + datetime.timedelta(days=settings.PDF_KEEP_DAYS, seconds=1)
    assert services.plan_exports_expire(now=later) == 1
    assert seaweedfs.keys(bucket) == []
    export.refresh_from_db()
    assert not export.file
    # The page offers to make it again rather than a download that would fail.
    assert services.plan_export_latest_done(plan=pop.plan) is None


def test_an_anonymised_leavers_pdf_is_deleted_from_the_bucket(
    world, pop, request_pdf, seaweedfs, bucket, django_capture_on_commit_callbacks
):
    request_pdf(pop.plan, world.employee)
    assert len(seaweedfs.keys(bucket)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        people_anonymise(
            organisation=world.organisation, people=[world.employee], reason="retention"
        )
    assert seaweedfs.keys(bucket) == []
