"""The production topology of docker-compose.yml, proven natively (no Docker engine here).

The same programs compose runs, started from the commands in docker-compose.yml
(``tests/compose.py``) with production settings (``DJANGO_DEBUG=false``):

- Caddy (``deploy/Caddyfile``, unchanged) terminating TLS with its own certificate
  authority for ``localhost``, in front of
- two gunicorn instances (the ``web`` command, ``gunicorn.conf.py``) on other ports,
- a Celery worker and Celery beat (the ``worker`` and ``beat`` commands), after the
  ``migrate`` command,
- PostgreSQL (the test database), Redis (broker and shared cache) and a real
  S3-compatible object store (SeaweedFS) holding the generated files.

The only difference from the image: static files are served from their folders instead
of collected (``tests/integration/web_settings.py``; collecting takes longer than the test).

It checks what an IT department would: signing in over HTTPS with HSTS; the client's own
address reaching the sign-in lockout and the audit trail through the proxy, while a
forwarded header sent straight to gunicorn is ignored; a plan PDF made by the worker
landing in the bucket and downloading through both web instances, and nobody else's; beat
ticking and its health check; metrics from every process; and the site answering after
one web instance is killed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from axes.models import AccessAttempt, AccessLog
from django.conf import global_settings
from requests.adapters import HTTPAdapter

from people.models import AuditEvent
from plans.models import PlanExport
from tests import compose
from tests.conftest import require
from tests.pdfs import pdf_text
from tests.plans.conftest import pop  # noqa: F401  (the plan fixture)

from .harness import ROOT, CeleryWorker, WebServer, free_port, wait_until

# Makes a PDF (needs Pango).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.pdf]

PASSWORD = "Veilig-thuis-2026!"
METRICS_TOKEN = "topology-metrics-token"
#: Addresses on the loopback: people's browsers, and someone bypassing the proxy.
BROWSER, MANAGER_BROWSER, DIRECT = "127.0.0.5", "127.0.0.6", "127.0.0.9"


class SourceAddress(HTTPAdapter):
    """Connections from a given local address (one machine, several "clients")."""

    def __init__(self, address: str) -> None:
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        return super().init_poolmanager(*args, **kwargs)


def browser(address: str, root_ca: Path) -> requests.Session:
    session = requests.Session()
    session.mount("https://", SourceAddress(address))
    session.mount("http://", SourceAddress(address))
    session.verify = str(root_ca)
    session.trust_env = False  # REQUESTS_CA_BUNDLE would replace our root
    return session


class Caddy:
    def __init__(self, *, upstreams: list[int], folder: Path, https_port: int) -> None:
        self.https_port, self.http_port = https_port, free_port()
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "caddy.log"
        self.env = {
            **os.environ,
            "POP_DOMAIN": "localhost",
            "POP_UPSTREAMS": " ".join(f"127.0.0.1:{port}" for port in upstreams),
            "POP_HTTPS_PORT": str(self.https_port),
            "POP_HTTP_PORT": str(self.http_port),
            "XDG_DATA_HOME": str(folder / "data"),
            "XDG_CONFIG_HOME": str(folder / "config"),
            "HOME": str(folder),
        }
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"https://localhost:{self.https_port}"

    @property
    def root_ca(self) -> Path:
        return self.folder / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"

    def start(self) -> None:
        command = ["caddy", "run", "--config", str(compose.CADDYFILE), "--adapter", "caddyfile"]
        with self.log_path.open("w") as log:
            self._process = subprocess.Popen(
                command, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

        def serves_https() -> bool:
            assert self._process is not None and self._process.poll() is None, self.log()
            if not self.root_ca.exists():
                return False
            try:
                return requests.get(
                    f"{self.url}/healthz/live", verify=str(self.root_ca), timeout=5
                ).ok
            except requests.RequestException:
                return False

        wait_until(serves_https, what="Caddy to serve HTTPS", timeout=60, details=self.log)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=15)


class Beat:
    def __init__(self, *, env: dict[str, str], folder: Path) -> None:
        self.schedule = folder / "celerybeat-schedule"
        self.log_path = folder / "beat.log"
        self.command = compose.native("beat", **{compose.BEAT_SCHEDULE: str(self.schedule)})
        self.env = env
        self._process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("w") as log:
            self._process = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

    def healthy(self) -> bool:
        """The compose health check of beat, run here."""
        command = compose.health_command("beat")
        assert command[:3] == ["python", "-m", "pop_platform.beat_alive"], command
        check = [sys.executable, "-m", "pop_platform.beat_alive", str(self.schedule)]
        return subprocess.run(check, cwd=ROOT, capture_output=True, check=False).returncode == 0

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=15)


def _sign_in(session: requests.Session, base: str, email: str, password: str):
    login = f"{base}/accounts/login/"
    assert session.get(login, timeout=10).status_code == 200
    return session.post(
        login,
        data={
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": login},
        allow_redirects=False,
        timeout=30,
    )


def _web_env(*, database, broker, smtp, store, folder, https_port) -> dict[str, str]:
    base = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AWS_", "CACHE_URL", "SITE_URL"))
    }
    env = {
        **base,
        # What docker-compose.yml sets for the app (x-app environment), here.
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "topology-test-secret-key-8d1e6b3a9c2f4e7d5a0b",
        "DJANGO_ALLOWED_HOSTS": "localhost",
        "SITE_URL": f"https://localhost:{https_port}",
        "DJANGO_PROXY_COUNT": "1",
        "DATABASE_URL": database,
        "REDIS_URL": broker,
        "DJANGO_CONN_MAX_AGE": "60",
        # What an operator puts in .env.
        "DJANGO_TRUSTED_PROXY_IPS": "127.0.0.1",
        "EMAIL_URL": smtp,
        "METRICS_TOKEN": METRICS_TOKEN,
        **store,
        # This machine: two workers per instance, quick sweeps and retries.
        "DJANGO_SETTINGS_MODULE": "tests.integration.web_settings",
        "POP_VAR_DIR": str(folder / "var"),
        "GUNICORN_WORKERS": "2",
        "REMINDER_SWEEP_SECONDS": "2",
        "TASK_RETRY_BACKOFF_SECONDS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    missing = set(compose.app_environment()) - set(env)
    assert not missing, f"docker-compose.yml sets {missing}, which this test does not"
    return env


def test_the_compose_topology_runs_natively(
    world,
    pop,  # noqa: F811 - the plan fixture
    postgresql,
    broker,
    smtp_server,
    seaweedfs,
    tmp_path,
    settings,
):
    require(shutil.which("caddy") is not None, "Caddy (apt-get install caddy)")
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS  # production's hasher
    for person in (world.employee, world.manager, world.colleague):
        person.set_password(PASSWORD)
        person.save(update_fields=["password"])
    folder = seaweedfs.new_folder()
    https_port = free_port()  # Caddy's, known before the app starts (SITE_URL)
    env = _web_env(
        database=postgresql,
        broker=broker.url,
        smtp=smtp_server.url,
        store=seaweedfs.settings_env(folder),
        folder=tmp_path,
        https_port=https_port,
    )
    subprocess.run(compose.native("migrate"), cwd=ROOT, env=env, check=True, capture_output=True)
    web_command = compose.native("web", **{compose.WEB_BIND: "127.0.0.1:{port}"})
    webs = [
        WebServer(env=env, log_path=tmp_path / f"web-{n}.log", command=web_command) for n in (1, 2)
    ]
    worker = CeleryWorker(
        env=env, log_path=tmp_path / "worker.log", command=compose.native("worker")
    )
    beat = Beat(env=env, folder=tmp_path)
    caddy = Caddy(
        upstreams=[web.port for web in webs], folder=tmp_path / "caddy", https_port=https_port
    )
    try:
        for process in (*webs, worker, beat, caddy):
            process.start()
        _check_https_and_sign_in(caddy, world)
        _check_client_addresses(caddy, webs[0], world, pop)
        _check_pdf_in_the_bucket(caddy, webs, world, pop, seaweedfs, folder, worker)
        _check_beat_and_metrics(caddy, beat, worker)
        _check_json_logs(webs, world)
        _check_one_web_instance_killed(caddy, webs[0])
    finally:
        for process in (caddy, beat, worker, *webs):
            with contextlib.suppress(Exception):  # stop the others whatever happened
                process.stop()


def _check_https_and_sign_in(caddy: Caddy, world) -> None:
    plain = requests.get(f"http://localhost:{caddy.http_port}/", allow_redirects=False, timeout=10)
    assert plain.status_code in (301, 308)
    assert plain.headers["Location"].startswith("https://")
    session = browser(BROWSER, caddy.root_ca)
    signed_in = _sign_in(session, caddy.url, world.employee.email, PASSWORD)
    assert signed_in.status_code == 302, signed_in.text[:500]
    home = session.get(f"{caddy.url}/", timeout=30)
    assert (
        home.status_code == 200 and "Sanne" in home.text
    ) or world.employee.full_name in home.text
    hsts = home.headers["Strict-Transport-Security"]
    assert "max-age=31536000" in hsts and "includeSubDomains" in hsts
    assert session.cookies.get("sessionid") and "Secure" in signed_in.headers["Set-Cookie"]
    ready = session.get(f"{caddy.url}/healthz", timeout=10).json()
    assert ready == {"status": "ok", "database": "ok", "broker": "ok"}
    print(  # what happened, for `pytest -s` (as `make faults` prints)
        f"topology: http://localhost:{caddy.http_port}/ -> {plain.status_code} to HTTPS; "
        f"signed in over HTTPS ({signed_in.status_code}), HSTS {hsts!r}; /healthz {ready}"
    )


def _check_client_addresses(caddy: Caddy, web: WebServer, world, plan_of) -> None:
    # Through Caddy: the browser's own address, for the lockout and the sign-in records.
    wrong = browser(MANAGER_BROWSER, caddy.root_ca)
    assert _sign_in(wrong, caddy.url, world.manager.email, "not the password").status_code == 200
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [MANAGER_BROWSER]
    manager = browser(MANAGER_BROWSER, caddy.root_ca)
    assert _sign_in(manager, caddy.url, world.manager.email, PASSWORD).status_code == 302
    assert AccessLog.objects.get(username=world.manager.email).ip_address == MANAGER_BROWSER
    # ...and for the audit trail: the manager reads her report's plan.
    assert manager.get(f"{caddy.url}/plans/{plan_of.plan.uuid}/", timeout=30).status_code == 200
    read = AuditEvent.objects.filter(actor=world.manager, action=AuditEvent.Action.READ).first()
    assert read is not None and read.ip_address == MANAGER_BROWSER
    print(
        f"topology: through Caddy from {MANAGER_BROWSER}: failed sign-in, sign-in and plan "
        f"read recorded with {MANAGER_BROWSER} (lockout, sign-in record, audit trail)"
    )
    # Straight to gunicorn, pretending to be another client over HTTPS: neither header
    # is believed (the peer is no trusted proxy), so it is sent to HTTPS like plain HTTP.
    direct = browser(DIRECT, caddy.root_ca)
    response = direct.post(
        f"{web.url}/accounts/login/",
        data={"username": world.employee.email, "password": "guess"},
        headers={
            "Host": f"localhost:{caddy.https_port}",
            "X-Forwarded-For": "203.0.113.99",
            "X-Forwarded-Proto": "https",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert not AccessAttempt.objects.filter(ip_address="203.0.113.99").exists()
    print(
        f"topology: straight to gunicorn from {DIRECT} claiming 203.0.113.99 over HTTPS: "
        f"{response.status_code} to {response.headers['Location']}, nothing recorded for it"
    )


def _check_pdf_in_the_bucket(caddy, webs, world, plan_of, seaweedfs, folder, worker) -> None:
    session = browser(BROWSER, caddy.root_ca)
    _sign_in(session, caddy.url, world.employee.email, PASSWORD)
    pdf_page = f"{caddy.url}/plans/{plan_of.plan.uuid}/pdf/"
    requested = session.post(
        pdf_page,
        data={"csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": pdf_page},
        allow_redirects=False,
        timeout=30,
    )
    assert requested.status_code == 302, requested.text[:500]
    export = wait_until(
        lambda: PlanExport.objects.filter(plan=plan_of.plan, status=PlanExport.Status.DONE).first(),
        what="the worker to make the PDF",
        timeout=60,
        details=worker.log,
    )
    assert seaweedfs.keys(folder) == [export.file.name]
    stored = seaweedfs.read(folder, export.file.name)
    # The same download from each web instance (as Caddy would send it to either).
    for web in webs:
        response = requests.get(
            f"{web.url}/plans/{plan_of.plan.uuid}/pdf/?download=1",
            cookies={"sessionid": session.cookies["sessionid"]},
            headers={
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": BROWSER,
                "Host": f"localhost:{caddy.https_port}",
            },
            timeout=30,
        )
        assert response.status_code == 200, (web.url, response.status_code)
        assert response.content == stored
    assert "Twintig cliënten begeleiden met beeldzorg" in pdf_text(stored)
    colleague = browser(BROWSER, caddy.root_ca)
    assert _sign_in(colleague, caddy.url, world.colleague.email, PASSWORD).status_code == 302
    other = colleague.get(f"{pdf_page}?download=1", timeout=30)
    assert other.status_code == 404
    print(
        f"topology: PDF made by the worker into the bucket as {export.file.name} "
        f"({len(stored)} bytes); the same bytes from both web instances; a colleague: 404"
    )


def _check_beat_and_metrics(caddy: Caddy, beat: Beat, worker: CeleryWorker) -> None:
    worker.wait_for_log("conversations.tasks.reminders_sweep", timeout=60)
    wait_until(beat.healthy, what="beat's health check to pass", timeout=60)
    metrics = requests.get(
        f"{caddy.url}/metrics",
        headers={"Authorization": f"Bearer {METRICS_TOKEN}"},
        verify=str(caddy.root_ca),
        timeout=10,
    )
    assert metrics.status_code == 200
    # Counted by the worker in the shared cache, reported by a web instance.
    assert 'pop_celery_tasks_total{outcome="succeeded",task="plans.tasks.plan_render_pdf"} 1.0' in (
        metrics.text
    )
    assert "django_http_requests_total_by_method_total" in metrics.text
    sweeps = worker.log().count("conversations.tasks.reminders_sweep")
    print(
        f"topology: beat ticking (health check passes), {sweeps} sweep lines in the worker's "
        "log; /metrics through Caddy counts the worker's PDF task"
    )


def _check_json_logs(webs: list[WebServer], world) -> None:
    """One JSON object per line: time, level, logger, request id, the person's public id
    (never their name or e-mail address) and the request's duration."""
    lines = [line for web in webs for line in web.log().splitlines() if line.startswith("{")]
    events = [json.loads(line) for line in lines]
    finished = [e for e in events if e.get("event") == "request_finished"]
    mine = [e for e in finished if e.get("user_id") == str(world.employee.uuid)]
    assert mine, "no request of the employee's in the logs"
    for event in mine:
        assert {"time", "level", "logger", "request_id", "duration_ms", "code"} <= set(event)
    text = "\n".join(web.log() for web in webs)
    for personal in (world.employee.email, world.employee.full_name, world.manager.email):
        assert personal not in text
    print(f"topology: {len(events)} JSON log lines, {len(finished)} requests, no names or e-mail")


def _check_one_web_instance_killed(caddy: Caddy, web: WebServer) -> None:
    port = web.port
    web.kill()

    def gone() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) != 0

    wait_until(gone, what="the killed instance's port to close")
    answers = [
        requests.get(
            f"{caddy.url}/accounts/login/", verify=str(caddy.root_ca), timeout=30
        ).status_code
        for _ in range(20)
    ]
    assert answers == [200] * 20  # Caddy tried the other instance at once
    print(f"topology: web instance on port {port} killed; 20 requests through Caddy: {answers}")
