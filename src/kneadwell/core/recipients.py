"""The language an email is written in (issue 14).

A page answers in the reader's language (LocaleMiddleware, core/i18n.py); an email is read later, by
someone else, often sent from the command line where no request chose a language. So every email is
written inside `translation.override(language_of(recipient))`: the language the recipient chose on their
account, else the site's default. An email to someone without an account (an invitation) keeps the
language in force, i.e. that of the person sending it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation


def language_of(user: Any) -> str:
    """The recipient's chosen language (User.language), else the one in force, else the site's default."""
    chosen = str(getattr(user, "language", "") or "") if user is not None else ""
    if chosen in dict(settings.LANGUAGES):
        return chosen
    return translation.get_language() or settings.LANGUAGE_CODE
