"""Marking text for translation in the pure modules, which import nothing of Django (docs/architecture.md).

`gettext_noop` gives its argument back unchanged; `makemessages` still collects every string it wraps
(Django hands `--keyword=gettext_noop` to xgettext). The page, form or message that shows such a label
translates it there, with `gettext(label)`, in the reader's language. Use it for fixed labels (a measure's
name, a status word), not for sentences built from numbers: those are worded where they are shown.
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    return message
