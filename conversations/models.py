"""Development conversations: the POP as a continuous conversation, not a yearly form.

A ``Conversation`` is between an employee and their manager. Before it, both add
``AgendaItem``s and answer the ``PreparationQuestion``s of its kind; during and after it
they keep ``SharedNote`` (versioned, saved with plans' conditional update), each their own
``ConversationPrivateNote``, and ``Agreement``s that become plan actions or goal check-ins.
``UnitCadence`` overrides the organisation's cadence policy for one unit, and
``ReminderDelivery`` makes each reminder once (one row per kind, recipient, object and due
slot); its messages go through the outbox.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pop_platform.models import BaseModel


class Kind(models.TextChoices):
    START = "start", _("start conversation")
    PROGRESS = "progress", _("progress conversation")
    PERFORMANCE = "performance", _("performance conversation")
    APPRAISAL = "appraisal", _("appraisal conversation")
    DEVELOPMENT = "development", _("development conversation")
    CHECK_IN = "check_in", _("check-in")


# Conversations that meet the "development conversation every N months" policy.
DEVELOPMENT_KINDS = (Kind.DEVELOPMENT, Kind.PERFORMANCE, Kind.APPRAISAL)


class Conversation(BaseModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="conversations"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations_as_employee",
        verbose_name=_("employee"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversations_as_manager",
        verbose_name=_("manager"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(480)],
    )
    location = models.CharField(
        _("place or video link"), max_length=300, blank=True, help_text=_("A room or a link.")
    )
    request_note = models.TextField(_("what would you like to talk about?"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Raised on every change the attendees' calendars must follow (RFC 5545 SEQUENCE).
    sequence = models.PositiveIntegerField(_("calendar sequence"), default=0)
    # Time and place before the last change, for the changed invitation ("was ...").
    previous_starts_at = models.DateTimeField(_("previous start"), null=True, blank=True)
    previous_location = models.CharField(_("previous place"), max_length=300, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["employee", "starts_at"], name="conversation_employee_time"),
            models.Index(fields=["manager", "starts_at"], name="conversation_manager_time"),
            models.Index(fields=["status", "starts_at"], name="conversation_status_time"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(employee=models.F("manager")),
                name="conversation_two_people",
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | Q(starts_at__isnull=False),
                name="conversation_scheduled_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.employee}"

    def get_absolute_url(self) -> str:
        return reverse("conversations:conversation-detail", kwargs={"conversation_uuid": self.uuid})

    @property
    def ends_at(self) -> datetime.datetime | None:
        if self.starts_at is None:
            return None
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def is_open(self) -> bool:
        """Still to be held: requested or scheduled."""
        return self.status in (self.Status.REQUESTED, self.Status.SCHEDULED)

    def has_started(self, now: datetime.datetime) -> bool:
        return self.status == self.Status.HELD or (
            self.status == self.Status.SCHEDULED and self.starts_at <= now
        )

    def other_party(self, user) -> object:
        return self.manager if user.pk == self.employee_id else self.employee


class AgendaItem(BaseModel):
    class Source(models.TextChoices):
        OWN = "own", _("added")
        ACTION = "action", _("development action due")
        GOAL = "goal", _("goal behind schedule")
        AGREEMENT = "agreement", _("open agreement from last time")
        GAP = "gap", _("your views of the level differ")
        FEEDBACK = "feedback", _("feedback received since last time")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="agenda_items"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("agenda item"), max_length=300)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.OWN)
    action = models.ForeignKey(
        "plans.DevelopmentAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreement = models.ForeignKey(
        "Agreement", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    gap = models.ForeignKey(
        "plans.CompetencyGap", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class PreparationQuestion(BaseModel):
    """A question to prepare a conversation of one kind, for one side or both; the
    organisation edits them."""

    class Audience(models.TextChoices):
        BOTH = "both", _("both")
        EMPLOYEE = "employee", _("the employee")
        MANAGER = "manager", _("the manager")

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="preparation_questions"
    )
    kind = models.CharField(_("conversation kind"), max_length=20, choices=Kind.choices)
    audience = models.CharField(
        _("asked of"), max_length=10, choices=Audience.choices, default=Audience.BOTH
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_nl = models.CharField(_("question in Dutch"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("preparation question")
        verbose_name_plural = _("preparation questions")
        ordering = ["kind", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The question in the active language (Dutch when there is no English text)."""
        return self.text_en if get_language() == "en" and self.text_en else self.text_nl


class PreparationAnswer(BaseModel):
    """One side's answer; the other side sees it once the conversation has started."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="preparation_answers"
    )
    question = models.ForeignKey(PreparationQuestion, on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("answer"), blank=True)

    class Meta:
        verbose_name = _("preparation answer")
        verbose_name_plural = _("preparation answers")
        constraints = [
            models.UniqueConstraint(
                "conversation", "question", "author", name="one_answer_per_question_and_author"
            )
        ]

    def __str__(self) -> str:
        return self.body[:60]


class SharedNote(BaseModel):
    """The notes both parties edit; saved with a conditional update on ``version``."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.CASCADE, related_name="shared_note"
    )
    body = models.TextField(_("shared notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("shared notes")
        verbose_name_plural = _("shared notes")

    def __str__(self) -> str:
        return self.body[:60]


class ConversationPrivateNote(BaseModel):
    """Seen by its author alone: never in lists, counts, calendar files or e-mails."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="private_notes"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(_("private note"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("private note")
        verbose_name_plural = _("private notes")
        constraints = [
            models.UniqueConstraint(
                "conversation", "author", name="one_private_note_per_author_and_conversation"
            )
        ]

    def __str__(self) -> str:
        return str(_("private note"))


class Agreement(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="agreements"
    )
    text = models.CharField(_("agreement"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="conversation_agreements",
        verbose_name=_("who"),
    )
    due_date = models.DateField(_("due date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    plan_action = models.ForeignKey(
        "plans.DevelopmentAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agreements",
        verbose_name=_("development action"),
    )
    goal_update = models.ForeignKey(
        "goals.GoalUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("goal check-in"),
    )

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def on_plan(self) -> bool:
        return self.plan_action_id is not None or self.goal_update_id is not None


class UnitCadence(BaseModel):
    """A unit's own cadence; an empty field means the organisation's policy applies."""

    unit = models.OneToOneField(
        "people.OrgUnit", on_delete=models.CASCADE, related_name="cadence", verbose_name=_("unit")
    )
    checkin_cadence_weeks = models.PositiveSmallIntegerField(
        _("check-in every (weeks)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    conversation_interval_months = models.PositiveSmallIntegerField(
        _("development conversation every (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    start_conversation_within_weeks = models.PositiveSmallIntegerField(
        _("start conversation within (weeks after joining)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )

    class Meta:
        verbose_name = _("cadence of a unit")
        verbose_name_plural = _("cadence per unit")

    def __str__(self) -> str:
        return str(self.unit)


class ReminderDelivery(models.Model):
    """That one reminder was decided for one person: unique per (kind, recipient, object,
    due slot), so a second sweep or a second beat never decides it again. Created in the
    transaction that queues its messages in the outbox (``people.OutgoingMessage``),
    which records how they were delivered."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", _("conversation upcoming")
        PREPARATION = "preparation", _("preparation missing")
        NOTES_MISSING = "notes_missing", _("notes or agreements missing")
        CADENCE_OVERDUE = "cadence_overdue", _("conversation overdue under the policy")
        ACTION_DUE = "action_due", _("development action due")
        ACTION_OVERDUE = "action_overdue", _("development action overdue")
        GOAL_DUE = "goal_due", _("goal due")
        DIGEST = "digest", _("weekly digest for managers")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_deliveries",
        verbose_name=_("recipient"),
    )
    object_type = models.CharField(_("object type"), max_length=40)
    object_id = models.PositiveBigIntegerField(_("object"))
    due_slot = models.DateTimeField(_("due at"))
    created_at = models.DateTimeField(_("decided at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-due_slot", "-id"]
        constraints = [
            models.UniqueConstraint(
                "kind",
                "recipient",
                "object_type",
                "object_id",
                "due_slot",
                name="reminder_delivery_once_per_slot",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient} ({self.due_slot:%Y-%m-%d %H:%M})"
