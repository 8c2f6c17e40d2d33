"""The report's words in the language in force: `kneadwell.core.marking`'s door to Django's catalogue
(English when Django's settings are not set up, so the pure report modules still run without Django),
with `pgettext` for the short words that need a context (a month's abbreviation, an ordinal's suffix).

Which language is in force is decided by the caller, never here: `reports.services` builds a parent's
report in the reader's language and the clinician's in English (docs/reports.md, "Languages")."""

from __future__ import annotations

from kneadwell.core.marking import _django_ready, gettext, gettext_noop, ngettext

__all__ = ["gettext", "gettext_noop", "ngettext", "pgettext"]


def pgettext(context: str, message: str) -> str:
    if not _django_ready():
        return message
    from django.utils.translation import pgettext as django_pgettext

    return django_pgettext(context, message)
