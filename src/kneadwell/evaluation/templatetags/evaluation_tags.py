"""Numbers on the analysis page: three significant figures at most, never a misleading 0.000 p-value."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def num(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"
