"""``/scim/v2/``: SCIM 2.0 for identity providers (a bearer token per organisation)."""

from django.urls import path

from . import discovery, views

urlpatterns = [
    path("ServiceProviderConfig", discovery.service_provider_config, name="scim-config"),
    path("ResourceTypes", discovery.resource_types, name="scim-resource-types"),
    path("ResourceTypes/<str:name>", discovery.resource_types, name="scim-resource-type"),
    path("Schemas", discovery.schemas, name="scim-schemas"),
    path("Schemas/<str:urn>", discovery.schemas, name="scim-schema"),
    path("Users", views.users, name="scim-users"),
    path("Users/<str:person_id>", views.user, name="scim-user"),
    path("Groups", views.groups, name="scim-groups"),
    path("Groups/<str:group_id>", views.group, name="scim-group"),
]
