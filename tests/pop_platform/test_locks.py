"""The cross-process lock: one holder at a time, and a killed holder leaves it free."""

import os
import subprocess
import sys

import pytest
from django.db import connection

from pop_platform.locks import exclusive
from tests.integration.harness import ROOT, database_url, wait_until

HOLDER = """
import sys

import django

django.setup()
from pop_platform.locks import exclusive

with exclusive(sys.argv[1]) as mine:
    print("held" if mine else "busy", flush=True)
    sys.stdin.read()  # until killed
"""


def _holder(name: str) -> subprocess.Popen:
    """Another process that takes the lock ``name`` and keeps it."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pop_platform.settings"}
    if connection.vendor == "postgresql":  # advisory locks belong to one database
        env["DATABASE_URL"] = database_url(connection.settings_dict)
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, name],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    answer = process.stdout.readline().strip()
    if answer != "held":
        _kill(process)
        pytest.fail(f"The other process could not take the lock {name!r}: {answer!r}")
    return process


def _kill(process: subprocess.Popen) -> None:
    process.kill()
    process.wait(timeout=10)
    process.stdin.close()
    process.stdout.close()


def _free(name: str) -> bool:
    with exclusive(name) as mine:
        return mine


@pytest.mark.django_db
def test_a_lock_has_one_holder_until_that_process_is_killed():
    holder = _holder("test-lock:1")
    try:
        assert _free("test-lock:1") is False
        assert _free("test-lock:2") is True  # another name is another lock
    finally:
        _kill(holder)
    # PostgreSQL ends the dead process's session, and its lock, a moment later.
    wait_until(lambda: _free("test-lock:1"), what="the killed holder's lock to be free")


@pytest.mark.django_db
def test_a_lock_is_let_go_when_the_block_ends():
    with exclusive("test-lock:3") as mine:
        assert mine is True
    _kill(_holder("test-lock:3"))  # another process could take it
