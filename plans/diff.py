"""What changed in a text, word by word, for the plan's change history and for comparing
agreed versions: the inserted and deleted words with a few unchanged words around them,
the rest of the text left out ("…"). Python's ``difflib`` is enough for texts of a few
paragraphs; no dependency needed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Unchanged words shown on each side of a change; longer unchanged stretches are cut.
CONTEXT_WORDS = 6
_TOKENS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class Segment:
    """A stretch of text: ``same`` (unchanged), ``del`` (deleted), ``ins`` (inserted) or
    ``gap`` (unchanged words left out)."""

    kind: str
    text: str


def _words(text: str) -> list[str]:
    return _TOKENS.findall(text)


def _shortened(tokens: list[str], *, head: bool, tail: bool) -> list[Segment]:
    """Unchanged tokens, keeping ``CONTEXT_WORDS`` words next to the changes around them
    (``head``: a change follows; ``tail``: a change precedes)."""
    words = [i for i, token in enumerate(tokens) if not token.isspace()]
    if len(words) <= 2 * CONTEXT_WORDS + 1:
        return [Segment("same", "".join(tokens))] if tokens else []
    parts: list[Segment] = []
    if tail:  # the words just after the previous change
        end = words[CONTEXT_WORDS - 1] + 1
        parts.append(Segment("same", "".join(tokens[:end])))
    parts.append(Segment("gap", "…"))
    if head:  # the words just before the next change
        start = words[-CONTEXT_WORDS]
        parts.append(Segment("same", "".join(tokens[start:])))
    return parts


def word_diff(old: str, new: str) -> list[Segment]:
    """The words deleted from ``old`` and inserted into ``new``, in context."""
    before, after = _words(old), _words(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    opcodes = matcher.get_opcodes()
    segments: list[Segment] = []
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            segments += _shortened(before[i1:i2], head=index < len(opcodes) - 1, tail=index > 0)
            continue
        if tag in ("delete", "replace"):
            segments.append(Segment("del", "".join(before[i1:i2])))
        if tag in ("insert", "replace"):
            segments.append(Segment("ins", "".join(after[j1:j2])))
    return segments


def is_prose(old: str, new: str) -> bool:
    """Worth a word-level difference: text of several words on at least one side, and
    the two much alike (a text written anew reads better as old → new)."""
    if max(len(old.split()), len(new.split())) <= 3 or not old or not new:
        return False
    matcher = difflib.SequenceMatcher(a=_words(old), b=_words(new), autojunk=False)
    return matcher.ratio() >= 0.5
