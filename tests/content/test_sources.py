"""The one source registry: every id defined once, every cited id defined, and one lookup for all."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kneadwell.content.loader import AREAS, SOURCES_FILE, ContentError
from kneadwell.content.sources import (
    IN_TEXT,
    check_sources,
    citations,
    load_sources,
    source_get,
    source_registry,
)
from kneadwell.evidence.library import EvidenceContentError, load_evidence, load_evidence_from
from kneadwell.library.loader import default_library
from kneadwell.outcomes import instruments

REGISTRY = AREAS["library"] / SOURCES_FILE


def test_no_source_id_is_defined_twice_in_the_shipped_registry() -> None:
    # load_sources refuses a repeated id; counting the raw entries as well guards the loader itself.
    ids = [line.split(":", 1)[1].strip() for line in REGISTRY.read_text(encoding="utf-8").splitlines()
           if line.startswith("  - id:")]
    assert len(ids) == len(set(ids)) == len(load_sources())


def test_every_cited_source_id_is_in_the_registry() -> None:
    assert check_sources() == []


def test_the_citations_cover_library_instruments_and_evidence() -> None:
    areas = {c.file.parent for c in citations()}
    assert areas == {AREAS["library"], AREAS["instruments"], AREAS["evidence"]}


def test_there_is_one_sources_file() -> None:
    found = [p for area in AREAS.values() for p in area.glob("*.yaml") if p.name == SOURCES_FILE]
    assert found == [REGISTRY]


def test_a_source_defined_twice_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / SOURCES_FILE
    path.write_text(
        "sources:\n"
        "  - id: S1\n    citation: First\n    reliability: lay site\n"
        "  - id: S1\n    citation: Again\n    reliability: lay site\n",
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as caught:
        load_sources(path)
    assert (caught.value.file, caught.value.line) == (path, 5)
    assert "source 'S1' is defined twice (first on line 2)" in caught.value.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sources: [S47, S48]", "sources: [S4700, S48]"),  # a list of sources
        ("Bands only for 6-17 years [S48]", "Bands only for 6-17 years [S4700]"),  # cited in the text
    ],
)
def test_a_cited_id_missing_from_the_registry_is_reported_with_file_and_line(
    tmp_path: Path, old: str, new: str
) -> None:
    copy = tmp_path / "catalogue"
    shutil.copytree(AREAS["instruments"], copy)
    nrs = copy / "nrs.yaml"
    text = nrs.read_text(encoding="utf-8")
    assert text.count(old) == 1
    line = text[: text.index(old)].count("\n") + 1
    nrs.write_text(text.replace(old, new), encoding="utf-8")
    problems = check_sources(roots={"instruments": copy})
    assert [(p.file, p.line) for p in problems] == [(nrs, line)]
    assert "'S4700'" in problems[0].message


def test_every_source_number_cited_in_the_code_is_in_the_registry() -> None:
    # Code cites sources in docstrings and in texts it shows ("[S69]"); those must exist too.
    package = AREAS["library"].parent.parent
    cited = {
        (path.relative_to(package).as_posix(), sid.strip())
        for path in package.rglob("*.py")
        for group in IN_TEXT.findall(path.read_text(encoding="utf-8"))
        for sid in group.split(",")
        if re.fullmatch(r"S\d+", sid.strip())
    }
    assert cited
    assert sorted(c for c in cited if c[1] not in source_registry()) == []


def test_an_evidence_study_cited_in_an_unknown_source_number_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "evidence"
    shutil.copytree(AREAS["evidence"], copy)
    studies = copy / "studies.yaml"
    text = studies.read_text(encoding="utf-8")
    old = "cited_in: [seed 002, seed 004, S76, S77]"
    assert text.count(old) == 1
    studies.write_text(text.replace(old, "cited_in: [seed 002, seed 004, S76, S977]"), encoding="utf-8")
    with pytest.raises(EvidenceContentError) as caught:
        load_evidence_from(copy)
    assert caught.value.file == studies
    assert caught.value.line == text[: text.index(old)].count("\n") + 1
    assert "'S977', which is not in the source registry" in caught.value.message


def test_library_instruments_and_lookup_read_the_same_entry() -> None:
    # S45 was registered twice before (library: "FLACC scale (source 1 of 2 in our notes)"; instruments:
    # the Merkel 1997 paper); the fuller, checked citation is the one kept, and everyone reads it.
    kept = source_get("S45")
    assert kept.citation.startswith("Merkel SI, Voepel-Lewis T")
    assert default_library().sources["S45"] == kept
    assert instruments.get_source("S45").citation == kept.citation
    assert instruments.get_source("S45").short == kept.short == "FLACC (Merkel et al. 1997)"


def test_every_source_an_instrument_cites_says_what_kind_it_is() -> None:
    cited = {c.source_id for c in citations() if c.file.parent == AREAS["instruments"]}
    assert cited
    assert all(source_registry()[sid].kind is not None for sid in cited)


def test_an_unknown_id_names_itself() -> None:
    with pytest.raises(KeyError, match="unknown source 'S999'"):
        source_get("S999")


# --- sources that are also evidence studies --------------------------------------------------------------


def _words(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def test_a_source_that_is_an_evidence_study_names_it_and_repeats_its_title() -> None:
    studies = load_evidence().studies
    linked = {sid: s.study for sid, s in source_registry().items() if s.study is not None}
    assert len(linked) >= 15
    for sid, study_id in linked.items():
        assert study_id in studies, sid
        assert _words(studies[study_id].citation.title) in _words(source_get(sid).citation), sid


def test_no_source_repeats_an_evidence_study_without_naming_it() -> None:
    # A registry citation carrying a study's DOI is the same work: it must say which study it is.
    by_doi = {s.citation.doi.lower(): s.id for s in load_evidence().studies.values() if s.citation.doi}
    for sid, source in source_registry().items():
        for doi, study_id in by_doi.items():
            if doi in source.citation.lower() or doi in (source.url or "").lower():
                assert source.study == study_id, sid
