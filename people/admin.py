"""Django admin for setup and support, scoped to the staff member's organisation.

Superusers see every organisation; other staff see only their own organisation's data.
Audit events are read-only for everyone: no add, change or delete, no bulk actions.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from . import services
from .models import AuditEvent, Organisation, OrgUnit, OutgoingMessage, User
from .outbox import message_render
from .services import organisation_delete


class OrganisationScopedAdmin(admin.ModelAdmin):
    """Limit rows and foreign-key choices to the staff member's organisation."""

    organisation_lookup = "organisation"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.organisation_lookup: request.user.organisation_id})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            model = db_field.related_model
            organisation_id = request.user.organisation_id
            if model is Organisation:
                kwargs["queryset"] = Organisation.objects.filter(pk=organisation_id)
            elif model in (OrgUnit, User):
                kwargs["queryset"] = model.objects.filter(organisation_id=organisation_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Organisation)
class OrganisationAdmin(OrganisationScopedAdmin):
    organisation_lookup = "pk"
    list_display = ["name", "default_language", "timezone", "min_group_size"]
    search_fields = ["name"]
    fieldsets = [
        (None, {"fields": ["name", "default_language", "timezone"]}),
        (
            _("Conversation and reminder policy"),
            {
                "fields": [
                    "checkin_cadence_weeks",
                    "conversation_interval_months",
                    "start_conversation_within_weeks",
                    "reminder_lead_days",
                ]
            },
        ),
        (_("Goals"), {"fields": ["goal_behind_margin", "goal_at_risk_margin"]}),
        (
            _("Budget, privacy and retention"),
            {"fields": ["default_yearly_budget", "min_group_size", "retention_months"]},
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return request.user.is_superuser

    # An organisation's audit trail goes with it, through the one service that may delete
    # audit events (nobody may delete them one by one, hence no permission to check).
    def get_deleted_objects(self, objs, request: HttpRequest):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(str(AuditEvent._meta.verbose_name))
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Organisation) -> None:
        organisation_delete(organisation=obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for organisation in queryset:
            organisation_delete(organisation=organisation)


@admin.register(OrgUnit)
class OrgUnitAdmin(OrganisationScopedAdmin):
    list_display = ["name", "kind", "parent", "manager", "organisation"]
    list_filter = ["kind", "organisation"]
    search_fields = ["name"]
    list_select_related = ["parent", "manager", "organisation"]
    autocomplete_fields = ["manager"]


@admin.register(User)
class UserAdmin(OrganisationScopedAdmin, DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["full_name", "email", "unit", "line_manager", "is_hr", "is_active"]
    list_filter = ["is_hr", "is_active", "is_staff", "language", "organisation"]
    search_fields = ["full_name", "email", "job_title"]
    list_select_related = ["unit", "line_manager"]
    autocomplete_fields = ["line_manager"]
    readonly_fields = ["uuid", "last_login", "date_joined", "anonymised_at"]
    fieldsets = [
        (None, {"fields": ["email", "password", "uuid"]}),
        (
            _("Person"),
            {"fields": ["full_name", "job_title", "language", "start_date", "end_date"]},
        ),
        (_("Organisation"), {"fields": ["organisation", "unit", "line_manager", "is_hr"]}),
        (
            _("Access"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined", "anonymised_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "password1", "password2"],
            },
        )
    ]

    def save_model(self, request: HttpRequest, obj: User, form, change: bool) -> None:
        old_manager_id = form.initial.get("line_manager") if change else None
        super().save_model(request, obj, form, change)
        if change and "line_manager" in form.changed_data:
            services.person_manager_changed(person=obj, old_manager_id=old_manager_id)

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Only superusers hand out superuser rights or fine-grained permissions.
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        field
                        for field in options["fields"]
                        if field not in ("is_superuser", "groups", "user_permissions")
                    ],
                },
            )
            for name, options in fieldsets
        ]


class DeliveryState(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("failed", _("given up")), ("waiting", _("not sent yet")), ("sent", _("sent"))]

    def queryset(self, request, queryset):
        return {
            "failed": queryset.filter(failed_at__isnull=False),
            "waiting": queryset.filter(sent_at__isnull=True, failed_at__isnull=True),
            "sent": queryset.filter(sent_at__isnull=False),
        }.get(self.value(), queryset)


@admin.register(OutgoingMessage)
class OutgoingMessageAdmin(OrganisationScopedAdmin):
    """The outbox, for support: what went to whom over which channel, and what failed.
    Rows are written by the code that decides to send and by the sending task only."""

    organisation_lookup = "recipient__organisation"
    list_display = [
        "title",
        "kind",
        "channel",
        "recipient",
        "created_at",
        "attempts",
        "sent_at",
        "skipped",
        "failed_at",
        "read_at",
    ]
    list_filter = [DeliveryState, "channel", "kind"]
    search_fields = ["kind", "recipient__email", "recipient__full_name"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    actions = None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    @admin.display(description=_("message"))
    def title(self, message: OutgoingMessage) -> str:
        return message_render(message).title


@admin.register(AuditEvent)
class AuditEventAdmin(OrganisationScopedAdmin):
    list_display = ["occurred_at", "actor", "action", "object_type", "subject", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "subject__email", "summary"]
    list_select_related = ["actor", "subject"]
    date_hierarchy = "occurred_at"
    actions = None  # not even "delete selected"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
