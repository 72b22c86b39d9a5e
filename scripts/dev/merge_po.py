"""Developer helper: merge the Dutch translations of two branches after a git merge.

Usage: python scripts/dev/merge_po.py OURS.po THEIRS.po > locale/nl/LC_MESSAGES/django.po
(e.g. ``git show HEAD:locale/nl/LC_MESSAGES/django.po > ours.po`` and the same for the
other branch), then ``make messages``: entries of both, by message id (and context); where
both translated the same message differently, THEIRS wins. Line-based merges (git's
``union``) break ``.po`` entries that share lines, hence this.
"""

import sys

import polib


def main() -> int:
    ours, theirs = polib.pofile(sys.argv[1]), polib.pofile(sys.argv[2])
    merged = {(entry.msgctxt, entry.msgid): entry for entry in ours if not entry.obsolete}
    for entry in theirs:
        if entry.obsolete:
            continue
        kept = merged.get((entry.msgctxt, entry.msgid))
        if kept is None or (entry.translated() and "fuzzy" not in entry.flags):
            merged[(entry.msgctxt, entry.msgid)] = entry
    result = polib.POFile(wrapwidth=79)
    result.header, result.metadata = ours.header, ours.metadata
    result.metadata_is_fuzzy = ours.metadata_is_fuzzy
    for entry in merged.values():
        result.append(entry)
    sys.stdout.write(str(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
