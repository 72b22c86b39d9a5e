"""CPU per request of each page, in one process, as a multiple of the bare signed-in view.

``make bench`` runs this against its seeded database (``bench/run.py``) and reads the
JSON it writes to the file named by its argument.

The production WSGI application (``pop_platform.wsgi``, ``DJANGO_DEBUG=false``, the shared
Redis cache when ``CACHE_URL`` is set) is called in-process with a hand-built WSGI
environment, as gunicorn would call it, signed in as the demo accounts. Each page: a
warm-up, then ``BENCH_CPU_REQUESTS`` requests, each timed with ``time.process_time`` (the
CPU of this process only: the database's own work is not in it, the driver's is); the
median is reported. The bare "hello" view is also called with no middleware at all.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pop_platform.settings")

import django  # noqa: E402

django.setup()

from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.test import Client, RequestFactory, override_settings  # noqa: E402

from conversations.models import Conversation  # noqa: E402
from goals.models import Goal  # noqa: E402
from people.demo import EMPLOYEE_EMAIL, HR_EMAIL, MANAGER_EMAIL  # noqa: E402
from people.models import User  # noqa: E402
from plans.models import DevelopmentPlan  # noqa: E402
from pop_platform.wsgi import application  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_CPU_REQUESTS", "40"))
WARMUP = int(os.environ.get("BENCH_CPU_WARMUP", "5"))
HOST = "127.0.0.1"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
FORM_ACTION = re.compile(r'<form[^>]* action="([^"]+/edit/)"')

with override_settings(MIDDLEWARE=[]):
    bare = WSGIHandler()


class Browser:
    """One signed-in person's cookies, calling a WSGI application in-process."""

    def __init__(self, email: str | None) -> None:
        self.cookies: dict[str, str] = {}
        if email:
            client = Client()
            client.force_login(User.objects.get(email=email))
            self.cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    def call(self, path: str, *, app=application, htmx=False, data=None) -> tuple[int, str]:
        headers = {"Host": HOST}
        if htmx:
            headers["HX-Request"] = "true"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        factory = RequestFactory()
        if data is None:
            environ = factory.get(path, headers=headers).environ
        else:
            body = urlencode(data)
            environ = factory.generic(
                "POST", path, body, "application/x-www-form-urlencoded", headers=headers
            ).environ
        status: list[str] = []

        def start_response(line, response_headers, exc_info=None):
            status.append(line)
            for name, value in response_headers:
                if name.lower() == "set-cookie":
                    cookie, _, _ = value.partition(";")
                    key, _, val = cookie.partition("=")
                    self.cookies[key.strip()] = val.strip()

        chunks = application_call(app, environ, start_response)
        return int(status[0].split(" ")[0]), chunks


def application_call(app, environ, start_response) -> str:
    result = app(environ, start_response)
    try:
        return b"".join(result).decode()
    finally:
        if hasattr(result, "close"):
            result.close()


def measure(run) -> float:
    for _ in range(WARMUP):
        run()
    times = []
    for _ in range(REQUESTS):
        started = time.process_time()
        run()
        times.append((time.process_time() - started) * 1000)
    return statistics.median(times)


def page(browser: Browser, path: str, *, htmx=False, app=application):
    def run():
        status, _body = browser.call(path, htmx=htmx, app=app)
        if status != 200:
            raise SystemExit(f"{path}: {status}")

    return run


def edit_ambition(browser: Browser, plan: DevelopmentPlan):
    """The load test's edit: the htmx edit form of one's own ambition, then its save."""
    form_path = f"/plans/{plan.uuid}/ambition/{plan.uuid}/edit/"
    counter = iter(range(10**6))

    def run():
        status, form = browser.call(form_path, htmx=True)
        token, version, action = CSRF.search(form), VERSION.search(form), FORM_ACTION.search(form)
        if status != 200 or not (token and version and action):
            raise SystemExit(f"{form_path}: {status}, no edit form")
        data = {
            "csrfmiddlewaretoken": token.group(1),
            "version": version.group(1),
            "employee_ambition": f"Ik wil groeien als teamleider ({next(counter)}).",
        }
        status, _body = browser.call(action.group(1).replace("&amp;", "&"), htmx=True, data=data)
        if status != 200:
            raise SystemExit(f"POST {action.group(1)}: {status}")

    return run


def pages() -> list[tuple[str, float, object]]:
    """(label, weight in the load test's mix or 0, request)."""
    employee, manager, hr = Browser(EMPLOYEE_EMAIL), Browser(MANAGER_EMAIL), Browser(HR_EMAIL)
    anonymous = Browser(None)
    person = User.objects.get(email=EMPLOYEE_EMAIL)
    plan = DevelopmentPlan.objects.get(employee=person)
    report_plan = DevelopmentPlan.objects.filter(employee__line_manager__email=MANAGER_EMAIL)[0]
    goal = Goal.objects.filter(owner_person=person).first() or Goal.objects.first()
    talk = Conversation.objects.filter(employee=person).order_by("-starts_at").first()
    org_goal = Goal.objects.filter(level=Goal.Level.ORGANISATION).first()
    return [
        ("hello, no middleware", 0, page(anonymous, "/bench/hello", app=bare)),
        ("hello behind all middleware", 0, page(anonymous, "/bench/hello")),
        ("bare signed-in view", 2, page(employee, "/bench/baseline")),
        ("employee home", 13, page(employee, "/")),
        ("own plan, warm", 9, page(employee, f"/plans/{plan.uuid}/")),
        ("plan's conversations (htmx)", 9,
         page(employee, f"/conversations/plan/{plan.uuid}/", htmx=True)),
        ("/goals/ (employee)", 4, page(employee, "/goals/")),
        ("/goals/?unit=own team (htmx)", 2,
         page(employee, f"/goals/?unit={person.unit_id}", htmx=True)),
        ("a goal (employee)", 6, page(employee, f"/goals/{goal.uuid}/")),
        ("/conversations/ (employee)", 5, page(employee, "/conversations/")),
        ("a conversation (employee)", 5, page(employee, f"/conversations/{talk.uuid}/")),
        ("/notifications/ (employee)", 5, page(employee, "/notifications/")),
        ("htmx save: edit form + POST", 1, edit_ambition(employee, plan)),
        ("manager home", 5, page(manager, "/")),
        ("/team/", 4, page(manager, "/team/")),
        ("report's plan (manager)", 4, page(manager, f"/plans/{report_plan.uuid}/")),
        ("report's plan conversations (htmx)", 4,
         page(manager, f"/conversations/plan/{report_plan.uuid}/", htmx=True)),
        ("/goals/ (manager)", 2, page(manager, "/goals/")),
        ("/notifications/ (manager)", 1, page(manager, "/notifications/")),
        ("HR home", 2, page(hr, "/")),
        ("/hr/alignment/", 3, page(hr, "/hr/alignment/")),
        ("/goals/ as HR", 1, page(hr, "/goals/")),
        ("organisation goal (HR)", 1, page(hr, f"/goals/{org_goal.uuid}/")),
    ]  # fmt: skip


def main() -> None:
    results = {}
    mix_weight = mix_cost = 0.0
    for label, weight, run in pages():
        results[label] = measure(run)
        mix_weight += weight
        mix_cost += weight * results[label]
        print(f"{label}: {results[label]:.2f} ms", file=sys.stderr, flush=True)
    results["the load mix (weighted)"] = mix_cost / mix_weight
    Path(sys.argv[1]).write_text(json.dumps(results))


if __name__ == "__main__":
    main()
