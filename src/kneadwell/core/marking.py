"""Marking text for translation in the pure modules, which import nothing of Django (docs/architecture.md).

- `gettext_noop(label)` gives its argument back unchanged; `makemessages` still collects every string it
  wraps (Django hands `--keyword=gettext_noop` to xgettext). Use it for fixed labels kept in tables (a
  measure's name, a status word); the page or form that shows one translates it with `gettext(label)`.
- `gettext` / `ngettext` translate a sentence the pure module words itself (with numbers and dates in it,
  so it cannot be translated afterwards) into the language in force. They reach Django's catalogue only
  when Django's settings are set up; otherwise (a pure function called from a script or a unit test
  without settings) they give the English back. The module itself stays free of Django imports: this is
  the one door, and it stays shut when Django is not there.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message


def _django_ready() -> bool:
    try:
        from django.conf import settings
    except ImportError:  # pragma: no cover - Django is a dependency; kept for use outside the project
        return False
    return bool(settings.configured)


def gettext(message: str) -> str:
    if not _django_ready():
        return message
    from django.utils.translation import gettext as django_gettext

    return django_gettext(message)


def ngettext(singular: str, plural: str, number: int) -> str:
    if not _django_ready():
        return singular if number == 1 else plural
    from django.utils.translation import ngettext as django_ngettext

    return django_ngettext(singular, plural, number)


def english(text: object) -> str:
    """The English source of a text that may be translated lazily (a choice's label): for what is kept in
    one language whoever is reading (the audit log, exported files)."""
    if not _django_ready():
        return str(text)
    from django.utils import translation

    with translation.override(None):  # no catalogue: the source text itself
        return str(text)


# One decimal mark per language, for every figure a person reads (docs/languages.md, "Numbers"): Spanish
# writes 14,8 (RAE/ASALE, Ortografía 2010; Django's es formats and CLDR's es); Arabic pages write Western
# digits, and with them CLDR's Arabic (`ar`, Latin digits) writes the point, 14.8, which is also what the
# growth figures (SDS, measurements, the chart) wrote in Arabic before. English: the point. What is stored
# or exported (CSV, JSON, the API, the CLI) keeps the point whatever the language.
DECIMAL_MARKS = {"es": ","}


def decimal_mark() -> str:
    """The decimal mark of the language in force ("." outside Django, or when translation is off)."""
    if not _django_ready():
        return "."
    from django.utils.translation import get_language

    return DECIMAL_MARKS.get((get_language() or "").split("-")[0], ".")


def local_decimals(text: str) -> str:
    """`text` with each decimal point between two digits ("2.70 kg", "−1.21") written with the language's
    mark; other dots (a sentence's full stop, an abbreviation) are left alone."""
    mark = decimal_mark()
    if mark == "." or "." not in text:
        return text
    out = []
    for k, ch in enumerate(text):
        if ch == "." and 0 < k < len(text) - 1 and text[k - 1].isdigit() and text[k + 1].isdigit():
            out.append(mark)
        else:
            out.append(ch)
    return "".join(out)
