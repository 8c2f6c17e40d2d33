"""Numbers on the analysis page: three significant figures at most, never a misleading 0.000 p-value."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def num(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:.1f}"
    return f"{value:.2f}" if value == 0 or abs(value) >= 0.01 else f"{value:.2g}"


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 0.001:
        return "<0.001"
    return f"{value:.3f}"


@register.filter
def stratum_words(key: str) -> str:
    """`gestation_band=<28|site=Ward A` as words: "gestation at birth (band) <28, site Ward A"."""
    from kneadwell.evaluation.methods.allocation import FACTOR_LABELS, NOT_STRATIFIED

    if not key or key == NOT_STRATIFIED:
        return gettext("not stratified")
    parts = []
    for part in key.split("|"):
        factor, _, level = part.partition("=")
        label = FACTOR_LABELS.get(factor)
        parts.append(f"{(gettext(label) if label else factor).lower()} {level}")
    return ", ".join(parts)


@register.filter
def label_of(labels: dict[str, str], code: str) -> str:
    return labels.get(code, code)
