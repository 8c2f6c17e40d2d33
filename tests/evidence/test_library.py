"""The shipped evidence library loads and is honest; broken content fails naming file and line."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from kneadwell.evidence.library import (
    CERTAINTY_ORDER,
    CONTENT_DIR,
    EvidenceContentError,
    EvidenceLibrary,
    load_evidence,
    load_evidence_from,
)


@pytest.fixture(scope="module")
def library() -> EvidenceLibrary:
    return load_evidence()


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path: Path, old: str, new: str) -> int:
    """Replace `old` (which must occur exactly once) and return the 1-based line where it started."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new), encoding="utf-8")
    return line


def load_error(directory: Path) -> EvidenceContentError:
    with pytest.raises(EvidenceContentError) as exc:
        load_evidence_from(directory)
    return exc.value


# --- The shipped content -----------------------------------------------------------------------------


def test_the_shipped_content_validates(library: EvidenceLibrary) -> None:
    assert len(library.studies) >= 20
    assert len(library.findings) >= 30
    assert len(library.claims) >= 25
    assert library.content_version.startswith("sha256:")
    assert len(library.content_version) == len("sha256:") + 64


def test_loading_is_cached_and_loading_again_gives_the_same_library(library: EvidenceLibrary) -> None:
    assert load_evidence() is library
    again = load_evidence_from(CONTENT_DIR)
    assert again is not library
    assert again == library


def test_the_content_version_changes_when_a_file_changes(content_copy: Path) -> None:
    before = load_evidence_from(content_copy).content_version
    assert before == load_evidence().content_version
    with (content_copy / "rules.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n# a reviewer's note\n")
    assert load_evidence_from(content_copy).content_version != before


@pytest.mark.parametrize(
    ("study_id", "check"),
    [
        ("bennett_2013_cochrane", lambda s: s.citation.doi == "10.1002/14651858.CD005038.pub3"),
        ("vickers_2004_cochrane", lambda s: s.citation.doi == "10.1002/14651858.CD000390.pub2"),
        (
            "field_1986_pediatrics",
            lambda s: (
                (s.citation.journal, s.citation.volume, s.citation.pages[:3]) == ("Pediatrics", "77", "654")
            ),
        ),
        (
            "elmoneim_2021_eur_j_pediatr",
            lambda s: (s.citation.volume, s.citation.pages) == ("180", "207-215"),
        ),
        (
            "dunabeitia_2022_running",
            lambda s: (s.citation.volume, s.citation.issue, s.citation.pages) == ("36", "1", "149-155"),
        ),
        ("liu_2022_protocol", lambda s: s.design == "protocol" and s.citation.volume == "101"),
        (
            "cabanas_valdes_2021_stroke",
            lambda s: (s.citation.volume, s.citation.issue, s.citation.pages) == ("18", "9", "4424"),
        ),
        ("lin_2015_ital_j_pediatr", lambda s: s.n == 56 and s.citation.pmcid == "PMC4659198"),
        ("field_2006_pressure", lambda s: s.n == 68),
    ],
)
def test_the_studies_named_in_the_brief_are_present_and_correctly_cited(
    library: EvidenceLibrary, study_id: str, check: object
) -> None:
    study = library.study(study_id)
    assert callable(check)
    assert check(study)


@pytest.mark.parametrize(
    "condition",
    [
        "asthma",
        "juvenile_idiopathic_arthritis",
        "autism",
        "adhd",
        "cystic_fibrosis",
        "ptsd",
        "diabetes",
        "down_syndrome",
        "cerebral_palsy",
        "stroke",
        "jaundice",
        "colic",
    ],
)
def test_each_condition_in_the_seeds_has_a_study_and_a_claim(
    library: EvidenceLibrary, condition: str
) -> None:
    assert any(condition in s.conditions for s in library.studies.values())
    assert library.claims_for(condition=condition)


def test_findings_from_clinical_facts_are_recorded_as_reported(library: EvidenceLibrary) -> None:
    weight = library.finding("elmoneim_2021_weight_gain")
    assert weight.summary_as_reported == "19.3 (10-34.3) versus 6.2 (2.5-18.4) g/day"
    assert weight.summary_type == "not_stated"  # median or mean is not said in the abstract
    assert weight.p_value == 0.01
    velocity = library.finding("elmoneim_2021_growth_velocity")
    assert velocity.summary_as_reported == "12.5 (6-21) versus 3.6 (1.6-12.6) g/kg/d"
    assert "25 versus 17 g/day" in (library.finding("field_1986_weight_gain").summary_as_reported or "")
    vickers = library.finding("vickers_2004_weight_gain")
    assert (vickers.estimate, vickers.ci_low, vickers.ci_high) == (5.1, 3.5, 6.7)
    stay = library.finding("vickers_2004_length_of_stay")
    assert (stay.estimate, stay.ci_low, stay.ci_high) == (-4.5, -6.5, -2.4)
    still = library.finding("vickers_2004_still_touch")
    assert (still.estimate, still.ci_low, still.ci_high) == (0.2, -1.2, 1.6)
    diarrhoea = library.finding("bennett_2013_diarrhoea")
    assert (diarrhoea.effect_measure, diarrhoea.estimate, diarrhoea.ci_low) == ("RR", 0.39, None)
    assert library.finding("lin_2015_bilirubin").p_value == 0.03


def test_every_claim_has_one_of_the_four_grade_levels_and_a_reason(library: EvidenceLibrary) -> None:
    for claim in library.claims.values():
        assert claim.certainty in ("high", "moderate", "low", "very_low")
        assert claim.grade.resulting_certainty() == claim.certainty
        assert len(claim.grade.reason) >= 20
        assert claim.parent_text
        assert claim.clinician_text


def test_no_claim_about_preterm_weight_gain_is_above_low(library: EvidenceLibrary) -> None:
    preterm_weight = [
        c
        for c in library.claims.values()
        if "infant-preterm" in c.populations
        and ("weight_gain" in c.outcome_codes or "weight" in c.statement.lower())
    ]
    assert {c.id for c in preterm_weight} >= {"preterm_weight_gain", "preterm_still_touch_no_weight_gain"}
    for claim in preterm_weight:
        assert CERTAINTY_ORDER.index(claim.certainty) <= CERTAINTY_ORDER.index("low"), claim.id
    ceiling = library.ceiling_for("infant-preterm", "weight_gain")
    assert ceiling is not None
    assert ceiling.max_certainty == "low"
    assert ceiling.study == "vickers_2004_cochrane"


def test_no_claim_in_the_shipped_library_is_moderate_or_high(library: EvidenceLibrary) -> None:
    # A statement about today's evidence, not a rule: if a new review justifies moderate certainty,
    # change this test together with the claim and its sources.
    assert {c.certainty for c in library.claims.values()} <= {"low", "very_low"}


def test_seed_claims_without_studies_are_marked_unsupported_or_excluded(library: EvidenceLibrary) -> None:
    myelin = library.claim("myelin_growth")
    assert myelin.evidence == "no_evidence_found"
    assert myelin.certainty == "very_low"
    assert not myelin.supporting_findings
    protocol_claim = library.claim("stroke_shorter_treatment_with_acupuncture")
    assert protocol_claim.evidence == "no_evidence_found"
    assert [s.design for s in library.studies_for_claim(protocol_claim.id)] == ["protocol"]
    crime = [e for e in library.excluded if "crime" in e.seed_text]
    assert len(crime) == 1
    assert "no study" in crime[0].reason


def test_unverified_studies_say_what_is_uncertain_and_verified_ones_have_a_url(
    library: EvidenceLibrary,
) -> None:
    for study in library.studies.values():
        if study.verified:
            assert study.url is not None, study.id
        else:
            assert study.verification_note, study.id
    assert not library.study("field_1997_diabetes").verified


# --- Lookups -------------------------------------------------------------------------------------------


def test_claims_can_be_found_by_population_condition_and_category(library: EvidenceLibrary) -> None:
    preterm = library.claims_for(population="infant-preterm")
    assert "preterm_weight_gain" in {c.id for c in preterm}
    assert all("infant-preterm" in c.populations for c in preterm)
    levels = [CERTAINTY_ORDER.index(c.certainty) for c in preterm]
    assert levels == sorted(levels, reverse=True)  # most certain first
    relief = library.claims_for(population="infant-term", category="relief")
    assert {"term_jaundice_bilirubin", "term_crying"} <= {c.id for c in relief}
    assert all(c.category == "relief" for c in relief)
    assert [c.id for c in library.claims_for(condition="asthma")] == ["child_asthma_lung_function"]
    supported = library.claims_for(population="infant-term", include_unsupported=False)
    assert "myelin_growth" not in {c.id for c in supported}
    assert "myelin_growth" in {c.id for c in library.claims_for(population="infant-term")}


def test_an_unknown_filter_value_is_an_error_not_an_empty_list(library: EvidenceLibrary) -> None:
    with pytest.raises(ValueError, match="unknown population 'preterm'"):
        library.claims_for(population="preterm")
    with pytest.raises(ValueError, match="unknown category"):
        library.claims_for(category="bonding")


def test_studies_and_findings_can_be_looked_up(library: EvidenceLibrary) -> None:
    assert library.study("vickers_2004_cochrane").n_studies == 14
    with pytest.raises(KeyError, match="no study with id 'nope'"):
        library.study("nope")
    weight = {f.id for f in library.findings_for_outcome("weight_gain")}
    assert {"vickers_2004_weight_gain", "field_1986_weight_gain", "elmoneim_2021_weight_gain"} <= weight
    assert {f.id for f in library.findings_for_study("lin_2015_ital_j_pediatr")} == {
        "lin_2015_bilirubin",
        "lin_2015_stools",
        "lin_2015_weight",
    }
    studies = [s.id for s in library.studies_for_claim("preterm_weight_gain")]
    assert studies[0] == "vickers_2004_cochrane"
    assert len(studies) == len(set(studies))


def test_the_library_and_the_meta_command_import_no_django() -> None:
    code = (
        "import sys, kneadwell.evidence.library, kneadwell.evidence.meta.cli, "
        "kneadwell.evidence.meta.forest; kneadwell.evidence.library.load_evidence(); "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# --- Broken content fails with file and line -------------------------------------------------------


def test_a_missing_source_fails_at_the_finding_that_cites_it(content_copy: Path) -> None:
    studies = content_copy / "studies.yaml"
    text = studies.read_text(encoding="utf-8")
    start = text.index("  - id: lin_2015_ital_j_pediatr")
    end = text.index("  - id: sheidaei_2016_colic")
    studies.write_text(text[:start] + text[end:], encoding="utf-8")
    findings = content_copy / "findings.yaml"
    line = edit(
        findings,
        "    study: lin_2015_ital_j_pediatr\n    outcome: Serum bilirubin",
        "    study: lin_2015_ital_j_pediatr\n    outcome: Serum bilirubin",
    )
    err = load_error(content_copy)
    assert err.file == findings
    assert err.line == line
    assert "unknown study 'lin_2015_ital_j_pediatr'" in err.message
    assert str(err).startswith(f"{findings}:{line}: ")


def test_a_finding_naming_an_unknown_study_fails_with_file_and_line(content_copy: Path) -> None:
    findings = content_copy / "findings.yaml"
    line = edit(
        findings,
        "    study: field_2006_pressure\n    outcome: Daily weight gain",
        "    study: feild_2006_pressure\n    outcome: Daily weight gain",
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (findings, line)
    assert "unknown study 'feild_2006_pressure'" in err.message


def test_a_claim_naming_an_unknown_study_fails_with_file_and_line(content_copy: Path) -> None:
    claims = content_copy / "claims-infants.yaml"
    line = (
        edit(
            claims,
            "    supporting_studies: [vickers_2004_cochrane]\n",
            "    supporting_studies: [vickers_2004_cochrane,\n      vickers_2005_cochrane]\n",
        )
        + 1
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, line)
    assert "unknown study 'vickers_2005_cochrane'" in err.message


def test_a_claim_naming_an_unknown_finding_fails_with_file_and_line(content_copy: Path) -> None:
    claims = content_copy / "claims-children-adults.yaml"
    line = edit(
        claims,
        "    supporting_findings: [hernandez_reif_2006_down_motor]",
        "    supporting_findings: [hernandez_reif_2006_down_motors]",
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, line)
    assert "unknown finding 'hernandez_reif_2006_down_motors'" in err.message


def test_a_claim_without_a_grade_reason_fails_with_file_and_line(content_copy: Path) -> None:
    claims = content_copy / "claims-infants.yaml"
    text = claims.read_text(encoding="utf-8")
    old = (
        "      reason: A single pooled estimate that did not survive the review's own sensitivity analysis.\n"
    )
    assert text.count(old) == 1
    grade_line = text[: text.index(old)].rfind("    grade:\n")
    expected = text[:grade_line].count("\n") + 1
    claims.write_text(text.replace(old, ""), encoding="utf-8")
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, expected)
    assert "term_diarrhoea" in err.message
    assert "grade → reason: Field required" in err.message


def test_a_certainty_that_does_not_follow_from_the_grade_fails(content_copy: Path) -> None:
    claims = content_copy / "claims-children-adults.yaml"
    text = claims.read_text(encoding="utf-8")
    old = "  - id: sports_recovery_running\n"
    start = text.index(old)
    offset = text.index("    certainty: very_low\n", start)
    expected = text[:start].count("\n") + 1
    claims.write_text(
        text[:offset] + "    certainty: low\n" + text[offset + len("    certainty: very_low\n") :],
        encoding="utf-8",
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, expected)
    assert "does not follow from the GRADE assessment" in err.message


def test_a_certainty_outside_the_four_levels_fails(content_copy: Path) -> None:
    claims = content_copy / "unsupported.yaml"
    text = claims.read_text(encoding="utf-8")
    start = text.index("  - id: reflexology_gas\n")
    offset = text.index("    certainty: very_low\n", start)
    expected = text[:offset].count("\n") + 1
    claims.write_text(
        text[:offset] + "    certainty: negligible\n" + text[offset + len("    certainty: very_low\n") :],
        encoding="utf-8",
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, expected)
    assert "certainty" in err.message
    assert "very_low" in err.message


def test_raising_preterm_weight_gain_above_low_breaks_the_ceiling(content_copy: Path) -> None:
    claims = content_copy / "claims-infants.yaml"
    text = claims.read_text(encoding="utf-8")
    start = text.index("  - id: preterm_weight_gain\n")
    block_end = text.index("  - id: preterm_still_touch_no_weight_gain\n")
    block = text[start:block_end]
    # A tempting edit: count the bias problems as one level, which would make the claim moderate.
    new_block = block.replace("    certainty: low\n", "    certainty: moderate\n").replace(
        "          levels: 2\n", "          levels: 1\n"
    )
    claims.write_text(text[:start] + new_block + text[block_end:], encoding="utf-8")
    expected = (text[:start] + new_block).index("    certainty: moderate\n")
    err = load_error(content_copy)
    assert err.file == claims
    assert err.line == (text[:start] + new_block)[:expected].count("\n") + 1
    assert "at most 'low'" in err.message


def test_an_id_used_twice_across_files_fails(content_copy: Path) -> None:
    claims = content_copy / "unsupported.yaml"
    line = edit(claims, "  - id: reflexology_gas\n", "  - id: term_crying\n")
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, line)
    assert "id 'term_crying' is already used at claims-infants.yaml:" in err.message


def test_a_duplicated_key_fails_rather_than_being_silently_overwritten(content_copy: Path) -> None:
    rules = content_copy / "rules.yaml"
    line = (
        edit(
            rules,
            "    max_certainty: low\n    study: bennett_2013_cochrane\n    reason: The weight",
            "    max_certainty: low\n    max_certainty: high\n    study: bennett_2013_cochrane\n"
            "    reason: The weight",
        )
        + 1
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (rules, line)
    assert "key 'max_certainty' appears twice" in err.message


def test_broken_yaml_fails_with_its_line(content_copy: Path) -> None:
    rules = content_copy / "rules.yaml"
    line = edit(rules, "    outcome_code: length_of_stay\n", "    outcome_code: [length_of_stay\n")
    err = load_error(content_copy)
    assert err.file == rules
    assert line <= err.line <= line + 2
    assert "not valid YAML" in err.message


def test_an_unverified_study_must_say_what_is_uncertain(content_copy: Path) -> None:
    studies = content_copy / "studies.yaml"
    text = studies.read_text(encoding="utf-8")
    start = text.index("  - id: sajedi_2011_diabetes\n")
    note_start = text.index("    verification_note: >-\n", start)
    note_end = text.index("\n\n", note_start)
    studies.write_text(text[:note_start] + text[note_end + 1 :], encoding="utf-8")
    err = load_error(content_copy)
    assert (err.file, err.line) == (studies, text[:start].count("\n") + 1)
    assert "verification_note" in err.message


def test_an_estimate_outside_its_confidence_interval_fails(content_copy: Path) -> None:
    findings = content_copy / "findings.yaml"
    edit(findings, "    estimate: 5.1\n", "    estimate: 7.1\n")
    err = load_error(content_copy)
    assert err.file == findings
    assert "outside its CI" in err.message
    assert "vickers_2004_weight_gain" in err.message


def test_an_empty_directory_is_an_error(tmp_path: Path) -> None:
    err = load_error(tmp_path)
    assert "no *.yaml content files" in err.message


def test_a_claim_cannot_start_grade_high_without_randomised_evidence(content_copy: Path) -> None:
    claims = content_copy / "claims-children-adults.yaml"
    text = claims.read_text(encoding="utf-8")
    start = text.index("  - id: child_ptsd\n")
    end = text.index("  - id: child_diabetes_glucose\n")
    block = text[start:end]
    bias = (
        "          levels: 1\n"
        "          reason: Self-reported and observed outcomes without stated blinding.\n"
    )
    # Arithmetic kept right (high - 3 = very low) so only the design rule can object.
    new_block = block.replace("      start: low\n", "      start: high\n").replace(
        bias,
        bias.replace("levels: 1", "levels: 2")
        + "        - domain: imprecision\n"
        + "          levels: 1\n"
        + "          reason: One study of sixty children.\n",
    )
    assert new_block.count("start: high") == 1
    claims.write_text(text[:start] + new_block + text[end:], encoding="utf-8")
    expected = text[:start].count("\n") + new_block[: new_block.index("      start: high\n")].count("\n") + 1
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, expected)
    assert "needs randomised evidence" in err.message


def test_a_claim_outcome_that_none_of_its_findings_measures_fails(content_copy: Path) -> None:
    claims = content_copy / "claims-children-adults.yaml"
    line = edit(
        claims,
        "    outcome_codes: [running_economy]\n",
        "    outcome_codes: [running_economy, injury_prevention]\n",
    )
    err = load_error(content_copy)
    assert (err.file, err.line) == (claims, line)
    assert "lists outcome 'injury_prevention' but none of its supporting findings measures it" in err.message


def test_the_certainty_table_in_the_docs_matches_the_content(library: EvidenceLibrary) -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "evidence.md").read_text(encoding="utf-8")
    rows = {
        line.split("|")[1].strip().strip("`"): line for line in docs.splitlines() if line.startswith("| `")
    }
    for claim in library.claims.values():
        assert claim.id in rows, f"{claim.id} missing from docs/evidence.md"
        assert rows[claim.id].rstrip().endswith(f"**{claim.certainty.replace('_', ' ')}** |"), claim.id
