"""The translations of the clinical content (kneadwell.content.translations): read beside the English,
checked against it with file and line, never part of the content version, and a missing text falls back
to the English one and is counted."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kneadwell.content.loader import AREAS, ContentError, content_hash, current_version
from kneadwell.content.translations import (
    TRANSLATIONS_DIR,
    apply_texts,
    fallback_counts,
    item_texts,
    numbers_in,
    read_catalogue,
    reset_fallbacks,
)
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue, english_texts, languages

HEADER = """translation:
  language: es
  review: draft
  note: drafted by the team, awaiting clinical and native-speaker review
"""


@pytest.fixture
def roots(tmp_path: Path) -> dict[str, Path]:
    """Empty copies of the areas holding only the Spanish language file, for a test to add its files."""
    chosen = {area: tmp_path / area for area in AREAS}
    for folder in chosen.values():
        folder.mkdir()
    shipped = AREAS["library"] / TRANSLATIONS_DIR / "es" / "language.yaml"
    target = chosen["library"] / TRANSLATIONS_DIR / "es"
    target.mkdir(parents=True)
    shutil.copy(shipped, target / "language.yaml")
    return chosen


def write(
    roots: dict[str, Path], name: str, body: str, *, area: str = "library", header: str = HEADER
) -> Path:
    folder = roots[area] / TRANSLATIONS_DIR / "es"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(header + body, encoding="utf-8")
    return path


def problems_of(roots: dict[str, Path]) -> list[str]:
    with pytest.raises(ContentError) as caught:
        read_catalogue("es", english_texts(), roots)
    return [str(p) for p in caught.value.problems]


def test_a_translation_is_read_and_looked_up(roots: dict[str, Path]) -> None:
    write(roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre\n")
    found = read_catalogue("es", english_texts(), roots)
    assert found.text("library", "rules", "fever", "title", "Fever") == "Fiebre"
    assert found.entry("library", "rules", "fever", "title").line == 7  # type: ignore[union-attr]
    assert found.files[0].review == "draft"
    assert not found.files[0].reviewed


def test_an_unknown_id_is_a_problem_with_its_file_and_line(roots: dict[str, Path]) -> None:
    path = write(
        roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre\n  no_such_rule:\n    title: Nada\n"
    )
    assert problems_of(roots) == [f"{path}:8: rules: unknown id 'no_such_rule' (no such item in English)"]


def test_an_unknown_field_is_a_problem(roots: dict[str, Path]) -> None:
    # The clinician register is not translated, and a field the item lacks is refused, at its own line.
    path = write(roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre\n    text_clinician: Algo\n")
    (problem,) = problems_of(roots)
    assert problem.startswith(f"{path}:8: rules 'fever': 'text_clinician' is not a text it has")


def test_an_unknown_collection_and_a_nested_path(roots: dict[str, Path]) -> None:
    path = write(
        roots,
        "q.yaml",
        "widgets:\n  x: {label: y}\n"
        "questions:\n  baby_state:\n    choices:\n      asleep_maybe: {label: z}\n",
    )
    found = problems_of(roots)
    assert found[0].startswith(f"{path}:5: 'widgets' is not a collection with texts in library")
    assert found[1].startswith(f"{path}:10: questions 'baby_state': 'choices.asleep_maybe.label' is not")


def test_a_choice_a_step_and_a_claim_are_translated_by_their_paths(roots: dict[str, Path]) -> None:
    routine, number = next(
        (r.id, n)
        for r in default_library().routines.values()
        for n, step in enumerate(r.steps, start=1)
        if step.note and not numbers_in(step.note)
    )
    write(
        roots,
        "q.yaml",
        "questions:\n  parent_goals:\n    choices:\n      sleep: {label: Dormir mejor}\n"
        f"routines:\n  {routine}:\n    steps:\n      {number}: {{note: Nota}}\n",
    )
    claim = next(iter(english_texts()["evidence"]))[1]
    write(roots, "claims.yaml", f"claims:\n  {claim}:\n    parent_text: Texto\n", area="evidence")
    found = read_catalogue("es", english_texts(), roots)
    assert found.entry("library", "questions", "parent_goals", "choices.sleep.label") is not None
    assert found.entry("library", "routines", routine, f"steps.{number}.note") is not None
    assert found.entry("evidence", "claims", claim, "parent_text") is not None


def test_numbers_must_match_the_english(roots: dict[str, Path]) -> None:
    english = default_library().rules["glucose_low"].instead
    assert "0.3" in numbers_in(english)  # "about 0.3 g/kg glucose"
    wrong = english.replace("0.3", "3")
    path = write(roots, "rules.yaml", f'rules:\n  glucose_low:\n    instead: "{wrong}"\n')
    (problem,) = problems_of(roots)
    assert problem.startswith(f"{path}:7: rules 'glucose_low': 'instead': the numbers differ from the Engl")


def test_numbers_are_read_whatever_the_digits_and_separators() -> None:
    assert numbers_in("50,000 per µL, 37.5 °C") == numbers_in("50.000 por µL, 37,5 °C")
    assert numbers_in("٧٢ ساعة") == numbers_in("72 hours")


def test_setting_quotes_must_match_the_english(roots: dict[str, Path]) -> None:
    lib = default_library()
    question = next(q for q in lib.questions.values() if q.item_label and "{" in q.item_label)
    path = write(roots, "q.yaml", f"questions:\n  {question.id}:\n    item_label: Hace poco\n")
    (problem,) = problems_of(roots)
    assert f"{path}:7: questions '{question.id}': 'item_label': the" in problem


def test_the_same_text_translated_twice_is_a_problem(roots: dict[str, Path]) -> None:
    write(roots, "a.yaml", "rules:\n  fever:\n    title: Fiebre\n")
    second = write(roots, "b.yaml", "rules:\n  fever:\n    title: Calentura\n")
    (problem,) = problems_of(roots)
    assert problem == f"{second}:7: rules 'fever': 'title' is translated twice (first at a.yaml:7)"


def test_every_file_says_its_review(roots: dict[str, Path]) -> None:
    path = write(roots, "a.yaml", "rules:\n  fever:\n    title: Fiebre\n", header="")
    expected = f"{path}:1: a translation file starts with 'translation:' (language, review, note)"
    assert problems_of(roots) == [expected]
    reviewed = "translation:\n  language: es\n  review: reviewed\n"
    path = write(roots, "a.yaml", "rules:\n  fever:\n    title: Fiebre\n", header=reviewed)
    found = problems_of(roots)
    # Nobody is named as a reviewer by default: a reviewed file must say who (both) and when.
    assert any("names its clinical_reviewer" in p for p in found)
    assert any("names its language_reviewer" in p for p in found)
    assert any("gives reviewed_on" in p for p in found)


def test_a_missing_translation_falls_back_to_english_and_is_counted(roots: dict[str, Path]) -> None:
    write(roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre\n")
    found = read_catalogue("es", english_texts(), roots)
    reset_fallbacks()
    english = default_library().rules["fever"].text_parent
    assert found.text("library", "rules", "fever", "text_parent", english) == english
    assert found.text("library", "rules", "fever", "text_parent", english) == english
    assert fallback_counts("es") == {("library", "rules", "fever", "text_parent"): 2}
    assert fallback_counts("ar") == {}


def test_translations_are_not_part_of_the_content_version(roots: dict[str, Path]) -> None:
    # The version stored with every check and session names the clinical content that decided; a
    # translation changes only what a page says (docs/languages.md, "Clinical content").
    assert content_hash() == current_version().sha256
    write(roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre\n")
    copies = {area: roots[area] for area in AREAS}
    for area, folder in AREAS.items():
        for path in folder.glob("*.yaml"):
            shutil.copy(path, copies[area] / path.name)
    assert content_hash(copies) == content_hash()
    # ... while each language has a version of its own, which a translation changes.
    before = read_catalogue("es", english_texts(), roots).sha256
    write(roots, "rules.yaml", "rules:\n  fever:\n    title: Fiebre alta\n")
    assert read_catalogue("es", english_texts(), roots).sha256 != before


def test_apply_texts_copies_and_leaves_the_english_as_it_is() -> None:
    rule = default_library().rules["fever"]
    changed = apply_texts(rule, {"title": "Fiebre"})
    assert changed.title == "Fiebre"
    assert rule.title != "Fiebre"
    assert changed.when == rule.when
    assert (changed.sources, changed.action) == (rule.sources, rule.action)
    question = default_library().questions["baby_state"]
    paths = item_texts(question)
    assert "label" in paths


def test_the_shipped_translations_check() -> None:
    assert set(languages()) >= {"es", "ar"}
    for language in languages():
        found = catalogue(language)
        assert found.files, language
        assert all(f.review in ("draft", "reviewed") for f in found.files)
