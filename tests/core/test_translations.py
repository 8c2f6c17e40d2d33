"""`make test` fails if a shipped language's parent path has an untranslated string (docs/languages.md).

For every shipped language: every string marked in a file of the parent's path (kwtest.languages) is in
the catalogue, and has a non-empty, non-fuzzy translation in every plural form with the same
placeholders. Strings elsewhere may fall back to English: they are counted and printed (and written to
test-artifacts/untranslated.txt), and the fallback itself is shown to work."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.utils import translation

from kneadwell.core.catalogues import LOCALE_DIR
from kwtest.languages import PARENT_PATH, SHIPPED, marked_in, on_parent_path

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sdr]|\{(\w+)\}")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / language / "LC_MESSAGES" / "django.po"))


def _plurals(catalogue: polib.POFile) -> int:
    """How many plural forms the language has (the catalogue's Plural-Forms header)."""
    return int(catalogue.metadata["Plural-Forms"].split("nplurals=")[1].split(";")[0])


def _done(entry: polib.POEntry, plurals: int = 2) -> bool:
    if "fuzzy" in entry.flags or entry.obsolete:
        return False
    if entry.msgid_plural:
        forms = entry.msgstr_plural
        return sorted(forms) == list(range(plurals)) and all(v.strip() for v in forms.values())
    return bool(entry.msgstr.strip())


def _names(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("path", PARENT_PATH)
def test_each_parent_path_file_marks_strings(path: str) -> None:
    """A file renamed or emptied would make the coverage below pass on nothing."""
    assert marked_in(path), f"{path} marks no string: is it still on the parent's path?"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_on_the_parent_path_is_in_the_catalogue(language: str) -> None:
    """A string marked but not extracted (`make messages` not run) would show in English."""
    known = {(e.msgctxt or "", e.msgid) for e in _catalogue(language) if not e.obsolete}
    missing = {(path, key) for path in PARENT_PATH for key in marked_in(path) if key not in known}
    assert not missing, f"not in locale/{language} (run `make messages`): {sorted(missing)[:10]}"


@pytest.mark.parametrize("language", SHIPPED)
def test_every_string_on_the_parent_path_is_translated(language: str) -> None:
    catalogue = _catalogue(language)
    parent = [e for e in catalogue if on_parent_path(e.occurrences) and not e.obsolete]
    assert len(parent) > 300  # the parent's path, not an empty catalogue
    untranslated = [e.msgid for e in parent if not _done(e, _plurals(catalogue))]
    assert not untranslated, (
        f"{language}: {len(untranslated)} untranslated on the parent path: {untranslated[:10]}"
    )
    for entry in parent:
        expected = _names(entry.msgid) | _names(entry.msgid_plural or "")
        forms = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        for form in forms:
            # Arabic's "one" and "two" forms may say the number in words, so a plural form may drop it.
            extra = _names(form) - expected
            assert not extra, f"{language}: {entry.msgid!r} translated with unknown placeholders {extra}"
        if not entry.msgid_plural:
            assert _names(entry.msgstr) == expected, f"{language}: placeholders differ in {entry.msgid!r}"


@pytest.mark.parametrize("language", SHIPPED)
def test_strings_elsewhere_fall_back_to_english_and_are_counted(language: str) -> None:
    catalogue = _catalogue(language)
    elsewhere = [e for e in catalogue if not on_parent_path(e.occurrences) and not e.obsolete]
    english = [e for e in elsewhere if not _done(e, _plurals(catalogue))]
    line = (
        f"{language}: {len(english)} of {len(elsewhere)} strings off the parent's path fall back to English"
    )
    print(line)
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / "untranslated.txt").open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    plain = next((e for e in english if not e.msgid_plural and not e.msgctxt), None)
    if plain is not None:
        with translation.override(language):
            assert translation.gettext(plain.msgid) == plain.msgid  # English, not an empty string
    with translation.override(language):
        translated = translation.gettext("Create a family account")
    assert translated
    assert translated != "Create a family account"
