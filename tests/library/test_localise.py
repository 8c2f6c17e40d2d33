"""Stored snapshots shown in another language (library/localise.py, pure): a stored text is translated only
while it is still the English item's text; a missing translation falls back to English and is counted;
an unreviewed safety text carries its English original."""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from kneadwell.content.translations import fallback_counts, reset_fallbacks
from kneadwell.library.loader import default_library
from kneadwell.library.localise import Bilingual, Shower, catalogue, shower


def test_a_stored_reason_is_translated_by_its_rule_id() -> None:
    lib = default_library()
    rule = lib.rules["fever"]
    shown = Shower(library=lib, catalogue=catalogue("es")).reason(
        {"rule_id": "fever", "title": rule.title, "parent_text": rule.text_parent, "instead": rule.instead}
    )
    assert shown["title"] == catalogue("es").entry("library", "rules", "fever", "title").text  # type: ignore[union-attr]
    assert isinstance(shown["parent_text"], Bilingual)  # a draft safety text
    assert shown["parent_text"].original == rule.text_parent
    assert not isinstance(shown["title"], Bilingual)  # a title is not a reason to act on


def test_a_stored_text_the_content_has_since_changed_stays_as_stored() -> None:
    # Translating it would show the translation of something else than what the check said.
    lib = default_library()
    stored = {"rule_id": "fever", "title": "Fever", "parent_text": "An older wording.", "instead": "Rest."}
    shown = Shower(library=lib, catalogue=catalogue("es")).reason(stored)
    assert (shown["parent_text"], shown["instead"]) == ("An older wording.", "Rest.")


def test_a_missing_translation_falls_back_and_is_counted() -> None:
    lib = default_library()
    found = catalogue("es")
    entries = {k: v for k, v in found.entries.items() if k != ("library", "rules", "fever", "instead")}
    partial = replace(found, entries=MappingProxyType(entries))
    reset_fallbacks()
    rule = lib.rules["fever"]
    shown = Shower(library=lib, catalogue=partial).reason({"rule_id": "fever", "instead": rule.instead})
    assert shown["instead"] == rule.instead
    assert fallback_counts("es") == {("library", "rules", "fever", "instead"): 1}


def test_the_english_original_is_marked_and_escaped() -> None:
    text = Bilingual("Para <ya>", original="Stop & wait", language="es", label="Original en inglés")
    assert str(text) == "Para <ya>"
    rendered = text.__html__()
    assert '<span lang="es">Para &lt;ya&gt;</span>' in rendered
    assert rendered.endswith(
        '<small class="original-text">Original en inglés: '
        '<bdi lang="en" dir="ltr">Stop &amp; wait</bdi></small>'
    )


def test_without_the_original_a_safety_text_is_plain() -> None:
    lib = default_library()
    rule = lib.rules["fever"]
    shown = Shower(library=lib, catalogue=catalogue("ar"), with_original=False).reason(
        {"rule_id": "fever", "parent_text": rule.text_parent}
    )
    assert not isinstance(shown["parent_text"], Bilingual)
    assert shown["parent_text"] != rule.text_parent


def test_a_step_and_its_phase_and_a_session_detail() -> None:
    lib = default_library()
    routine = lib.routines["tks_session"]
    step = routine.steps[0]
    technique = lib.techniques[step.technique]
    section = next(s for s in routine.sections if s.id == step.section)
    stored = {
        "routine": routine.id,
        "technique": technique.id,
        "name": technique.name,
        "how_parent": technique.description_parent,
        "section": section.label,
        "phase": section.label,
        "note": "",
    }
    arabic = Shower(library=lib, catalogue=catalogue("ar"))
    shown = arabic.step(stored)
    assert shown["name"] == catalogue("ar").entry("library", "techniques", technique.id, "name").text  # type: ignore[union-attr]
    label = catalogue("ar").entry("library", "routines", routine.id, f"sections.{section.id}.label")
    assert label is not None
    assert shown["section"] == shown["phase"] == label.text
    assert arabic.phase([routine.id], section.label) == label.text
    assert arabic.detail("Crying") == catalogue("ar").info.crying
    assert arabic.detail("95 bpm, below 100 bpm for 10 s") == "95 bpm, below 100 bpm for 10 s"
    state = lib.states["active_alert"]
    assert arabic.detail(f"State {state.number}: {state.label.lower()}").startswith("الحالة 5: ")


def test_english_needs_no_shower() -> None:
    assert shower(None) is None
    assert shower("fr") is None
    assert shower("es") is not None
