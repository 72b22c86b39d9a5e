"""Admin for setup and support: preparation questions and unit cadence (HR's policy), and
the reminder log with its failures. Conversation content (notes, answers, agreements) is
not in the admin: it belongs to the two parties."""

from django.contrib import admin
from django.http import HttpRequest

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


@admin.register(ReminderDelivery)
class ReminderDeliveryAdmin(OrganisationScopedAdmin):
    organisation_lookup = "recipient__organisation"
    # Which reminders were decided; how their messages went is in the outbox's admin.
    list_display = ["kind", "recipient", "due_slot", "created_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email"]
    readonly_fields = [field.name for field in ReminderDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
