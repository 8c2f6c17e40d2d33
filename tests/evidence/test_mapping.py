"""Which claims a protocol or a client shows: the mapping from content-library codes to evidence codes."""

from __future__ import annotations

import pytest

from kneadwell.evidence import mapping
from kneadwell.evidence.library import CONDITIONS, POPULATIONS, EvidenceLibrary, load_evidence
from kneadwell.library.loader import default_library


@pytest.fixture(scope="module")
def library() -> EvidenceLibrary:
    return load_evidence()


def ids(library: EvidenceLibrary, scope: mapping.Scope) -> set[str]:
    return {c.id for c in mapping.claims_in_scope(library, scope)}


def test_every_library_protocol_has_a_decided_scope() -> None:
    assert set(default_library().protocols) == set(mapping.PROTOCOLS)


def test_every_code_in_the_mapping_exists_in_both_libraries(library: EvidenceLibrary) -> None:
    content = default_library()
    assert set(mapping.POPULATIONS) == set(content.populations)
    assert {p for pops in mapping.POPULATIONS.values() for p in pops} <= set(POPULATIONS)
    assert set(mapping.CONDITIONS) <= set(content.conditions)
    assert set(mapping.CONDITIONS.values()) <= set(CONDITIONS)
    assert set(mapping.REHAB_BY_CONDITION) <= set(content.conditions)
    for scope in mapping.PROTOCOLS.values():
        assert set(scope.populations) <= set(POPULATIONS)
        assert set(scope.conditions) <= set(CONDITIONS)
        assert set(scope.also) <= set(library.claims)


def test_the_preterm_routine_shows_the_preterm_claims_and_not_the_term_ones(library: EvidenceLibrary) -> None:
    shown = ids(library, mapping.PROTOCOLS["preterm_tks_10d"])
    assert {"preterm_weight_gain", "preterm_moderate_pressure", "myelin_growth"} <= shown
    assert not {"term_sleep", "term_jaundice_bilirubin", "child_anxiety"} & shown


def test_the_colic_routine_shows_only_the_colic_claims(library: EvidenceLibrary) -> None:
    assert ids(library, mapping.PROTOCOLS["colic_relief"]) == {"term_crying", "reflexology_gas"}


def test_the_constipation_routine_has_no_claim_because_no_study_measured_it(library: EvidenceLibrary) -> None:
    assert ids(library, mapping.PROTOCOLS["constipation_relief"]) == set()


def test_the_face_routine_shows_the_unsupported_mucus_claim(library: EvidenceLibrary) -> None:
    assert ids(library, mapping.PROTOCOLS["face_relief"]) == {"congestion_and_mucus"}


def test_a_condition_protocol_shows_its_condition_and_the_general_claims(library: EvidenceLibrary) -> None:
    shown = ids(library, mapping.PROTOCOLS["child_asthma"])
    assert {"child_asthma_lung_function", "child_anxiety"} <= shown
    assert "child_autism_attention" not in shown


def test_a_protocol_added_later_falls_back_to_the_general_claims_of_its_populations(
    library: EvidenceLibrary,
) -> None:
    scope = mapping.protocol_scope("new_preterm_protocol", ["preterm_infant"])
    assert scope.populations == ("infant-preterm",)
    assert "preterm_weight_gain" in ids(library, scope)


def test_a_preterm_baby_gets_the_preterm_claims_through_the_implied_condition(
    library: EvidenceLibrary,
) -> None:
    scope = mapping.person_scope("preterm_infant", [])
    assert scope.conditions == ("preterm",)
    assert "preterm_weight_gain" in ids(library, scope)


def test_a_term_baby_with_jaundice_gets_the_jaundice_claim_and_one_without_does_not(
    library: EvidenceLibrary,
) -> None:
    assert "term_jaundice_bilirubin" in ids(library, mapping.person_scope("infant", ["jaundice"]))
    assert "term_jaundice_bilirubin" not in ids(library, mapping.person_scope("infant", []))


def test_a_recorded_sports_injury_narrows_the_rehab_population() -> None:
    assert mapping.person_scope("rehab", ["sports_injury"]).populations == ("adult-sports",)
    assert mapping.person_scope("rehab", ["post_operative"]).populations == ("adult-post-operative",)
    assert mapping.person_scope("rehab", []).populations == ("adult-sports", "adult-post-operative")


def test_an_unknown_population_gives_no_claims_rather_than_wrong_ones(library: EvidenceLibrary) -> None:
    assert ids(library, mapping.person_scope(None, ["asthma"])) == set()
    assert ids(library, mapping.person_scope("martian", [])) == set()


def test_claims_in_scope_are_most_certain_first_like_claims_for(library: EvidenceLibrary) -> None:
    found = mapping.claims_in_scope(library, mapping.person_scope("preterm_infant", []))
    order = ["very_low", "low", "moderate", "high"]
    ranks = [order.index(c.certainty) for c in found]
    assert ranks == sorted(ranks, reverse=True)
    assert mapping.claims_in_scope(
        library, mapping.person_scope("preterm_infant", []), include_unsupported=False
    )
    assert all(
        c.evidence != "no_evidence_found"
        for c in mapping.claims_in_scope(
            library, mapping.person_scope("preterm_infant", []), include_unsupported=False
        )
    )
