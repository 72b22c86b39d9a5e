"""Developer helper: fill msgstr in locale/nl from a Python dict file (``NL = {...}``).

Usage: python scripts/dev/fill_po.py TRANSLATIONS.py — prints what is still missing.
"""

import runpy
import sys

import polib

PO = "locale/nl/LC_MESSAGES/django.po"


def main() -> int:
    translations = runpy.run_path(sys.argv[1])["NL"]
    po = polib.pofile(PO)
    for entry in po:
        if entry.msgid in translations:
            entry.msgstr = translations[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.save()
    missing = [entry.msgid for entry in po.untranslated_entries()]
    for msgid in missing:
        print(f"missing: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
