"""CSV cells that a spreadsheet will not run: text starting with =, +, -, @, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"). Pure: no Django."""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FORMULA = re.compile(r"^'*[=+\-@\t\r]")


def defuse(value: object) -> object:
    """Text that would start a formula gets a leading apostrophe (spreadsheets show it as text and hide
    the apostrophe); numbers and other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def protect(cell: str) -> str:
    """A text cell of a file Kneadwell will read back (the CSV exports): one leading apostrophe before
    text that would start a formula, or before such text that already starts with apostrophes, so that
    `unprotect` gives back exactly what was written."""
    return "'" + cell if _FORMULA.match(cell) else cell


def unprotect(cell: str) -> str:
    """The inverse of `protect`: one leading apostrophe removed from a protected cell, nothing else."""
    return cell[1:] if cell.startswith("'") and _FORMULA.match(cell[1:]) else cell
