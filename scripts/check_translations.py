#!/usr/bin/env python
"""Fail when a Dutch translation is missing or fuzzy, or locale/nl is out of date.

Extracts the messages again into a temporary copy of the project's locale folder and
compares: every message in the source must be in ``locale/nl`` and translated.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def extract(into: Path) -> polib.POFile:
    shutil.copytree(ROOT / "locale", into / "locale")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "nl",
            "--no-location",
            "--no-obsolete",
            "--ignore",
            ".venv/*",
            "--ignore",
            "var/*",
            "--ignore",
            "tests/*",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        env={**os.environ, "POP_LOCALE_DIR": str(into / "locale")},
    )
    return polib.pofile(str(into / "locale" / "nl" / "LC_MESSAGES" / "django.po"))


def main() -> int:
    committed = polib.pofile(str(PO))
    problems = [f"untranslated: {e.msgid!r}" for e in committed.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in committed.fuzzy_entries()]
    with tempfile.TemporaryDirectory() as tmp:
        fresh = extract(Path(tmp))
    known = {(e.msgctxt, e.msgid) for e in committed if not e.obsolete}
    problems += [
        f"not in locale/nl (run `make messages`): {e.msgid!r}"
        for e in fresh
        if (e.msgctxt, e.msgid) not in known
    ]
    for problem in problems:
        print(problem)
    print(f"{len(committed.translated_entries())} Dutch messages, {len(problems)} problems.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
