"""Loading the content library: the shipped content validates, loading is idempotent and versioned, and
broken content is refused with the file and line of the problem."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kneadwell.library.catalog import Library
from kneadwell.library.loader import CONTENT_DIR, ContentError, load_library


def test_the_shipped_content_validates(library: Library) -> None:
    assert library.techniques
    assert library.protocols
    assert library.rules
    assert library.sources
    assert library.content_dir == CONTENT_DIR


def test_loading_twice_gives_the_same_library_and_version() -> None:
    first, second = load_library(), load_library()
    assert first.version == second.version
    assert first.contract() == second.contract()
    assert dict(first.rules) == dict(second.rules)


def test_the_version_is_the_reviewed_label_plus_a_hash_of_the_files(library: Library) -> None:
    version = library.version
    assert version.label == "2025.1"
    assert len(version.sha256) == 64
    assert str(version) == f"2025.1+{version.sha256[:12]}"
    assert version.reviewed_by


def test_any_edit_changes_the_version(content_copy: Path, library: Library, edit_content: Any) -> None:
    copy = load_library(content_copy)
    assert copy.version.sha256 == library.version.sha256  # same bytes, same hash, wherever they live
    edit_content(content_copy / "techniques.yaml", "Gently squeeze", "Softly squeeze")
    edited = load_library(content_copy)
    assert edited.version.label == library.version.label
    assert edited.version.sha256 != library.version.sha256


def test_every_question_knows_which_rules_read_it(library: Library) -> None:
    assert "fever" in library.read_by["fever_today"]
    assert set(library.read_by["platelet_count"]) == {"low_platelets"}
    assert "recent_clot" in library.read_by["clot_regions"]  # region answers count as read
    # Free text counts as read by the rule that looks for red-flag words in it (fdca2a9); goals chosen from
    # a list are read by no rule.
    assert library.read_by["client_goals"] == ("history_mentions_risk",)
    assert library.read_by["parent_goals"] == ()


def problem(content: Path) -> Any:
    with pytest.raises(ContentError) as caught:
        load_library(content)
    return caught.value.first


BROKEN: list[tuple[str, str, str, str, str]] = [
    # (what, file, old text, new text, words expected in the message); reported in the edited file
    (
        "a rule citing an unknown source",
        "rules_general.yaml",
        "    sources: [S1, S5, WHO-1997-THERMAL, NICE-NG143]\n  - id: acute_infection",
        "    sources: [S1, S404, WHO-1997-THERMAL, NICE-NG143]\n  - id: acute_infection",
        "unknown source 'S404'",
    ),
    (
        "a technique citing an unknown source",
        "techniques_iaim.yaml",
        "    sources: [IAIM-2013]\n  - id: thumb_over_thumb",
        "    sources: [IAIM-2099]\n  - id: thumb_over_thumb",
        "unknown source 'IAIM-2099'",
    ),
    (
        "a protocol dose citing an unknown source",
        "protocols_child_rehab.yaml",
        "      sources: [FIELD-1998-ASTHMA]\n",
        "      sources: [FIELD-1898]\n",
        "unknown source 'FIELD-1898'",
    ),
    (
        "a rule with no source",
        "rules_general.yaml",
        "    sources: [S1, S5, WHO-1997-THERMAL, NICE-NG143]\n  - id: acute_infection",
        "    sources: []\n  - id: acute_infection",
        "at least 1 item",
    ),
    (
        "a step naming an unknown technique",
        "routines_infant.yaml",
        "{technique: toe_roll,",
        "{technique: toe_wiggle,",
        "unknown technique 'toe_wiggle'",
    ),
    (
        "a step naming an unknown region",
        "routines_infant.yaml",
        "{technique: toe_roll, regions: [left_foot, right_foot]",
        "{technique: toe_roll, regions: [left_foot, tail]",
        "unknown region 'tail'",
    ),
    (
        "a step using a technique where it is not used",
        "routines_infant.yaml",
        "{technique: toe_roll, regions: [left_foot, right_foot]",
        "{technique: toe_roll, regions: [left_foot, face]",
        "is not used on 'face'",
    ),
    (
        "a protocol naming an unknown routine",
        "protocols_infant.yaml",
        "    routines: [tummy_relief]",
        "    routines: [tummy_magic]",
        "unknown routine 'tummy_magic'",
    ),
    (
        "a rule reading an unknown question",
        "rules_general.yaml",
        "{answer: fever_today, equals: true}",
        "{answer: temperature_feel, equals: true}",
        "unknown question 'temperature_feel'",
    ),
    (
        "a rule comparing a yes/no question with a word",
        "rules_general.yaml",
        "{answer: fever_today, equals: true}",
        "{answer: fever_today, equals: maybe}",
        "compare with true or false",
    ),
    (
        "a condition test with two operators",
        "rules_general.yaml",
        "{answer: fever_today, equals: true}",
        "{answer: fever_today, equals: true, nonempty: true}",
        "exactly one of",
    ),
    (
        "a rule with an unknown setting",
        "rules_infant.yaml",
        "{setting: feeding_wait_minutes}",
        "{setting: feeding_wait_hours}",
        "unknown setting 'feeding_wait_hours'",
    ),
    (
        "a design choice without an evidence note",
        "rules_infant.yaml",
        "    evidence_note: No massage-specific source; S19 only gives the usual healing time. "
        "Avoidance is our conservative choice, and so is asking only in the first 6 weeks.\n",
        "",
        "needs an evidence_note",
    ),
    (
        "a setting whose default is outside its range",
        "settings.yaml",
        "    default: 72\n",
        "    default: 96\n",
        "outside its range",
    ),
    (
        "an unknown outcome measure",
        "protocols_infant.yaml",
        "outcome_measures: [stool_diary]",
        "outcome_measures: [stool_magic]",
        "unknown outcome measure",
    ),
    (
        "an unknown key in an item",
        "techniques.yaml",
        "    moves_joints: true\n    trained_only: true\n    suits: {populations: [rehab]}",
        "    moves_joint: true\n    trained_only: true\n    suits: {populations: [rehab]}",
        "Extra inputs are not permitted",
    ),
    (
        "a region shape missing from the body map",
        "regions.yaml",
        "svg_ids: [front-chest]",
        "svg_ids: [front-chest, front-tail]",
        "no shape 'front-tail'",
    ),
    (
        "a class progression that skips a section",
        "protocols_infant.yaml",
        "{week: 4, sections: [face, back],",
        "{week: 4, sections: [face],",
        "no week introduces: back",
    ),
    (
        "an outcome measure with no timing",
        "protocols_infant.yaml",
        "      - measures: [crying_diary, colic_criteria, sleep_diary]",
        "      - measures: [crying_diary, sleep_diary]",
        "no timing for measure 'colic_criteria'",
    ),
    (
        "a timing for a measure the protocol does not name",
        "protocols_infant.yaml",
        "      - measures: [crying_diary, colic_criteria, sleep_diary]",
        "      - measures: [crying_diary, colic_criteria, sleep_diary, stool_diary]",
        "'stool_diary' is not an outcome measure here",
    ),
    (
        "a measure the player records, timed for a baseline",
        "protocols_infant.yaml",
        "      - measures: [behavioural_state]\n        when: [each_session]",
        "      - measures: [behavioural_state]\n        when: [baseline, each_session]",
        "'behavioural_state' is taken in sessions only",
    ),
    (
        "an occasion listed twice",
        "protocols_infant.yaml",
        "        when: [baseline, daily, end]\n        sources: [S49, S50, S51]",
        "        when: [baseline, daily, daily]\n        sources: [S49, S50, S51]",
        "an occasion is listed twice",
    ),
]


@pytest.mark.parametrize(("file", "old", "new", "words"), [b[1:] for b in BROKEN], ids=[b[0] for b in BROKEN])
def test_broken_content_is_refused_with_file_and_line(
    content_copy: Path, edit_content: Any, file: str, old: str, new: str, words: str
) -> None:
    line = edit_content(content_copy / file, old, new)
    found = problem(content_copy)
    assert found.file == content_copy / file
    assert words in found.message
    # The problem is pointed at within the edited item: at the changed line or a few lines above it
    # (the item's opening line when the problem is a missing field).
    assert line - 12 <= found.line <= line + old.count("\n") + 1, (found.line, line)


def test_a_question_dropped_from_a_form_is_reported_at_the_rule_that_needs_it(
    content_copy: Path, edit_content: Any
) -> None:
    edit_content(
        content_copy / "readiness.yaml",
        "pain_today, bp_uncontrolled, fever_today, infection_today,\n",  # the rehab set's questions
        "pain_today, bp_uncontrolled, infection_today,\n",
    )
    edit_content(  # and from its checklist, which may only list the set's own questions
        content_copy / "readiness.yaml",
        "checklist: [bp_uncontrolled, fever_today,",
        "checklist: [bp_uncontrolled,",
    )
    with pytest.raises(ContentError) as caught:
        load_library(content_copy)
    # Every rule reading it is reported, each at its own `when:` (fever, and since issue 15 the oncology
    # fever rule in rules_conditions.yaml, which sorts first).
    at = {p.file.name: p for p in caught.value.problems if "never asked fever_today" in p.message}
    assert set(at) == {"rules_general.yaml", "rules_conditions.yaml"}
    found = at["rules_general.yaml"]
    assert "population 'rehab' is never asked fever_today; the rule would always fire" in found.message
    text = found.file.read_text(encoding="utf-8").splitlines()
    assert text[found.line - 1].strip().startswith("when:")
    # The rule's opening lines, above the comment fdca2a9 put over its condition.
    above = [line.strip() for line in text[: found.line - 1]]
    opening = max(i for i, line in enumerate(above) if line.startswith("- id:"))
    assert above[opening : opening + 2] == ["- id: fever", "title: Fever"]


def test_a_timed_routine_that_does_not_add_up_is_reported_at_the_protocol_dose(
    content_copy: Path, edit_content: Any
) -> None:
    edit_content(
        content_copy / "routines_infant.yaml",
        "section: kinesthetic, minutes: 5,",
        "section: kinesthetic, minutes: 6,",
    )
    found = problem(content_copy)
    assert found.file == content_copy / "protocols_infant.yaml"
    assert "routine 'tks_session' adds up to 16 minutes, not 15" in found.message
    assert (
        found.file.read_text(encoding="utf-8").splitlines()[found.line - 1].strip() == "session_minutes: 15"
    )


def test_the_line_is_exact_for_a_bad_source_in_a_block_list(content_copy: Path, edit_content: Any) -> None:
    line = edit_content(
        content_copy / "rules_general.yaml",
        "    sources: [S1, S5, WHO-1997-THERMAL, NICE-NG143]\n  - id: acute_infection",
        "    sources: [S1, S404, WHO-1997-THERMAL, NICE-NG143]\n  - id: acute_infection",
    )
    assert problem(content_copy).line == line


def test_yaml_syntax_errors_give_the_line(content_copy: Path) -> None:
    path = content_copy / "conditions.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[9] = "  - id: [unclosed"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problem(content_copy)
    assert found.file == path
    assert 10 <= found.line <= 12


def test_a_repeated_key_is_an_error_not_a_silent_overwrite(content_copy: Path, edit_content: Any) -> None:
    line = edit_content(
        content_copy / "conditions.yaml", "    label: Asthma\n", "    label: Asthma\n    label: Wheezing\n"
    )
    found = problem(content_copy)
    assert "key 'label' appears twice" in found.message
    assert found.line == line + 1


def test_an_id_defined_in_two_files_is_refused(content_copy: Path) -> None:
    (content_copy / "extra.yaml").write_text(
        "conditions:\n  - id: asthma\n    label: Asthma again\n    sources: [S1]\n", encoding="utf-8"
    )
    found = problem(content_copy)
    assert "defined twice" in found.message
    assert "conditions.yaml" in found.message
    assert found.file == content_copy / "extra.yaml"
    assert found.line == 2


def test_an_unknown_collection_is_refused(content_copy: Path) -> None:
    (content_copy / "extra.yaml").write_text("recipes:\n  - id: soup\n", encoding="utf-8")
    found = problem(content_copy)
    assert "unknown collection 'recipes'" in found.message
    assert found.line == 1


def test_a_missing_manifest_is_refused(content_copy: Path) -> None:
    (content_copy / "manifest.yaml").unlink()
    assert "manifest" in problem(content_copy).message


def test_a_missing_folder_is_refused(tmp_path: Path) -> None:
    assert "not found" in problem(tmp_path / "nowhere").message


def test_every_problem_is_listed_first_one_first(content_copy: Path, edit_content: Any) -> None:
    edit_content(content_copy / "techniques.yaml", "sources: [SEED-INFANT-CHILD]", "sources: [NOPE-1]")
    edit_content(content_copy / "routines_infant.yaml", "{technique: toe_roll,", "{technique: toe_wiggle,")
    with pytest.raises(ContentError) as caught:
        load_library(content_copy)
    problems = caught.value.problems
    assert len(problems) >= 2
    assert [(p.file.name, p.line) for p in problems] == sorted((p.file.name, p.line) for p in problems)
    assert str(caught.value).startswith(str(problems[0]))
