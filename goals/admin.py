"""Django admin for support: goals and check-ins, scoped to the staff member's organisation."""

from django.contrib import admin

from people.admin import OrganisationScopedAdmin

from .models import Goal, GoalUpdate


class GoalUpdateInline(admin.TabularInline):
    model = GoalUpdate
    extra = 0
    fields = ["recorded_at", "value", "confidence", "note", "author"]
    readonly_fields = ["author"]


@admin.register(Goal)
class GoalAdmin(OrganisationScopedAdmin):
    list_display = ["title", "level", "owner_unit", "owner_person", "status", "due_date"]
    list_filter = ["level", "status", "visibility", "organisation"]
    search_fields = ["title", "owner_person__full_name", "owner_unit__name"]
    list_select_related = ["owner_unit", "owner_person"]
    # The cascade's links are checked by goals.services; the admin does not change them.
    readonly_fields = [
        "uuid",
        "organisation",
        "level",
        "owner_unit",
        "owner_person",
        "parent",
        "created_by",
        "proposed_by",
        "approved_by",
        "version",
    ]
    inlines = [GoalUpdateInline]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(GoalUpdate)
class GoalUpdateAdmin(OrganisationScopedAdmin):
    organisation_lookup = "goal__organisation"
    list_display = ["goal", "recorded_at", "value", "confidence", "author"]
    list_select_related = ["goal", "author"]
    raw_id_fields = ["goal", "author"]
