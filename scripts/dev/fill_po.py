"""Developer helper: fill Dutch msgstr in locale/nl from other sources.

Usage: python scripts/dev/fill_po.py SOURCE [SOURCE ...]
A SOURCE is either a Python file defining ``NL = {"English": "Nederlands", ...}`` or
another ``.po`` file (e.g. ``git show branch:locale/nl/LC_MESSAGES/django.po > x.po``,
handy after a merge). Prints the messages that are still untranslated.
"""

import runpy
import sys

import polib

PO = "locale/nl/LC_MESSAGES/django.po"


def _load(source: str) -> dict[str, str | dict[int, str]]:
    if source.endswith(".po"):
        return {
            entry.msgid: entry.msgstr_plural or entry.msgstr
            for entry in polib.pofile(source)
            if entry.translated() and "fuzzy" not in entry.flags
        }
    return runpy.run_path(source)["NL"]


def main() -> int:
    translations: dict[str, str | dict[int, str]] = {}
    for source in sys.argv[1:]:
        translations.update(_load(source))
    po = polib.pofile(PO)
    for entry in po:
        found = translations.get(entry.msgid)
        if found is None or (entry.translated() and "fuzzy" not in entry.flags):
            continue
        if isinstance(found, dict):
            entry.msgstr_plural = found
        else:
            entry.msgstr = found
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [entry.msgid for entry in po.untranslated_entries()]
    for msgid in missing:
        print(f"missing: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
