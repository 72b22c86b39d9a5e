"""``make load-ceiling``: the most requests per second this machine answers for one page at
a time, from the cheapest (a static file) to the busiest real pages, measured with wrk.

``make load`` measures the realistic mix; this measures its floor. If even the bare
signed-in view (session, user and security middleware, no page of its own) answers only a
few hundred requests per second, no mix of real pages can answer more than a fraction of
that. Each page is loaded for ``CEILING_SECONDS`` (20) s by wrk (Debian's ``wrk``: one C
thread, ``CEILING_CONNECTIONS`` = 8 connections kept open, as many requests as the server
takes), against the same server as ``make load`` (gunicorn, ``gunicorn.conf.py``, the
10,000-person demo on PostgreSQL, seeded by ``make load`` or here). One person, one page:
every request finds warm caches, so these are upper bounds. Writes
``bench/ceiling-results.md``. Not part of ``make test``.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import subprocess
import urllib.error
import urllib.parse
import urllib.request

os.environ.setdefault("LOAD_REUSE", "true")  # the database that ``make load`` seeded

from loadtest import gunicorn_command, prepare_database, stop, wait_for_server
from run import BASE, ROOT, USERS, environment

SECONDS = int(os.environ.get("CEILING_SECONDS", "20"))
CONNECTIONS = int(os.environ.get("CEILING_CONNECTIONS", "8"))
RESULTS = ROOT / "bench" / "ceiling-results.md"
TARGET = 200  # requests per second, issue 8


def _request(path: str, cookies: dict[str, str], data: dict | None = None):
    """One request without following redirects, keeping the cookies it sets by hand (they
    are ``Secure``, which a cookie jar would not send over this plain-http port)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    request = urllib.request.Request(  # noqa: S310 - fixed http URL
        f"{BASE}{path}",
        data=urllib.parse.urlencode(data).encode() if data else None,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Referer": f"{BASE}{path}",
        },
    )
    try:
        response = urllib.request.build_opener(NoRedirect).open(request)
    except urllib.error.HTTPError as redirect:  # a 302 arrives as an "error" here
        response = redirect
    for header in response.headers.get_all("Set-Cookie") or []:
        name, _, value = header.split(";", 1)[0].partition("=")
        cookies[name.strip()] = value
    return response


def sign_in() -> tuple[str, str]:
    """The demo employee's cookies, signed in through the sign-in page; and her plan's path."""
    cookies: dict[str, str] = {}
    page = _request("/accounts/login/", cookies).read()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1].decode()
    email, password = USERS["employee"]
    _request(
        "/accounts/login/",
        cookies,
        {"username": email, "password": password, "csrfmiddlewaretoken": token},
    )
    if "sessionid" not in cookies:
        raise SystemExit("signing in the demo employee failed")
    plan = _request("/plans/mine/", cookies).headers["Location"]
    header = "; ".join(f"{k}={v}" for k, v in cookies.items())
    return header, urllib.parse.urlsplit(plan).path


def wrk(path: str, cookies: str) -> dict:
    """Requests/s and latency percentiles of ``path``, loaded by wrk."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency",
         "-H", f"Cookie: {cookies}", f"{BASE}{path}"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    if "Non-2xx" in out or "Socket errors" in out:
        raise SystemExit(f"{path}: answers that were not 200\n{out}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.MULTILINE))
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1]),
        "p50": latency["50"],
        "p99": latency["99"],
    }


def main() -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install wrk")
    prepare_database()
    log = ROOT / "var" / "load" / "ceiling-access.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    server = subprocess.Popen(
        gunicorn_command(log), cwd=ROOT, env=environment(), start_new_session=True
    )
    try:
        wait_for_server(server)
        cookies, plan = sign_in()
        pages = [
            ("a static file (`/static/css/app.css`, WhiteNoise)", "/static/css/app.css"),
            ("bare signed-in view (`/bench/baseline`)", "/bench/baseline"),
            ("employee's home (`/`)", "/"),
            ("employee's own plan (`/plans/<uuid>/`)", plan),
        ]
        load_before = os.getloadavg()
        rows = []
        for label, path in pages:
            print(f"{label}: {SECONDS} s …", flush=True)
            rows.append((label, wrk(path, cookies)))
        load_after = os.getloadavg()
    finally:
        stop(server)
    write(rows, load_before, load_after)


def write(rows, load_before, load_after) -> None:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Load ceiling: one page at a time",
        "",
        f"Measured {now} by `make load-ceiling` (`bench/ceiling.py`) at commit `{commit}`, "
        f"on {os.cpu_count()} cores shared by gunicorn (4 sync workers), PostgreSQL and wrk "
        f"(one thread, {CONNECTIONS} connections, {SECONDS} s per page; load average "
        f"{load_before[0]:.1f} before, {load_after[0]:.1f} after). One person and one page "
        "at a time, so every cache is warm: upper bounds. The realistic mix is "
        "`make load` (`bench/load-results.md`).",
        "",
        f"| page | requests/s | p50 | p99 | share of {TARGET}/s |",
        "|---|--:|--:|--:|--:|",
    ]
    lines += [
        f"| {label} | {r['rate']:.0f} | {r['p50']} | {r['p99']} | {r['rate'] / TARGET:.2f} |"
        for label, r in rows
    ]
    baseline = rows[1][1]["rate"]
    lines += [
        "",
        f"For a mix to answer {TARGET} requests/s, its pages may cost on average "
        f"{baseline / TARGET:.1f} times the bare signed-in view, which answers "
        f"{baseline:.0f}/s here.",
        "",
    ]
    RESULTS.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
