"""A person's own preferences, kept on their account. Not a client's record, so not audited (like the
account's password change, it concerns the person alone and says nothing about care)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from kneadwell.accounts.models import User
from kneadwell.core.errors import ValidationFailed


def user_language_set(*, user: User, language: str) -> None:
    """Keep the language the person chose (a code from settings.LANGUAGES; empty: follow the browser)."""
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationFailed({"language": [_("Unknown language “%(language)s”.") % {"language": language}]})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
