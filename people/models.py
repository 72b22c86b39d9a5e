"""Organisations (tenants), their unit tree, people, the outbox of messages to them
(in-app notifications among them) and the audit log."""

from __future__ import annotations

import uuid
import zoneinfo
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from pop_platform.cache import on_commit_renew
from pop_platform.models import BaseModel


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Organisation(BaseModel):
    """A tenant. Nobody ever sees another organisation's data."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    default_language = models.CharField(
        _("default language"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=_timezone_choices, default="Europe/Amsterdam"
    )
    # Policy settings (HR).
    checkin_cadence_weeks = models.PositiveSmallIntegerField(
        _("check-in every (weeks)"),
        default=6,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
    )
    conversation_interval_months = models.PositiveSmallIntegerField(
        _("development conversation every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(36)],
    )
    start_conversation_within_weeks = models.PositiveSmallIntegerField(
        _("start conversation within (weeks after joining)"),
        default=4,
        validators=[MinValueValidator(1), MaxValueValidator(26)],
    )
    reminder_lead_days = models.PositiveSmallIntegerField(
        _("reminder lead time (days)"),
        default=3,
        validators=[MinValueValidator(0), MaxValueValidator(30)],
    )
    min_group_size = models.PositiveSmallIntegerField(
        _("minimum group size for aggregates"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(50)],
    )
    default_yearly_budget = models.DecimalField(
        _("default yearly development budget per person"),
        max_digits=10,
        decimal_places=2,
        default=Decimal("1500.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    retention_months = models.PositiveSmallIntegerField(
        _("retention after leaving (months)"),
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_(
            "People whose end date lies longer ago than this are anonymised by the daily "
            "retention job."
        ),
    )
    # The local day the retention job last ran for this organisation (claimed with a
    # conditional update, so it runs once a day however often the sweep comes by).
    retention_checked_on = models.DateField(_("retention job last run on"), null=True, blank=True)
    goal_behind_margin = models.DecimalField(
        _("goal is behind when progress lags expected by more than"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A share between 0 and 1, e.g. 0.10 for ten percentage points."),
    )
    goal_at_risk_margin = models.DecimalField(
        _("goal is at risk when progress lags expected by more than"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.25"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("A share between 0 and 1; larger than the 'behind' margin."),
    )
    # What cached values are keyed by (people.versions): raised in the transaction that
    # writes what they cover, never by saving the organisation itself.
    units_version = models.PositiveBigIntegerField(default=1, editable=False)
    goals_version = models.PositiveBigIntegerField(default=1, editable=False)
    competencies_version = models.PositiveBigIntegerField(default=1, editable=False)

    VERSION_FIELDS = frozenset({"units_version", "goals_version", "competencies_version"})

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(goal_at_risk_margin__gte=models.F("goal_behind_margin")),
                name="organisation_at_risk_margin_not_below_behind_margin",
                violation_error_message=_(
                    "The 'at risk' margin must be at least the 'behind' margin."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        # A saved copy of the organisation must not write back the version counters it
        # read earlier: that would lower them below a raise committed meanwhile.
        if not self._state.adding and not kwargs.get("force_insert"):
            fields = kwargs.get("update_fields") or [
                f.name for f in self._meta.concrete_fields if not f.primary_key
            ]
            kwargs["update_fields"] = [name for name in fields if name not in self.VERSION_FIELDS]
        super().save(*args, **kwargs)

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class OrgUnit(BaseModel):
    """A department or team. Trees are small: load them whole and build in Python."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("department")
        TEAM = "team", _("team")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="units", verbose_name=_("organisation")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.TEAM)
    manager = models.ForeignKey(
        "User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_units",
        verbose_name=_("manager"),
    )
    # The unit's id in the HR system or identity provider (a SCIM group's ``externalId``).
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    # Raised by every save (API writes name it in If-Match).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                "parent",
                Lower("name"),
                condition=models.Q(parent__isnull=False),
                name="orgunit_unique_name_under_parent",
                violation_error_message=_("A unit with this name already exists here."),
            ),
            models.UniqueConstraint(
                "organisation",
                Lower("name"),
                condition=models.Q(parent__isnull=True),
                name="orgunit_unique_top_level_name",
                violation_error_message=_("A unit with this name already exists here."),
            ),
            models.CheckConstraint(
                condition=~models.Q(parent=models.F("id")),
                name="orgunit_not_its_own_parent",
            ),
            models.UniqueConstraint(
                "organisation",
                "external_id",
                condition=~models.Q(external_id=""),
                name="orgunit_external_id_unique_in_organisation",
                violation_error_message=_("Another unit already has this external id."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        bump = self.pk is not None
        if bump:
            self.version = models.F("version") + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            _units_changed(self.organisation_id)
        if bump:
            self.refresh_from_db(fields=["version"])

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            _units_changed(self.organisation_id)
        return deleted


def _units_changed(organisation_id: int | None) -> None:
    from .versions import Part, versions_raise  # the module reads this one's models

    versions_raise(organisation_ids=[organisation_id], part=Part.UNITS)


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs: object) -> int:
        """A bulk write of people (``bulk_update`` too) bypasses ``User.save``: it also
        raises the unit version and renews the cached copies of the people it changes."""
        with transaction.atomic(using=self.db):
            changed = list(self.values_list("pk", "organisation_id"))
            count = super().update(**kwargs)
            for organisation_id in {org for _pk, org in changed}:
                _units_changed(organisation_id)
            on_commit_renew([User.cache_name(pk) for pk, _org in changed])
        return count


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **fields: object) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Signs in with their e-mail address; public UUID in URLs."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("organisation"),
        help_text=_("Empty only for platform support staff."),
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("unit"),
    )
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("line manager"),
    )
    is_hr = models.BooleanField(_("HR"), default=False)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.DUTCH
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    # The person's own choice (off until they turn it on): compliments they receive show in
    # their team's feed on the home page.
    share_compliments = models.BooleanField(
        _("compliments I receive in my team's feed"), default=False
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("staff"), default=False, help_text=_("May use the Django admin for setup and support.")
    )
    date_joined = models.DateTimeField(_("account created"), default=timezone.now)
    anonymised_at = models.DateTimeField(
        _("anonymised at"),
        null=True,
        blank=True,
        help_text=_("Set by the retention job; name, e-mail and personal texts are removed."),
    )
    # The person's id in the organisation's HR system or identity provider (SCIM's
    # ``externalId``); unique within the organisation when set.
    external_id = models.CharField(_("external id"), max_length=200, blank=True)
    # Raised by every save of what the API and SCIM show (``SYNCED_FIELDS``): a write
    # through the API names the version it read (If-Match), and ``updated_since`` finds
    # what changed.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now, db_index=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_unique_ignoring_case"),
            models.CheckConstraint(
                condition=~models.Q(line_manager=models.F("id")),
                name="user_not_own_line_manager",
                violation_error_message=_("A person cannot be their own line manager."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="user_end_date_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.UniqueConstraint(
                "organisation",
                "external_id",
                condition=~models.Q(external_id=""),
                name="user_external_id_unique_in_organisation",
                violation_error_message=_("Another person already has this external id."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "updated_at", "id"], name="user_org_changed"),
        ]

    #: What the API and SCIM show of a person: a save of any of these raises ``version``
    #: and ``updated_at`` (a save of only ``last_login`` or ``language`` does not).
    SYNCED_FIELDS = frozenset(
        {
            "email",
            "full_name",
            "organisation",
            "unit",
            "line_manager",
            "is_hr",
            "job_title",
            "start_date",
            "end_date",
            "is_active",
            "external_id",
            "anonymised_at",
        }
    )

    def __str__(self) -> str:
        return self.full_name or self.email

    #: Who reports to whom, who works where and their name (goal owners on cached pages):
    #: a save of any of these raises the organisation's unit version (people.versions).
    STRUCTURE_FIELDS = frozenset({"organisation", "unit", "line_manager", "is_active", "full_name"})

    def save(self, *args: object, **kwargs: object) -> None:
        self.email = self.email.strip().lower()
        update_fields = kwargs.get("update_fields")
        bump = self.pk is not None and (
            update_fields is None or bool(self.SYNCED_FIELDS & set(update_fields))
        )
        structure = update_fields is None or bool(self.STRUCTURE_FIELDS & set(update_fields))
        if bump:
            # In the database (another process may have saved meanwhile), read back below.
            self.version = models.F("version") + 1
            self.updated_at = timezone.now()
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        with transaction.atomic():
            super().save(*args, **kwargs)
            if structure:
                _units_changed(self.organisation_id)
            on_commit_renew([self.cache_name(self.pk)])
        if bump:
            self.refresh_from_db(fields=["version"])

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        name = self.cache_name(self.pk)
        with transaction.atomic():
            deleted = super().delete(*args, **kwargs)
            _units_changed(self.organisation_id)
            on_commit_renew([name])
        return deleted

    @staticmethod
    def cache_name(pk: int) -> str:
        """The generation the cached copy of this person is kept under (people.access)."""
        return f"user:{pk}"

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_full_name(self) -> str:
        return self.full_name

    @property
    def has_left(self) -> bool:
        """Their end date (their last day) has passed, in the platform's time zone."""
        return self.end_date is not None and self.end_date < timezone.localdate()

    @cached_property
    def is_manager(self) -> bool:
        """A manager has direct reports (or manages a unit). ``people.access.is_manager``
        answers from the shared cache and fills this property."""
        return self.has_reports_or_unit()

    def has_reports_or_unit(self) -> bool:
        if not self.pk:
            return False
        return User.objects.filter(pk=self.pk).filter(User.manager_condition(self.pk)).exists()

    @staticmethod
    def manager_condition(user_id: int) -> models.Q:
        """True for a user who has active direct reports or manages a unit."""
        return models.Q(
            models.Exists(User.objects.filter(line_manager_id=user_id, is_active=True))
        ) | models.Q(models.Exists(OrgUnit.objects.filter(manager_id=user_id)))


class SignInSettings(BaseModel):
    """How an organisation's people sign in: single sign-on with the organisation's own
    OpenID Connect provider, whether passwords stay allowed, and who needs a second factor.

    An organisation without a row signs in with passwords only and needs no second factor
    (``sign_in_settings_for`` hands out such an unsaved default)."""

    class TwoFactor(models.TextChoices):
        OPTIONAL = "optional", _("nobody is obliged (everyone may set it up)")
        HR = "hr", _("required for HR accounts")
        EVERYONE = "everyone", _("required for everyone who signs in with a password")

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_settings"
    )
    sso_enabled = models.BooleanField(_("single sign-on is on"), default=False)
    provider_name = models.CharField(
        _("name of the sign-in service"),
        max_length=100,
        blank=True,
        help_text=_("Shown on the sign-in button, e.g. Microsoft or Google Workspace."),
    )
    issuer = models.URLField(
        _("issuer URL"),
        max_length=500,
        blank=True,
        help_text=_(
            "The provider's issuer; POP Platform reads its settings from "
            "/.well-known/openid-configuration below it."
        ),
    )
    client_id = models.CharField(_("client ID"), max_length=300, blank=True)
    # Never shown again after saving (the page only says whether one is set).
    client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    passwords_allowed = models.BooleanField(
        _("password sign-in stays allowed"),
        default=True,
        help_text=_("When off, people of the organisation can only sign in through the provider."),
    )
    create_accounts = models.BooleanField(
        _("create accounts on first sign-in"),
        default=False,
        help_text=_(
            "Someone with an address of the organisation's domains who has no account yet "
            "gets one (without a unit: HR places them)."
        ),
    )
    two_factor = models.CharField(
        _("two-factor sign-in"),
        max_length=10,
        choices=TwoFactor.choices,
        default=TwoFactor.OPTIONAL,
    )

    class Meta:
        verbose_name = _("sign-in settings")
        verbose_name_plural = _("sign-in settings")

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def provider_id(self) -> str:
        """The organisation's provider as django-allauth names it (in URLs and in the
        social accounts it links: one per organisation, so never another's)."""
        return f"org-{self.organisation.uuid.hex}"

    @property
    def sso_ready(self) -> bool:
        return bool(self.sso_enabled and self.issuer and self.client_id and self.client_secret)

    def two_factor_required_for(self, user: User) -> bool:
        if self.two_factor == self.TwoFactor.EVERYONE:
            return True
        return self.two_factor == self.TwoFactor.HR and user.is_hr


class SignInDomain(models.Model):
    """An e-mail domain whose people sign in through their organisation's provider. A
    domain belongs to one organisation at most."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sign_in_domains"
    )
    domain = models.CharField(_("e-mail domain"), max_length=253, unique=True)

    class Meta:
        verbose_name = _("sign-in domain")
        verbose_name_plural = _("sign-in domains")
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain


class Invitation(BaseModel):
    """An e-mail that invites a person to set a password (or, in an organisation that signs
    in only through its provider, to sign in there). Its link is valid until
    ``expires_at`` and works once; a newer invitation replaces it (``revoked_at``).

    Its e-mail is a message of the outbox (kind ``invitation``, ``people.invitations``)."""

    person = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("person")
    )
    invited_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    expires_at = models.DateTimeField(_("valid until"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced at"), null=True, blank=True)
    renewal_requested_at = models.DateTimeField(
        _("new invitation asked for at"), null=True, blank=True
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["person", "-created_at"], name="invitation_newest")]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class PeopleImport(BaseModel):
    """An uploaded people file between its preview and HR's confirmation. The file is kept
    only until it is applied (then emptied) or replaced by a newer upload."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="people_imports"
    )
    uploaded_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("uploaded by")
    )
    filename = models.CharField(_("file name"), max_length=255)
    content = models.BinaryField(_("file"), editable=False)
    everyone = models.BooleanField(_("this file is everyone"), default=False)
    invite = models.BooleanField(_("invite the new people"), default=False)
    # What the preview showed (a hash of the changes): confirming applies only that.
    fingerprint = models.CharField(max_length=64, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("people import")
        verbose_name_plural = _("people imports")

    def __str__(self) -> str:
        return self.filename


def versions_moved(people) -> tuple[str, str]:
    """For bulk writes of people that bypass ``User.save``: their version and last change
    move with the write (what the API's If-Match and ``updated_since`` rely on). Returns
    the columns to add to ``bulk_update``."""
    now = timezone.now()
    for person in people:
        person.version = models.F("version") + 1
        person.updated_at = now
    return ("version", "updated_at")


class OutgoingMessage(models.Model):
    """One message to one person over one channel, or one event to one webhook
    subscription: the outbox (see ``people.outbox``).

    Written in the transaction that decides to send it. It holds the message's kind (a
    code: its text comes from ``templates/messages/<kind>.txt``) and the parameters of
    that text (``context``), never rendered text, so it is rendered in the reader's
    language and time zone when it is read or sent. An in-app message is delivered by
    being stored (the inbox reads it; ``read_at``); the other channels are sent by one
    task that claims the row with a conditional update and records every attempt.
    """

    class Channel(models.TextChoices):
        IN_APP = "in_app", _("in-app")
        EMAIL = "email", _("e-mail")
        CHAT = "chat", _("Teams or Slack")
        WEBHOOK = "webhook", _("webhook")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # A person on every channel but the webhook, whose deliveries go to a subscription.
    recipient = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outgoing_messages",
        verbose_name=_("recipient"),
    )
    subscription = models.ForeignKey(
        "WebhookSubscription",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deliveries",
        verbose_name=_("webhook subscription"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=50)
    context = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # A path on this site only (``people.outbox.site_path``), checked when made and shown.
    link = models.CharField(_("link"), max_length=500, blank=True)
    attachment_name = models.CharField(_("attachment"), max_length=100, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    attachment = models.TextField(_("attachment content"), blank=True)
    created_at = models.DateTimeField(_("decided at"), default=timezone.now)
    # Delivery record: every attempt is counted before the other server is contacted.
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    attempted_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    skipped = models.BooleanField(
        _("no longer needed"), default=False, help_text=_("The reason went away before sending.")
    )
    last_error = models.TextField(_("last error"), blank=True)
    failed_at = models.DateTimeField(
        _("given up at"),
        null=True,
        blank=True,
        help_text=_("Set when every retry failed; the message was not sent."),
    )
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # The other server's answer to the last attempt (webhooks and chat).
    status_code = models.PositiveSmallIntegerField(_("answer"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(channel="webhook", subscription__isnull=False, recipient__isnull=True)
                    | (
                        ~models.Q(channel="webhook")
                        & models.Q(subscription__isnull=True, recipient__isnull=False)
                    )
                ),
                name="message_to_a_person_or_a_subscription",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at"], name="message_unread"),
            models.Index(
                fields=["created_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="message_awaiting_delivery",
            ),
        ]

    def __str__(self) -> str:
        to = self.recipient or self.subscription
        return f"{self.kind} → {to} ({self.get_channel_display()})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class InAppMessages(models.Manager):
    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(channel=OutgoingMessage.Channel.IN_APP)


class Notification(OutgoingMessage):
    """A message in a person's in-app inbox: an outgoing message on the in-app channel."""

    objects = InAppMessages()

    class Meta:
        proxy = True
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]


class AuditEventQuerySet(models.QuerySet):
    """Rows are only ever added: bulk updates and deletes are refused like single ones.

    (On PostgreSQL a trigger refuses them too, whatever the code does; see migration
    ``people.0004``. ``people.services.organisation_delete`` is the one way out.)"""

    def update(self, **kwargs: object) -> int:
        raise ValueError("Audit events are append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


class AuditEvent(models.Model):
    """Append-only: who read or changed whose data, when and from where.

    It holds references, never content: the object's type and public id and a short code
    for the part (``summary``), so it can outlive the data it points at (the retention
    job anonymises people but keeps their audit events).
    """

    class Action(models.TextChoices):
        READ = "read", _("read")
        CHANGE = "change", _("changed")
        CREATE = "create", _("created")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")
        IMPORT = "import", _("imported")
        ANONYMISE = "anonymise", _("anonymised")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="audit_events"
    )
    # PROTECT: people are anonymised, not deleted, while their audit events exist.
    actor = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        related_name="audit_events_as_actor",
        verbose_name=_("who"),
        help_text=_("Empty when the system did it (the retention job) or an API client."),
    )
    # A system calling the REST API or SCIM (clients are revoked, never deleted).
    api_client = models.ForeignKey(
        "ApiClient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("API client"),
    )
    subject = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events_as_subject",
        verbose_name=_("whose data"),
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "-occurred_at", "-id"], name="auditevent_org_newest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.object_type}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise ValueError("Audit events are append-only.")


# --- Integrations: API clients, webhook subscriptions, chat, notification choices --------


class ApiClient(BaseModel):
    """A system that calls the REST API, or the identity provider that provisions people
    through SCIM, for one organisation. Its token is shown once and kept only as a hash."""

    class Kind(models.TextChoices):
        API = "api", _("REST API")
        SCIM = "scim", _("SCIM provisioning")

    class Scope(models.TextChoices):
        PEOPLE_READ = "people:read", _("read people and units")
        PEOPLE_WRITE = "people:write", _("add, change and deactivate people and units")
        GOALS_READ = "goals:read", _("read the goal cascade")
        GOALS_WRITE = "goals:write", _("add and change team and individual goals, check in")
        PLANS_READ = "plans:read", _("read development plans (summaries)")
        CONVERSATIONS_READ = "conversations:read", _("read conversation dates and agreements")
        ALIGNMENT_READ = "alignment:read", _("read alignment figures")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_clients"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.API)
    name = models.CharField(_("name"), max_length=100)
    scopes = models.JSONField(_("scopes"), default=list, blank=True)
    allowed_networks = models.TextField(
        _("may call from"),
        blank=True,
        help_text=_("IP addresses or networks (such as 203.0.113.0/24), one per line. Empty: any."),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    token_hint = models.CharField(_("token starts with"), max_length=12, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "organisation",
                condition=models.Q(kind="scim", revoked_at__isnull=True),
                name="one_scim_token_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class WebhookSubscription(BaseModel):
    """HR's subscription of a URL to events. Each event is one outbox delivery, signed
    per the Standard Webhooks specification with this subscription's secret."""

    class Event(models.TextChoices):
        PLAN_AGREED = "plan.agreed", _("a plan is agreed by both")
        PLAN_CHANGED = "plan.changed_since_agreement", _("an agreed plan changes")
        GOAL_APPROVED = "goal.approved", _("a goal is approved")
        GOAL_ACHIEVED = "goal.achieved", _("a goal is achieved")
        CONVERSATION_SCHEDULED = "conversation.scheduled", _("a conversation is scheduled")
        CONVERSATION_HELD = "conversation.held", _("a conversation is held")
        ACTION_COMPLETED = "action.completed", _("a development action is completed")
        PERSON_DEACTIVATED = "person.deactivated", _("a person is deactivated")

    #: The event of the "send test event" button (not one to subscribe to).
    TEST_EVENT = "test"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    events = models.JSONField(_("events"), default=list)
    # ``whsec_`` and 32 random bytes in base64, as the specification writes secrets.
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(
        User, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("created by")
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Deliveries given up (after every retry) since the last one that arrived.
    failures = models.PositiveSmallIntegerField(_("failed deliveries in a row"), default=0)
    disabled_at = models.DateTimeField(_("switched off at"), null=True, blank=True)

    class Meta:
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")
        ordering = ["url", "id"]

    def __str__(self) -> str:
        return self.url


class ChatChannel(BaseModel):
    """A Microsoft Teams or Slack incoming webhook that notifications are posted to: the
    organisation's (``person`` empty), or one person's own."""

    class Service(models.TextChoices):
        TEAMS = "teams", "Microsoft Teams"
        SLACK = "slack", "Slack"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="chat_channels"
    )
    person = models.OneToOneField(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="chat_channel",
        verbose_name=_("person"),
    )
    service = models.CharField(_("service"), max_length=10, choices=Service.choices)
    url = models.URLField(_("incoming webhook URL"), max_length=500)

    class Meta:
        verbose_name = _("chat channel")
        verbose_name_plural = _("chat channels")
        constraints = [
            models.UniqueConstraint(
                "organisation",
                condition=models.Q(person__isnull=True),
                name="one_chat_channel_per_organisation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()} ({self.person or self.organisation})"


class Topic(models.TextChoices):
    """The kinds of notification a person chooses a delivery for (each message kind
    names its topic: ``people.outbox.MessageKind.topic``)."""

    INVITATIONS = "invitations", _("Conversation invitations and requests")
    REMINDERS = "reminders", _("Reminders")
    APPROVALS = "approvals", _("Goal proposals, approvals and assignments")
    AGREEMENTS = "agreements", _("Plan agreements")
    DIGESTS = "digests", _("Weekly digest")


class Delivery(models.TextChoices):
    EMAIL = "email", _("in-app and e-mail")
    CHAT = "chat", _("in-app and Teams or Slack")
    EMAIL_CHAT = "email_chat", _("in-app, e-mail and Teams or Slack")
    IN_APP = "in_app", _("in-app only")
    OFF = "off", _("off")


class Minimum(models.TextChoices):
    """What HR makes mandatory for a topic."""

    NONE = "none", _("people choose freely")
    NOTIFIED = "notified", _("at least in-app (cannot be switched off)")
    EMAIL = "email", _("always by e-mail")


class TopicPolicy(models.Model):
    """HR's default delivery of a topic for the organisation, and what is mandatory."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="topic_policies"
    )
    topic = models.CharField(_("notification"), max_length=20, choices=Topic.choices)
    default = models.CharField(
        _("default"), max_length=20, choices=Delivery.choices, default=Delivery.EMAIL
    )
    minimum = models.CharField(
        _("mandatory"), max_length=20, choices=Minimum.choices, default=Minimum.NONE
    )

    class Meta:
        verbose_name = _("notification policy")
        verbose_name_plural = _("notification policies")
        constraints = [
            models.UniqueConstraint("organisation", "topic", name="one_policy_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.get_topic_display()}"


class NotificationChoice(models.Model):
    """A person's own choice of delivery for a topic (within the organisation's policy)."""

    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_choices")
    topic = models.CharField(_("notification"), max_length=20, choices=Topic.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification choice")
        verbose_name_plural = _("notification choices")
        constraints = [
            models.UniqueConstraint("person", "topic", name="one_choice_per_topic"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_topic_display()}"
