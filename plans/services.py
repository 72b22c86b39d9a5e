"""Writes to development plans.

Every save of an editable row goes through ``conditional_update``: an UPDATE that only
matches the version the user started from. When someone else saved first it raises
``VersionConflict`` with the row as it is now, and nothing is written. Each applied save
writes one ``PlanChange`` per changed field in the same transaction.

Agreement rule: employee and manager each give their akkoord on a plan *revision*. When
both have, version N+1 is frozen (a snapshot without private notes) and the plan is
"agreed". Any later applied change to the plan's content (the plan's own fields, gaps,
actions, steps) raises the revision, clears both pending akkoords and turns an agreed plan
into "changed since agreement" until both agree again. Comments and private notes do not
count as content.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Case, F, Max, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from people.access import is_line_manager_of
from people.models import AuditEvent, Organisation, User, WebhookSubscription
from people.outbox import outbox_event, outbox_send
from people.services import audit_record_about
from pop_platform.locks import exclusive
from pop_platform.queue import enqueue_on_commit

from .access import assessment_side
from .items import ItemKind, kind_of, raw
from .models import (
    Competency,
    CompetencyGap,
    DevelopmentAction,
    DevelopmentPlan,
    LevelAssessment,
    PlanChange,
    PlanComment,
    PlanExport,
    PlanVersion,
    PlanVisit,
)
from .pdf import owner_language, plan_document, plan_pdf_counted
from .privacy import AUDIT_TYPE
from .selectors import plan_content
from .versions import version_snapshot


class VersionConflict(Exception):
    """Someone else saved first. ``current`` is the row as it is now (None: deleted).

    ``clashes``: the fields both people changed to different values (``None`` when that
    could not be worked out: then every differing field counts). ``theirs``: the fields
    the other person changed since this person's version.
    """

    def __init__(
        self,
        current: models.Model | None,
        *,
        clashes: set[str] | None = None,
        theirs: set[str] = frozenset(),
    ) -> None:
        super().__init__("version conflict")
        self.current = current
        self.clashes = clashes
        self.theirs = set(theirs)


# --- Plans -------------------------------------------------------------------------------


def plan_get_or_create(*, employee: User) -> DevelopmentPlan:
    """A plan is a living document per person: the first visit creates it."""
    if employee.organisation_id is None:
        raise PermissionDenied
    organisation = Organisation.objects.get(pk=employee.organisation_id)
    today = timezone.localdate()
    plan, _created = DevelopmentPlan.objects.get_or_create(
        employee=employee,
        defaults={
            "organisation": organisation,
            "yearly_budget": organisation.default_yearly_budget,
            "period_start": today.replace(month=1, day=1),
            "period_end": today.replace(month=12, day=31),
        },
    )
    return plan


def _history_rows(
    *,
    plan: DevelopmentPlan,
    by: User,
    kind: ItemKind,
    item: models.Model,
    label: str,
    operation: str,
    diff=None,
    item_version: int | None = None,
) -> list[PlanChange]:
    common = {
        "plan": plan,
        "author": by,
        "at": timezone.now(),
        "operation": operation,
        "item_type": kind.history_type,
        "item_uuid": item.uuid,
        "item_label": label[:200],
        "item_version": item_version,
    }
    if diff is None:
        return [PlanChange(**common)]
    return [
        PlanChange(**common, field=name, old=raw(old), new=raw(new))
        for name, (old, new) in diff.items()
    ]


def _audit_change(
    *, plan: DevelopmentPlan, by: User, part: str, action: str = AuditEvent.Action.CHANGE
) -> None:
    """A change by anyone but the plan's employee goes to the audit trail."""
    audit_record_about(
        actor=by,
        subject=plan.employee,
        action=action,
        object_type=AUDIT_TYPE,
        object_id=str(plan.uuid),
        summary=part,
    )


def _content_changed(*, plan: DevelopmentPlan, **change) -> None:
    """An item of the plan's content changed: its lines in the history (``_history_rows``
    with ``change``), then a new revision (``_plan_touched``)."""
    PlanChange.objects.bulk_create(_history_rows(plan=plan, **change))
    _plan_touched(plan=plan)


def _plan_touched(*, plan: DevelopmentPlan) -> None:
    """Content changed: new revision, pending akkoords void, agreed → changed (an event
    for webhooks, from the change that ends the agreement)."""
    Status = DevelopmentPlan.Status
    ended = plan.status == Status.AGREED and (
        DevelopmentPlan.objects.filter(pk=plan.pk, status=Status.AGREED).update(
            status=Status.CHANGED
        )
    )
    DevelopmentPlan.objects.filter(pk=plan.pk).update(
        revision=F("revision") + 1,
        page_version=F("page_version") + 1,
        employee_agreed_at=None,
        manager_agreed_at=None,
        manager_agreed_by=None,
        status=Case(When(status=Status.AGREED, then=Value(Status.CHANGED)), default=F("status")),
        updated_at=timezone.now(),
    )
    if ended:
        plan.status = Status.CHANGED
        _plan_event(plan, WebhookSubscription.Event.PLAN_CHANGED)


def _plan_event(plan: DevelopmentPlan, event: str, **facts: object) -> None:
    outbox_event(
        organisation_id=plan.organisation_id,
        event=event,
        data={"plan_id": str(plan.uuid), "employee_id": str(plan.employee.uuid), **facts},
    )


def _db_value(value: object) -> object:
    return value.pk if isinstance(value, models.Model) else value


def conditional_update(
    *, item: models.Model, expected_version: int, changes: dict[str, object]
) -> dict[str, tuple[object, object]]:
    """Apply ``changes`` only if the row is still at ``expected_version``.

    Returns the applied diff ``{field: (old, new)}``. The old values are read before the
    UPDATE; because the UPDATE matches only ``expected_version`` and every save raises the
    version, those values are exactly what the UPDATE replaced.
    """
    model = type(item)
    current = model.objects.filter(pk=item.pk).first()
    if current is None or current.version != expected_version:
        raise VersionConflict(current)
    diff = {}
    for name, new in changes.items():
        field = model._meta.get_field(name)
        old_db = getattr(current, field.attname)
        if old_db != _db_value(new):
            diff[name] = (getattr(current, name), new)
    if not diff:
        return {}
    updates = {
        model._meta.get_field(name).attname: _db_value(new) for name, (_o, new) in diff.items()
    }
    applied = model.objects.filter(pk=item.pk, version=expected_version).update(
        **updates, version=F("version") + 1, updated_at=timezone.now()
    )
    if not applied:
        raise VersionConflict(model.objects.filter(pk=item.pk).first())
    return diff


def _three_way_merge(
    *, current: models.Model, expected_version: int, changes: dict[str, object]
) -> tuple[dict[str, object], set[str], set[str]]:
    """Rebase a save that started from ``expected_version`` onto the current row.

    The change log tells which fields others changed since then, and their value at
    ``expected_version`` (the base). A field only this person changed keeps their value;
    a field they left at the base takes the other person's value; a field both changed to
    different values is a clash. Returns (changes to apply, clashes, fields they changed).
    """
    base: dict[str, str] = {}
    for field, old in (
        PlanChange.objects.filter(
            item_uuid=current.uuid,
            operation=PlanChange.Operation.CHANGED,
            item_version__gt=expected_version,
        )
        .order_by("item_version", "id")
        .values_list("field", "old")
    ):
        base.setdefault(field, old)
    merged, clashes = {}, set()
    for name, mine in changes.items():
        if name not in base:
            merged[name] = mine
        elif raw(mine) not in (base[name], raw(getattr(current, name))):
            clashes.add(name)
    return merged, clashes, set(base)


MERGE_ATTEMPTS = 5


@transaction.atomic
def item_update(
    *,
    plan: DevelopmentPlan,
    kind: ItemKind,
    item: models.Model,
    by: User,
    expected_version: int,
    changes: dict[str, object],
) -> dict[str, tuple[object, object]]:
    """Save one edited item (or plan section).

    When someone else saved first, the save is merged field by field (content items keep
    a change log to merge with); only when both changed the same field differently, or
    the item is gone, ``VersionConflict`` is raised and nothing is saved.
    """
    for _attempt in range(MERGE_ATTEMPTS):
        try:
            diff = conditional_update(item=item, expected_version=expected_version, changes=changes)
            break
        except VersionConflict as conflict:
            if conflict.current is None or not kind.content:
                raise
            changes, clashes, theirs = _three_way_merge(
                current=conflict.current, expected_version=expected_version, changes=changes
            )
            if clashes:
                raise VersionConflict(conflict.current, clashes=clashes, theirs=theirs) from None
            expected_version = conflict.current.version
    else:
        raise VersionConflict(type(item).objects.filter(pk=item.pk).first())
    if diff and kind.content:
        label = kind.label_of(item)
        if kind.label_field in diff:
            label = str(diff[kind.label_field][1])
        _content_changed(
            plan=plan,
            by=by,
            kind=kind,
            item=item,
            label=label,
            operation=PlanChange.Operation.CHANGED,
            diff=diff,
            item_version=expected_version + 1,
        )
    if diff and kind.content:  # a private note is its author's own, not the employee's
        _audit_change(plan=plan, by=by, part=kind.name)
    if isinstance(item, DevelopmentAction) and diff.get("status", (None, None))[1] == (
        DevelopmentAction.Status.DONE
    ):
        _plan_event(
            plan,
            WebhookSubscription.Event.ACTION_COMPLETED,
            action_id=str(item.uuid),
            kind=item.kind,
        )
    return diff


@transaction.atomic
def item_create(
    *, plan: DevelopmentPlan, kind: ItemKind, by: User, values: dict[str, object]
) -> models.Model:
    if kind.parent and values[kind.parent].plan_id != plan.pk:
        raise PermissionDenied
    owner = {} if kind.parent else {"plan": plan}
    if kind.private:
        owner["author"] = by
    item = kind.model.objects.create(**owner, **values)
    if kind.content:
        label, added = kind.label_of(item), PlanChange.Operation.ADDED
        _content_changed(plan=plan, by=by, kind=kind, item=item, label=label, operation=added)
        _audit_change(plan=plan, by=by, part=kind.name, action=AuditEvent.Action.CREATE)
    return item


@transaction.atomic
def item_delete(
    *, plan: DevelopmentPlan, kind: ItemKind, item: models.Model, by: User, expected_version: int
) -> None:
    if isinstance(item, CompetencyGap) and item.actions.exists():
        raise ValidationError(
            _("Actions still serve this gap. Link them to another gap or a goal first.")
        )
    label = kind.label_of(item)
    deleted, _by_model = type(item).objects.filter(pk=item.pk, version=expected_version).delete()
    if not deleted:
        raise VersionConflict(type(item).objects.filter(pk=item.pk).first())
    if kind.content:
        removed = PlanChange.Operation.REMOVED
        _content_changed(plan=plan, by=by, kind=kind, item=item, label=label, operation=removed)
        _audit_change(plan=plan, by=by, part=kind.name, action=AuditEvent.Action.DELETE)


# --- Comments ----------------------------------------------------------------------------


@transaction.atomic
def comment_add(
    *,
    plan: DevelopmentPlan,
    by: User,
    body: str,
    gap: CompetencyGap | None = None,
    action: DevelopmentAction | None = None,
) -> PlanComment:
    if (gap and gap.plan_id != plan.pk) or (action and action.plan_id != plan.pk):
        raise PermissionDenied
    comment = PlanComment.objects.create(plan=plan, author=by, body=body, gap=gap, action=action)
    target = gap or action or plan
    kind = kind_of(target)
    PlanChange.objects.create(
        plan=plan,
        author=by,
        operation=PlanChange.Operation.COMMENTED,
        item_type=kind.history_type,
        item_uuid=target.uuid,
        item_label=kind.label_of(target)[:200],
        new=body,
    )
    _audit_change(plan=plan, by=by, part="comment")
    return comment


# --- Self and manager assessment --------------------------------------------------------


@transaction.atomic
def gap_assess(
    *,
    plan: DevelopmentPlan,
    gap: CompetencyGap,
    by: User,
    level: int,
    reason: str,
    expected_sequence: int,
) -> LevelAssessment:
    """Record ``by``'s view of the gap's current level: the employee's own or their
    line manager's. A view is not the plan's content: the agreed level stays the gap's
    ``current_level``, so an assessment neither raises the revision nor voids akkoords.

    ``expected_sequence``: the number of this side's latest view when the person opened
    the form (0: none). When another view of the same side landed meanwhile,
    ``VersionConflict`` carries it and nothing is saved. The same view again saves
    nothing and returns the latest.
    """
    if gap.plan_id != plan.pk:
        raise PermissionDenied
    side = assessment_side(user=by, plan=plan)
    mine = LevelAssessment.objects.filter(gap=gap, side=side)
    latest = mine.first()
    if (latest.sequence if latest else 0) != expected_sequence:
        raise VersionConflict(latest)
    if latest is not None and (latest.level, latest.reason) == (level, reason):
        return latest
    try:
        with transaction.atomic():
            assessment = LevelAssessment.objects.create(
                gap=gap,
                side=side,
                author=by,
                level=level,
                reason=reason,
                sequence=expected_sequence + 1,
            )
    except IntegrityError:  # the same side saved the same sequence a moment earlier
        raise VersionConflict(mine.first()) from None
    _audit_change(plan=plan, by=by, part="assessment", action=AuditEvent.Action.CREATE)
    return assessment


# --- Agreement ---------------------------------------------------------------------------


def _manager_of(plan: DevelopmentPlan, by: User) -> bool:
    return is_line_manager_of(by, plan.employee)


@transaction.atomic
def plan_agree(*, plan: DevelopmentPlan, by: User, revision: int) -> PlanVersion | None:
    """Give akkoord on ``revision``. Returns the frozen version once both have agreed.

    Raises ``VersionConflict`` when the plan changed after the user loaded it: they
    should see the change before agreeing to it.
    """
    locked = DevelopmentPlan.objects.select_for_update().select_related("employee").get(pk=plan.pk)
    if locked.revision != revision:
        raise VersionConflict(locked)
    if locked.status == DevelopmentPlan.Status.AGREED:
        return None  # this revision is agreed already; nothing to add
    now = timezone.now()
    if by.pk == locked.employee_id:
        locked.employee_agreed_at = now
    elif _manager_of(locked, by):
        locked.manager_agreed_at, locked.manager_agreed_by = now, by
    else:
        raise PermissionDenied
    PlanChange.objects.create(
        plan=locked, author=by, at=now, operation=PlanChange.Operation.AGREED, item_type="plan"
    )
    version = None
    if locked.employee_agreed_at and locked.manager_agreed_at:
        number = (locked.versions.aggregate(last=Max("number"))["last"] or 0) + 1
        version = PlanVersion.objects.create(
            plan=locked,
            number=number,
            snapshot=version_snapshot(plan=plan_content(plan_id=locked.pk, comments=False)),
            employee_agreed_at=locked.employee_agreed_at,
            manager_agreed_at=locked.manager_agreed_at,
            manager=locked.manager_agreed_by,
        )
        locked.status = DevelopmentPlan.Status.AGREED
        locked.employee_agreed_at = locked.manager_agreed_at = locked.manager_agreed_by = None
    locked.save(
        update_fields=[
            "employee_agreed_at",
            "manager_agreed_at",
            "manager_agreed_by",
            "status",
            "updated_at",
        ]
    )
    _audit_change(plan=locked, by=by, part="akkoord")
    _notify_other_side(plan=locked, by=by, version=version)
    if version is not None:
        _plan_event(
            locked,
            WebhookSubscription.Event.PLAN_AGREED,
            version=version.number,
            agreed_at=version.manager_agreed_at.isoformat(timespec="seconds"),
        )
    return version


def _notify_other_side(*, plan: DevelopmentPlan, by: User, version: PlanVersion | None) -> None:
    employee = plan.employee
    other = employee.line_manager if by.pk == employee.pk else employee
    if other is None:
        return
    outbox_send(
        recipient=other,
        kind="plan_agreement",
        context={
            "employee": employee.full_name,
            "by": by.full_name,
            "version": version.number if version is not None else None,
        },
        link=plan.get_absolute_url(),
    )


# --- Visits ------------------------------------------------------------------------------


def plan_visit_record(*, plan: DevelopmentPlan, user: User) -> None:
    now = timezone.now()
    if not PlanVisit.objects.filter(plan=plan, user=user).update(last_seen_at=now):
        PlanVisit.objects.update_or_create(plan=plan, user=user, defaults={"last_seen_at": now})


# --- Competency catalogue (HR) -----------------------------------------------------------


def competency_save(
    *, organisation_id: int, values: dict[str, object], competency: Competency | None = None
) -> Competency:
    competency = competency or Competency(organisation_id=organisation_id)
    for name, value in values.items():
        setattr(competency, name, value)
    competency.full_clean()
    competency.save()
    return competency


# --- PDF exports -------------------------------------------------------------------------

# A render that has not finished after this long never will (the task's hard time limit
# plus a margin): the page shows it as failed, with a retry, and the sweep records it so.
PDF_SOFT_TIME_LIMIT = 60
PDF_TIME_LIMIT = 75
PDF_STALE_AFTER = PDF_TIME_LIMIT + 30
#: Recorded on an export whose task could not be queued (the broker is down): the page
#: says the PDF cannot be made right now and offers to try again.
PDF_QUEUE_UNREACHABLE = "The task could not be queued: the broker is unreachable."


class PlanExportInProgress(Exception):
    """Another run holds the export's lock and is rendering it right now."""


def plan_export_latest(*, plan: DevelopmentPlan) -> PlanExport | None:
    return PlanExport.objects.filter(plan=plan).first()


def plan_export_latest_done(*, plan: DevelopmentPlan) -> PlanExport | None:
    return (
        PlanExport.objects.filter(plan=plan, status=PlanExport.Status.DONE).exclude(file="").first()
    )


def plan_export_current_fingerprint(*, plan: DevelopmentPlan) -> str:
    language = owner_language(plan)
    with translation.override(language):
        return plan_document(plan_id=plan.pk, language=language).fingerprint()


@transaction.atomic
def plan_export_request(*, plan: DevelopmentPlan, by: User) -> PlanExport:
    """A PDF of the plan as it is now, in the owner's language.

    An unchanged plan reuses its last file; a render of the same content that is still
    under way is shared. Otherwise a new export is queued for ``tasks.plan_render_pdf``;
    when the broker cannot be reached it is recorded as failed with
    ``PDF_QUEUE_UNREACHABLE`` (the caller reads the export again after the commit).
    """
    from .tasks import plan_render_pdf

    fingerprint = plan_export_current_fingerprint(plan=plan)
    same = PlanExport.objects.filter(plan=plan, fingerprint=fingerprint)
    done = same.filter(status=PlanExport.Status.DONE).exclude(file="").first()
    if done is not None and done.file.storage.exists(done.file.name):
        return done
    busy = same.filter(status__in=[PlanExport.Status.PENDING, PlanExport.Status.RENDERING]).first()
    if busy is not None and not busy.is_stale(limit_seconds=PDF_STALE_AFTER):
        return busy
    export = PlanExport.objects.create(
        plan=plan,
        requested_by=by,
        language=owner_language(plan),
        fingerprint=fingerprint,
    )
    enqueue_on_commit(
        plan_render_pdf,
        export.pk,
        unreachable=lambda: plan_export_fail(export_id=export.pk, error=PDF_QUEUE_UNREACHABLE),
    )
    return export


def plan_export_make(*, export_id: int) -> PlanExport | None:
    """Claim the export and render it, holding its lock (``tasks.plan_render_pdf`` calls
    this). None when there is nothing to do. Raises ``PlanExportInProgress`` when another
    run holds the lock: that run may still die, so the task tries again later."""
    with exclusive(f"plan-export:{export_id}") as mine:
        if not mine:
            raise PlanExportInProgress(export_id)
        if not plan_export_claim(export_id=export_id):
            return None
        return plan_export_render(export_id=export_id)


def plan_export_claim(*, export_id: int) -> bool:
    """Take the export for this run; False when it is finished or failed.

    Call it holding the export's lock (``plan_export_make`` does): an export still marked
    "rendering" then belongs to a run that died (a killed worker's redelivered task finds
    it so), and is taken over. An export that waited longer than a render may take is
    shown as failed already, and one that was started ``TASK_MAX_RETRIES + 1`` times
    keeps killing its worker: both are recorded as failed instead.
    """
    export = PlanExport.objects.filter(
        id=export_id, status__in=[PlanExport.Status.PENDING, PlanExport.Status.RENDERING]
    ).first()
    if export is None:
        return False
    if export.is_stale(limit_seconds=PDF_STALE_AFTER):
        plan_export_fail(export_id=export_id, error=_stale_error())
        return False
    if export.attempts > settings.TASK_MAX_RETRIES:
        plan_export_fail(
            export_id=export_id, error=f"Started {export.attempts} times and never finished."
        )
        return False
    claimed = PlanExport.objects.filter(id=export_id, status=export.status).update(
        status=PlanExport.Status.RENDERING,
        started_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def _stale_error() -> str:
    return f"Not made within {PDF_STALE_AFTER} s: its task was lost or its worker stopped."


def plan_export_render(*, export_id: int) -> PlanExport:
    """Render a claimed export and store its file."""
    export = PlanExport.objects.select_related("plan").get(pk=export_id)
    with translation.override(export.language):
        document = plan_document(plan_id=export.plan_id, language=export.language)
        pdf, pages = plan_pdf_counted(document=document, generated_at=timezone.now())
    name = f"pop-{export.plan.uuid}-{export.uuid}.pdf"
    export.file.save(name, ContentFile(pdf), save=False)
    export.pages = pages
    export.status = PlanExport.Status.DONE
    export.finished_at = timezone.now()
    export.error = ""
    export.save(update_fields=["file", "pages", "status", "finished_at", "error", "updated_at"])
    _plan_export_prune(export=export)
    return export


def _plan_export_prune(*, export: PlanExport) -> None:
    """Personal data does not linger: only the newest file of a plan is kept."""
    older = PlanExport.objects.filter(plan_id=export.plan_id, created_at__lte=export.created_at)
    for old in older.exclude(pk=export.pk).exclude(file=""):
        old.file.delete(save=False)
        PlanExport.objects.filter(pk=old.pk).update(file="")


def plan_export_release(*, export_id: int) -> None:
    """Hand a claimed export back so that a retry can claim it again."""
    PlanExport.objects.filter(id=export_id, status=PlanExport.Status.RENDERING).update(
        status=PlanExport.Status.PENDING
    )


def plan_export_fail(*, export_id: int, error: str) -> None:
    PlanExport.objects.filter(id=export_id).exclude(status=PlanExport.Status.DONE).update(
        status=PlanExport.Status.FAILED, error=error[:2000], finished_at=timezone.now()
    )


def plan_exports_fail_stale(*, now: datetime.datetime) -> int:
    """Record as failed the exports that waited longer than a render may take (their task
    was lost with the broker, or their worker died): the page shows them as failed
    already, and a late redelivery of their task then leaves them alone. Returns how many."""
    stale = PlanExport.objects.stale(now=now, limit_seconds=PDF_STALE_AFTER)
    return PlanExport.objects.filter(pk__in=stale.values("pk")).update(
        status=PlanExport.Status.FAILED, error=_stale_error(), finished_at=now
    )


def plan_exports_expire(*, now: datetime.datetime) -> int:
    """A plan PDF is a copy of personal data: its file is deleted from the store (the
    local disk or the bucket) ``PDF_KEEP_DAYS`` after it was made. The row stays, without
    a file, so the page offers to make a new one. Returns how many files were deleted."""
    cutoff = now - datetime.timedelta(days=settings.PDF_KEEP_DAYS)
    expired = PlanExport.objects.filter(finished_at__lt=cutoff).exclude(file="")
    count = 0
    for export in expired.only("pk", "file"):
        export.file.delete(save=False)
        count += PlanExport.objects.filter(pk=export.pk).update(file="")
    return count
