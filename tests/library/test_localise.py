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


# --- the engine's own words: a reading's detail, a reason's note (issue 14) -----------------------------
def _django_shower(language: str) -> Shower:
    from django.utils import translation

    found = shower(language, gettext=translation.gettext)
    assert found is not None
    return found


def test_a_readings_detail_is_said_again_with_its_figures_and_units() -> None:
    """library/stop_rules.py's readings ("95 bpm, below 100 bpm for 10 s"), stored English, are shown in
    the page's language with the same figures and units; a detail that does not read back stays as
    written; without the interface catalogue (no gettext) the English comes back unchanged."""
    from django.utils import translation

    readings = {
        "95 bpm, below 100 bpm for 10 s": (
            "95 bpm, por debajo de 100 bpm durante 10 s",
            "\u206695 bpm\u2069، أقل من \u2066100 bpm\u2069 لمدة \u206610\u2069 ثانية",
        ),
        "95 bpm, below 100 bpm for 4 s (less than 10 s)": (
            "95 bpm, por debajo de 100 bpm durante 4 s (menos de 10 s)",
            None,
        ),
        "84%, below 88% for an unknown time (treated as lasting)": (
            "84%, por debajo de 88% durante un tiempo desconocido (se trata como si continuara)",
            None,
        ),
        "205 bpm, above 200 bpm": ("205 bpm, por encima de 200 bpm", None),
        "35.9 °C, below 36.3 °C": (
            "35.9 °C, por debajo de 36.3 °C",
            "\u206635.9 °C\u2069، أقل من \u206636.3 °C\u2069",
        ),
        "up 30 bpm from 140 (pause at 25)": ("subió 30 bpm desde 140 (pausa al llegar a 25)", None),
        "down 5 points from 97% (pause at 4)": ("bajó 5 puntos desde 97% (pausa al llegar a 4)", None),
        "respiratory rate 0": ("frecuencia respiratoria 0", "معدل التنفس \u20660\u2069"),
    }
    for language in ("es", "ar"):
        with translation.override(language):
            shown = _django_shower(language)
            for english, said in readings.items():
                expected = said[0] if language == "es" else said[1]
                out = shown.detail(english)
                if expected is not None:
                    assert out == expected, (language, english)
                assert out != english, (language, english)
                for figure in ("95", "100", "35.9", "36.3", "30", "140", "84%", "88%"):
                    assert (figure in english) == (figure in out), (language, english, figure)
            # not the engine's current wording: as written
            assert shown.detail("95 bpm, lower than 100 bpm") == "95 bpm, lower than 100 bpm"
            assert shown.detail("up 30 bpm from somewhere") == "up 30 bpm from somewhere"
    assert shower("es").detail("205 bpm, above 200 bpm") == "205 bpm, above 200 bpm"  # type: ignore[union-attr]


def test_a_pause_count_around_a_seen_detail_is_said_again() -> None:
    from django.utils import translation

    lib = default_library()
    cue = next(c for c in lib.cues.values() if c.in_session_action == "pause")
    english = f"Seen: {cue.label.lower()} (after 2 pause(s); 2 allowed)"
    with translation.override("es"):
        out = _django_shower("es").detail(english)
    label = catalogue("es").entry("library", "cues", cue.id, "label")
    assert label is not None
    assert out == f"{catalogue('es').info.seen}: {label.text.lower()} (pausas hechas: 2; se permiten 2)"
    with translation.override("es"):  # an inner detail that does not read back: all of it as written
        assert _django_shower("es").detail("Seen: a shrug (after 1 pause(s); 2 allowed)") == (
            "Seen: a shrug (after 1 pause(s); 2 allowed)"
        )


def test_a_reasons_note_is_said_again_part_by_part() -> None:
    from django.utils import translation

    from kneadwell.library.screening import _label

    lib = default_library()
    asked = ["fever_today", "diarrhoea_today"]
    labels = "; ".join(_label(lib, q) for q in asked)
    note = (
        f"Not answered: {labels}. Treated as if it applies. "
        "The history's own words mention: reflux, eczema. "
        "We could not tell which area to leave out, so a clinician must confirm first."
    )
    # a region question is appended to `unanswered` after the note was written (screening._reason)
    reason = {"rule_id": "fever", "note": note, "unanswered": [*asked, "skin_problem_regions"]}
    with translation.override("ar"):
        shown = _django_shower("ar").reason(reason)["note"]
    arabic = [catalogue("ar").entry("library", "questions", q, "label") for q in asked]
    assert all(arabic)
    assert shown == (
        f'لم تتم الإجابة: "{arabic[0].text}"; "{arabic[1].text}". يُعامل كأنه ينطبق. '  # type: ignore[union-attr]
        "يذكر التاريخ الصحي بكلماته: reflux, eczema. "
        "لم نتمكن من معرفة المنطقة التي يجب تجنّبها، لذا يجب أن يؤكد مختص سريري أولًا."
    )
    # a part it cannot read back (a release that does not apply): the whole note as stored
    void = note + " The release given by Dr Lee on 3 Mar 2026 does not apply: the finding changed."
    with translation.override("ar"):
        assert _django_shower("ar").reason({**reason, "note": void})["note"] == void
    # a question whose English label has since changed: as stored
    old = {**reason, "note": note.replace(_label(lib, "fever_today"), '"Fever?"')}
    with translation.override("es"):
        assert _django_shower("es").reason(old)["note"] == old["note"]
