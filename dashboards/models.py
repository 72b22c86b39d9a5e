"""Dashboards read other apps' data; the only rows they own are cached aggregates."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from people.models import Organisation


class AlignmentSnapshot(models.Model):
    """The alignment figures of one scope (who is looking, unit and period filters),
    unsuppressed, as computed by ``dashboards.alignment.compute``. Recomputing takes a
    while for a large organisation, so the page serves the snapshot and shows its age;
    Celery refreshes snapshots that are older than ``SNAPSHOT_MAX_AGE``."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="alignment_snapshots"
    )
    scope = models.CharField(_("scope"), max_length=100)
    figures = models.JSONField(_("figures"))
    computed_at = models.DateTimeField(_("computed at"))

    #: Not stored: set by ``services.alignment_snapshot_get`` when the figures are stale
    #: and their refresh could not be queued (the broker is down).
    refresh_unavailable = False

    class Meta:
        verbose_name = _("alignment snapshot")
        verbose_name_plural = _("alignment snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "scope"], name="alignment_snapshot_unique_scope"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.scope} {self.computed_at:%Y-%m-%d %H:%M}"
