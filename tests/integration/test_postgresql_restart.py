"""PostgreSQL restarted under load: the application survives it without a restart.

A throwaway PostgreSQL cluster (``initdb`` on a free port) holds a copy of the test
database. gunicorn serves the application from it with production settings and
persistent connections (``CONN_MAX_AGE`` 60 s, ``CONN_HEALTH_CHECKS`` on), a Celery
worker works from it, and a thread keeps sending signed-in requests: pages, and now and
then a colleague asking for a conversation (which the worker e-mails to the manager).
PostgreSQL is stopped — once in ``fast`` mode (sessions ended, as an administrator's
restart), once in ``immediate`` mode (as a crash: recovery on start) — and started
again. While it is down, people get the Dutch "temporarily unavailable" page with status
503; once it is up again every request succeeds, with the same gunicorn and Celery
processes, and every request for a conversation that was saved is e-mailed once.
"""

from __future__ import annotations

import http.client
import os
import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import psycopg2
import pytest
from django.conf import settings

from tests.conftest import client_for

from .conftest import worker_env
from .harness import (
    CeleryWorker,
    PostgresServer,
    WebServer,
    copy_database,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

UNAVAILABLE = "POP Platform is tijdelijk niet beschikbaar"
#: The CSRF secret the traffic sends as cookie and header (any 32 letters and digits).
CSRF = "faultsfaultsfaultsfaultsfaults32"
#: What each kind of request answers when all is well.
ANSWER = {"GET": 200, "POST": 302}
#: 503s to see during each outage before PostgreSQL is started again.
OUTAGE_503S = 3
#: ``make faults`` raises these: successful requests to see before the first outage and
#: after each one, rounds of (fast, immediate) restarts, threads sending requests.
SETTLED = int(os.environ.get("POP_FAULTS_REQUESTS", "15"))
ROUNDS = int(os.environ.get("POP_FAULTS_ROUNDS", "1"))
THREADS = int(os.environ.get("POP_FAULTS_THREADS", "1"))


@dataclass(frozen=True)
class Exchange:
    started: float
    finished: float
    method: str
    path: str
    status: int | None  # None: no HTTP answer at all
    unavailable_page: bool  # the Dutch 503 page, with Retry-After
    note: str = ""  # the request for a conversation's note (POSTs)
    error: str = ""


class Traffic:
    """Signed-in requests one after the other from each of ``threads`` threads: the
    employee's pages, and every fourth request the colleague asking for a conversation
    (note "Verzoek <thread>-<number>")."""

    def __init__(
        self, port: int, *, employee: str, colleague: str, plan_path: str, threads: int = 1
    ) -> None:
        self.port = port
        self.cookies = {
            "employee": f"sessionid={employee}; csrftoken={CSRF}",
            "colleague": f"sessionid={colleague}; csrftoken={CSRF}",
        }
        self.pages = ["/", plan_path, "/conversations/"]
        self._exchanges: list[Exchange] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(number,), daemon=True)
            for number in range(1, threads + 1)
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            if thread.is_alive():
                thread.join(timeout=30)

    @property
    def exchanges(self) -> list[Exchange]:
        with self._lock:
            return sorted(self._exchanges, key=lambda exchange: exchange.started)

    def count(self, condition: Callable[[Exchange], bool]) -> int:
        return sum(1 for exchange in self.exchanges if condition(exchange))

    def _run(self, thread: int) -> None:
        number = 0
        while not self._stop.is_set():
            number += 1
            if number % 4 == 0:
                note = f"Verzoek {thread}-{number}"
                body = f"mode=request&kind=check_in&note={quote(note)}"
                self._send("POST", "/conversations/new/", "colleague", body, note)
            else:
                self._send("GET", self.pages[number % 4 % 3], "employee")

    def _send(self, method: str, path: str, who: str, body: str = "", note: str = "") -> None:
        headers = {"Cookie": self.cookies[who], "Accept-Language": "nl"}
        if method == "POST":
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "X-CSRFToken": CSRF,
            }
        started = time.monotonic()
        status, unavailable, error = None, False, ""
        client = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            client.request(method, path, body=body or None, headers=headers)
            response = client.getresponse()
            page = response.read().decode(errors="replace")
            status = response.status
            unavailable = (
                status == 503 and UNAVAILABLE in page and response.getheader("Retry-After")
            )
            if status != ANSWER[method] and not unavailable:
                error = page[:500]
        except (OSError, http.client.HTTPException) as exception:
            error = repr(exception)
        finally:
            client.close()
        with self._lock:
            self._exchanges.append(
                Exchange(
                    started, time.monotonic(), method, path, status, bool(unavailable), note, error
                )
            )


@pytest.fixture
def postgresql_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    try:
        server.init()
        server.start()
        yield server
    finally:
        server.close()


@dataclass(frozen=True)
class Outage:
    mode: str
    stopping: float  # pg_ctl stop was called
    started: float  # pg_ctl start returned: PostgreSQL accepts connections
    requests: int  # sent in between


def _outage(server: PostgresServer, traffic: Traffic, mode: str) -> Outage:
    """Stop PostgreSQL in ``mode``; start it again once the traffic has met the outage,
    and wait until requests succeed again."""
    stopping = time.monotonic()
    server.stop(mode=mode)
    stopped = time.monotonic()
    wait_until(
        lambda: traffic.count(lambda e: e.started >= stopped and e.status == 503) >= OUTAGE_503S,
        what=f"{OUTAGE_503S} requests to meet the stopped database",
        timeout=30,
    )
    server.start()
    started = time.monotonic()
    wait_until(
        lambda: (
            traffic.count(lambda e: e.started >= started and e.status == ANSWER[e.method])
            >= SETTLED
        ),
        what="requests to succeed again",
        timeout=30,
    )
    return Outage(mode, stopping, started, traffic.count(lambda e: stopping <= e.started < started))


def test_a_postgresql_restart_under_load_is_survived_without_restarting_anything(
    world, postgresql, postgresql_server, broker, smtp_server, media_root, tmp_path
):
    plan_path = f"/plans/{_plan_uuid(world)}/"
    sessions = {
        name: client_for(person).cookies["sessionid"].value
        for name, person in (("employee", world.employee), ("colleague", world.colleague))
    }
    database = copy_database(postgresql, postgresql_server, "pop_restart")
    env = worker_env(
        database_url=database, broker_url=broker.url, smtp=smtp_server, media_root=media_root
    )
    env |= {
        "DJANGO_SETTINGS_MODULE": "tests.integration.web_settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,  # the sessions were signed with it
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_CONN_MAX_AGE": "60",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    web = WebServer(env=env, log_path=tmp_path / "gunicorn.log")
    worker = CeleryWorker(env=env, log_path=tmp_path / "celery-worker.log", concurrency=1)
    traffic = Traffic(web.port, plan_path=plan_path, threads=THREADS, **sessions)
    try:
        web.start()
        worker.start()
        web_workers, celery_processes = web.workers(), worker.processes()
        traffic.start()
        wait_until(
            lambda: traffic.count(lambda e: e.status == ANSWER[e.method]) >= SETTLED,
            what="the traffic to flow",
            details=web.log,
        )
        outages = [
            _outage(postgresql_server, traffic, mode)
            for _round in range(ROUNDS)
            for mode in ("fast", "immediate")
        ]
        traffic.stop()
        assert web.workers() == web_workers, "a gunicorn worker was replaced"
        assert worker.processes() == celery_processes, "the Celery worker restarted"
        exchanges = traffic.exchanges
        _check_every_answer(exchanges, outages, web)
        saved = _check_each_saved_request_is_emailed_once(database, exchanges, smtp_server, worker)
    finally:
        traffic.stop()
        web.stop()
        worker.close()

    statuses = Counter(e.status for e in exchanges)
    # Saved, but the database went away before the answer (the 503 page asks to check).
    saved_on_503 = len(set(saved) - {e.note for e in exchanges if e.status == 302})
    seconds = exchanges[-1].finished - exchanges[0].started
    report = "; ".join(
        f"{o.mode}: down {o.started - o.stopping:.1f} s, {o.requests} requests meanwhile"
        for o in outages
    )
    print(
        f"\nPostgreSQL restarts under load ({THREADS} thread(s), {seconds:.0f} s): "
        f"{len(exchanges)} requests, statuses {dict(sorted(statuses.items()))}; {report}; "
        f"{len(saved)} requests for a conversation saved ({saved_on_503} of them answered "
        "503) and e-mailed once each; "
        "gunicorn and Celery not restarted"
    )


def _plan_uuid(world) -> str:
    from plans.services import plan_get_or_create

    return str(plan_get_or_create(employee=world.employee).uuid)


def _check_every_answer(exchanges: list[Exchange], outages: list[Outage], web: WebServer) -> None:
    unanswered = [e for e in exchanges if e.status is None]
    assert unanswered == [], unanswered[:3]
    # A page is 200, a request for a conversation redirects to it (302); or 503.
    wrong = [e for e in exchanges if e.status not in (ANSWER[e.method], 503)]
    assert wrong == [], [(e.method, e.path, e.status, e.error[:300]) for e in wrong[:3]]
    assert all(e.unavailable_page for e in exchanges if e.status == 503)
    ends = [outage.stopping for outage in outages[1:]] + [float("inf")]
    for outage, until in zip(outages, ends, strict=True):
        met = [e for e in exchanges if outage.stopping <= e.started < outage.started]
        assert any(e.status == 503 for e in met), outage
        # Up again: every request succeeds (that was answered before the next outage).
        after = [e for e in exchanges if outage.started <= e.started and e.finished < until]
        failed = [e for e in after if e.status != ANSWER[e.method]]
        assert after and not failed, (outage, failed, outages)


def _check_each_saved_request_is_emailed_once(
    database: str, exchanges: list[Exchange], smtp_server, worker: CeleryWorker
) -> list[str]:
    """Every request for a conversation that was saved is e-mailed to the manager exactly
    once, also those whose e-mail the worker sent while the database was away."""
    with psycopg2.connect(database) as db, db.cursor() as cursor:
        cursor.execute(
            "SELECT m.context->>'note' FROM people_outgoingmessage m"
            " WHERE m.kind = 'conversation_requested' AND m.channel = 'in_app'"
        )
        saved = sorted(body for (body,) in cursor.fetchall())
    answered = {e.note for e in exchanges if e.note and e.status == 302}
    assert answered <= set(saved)  # every request that was answered "done" was saved
    smtp_server.wait_for_messages(len(saved), timeout=60, details=worker.log)

    def emailed() -> Counter:
        return Counter(
            match.group(0)
            for message in smtp_server.messages
            if (match := re.search(r"Verzoek \d+-\d+", message.text))
        )

    wait_until(lambda: set(emailed()) == set(saved), what="every request e-mailed", timeout=60)
    assert emailed() == dict.fromkeys(saved, 1)
    return saved
