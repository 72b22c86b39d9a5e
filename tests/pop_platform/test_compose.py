"""docker-compose.yml, the Dockerfile and gunicorn.conf.py as an IT department would use
them, checked against what the native production test runs
(tests/integration/test_production_topology.py reads the same commands through
tests/compose.py), so the compose file and the proven topology cannot drift apart."""

from __future__ import annotations

import importlib.util
import re

import pytest

from tests import compose
from tests.pop_platform.test_security import _env_example

ROOT = compose.ROOT


def test_the_services_of_the_topology():
    assert set(compose.compose()["services"]) == compose.SERVICES


def test_only_the_proxy_publishes_ports_so_web_and_workers_scale():
    for name, service in compose.compose()["services"].items():
        if name == "proxy":
            assert service["ports"] == ["80:80", "443:443", "443:443/udp"]
        else:
            assert "ports" not in service, f"{name} publishes a host port"


def test_the_app_commands_are_the_ones_the_native_test_runs():
    assert compose.command("migrate") == ["python", "manage.py", "migrate", "--noinput"]
    web = compose.command("web")
    assert web[:2] == ["gunicorn", "pop_platform.wsgi:application"]
    assert "gunicorn.conf.py" in web and compose.WEB_BIND in web  # the test rebinds it
    assert compose.command("worker")[:4] == ["celery", "-A", "pop_platform", "worker"]
    beat = compose.command("beat")
    assert beat[:4] == ["celery", "-A", "pop_platform", "beat"]
    assert f"--schedule={compose.BEAT_SCHEDULE}" in beat
    assert compose.service("beat")["deploy"]["replicas"] == 1


def test_web_worker_and_beat_wait_for_the_one_shot_migration():
    assert compose.service("migrate")["restart"] == "no"
    for name in ("web", "worker", "beat"):
        assert "migrate" not in " ".join(compose.command(name))
        depends = compose.service(name)["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}


def test_health_checks_use_the_liveness_and_readiness_paths():
    web = " ".join(compose.health_command("web"))
    assert "/healthz/live" in web and "Host" not in web
    assert compose.health_command("beat") == [
        "python",
        "-m",
        "pop_platform.beat_alive",
        compose.BEAT_SCHEDULE,
    ]
    assert "celery -A pop_platform inspect ping" in " ".join(compose.health_command("worker"))
    caddyfile = compose.CADDYFILE.read_text()
    assert "health_uri /healthz\n" in caddyfile  # readiness: database and broker
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in compose.service("proxy")["volumes"]
    assert compose.service("proxy")["environment"]["POP_UPSTREAMS"] == "web:8000"


def test_no_default_passwords_and_no_setting_overridden():
    text = compose.COMPOSE.read_text()
    assert compose.required_variables() == {"DJANGO_SECRET_KEY", "POP_DOMAIN", "POSTGRES_PASSWORD"}
    assert not re.search(r"PASSWORD:-", text)
    env = compose.app_environment()
    # Every value compose gives the app is a default that .env overrides, or a constant
    # of the topology.
    constants = {"DJANGO_DEBUG"}
    for name, value in env.items():
        assert name in constants or value.startswith(f"${{{name}:"), (name, value)
    assert compose.compose()["x-app"]["env_file"] == [{"path": ".env", "required": True}]


def test_every_variable_compose_uses_is_in_env_example():
    example = _env_example()
    used = set(re.findall(r"\$\{([A-Z_]+)", compose.text_without_comments(compose.COMPOSE)))
    used |= set(re.findall(r"\{\$([A-Z_]+)", compose.text_without_comments(compose.CADDYFILE)))
    used -= {"POP_UPSTREAMS", "POP_HTTP_PORT", "POP_HTTPS_PORT"}  # set by compose / the test
    assert used - set(example) == set()


def test_the_image_installs_production_dependencies_and_owns_its_media_folder():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes -r requirements/production.lock" in dockerfile
    assert "development.lock" not in dockerfile
    assert "mkdir -p /app/var/media" in dockerfile and "chown -R pop:pop /app/var" in dockerfile
    assert "USER pop" in dockerfile
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"tests", ".venv", ".env", "var"} <= set(ignored)


def _gunicorn_conf():
    spec = importlib.util.spec_from_file_location("gunicorn_conf", ROOT / "gunicorn.conf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("files", "cpus"),
    [
        ({"cpu.max": "200000 100000\n"}, 2),
        ({"cpu.max": "150000 100000\n"}, 2),
        ({"cpu.max": "50000 100000\n"}, 1),
        ({"cpu/cpu.cfs_quota_us": "300000\n", "cpu/cpu.cfs_period_us": "100000\n"}, 3),
        ({"cpu.max": "max 100000\n"}, None),  # no quota: the CPUs it may run on
        ({}, None),
    ],
)
def test_gunicorn_workers_follow_the_cpus_the_container_may_use(tmp_path, monkeypatch, files, cpus):
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(64)))
    assert _gunicorn_conf().available_cpus(tmp_path) == (cpus or 64)
