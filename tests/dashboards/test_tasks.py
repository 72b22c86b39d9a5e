"""Celery keeps the stored figures fresh: stale snapshots that people look at are
recomputed once; running the task again changes nothing."""

import datetime

from django.utils import timezone

from dashboards import tasks
from dashboards.alignment import Scope
from dashboards.models import AlignmentSnapshot
from dashboards.services import alignment_snapshot_get
from tests.dashboards.conftest import YEAR


def test_sweep_refreshes_a_stale_snapshot_once(world, strategy, django_capture_on_commit_callbacks):
    scope = Scope(organisation=world.organisation, manager_id=None, unit_id=None, year=YEAR)
    snapshot = alignment_snapshot_get(scope=scope)
    old = timezone.now() - datetime.timedelta(hours=1)
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(computed_at=old)
    strategy.bram.is_active = False
    strategy.bram.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.alignment_refresh_sweep.delay().get() == 1
    fresh = AlignmentSnapshot.objects.get(pk=snapshot.pk)
    assert fresh.computed_at > old
    assert sum(item["people"] for item in fresh.figures["coverage"].values()) == 9

    assert tasks.alignment_refresh.delay(snapshot.pk).get() is False  # fresh already
    assert tasks.alignment_refresh_sweep.delay().get() == 0
    assert AlignmentSnapshot.objects.get(pk=snapshot.pk).computed_at == fresh.computed_at


def test_a_snapshot_nobody_looks_at_is_left_alone(world, strategy):
    scope = Scope(organisation=world.organisation, manager_id=None, unit_id=None, year=YEAR)
    snapshot = alignment_snapshot_get(scope=scope)
    long_ago = timezone.now() - datetime.timedelta(days=5)
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=long_ago, requested_at=long_ago
    )
    assert tasks.alignment_refresh_sweep.delay().get() == 0


def test_a_snapshot_of_a_removed_unit_is_dropped(world, strategy):
    unit = strategy.bedrijfsvoering
    scope = Scope(organisation=world.organisation, manager_id=None, unit_id=unit.pk, year=YEAR)
    snapshot = alignment_snapshot_get(scope=scope)
    AlignmentSnapshot.objects.filter(pk=snapshot.pk).update(
        computed_at=timezone.now() - datetime.timedelta(hours=1)
    )
    for person in (strategy.bas, strategy.eva):
        person.unit = None
        person.save()
    unit.delete()
    assert tasks.alignment_refresh.delay(snapshot.pk).get() is False
    assert not AlignmentSnapshot.objects.filter(pk=snapshot.pk).exists()
