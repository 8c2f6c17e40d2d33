"""The translation catalogues (src/kneadwell/locale/<lang>/LC_MESSAGES/django.po and .mo).

The compiled .mo files are committed, so that a fresh machine (`make run`, CI) needs no gettext tools;
tests/core/test_catalogues.py fails when a .mo no longer holds exactly its .po's translations. They are
compiled here with polib (pure Python, pinned in uv.lock) rather than msgfmt, so that the bytes do not
depend on which gettext a developer has. `make messages` extracts the strings (Django's makemessages,
which needs GNU gettext's xgettext) and then runs this module. See docs/languages.md."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

# One message: (context, singular, plural) → its translations (one per plural form).
Key = tuple[str, str, str]


def po_files() -> Iterator[Path]:
    yield from sorted(LOCALE_DIR.glob("*/LC_MESSAGES/*.po"))


def _translations(entry: Any) -> tuple[str, ...]:
    if entry.msgid_plural:
        return tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
    return (entry.msgstr,)


def po_messages(path: Path) -> dict[Key, tuple[str, ...]]:
    """What the .mo should hold: every translated, non-fuzzy, non-obsolete entry of the .po."""
    import polib

    catalogue = polib.pofile(str(path))
    return {
        (entry.msgctxt or "", entry.msgid, entry.msgid_plural or ""): _translations(entry)
        for entry in catalogue.translated_entries()
    }


def mo_messages(path: Path) -> dict[Key, tuple[str, ...]]:
    """What a compiled .mo holds (its header, the empty msgid, left out)."""
    import polib

    catalogue = polib.mofile(str(path))
    return {
        (entry.msgctxt or "", entry.msgid, entry.msgid_plural or ""): _translations(entry)
        for entry in catalogue
        if entry.msgid
    }


def compile_all() -> list[Path]:
    """Write each .po's .mo beside it; return the .mo paths."""
    import polib

    written = []
    for po in po_files():
        mo = po.with_suffix(".mo")
        polib.pofile(str(po)).save_as_mofile(str(mo))
        written.append(mo)
    return written


if __name__ == "__main__":
    for path in compile_all():
        sys.stdout.write(f"compiled {path.relative_to(LOCALE_DIR.parent.parent.parent)}\n")
