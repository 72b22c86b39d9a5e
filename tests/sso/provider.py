"""Start the real OpenID Connect provider (``provider.mjs``, panva's oidc-provider on the
machine's Node.js) on a free port, for a test; stop it afterwards.

Needs ``node`` and ``tests/sso/node_modules`` (``npm ci`` in ``tests/sso``; ``.ci/run``
does it). Outside CI a test skips when either is missing; in CI that is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require
from tests.integration.harness import free_port

HERE = Path(__file__).parent


@dataclass
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    process: subprocess.Popen


def available() -> tuple[bool, str]:
    if shutil.which("node") is None:
        return False, "Node.js (node)"
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        return False, "the OpenID Connect provider (npm ci in tests/sso)"
    return True, ""


@contextmanager
def oidc_provider(
    *,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str] = (),
    names: dict[str, str] | None = None,
    unverified: list[str] = (),
    client_id: str = "pop-platform",
    client_secret: str = "a-test-client-secret-0123456789",  # noqa: S107
) -> Iterator[RunningProvider]:
    ok, missing = available()
    require(ok, missing)
    port = free_port()
    config = {
        "port": port,
        "clients": [
            {
                "client_id": client_id,
                "client_secret": client_secret,
                "redirect_uris": list(redirect_uris),
                "post_logout_redirect_uris": list(post_logout_redirect_uris),
            }
        ],
        "names": names or {},
        "unverified": list(unverified),
    }
    process = subprocess.Popen(
        ["node", str(HERE / "provider.mjs")],
        cwd=HERE,
        env={**os.environ, "POP_OIDC_CONFIG": json.dumps(config), "NODE_ENV": "development"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 20
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("ready ") or process.poll() is not None:
                break
        if not line.startswith("ready "):
            raise RuntimeError(f"the OpenID Connect provider did not start: {line!r}")
        # Keep reading what it prints, so a full pipe never blocks it.
        threading.Thread(target=process.stdout.read, daemon=True).start()
        yield RunningProvider(
            issuer=line.split()[1],
            client_id=client_id,
            client_secret=client_secret,
            process=process,
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
