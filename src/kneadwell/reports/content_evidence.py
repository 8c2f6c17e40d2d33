"""The evidence, stop-rule, content-version and source parts of a report: claims from the evidence
library (with the certainty it gives them), stop rules, doses and sources from the content library."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from kneadwell.content.sources import source_registry
from kneadwell.core.marking import gettext as _
from kneadwell.evidence import selectors as evidence
from kneadwell.evidence.library import CERTAINTY_ORDER, Claim
from kneadwell.library import localise
from kneadwell.library.catalog import Library
from kneadwell.reports.facts import ClaimLine, EvidencePart, Report, SourceLine, StopSign

if TYPE_CHECKING:
    from kneadwell.care.models import Plan
    from kneadwell.clients.models import Client


def _claim_line(claim: Claim, *, parent: bool, language: str | None = None) -> ClaimLine:
    """A claim as the report prints it. The evidence library's words (certainty, what it means, what was
    found) are English tables marked for translation, translated here into the language in force (the
    clinician's report is collected in English); the parent wording comes in `language` from the
    claims' translations."""
    lib = evidence.library()
    shown = localise.localised_item("evidence", "claims", claim, language) if parent else claim
    return ClaimLine(
        claim_id=claim.id,
        text=shown.parent_text if parent else claim.clinician_text,
        certainty=claim.certainty,
        certainty_words=_(evidence.certainty_label(claim.certainty)),
        certainty_meaning=_(evidence.CERTAINTY_MEANING[claim.certainty]),
        evidence=_(evidence.EVIDENCE_WORDS[claim.evidence]),
        grade_reason=claim.grade.reason,
        caveats=tuple(claim.caveats),
        studies=tuple(s.citation.short() for s in lib.studies_for_claim(claim.id)),
    )


def evidence_part(
    *,
    client: Client,
    plans: Sequence[Plan],
    one_plan: bool,
    lib: Library,
    parent: bool,
    language: str | None = None,
) -> EvidencePart:
    """The claims for the client (population and conditions) and for each plan's protocol; for one
    plan, that protocol's claims only. Most certain first, each once."""
    found: dict[str, Claim] = {}
    scopes = []
    if not one_plan:
        scopes.append(evidence.claims_for_client(client=client))
    for p in plans:
        protocol = lib.protocols.get(p.protocol_id)
        if protocol is not None:
            scopes.append(
                evidence.claims_for_protocol(protocol_id=protocol.id, populations=protocol.populations)
            )
    populations: list[str] = []
    for scope in scopes:
        populations.extend(scope.scope.populations)
        for claim in scope.all:
            found.setdefault(claim.id, claim)
    ordered = sorted(found.values(), key=lambda c: (-CERTAINTY_ORDER.index(c.certainty), c.id))
    about = ", ".join(
        _(evidence.POPULATION_WORDS[p]) if p in evidence.POPULATION_WORDS else p
        for p in dict.fromkeys(populations)
    )
    return EvidencePart(
        supported=tuple(
            _claim_line(c, parent=parent, language=language)
            for c in ordered
            if c.evidence != "no_evidence_found"
        ),
        unsupported=tuple(
            _claim_line(c, parent=parent, language=language)
            for c in ordered
            if c.evidence == "no_evidence_found"
        ),
        content_version=evidence.library().content_version,
        about=about,
    )


def stop_signs(plans: Sequence[Plan], *, lib: Library, parent: bool) -> tuple[StopSign, ...]:
    """The in-session checks that end a session, for the plans' protocols (each once)."""
    seen: dict[str, StopSign] = {}
    for p in plans:
        protocol = lib.protocols.get(p.protocol_id)
        for check_id in protocol.session_checks if protocol else ():
            check = lib.session_checks.get(check_id)
            if check is None or check.action != "stop" or check_id in seen:
                continue
            seen[check_id] = StopSign(
                check_id=check.id,
                label=check.label,
                text=check.text_parent if parent else check.text_clinician,
                instead=check.instead,
                sources=tuple(check.sources),
            )
    return tuple(seen.values())


def content_versions(plans: Sequence[Plan], *, lib: Library) -> tuple[tuple[str, str], ...]:
    """The one content version in force (library, evidence and instruments; kneadwell.content) and the
    version each plan was made with."""
    rows = [("Content in force now", str(lib.version))]
    for p in plans:
        rows.append((f"Plan {p.pk} was made with", p.content_version))
    return tuple(rows)


_SOURCE_ID = re.compile(r"\[([A-Z][A-Z0-9-]*(?:,\s*[A-Z][A-Z0-9-]*)*)\]")


def with_sources(report: Report, *, lib: Library) -> Report:
    """The clinician version's sources: the content library's (protocol doses, stop rules, growth
    references and velocity methods cited as [S..]), the instruments' and the studies behind claims."""
    wanted: list[str] = []
    for p in report.plans:
        wanted.extend(p.dose_sources)
        protocol = lib.protocols.get(p.protocol_id)
        if protocol is not None:
            wanted.extend(protocol.sources)
    for s in report.stop_signs:
        wanted.extend(s.sources)
    cited_texts: list[str] = []
    if report.growth is not None:
        g = report.growth
        cited_texts += [g.reference_source, g.age_source, *g.notes]
        cited_texts += [v.source for v in g.velocities] + [v.goal_note for v in g.velocities]
    for text in cited_texts:
        for group in _SOURCE_ID.findall(text):
            wanted.extend(x.strip() for x in group.split(","))
    registry = source_registry()
    lines = [
        SourceLine("Content library", sid, registry[sid].citation)
        for sid in dict.fromkeys(wanted)
        if sid in registry
    ]
    # One registry: a source already listed for the content library is not listed again for an instrument.
    seen_instrument: set[str] = {line.source_id for line in lines}
    for t in report.trends:
        for text in t.sources:
            sid = text.split(":", 1)[0]
            if sid not in seen_instrument:
                seen_instrument.add(sid)
                lines.append(SourceLine("Measurement instruments", sid, text.split(":", 1)[1].strip()))
    elib = evidence.library()
    studies: dict[str, str] = {}
    for c in (*report.evidence.supported, *report.evidence.unsupported):
        for study in elib.studies_for_claim(c.claim_id):
            cit = study.citation
            authors = ", ".join(cit.authors[:3]) + (" et al." if len(cit.authors) > 3 else "")
            doi = f". doi:{cit.doi}" if cit.doi else ""
            # Keyed by the short citation people read ("Field et al. 1986"), not the library's study id;
            # two studies with the same short citation get "a", "b" as in a reference list.
            text = f"{authors} ({cit.year}). {cit.title}. {cit.journal}{doi}"
            if text in studies.values():
                continue
            key, n = cit.short(), 0
            while key in studies:
                n += 1
                key = f"{cit.short()}{'abcdefghij'[min(n, 9)]}"
            studies[key] = text
    lines.extend(SourceLine("Studies behind the evidence claims", sid, text) for sid, text in studies.items())
    return dataclasses.replace(report, sources=tuple(lines))
