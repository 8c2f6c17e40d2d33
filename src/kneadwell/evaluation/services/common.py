"""Validation helpers the evaluation services share: collect every problem, then raise them at once."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from kneadwell.core.errors import ValidationFailed


class Errors(dict[str, list[str]]):
    def add(self, name: str, *messages: str) -> None:
        self.setdefault(name, []).extend(messages)

    def raise_any(self) -> None:
        if self:
            raise ValidationFailed(dict(self))


def _clean(value: str) -> str | None:
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        return None
    return value.strip()


def text(errors: Errors, name: str, value: str, *, limit: int, required: bool = True) -> str:
    cleaned = _clean(value or "")
    if cleaned is None:
        errors.add(name, _("Remove the control characters from this text."))
        return ""
    if required and not cleaned:
        errors.add(name, _("This field is required."))
    if len(cleaned) > limit:
        errors.add(
            name,
            _("At most %(limit)s characters (this has %(count)s).") % {"limit": limit, "count": len(cleaned)},
        )
    return cleaned


def lines(errors: Errors, name: str, values: Iterable[str], *, limit: int) -> list[str]:
    """Non-empty lines, each checked like `text`; at most 20."""
    found = []
    for value in values:
        cleaned = _clean(value or "")
        if cleaned is None or len(cleaned) > limit:
            errors.add(
                name, _("Each line at most %(limit)s characters, no control characters.") % {"limit": limit}
            )
            continue
        if cleaned:
            found.append(cleaned)
    if len(found) > 20:
        errors.add(name, _("At most 20 lines."))
    return found
