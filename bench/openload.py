"""An open-loop load generator (wrk2-style constant throughput) for ``make load``.

Usage (``bench/loadtest.py`` calls it): ``openload.py BASE_URL`` reads a JSON plan on stdin::

    {"rate": 200, "warmup": 15, "seconds": 60, "timeout": 30, "max_in_flight": 2000,
     "people": [{"email": ..., "password": ..., "role": "employee", "urls": {...}}, ...],
     "mix": [{"label": "/ (employee)", "role": "employee", "weight": 14,
              "url": "home", "htmx": false, "edit": false}, ...]}

signs every person in through the sign-in page, then sends requests at a constant rate:
request number *i* is due at ``start + i / rate``, whether or not earlier requests have
been answered (open loop: a slow server does not slow the generator down, so queueing
shows up in the latencies instead of hiding in a lower request rate). Each request is a
random pick from the weighted ``mix``, for a random signed-in person of its role; ``url``
names one of that person's URLs (``urls[name]`` is one URL or a list to pick from).

Latency is counted from the moment a request was due, not from when it was sent
(no coordinated omission). An ``edit`` entry is htmx editing: it fetches the edit form
(one request) and posts a change with the form's version and CSRF token (the next
request); the two take two slots of the schedule, so the rate stays constant.

Every request carries ``X-Load: <w|m>:<label>`` (warm-up or measured) so the server's
access log gives its own time per label. Prints JSON results on stdout.
Only 127.0.0.1 is allowed; the run is bounded in time (warm-up + seconds + timeout).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import re
import sys
import time
import urllib.parse
from dataclasses import dataclass, field

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(rb'name="version" value="(\d+)"')
FORM_ACTION = re.compile(rb'<form[^>]* action="([^"]+/edit/)"')


class HttpError(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass
class Connection:
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter


class Client:
    """HTTP/1.1 over asyncio streams, with a pool of keep-alive connections."""

    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.idle: list[Connection] = []

    async def _connect(self) -> Connection:
        reader, writer = await asyncio.open_connection(self.host, self.port)
        return Connection(reader, writer)

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> Response:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        # A pooled connection may have been closed by the server meanwhile: retry once on a
        # new one (only when nothing came back, so no request is ever sent twice).
        for attempt in (1, 2):
            connection = self.idle.pop() if self.idle and attempt == 1 else await self._connect()
            try:
                connection.writer.write(raw)
                await connection.writer.drain()
                response, keep = await self._read(connection.reader)
            except (ConnectionError, asyncio.IncompleteReadError, HttpError) as failure:
                connection.writer.close()
                if attempt == 2 or isinstance(failure, HttpError):
                    raise
                continue
            except BaseException:  # cancelled (time-out): the connection is in an unknown state
                connection.writer.close()
                raise
            if keep:
                self.idle.append(connection)
            else:
                connection.writer.close()
            return response
        raise HttpError("unreachable")

    async def _read(self, reader: asyncio.StreamReader) -> tuple[Response, bool]:
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise HttpError(f"bad status line {status_line!r}")
        status = int(parts[1])
        headers = []
        for line in header_lines:
            if line:
                name, _, value = line.partition(":")
                headers.append((name.strip().lower(), value.strip()))
        values = dict(headers)
        keep = values.get("connection", "").lower() != "close"
        if "content-length" in values:
            body = await reader.readexactly(int(values["content-length"]))
        elif values.get("transfer-encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    break
                chunks.append(chunk[:-2])
            body = b"".join(chunks)
        else:
            body, keep = await reader.read(), False
        return Response(status, headers, body), keep


@dataclass
class Person:
    email: str
    password: str
    role: str
    urls: dict
    cookies: dict[str, str] = field(default_factory=dict)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept-Language": "nl", "User-Agent": "pop-openload"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def remember(self, response: Response) -> None:
        for name, value in response.headers:
            if name == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]

    def url(self, name: str, rng: random.Random) -> str:
        value = self.urls[name]
        return rng.choice(value) if isinstance(value, list) else value


async def sign_in(client: Client, person: Person) -> None:
    page = await client.request("GET", "/accounts/login/", person.headers())
    person.remember(page)
    token = CSRF.search(page.body)
    if page.status != 200 or token is None:
        raise SystemExit(f"the sign-in page answered {page.status}")
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": person.email,
         "password": person.password}
    ).encode()  # fmt: skip
    headers = person.headers({"Content-Type": "application/x-www-form-urlencoded"})
    answer = await client.request("POST", "/accounts/login/", headers, body)
    person.remember(answer)
    if answer.status != 302 or "sessionid" not in person.cookies:
        raise SystemExit(f"signing in as {person.email} failed ({answer.status})")


def machine_ticks() -> tuple[int, int]:
    """The whole machine's busy and total CPU ticks so far (``/proc/stat``)."""
    with open("/proc/stat") as stat:
        fields = [int(value) for value in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def tree_ticks(root_pid: int) -> int:
    """CPU ticks used so far by a process and its direct children (gunicorn's workers)."""
    total = 0
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as stat:
                parts = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if root_pid in (int(name), int(parts[1])):
            total += int(parts[11]) + int(parts[12])
    return total


def own_ticks() -> int:
    times = os.times()
    return round((times.user + times.system) * os.sysconf("SC_CLK_TCK"))


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: dict[str, dict[str, int]] = field(default_factory=dict)
    failures: dict[str, dict[str, int]] = field(default_factory=dict)

    def add(self, label: str, status: int | None, latency_ms: float, failure: str = "") -> None:
        if failure:
            bucket = self.failures.setdefault(label, {})
            bucket[failure] = bucket.get(failure, 0) + 1
            return
        self.latencies.setdefault(label, []).append(latency_ms)
        bucket = self.statuses.setdefault(label, {})
        bucket[str(status)] = bucket.get(str(status), 0) + 1


class Generator:
    def __init__(self, base: tuple[str, int], plan: dict) -> None:
        self.plan = plan
        self.client = Client(*base, timeout=plan["timeout"])
        self.people: dict[str, list[Person]] = {}
        for data in plan["people"]:
            person = Person(data["email"], data["password"], data["role"], data["urls"])
            self.people.setdefault(person.role, []).append(person)
        self.mix = plan["mix"]
        self.weights = [entry["weight"] for entry in self.mix]
        self.rng = random.Random(plan.get("seed", 2026))
        self.stats = {"w": Stats(), "m": Stats()}
        self.in_flight = 0
        self.peak_in_flight = 0
        self.sent = {"w": 0, "m": 0}
        self.late_ms: list[float] = []

    async def sign_in_everyone(self, parallel: int = 4) -> None:
        everyone = [p for group in self.people.values() for p in group]
        queue = list(everyone)

        async def worker() -> None:
            while queue:
                await sign_in(self.client, queue.pop())

        await asyncio.gather(*(worker() for _ in range(parallel)))

    async def _timed(self, phase: str, label: str, due: float, coroutine) -> Response | None:
        headers_label = f"{phase}:{label}"
        try:
            response = await asyncio.wait_for(coroutine(headers_label), self.plan["timeout"])
        except TimeoutError:
            self.stats[phase].add(label, None, 0, "timeout")
            return None
        except (OSError, asyncio.IncompleteReadError, HttpError) as failure:
            self.stats[phase].add(label, None, 0, type(failure).__name__)
            return None
        self.stats[phase].add(label, response.status, (time.perf_counter() - due) * 1000)
        return response

    async def one(self, phase: str, entry: dict, due: float) -> None:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            person = self.rng.choice(self.people[entry["role"]])
            path = person.url(entry["url"], self.rng)
            extra = {"HX-Request": "true"} if entry.get("htmx") else {}

            async def get(label_header: str) -> Response:
                headers = person.headers({**extra, "X-Load": label_header})
                response = await self.client.request("GET", path, headers)
                person.remember(response)
                return response

            label = entry["label"]
            form = await self._timed(phase, entry.get("form_label", label), due, get)
            if not entry.get("edit") or form is None or form.status != 200:
                return
            await self._post_edit(phase, entry, person, form)
        finally:
            self.in_flight -= 1

    async def _post_edit(self, phase: str, entry: dict, person: Person, form: Response) -> None:
        token, version, action = (
            CSRF.search(form.body), VERSION.search(form.body), FORM_ACTION.search(form.body)
        )  # fmt: skip
        if not (token and version and action):
            self.stats[phase].add(entry["label"], None, 0, "edit form without token or version")
            return
        text = f"{entry['text']} ({time.strftime('%H:%M:%S')}, {self.rng.randrange(10**6)})"
        body = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.group(1).decode(), "version": version.group(1).decode(),
             entry["field"]: text}
        ).encode()  # fmt: skip
        path = action.group(1).decode().replace("&amp;", "&")

        async def post(label_header: str) -> Response:
            headers = person.headers(
                {"HX-Request": "true", "X-Load": label_header,
                 "Content-Type": "application/x-www-form-urlencoded"}
            )  # fmt: skip
            response = await self.client.request("POST", path, headers, body)
            person.remember(response)
            return response

        await self._timed(phase, entry["label"], time.perf_counter(), post)

    async def run_phase(self, phase: str, seconds: float) -> float:
        rate = self.plan["rate"]
        total = round(rate * seconds)
        tasks: set[asyncio.Task] = set()
        start = time.perf_counter() + 0.05
        slot = 0
        while slot < total:
            due = start + slot / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if phase == "m":
                self.late_ms.append(max(0.0, (time.perf_counter() - due) * 1000))
            entry = self.rng.choices(self.mix, self.weights)[0]
            slot += 2 if entry.get("edit") else 1  # an edit sends two requests
            if self.in_flight >= self.plan["max_in_flight"]:
                self.stats[phase].add(entry["label"], None, 0, "too many requests in flight")
                continue
            self.sent[phase] += 2 if entry.get("edit") else 1
            task = asyncio.create_task(self.one(phase, entry, due))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        sending_ended = time.perf_counter()
        if tasks:
            await asyncio.wait(tasks, timeout=self.plan["timeout"] + 5)
        return sending_ended - start

    async def run(self) -> dict:
        started = time.perf_counter()
        await self.sign_in_everyone()
        signed_in = time.perf_counter() - started
        await self.run_phase("w", self.plan["warmup"])
        self.peak_in_flight = 0
        server_pid = self.plan.get("server_pid", 0)
        busy, total = machine_ticks()
        server, own = tree_ticks(server_pid), own_ticks()
        measured_started = time.perf_counter()
        sending = await self.run_phase("m", self.plan["seconds"])
        elapsed = time.perf_counter() - measured_started
        busy_after, total_after = machine_ticks()
        tick = os.sysconf("SC_CLK_TCK")
        stats = self.stats["m"]
        return {
            "signed_in": sum(len(group) for group in self.people.values()),
            "sign_in_seconds": signed_in,
            "sent": self.sent["m"],
            "sending_seconds": sending,
            "elapsed_seconds": elapsed,
            "peak_in_flight": self.peak_in_flight,
            "machine_busy": (busy_after - busy) / max(1, total_after - total),
            "server_cores": (tree_ticks(server_pid) - server) / tick / elapsed,
            "generator_cores": (own_ticks() - own) / tick / elapsed,
            "late_ms": self.late_ms,
            "latencies_ms": stats.latencies,
            "statuses": stats.statuses,
            "failures": stats.failures,
            "warmup_statuses": self.stats["w"].statuses,
            "warmup_failures": self.stats["w"].failures,
        }


def main() -> None:
    url = urllib.parse.urlsplit(sys.argv[1])
    if url.hostname != "127.0.0.1":
        raise SystemExit("The load generator only talks to 127.0.0.1.")
    plan = json.load(sys.stdin)
    generator = Generator((url.hostname, url.port or 80), plan)
    results = asyncio.run(generator.run())
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
