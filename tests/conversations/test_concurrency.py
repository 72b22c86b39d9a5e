"""Employee and manager save the shared notes at the same moment, against PostgreSQL.

Each save goes through the real view (htmx POST) and is either applied or answered with
the conflict view, which keeps the user's text and carries the other person's version;
the user then saves their own version, as a person would. Every save is applied exactly
once and the version counts them all: nothing was silently overwritten.
"""

from __future__ import annotations

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from conversations.models import SharedNote
from tests.conftest import require

THREADS = 12
VERSION = re.compile(r'name="version" value="(\d+)"')


def _save_until_applied(user, url: str, text: str, barrier: threading.Barrier, out: dict) -> None:
    try:
        client = Client()
        client.force_login(user)
        barrier.wait(timeout=30)
        version = 1
        for _attempt in range(THREADS * 3):
            html = client.post(
                url, {"body": text, "version": version}, HTTP_HX_REQUEST="true"
            ).content.decode()
            if 'data-testid="conflict"' not in html:
                out["applied"] = out.get("applied", 0) + 1
                return
            assert text in html  # my text is kept
            out["conflicts"] = out.get("conflicts", 0) + 1
            version = int(VERSION.search(html).group(1))
        out["error"] = "never applied"
    except Exception as error:
        out["error"] = repr(error)
    finally:
        connection.close()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_note_saves_are_each_applied_once(world, conversation):
    require(connection.vendor == "postgresql", "PostgreSQL (DATABASE_URL)")
    url = reverse(
        "conversations:conversation-notes", kwargs={"conversation_uuid": conversation.uuid}
    )
    users = [world.employee, world.manager]
    barrier = threading.Barrier(THREADS)
    outcomes = [{} for _ in range(THREADS)]
    texts = [f"Aantekening {n} van {users[n % 2].full_name}" for n in range(THREADS)]
    threads = [
        threading.Thread(
            target=_save_until_applied, args=(users[n % 2], url, texts[n], barrier, outcomes[n])
        )
        for n in range(THREADS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert [o["error"] for o in outcomes if "error" in o] == []
    assert [o.get("applied") for o in outcomes] == [1] * THREADS
    note = SharedNote.objects.get(conversation=conversation)
    assert note.version == 1 + THREADS  # every applied save raised it once
    assert note.body in texts
    assert sum(o.get("conflicts", 0) for o in outcomes) > 0  # they really collided
