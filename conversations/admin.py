"""Admin for setup and support: preparation questions and unit cadence (HR's policy), and
the reminder log with its failures. Conversation content (notes, answers, agreements) is
not in the admin: it belongs to the two parties."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from people.admin import OrganisationScopedAdmin

from .models import Conversation, PreparationQuestion, ReminderDelivery, UnitCadence


@admin.register(PreparationQuestion)
class PreparationQuestionAdmin(OrganisationScopedAdmin):
    list_display = ["kind", "audience", "position", "text_nl", "text_en", "is_active"]
    list_filter = ["kind", "audience", "is_active"]
    list_editable = ["position", "is_active"]
    ordering = ["kind", "position"]


@admin.register(UnitCadence)
class UnitCadenceAdmin(OrganisationScopedAdmin):
    organisation_lookup = "unit__organisation"
    list_display = [
        "unit",
        "checkin_cadence_weeks",
        "conversation_interval_months",
        "start_conversation_within_weeks",
    ]


@admin.register(Conversation)
class ConversationAdmin(OrganisationScopedAdmin):
    """Times and parties only, for support."""

    list_display = ["kind", "employee", "manager", "starts_at", "status", "sequence"]
    list_filter = ["status", "kind"]
    fields = ["kind", "employee", "manager", "starts_at", "duration_minutes", "status", "sequence"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class FailedFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("failed", _("given up")),
            ("pending", _("not sent yet")),
            ("error", _("with an error")),
        ]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        if self.value() == "failed":
            return queryset.filter(failed_at__isnull=False)
        if self.value() == "pending":
            return queryset.filter(sent_at__isnull=True)
        if self.value() == "error":
            return queryset.exclude(last_error="")
        return queryset


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(OrganisationScopedAdmin):
    organisation_lookup = "recipient__organisation"
    list_display = ["kind", "recipient", "due_slot", "attempts", "sent_at", "skipped", "failed_at"]
    list_filter = [FailedFilter, "kind"]
    search_fields = ["recipient__email"]
    readonly_fields = [field.name for field in ReminderDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
