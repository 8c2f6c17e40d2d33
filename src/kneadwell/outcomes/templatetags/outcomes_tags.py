"""Template filters for clinical numbers: centiles as ordinals, SDS with their sign."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()


def _ordinal(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


@register.filter
def centile(value: Any) -> str:
    """4.6 -> '5th', 0.21 -> '0.2th', 99.93 -> '99.9th'; None -> '—'."""
    if value is None:
        return "—"
    number = float(value)
    if 1 <= number < 99.5:
        return _ordinal(round(number))
    if number < 0.1:
        return _("below 0.1th")
    if number > 99.9:
        return _("above 99.9th")
    return f"{number:.1f}th"


@register.filter
def sds(value: Any) -> str:
    """SDS with an explicit sign and 2 decimals: +0.52, −1.68 (a real minus sign)."""
    if value is None:
        return "—"
    number = float(value)
    text = f"{abs(number):.2f}"
    return ("−" if number < 0 else "+") + text if round(number, 2) != 0 else "0.00"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def field(form: Any, name: str) -> Any:
    return form[name]
