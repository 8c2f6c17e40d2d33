"""core.i18n.MemoisedTranslation: each language's message lookups remembered (Django's lookup walks a chain
of catalogues for every message); the same words as Django's own lookup, never a safe string for a plain
message, and bounded."""

from __future__ import annotations

from pathlib import Path

import polib
import pytest
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import trans_real

import kneadwell
from kneadwell.core import i18n


def _msgids(language: str) -> list[str]:
    path = Path(kneadwell.__file__).parent / "locale" / language / "LC_MESSAGES" / "django.po"
    entries = polib.pofile(str(path))
    return [e.msgid if not e.msgctxt else f"{e.msgctxt}\x04{e.msgid}" for e in entries if not e.msgid_plural]


def test_django_builds_memoised_translations() -> None:
    for language in ("en-gb", "es", "ar"):
        assert isinstance(trans_real.translation(language), i18n.MemoisedTranslation)


@pytest.mark.parametrize("language", ["en-gb", "es", "ar"])
def test_every_message_gives_djangos_words_twice(language: str) -> None:
    memoised = trans_real.translation(language)
    plain = trans_real.DjangoTranslation.__mro__[1]  # Django's own class, unmemoised
    messages = [*_msgids("es"), "Log out", "This field is required.", "no such message at all"]
    for message in messages:
        expected = plain.gettext(memoised, message)  # type: ignore[attr-defined]
        assert memoised.gettext(message) == expected, message
        assert memoised.gettext(message) == expected, message  # remembered


def test_template_words_are_translated_as_before() -> None:
    with translation.override("es"):
        assert translation.gettext("Areas worked") == "Zonas trabajadas"
        assert translation.pgettext("verdict", "stop") == "parar"
    with translation.override("en-gb"):
        assert translation.gettext("Areas worked") == "Areas worked"


def test_a_plain_message_never_comes_back_marked_safe() -> None:
    text = "<b>not a message</b>"
    with translation.override("en-gb"):
        assert isinstance(translation.gettext(mark_safe(text)), SafeString)  # noqa: S308 - the test's own text
        plain = translation.gettext(text)
        assert not isinstance(plain, SafeString)
        assert escape(plain) == "&lt;b&gt;not a message&lt;/b&gt;"


def test_the_memo_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(i18n, "MEMO_LIMIT", 3)
    fresh = i18n.MemoisedTranslation("en-gb")
    for n in range(10):
        assert fresh.gettext(f"text {n}") == f"text {n}"
    assert len(fresh.__dict__["_memo"]) == 3
