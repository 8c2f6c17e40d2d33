"""Template filters for clinical numbers: centiles as ordinals, SDS with their sign."""

from __future__ import annotations

from typing import Any

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kneadwell.core.marking import decimal_mark, local_decimals

register = template.Library()


def _ordinal(n: int | str, suffix: str = "th") -> str:
    """The ordinal in the page's language (the same msgids as the report's, reports/words.py)."""
    if suffix == "st":
        return pgettext("ordinal number", "%(n)sst") % {"n": n}
    if suffix == "nd":
        return pgettext("ordinal number", "%(n)snd") % {"n": n}
    if suffix == "rd":
        return pgettext("ordinal number", "%(n)srd") % {"n": n}
    return pgettext("ordinal number", "%(n)sth") % {"n": n}


def _english_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


@register.filter
def centile(value: Any) -> str:
    """4.6 -> '5th', 0.21 -> '0.2th', 99.93 -> '99.9th'; None -> '—'."""
    if value is None:
        return "—"
    number = float(value)
    if 1 <= number < 99.5:
        whole = round(number)
        return _ordinal(whole, _english_suffix(whole))
    if number < 0.1:
        return _("below 0.1th")
    if number > 99.9:
        return _("above 99.9th")
    return _ordinal(f"{number:.1f}".replace(".", decimal_mark()))


@register.filter
def sds(value: Any) -> str:
    """SDS with an explicit sign and 2 decimals: +0.52, −1.68 (a real minus sign; +0,52 in Spanish), isolated
    left to right (in an Arabic sentence the bidirectional algorithm would otherwise put the sign after the
    digits)."""
    if value is None:
        return "—"
    number = float(value)
    text = f"{abs(number):.2f}"
    signed = ("−" if number < 0 else "+") + text if round(number, 2) != 0 else "0.00"
    signed = signed.replace(".", decimal_mark())
    return format_html('<bdi dir="ltr">{}</bdi>', signed)


@register.filter
def decimal(value: Any, places: int = 1) -> str:
    """A figure with `places` decimals in the language's decimal mark (core.marking.decimal_mark: 14,8 in
    Spanish, 14.8 in English and Arabic), where Django's `floatformat` would follow Django's own formats
    (which write 14,8 in Arabic too). No grouping of thousands. None -> '—'."""
    if value is None or value == "":
        return "—"
    # Django's own rounding (halves away from zero, as `floatformat` always wrote these), unlocalised
    return str(floatformat(value, f"{int(places)}u")).replace(".", decimal_mark())


@register.filter
def figures(text: Any) -> str:
    """A text already written with decimal points ("30.3 cm") in the language's decimal mark; only a point
    between two digits changes."""
    return local_decimals(str(text))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""


@register.filter
def field(form: Any, name: str) -> Any:
    return form[name]
