"""Template helpers for showing evidence honestly: certainty in words next to every claim, codes as
words, numbers as reported."""

from __future__ import annotations

import math
from collections.abc import Iterable

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from kneadwell.evidence import selectors
from kneadwell.evidence.library import Claim

register = template.Library()


def _words(table: dict[str, str], code: str, otherwise: str) -> str:
    """A code's words from one of the evidence word tables, in the reader's language (the tables hold the
    English, marked with gettext_noop); a code not in the table as `otherwise`, untranslated."""
    words = table.get(code)
    return _(words) if words else otherwise


@register.filter
def certainty_badge(certainty: str) -> SafeString:
    """The certainty in words ("low certainty") in a badge; the colour only repeats what the words say.
    `data-certainty` lets tests check that no page shows more certainty than the library holds."""
    return format_html(
        '<span class="certainty certainty-{}" data-certainty="{}" title="{}">{}</span>',
        certainty.replace("_", "-"),
        certainty,
        _(selectors.CERTAINTY_MEANING[certainty]),
        _(selectors.CERTAINTY_WORDS[certainty]),
    )


@register.filter
def certainty_meaning(certainty: str) -> str:
    meaning = selectors.CERTAINTY_MEANING.get(certainty)
    return _(meaning) if meaning else ""


@register.filter
def evidence_words(status: str) -> str:
    return _words(selectors.EVIDENCE_WORDS, status, status)


@register.filter
def population_words(codes: str | Iterable[str]) -> str:
    items = [codes] if isinstance(codes, str) else list(codes)
    return ", ".join(_words(selectors.POPULATION_WORDS, c, c) for c in items)


@register.filter
def condition_words(codes: str | Iterable[str]) -> str:
    items = [codes] if isinstance(codes, str) else list(codes)
    return ", ".join(_words(selectors.CONDITION_WORDS, c, c) for c in items)


@register.filter
def category_words(category: str | None) -> str:
    return _words(selectors.CATEGORY_WORDS, category or "", _("Other claims"))


@register.filter
def design_words(design: str) -> str:
    return _words(selectors.DESIGN_WORDS, design, design)


@register.filter
def rob_words(level: str) -> str:
    return _words(selectors.RISK_OF_BIAS_WORDS, level, level)


@register.filter
def domain_words(domain: str) -> str:
    return _words(selectors.DOMAIN_WORDS, domain, domain.replace("_", " "))


@register.filter
def level_words(level: str) -> str:
    """A GRADE level as a plain word (for start levels: 'high', not 'high certainty')."""
    return _words(selectors.LEVEL_WORDS, level, level.replace("_", " "))


@register.filter
def num(value: float | None, digits: int = 2) -> str:
    """A number for a results table: fixed decimals, a real minus sign, '–' when missing."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    text = f"{value:.{int(digits)}f}"
    return text.replace("-", "−")


@register.filter
def pvalue(value: float | None) -> str:
    if value is None:
        return "–"
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


@register.filter
def short_citation(study_id: str) -> str:
    lib = selectors.library()
    study = lib.studies.get(study_id)
    return study.citation.short() if study else study_id


@register.filter
def claim_studies(claim_id: str) -> list[object]:
    return list(selectors.library().studies_for_claim(claim_id))


@register.filter
def outcome_words(code: str) -> str:
    return code.replace("_", " ")


# Conditions every claim about a population carries (all preterm claims are coded `preterm`), not worth
# repeating next to the population.
_IMPLIED = {"infant-preterm": "preterm", "adult-stroke": "stroke"}


@register.filter
def extra_conditions(claim: Claim) -> list[str]:
    implied = {_IMPLIED[p] for p in claim.populations if p in _IMPLIED}
    return [c for c in claim.conditions if c not in implied]
