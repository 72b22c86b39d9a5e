"""The REST API, version 1 (``/api/v1/``): django-ninja, its OpenAPI 3.1 schema generated
from these modules (served at ``/api/schema/``, read at ``/api/docs/``).

Every call carries an API client's bearer token and acts for that client's organisation
only; each operation needs one scope. Errors are RFC 9457 problem details; writes name
the version they read (If-Match); lists are paged by cursor; each client has a rate
limit. Every call is in the organisation's audit trail."""

from django.utils import translation
from ninja import NinjaAPI, Schema

from . import alignment, conversations, goals, people, plans, problems
from .auth import SCHEME, ClientRateThrottle

DESCRIPTION = """\
The REST API of POP Platform. Every request carries an API client's token
(`Authorization: Bearer pop_…`), made by HR on the integrations page, and acts for that
client's organisation. Each operation needs the scope it names (`x-scope`); without it
the answer is 403.

- **Lists** are paged by cursor: follow `next` (or pass `next_cursor` as `cursor`) until
  it is null. `updated_since` returns what changed at or after a moment: a nightly sync
  asks for what changed since its last run.
- **Writes** send `If-Match` with the `ETag` (the row's version) they read. When someone
  changed the row meanwhile the answer is **412** with the current row in `current`:
  nothing is overwritten. Without `If-Match`: 428.
- **Errors** are problem details (RFC 9457, `application/problem+json`), in Dutch or in
  English after `Accept-Language`.
- **Rate limit** per client; past it, 429 with `Retry-After` (seconds).
- Private notes, preparation answers and conversation notes are never available.
"""


class Api(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        return operation.view_func.__name__


class ProblemOut(Schema):
    """RFC 9457 problem details; a 412 also has ``current``, a 422 ``errors``."""

    type: str
    title: str
    status: int
    detail: str
    instance: str


# Answers every operation may give, besides its own, and those of writes (If-Match).
ERRORS = (400, 401, 403, 404, 422, 429)
WRITE_ERRORS = (412, 428)


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": 'The ETag of the row as you read it, such as "3".',
    "schema": {"type": "string", "pattern": '^(W/)?"?[0-9]{1,9}"?$'},
}


def openapi_schema() -> dict:
    """The schema ninja generates from the operations, with each operation's scope as its
    security requirement and the problem answers it can give (``problems.TITLES``)."""
    schema = api.get_openapi_schema(path_prefix="/api/v1")
    problem = {"$ref": "#/components/schemas/Problem"}
    with translation.override("en"):
        for operations in schema["paths"].values():
            for method, operation in operations.items():
                operation["security"] = [{SCHEME: [operation["x-scope"]]}]
                writes = method in ("patch", "put", "delete") or operation.get("x-if-match")
                if writes:
                    operation.setdefault("parameters", []).append(IF_MATCH)
                statuses = ERRORS + (WRITE_ERRORS if writes else ())
                for status in statuses:
                    operation["responses"].setdefault(
                        str(status),
                        {
                            "description": str(problems.TITLES[status]),
                            "content": {problems.CONTENT_TYPE: {"schema": problem}},
                        },
                    )
    schema["components"]["schemas"]["Problem"] = ProblemOut.model_json_schema()
    return schema


api = Api(
    title="POP Platform API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url=None,  # served at /api/schema/ (integrations.urls)
    docs_url=None,  # served at /api/docs/
    throttle=[ClientRateThrottle()],
)
problems.install(api)
for module in (people, goals, plans, conversations, alignment):
    api.add_router("/", module.router)
