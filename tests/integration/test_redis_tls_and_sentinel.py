"""Managed Redis as operators run it (docs/operations.md): over TLS (``rediss://``) and
behind Sentinel. Real servers started here (redis-server with a certificate made for the
test, and redis-server in Sentinel mode watching another); the app's cache, health check
and Celery broker work through each, with a real worker running a task queued by the app.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.conftest import require

from .harness import ROOT, CeleryWorker, free_port, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

APP_CHECK = """
from django.core.cache import cache
from pop_platform.celery import app
from pop_platform.health import broker_ok
cache.set("through", "ja", 300)
app.send_task("conversations.tasks.reminders_sweep")
print(cache.get("through"), broker_ok())
"""


class Server:
    def __init__(self, folder: Path, name: str, *args: str) -> None:
        self.port = free_port()
        self.log = folder / f"{name}.log"
        self.args = [arg.replace("{port}", str(self.port)) for arg in args]
        self._process: subprocess.Popen | None = None

    def start(self, client: redis.Redis) -> None:
        with self.log.open("w") as log:
            self._process = subprocess.Popen(
                ["redis-server", *self.args], stdout=log, stderr=subprocess.STDOUT
            )

        def answers() -> bool:
            assert self._process.poll() is None, self.log.read_text()
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        wait_until(answers, what=f"redis-server on {self.port}", details=self.log.read_text)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)


def _run_app(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", APP_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def _app_env(postgresql: str, **variables: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    return {**base, "DATABASE_URL": postgresql, **variables, "PYTHONUNBUFFERED": "1"}


def _worker_runs_the_task(env: dict[str, str], tmp_path: Path) -> None:
    worker = CeleryWorker(env=env, log_path=tmp_path / "worker.log", concurrency=1)
    try:
        worker.start()
        worker.wait_for_log("conversations.tasks.reminders_sweep", timeout=30)
        wait_until(
            lambda: "succeeded" in worker.log(),
            what="the task to succeed",
            details=worker.log,
        )
    finally:
        worker.close()


@pytest.fixture
def redis_binary():
    require(shutil.which("redis-server") is not None, "redis-server")
    require(shutil.which("openssl") is not None, "openssl")


def test_the_app_works_through_redis_over_tls(redis_binary, postgresql, tmp_path):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True,
    )  # fmt: skip
    server = Server(
        tmp_path, "redis-tls", "--port", "0", "--tls-port", "{port}", "--bind", "127.0.0.1",
        "--tls-cert-file", str(cert), "--tls-key-file", str(key),
        "--tls-ca-cert-file", str(cert), "--tls-auth-clients", "no",
        "--save", "", "--appendonly", "no",
    )  # fmt: skip
    client = redis.Redis(
        host="127.0.0.1", port=server.port, ssl=True, ssl_ca_certs=str(cert), socket_timeout=2
    )
    server.start(client)
    try:
        url = f"rediss://127.0.0.1:{server.port}/0?ssl_cert_reqs=required&ssl_ca_certs={cert}"
        env = _app_env(postgresql, REDIS_URL=url)
        assert _run_app(env) == "ja True"
        assert client.get("pop:1:through") is not None  # in the TLS server, nowhere else
        _worker_runs_the_task(env, tmp_path)
        # Without TLS the same server does not answer: the app did talk TLS.
        with pytest.raises(redis.ConnectionError):
            redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=2).ping()
    finally:
        server.stop()


def test_the_app_follows_the_master_that_sentinel_names(redis_binary, postgresql, tmp_path):
    master = Server(tmp_path, "master", "--port", "{port}", "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no")  # fmt: skip
    master_client = redis.Redis(host="127.0.0.1", port=master.port, socket_timeout=2)
    master.start(master_client)
    config = tmp_path / "sentinel.conf"
    sentinel_port = free_port()
    config.write_text(
        f"port {sentinel_port}\nbind 127.0.0.1\n"
        f"sentinel monitor popmaster 127.0.0.1 {master.port} 1\n"
    )
    sentinel = Server(tmp_path, "sentinel", str(config), "--sentinel")
    sentinel.port = sentinel_port
    sentinel.start(redis.Redis(host="127.0.0.1", port=sentinel_port, socket_timeout=2))
    try:
        env = _app_env(
            postgresql,
            REDIS_URL="redis://popmaster/0",
            REDIS_SENTINELS=f"127.0.0.1:{sentinel_port}",
        )
        assert _run_app(env) == "ja True"
        assert master_client.get("pop:1:through") is not None  # found through Sentinel
        _worker_runs_the_task(env, tmp_path)
    finally:
        sentinel.stop()
        master.stop()
