"""The evidence library: studies, their findings, and plain-language claims graded with GRADE, kept as
reviewed YAML files in `evidence/content/` and checked on load.

Pure Python (pydantic + PyYAML), no Django. `load_evidence()` returns one cached, immutable
EvidenceLibrary; `load_evidence_from(directory)` loads any directory without caching (for tests and
for reviewing edits). The files are read by kneadwell.content.loader; the item models are in schema.py.
Problems raise EvidenceContentError (a kneadwell.content ContentError) naming the file and line, the
first one first.

What the loader enforces, beyond each field's type (see docs/evidence.md for the reasoning):
- ids are unique across all files; every study a finding or claim names exists, and so does every
  finding a claim names;
- a study that is not verified says what is uncertain;
- a finding with an effect estimate has a measure and, if it has a CI, the estimate lies inside it;
  a finding without an estimate states the summary as reported;
- a claim's certainty is exactly its GRADE start level minus its downgrades plus its upgrades, and
  every downgrade or upgrade gives its reason; the start level matches the strongest design
  behind the claim (randomised → high, observational → low, nothing or opinion → very low);
- a claim marked "no evidence found" is very low certainty and cites no findings; any other claim
  cites at least one finding or study;
- no claim is more certain than a ceiling in `rules` (for example preterm weight gain: low at best,
  because the Cochrane review found the evidence weak).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from kneadwell.content.loader import (
    AREAS,
    ContentError,
    ContentProblem,
    Document,
    content_files,
    read_area,
    version_of,
)
from kneadwell.content.sources import source_registry
from kneadwell.evidence.schema import (
    CATEGORIES,
    CERTAINTY_ORDER,
    CONDITIONS,
    OBSERVATIONAL_DESIGNS,
    POPULATIONS,
    RANDOMISED_DESIGNS,
    Category,
    Ceiling,
    Certainty,
    Claim,
    Condition,
    ContentFile,
    ExcludedClaim,
    Finding,
    Population,
    Study,
)

# The models live in schema.py; they are named here too because pages, the API and the reports import
# them from the library they come with.
__all__ = [
    "CATEGORIES",
    "CERTAINTY_ORDER",
    "CONDITIONS",
    "CONTENT_DIR",
    "POPULATIONS",
    "Category",
    "Ceiling",
    "Certainty",
    "Claim",
    "Condition",
    "EvidenceContentError",
    "EvidenceLibrary",
    "ExcludedClaim",
    "Finding",
    "Population",
    "Study",
    "load_evidence",
    "load_evidence_from",
]

CONTENT_DIR = AREAS["evidence"]

class EvidenceContentError(ContentError):
    """A content file is wrong; `file` and `line` say where (line 1 is the first line) and `problems`
    lists every problem found, first one first."""


def _error(file: Path, line: int, message: str) -> EvidenceContentError:
    return EvidenceContentError([ContentProblem(file, line, message)])




def _describe_loc(data: Any, loc: tuple[str | int, ...]) -> str:
    words: list[str] = []
    node = data
    for part in loc:
        if isinstance(part, int):
            item_id = node[part].get("id") if isinstance(node, list) and part < len(node) and \
                isinstance(node[part], dict) else None
            words[-1] = f"{words[-1]}[{part}]" + (f" (id '{item_id}')" if item_id else "")
        else:
            words.append(str(part))
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            node = None
    return " → ".join(words) if words else "the file"


def _validate_file(document: Document) -> ContentFile:
    path, data = document.path, document.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise _error(path, 1, "the top level must be a mapping with keys such as studies, findings, claims")
    try:
        return ContentFile.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = tuple(p for p in error["loc"] if isinstance(p, str | int))
            # pydantic appends the failing union member or validator name to some locations
            useful = tuple(p for p in loc if not (isinstance(p, str) and "[" in p))
            problems.append((document.line_of(useful), useful, error["msg"]))
        line, loc, message = min(problems, key=lambda p: p[0])
        message = message.removeprefix("Value error, ")
        raise _error(path, line, f"{_describe_loc(data, loc)}: {message}") from None


# --- The library -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceLibrary:
    studies: Mapping[str, Study]
    findings: Mapping[str, Finding]
    claims: Mapping[str, Claim]
    ceilings: tuple[Ceiling, ...]
    excluded: tuple[ExcludedClaim, ...]
    content_version: str  # "sha256:" and the hash of all content (kneadwell.content.loader)
    files: tuple[str, ...] = field(default=())
    version: str = ""  # the same content version as stored results name it: "label+first 12 of the hash"

    def study(self, study_id: str) -> Study:
        try:
            return self.studies[study_id]
        except KeyError:
            raise KeyError(f"no study with id '{study_id}' in the evidence library") from None

    def finding(self, finding_id: str) -> Finding:
        try:
            return self.findings[finding_id]
        except KeyError:
            raise KeyError(f"no finding with id '{finding_id}' in the evidence library") from None

    def claim(self, claim_id: str) -> Claim:
        try:
            return self.claims[claim_id]
        except KeyError:
            raise KeyError(f"no claim with id '{claim_id}' in the evidence library") from None

    def claims_for(
        self,
        population: str | None = None,
        condition: str | None = None,
        category: str | None = None,
        *,
        include_unsupported: bool = True,
    ) -> list[Claim]:
        """Claims matching every filter given, most certain first (then by id). Unknown codes raise
        ValueError, so a typo does not silently return nothing."""
        for value, allowed, name in ((population, POPULATIONS, "population"),
                                     (condition, CONDITIONS, "condition"),
                                     (category, CATEGORIES, "category")):
            if value is not None and value not in allowed:
                raise ValueError(f"unknown {name} '{value}'; expected one of {', '.join(allowed)}")
        found = [
            c for c in self.claims.values()
            if (population is None or population in c.populations)
            and (condition is None or condition in c.conditions)
            and (category is None or c.category == category)
            and (include_unsupported or c.evidence != "no_evidence_found")
        ]
        return sorted(found, key=lambda c: (-CERTAINTY_ORDER.index(c.certainty), c.id))

    def findings_for_outcome(self, outcome_code: str) -> list[Finding]:
        return sorted((f for f in self.findings.values() if f.outcome_code == outcome_code),
                      key=lambda f: f.id)

    def findings_for_study(self, study_id: str) -> list[Finding]:
        self.study(study_id)
        return sorted((f for f in self.findings.values() if f.study == study_id), key=lambda f: f.id)

    def findings_for_claim(self, claim_id: str) -> list[Finding]:
        return [self.findings[f] for f in self.claim(claim_id).supporting_findings]

    def studies_for_claim(self, claim_id: str) -> list[Study]:
        """The studies behind a claim: those cited directly and those of its findings, in order."""
        claim = self.claim(claim_id)
        ids = [*claim.supporting_studies, *(self.findings[f].study for f in claim.supporting_findings)]
        return [self.studies[s] for s in dict.fromkeys(ids)]

    def ceiling_for(self, population: str, outcome_code: str) -> Ceiling | None:
        for ceiling in self.ceilings:
            if ceiling.population == population and ceiling.outcome_code == outcome_code:
                return ceiling
        return None


@dataclass
class _Origin:
    document: Document
    section: str
    index: int

    @property
    def file(self) -> Path:
        return self.document.path

    def line(self, *rest: str | int) -> int:
        return self.document.line_of((self.section, self.index, *rest))


def load_evidence_from(directory: Path) -> EvidenceLibrary:
    """Load and cross-check every *.yaml file in `directory` (no caching)."""
    paths = content_files("evidence", directory)
    if not paths:
        raise _error(directory, 1, "no *.yaml content files in this directory")
    documents, broken = read_area("evidence", directory)
    if broken:
        raise EvidenceContentError(broken)

    studies: dict[str, tuple[Study, _Origin]] = {}
    findings: dict[str, tuple[Finding, _Origin]] = {}
    claims: dict[str, tuple[Claim, _Origin]] = {}
    ceilings: list[tuple[Ceiling, _Origin]] = []
    excluded: list[ExcludedClaim] = []
    problems: list[ContentProblem] = []

    def problem(origin: _Origin, line: int, message: str) -> None:
        problems.append(ContentProblem(origin.file, line, message))

    contents: list[tuple[Document, ContentFile]] = []
    for document in documents:
        try:
            contents.append((document, _validate_file(document)))
        except EvidenceContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EvidenceContentError(problems)

    for document, content in contents:
        sections: tuple[tuple[str, tuple[Any, ...], dict[str, Any]], ...] = (
            ("studies", content.studies, studies),
            ("findings", content.findings, findings),
            ("claims", content.claims, claims),
        )
        for section, items, registry in sections:
            for index, item in enumerate(items):
                origin = _Origin(document, section, index)
                for other_registry in (studies, findings, claims):
                    if item.id in other_registry:
                        first = other_registry[item.id][1]
                        problem(origin, origin.line("id"),
                                f"id '{item.id}' is already used at {first.file.name}:"
                                f"{first.line('id')}")
                        break
                registry[item.id] = (item, origin)
        ceilings.extend((c, _Origin(document, "ceilings", i)) for i, c in enumerate(content.ceilings))
        excluded.extend(content.excluded)

    # A study's `cited_in` S-numbers are ids in the one source registry.
    registry_ids = source_registry()
    for study, origin in studies.values():
        for j, where in enumerate(study.cited_in):
            if where.startswith("S") and where[1:].isdigit() and where not in registry_ids:
                problem(origin, origin.line("cited_in", j),
                        f"study '{study.id}' is cited in '{where}', which is not in the source registry")

    for finding, origin in findings.values():
        if finding.study not in studies:
            problem(origin, origin.line("study"),
                    f"finding '{finding.id}' refers to unknown study '{finding.study}'")

    for ceiling, origin in ceilings:
        if ceiling.study not in studies:
            problem(origin, origin.line("study"), f"ceiling refers to unknown study '{ceiling.study}'")

    for claim, origin in claims.values():
        designs: set[str] = set()
        finding_outcomes: set[str] = set()
        all_known = True
        for j, finding_id in enumerate(claim.supporting_findings):
            if finding_id not in findings:
                problem(origin, origin.line("supporting_findings", j),
                        f"claim '{claim.id}' refers to unknown finding '{finding_id}'")
                all_known = False
                continue
            finding = findings[finding_id][0]
            finding_outcomes.add(finding.outcome_code)
            if finding.study in studies:
                designs.add(studies[finding.study][0].design)
        for j, study_id in enumerate(claim.supporting_studies):
            if study_id not in studies:
                problem(origin, origin.line("supporting_studies", j),
                        f"claim '{claim.id}' refers to unknown study '{study_id}'")
                all_known = False
                continue
            designs.add(studies[study_id][0].design)
        if claim.supporting_findings and all_known:  # else the unknown id is the problem
            for j, code in enumerate(claim.outcome_codes):
                if code not in finding_outcomes:
                    problem(origin, origin.line("outcome_codes", j),
                            f"claim '{claim.id}' lists outcome '{code}' but none of its supporting "
                            "findings measures it")
        start = claim.grade.start
        if not all_known:
            pass  # the unknown id is the problem to report; designs are incomplete
        elif start == "high" and not designs & RANDOMISED_DESIGNS:
            problem(origin, origin.line("grade", "start"),
                    f"claim '{claim.id}' starts GRADE at high, which needs randomised evidence "
                    "(an RCT or a systematic review of them) among its supporting studies")
        elif start == "low" and not designs & (RANDOMISED_DESIGNS | OBSERVATIONAL_DESIGNS):
            problem(origin, origin.line("grade", "start"),
                    f"claim '{claim.id}' starts GRADE at low, which needs at least an observational "
                    "study among its supporting studies")
        for ceiling, _ in ceilings:
            if ceiling.population in claim.populations and ceiling.outcome_code in claim.outcome_codes \
                    and CERTAINTY_ORDER.index(claim.certainty) > CERTAINTY_ORDER.index(ceiling.max_certainty):
                problem(origin, origin.line("certainty"),
                        f"claim '{claim.id}' is '{claim.certainty}' but {ceiling.population} "
                        f"{ceiling.outcome_code} claims may be at most '{ceiling.max_certainty}' "
                        f"({ceiling.reason})")

    if problems:
        raise EvidenceContentError(problems)

    version = version_of({"evidence": directory})
    return EvidenceLibrary(
        studies=MappingProxyType({k: v[0] for k, v in studies.items()}),
        findings=MappingProxyType({k: v[0] for k, v in findings.items()}),
        claims=MappingProxyType({k: v[0] for k, v in claims.items()}),
        ceilings=tuple(c for c, _ in ceilings),
        excluded=tuple(excluded),
        content_version=f"sha256:{version.sha256}",
        files=tuple(p.name for p in paths),
        version=str(version),
    )


@functools.cache
def load_evidence() -> EvidenceLibrary:
    """The shipped evidence library, loaded once per process."""
    return load_evidence_from(CONTENT_DIR)
