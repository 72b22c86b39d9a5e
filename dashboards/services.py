"""Writes of the dashboards app: (re)computing cached alignment figures."""

from __future__ import annotations

import datetime

from django.utils import timezone

from people.models import Organisation, OrgUnit
from pop_platform.queue import enqueue_on_commit

from .alignment import Scope, compute
from .models import AlignmentSnapshot

# A snapshot older than this is refreshed in the background (Celery) when someone looks
# at it; meanwhile the page shows the stored figures and their age.
SNAPSHOT_MAX_AGE = datetime.timedelta(minutes=10)


def alignment_snapshot_refresh(*, scope: Scope) -> AlignmentSnapshot:
    """Compute the figures for ``scope`` now and store them."""
    figures = compute(scope)
    now = timezone.now()
    snapshot, _created = AlignmentSnapshot.objects.update_or_create(
        organisation=scope.organisation,
        scope=scope.key,
        defaults={"figures": figures, "computed_at": now},
    )
    return snapshot


def alignment_snapshot_get(*, scope: Scope) -> AlignmentSnapshot:
    """The stored figures for ``scope`` (computed now when there are none yet); a stale
    snapshot is served as it is and refreshed in the background."""
    now = timezone.now()
    snapshot = (
        AlignmentSnapshot.objects.filter(organisation=scope.organisation, scope=scope.key)
        .defer("figures")  # loaded only when the built tables are not cached yet
        .first()
    )
    if snapshot is None:
        return alignment_snapshot_refresh(scope=scope)
    if now - snapshot.computed_at > SNAPSHOT_MAX_AGE:
        from .tasks import alignment_refresh  # tasks import this module

        # When the broker is down the page says so (HR can recompute at once); the next
        # look at the stale figures asks again.
        enqueue_on_commit(
            alignment_refresh,
            snapshot.pk,
            unreachable=lambda: setattr(snapshot, "refresh_unavailable", True),
        )
    return snapshot


def scope_from_key(*, organisation: Organisation, key: str) -> Scope | None:
    """The scope a snapshot was made for (see ``Scope.key``), or None if it no longer fits."""
    who, unit, year = key.split(":")
    manager_id = int(who.removeprefix("manager-")) if who.startswith("manager-") else None
    unit_id = None if unit == "unit-all" else int(unit.removeprefix("unit-"))
    if (
        unit_id is not None
        and not OrgUnit.objects.filter(pk=unit_id, organisation=organisation).exists()
    ):
        return None
    year_value = None if year == "year-all" else int(year.removeprefix("year-"))
    return Scope(organisation=organisation, manager_id=manager_id, unit_id=unit_id, year=year_value)


def alignment_snapshot_refresh_by_id(*, snapshot_id: int) -> bool:
    """Refresh one stored snapshot (a Celery task calls this). False when it is gone or
    fresh already (another worker just did it)."""
    snapshot = (
        AlignmentSnapshot.objects.select_related("organisation").filter(pk=snapshot_id).first()
    )
    if snapshot is None or timezone.now() - snapshot.computed_at < SNAPSHOT_MAX_AGE / 2:
        return False
    scope = scope_from_key(organisation=snapshot.organisation, key=snapshot.scope)
    if scope is None:
        snapshot.delete()
        return False
    alignment_snapshot_refresh(scope=scope)
    return True
