"""``make load``: 200 requests per second of mixed signed-in traffic for 60 s against the
10,000-person demo, open loop; writes ``bench/load-results.md``. Not part of ``make test``.

Steps:

1. The throwaway database of ``make bench`` (``BENCH_DATABASE_URL``; only ``pop_bench*``
   names are ever dropped): recreated, migrated, seeded with ``seed_demo --people 10000``
   and analysed (``LOAD_REUSE=true`` keeps a database seeded by an earlier run).
2. ``bench/load_setup.py`` picks the people who sign in (employees, managers, HR) and the
   URLs that are theirs (own plan, goals, conversations, reports' plans).
3. gunicorn serves the app as in production (``gunicorn.conf.py``, ``DJANGO_DEBUG=false``,
   persistent database connections) on 127.0.0.1:8099.
4. ``bench/openload.py`` signs everyone in through the sign-in page, warms up for
   ``LOAD_WARMUP`` s and then offers ``LOAD_RATE`` requests per second for ``LOAD_SECONDS``
   s from the weighted ``MIX`` below, whatever the server's speed (open loop).
5. Results per page: client latency (from when the request was due) and server time
   (gunicorn's ``%(D)s``), status codes, failures; the machine's CPU use meanwhile.

Passes (exit 0) when the achieved rate is at least 99 % of the offered rate and there are
no server errors, no unexpected client errors (every request in the mix answers 200) and
no failed requests (time-outs, refused connections).
"""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import psycopg2
from run import (
    BASE,
    CACHE_URL,
    DATABASE_URL,
    PEOPLE,
    PORT,
    PYTHON,
    ROOT,
    environment,
    manage,
    percentile,
    recreate_database,
    shared_cache_environment,
)

RATE = float(os.environ.get("LOAD_RATE", "200"))
SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
WARMUP = float(os.environ.get("LOAD_WARMUP", "15"))
TIMEOUT = float(os.environ.get("LOAD_TIMEOUT", "30"))
# More requests than this waiting for an answer means the server is overloaded: further
# ones are not sent (and count as failed) rather than piling up behind the queue.
MAX_IN_FLIGHT = int(os.environ.get("LOAD_MAX_IN_FLIGHT", str(int(RATE * 2))))
REUSE = os.environ.get("LOAD_REUSE", "").lower() in {"1", "true", "yes"}
VAR = ROOT / "var" / "load"
RESULTS = ROOT / "bench" / "load-results.md"

# What signed-in people do, by share of requests (weights add up to 100). Every plan page
# loads its conversations fragment (htmx, on load), so both come in equal numbers. An
# ``edit`` opens the edit form of one's own ambition (htmx) and saves a change (htmx POST).
MIX = [
    # label, role, weight, URL name, extra
    ("baseline (bare signed-in view)", "employee", 2, "baseline", {}),
    ("/ (employee)", "employee", 13, "home", {}),
    ("/plans/<uuid>/ (own)", "employee", 9, "plan", {}),
    ("/conversations/plan/<uuid>/ (htmx)", "employee", 9, "plan_conversations", {"htmx": True}),
    ("/goals/ (employee)", "employee", 4, "goals_list", {}),
    ("/goals/?unit=<own team> (htmx)", "employee", 2, "team_goals", {"htmx": True}),
    ("/goals/<uuid>/", "employee", 6, "goals", {}),
    ("/conversations/ (employee)", "employee", 5, "conversations_list", {}),
    ("/conversations/<uuid>/ (employee)", "employee", 5, "conversations", {}),
    ("/notifications/", "employee", 5, "notifications", {}),
    ("POST edit own ambition (htmx)", "employee", 1, "edit_ambition", {"htmx": True, "edit": True}),
    ("/ (manager)", "manager", 5, "home", {}),
    ("/team/", "manager", 4, "team", {}),
    ("/plans/<uuid>/ (report)", "manager", 4, "report_plan", {}),
    ("/conversations/plan/<uuid>/ (htmx, report)", "manager", 4,
     "report_plan_conversations", {"htmx": True}),
    ("/goals/ (manager)", "manager", 2, "goals_list", {}),
    ("/goals/<uuid>/ (manager)", "manager", 2, "goals", {}),
    ("/conversations/<uuid>/ (manager)", "manager", 2, "conversations", {}),
    ("/notifications/ (manager)", "manager", 1, "notifications", {}),
    ("/ (HR)", "hr", 2, "home", {}),
    ("/hr/alignment/", "hr", 3, "alignment", {}),
    ("/goals/ (HR)", "hr", 1, "goals_list", {}),
    ("/goals/<uuid>/ (HR)", "hr", 1, "goals", {}),
]  # fmt: skip
COMMON_URLS = {
    "baseline": "/bench/baseline",
    "home": "/",
    "goals_list": "/goals/",
    "conversations_list": "/conversations/",
    "notifications": "/notifications/",
    "team": "/team/",
    "alignment": "/hr/alignment/",
}
EDIT_FORM_LABEL = "edit form of own ambition (htmx GET)"


def gunicorn_command(log: Path) -> list[str]:
    """The production command (``gunicorn.conf.py``), on the benchmark's port and log."""
    return [
        str(Path(PYTHON).with_name("gunicorn")),
        "pop_platform.wsgi:application",
        "--config", str(ROOT / "gunicorn.conf.py"),
        "--bind", f"127.0.0.1:{PORT}",
        "--access-logfile", str(log),
        "--access-logformat", "%({x-load}i)s|%(s)s|%(D)s|%(U)s",
    ]  # fmt: skip


def prepare_database() -> float:
    """Seed a fresh database (or keep the last one); returns the seconds it took."""
    started = time.monotonic()
    if REUSE and seeded_people() >= PEOPLE:
        print(f"Database {DATABASE_URL}: reusing the seeded {PEOPLE} people.", flush=True)
        return 0.0
    print(f"Database {DATABASE_URL}: recreating, migrating, seeding {PEOPLE} people …", flush=True)
    recreate_database()
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--people", str(PEOPLE), "--force")
    manage("collectstatic", "--noinput", "-v0")
    connection = psycopg2.connect(DATABASE_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:  # fresh planner statistics, as a live database has
        cursor.execute("VACUUM ANALYZE")
    connection.close()
    return time.monotonic() - started


def seeded_people() -> int:
    try:
        connection = psycopg2.connect(DATABASE_URL)
    except psycopg2.OperationalError:
        return 0
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM people_user")
            return cursor.fetchone()[0]
    except psycopg2.Error:
        return 0
    finally:
        connection.close()


def load_plan(people: list[dict]) -> dict:
    for person in people:
        person["urls"] = {**COMMON_URLS, **person["urls"]}
    mix = []
    for label, role, weight, url, extra in MIX:
        entry = {"label": label, "role": role, "weight": weight, "url": url, **extra}
        if extra.get("edit"):
            entry.update(
                form_label=EDIT_FORM_LABEL,
                field="employee_ambition",
                text="Ik wil de komende tijd groeien in coachend leidinggeven (belastingtest)",
            )
        mix.append(entry)
    return {
        "rate": RATE,
        "seconds": SECONDS,
        "warmup": WARMUP,
        "timeout": TIMEOUT,
        "max_in_flight": MAX_IN_FLIGHT,
        "people": people,
        "mix": mix,
    }


def server_times(log: Path) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {}
    for line in log.read_text().splitlines():
        label, _, rest = line.partition("|")
        if label.startswith("m:"):
            _status, micros = rest.split("|")[:2]
            times.setdefault(label[2:], []).append(int(micros) / 1000)
    return times


def main() -> None:
    VAR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    seed_seconds = prepare_database()
    setup = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "load_setup.py")],
        cwd=ROOT, env=environment(), check=True, capture_output=True, text=True,
    )  # fmt: skip
    people = json.loads(setup.stdout.strip().splitlines()[-1])["people"]
    plan = load_plan(people)
    log = VAR / "access.log"
    log.write_text("")
    server = subprocess.Popen(
        gunicorn_command(log), cwd=ROOT, env=shared_cache_environment(), start_new_session=True
    )
    try:
        wait_for_server(server)
        roles = Counter(person["role"] for person in people)
        print(
            f"Signing in {len(people)} people ({dict(roles)}), warming up {WARMUP:.0f} s, "
            f"then {RATE:.0f} requests/s for {SECONDS:.0f} s …",
            flush=True,
        )
        plan["server_pid"] = server.pid
        load_before = os.getloadavg()
        generator = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "openload.py"), BASE],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        out, _ = generator.communicate(json.dumps(plan), timeout=WARMUP + SECONDS + 600)
        if generator.returncode:
            raise SystemExit(f"the load generator failed ({generator.returncode})")
        results = json.loads(out)
        machine = {"load_before": load_before, "load_after": os.getloadavg()}
    finally:
        stop(server)
    passed = report(results, server_times(log), machine, seed_seconds, started)
    sys.exit(0 if passed else 1)


def wait_for_server(server: subprocess.Popen) -> None:
    import urllib.request

    for _ in range(150):
        try:
            with urllib.request.urlopen(f"{BASE}/accounts/login/", timeout=2) as response:  # noqa: S310 - fixed http URL
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    stop(server)
    raise SystemExit("gunicorn did not start")


def stop(server: subprocess.Popen) -> None:
    import signal

    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def report(results, served, machine, seed_seconds, started) -> bool:
    labels = [label for label, *_rest in MIX]
    labels.insert(labels.index("POST edit own ambition (htmx)"), EDIT_FORM_LABEL)
    rows, totals = [], Counter()
    for label in labels:
        client = results["latencies_ms"].get(label, [])
        statuses = Counter(results["statuses"].get(label, {}))
        failures = Counter(results["failures"].get(label, {}))
        server = served.get(label, [])
        totals.update(statuses)
        totals.update({"failed": sum(failures.values())})
        rows.append((label, client, statuses, failures, server))
    answered = sum(count for code, count in totals.items() if code != "failed")
    achieved = answered / results["elapsed_seconds"]
    not_sent = sum(
        count
        for failures in results["failures"].values()
        for why, count in failures.items()
        if why == "too many requests in flight"
    )
    offered = (results["sent"] + not_sent) / results["sending_seconds"]
    server_errors = sum(count for code, count in totals.items() if code.startswith("5"))
    client_errors = sum(
        count for code, count in totals.items() if code != "failed" and code != "200"
    )
    failed = totals["failed"]
    passed = achieved >= 0.99 * RATE and server_errors == 0 and client_errors == 0 and failed == 0
    everything = [value for _label, client, *_ in rows for value in client]
    all_server = [value for *_, server in rows for value in server]
    base = next(row for row in rows if row[0].startswith("baseline"))
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    late = results["late_ms"]
    lines = [
        "# Load test results",
        "",
        f"Measured {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC by `make load` "
        f"(`bench/loadtest.py`) at commit `{commit}`: **{'PASSED' if passed else 'FAILED'}**.",
        "",
        f"- Offered: {RATE:.0f} requests/s, open loop (each request sent when due, whatever "
        f"the server's speed), for {SECONDS:.0f} s after a {WARMUP:.0f} s warm-up; "
        f"{results['sent'] + not_sent} requests due ({offered:.1f}/s), {results['sent']} "
        f"sent, {not_sent} not sent (too many in flight) (the generator was late by "
        f"p50 {percentile(late, 0.5):.1f} ms, p99 {percentile(late, 0.99):.1f} ms).",
        f"- Achieved: **{achieved:.1f} requests/s** answered; **{server_errors} server "
        f"errors** (5xx), {client_errors} other non-200 answers, {failed} failed "
        f"(time-out after {TIMEOUT:.0f} s, connection error, or not sent because "
        f"{MAX_IN_FLIGHT} were waiting already); at most {results['peak_in_flight']} requests "
        "in flight.",
        f"- Sizing: **{achieved / max(results['server_cores'], 0.01):.1f} requests/s per core** "
        f"of the app server ({results['server_cores']:.2f} cores busy), "
        f"{achieved / (os.cpu_count() or 1):.1f} per core of the whole machine (app, "
        "PostgreSQL, Redis and the load generator on the same cores).",
        f"- All requests: client p50 {percentile(everything, 0.5):.1f} ms, p95 "
        f"{percentile(everything, 0.95):.1f} ms, p99 {percentile(everything, 0.99):.1f} ms; "
        f"server p50 {percentile(all_server, 0.5):.1f} ms, p95 "
        f"{percentile(all_server, 0.95):.1f} ms.",
        f"- People: {results['signed_in']} signed in through the sign-in page "
        f"({results['sign_in_seconds']:.0f} s), each request for a random one of the role: "
        "own plan, goals and conversations; managers their reports' plans and their "
        "team; HR the alignment dashboard. Data: `seed_demo --people "
        f"{PEOPLE}` on PostgreSQL" + (f" ({seed_seconds:.0f} s)." if seed_seconds else "."),
        f"- Server: gunicorn with `gunicorn.conf.py` ({server_summary()}), "
        "`DJANGO_DEBUG=false`, persistent database connections, "
        + ("the shared Redis cache (`CACHE_URL`), " if CACHE_URL else "each process's own cache, ")
        + "on 127.0.0.1; PostgreSQL "
        "and the load generator on the same machine.",
        f"- Machine: {os.cpu_count()} cores, {results['machine_busy'] * 100:.0f} % busy during "
        f"the measured minute (all processes: {results['server_cores']:.2f} cores the app "
        f"server, {results['generator_cores']:.2f} the load generator, the rest PostgreSQL "
        "and other work); "
        f"load average {machine['load_before'][0]:.1f} before, "
        f"{machine['load_after'][0]:.1f} after. Other work on the machine disturbs the "
        "numbers: compare each page with the bare baseline view measured in the same run.",
        "- Client: from when the request was due to the last byte (queueing included). "
        "Server: gunicorn's own request time. × baseline: server p50 ÷ the baseline's.",
        "",
        "| page | share | requests | statuses | p50 client ms | p95 client ms "
        "| p50 server ms | p95 server ms | × baseline |",
        "|---|--:|--:|---|--:|--:|--:|--:|--:|",
    ]
    weights = {label: weight for label, _role, weight, *_ in MIX}
    base_server = percentile(base[4], 0.5)
    for label, client, statuses, failures, server in rows:
        shown = ", ".join(f"{code}: {count}" for code, count in sorted(statuses.items()))
        if failures:
            shown += "; " + ", ".join(f"{why}: {count}" for why, count in failures.items())
        share = f"{weights[label]} %" if label in weights else "(with the edit)"
        lines.append(
            f"| `{label}` | {share} | {len(client)} | {shown} | "
            f"{percentile(client, 0.5):.1f} | {percentile(client, 0.95):.1f} | "
            f"{percentile(server, 0.5):.1f} | {percentile(server, 0.95):.1f} | "
            f"{percentile(server, 0.5) / base_server:.1f} |"
        )
    lines += ["", f"Whole run: {time.monotonic() - started:.0f} s.", ""]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))
    return passed


def server_summary() -> str:
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return f"{config['workers']} {config['worker_class']} workers" + (
        f" × {config['threads']} threads" if config["threads"] > 1 else ""
    )


if __name__ == "__main__":
    main()
