"""Writing a big table's rows in Python instead of a template loop (issue 11, docs/performance.md).

Django's template engine costs about 5 µs a node: a 50-row table of five cells is 4-5 ms of a page, and
each `{{ value|date:"j M Y" }}` goes through Django's date formatter (translated month names looked up per
value) and each `get_FOO_display` builds its choices' dictionary again. The pages that show such tables
(the audit log, the client page's trail, the growth table) write their rows with these helpers instead,
giving the same text byte for byte as the template did (tests/core/test_tablerows.py compares them with
Django's own filters in every language).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.urls import reverse
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.utils.encoding import force_str
from django.utils.html import conditional_escape
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import get_language

# The month abbreviations Django's `M` format gives (MONTHS_3[m].title()), per language: the catalogues
# are fixed for the life of the process (Django builds new translation objects when they change).
_MONTHS: dict[str | None, tuple[str, ...]] = {}


def _months() -> tuple[str, ...]:
    language = get_language()
    found = _MONTHS.get(language)
    if found is None:
        found = _MONTHS[language] = ("", *(str(MONTHS_3[m]).title() for m in range(1, 13)))
    return found


# The weekday abbreviations Django's `D` format gives (WEEKDAYS_ABBR[weekday]), per language, likewise.
_WEEKDAYS: dict[str | None, tuple[str, ...]] = {}


def _weekdays() -> tuple[str, ...]:
    language = get_language()
    found = _WEEKDAYS.get(language)
    if found is None:
        found = _WEEKDAYS[language] = tuple(str(WEEKDAYS_ABBR[d]) for d in range(7))
    return found


def _local(value: dt.date | dt.datetime) -> dt.date | dt.datetime:
    # What the template engine does before a `date` filter (expects_localtime): an aware datetime is shown
    # in the current time zone.
    return template_localtime(value) if isinstance(value, dt.datetime) else value


def date_j_m_y(value: dt.date | dt.datetime | None) -> str:
    """`{{ value|date:"j M Y" }}`."""
    if value is None:
        return ""
    value = _local(value)
    return f"{value.day} {_months()[value.month]} {value.year:04d}"


def date_j_m_y_h_i(value: dt.datetime | None) -> str:
    """`{{ value|date:"j M Y H:i" }}`."""
    if value is None:
        return ""
    v = _local(value)
    assert isinstance(v, dt.datetime)
    return f"{v.day} {_months()[v.month]} {v.year:04d} {v.hour:02d}:{v.minute:02d}"


def date_j_m_y_h_i_s(value: dt.datetime | None) -> str:
    """`{{ value|date:"j M Y H:i:s" }}`."""
    if value is None:
        return ""
    v = _local(value)
    assert isinstance(v, dt.datetime)
    return f"{v.day} {_months()[v.month]} {v.year:04d} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"


def date_j_m_h_i(value: dt.datetime | None) -> str:
    """`{{ value|date:"j M H:i" }}`."""
    if value is None:
        return ""
    v = _local(value)
    assert isinstance(v, dt.datetime)
    return f"{v.day} {_months()[v.month]} {v.hour:02d}:{v.minute:02d}"


def date_d_j_m_h_i(value: dt.datetime | None) -> str:
    """`{{ value|date:"D j M, H:i" }}`."""
    if value is None:
        return ""
    v = _local(value)
    assert isinstance(v, dt.datetime)
    return f"{_weekdays()[v.weekday()]} {v.day} {_months()[v.month]}, {v.hour:02d}:{v.minute:02d}"


def url_maker(name: str, *fixed: object) -> Callable[[object], str]:
    """`{% url name *fixed pk %}` (escaped, as a template writes it) for a table's many pks: reversed once,
    the last argument filled in per row (a `reverse` per row was a large part of a list's cost)."""
    probe = "2147483647"
    prefix, _found, suffix = reverse(name, args=[*fixed, probe]).rpartition(probe)
    prefix, suffix = conditional_escape(prefix), conditional_escape(suffix)
    return lambda pk: f"{prefix}{conditional_escape(str(pk))}{suffix}"


def choice_labels(choices: Iterable[tuple[Any, Any]]) -> dict[Any, str]:
    """A field's choices as `get_FOO_display` shows them, worked out once for a table (in the language in
    force) rather than once per row. Look a value up with `labels.get(value, value)`, as Django does."""
    return {value: force_str(label, strings_only=True) for value, label in choices}
