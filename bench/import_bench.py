"""The people file at 10,000 rows, as HR meets it: upload, preview, apply (issue 15: each
under 30 s on this machine).

Runs against the database of ``make bench`` (``bench/run.py`` calls it after seeding
10,000 people) or any seeded database (``DATABASE_URL``). The file has 10,000 rows: 7,000
people of the organisation (one in five with a new job title, one in ten moved to another
unit) and 3,000 new people, a third of them in 10 new teams, with their line managers.
It goes through HR's pages with Django's test client (upload, preview page, confirm) in
one process, so the times are the server's work without the network; the confirmation is
rolled back afterwards, so the database stays as seeded. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pop_platform.settings")
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "10000"))


def build_file(organisation, existing: int, *, all_changed: bool = False) -> bytes:
    from people.models import User
    from people.selectors import unit_paths

    paths = unit_paths(organisation_id=organisation.pk)
    people = list(
        User.objects.filter(organisation=organisation, is_active=True)
        .select_related("line_manager")
        .order_by("pk")[:existing]
    )
    teams = sorted(set(paths.values()))
    managers = [person.email for person in people if person.line_manager_id is None][:50] or [
        people[0].email
    ]
    lines = ["email;name;job_title;unit;manager_email;start_date;language;is_hr"]
    for number, person in enumerate(people):
        changed = all_changed or number % 5 == 0
        job = f"{person.job_title} (senior)" if changed else person.job_title
        unit = (
            teams[(number * 7) % len(teams)] if number % 10 == 0 else paths.get(person.unit_id, "")
        )
        manager = person.line_manager.email if person.line_manager else ""
        hr = "ja" if person.is_hr else "nee"
        start = person.start_date.strftime("%d-%m-%Y") if person.start_date else ""
        lines.append(
            f"{person.email};{person.full_name};{job};{unit};{manager};{start};"
            f"{person.language};{hr}"
        )
    for number in range(ROWS - len(people)):
        unit = f"Nieuw/Team {number % 30}" if number % 3 == 0 else teams[number % len(teams)]
        manager = managers[number % len(managers)]
        lines.append(
            f"nieuw{number}@bench.example;Nieuwe Collega {number};Medewerker;{unit};"
            f"{manager};01-02-2027;nl;nee"
        )
    return ("\n".join(lines) + "\n").encode()


def main() -> None:
    import django

    django.setup()
    from django.test import Client
    from django.test.utils import setup_test_environment

    from people.models import Organisation, User

    setup_test_environment()  # the client keeps the page's context; e-mail stays in memory
    organisation = max(Organisation.objects.all(), key=lambda org: org.people.count())
    hr = User.objects.filter(organisation=organisation, is_hr=True, is_active=True).first()
    client = Client()
    client.force_login(hr)
    results = {}
    for scenario, all_changed in (("typical", False), ("every existing person changed", True)):
        content = build_file(organisation, existing=min(7000, ROWS), all_changed=all_changed)
        results[scenario] = measure(client, content)
    print(json.dumps(results))


def measure(client, content: bytes) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import transaction
    from django.urls import reverse

    from people.models import User

    timings = {}
    with transaction.atomic():
        started = time.perf_counter()
        upload = client.post(
            reverse("people:people-import"),
            {"file": SimpleUploadedFile("medewerkers.csv", content)},
        )
        preview_url = upload["Location"]
        preview = client.get(preview_url)
        timings["upload_and_preview_s"] = time.perf_counter() - started
        plan = preview.context["plan"]
        assert plan.ok, plan.errors[:5]
        summary = {
            "rows": ROWS,
            "bytes": len(content),
            "new": len(plan.additions),
            "changed": len(plan.changes),
            "unchanged": plan.unchanged,
            "new_units": len(plan.new_units),
        }
        started = time.perf_counter()
        done = client.post(preview_url, {"fingerprint": plan.fingerprint})
        timings["apply_s"] = time.perf_counter() - started
        assert done.status_code == 302, done.status_code
        assert User.objects.filter(email="nieuw0@bench.example").exists()
        transaction.set_rollback(True)
    return {**summary, **{key: round(value, 2) for key, value in timings.items()}}


if __name__ == "__main__":
    main()
