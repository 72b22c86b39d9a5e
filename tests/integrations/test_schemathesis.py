"""schemathesis against the API's own schema (/api/schema/), served by a live server on
PostgreSQL: for every operation, with a token holding exactly the scope that operation
names, a bounded number of generated requests (``SCHEMATHESIS_EXAMPLES`` each, the same
ones every run), and each is checked:

- no 5xx, and the response matches the schema (status, content type, headers, body):
  schemathesis's own checks;
- nothing of the other organisation in any answer, and the same request naming the other
  organisation's rows answers 404;
- the same request with a token that lacks the scope answers 403.

Counts go to ``var/ci/schemathesis-<worker>.txt`` (the closing note quotes them).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
import schemathesis
from django.conf import settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations.services import api_client_create
from people.models import ApiClient
from tests.goals.conftest import make_cascade
from tests.plans.conftest import make_pop

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "20"))
# No 5xx, and the answer is as the schema says: status, content type, headers, body. (Not
# schemathesis's "valid data is accepted": the rules behind the schema, such as no loops of
# managers, a cursor this server made, or the version a write names, rightly refuse some
# requests that the schema's types allow, with a 4xx problem the schema lists.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
COUNTS: Counter = Counter()
# Path ids and the other organisation's row each names (a leak would answer 200).
PATH_IDS = {"person_id": "person", "unit_id": "unit", "goal_id": "goal", "plan_id": "plan"}
PATH_IDS["conversation_id"] = "conversation"


@pytest.fixture
def api_schema(live_server, settings):
    settings.API_RATE_LIMIT = 1_000_000  # the limit has its own test
    return schemathesis.openapi.from_url(f"{live_server.url}/api/schema/")


@pytest.fixture
def tenants(transactional_db, world):
    """Data in both organisations; per scope a token holding only it, and one without."""
    pop = make_pop(world)
    cascade = make_cascade(world)
    from conversations.services import conversation_schedule
    from tests.conversations.conftest import in_days, make_held

    held = make_held(
        world,
        conversation_schedule(
            manager=world.manager, employee=world.employee, kind="progress", starts_at=in_days(2)
        ),
    )
    elsewhere = _other_organisation(world)
    tokens = {
        scope: api_client_create(
            organisation=world.organisation, by=world.hr, name=scope, scopes=[scope]
        )[1]
        for scope in ApiClient.Scope.values
    }
    own = {
        "person": world.employee.uuid,
        "unit": world.team.uuid,
        "goal": cascade.team_goal.uuid,
        "plan": pop.plan.uuid,
        "conversation": held.uuid,
    }
    return {"tokens": tokens, "elsewhere": elsewhere, "own": own}


def _other_organisation(world) -> dict:
    """Rows of the other organisation, with the texts that must never show."""
    from conversations.models import Conversation
    from goals.models import Goal
    from plans.models import DevelopmentPlan
    from tests.factories import GoalFactory, UserFactory

    manager = UserFactory(organisation=world.other_organisation, email="baas@elders.test")
    employee = world.other_employee
    employee.line_manager = manager
    employee.save(update_fields=["line_manager"])
    goal = GoalFactory(
        organisation=world.other_organisation, level="organisation", title="Geheim doel Elders"
    )
    plan = DevelopmentPlan.objects.create(
        employee=employee, organisation=world.other_organisation, yearly_budget=1
    )
    conversation = Conversation.objects.create(
        organisation=world.other_organisation,
        employee=employee,
        manager=manager,
        kind="start",
        status="requested",
    )
    return {
        "person": employee.uuid,
        "unit": employee.unit.uuid,
        "goal": goal.uuid,
        "plan": plan.uuid,
        "conversation": conversation.uuid,
        "texts": [
            str(employee.uuid),
            employee.email,
            goal.title,
            str(goal.uuid),
            str(plan.uuid),
            "Gemeente Elders",
        ],
    }
    assert Goal  # the goal above is the other organisation's strategic goal


def _operations() -> list:
    """(method, path) of every operation of the generated schema (at collection)."""
    from integrations.api.main import openapi_schema

    paths = openapi_schema()["paths"]
    return [
        pytest.param(method.upper(), path, id=f"{method.upper()} {path}")
        for path, methods in paths.items()
        for method in methods
    ]


@pytest.mark.parametrize(("method", "path"), _operations())
def test_every_operation_for_its_scope(method, path, api_schema, tenants, live_server):
    operation = api_schema[path][method]
    scope = operation.definition.raw["x-scope"]
    base = live_server.url
    own = {"Authorization": f"Bearer {tenants['tokens'][scope]}"}
    lacking = next(token for name, token in tenants["tokens"].items() if name != scope)
    label = f"{method} {path}"

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def examples(case) -> None:
        response = case.call_and_validate(base_url=base, headers=own, checks=CHECKS)
        for text in tenants["elsewhere"]["texts"]:
            assert text not in response.text, f"{label} showed {text!r} of another organisation"
        COUNTS[(label, "examples")] += 1
        COUNTS[(label, f"status {response.status_code}")] += 1
        refused = case.call(base_url=base, headers={"Authorization": f"Bearer {lacking}"})
        assert refused.status_code == 403, f"{label} without {scope}: {refused.status_code}"
        generated = dict(case.path_parameters or {})
        if generated:  # the same request on a row of this organisation, then of the other
            case.path_parameters = {**generated, **_ids(tenants["own"], generated)}
            real = case.call_and_validate(base_url=base, headers=own, checks=CHECKS)
            COUNTS[(label, f"own row: status {real.status_code}")] += 1
            case.path_parameters = {**generated, **_ids(tenants["elsewhere"], generated)}
            other = case.call(base_url=base, headers=own)
            assert other.status_code in (400, 404, 422, 428), (
                f"{label} reached another organisation"
            )
            # (The problem's ``instance`` repeats the path the client asked for.)
            shown = other.text.replace(other.request.url.split("/api/v1", 1)[-1], "")
            assert not any(text in shown for text in tenants["elsewhere"]["texts"])
            COUNTS[(label, "other organisation")] += 1

    examples()
    _write_counts()


def _ids(rows: dict, parameters: dict) -> dict:
    return {key: str(rows[row]) for key, row in PATH_IDS.items() if key in parameters}


def _write_counts() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    path = Path(settings.VAR_DIR) / f"schemathesis-{worker}.json"
    path.write_text(
        json.dumps({" | ".join(key): value for key, value in sorted(COUNTS.items())}, indent=1)
    )
