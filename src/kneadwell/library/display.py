"""The clinical content in the page's language: the one place that reads Django's active language for it.

Django keeps the language of each request (LocaleMiddleware, the account's choice: core/i18n.py); the
pure content layer (`library/localise.py`) takes the language as an argument. Views and template tags
call these functions for what they show; services and the screening never do, so what is stored stays in
English and by id (docs/languages.md, "Clinical content").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import translation

from kneadwell.accounts.models import Organisation
from kneadwell.library import localise
from kneadwell.library.catalog import Library
from kneadwell.library.selectors import english_beside_unreviewed


def display_language() -> str | None:
    """The active language when the content is translated into it ("es", "ar"); None for English or a
    language the content has no translation for (its pages show the English content)."""
    code = translation.get_language() or settings.LANGUAGE_CODE
    primary = code.split("-")[0].lower()
    return primary if primary in localise.languages() else None


def display_library(organisation: Organisation | None = None) -> Library:
    """The library to show: its items in the active language. Never hand it to a service or the
    screening (they read the English library and store English)."""
    return localise.library_in(display_language(), with_original=english_beside_unreviewed(organisation))


def _shower(organisation: Organisation | None) -> localise.Shower | None:
    # the interface catalogue's gettext, in the same (active) language, for the engine's own words
    return localise.shower(
        display_language(), with_original=english_beside_unreviewed(organisation), gettext=translation.gettext
    )


def display_verdict(verdict: Mapping[str, Any], organisation: Organisation | None) -> dict[str, Any]:
    """A stored verdict with its reasons' words in the active language."""
    shower = _shower(organisation)
    return shower.verdict(verdict) if shower else dict(verdict)


def display_session_reasons(
    reasons: Iterable[Mapping[str, Any]], organisation: Organisation | None
) -> list[dict[str, Any]]:
    """In-session reasons (as an observation stores them) in the active language."""
    shower = _shower(organisation)
    return [shower.session_reason(r) if shower else dict(r) for r in reasons]


def display_step(step: Mapping[str, Any] | None, organisation: Organisation | None) -> dict[str, Any] | None:
    """A session's stored step in the active language."""
    if step is None:
        return None
    shower = _shower(organisation)
    return shower.step(step) if shower else dict(step)


def display_phase(phase: str, routine_ids: Sequence[str]) -> str:
    shower = _shower(None)
    return shower.phase(routine_ids, phase) if shower else phase


@dataclass(frozen=True)
class ShownObservation:
    """What the player shows of an observation's decision: the decision and its reasons, translated."""

    decision: str
    reasons: list[dict[str, Any]]


def display_decision(observation: Any, organisation: Organisation | None) -> ShownObservation | None:
    if observation is None:
        return None
    return ShownObservation(
        decision=observation.decision,
        reasons=display_session_reasons(observation.reasons or [], organisation),
    )


def display_claims(claims: Iterable[Any], organisation: Organisation | None) -> list[Any]:
    """Evidence claims with their plain words (and caveats) in the active language; an unreviewed
    caveat comes with its English original beside it unless the organisation switched that off."""
    language = display_language()
    with_original = english_beside_unreviewed(organisation)
    return [
        localise.localised_item("evidence", "claims", c, language, with_original=with_original)
        for c in claims
    ]


@dataclass(frozen=True)
class LanguageStatus:
    """A translated language as the settings page shows it."""

    code: str
    name: str
    version: str
    texts: int
    files: list[tuple[str, str]]  # (file name, its review as one line)
    parent_missing: int  # texts a parent can see that have no translation (shown in English)


def translation_status() -> list[LanguageStatus]:
    from kneadwell.evidence.library import load_evidence
    from kneadwell.evidence.mapping import POPULATIONS
    from kneadwell.library.loader import default_library
    from kneadwell.outcomes.instruments import translations as instrument_translations
    from kneadwell.outcomes.instruments.loader import load_instruments

    library = default_library()
    claims = load_evidence().claims
    wanted = localise.parent_keys(
        library, claims, parent_claim_populations(library, POPULATIONS)
    ) + instrument_translations.parent_keys(library, load_instruments())
    out = []
    for code in localise.languages():
        found = localise.catalogue(code)
        out.append(
            LanguageStatus(
                code=code,
                name=found.info.name,
                version=found.version,
                texts=len(found.entries),
                files=[(f"{f.area}/{f.path.name}", f.review_line) for f in found.files],
                parent_missing=sum(1 for key in wanted if key not in found.entries),
            )
        )
    return out


def parent_claim_populations(library: Library, mapping: Mapping[str, Sequence[str]]) -> set[str]:
    """The evidence library's population codes for the groups a parent's programmes are for."""
    groups = {pop for p in library.protocols.values() if "parent" in p.delivered_by for pop in p.populations}
    return {code for group in groups for code in mapping.get(group, ())}
