"""CSV cells that a spreadsheet will not run: text starting with =, +, -, @, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets (OWASP "CSV injection"). Pure: no Django."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def defuse(value: object) -> object:
    """Text that would start a formula gets a leading apostrophe (spreadsheets show it as text and hide
    the apostrophe); numbers and other values are left as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
