"""The POP: one living development plan per person, written by the employee and their
manager together.

Every editable row carries a ``version``; services save it with a conditional update
(``services.item_update``). ``PlanChange`` is the change log the services write in the
same transaction as each applied save. Private notes are never part of it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from people.versions import Part, versions_raise
from pop_platform.models import BaseModel

LEVEL_VALIDATORS = [
    MinValueValidator(1, _("Choose a level from 1 to 5.")),
    MaxValueValidator(5, _("Choose a level from 1 to 5.")),
]


class Priority(models.IntegerChoices):
    HIGH = 1, _("high")
    MEDIUM = 2, _("medium")
    LOW = 3, _("low")


class DevelopmentPlan(BaseModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        AGREED = "agreed", _("agreed")
        CHANGED = "changed_since_agreement", _("changed since agreement")

    employee = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="development_plan",
        verbose_name=_("employee"),
    )
    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.CASCADE,
        related_name="development_plans",
        verbose_name=_("organisation"),
    )
    employee_ambition = models.TextField(_("my ambition"), blank=True)
    organisation_ambition = models.TextField(_("the organisation's ambition"), blank=True)
    period_start = models.DateField(_("period from"), null=True, blank=True)
    period_end = models.DateField(_("period until"), null=True, blank=True)
    yearly_budget = models.DecimalField(
        _("yearly budget (€)"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"), _("The budget cannot be negative."))],
    )
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    # Raised by every applied change to the plan's content (the plan row, its gaps,
    # actions and steps); an akkoord names the revision it agrees to.
    revision = models.PositiveIntegerField(default=1)
    # Raised by every save of the plan and of what its page's cached sections show (gaps,
    # actions, steps, comments, views on a level): in their key (selectors.plan_page_parts).
    page_version = models.PositiveIntegerField(default=1)
    employee_agreed_at = models.DateTimeField(null=True, blank=True)
    manager_agreed_at = models.DateTimeField(null=True, blank=True)
    manager_agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("development plan")
        verbose_name_plural = _("development plans")
        constraints = [
            models.CheckConstraint(
                condition=Q(yearly_budget__gte=0), name="plan_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(period_end__isnull=True)
                | Q(period_start__isnull=True)
                | Q(period_end__gte=F("period_start")),
                name="plan_period_end_not_before_start",
                violation_error_message=_("The end of the period cannot be before its start."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Development plan of %(name)s") % {"name": self.employee})

    def get_absolute_url(self) -> str:
        return reverse("plans:plan-detail", kwargs={"plan_uuid": self.uuid})

    def save(self, *args: object, **kwargs: object) -> None:
        """A save (the admin's too) is a new page version: see ``ShownOnPlanPage``."""
        with transaction.atomic():
            super().save(*args, **kwargs)
            plans = DevelopmentPlan.objects.filter(pk=self.pk)
            plans.update(page_version=F("page_version") + 1)

    @cached_property
    def path(self) -> str:
        """The page's address, resolved once per plan read: the page builds its items'
        addresses on it (``plans/urls.py``: ``<plan>/<kind>/<item>/edit/`` and so on)."""
        return self.get_absolute_url()


class Competency(BaseModel):
    """The organisation's competency catalogue, maintained by HR."""

    organisation = models.ForeignKey(
        "people.Organisation",
        on_delete=models.CASCADE,
        related_name="competencies",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    level_1 = models.CharField(_("level 1"), max_length=300, blank=True)
    level_2 = models.CharField(_("level 2"), max_length=300, blank=True)
    level_3 = models.CharField(_("level 3"), max_length=300, blank=True)
    level_4 = models.CharField(_("level 4"), max_length=300, blank=True)
    level_5 = models.CharField(_("level 5"), max_length=300, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                name="competency_unique_name",
                violation_error_message=_("A competency with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            versions_raise(organisation_ids=[self.organisation_id], part=Part.COMPETENCIES)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            versions_raise(organisation_ids=[self.organisation_id], part=Part.COMPETENCIES)
        return deleted

    def level_descriptor(self, level: int) -> str:
        return getattr(self, f"level_{level}", "") if 1 <= level <= 5 else ""


class ShownOnPlanPage(BaseModel):
    """A row the plan page's cached sections show: saving or deleting it raises its
    plan's ``page_version`` in the same transaction, whoever writes it (services, admin,
    API), as ``Competency`` raises the catalogue's version. ``PLAN``: the lookup from
    ``DevelopmentPlan`` to this row's parent field."""

    PLAN: tuple[str, str] = ("pk", "plan_id")

    class Meta:
        abstract = True

    def _page_changed(self) -> None:
        lookup, field = self.PLAN
        plans = DevelopmentPlan.objects.filter(**{lookup: getattr(self, field)})
        plans.update(page_version=F("page_version") + 1)

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            self._page_changed()

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            self._page_changed()
            return super().delete(*args, **kwargs)


class CompetencyGap(ShownOnPlanPage):
    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="gaps")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="gaps", verbose_name=_("competency")
    )
    current_level = models.PositiveSmallIntegerField(
        _("current level"), validators=LEVEL_VALIDATORS
    )
    desired_level = models.PositiveSmallIntegerField(
        _("desired level"), validators=LEVEL_VALIDATORS
    )
    why_it_matters = models.TextField(_("why it matters"), blank=True)
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="competency_gaps",
        verbose_name=_("goal"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("competency gap")
        verbose_name_plural = _("competency gaps")
        ordering = ["priority", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(current_level__gte=1, current_level__lte=5),
                name="gap_current_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(desired_level__gte=1, desired_level__lte=5),
                name="gap_desired_level_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(desired_level__gte=F("current_level")),
                name="gap_desired_not_below_current",
                violation_error_message=_("The desired level cannot be below the current level."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.competency.name} ({self.current_level} → {self.desired_level})"

    @property
    def current_descriptor(self) -> str:
        return self.competency.level_descriptor(self.current_level)

    @property
    def desired_descriptor(self) -> str:
        return self.competency.level_descriptor(self.desired_level)


class LevelAssessment(ShownOnPlanPage):
    """One person's view of the current level of a competency gap: the employee's own
    (self-assessment) or their line manager's, with a short reason.

    A row per assessment, never changed: the newest row of each side is that side's view,
    the older rows are its history. ``sequence`` counts a side's assessments of the gap;
    a save names the sequence it started from, so two saves from the same starting point
    cannot both land (the unique constraint), and the later one is shown the earlier one.
    The gap's own ``current_level`` stays the level both agree on.
    """

    class Side(models.TextChoices):
        EMPLOYEE = "employee", _("employee")
        MANAGER = "manager", _("manager")

    PLAN = ("gaps", "gap_id")

    gap = models.ForeignKey(CompetencyGap, on_delete=models.CASCADE, related_name="assessments")
    side = models.CharField(_("whose view"), max_length=10, choices=Side.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("level"), validators=LEVEL_VALIDATORS)
    reason = models.TextField(_("reason"), max_length=1000)
    sequence = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("assessment of the current level")
        verbose_name_plural = _("assessments of the current level")
        ordering = ["-sequence", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="assessment_level_1_to_5"
            ),
            models.UniqueConstraint(
                "gap", "side", "sequence", name="assessment_sequence_unique_per_side"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.side} {self.level} ({self.gap_id})"

    @property
    def descriptor(self) -> str:
        return self.gap.competency.level_descriptor(self.level)


class DevelopmentAction(ShownOnPlanPage):
    class Kind(models.TextChoices):
        TRAINING = "training", _("training or course")
        ELEARNING = "elearning", _("e-learning")
        COACHING = "coaching", _("coaching")
        MENTORING = "mentoring", _("mentoring or buddy")
        SHADOWING = "shadowing", _("job shadowing")
        JOB_CRAFTING = "job_crafting", _("job crafting")
        ASSIGNMENT = "assignment", _("on-the-job assignment")
        CONFERENCE = "conference", _("conference")
        SELF_STUDY = "self_study", _("self-study")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("in progress")
        PLANNED = "planned", _("planned")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    gap = models.ForeignKey(
        CompetencyGap,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("competency gap"),
    )
    goal = models.ForeignKey(
        "goals.Goal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="development_actions",
        verbose_name=_("goal"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.MEDIUM
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    start_date = models.DateField(
        pgettext_lazy("development action", "start date"), null=True, blank=True
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    cost = models.DecimalField(
        _("cost (€)"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"), _("The cost cannot be negative."))],
    )
    hours = models.DecimalField(
        _("hours"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"), _("The number of hours cannot be negative."))],
    )
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    knowledge_transfer = models.TextField(
        _("knowledge sharing agreement"),
        blank=True,
        help_text=_("How will you apply what you learn, and share it with colleagues?"),
    )
    reflection = models.TextField(
        _("reflection on completion"),
        blank=True,
        help_text=_("Written by the employee: what did it bring you?"),
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("development action")
        verbose_name_plural = _("development actions")
        ordering = ["priority", "due_date", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gap__isnull=False) | Q(goal__isnull=False),
                name="action_serves_gap_or_goal",
                violation_error_message=_(
                    "Link this action to a competency gap or a goal: development should serve "
                    "at least one of them."
                ),
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="action_due_not_before_start",
                violation_error_message=_("The due date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=Q(cost__gte=0), name="action_cost_not_negative"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0),
                name="action_hours_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def counts_for_budget(self) -> bool:
        return self.status != self.Status.CANCELLED

    @property
    def planned_in_the_past(self) -> bool:
        """Still "planned" while its start (or, without one, its due date) has passed."""
        when = self.start_date or self.due_date
        return (
            self.status == self.Status.PLANNED and when is not None and when < timezone.localdate()
        )

    @property
    def is_overdue(self) -> bool:
        return (
            self.due_date is not None
            and self.status in (self.Status.PLANNED, self.Status.IN_PROGRESS)
            and self.due_date < timezone.localdate()
        )


class ActionStep(ShownOnPlanPage):
    """A small step of an action: a module, a milestone."""

    PLAN = ("actions", "action_id")

    action = models.ForeignKey(DevelopmentAction, on_delete=models.CASCADE, related_name="steps")
    title = models.CharField(_("step"), max_length=200)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        ordering = ["due_date", "created_at", "id"]

    def __str__(self) -> str:
        return self.title


class PlanComment(ShownOnPlanPage):
    """A comment on the plan as a whole, on a gap or on an action."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="comments")
    gap = models.ForeignKey(
        CompetencyGap, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    action = models.ForeignKey(
        DevelopmentAction, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"))

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gap__isnull=True) | Q(action__isnull=True),
                name="comment_on_one_item",
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class PrivateNote(BaseModel):
    """Seen by its author alone: not by the manager, not by HR, not in the history."""

    plan = models.ForeignKey(
        DevelopmentPlan, on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("private note"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]


class PlanVersion(BaseModel):
    """A numbered version that employee and manager both agreed to; frozen content."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    employee_agreed_at = models.DateTimeField()
    manager_agreed_at = models.DateTimeField()
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agreed version")
        verbose_name_plural = _("agreed versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint("plan", "number", name="plan_version_number_unique")]

    def __str__(self) -> str:
        return str(_("Version %(number)s") % {"number": self.number})

    @property
    def agreed_at(self):
        return max(self.employee_agreed_at, self.manager_agreed_at)


class PlanChange(models.Model):
    """One changed field, or one added or removed item, of a plan: who, when, old → new.

    Written by the services in the same transaction as the change it records.
    """

    class Operation(models.TextChoices):
        ADDED = "added", pgettext_lazy("plan history", "added")
        CHANGED = "changed", pgettext_lazy("plan history", "changed")
        REMOVED = "removed", pgettext_lazy("plan history", "removed")
        COMMENTED = "commented", pgettext_lazy("plan history", "commented on")
        AGREED = "agreed", pgettext_lazy("plan history", "agreed to")

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="changes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    operation = models.CharField(max_length=20, choices=Operation.choices)
    item_type = models.CharField(max_length=20)
    item_uuid = models.UUIDField(null=True)
    item_label = models.CharField(max_length=200, blank=True)
    field = models.CharField(max_length=50, blank=True)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    # The item's version this change produced: lets a later save by someone who started
    # from an older version tell which fields others changed meanwhile (three-way merge).
    item_version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["plan", "at"], name="plan_change_plan_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.item_type} {self.field}"


class PlanVisit(models.Model):
    """When a person last looked at a plan, for "what changed since your last visit"."""

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="visits")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint("plan", "user", name="plan_visit_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.plan_id}"


class PlanExportQuerySet(models.QuerySet):
    def stale(self, *, now: datetime.datetime, limit_seconds: int) -> PlanExportQuerySet:
        """The exports ``PlanExport.is_stale`` says will not finish, in one query."""
        cutoff = now - datetime.timedelta(seconds=limit_seconds)
        return self.annotate(since=Coalesce("started_at", "created_at")).filter(
            status__in=[PlanExport.Status.PENDING, PlanExport.Status.RENDERING], since__lt=cutoff
        )


class PlanExport(BaseModel):
    """A requested PDF of a plan, rendered by a Celery task (``tasks.plan_render_pdf``).

    The file is private: it lives under MEDIA_ROOT, which no URL serves; only the
    access-checked download view reads it. ``fingerprint`` identifies the plan's content
    in one language, so an unchanged plan reuses its last file.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        RENDERING = "rendering", _("being made")
        DONE = "done", _("ready")
        FAILED = "failed", _("failed")

    plan = models.ForeignKey(DevelopmentPlan, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    language = models.CharField(max_length=5)
    fingerprint = models.CharField(max_length=64)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to="private/plan-exports/%Y/%m/", blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = PlanExportQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan PDF")
        verbose_name_plural = _("plan PDFs")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["plan", "fingerprint"], name="plan_export_fingerprint")]

    def __str__(self) -> str:
        return f"{self.plan_id} {self.status} {self.created_at:%Y-%m-%d %H:%M}"

    def is_stale(self, *, now=None, limit_seconds: int) -> bool:
        """Pending or rendering for longer than a render may take (counted from its last
        start, or from its request): it will not finish. ``PlanExport.objects.stale`` is
        the same rule for many."""
        if self.status not in (self.Status.PENDING, self.Status.RENDERING):
            return False
        since = self.started_at or self.created_at
        return (now or timezone.now()) - since > datetime.timedelta(seconds=limit_seconds)
