"""Feedback that serves the plan: asked about a competency gap, a goal or a development
action of one person's plan, or (upward) about a manager's support of their reports'
development.

An anonymous request never shows who wrote what: its answers are shown merged, in random
order and without times, and only once at least the organisation's floor (never below 3)
of people have answered. The link from an answer to its invitation exists only so its
author can change it until the due date; no page, export, API or audit event follows it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pop_platform.models import BaseModel

# Anonymous answers are shown only from this many answers on; organisations may raise it.
ANONYMITY_FLOOR_MINIMUM = 3


class Subject(models.TextChoices):
    """What a question is about: the kind of plan item, or a manager's support."""

    GAP = "gap", _("competency gap")
    GOAL = "goal", _("goal")
    ACTION = "action", _("development action")
    UPWARD = "upward", _("manager's support")


class FeedbackPolicy(models.Model):
    """The organisation's feedback settings (one row per organisation, made on demand)."""

    organisation = models.OneToOneField(
        "people.Organisation", on_delete=models.CASCADE, related_name="feedback_policy"
    )
    anonymity_floor = models.PositiveSmallIntegerField(
        _("answers needed before anonymous feedback is shown"),
        default=ANONYMITY_FLOOR_MINIMUM,
        validators=[
            MinValueValidator(
                ANONYMITY_FLOOR_MINIMUM, _("Anonymous feedback needs at least 3 answers.")
            ),
            MaxValueValidator(20, _("Choose at most 20 answers.")),
        ],
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback policy")
        verbose_name_plural = _("feedback policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymity_floor__gte=ANONYMITY_FLOOR_MINIMUM),
                name="feedback_floor_at_least_3",
            )
        ]

    def __str__(self) -> str:
        return str(self.organisation)


class FeedbackQuestion(BaseModel):
    """A default question for one subject; HR edits them as it edits preparation
    questions. A request copies them when it is made."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="feedback_questions"
    )
    subject = models.CharField(_("asked about"), max_length=10, choices=Subject.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_nl = models.CharField(_("question in Dutch"), max_length=300)
    text_en = models.CharField(_("question in English"), max_length=300)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("feedback question")
        verbose_name_plural = _("feedback questions")
        ordering = ["subject", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if get_language() == "en" and self.text_en else self.text_nl


class FeedbackRequest(BaseModel):
    """Feedback asked about one person: about items of their plan, or (upward) about their
    support as a manager."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("feedback on plan items")
        UPWARD = "upward", _("upward feedback")

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="feedback_requests"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLAN)
    # Whom the feedback is about: the plan's employee, or the manager of an upward round.
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feedback_about_me",
        verbose_name=_("about"),
    )
    plan = models.ForeignKey(
        "plans.DevelopmentPlan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback_requests",
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    anonymous = models.BooleanField(_("anonymous"), default=False)
    share_description = models.BooleanField(_("share the description"), default=False)
    shared_with_manager = models.BooleanField(_("shared with the manager"), default=False)
    message = models.TextField(_("message to the people asked"), blank=True)
    due_date = models.DateField(_("answer before"))
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback request")
        verbose_name_plural = _("feedback requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="upward", anonymous=True, plan__isnull=True)
                | Q(kind="plan", plan__isnull=False),
                name="feedback_upward_is_anonymous_plan_has_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.about}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:request-detail", kwargs={"request_uuid": self.uuid})

    @property
    def is_upward(self) -> bool:
        return self.kind == self.Kind.UPWARD


class FeedbackItem(models.Model):
    """One plan item a request asks about: exactly one of gap, goal, action."""

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="items")
    gap = models.ForeignKey(
        "plans.CompetencyGap", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "plans.DevelopmentAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gap__isnull=False, goal__isnull=True, action__isnull=True)
                | Q(gap__isnull=True, goal__isnull=False, action__isnull=True)
                | Q(gap__isnull=True, goal__isnull=True, action__isnull=False),
                name="feedback_item_is_one_thing",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        if self.gap_id:
            return self.gap.competency.name
        return self.goal.title if self.goal_id else self.action.title

    @property
    def description(self) -> str:
        if self.gap_id:
            return self.gap.why_it_matters
        return self.goal.description if self.goal_id else self.action.description


class AskedQuestion(models.Model):
    """A question as it was asked: copied from the organisation's questions, so later
    edits by HR do not change what people answered."""

    request = models.ForeignKey(FeedbackRequest, on_delete=models.CASCADE, related_name="questions")
    subject = models.CharField(max_length=10, choices=Subject.choices)
    position = models.PositiveSmallIntegerField(default=0)
    text_nl = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    # Upward questions are answered on a scale of 1 to 5 (and a comment); others in words.
    scored = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return self.text_en if get_language() == "en" and self.text_en else self.text_nl


class Invitation(BaseModel):
    """One person asked. ``person`` is emptied when the retention job removes a leaver."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        DECLINED = "declined", _("declined")
        ANSWERED = "answered", _("answered")

    request = models.ForeignKey(
        FeedbackRequest, on_delete=models.CASCADE, related_name="invitations"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="feedback_invitations",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    # The due date the reminder was sent for: set by the conditional update that decides
    # to send it, so a second sweep does not send it again (a moved due date: once more).
    reminded_for = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")
        ordering = ["id"]
        constraints = [models.UniqueConstraint("request", "person", name="feedback_invited_once")]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("feedback:answer", kwargs={"invitation_uuid": self.uuid})


class Answer(BaseModel):
    """One answer to one question, saved as its author types (conditional update on
    ``version``)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AskedQuestion, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(_("answer"), blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"),
        null=True,
        blank=True,
        validators=[
            MinValueValidator(1, _("Choose a score from 1 to 5.")),
            MaxValueValidator(5, _("Choose a score from 1 to 5.")),
        ],
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("feedback answer")
        verbose_name_plural = _("feedback answers")
        constraints = [
            models.UniqueConstraint("invitation", "question", name="feedback_one_answer"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="feedback_score_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.body[:60]


# --- Recognition ------------------------------------------------------------------------


class Compliment(BaseModel):
    """A short compliment ("schouderklopje") on a completed step, a completed action or
    an achieved goal of someone whose plan or goal the giver can see (exactly one of
    ``step``, ``action``, ``goal``). It shows on that item and reaches the receiver as a
    notification; it goes in their team's feed only while they allow it
    (``people.User.share_compliments``)."""

    organisation = models.ForeignKey(
        "people.Organisation", on_delete=models.CASCADE, related_name="compliments"
    )
    giver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="compliments_given",
        verbose_name=_("given by"),
    )
    receiver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="compliments_received",
        verbose_name=_("given to"),
    )
    step = models.ForeignKey(
        "plans.ActionStep", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    action = models.ForeignKey(
        "plans.DevelopmentAction",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    goal = models.ForeignKey(
        "goals.Goal", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.CharField(_("compliment"), max_length=280)

    class Meta:
        verbose_name = _("compliment")
        verbose_name_plural = _("compliments")
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__isnull=False, action__isnull=True, goal__isnull=True)
                | Q(step__isnull=True, action__isnull=False, goal__isnull=True)
                | Q(step__isnull=True, action__isnull=True, goal__isnull=False),
                name="compliment_on_one_thing",
            )
        ]
        indexes = [models.Index(fields=["receiver", "created_at"], name="compliment_receiver_at")]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def about_title(self) -> str:
        """The title of the step, action or goal it is about."""
        return (self.step or self.action or self.goal).title
