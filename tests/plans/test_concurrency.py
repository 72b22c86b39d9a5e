"""Twenty people save the same action at the same moment, against PostgreSQL.

Each save goes through the real view (htmx POST). It is either applied or answered with
the conflict view, which carries the other person's version; the user then keeps their
own text ("save my version"), as a person would. The change log must account for every
applied save: its rows form one unbroken chain from the first text to the last, so no
save was lost.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from plans.models import DevelopmentAction, DevelopmentPlan, PlanChange
from tests.conftest import require

THREADS = 20
VERSION = re.compile(r'name="version" value="(\d+)"')


@dataclass
class Outcome:
    applied: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)


def _save_until_applied(user, url: str, data: dict, barrier: threading.Barrier) -> Outcome:
    outcome = Outcome()
    try:
        client = Client()
        client.force_login(user)
        barrier.wait(timeout=30)
        version = 1
        for _attempt in range(THREADS * 3):
            response = client.post(url, {**data, "version": version}, HTTP_HX_REQUEST="true")
            html = response.content.decode()
            if response.status_code != 200:
                outcome.errors.append(f"status {response.status_code}")
                return outcome
            if 'data-testid="conflict"' not in html:
                outcome.applied += 1
                return outcome
            outcome.conflicts += 1
            assert data["description"] in html  # my text is kept in the conflict view
            version = int(VERSION.search(html).group(1))  # "save my version"
        outcome.errors.append("never applied")
        return outcome
    except Exception as error:  # reported and failed in the test
        outcome.errors.append(repr(error))
        return outcome
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_saves_lose_nothing(world, pop):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    url = reverse("plans:plan-item-edit", args=[pop.plan.uuid, "action", pop.action.uuid])
    base = {
        "title": "E-learning beeldzorg",
        "kind": "elearning",
        "gap": pop.gap.pk,
        "priority": 2,
        "status": "planned",
        "cost": "150",
    }
    users = [world.employee, world.manager]
    barrier = threading.Barrier(THREADS)
    outcomes: list[Outcome] = [Outcome() for _ in range(THREADS)]
    texts = [f"Tekst {n} van {users[n % 2].full_name}" for n in range(THREADS)]

    def run(n: int) -> None:
        data = {**base, "description": texts[n]}
        outcomes[n] = _save_until_applied(users[n % 2], url, data, barrier)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [o.errors for o in outcomes if o.errors] == []
    applied = sum(o.applied for o in outcomes)
    conflicts = sum(o.conflicts for o in outcomes)
    rows = list(
        PlanChange.objects.filter(item_uuid=pop.action.uuid, field="description").order_by("id")
    )
    # The chain: each applied save replaced exactly the text the previous one wrote.
    chain_ok = all(rows[k].old == rows[k - 1].new for k in range(1, len(rows)))
    lost = THREADS - len({row.new for row in rows} & set(texts))
    action = DevelopmentAction.objects.get(pk=pop.action.pk)
    print(f"\nconcurrency: applied={applied} conflicts={conflicts} lost={lost}")
    assert applied == THREADS
    assert conflicts >= 1  # they really collided
    assert len(rows) == applied and chain_ok
    assert rows[0].old == "Module 1 tot en met 4." and rows[-1].new == action.description
    assert lost == 0
    assert action.version == 1 + applied
    assert DevelopmentPlan.objects.get(pk=pop.plan.pk).revision == 1 + applied
