"""Filters for the printable report: the same number formats as the PDF (`reports.words`)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.safestring import mark_safe

from kneadwell.reports import texts, words

register = template.Library()


@register.filter
def sds(value: float | None) -> str:
    return "—" if value is None else words.signed(value)


@register.filter
def centile(value: float | None) -> str:
    return words.centile(value)


@register.filter
def minutes(value: float | None) -> str:
    return words.minutes(value)


@register.filter
def percent(value: float | None) -> str:
    return words.percent(value)


@register.filter
def day(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    return words.day(value.date() if isinstance(value, dt.datetime) else value)


@register.filter
def moment(value: dt.datetime | None) -> str:
    return "" if value is None else words.moment(value)


@register.filter
def sentence(value: str) -> str:
    return texts.sentence(value)


@register.filter
def css_string(value: str) -> str:
    """Text for a CSS string inside a <style> element (the printed page footer): quotes and backslashes
    escaped the CSS way, and "<" written as an escape so the text can never close the element."""
    out = str(value).replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    for ch, code in (("\r\n", "\\a "), ("\n", "\\a "), ("\r", "\\a "), ("\f", "\\a ")):  # CSS newlines
        out = out.replace(ch, code)
    return mark_safe(out)  # noqa: S308 - escaped for its context just above
