"""SCIM discovery (RFC 7644 section 4): what this server supports, its resource types and
the attributes of its schemas (those it keeps; others sent by a provider are ignored)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from people.models import ApiClient

from .protocol import ENTERPRISE, GROUP, LIST, USER, ScimError, answer, endpoint

LIST_MAX = 200


def _attribute(name: str, kind: str = "string", **extra) -> dict:
    return {
        "name": name,
        "type": kind,
        "multiValued": extra.pop("multi", False),
        "required": extra.pop("required", False),
        "caseExact": extra.pop("case_exact", False),
        "mutability": extra.pop("mutability", "readWrite"),
        "returned": "default",
        "uniqueness": extra.pop("uniqueness", "none"),
        **extra,
    }


SCHEMAS = {
    USER: {
        "name": "User",
        "description": "A person of the organisation; userName is their sign-in e-mail address.",
        "attributes": [
            _attribute("userName", required=True, uniqueness="server"),
            _attribute("externalId", case_exact=True),
            _attribute(
                "name",
                "complex",
                subAttributes=[
                    _attribute("formatted"),
                    _attribute("givenName"),
                    _attribute("familyName"),
                ],
            ),
            _attribute("displayName"),
            _attribute("title"),
            _attribute("preferredLanguage"),
            _attribute("active", "boolean"),
            _attribute("emails", "complex", multi=True, mutability="readOnly"),
            _attribute("groups", "complex", multi=True, mutability="readOnly"),
        ],
    },
    ENTERPRISE: {
        "name": "EnterpriseUser",
        "description": "The department (a unit of the organisation) and the line manager.",
        "attributes": [
            _attribute("department"),
            _attribute(
                "manager",
                "complex",
                subAttributes=[_attribute("value"), _attribute("$ref", "reference")],
            ),
        ],
    },
    GROUP: {
        "name": "Group",
        "description": "A unit of the organisation; its members are the people of the unit.",
        "attributes": [
            _attribute("displayName", required=True),
            _attribute("externalId", case_exact=True),
            _attribute(
                "members",
                "complex",
                multi=True,
                subAttributes=[_attribute("value"), _attribute("display")],
            ),
        ],
    },
}

RESOURCE_TYPES = {
    "User": {
        "endpoint": "/Users",
        "schema": USER,
        "schemaExtensions": [{"schema": ENTERPRISE, "required": False}],
    },
    "Group": {"endpoint": "/Groups", "schema": GROUP, "schemaExtensions": []},
}


def _location(request: HttpRequest, name: str, *args) -> dict:
    return {"location": request.build_absolute_uri(reverse(name, args=args))}


@endpoint
@require_GET
def service_provider_config(request: HttpRequest, client: ApiClient) -> HttpResponse:
    return answer(
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
            "documentationUri": "https://pop-platform.nl/docs/scim",
            "patch": {"supported": True},
            "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
            "filter": {"supported": True, "maxResults": LIST_MAX},
            "changePassword": {"supported": False},
            "sort": {"supported": False},
            "etag": {"supported": False},
            "authenticationSchemes": [
                {
                    "type": "oauthbearertoken",
                    "name": "Bearer token",
                    "description": "The organisation's SCIM token (HR, integrations page).",
                    "primary": True,
                }
            ],
            "meta": {"resourceType": "ServiceProviderConfig", **_location(request, "scim-config")},
        }
    )


def _resource_type(request: HttpRequest, name: str) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
        "id": name,
        "name": name,
        **RESOURCE_TYPES[name],
        "meta": {"resourceType": "ResourceType", **_location(request, "scim-resource-type", name)},
    }


def _schema(request: HttpRequest, urn: str) -> dict:
    return {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Schema"],
        "id": urn,
        **SCHEMAS[urn],
        "meta": {"resourceType": "Schema", **_location(request, "scim-schema", urn)},
    }


def _listed(resources: list[dict]) -> dict:
    count = len(resources)
    return {
        "schemas": [LIST],
        "totalResults": count,
        "startIndex": 1,
        "itemsPerPage": count,
        "Resources": resources,
    }


@endpoint
@require_GET
def resource_types(request: HttpRequest, client: ApiClient, name: str = "") -> HttpResponse:
    if name:
        if name not in RESOURCE_TYPES:
            raise ScimError(404, "No such resource type.")
        return answer(_resource_type(request, name))
    return answer(_listed([_resource_type(request, n) for n in RESOURCE_TYPES]))


@endpoint
@require_GET
def schemas(request: HttpRequest, client: ApiClient, urn: str = "") -> HttpResponse:
    if urn:
        if urn not in SCHEMAS:
            raise ScimError(404, "No such schema.")
        return answer(_schema(request, urn))
    return answer(_listed([_schema(request, u) for u in SCHEMAS]))
