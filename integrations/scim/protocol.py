"""SCIM 2.0 (RFC 7643 and 7644) as POP Platform speaks it: bearer tokens, responses and
errors, filters, and the PATCH operations in the shapes Microsoft Entra ID sends.

Not django-scim2: its adapters save models themselves (our rules live in
``people.directory``, shared with HR's pages and the people file) and its filters become
raw SQL over mapped columns. The filter grammar is scim2-filter-parser's, as here; its
Django transpiler turns a filter into an ORM query.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from scim2_filter_parser.lexer import SCIMLexer
from scim2_filter_parser.parser import SCIMParserError
from scim2_filter_parser.transpilers.django_q_object import get_query

from people.models import ApiClient
from pop_platform.proxy import client_ip

from .. import tokens

CONTENT_TYPE = "application/scim+json"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"
LIST = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"
MAX_RESULTS = 200


class ScimError(Exception):
    def __init__(self, status: int, detail: str, scim_type: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def answer(body: dict | None, status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        "" if body is None else json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=CONTENT_TYPE,
    )
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def error(status: int, detail: str, scim_type: str = "") -> HttpResponse:
    body = {"schemas": [ERROR], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return answer(body, status)


def endpoint(view: Callable) -> Callable:
    """A SCIM view: the organisation's SCIM token (bearer), JSON in and out, SCIM errors.
    The view gets the client (its organisation is the tenant) after the request."""

    @login_not_required
    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
        client = None
        if scheme.lower() == "bearer":
            client = tokens.client_for_token(token.strip(), kind=ApiClient.Kind.SCIM)
        if client is None:
            response = error(401, "A valid SCIM bearer token is needed.")
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        if not tokens.address_allowed(client, client_ip(request)):
            return error(403, "This token may not be used from this address.")
        tokens.mark_used(client)
        try:
            return view(request, client, *args, **kwargs)
        except ScimError as failed:
            return error(failed.status, failed.detail, failed.scim_type)

    return wrapper


def body_of(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError) as bad:
        raise ScimError(400, "The body is not JSON.", "invalidSyntax") from bad
    if not isinstance(body, dict):
        raise ScimError(400, "The body must be a JSON object.", "invalidSyntax")
    return body


# --- Filters ---------------------------------------------------------------------------------

_IDS = re.compile(r"^[0-9a-fA-F-]{32,36}$")


def filter_query(text: str, attributes: dict[str, str]) -> Q | None:
    """The ORM condition of a filter over ``attributes`` (SCIM name → field), combined with
    ``and``, ``or`` and ``not``, compared with ``eq``. ``None``: nothing can match (an id
    that is no id). ``ScimError`` (invalidFilter) for anything else."""
    try:
        tokens_ = list(SCIMLexer().tokenize(text))
    except Exception as bad:
        raise ScimError(400, f"This filter cannot be read: {bad}", "invalidFilter") from bad
    known = {name.lower() for name in attributes}
    for index, token in enumerate(tokens_):
        if token.type in ("ATTRNAME", "SUBATTR", "SCHEMA_URI") and token.value.lower() not in known:
            raise ScimError(400, f"Filtering on {token.value} is not supported.", "invalidFilter")
        if token.type in ("NE", "CO", "SW", "EW", "PR", "GT", "GE", "LT", "LE", "LBRACKET"):
            raise ScimError(400, f"The operator {token.value} is not supported.", "invalidFilter")
        if token.type == "COMP_VALUE" and index >= 2 and tokens_[index - 2].value == "id":
            if not _IDS.match(str(token.value)):
                return None
            try:
                uuid.UUID(str(token.value))
            except ValueError:
                return None
    mapping = {(name, None, None): field for name, field in attributes.items()}
    try:
        query = get_query(text, mapping)
    except SCIMParserError as bad:
        raise ScimError(400, "This filter cannot be read.", "invalidFilter") from bad
    if query is None:
        raise ScimError(400, "This filter cannot be read.", "invalidFilter")
    return query


def page_of(request: HttpRequest) -> tuple[int, int]:
    """``startIndex`` (1-based) and ``count`` of a list request."""
    try:
        start = max(1, int(request.GET.get("startIndex", 1)))
        count = min(MAX_RESULTS, max(0, int(request.GET.get("count", MAX_RESULTS))))
    except ValueError as bad:
        raise ScimError(400, "startIndex and count are numbers.", "invalidValue") from bad
    return start, count


def list_response(resources: list[dict], *, total: int, start: int) -> HttpResponse:
    return answer(
        {
            "schemas": [LIST],
            "totalResults": total,
            "startIndex": start,
            "itemsPerPage": len(resources),
            "Resources": resources,
        }
    )


# --- PATCH -----------------------------------------------------------------------------------


def as_bool(value: object) -> bool:
    """Entra ID has sent booleans as the strings "True" and "False"."""
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    if isinstance(value, bool):
        return value
    raise ScimError(400, f"{value!r} is not true or false.", "invalidValue")


def operations(body: dict) -> list[tuple[str, str, object]]:
    """(op, path, value) of a PatchOp, ``op`` lower-cased. An operation without a path
    and with an object value is unfolded into one operation per attribute (Entra ID's
    ``{"op": "replace", "value": {"active": false}}``)."""
    if PATCH not in body.get("schemas", []) or not isinstance(body.get("Operations"), list):
        raise ScimError(400, "A PATCH body is a PatchOp with Operations.", "invalidSyntax")
    found = []
    for operation in body["Operations"]:
        if not isinstance(operation, dict):
            raise ScimError(400, "Each operation is an object.", "invalidSyntax")
        op = str(operation.get("op", "")).lower()
        if op not in ("add", "replace", "remove"):
            raise ScimError(400, f"Unknown operation {operation.get('op')!r}.", "invalidSyntax")
        path, value = operation.get("path"), operation.get("value")
        if path:
            found.append((op, str(path), value))
        elif isinstance(value, dict) and op != "remove":
            found += [(op, str(name), item) for name, item in value.items()]
        else:
            raise ScimError(400, "An operation without a path needs an object.", "noTarget")
    return found
