"""Real services for integration tests: an SMTP server, a Celery worker, a Redis server,
a PostgreSQL cluster and a gunicorn web server.

The fixtures in ``conftest.py`` build these; the classes are here so that other test
packages can use them too. Nothing here sleeps to wait for a result: ``wait_until``
polls a condition with a deadline.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.policy
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def wait_until(
    condition: Callable[[], T],
    *,
    what: str,
    timeout: float = 15.0,
    interval: float = 0.05,
    details: Callable[[], str] | None = None,
) -> T:
    """Poll ``condition`` until it returns something truthy, and return that.

    After ``timeout`` seconds the test fails with ``what`` (and ``details()``, e.g. the
    worker's log) in the message.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details else ""
            raise AssertionError(f"Timed out after {timeout} s waiting for {what}.{extra}")
        time.sleep(interval)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(settings_dict: Mapping[str, object]) -> str:
    """A ``DATABASE_URL`` for another process, from Django's connection settings.

    Use it after the test database exists, so ``NAME`` is the test database.
    """
    user = quote(str(settings_dict.get("USER") or ""), safe="")
    password = quote(str(settings_dict.get("PASSWORD") or ""), safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or 5432
    name = quote(str(settings_dict["NAME"]), safe="")
    return f"postgres://{credentials}{host}:{port}/{name}"


# --- SMTP ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedEmail:
    """One message the SMTP server accepted, parsed."""

    envelope_from: str
    envelope_to: tuple[str, ...]
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> list[str]:
        return [address.addr_spec for address in self.message["To"].addresses]

    @property
    def text(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None, "the message has no plain-text part"
        return part.get_content()

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        assert part is not None, "the message has no HTML part"
        return part.get_content()

    @property
    def attachments(self) -> list[tuple[str | None, str, bytes]]:
        """``(filename, content type, content)`` of each attachment."""
        return [
            (part.get_filename(), part.get_content_type(), part.get_payload(decode=True))
            for part in self.message.iter_attachments()
        ]


class _Handler:
    """aiosmtpd handler: collects messages; can hold every session at RCPT TO."""

    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        gate = self.server._gate
        if not gate.is_set():
            self.server._session_held(+1)
            try:
                # Poll: a blocking wait would stop the whole event loop (all sessions).
                while not gate.is_set():
                    await asyncio.sleep(0.02)
            finally:
                # Also when the client went away: aiosmtpd cancels this coroutine.
                self.server._session_held(-1)
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.server._received(
            ReceivedEmail(
                envelope_from=envelope.mail_from,
                envelope_to=tuple(envelope.rcpt_tos),
                message=message,
            )
        )
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

    ``hold()`` makes each new session wait at ``RCPT TO`` — the client is in the middle
    of sending and the server has not accepted the message — until ``release()``.
    ``stop()`` and ``start()`` take it off and back on the same port.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self._lock = threading.Lock()
        self._messages: list[ReceivedEmail] = []
        self._held_now = 0
        self._held_total = 0
        self._gate = threading.Event()
        self._gate.set()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def start(self) -> None:
        assert self._controller is None, "the SMTP server is already running"
        controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def hold(self) -> None:
        self._gate.clear()

    def release(self) -> None:
        self._gate.set()

    @property
    def held(self) -> int:
        """Sessions waiting at the gate right now."""
        with self._lock:
            return self._held_now

    @property
    def held_total(self) -> int:
        """Sessions that were ever held (since the server object was made)."""
        with self._lock:
            return self._held_total

    @property
    def messages(self) -> list[ReceivedEmail]:
        with self._lock:
            return list(self._messages)

    def wait_for_messages(
        self, count: int, *, timeout: float = 15.0, details: Callable[[], str] | None = None
    ) -> list[ReceivedEmail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        return wait_until(
            lambda: len(self.messages) >= count and self.messages,
            what=f"{count} e-mail(s) at the SMTP server",
            timeout=timeout,
            details=details,
        )

    def _session_held(self, change: int) -> None:
        with self._lock:
            self._held_now += change
            self._held_total += max(change, 0)

    def _received(self, received: ReceivedEmail) -> None:
        with self._lock:
            self._messages.append(received)


# --- Redis -----------------------------------------------------------------------------


class Broker:
    """The Redis database the integration worker and the test process share."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.client = redis.Redis.from_url(url)

    def flush(self) -> None:
        self.client.flushdb()

    def pending(self) -> int:
        """Task messages waiting in a queue or taken by a worker and not yet acknowledged.

        Kombu keeps each queue as a list (one per priority) and taken messages in the
        ``unacked`` hash until the worker acknowledges them.
        """
        queued = sum(
            self.client.llen(key)
            for key in self.client.scan_iter(match="celery*")
            if self.client.type(key) == b"list"
        )
        return queued + self.client.hlen("unacked")

    def wait_until_idle(
        self, *, timeout: float = 15.0, details: Callable[[], str] | None = None
    ) -> None:
        """Every task message has been handled and acknowledged."""
        wait_until(
            lambda: self.pending() == 0,
            what="the broker to have no queued or unacknowledged tasks",
            timeout=timeout,
            details=details,
        )

    def close(self) -> None:
        self.client.close()


class RedisServer:
    """A throwaway ``redis-server`` on a free port, owned by the test, to stop at will."""

    def __init__(self, log_path: Path) -> None:
        self.port = free_port()
        self.log_path = log_path
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self._process is None, "redis-server is already running"
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                [
                    "redis-server",
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--daemonize",
                    "no",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        try:
            wait_until(self._answers(client), what=f"redis-server on port {self.port}")
        finally:
            client.close()

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None

    def _answers(self, client: redis.Redis) -> Callable[[], bool]:
        def ping() -> bool:
            assert self._process is not None
            if self._process.poll() is not None:
                raise AssertionError(f"redis-server exited: {self.log_path.read_text()}")
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        return ping


# --- Celery ----------------------------------------------------------------------------


def _stat(pid: int) -> tuple[str, int] | None:
    """``(state, process group)`` of a process, or None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid pgrp ...": comm may hold spaces, so split after ")".
    state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
    return state, int(pgrp)


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _live_processes_in_group(group: int) -> list[int]:
    """Process ids in process group ``group`` that still run."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))):
            state, pgrp = stat
            if pgrp == group and state != "Z":
                alive.append(int(entry.name))
    return alive


class CeleryWorker:
    """``celery -A pop_platform worker`` as a subprocess in its own process group.

    ``start()`` waits until the worker says it is ready; ``kill()`` sends SIGKILL to the
    whole group (main process and pool children) and waits until all are gone;
    ``stop()`` asks for a warm shutdown. ``log()`` is everything every run printed.
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        concurrency: int = 2,
        command: list[str] | None = None,
    ) -> None:
        self.env = dict(env)
        self.log_path = log_path
        self.concurrency = concurrency
        self.command = command  # instead of the test worker's (e.g. docker-compose.yml's)
        self.runs = 0
        self._process: subprocess.Popen | None = None

    @property
    def running(self) -> bool:
        return self._process is not None

    def processes(self) -> list[int]:
        """The worker's live processes: the main process and its pool children (not what
        those may start themselves)."""
        if self._process is None:
            return []
        main = self._process.pid
        return sorted(
            pid for pid in _live_processes_in_group(main) if pid == main or _parent(pid) == main
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, *, timeout: float = 30.0) -> None:
        assert self._process is None, "the worker is already running"
        self.runs += 1
        offset = len(self.log())
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pop_platform",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=INFO",
            f"--hostname=integration-{os.getpid()}-{self.runs}@%h",
        ]
        if self.command is not None:
            command = [*self.command, f"--hostname=integration-{os.getpid()}-{self.runs}@%h"]
        with self.log_path.open("a") as log:
            log.write(f"\n===== worker run {self.runs}: {' '.join(command)}\n")
            log.flush()
            self._process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, for kill()
            )

        def ready() -> bool:
            assert self._process is not None
            if self._process.poll() is not None:
                self._process = None
                raise AssertionError(f"The Celery worker exited while starting:\n{self.log()}")
            return " ready." in self.log()[offset:]

        wait_until(ready, what="the Celery worker to be ready", timeout=timeout, details=self.log)

    def kill(self) -> None:
        """SIGKILL the main process and every pool child at once, as a crash would."""
        assert self._process is not None, "the worker is not running"
        group = self._process.pid
        with contextlib.suppress(ProcessLookupError):  # the whole group had exited
            os.killpg(group, signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None
        wait_until(
            lambda: not _live_processes_in_group(group),
            what="every process of the killed worker to be gone",
            timeout=10,
        )

    def stop(self, *, timeout: float = 20.0) -> None:
        """Warm shutdown: finish the running tasks, then exit. SIGKILL if it hangs."""
        if self._process is None:
            return
        group = self._process.pid
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None
        wait_until(
            lambda: not _live_processes_in_group(group),
            what="every process of the stopped worker to be gone",
            timeout=10,
        )

    def wait_for_log(self, text: str, *, count: int = 1, timeout: float = 15.0) -> None:
        """Wait until ``text`` appears ``count`` times in the log (all runs together)."""
        wait_until(
            lambda: self.log().count(text) >= count,
            what=f"{count}× {text!r} in the worker's log",
            timeout=timeout,
            details=self.log,
        )

    def close(self) -> None:
        """Leave nothing behind: SIGKILL whatever still runs."""
        if self._process is not None:
            self.kill()


# --- PostgreSQL ------------------------------------------------------------------------


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: as root, run ``command`` as the postgres user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PostgresServer:
    """A throwaway PostgreSQL cluster of its own (``initdb``) on a free port, to stop and
    start at will; never the machine's own PostgreSQL. ``stop(mode=…)`` takes pg_ctl's
    shutdown modes: ``fast`` (ends every session, like a restart by an administrator)
    and ``immediate`` (like a crash: recovery on the next start)."""

    def __init__(self) -> None:
        self.port = free_port()
        # A folder of its own that the postgres user may enter (pytest's tmp_path is
        # root's only).
        self.folder = Path(tempfile.mkdtemp(prefix="pop-test-postgresql-"))
        self.data = self.folder / "data"
        self.log_path = self.folder / "postgresql.log"
        self.running = False
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def init(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            # Fast, and safe as long as the machine itself does not crash.
            "-c fsync=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "start", "-w", "-t", "60", "-D", str(self.data),
                  "-l", str(self.log_path), "-o", options)  # fmt: skip
        self.running = True

    def stop(self, *, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-t", "60", "-m", mode, "-D", str(self.data))
        self.running = False

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def close(self) -> None:
        if self.running:
            self.stop(mode="immediate")
        shutil.rmtree(self.folder, ignore_errors=True)

    def _run(self, *command: str) -> None:
        result = subprocess.run(
            _as_postgres(list(command)), capture_output=True, text=True, timeout=90
        )
        if result.returncode != 0:
            raise AssertionError(
                f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}{self.log()}"
            )


def copy_database(source_url: str, target: PostgresServer, name: str) -> str:
    """Create database ``name`` on ``target`` with everything in ``source_url`` (schema
    and committed rows); returns its URL."""
    create = subprocess.run(
        ["psql", target.url(), "-q", "-c", f'CREATE DATABASE "{name}"'],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert create.returncode == 0, create.stderr
    dump = subprocess.Popen(
        ["pg_dump", "--no-owner", "--no-privileges", source_url], stdout=subprocess.PIPE
    )
    restore = subprocess.run(
        ["psql", target.url(name), "-q", "-v", "ON_ERROR_STOP=1"],
        stdin=dump.stdout, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert dump.stdout is not None
    dump.stdout.close()
    assert dump.wait(timeout=60) == 0 and restore.returncode == 0, restore.stderr
    return target.url(name)


# --- Web server ------------------------------------------------------------------------


class WebServer:
    """``gunicorn`` serving the application on a free port, in its own process group.

    ``workers()`` are the ids of its worker processes (a crashed worker is replaced by
    one with a new id)."""

    def __init__(
        self,
        *,
        env: Mapping[str, str],
        log_path: Path,
        workers: int = 2,
        command: list[str] | None = None,
    ) -> None:
        self.port = free_port()
        self.env = dict(env)
        self.log_path = log_path
        self.worker_count = workers
        # Instead of the test server's: ``{port}`` stands for this server's port.
        self.command = command
        self._process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def workers(self) -> list[int]:
        """The arbiter's children (not what they may start themselves)."""
        assert self._process is not None
        arbiter = self._process.pid
        return sorted(pid for pid in _live_processes_in_group(arbiter) if _parent(pid) == arbiter)

    def start(self, *, timeout: float = 30.0) -> None:
        command = [
            sys.executable, "-m", "gunicorn", "pop_platform.wsgi:application",
            "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.worker_count),
            "--timeout", "30", "--graceful-timeout", "5",
        ]  # fmt: skip
        if self.command is not None:
            command = [part.replace("{port}", str(self.port)) for part in self.command]
        with self.log_path.open("a") as log:
            self._process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip

        def answers() -> bool:
            assert self._process is not None
            if self._process.poll() is not None:
                raise AssertionError(f"gunicorn exited while starting:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
            except OSError:
                return False
            return len(self.workers()) == self.worker_count

        wait_until(answers, what="gunicorn to listen", timeout=timeout, details=self.log)

    def kill(self) -> None:
        """SIGKILL the whole server (arbiter and workers), as a machine that dies."""
        assert self._process is not None
        os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait(timeout=10)
        self._process = None

    def stop(self) -> None:
        if self._process is None:
            return
        group = self._process.pid
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGTERM)
        try:
            self._process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self._process.wait(timeout=10)
        self._process = None
