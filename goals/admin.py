"""Django admin for support: goals and check-ins, scoped to the staff member's organisation.

The cascade's links and the check-in history are written by ``goals.services`` (which
checks the rules and keeps the current value in step); the admin shows them read-only
and lets support correct texts, dates and statuses.
"""

from django.contrib import admin
from django.http import HttpRequest

from people.admin import OrganisationScopedAdmin

from .models import Goal, GoalUpdate


class GoalUpdateInline(admin.TabularInline):
    model = GoalUpdate
    extra = 0
    can_delete = False
    fields = ["recorded_at", "value", "confidence", "note", "author"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(Goal)
class GoalAdmin(OrganisationScopedAdmin):
    list_display = ["title", "level", "owner_unit", "owner_person", "status", "due_date"]
    list_filter = ["level", "status", "visibility", "organisation"]
    search_fields = ["title", "owner_person__full_name", "owner_unit__name"]
    list_select_related = ["owner_unit", "owner_person"]
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

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(GoalUpdate)
class GoalUpdateAdmin(OrganisationScopedAdmin):
    organisation_lookup = "goal__organisation"
    list_display = ["goal", "recorded_at", "value", "confidence", "author"]
    list_select_related = ["goal", "author"]
    readonly_fields = ["goal", "author", "value", "recorded_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
