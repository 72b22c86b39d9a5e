"""Celery keeps the stored figures fresh: a stale snapshot that someone looks at is
recomputed in the background, once; running the task again changes nothing."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards import tasks
from dashboards.alignment import Scope
from dashboards.models import AlignmentSnapshot
from dashboards.services import alignment_snapshot_get
from tests.dashboards.conftest import YEAR


def scope_of(world, unit=None) -> Scope:
    return Scope(
        organisation=world.organisation,
        manager_id=None,
        unit_id=unit.pk if unit else None,
        year=YEAR,
    )


def test_a_stale_snapshot_is_served_and_refreshed_once(
    world, strategy, django_capture_on_commit_callbacks
):
    snapshot = alignment_snapshot_get(scope=scope_of(world))
    old = timezone.now() - datetime.timedelta(hours=1)
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=old)
    strategy.bram.is_active = False
    strategy.bram.save()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        served = alignment_snapshot_get(scope=scope_of(world))
    assert served.computed_at == old  # the page shows the stored figures and their age
    assert len(callbacks) == 1  # one refresh enqueued, after the commit
    callbacks[0]()
    fresh = AlignmentSnapshot.objects.get(pk=snapshot.pk)
    assert fresh.computed_at > old
    assert sum(item["people"] for item in fresh.figures["coverage"].values()) == 9

    assert tasks.alignment_refresh.delay(snapshot.pk).get() is False  # fresh already
    assert AlignmentSnapshot.objects.get(pk=snapshot.pk).computed_at == fresh.computed_at
    with django_capture_on_commit_callbacks() as callbacks:
        alignment_snapshot_get(scope=scope_of(world))
    assert callbacks == []  # a fresh snapshot enqueues nothing


def test_a_snapshot_of_a_removed_unit_is_dropped(world, strategy):
    unit = strategy.bedrijfsvoering
    snapshot = alignment_snapshot_get(scope=scope_of(world, unit))
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    for person in (strategy.bas, strategy.eva):
        person.unit = None
        person.save()
    unit.delete()
    assert tasks.alignment_refresh.delay(snapshot.pk).get() is False
    assert not AlignmentSnapshot.objects.filter(pk=snapshot.pk).exists()


@pytest.mark.django_db(transaction=True)  # the refresh is queued as the page is made
def test_with_the_broker_down_the_page_says_the_figures_cannot_be_refreshed_now(
    world, strategy, as_user, broker_down
):
    snapshot = alignment_snapshot_get(scope=scope_of(world))
    old = timezone.now() - datetime.timedelta(hours=1)
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=old)
    url = f"{reverse('dashboards:alignment')}?period={YEAR}"
    html = as_user(world.hr).get(url).content.decode()
    assert "Ze kunnen nu niet op de achtergrond opnieuw worden berekend" in html
    assert "Nu verversen" in html
    assert AlignmentSnapshot.objects.get(pk=snapshot.pk).computed_at == old
    # The broker is back: the next look queues the refresh (run here, eagerly).
    broker_down.conf.task_always_eager = True
    html = as_user(world.hr).get(url).content.decode()
    assert "Ze kunnen nu niet" not in html
    assert AlignmentSnapshot.objects.get(pk=snapshot.pk).computed_at > old
