"""The goal cascade: organisation, team and individual goals in one tree, with check-ins.

The database enforces what one row can say about itself (level and owner agree, a goal
without a parent carries a "not linked" reason, numbers are in range). Rules that need
other rows (the parent's level, unit and organisation; no cycles) live in
``goals.services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from people.models import Organisation, OrgUnit, User
from people.versions import Part, versions_raise
from pop_platform.models import BaseModel

VALUE_FIELD = {"max_digits": 14, "decimal_places": 2, "null": True, "blank": True}


class Goal(BaseModel):
    class Level(models.TextChoices):
        ORGANISATION = "organisation", _("Organisation goal")
        TEAM = "team", _("Team goal")
        INDIVIDUAL = "individual", _("Individual goal")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed")
        ACTIVE = "active", _("Active")
        ACHIEVED = "achieved", _("Achieved")
        NOT_ACHIEVED = "not_achieved", _("Not achieved")
        CANCELLED = "cancelled", _("Cancelled")
        ARCHIVED = "archived", _("Archived")

    class Visibility(models.TextChoices):
        ORGANISATION = "organisation", _("Everyone in the organisation")
        TEAM = "team", _("The team")
        PRIVATE = "private", _("Only the employee and their manager")

    class Metric(models.TextChoices):
        NONE = "none", _("No own measure: progress of the linked goals")
        PERCENTAGE = "percentage", _("Percentage")
        NUMBER = "number", _("Number")
        CURRENCY = "currency", _("Amount in euros")
        YES_NO = "yes_no", _("Yes or no")

    # Statuses whose progress counts in the parent's roll-up.
    COUNTED = (Status.ACTIVE, Status.ACHIEVED, Status.NOT_ACHIEVED)
    # Statuses in which the goal is finished and no longer changes.
    CLOSED = (Status.ACHIEVED, Status.NOT_ACHIEVED, Status.CANCELLED, Status.ARCHIVED)

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="goals", verbose_name=_("organisation")
    )
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    owner_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("team"),
    )
    owner_person = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("employee"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("contributes to"),
    )
    not_linked_reason = models.TextField(
        _("reason it is not linked"),
        blank=True,
        help_text=_("Only when the goal does not contribute to a team or organisation goal."),
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("How much this goal counts in the progress of the goal it contributes to."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("what exactly do you want to achieve?"), blank=True)
    metric = models.CharField(
        _("measure"), max_length=20, choices=Metric.choices, default=Metric.NUMBER
    )
    start_value = models.DecimalField(_("start value"), **VALUE_FIELD)
    target_value = models.DecimalField(_("target value"), **VALUE_FIELD)
    current_value = models.DecimalField(_("current value"), **VALUE_FIELD)
    measure_unit = models.CharField(
        _("unit of measure"), max_length=40, blank=True, help_text=_("For example: clients.")
    )
    feasibility_note = models.TextField(
        _("why is it acceptable and realistic?"),
        blank=True,
        help_text=_("Time, budget and support needed, and who agrees."),
    )
    start_date = models.DateField(_("period starts on"), null=True, blank=True)
    due_date = models.DateField(_("due on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("visible to"), max_length=20, choices=Visibility.choices, default=Visibility.PRIVATE
    )
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    proposed_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    review_comment = models.TextField(_("manager's comment"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["due_date", "title", "id"]
        indexes = [
            models.Index(fields=["organisation", "level"], name="goal_org_level"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(level="organisation", owner_unit__isnull=True, owner_person__isnull=True)
                    | Q(level="team", owner_unit__isnull=False, owner_person__isnull=True)
                    | Q(level="individual", owner_unit__isnull=True, owner_person__isnull=False)
                ),
                name="goal_owner_matches_level",
                violation_error_message=_(
                    "A team goal belongs to a unit, an individual goal to a person, "
                    "an organisation goal to neither."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(level="organisation") | Q(parent__isnull=True),
                name="goal_organisation_goal_has_no_parent",
                violation_error_message=_(
                    "An organisation goal cannot contribute to another goal."
                ),
            ),
            models.CheckConstraint(
                condition=Q(level="organisation")
                | Q(parent__isnull=False)
                | ~Q(not_linked_reason=""),
                name="goal_unlinked_has_reason",
                violation_error_message=_(
                    "Link the goal to a team or organisation goal, or say why it is not linked."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="goal_not_its_own_parent",
                violation_error_message=_("A goal cannot contribute to itself."),
            ),
            models.CheckConstraint(
                condition=~Q(level="organisation") | Q(visibility="organisation"),
                name="goal_organisation_goal_visible_to_all",
                violation_error_message=_("Everyone in the organisation sees its goals."),
            ),
            models.CheckConstraint(
                condition=Q(weight__gt=0),
                name="goal_weight_positive",
                violation_error_message=_("The weight must be more than zero."),
            ),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=F("start_date")),
                name="goal_due_not_before_start",
                violation_error_message=_("The due date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(metric__in=["percentage", "number", "currency"])
                | Q(start_value__isnull=True)
                | Q(target_value__isnull=True)
                | ~Q(target_value=F("start_value")),
                name="goal_target_differs_from_start",
                violation_error_message=_("The target value must differ from the start value."),
            ),
            models.CheckConstraint(
                condition=~Q(metric="yes_no")
                | Q(current_value__isnull=True)
                | Q(current_value__in=[0, 1]),
                name="goal_yes_no_value_is_zero_or_one",
                violation_error_message=_("A yes/no goal is either reached (1) or not (0)."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: object, **kwargs: object) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            goals_changed(self.organisation_id)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            goals_changed(self.organisation_id)
        return deleted

    def get_absolute_url(self) -> str:
        return reverse("goals:goal-detail", kwargs={"goal_uuid": self.uuid})

    @property
    def owner_label(self) -> str:
        if self.level == self.Level.TEAM and self.owner_unit is not None:
            return self.owner_unit.name
        if self.level == self.Level.INDIVIDUAL and self.owner_person is not None:
            return self.owner_person.full_name
        return str(self.organisation)

    @property
    def is_measured(self) -> bool:
        return self.metric != self.Metric.NONE

    @property
    def value_now(self) -> Decimal | None:
        return self.current_value if self.current_value is not None else self.start_value

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED


class GoalUpdate(BaseModel):
    """A check-in: the value reached so far, how confident the owner is, and a note."""

    goal = models.ForeignKey(
        Goal, on_delete=models.CASCADE, related_name="updates", verbose_name=_("goal")
    )
    value = models.DecimalField(_("value reached"), **VALUE_FIELD)
    note = models.TextField(_("note"), blank=True)
    confidence = models.PositiveSmallIntegerField(
        _("confidence (0–10)"),
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("0 = it will certainly not work out, 10 = it will certainly work out."),
    )
    author = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("by")
    )
    recorded_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(confidence__gte=0, confidence__lte=10),
                name="goalupdate_confidence_0_to_10",
                violation_error_message=_("Confidence is a number from 0 to 10."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.goal} @ {self.recorded_at:%Y-%m-%d}"


def goals_changed(*organisation_ids: int | None) -> None:
    """Raise the goal version (people.versions) of these organisations: every write of
    goals calls it in its transaction (row saves here, bulk writes in the services)."""
    versions_raise(organisation_ids=organisation_ids, part=Part.GOALS)
