"""The retention job: people who left longer ago than their organisation's retention
period (``Organisation.retention_months``, default 24) are anonymised.

Their account keeps its place in the organisation (unit, line manager, dates), so every
count and figure stays as it was; what identifies them or is personal goes: name,
e-mail address, job title, password, sessions, sign-in records, notifications, and the
personal texts in the other apps (each app's ``people.privacy.PersonalData.anonymise``).
The audit trail keeps its rows (it holds no content) and records the anonymisation.

It runs once a day per organisation from the reminders sweep (``retention_sweep``, from
02:00 local time; the day is claimed with a conditional update) and on demand with
``manage.py anonymise_leavers``. Anonymised people are never picked again: idempotent.
"""

from __future__ import annotations

import calendar
import datetime

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from . import privacy
from .models import AuditEvent, Organisation, User, versions_moved
from .services import audit_event, audit_record_many

# The sweep runs every few minutes; the retention job once a day, at night.
RUN_FROM = datetime.time(2, 0)
ANONYMOUS_DOMAIN = "anonymised.invalid"
# Sign-in records (django-axes: IP address, browser, time) are kept this long.
SIGN_IN_LOG_DAYS = 90


def months_before(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months earlier (the month's last day when it is shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


def _year_of(day: datetime.date | None) -> datetime.date | None:
    return day.replace(month=1, day=1) if day is not None else None


def leavers_due(*, organisation: Organisation, today: datetime.date) -> QuerySet[User]:
    """People whose end date lies more than the retention period before ``today``."""
    cutoff = months_before(today, organisation.retention_months)
    return User.objects.filter(
        organisation=organisation, end_date__lt=cutoff, anonymised_at__isnull=True
    ).order_by("end_date", "pk")


def _sessions_end(user_ids: set[int]) -> None:
    """Delete the sessions of these people (their password change ends them anyway)."""
    wanted = {str(pk) for pk in user_ids}
    ended = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now())
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    Session.objects.filter(session_key__in=ended).delete()


@transaction.atomic
def people_anonymise(
    *, organisation: Organisation, people: list[User], by: User | None = None, reason: str
) -> list[User]:
    """Anonymise ``people`` of ``organisation`` (skipping those already anonymised) and
    record it in the audit trail; ``reason``: "retention" or "command"."""
    people = list(
        User.objects.select_for_update().filter(
            pk__in=[person.pk for person in people],
            organisation=organisation,
            anonymised_at__isnull=True,
        )
    )
    if not people:
        return []
    emails = [person.email for person in people]
    names = [person.full_name for person in people if person.full_name.strip()]
    now = timezone.now()
    with translation.override(organisation.default_language):
        for provider in privacy.providers():
            provider.anonymise(people)
        for person in people:
            person.full_name = _("Former employee %(code)s") % {"code": person.uuid.hex[:6]}
            person.email = f"anonymised-{person.uuid.hex}@{ANONYMOUS_DOMAIN}"
            person.job_title = ""
            person.set_unusable_password()
            person.is_active = person.is_staff = person.is_superuser = person.is_hr = False
            person.last_login = None
            person.anonymised_at = now
            # Only the year of joining and leaving stays (the figures count who is active;
            # exact dates would single someone out in a small team).
            person.start_date = _year_of(person.start_date)
            person.end_date = _year_of(person.end_date)
            person.date_joined = person.date_joined.replace(
                month=1, day=1, hour=0, minute=0, second=0, microsecond=0
            )
    User.objects.bulk_update(
        people,
        [
            "full_name",
            "email",
            "job_title",
            "password",
            "is_active",
            "is_staff",
            "is_superuser",
            "is_hr",
            "last_login",
            "anonymised_at",
            "start_date",
            "end_date",
            "date_joined",
            *versions_moved(people),
        ],
    )
    # The admin's history names them: their own account's entries, and any entry whose
    # object was called after them (a plan, a conversation).
    privacy.admin_history_forget(User.objects.filter(pk__in=[person.pk for person in people]))
    for name in names:
        LogEntry.objects.filter(object_repr__icontains=name).update(
            object_repr=gettext("(removed)"), change_message=""
        )
    for person in people:
        person.groups.clear()
        person.user_permissions.clear()
    _sessions_end({person.pk for person in people})
    for log in (AccessAttempt, AccessFailureLog, AccessLog):
        log.objects.filter(username__in=emails).delete()
    audit_record_many(
        [
            audit_event(
                actor=by,
                subject=person,
                action=AuditEvent.Action.ANONYMISE,
                object_type="person",
                object_id=str(person.uuid),
                summary=reason,
            )
            for person in people
        ]
    )
    return people


def leavers_anonymise(
    *, organisation: Organisation, today: datetime.date, reason: str = "retention"
) -> list[User]:
    due = list(leavers_due(organisation=organisation, today=today))
    return people_anonymise(organisation=organisation, people=due, reason=reason)


def sign_in_records_prune(*, now: datetime.datetime) -> int:
    """Expired sessions go, and sign-in records older than ``SIGN_IN_LOG_DAYS``.

    Sessions end after the idle or absolute limit, but their rows (with the account
    number) stay until removed; django-axes keeps every sign-in with IP address and
    browser. Returns how many rows were removed.
    """
    removed = Session.objects.filter(expire_date__lt=now).delete()[0]
    cutoff = now - datetime.timedelta(days=SIGN_IN_LOG_DAYS)
    for log in (AccessLog, AccessFailureLog, AccessAttempt):
        removed += log.objects.filter(attempt_time__lt=cutoff).delete()[0]
    return removed


def retention_sweep(*, now: datetime.datetime) -> int:
    """Called by its beat entry every few minutes: once a day per organisation (from ``RUN_FROM``
    in its time zone), anonymise its leavers; each such daily run also removes expired
    sessions and old sign-in records. Returns how many people were anonymised."""
    anonymised = 0
    for organisation in Organisation.objects.all():
        local = now.astimezone(organisation.tzinfo)
        today = local.date()
        if local.time() < RUN_FROM or organisation.retention_checked_on == today:
            continue
        with transaction.atomic():
            claimed = (
                Organisation.objects.filter(pk=organisation.pk)
                .filter(Q(retention_checked_on__isnull=True) | Q(retention_checked_on__lt=today))
                .update(retention_checked_on=today)
            )
            if claimed:
                anonymised += len(leavers_anonymise(organisation=organisation, today=today))
                sign_in_records_prune(now=now)
    return anonymised
