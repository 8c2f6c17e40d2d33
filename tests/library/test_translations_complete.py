"""Every text a parent can see has a Spanish and an Arabic translation. What a parent sees is worked out
from the content (library/localise.parent_keys: the programmes a parent may give, by `delivered_by`, and
everything they reach, with the evidence claims' plain words and caveats; and
outcomes/instruments/translations.parent_keys: every instrument's name, and every word of the instruments
a parent reports on), not listed by hand; a text missing here would be shown in English."""

from __future__ import annotations

import pytest

from kneadwell.evidence.library import load_evidence
from kneadwell.evidence.mapping import POPULATIONS
from kneadwell.library.catalog import Library
from kneadwell.library.display import parent_claim_populations
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue, library_in, parent_keys
from kneadwell.outcomes.instruments import translations as instrument_translations
from kneadwell.outcomes.instruments.loader import load_instruments

SHIPPED = ("es", "ar")


def wanted(library: Library | None = None) -> list[tuple[str, str, str, str]]:
    lib = library or default_library()
    return parent_keys(
        lib, load_evidence().claims, parent_claim_populations(lib, POPULATIONS)
    ) + instrument_translations.parent_keys(lib, load_instruments())


@pytest.mark.parametrize("language", SHIPPED)
def test_every_text_a_parent_sees_is_translated(language: str) -> None:
    found = catalogue(language)
    missing = [".".join(key) for key in wanted() if key not in found.entries]
    assert not missing, f"{len(missing)} texts a parent sees have no {language} translation: {missing[:20]}"


def test_what_a_parent_sees_follows_the_content() -> None:
    keys = set(wanted())
    lib = default_library()
    # The routines, steps' words, techniques, today's questions and their answers, safety reasons,
    # in-session checks, cues and the evidence in plain words are all in it ...
    for key in (
        ("library", "routines", "iaim_full_body", "sections.tummy.label"),
        ("library", "techniques", "milking_indian", "description_parent"),
        ("library", "questions", "fever_today", "item_label"),
        ("library", "questions", "ketones_today", "choices.raised.label"),
        ("library", "rules", "fever", "text_parent"),
        ("library", "rules", "fever", "instead"),
        ("library", "session_checks", "cue_stop", "instead"),
        ("library", "cues", "arching", "label"),
        ("library", "protocols", "iaim_first_week", "evidence.summary_parent"),
        ("evidence", "claims", "term_sleep", "parent_text"),
        ("evidence", "claims", "term_crying", "caveats.2"),
        # the instruments: every name, and the words of a scale a parent fills in
        ("instruments", "instruments", "fugl_meyer", "name"),
        ("instruments", "instruments", "nasal_congestion", "items.congestion.options.3.label"),
        ("instruments", "instruments", "nasal_congestion", "measures"),
        ("instruments", "instruments", "infant_day_diary", "categories.inconsolable_crying.label"),
        ("instruments", "instruments", "infant_day_diary", "total_display.suffix"),
        ("instruments", "instruments", "bristol_stool", "bands.normal.label"),
    ):
        assert key in keys, key
    # ... the clinician register never is, nor the items of a scale only a clinician rates ...
    assert not [k for k in keys if k[3].endswith("_clinician")]
    assert not [k for k in keys if k[2] == "fugl_meyer" and k[3] != "name"]
    # ... and a programme only a therapist gives brings in nothing of its own.
    therapist_only = [p for p in lib.protocols.values() if "parent" not in p.delivered_by]
    assert therapist_only, "the content has a therapist-only programme to check against"
    parent_routines = {r for p in lib.protocols.values() if "parent" in p.delivered_by for r in p.routines}
    for protocol in therapist_only:
        assert ("library", "protocols", protocol.id, "name") not in keys
        for routine in set(protocol.routines) - parent_routines:
            assert ("library", "routines", routine, "name") not in keys


def test_a_programme_a_parent_may_give_brings_its_texts_in() -> None:
    lib = default_library()
    protocol = next(p for p in lib.protocols.values() if "parent" not in p.delivered_by)
    opened = type(protocol).model_copy(protocol, update={"delivered_by": ["parent", "therapist"]})
    changed = Library(**{**lib.__dict__, "protocols": {**lib.protocols, protocol.id: opened}})
    assert ("library", "protocols", protocol.id, "name") in set(wanted(changed))


@pytest.mark.parametrize("language", SHIPPED)
def test_the_translated_library_keeps_everything_but_the_words(language: str) -> None:
    english, shown = default_library(), library_in(language)
    assert shown.version == english.version
    for name in ("rules", "questions", "protocols", "routines", "session_checks", "settings"):
        assert list(getattr(shown, name)) == list(getattr(english, name))
    for rule_id, rule in english.rules.items():
        other = shown.rules[rule_id]
        assert other.model_dump(exclude={"title", "text_parent", "instead"}) == rule.model_dump(
            exclude={"title", "text_parent", "instead"}
        )
    for routine_id, routine in english.routines.items():
        other = shown.routines[routine_id]
        assert [(s.technique, s.regions, s.minutes, s.repetitions) for s in other.steps] == [
            (s.technique, s.regions, s.minutes, s.repetitions) for s in routine.steps
        ]
    assert shown.rules["fever"].text_parent != english.rules["fever"].text_parent


def test_the_instruments_a_parent_reports_on_follow_the_content() -> None:
    """A parent's programme that names a parent-reported measure brings its instrument's words in."""
    lib = default_library()
    reported = instrument_translations.parent_reported(lib, load_instruments())
    assert "nasal_congestion" in reported
    assert "infant_day_diary" in reported
    assert "nips" not in reported  # a pain scale a nurse scores
    measure = lib.measures["nasal_congestion"]
    quiet = Library(
        **{
            **lib.__dict__,
            "measures": {**lib.measures, measure.id: measure.model_copy(update={"kind": "clinical"})},
        }
    )
    assert "nasal_congestion" not in instrument_translations.parent_reported(quiet, load_instruments())
    assert ("instruments", "instruments", "nasal_congestion", "name") in set(wanted(quiet))
    assert ("instruments", "instruments", "nasal_congestion", "items.congestion.label") not in set(
        wanted(quiet)
    )
