"""docker-compose.yml as the tests read it: its services, their commands made to run on
this machine, their health checks and the variables compose sets.

The native production test (tests/integration/test_production_topology.py) runs the
commands from here, and tests/pop_platform/test_compose.py checks the file against what
that test runs, so the compose file and the proven topology cannot drift apart.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
CADDYFILE = ROOT / "deploy" / "Caddyfile"

#: The services of the topology, and the ones that run the app's image.
SERVICES = {"proxy", "migrate", "web", "worker", "beat", "db", "redis"}
APP_SERVICES = {"migrate", "web", "worker", "beat"}
#: The port the web service listens on inside the compose network.
WEB_BIND = "0.0.0.0:8000"
#: Where beat keeps its schedule in the image.
BEAT_SCHEDULE = "/app/var/celerybeat-schedule"


@cache
def compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def service(name: str) -> dict:
    return compose()["services"][name]


def command(name: str) -> list[str]:
    """The service's command as a list."""
    value = service(name)["command"]
    return list(value) if isinstance(value, list) else value.split()


def native(name: str, **replace: str) -> list[str]:
    """The service's command run with this Python (``gunicorn``, ``celery`` and
    ``python`` as modules of this venv), with the strings in ``replace`` replaced."""
    parts = command(name)
    program, rest = parts[0], parts[1:]
    start = [sys.executable] if program == "python" else [sys.executable, "-m", program]
    swapped = []
    for part in rest:
        for old, new in replace.items():
            part = part.replace(old, new)
        swapped.append(part)
    return start + swapped


def app_environment() -> dict[str, str]:
    """The variables compose sets for the app's services (defaults of ``${NAME:-…}``)."""
    return {name: str(value) for name, value in compose()["x-app"]["environment"].items()}


def text_without_comments(path: Path) -> str:
    return "\n".join(
        line for line in path.read_text().splitlines() if not line.strip().startswith("#")
    )


def required_variables() -> set[str]:
    """The variables without which compose refuses to start (``${NAME:?…}``)."""
    return set(re.findall(r"\$\{([A-Z_]+):\?", text_without_comments(COMPOSE)))


def health_command(name: str) -> list[str]:
    test = service(name)["healthcheck"]["test"]
    return list(test[1:]) if test[0] in ("CMD", "CMD-SHELL") else list(test)
