"""Fixtures for the API, SCIM and integration pages: a client's token per scope."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from integrations.services import api_client_create
from people.models import ApiClient

# Fixtures of the other apps' tests, used here too.
from tests.conversations.conftest import conversation, held  # noqa: F401
from tests.goals.conftest import cascade  # noqa: F401
from tests.people.test_notifications import retries_in_process  # noqa: F401
from tests.plans.conftest import pop  # noqa: F401

ALL_SCOPES = list(ApiClient.Scope.values)


def make_token(world, *, scopes=ALL_SCOPES, networks: str = "", organisation=None) -> str:
    _client, token = api_client_create(
        organisation=organisation or world.organisation,
        by=world.hr,
        name="HRIS",
        scopes=scopes,
        allowed_networks=networks,
    )
    return token


class Api:
    """Calls /api/v1/ with a bearer token; answers with ``.json()``."""

    def __init__(self, token: str | None, language: str = "nl") -> None:
        self.client = Client()
        self.token, self.language = token, language

    def _headers(self, extra: dict) -> dict:
        headers = {"HTTP_ACCEPT_LANGUAGE": self.language}
        if self.token:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        return {**headers, **extra}

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get(f"/api/v1{path}", params or {}, **self._headers(headers))

    def send(self, method: str, path: str, body: dict | None = None, **headers):
        call = getattr(self.client, method.lower())
        return call(
            f"/api/v1{path}",
            data=json.dumps(body or {}),
            content_type="application/json",
            **self._headers(headers),
        )


@pytest.fixture
def api(world) -> Api:
    return Api(make_token(world))
