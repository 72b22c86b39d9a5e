"""A small load generator: signed-in GET requests from threads, over http.client.

Usage (``bench/run.py`` calls it): ``load.py BASE_URL`` reads a JSON plan on stdin::

    {"users": {"hr": ["hr@example.com", "pop-demo-2026"], ...},
     "tokens": {"api": "pop_…"},  # an API client's bearer token, used like a user
     "pages": [["baseline", "/bench/baseline", "hr"], ...],
     "seconds": 10, "max_requests": 600, "concurrency": 2, "warmup": 15}

and prints JSON results per page: client latencies (ms), status codes, elapsed seconds.
Only 127.0.0.1 is allowed; every page is bounded in time and in count.
"""

from __future__ import annotations

import http.client
import json
import re
import sys
import threading
import time
import urllib.parse


class Session:
    """One signed-in browser: a keep-alive connection and the cookies it was given."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "nl"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        try:
            self.connection.request(method, path, body=body, headers=self._headers(headers))
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            self.connection.request(method, path, body=body, headers=self._headers(headers))
            response = self.connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email: str, password: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or token is None:
            raise SystemExit(f"sign-in page answered {status}")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": email,
                "password": password,
            }
        )
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"signing in as {email} failed ({status})")


def run_page(
    base: tuple[str, int],
    cookies: dict[str, str],
    path: str,
    plan: dict,
    number: int,
    headers: dict[str, str] | None = None,
) -> dict:
    # Measured requests carry ``bench=<page number>`` (ignored by the app) so the server's
    # access log tells them apart from the warm-up and from another page on the same path.
    measured = path + ("&" if "?" in path else "?") + f"bench={number}"
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    budget = {"left": plan["max_requests"]}

    def worker() -> None:
        session = Session(*base)
        session.cookies = dict(cookies)
        while time.monotonic() < deadline:
            with lock:
                if budget["left"] <= 0:
                    return
                budget["left"] -= 1
            started = time.perf_counter()
            status, _ = session.request("GET", measured, headers=headers)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1
        session.connection.close()

    warm = Session(*base)
    warm.cookies = dict(cookies)
    for _ in range(plan["warmup"]):
        warm.request("GET", path, headers=headers)
    warm.connection.close()
    # The measured time starts after the warm-up (a page's first request may compute and
    # cache a while, longer than the measured seconds).
    deadline = time.monotonic() + plan["seconds"]
    started = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(plan["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {
        "path": path,
        "latencies_ms": latencies,
        "statuses": statuses,
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    url = urllib.parse.urlsplit(sys.argv[1])
    if url.hostname != "127.0.0.1":
        raise SystemExit("The load generator only talks to 127.0.0.1.")
    base = (url.hostname, url.port or 80)
    plan = json.load(sys.stdin)
    cookies = {}
    for name, (email, password) in plan["users"].items():
        session = Session(*base)
        session.sign_in(email, password)
        cookies[name] = dict(session.cookies)
        session.connection.close()
    bearer = {
        name: {"Authorization": f"Bearer {token}"} for name, token in plan.get("tokens", {}).items()
    }
    results = {}
    for number, (label, path, user) in enumerate(plan["pages"]):
        results[label] = run_page(base, cookies.get(user, {}), path, plan, number, bearer.get(user))
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
