"""The committed .mo files hold exactly their .po's translations (core/catalogues.py): a translation
edited in a .po and not compiled, or a .mo left behind, fails here. docs/languages.md."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.conf import settings

from kneadwell.core.catalogues import LOCALE_DIR, compile_all, mo_messages, po_files, po_messages

SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def test_every_shipped_language_has_a_catalogue() -> None:
    assert SHIPPED
    assert {path.parent.parent.name for path in po_files()} == set(SHIPPED)


@pytest.mark.parametrize("po", list(po_files()), ids=lambda p: p.parent.parent.name)
def test_each_mo_is_current_with_its_po(po: Path) -> None:
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run `make messages`"
    expected, compiled = po_messages(po), mo_messages(mo)
    stale = {key for key in expected.keys() | compiled.keys() if expected.get(key) != compiled.get(key)}
    where = mo.relative_to(LOCALE_DIR)
    assert not stale, f"{where} differs from its .po (run `make messages`): {sorted(stale)[:5]}"


@pytest.mark.parametrize("po", list(po_files()), ids=lambda p: p.parent.parent.name)
def test_each_catalogue_says_it_awaits_a_native_speakers_review(po: Path) -> None:
    catalogue = polib.pofile(str(po))
    assert "awaiting review by a native speaker" in catalogue.header
    assert catalogue.metadata["Language"] == po.parent.parent.name
    assert not catalogue.metadata_is_fuzzy


def test_the_compiler_reproduces_the_committed_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiler itself: a copy of the catalogues compiled afresh holds the same messages."""
    import shutil

    from kneadwell.core import catalogues

    copy = tmp_path / "locale"
    shutil.copytree(LOCALE_DIR, copy)
    for mo in copy.glob("*/LC_MESSAGES/*.mo"):
        mo.unlink()
    monkeypatch.setattr(catalogues, "LOCALE_DIR", copy)
    written = compile_all()
    assert {p.parent.parent.name for p in written} == set(SHIPPED)
    for mo in written:
        assert mo_messages(mo) == po_messages(mo.with_suffix(".po"))
        assert mo_messages(mo)  # not empty
