"""Django admin for support: the competency catalogue, and plans read-only.

Plan content is written only through ``plans.services`` (conditional updates and the
change log), so the admin shows plans without letting anyone edit them. Private notes
are not in the admin at all: their author alone may read them.
"""

from django.contrib import admin
from django.http import HttpRequest

from people.admin import OrganisationScopedAdmin

from .models import Competency, DevelopmentPlan


@admin.register(Competency)
class CompetencyAdmin(OrganisationScopedAdmin):
    list_display = ["name", "organisation", "is_active"]
    list_filter = ["is_active", "organisation"]
    search_fields = ["name"]


@admin.register(DevelopmentPlan)
class DevelopmentPlanAdmin(OrganisationScopedAdmin):
    list_display = ["employee", "status", "period_start", "period_end", "yearly_budget"]
    list_filter = ["status", "organisation"]
    search_fields = ["employee__full_name", "employee__email"]
    fields = ["employee", "organisation", "status", "period_start", "period_end"]
    fields += ["yearly_budget", "version", "revision"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
