"""The rules bundle in the person's language (issue 14): a Spanish or Arabic page's device shows the reasons
in that language, and decides exactly as with the English bundle.

- Every screening scenario, with the English, Spanish and Arabic bundles: the device (rules.js) answers
  what the server's path on that bundle answers, word for word (the parity of test_rules_js_parity in each
  language), and with the words taken out the three results are identical (verdict, rule ids, regions,
  modifications, settings' values, unanswered questions, releases, retry time, which fields are refused).
- The reasons carry the translations (the catalogue's text where there is one, else the English).
- The API: the language named in the bundle, its version and its ETag; the English original beside each
  unreviewed safety text, unless the organisation switched that off; a caregiver gets their language.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import translation

from kneadwell.accounts.roles import Role
from kneadwell.library import localise, services
from kneadwell.library.bundle import device_screen
from kneadwell.library.catalog import Library
from kneadwell.library.loader import default_library
from kneadwell.library.localise import catalogue, library_in
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import screen
from kwtest.people import Clinic, make_client

from .conftest import NOW, clear_answers
from .rules_js import NodeRules, as_json, bundle_for, plain
from .test_rules_js_parity import SCENARIOS, differences, scenario_inputs

LANGUAGES = ("es", "ar")
LIB = default_library()
# Words a result carries (the rest is the decision): a reason's and a setting's words, the notes that
# quote question labels, the short findings' reason, an in-session reason's detail (the cues seen);
# refusals are compared by the fields refused.
WORDS = frozenset({"title", "parent_text", "clinician_text", "instead", "note", "label", "reason", "detail"})


@pytest.fixture(scope="module")
def js() -> Iterator[NodeRules]:
    with NodeRules() as runner:
        yield runner


def decisions(result: Any) -> Any:
    """A result with its words taken out."""
    if isinstance(result, dict):
        if result.get("ok") is False:
            return {"ok": False, "errors": sorted(result["errors"])}
        return {k: decisions(v) for k, v in result.items() if k not in WORDS}
    if isinstance(result, list):
        return [decisions(v) for v in result]
    return result


def _bundle(library: Library, language: str, inputs: dict[str, Any]) -> dict[str, Any]:
    return bundle_for(
        library,
        client=inputs["client"],
        intake=inputs["intake"],
        protocol_id=inputs["protocol_id"],
        now=NOW,
        released=inputs["released"],
        language=language,
        words_version=catalogue(language).version if language != "en" else None,
    )


def test_every_scenario_decides_the_same_in_every_language_and_speaks_the_language(js: NodeRules) -> None:
    # The bundle is made from the library the server sends (unreviewed safety texts with their English
    # originals); the server's path screens with the same words as plain text.
    libraries = {"en": LIB, **{lang: library_in(lang) for lang in LANGUAGES}}
    screening = {"en": LIB, **{lang: library_in(lang, with_original=False) for lang in LANGUAGES}}
    mismatches: list[Any] = []
    translated = {lang: 0 for lang in LANGUAGES}
    compared = 0
    for s in SCENARIOS:
        i = scenario_inputs(LIB, s)
        today = as_json(i["today"])
        english = plain(
            screen(library=LIB, settings=ScreeningSettings.for_library(LIB), now=NOW, **i).to_dict()
        )
        results: dict[str, Any] = {}
        for lang, library in libraries.items():
            bundle = _bundle(library, lang, i)
            assert bundle["language"] == lang
            for strict in (False, True):
                server = plain(
                    device_screen(
                        library=screening[lang],
                        bundle=bundle,
                        answers=today,
                        now=NOW,
                        any_question=not strict,
                    )
                )
                device = js.screen(bundle, today, now=NOW, any_question=not strict)
                compared += 1
                if device != server:  # the device says what the server's path says, word for word
                    mismatches.append((s.id, lang, strict, differences(server, device)[:4]))
                results[f"{lang}{strict}"] = device
        for lang in LANGUAGES:
            for strict in (False, True):
                if decisions(results[f"{lang}{strict}"]) != decisions(results[f"en{strict}"]):
                    mismatches.append((s.id, lang, strict, "decides otherwise than in English"))
        # The reasons are the catalogue's words (English where a text has no translation yet).
        for lang in LANGUAGES:
            shown = results[f"{lang}True"] if results[f"{lang}True"]["ok"] else results[f"{lang}False"]
            if not shown["ok"]:
                continue
            for reason, source in zip(shown["reasons"], english["reasons"], strict=True):
                assert reason["rule_id"] == source["rule_id"]
                for stored_as, field in (("title", "title"), ("parent_text", "text_parent")):
                    entry = catalogue(lang).entry("library", "rules", reason["rule_id"], field)
                    want = entry.text if entry is not None else source[stored_as]
                    assert reason[stored_as] == want, (s.id, lang, reason["rule_id"], field)
                    translated[lang] += entry is not None and entry.text != source[stored_as]
    assert compared == len(SCENARIOS) * 3 * 2
    assert not mismatches, mismatches[:10]
    assert min(translated.values()) > 1000, translated  # titles and texts of the 844 reasons, translated


def test_the_stop_rules_decide_the_same_and_speak_the_language(js: NodeRules) -> None:
    i = scenario_inputs(LIB, SCENARIOS[0])
    for observation in (
        {"cues": ["arching", "finger_splaying"], "pauses_so_far": 1},
        {"cues": ["vomiting"]},
        {"cues": ["smiling"]},
        {"cues": [], "state": "crying"},
    ):
        english = js.observe(_bundle(LIB, "en", i), observation)
        assert english["ok"], english
        for lang in LANGUAGES:
            device = js.observe(_bundle(library_in(lang), lang, i), observation)
            assert decisions(device) == decisions(english)
            for reason in device["reasons"]:
                entry = catalogue(lang).entry("library", "session_checks", reason["check_id"], "text_parent")
                assert entry is not None
                assert reason["parent_text"] == entry.text


# --- the API -------------------------------------------------------------------------------------------


@pytest.fixture
def baby(clinic: Clinic) -> Any:
    return make_client(
        clinic.actor(Role.THERAPIST), guardian_user=clinic.user(Role.CAREGIVER), born_days_ago=70, weeks=39
    )


def _get(http: HttpClient, baby: Any, language: str) -> Any:
    return http.get(f"/api/v1/clients/{baby.pk}/rules-bundle", HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_api_sends_the_bundle_in_the_persons_language(
    client: HttpClient, clinic: Clinic, baby: Any, language: str
) -> None:
    _intake(clinic, baby)
    client.force_login(clinic.user(Role.CAREGIVER))
    english = _get(client, baby, "en")
    shown = _get(client, baby, language)
    assert english.status_code == shown.status_code == 200, shown.content
    en, local = english.json(), shown.json()
    assert (en["language"], local["language"]) == ("en", language)
    assert shown["Content-Language"] == language
    assert f"~{language}~{language}+" in local["version"]
    assert local["version"] in shown["ETag"]
    assert shown["ETag"] != english["ETag"]
    assert "Accept-Language" in shown["Vary"]
    assert "no-store" in shown["Cache-Control"]
    # Same content, same rules (ids, conditions, regions, numbers): only the words differ.
    assert local["content_version"] == en["content_version"]
    assert [r["id"] for r in local["rules"]] == [r["id"] for r in en["rules"]]
    assert [r["when"] for r in local["rules"]] == [r["when"] for r in en["rules"]]
    assert local["settings"] == {
        **en["settings"],
        "definitions": {
            k: {**v, "label": local["settings"]["definitions"][k]["label"]}
            for k, v in en["settings"]["definitions"].items()
        },
    }
    fever = {r["id"]: r for r in local["rules"]}["fever"]
    want = catalogue(language).entry("library", "rules", "fever", "text_parent")
    assert want is not None
    assert fever["text_parent"] == want.text
    assert local["questions"]["fever_today"]["label"] != en["questions"]["fever_today"]["label"]
    # The English original of each unreviewed safety text, with the words introducing it (on by default).
    originals = local["words"]["originals"]
    assert originals["rules"]["fever"]["text_parent"] == LIB.rules["fever"].text_parent
    assert originals["session_checks"], "the in-session checks' originals"
    assert local["words"]["original_label"]
    assert en["words"]["originals"] == {"rules": {}, "session_checks": {}}
    assert local["words"]["phrases"]["seen"] == catalogue(language).info.seen
    assert en["words"]["phrases"]["seen"] == "Seen"
    # Switched off by the organisation: the translation alone.
    services.translation_policy_save(actor=clinic.actor(Role.ADMIN), english_beside_unreviewed=False)
    off = _get(client, baby, language).json()
    assert off["words"]["originals"] == {"rules": {}, "session_checks": {}}
    assert {r["id"]: r for r in off["rules"]}["fever"]["text_parent"] == want.text


def _intake(clinic: Clinic, baby: Any) -> None:
    services.intake_save(
        actor=clinic.actor(Role.THERAPIST),
        client=baby,
        population="infant",
        answers=as_json(clear_answers(LIB, "infant", "intake")),
        expected_version=None,
    )


# --- the engine's own words (a reason's note, a reading's detail) -------------------------------------------

# In-session details as library/stop_rules.py writes them (readings, crying, the pauses before a stop).
DETAILS = (
    "95 bpm, below 100 bpm for 10 s",
    "95 bpm, below 100 bpm for 4 s (less than 10 s)",
    "95 bpm, below 100 bpm for an unknown time (treated as lasting)",
    "185 bpm, above 180 bpm",
    "35.9 °C, below 36.3 °C",
    "up 30 bpm from 140 (pause at 25)",
    "down 4 points from 97% (pause at 3)",
    "respiratory rate 70",
    "88%, below 90% for 12 s (after 1 pause(s); 1 allowed)",
)


def _fill(template: str, values: dict[str, str]) -> str:
    """offline.js `fill`."""
    return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), template)


def _read_back(template: str, text: str) -> dict[str, str] | None:
    """offline-player.js `readBack`, as plainly as possible: the template's fields as any text."""
    parts = re.split(r"\{(\w+)\}", template)
    pattern = "".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts))
    found = re.fullmatch(pattern, text)
    return found.groupdict() if found else None


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_bundle_carries_the_engines_words_as_the_servers_pages_show_them(
    client: HttpClient, clinic: Clinic, baby: Any, language: str
) -> None:
    """words.phrases has the engine's own words in the bundle's language, from the same marked strings the
    server's display uses (localise), and words.engine_english the English they read back: filled with
    the bundle's labels and a reason's figures, they say what the server's pages say for that reason."""
    _intake(clinic, baby)
    client.force_login(clinic.user(Role.CAREGIVER))
    en, local = _get(client, baby, "en").json(), _get(client, baby, language).json()
    english, phrases = local["words"]["engine_english"], local["words"]["phrases"]
    assert (
        english
        == en["words"]["engine_english"]
        == {k: v for k, v in en["words"]["phrases"].items() if k in english}
    )
    assert english["not_answered"] == "Not answered: {questions}. Treated as if it applies."
    with translation.override(language):
        shower = localise.shower(language, gettext=translation.gettext)
    assert shower is not None
    # A note naming two questions not answered: English = what the engine writes; shown = the server's.
    ids = ["fever_today", "infection_today"]
    stored = {
        "rule_id": "fever",
        "unanswered": ids,
        "note": localise.NOT_ANSWERED % {"questions": "; ".join(f'"{LIB.questions[q].label}"' for q in ids)},
    }
    assert (
        _fill(english["not_answered"], {"questions": "; ".join(f'"{LIB.questions[q].label}"' for q in ids)})
        == (stored["note"])
    )
    with translation.override(language):
        want = shower.note(stored)
    assert want != stored["note"]
    labels = "; ".join(f'"{local["questions"][q]["label"]}"' for q in ids)
    assert _fill(phrases["not_answered"], {"questions": labels}) == want
    # A measured value overruling a no, the history's words, no area, a fact of the record.
    overruled = {"note": localise.OVERRULED % {"questions": f'"{LIB.questions["fever_today"].label}"'}}
    mentioned = {"note": localise.MENTIONED % {"words": "eczema"}}
    fact = "client.postmenstrual_age_weeks"
    unknown_age = {
        "unanswered": [fact],
        "note": localise.NOT_ANSWERED % {"questions": localise.CLIENT_LABELS[fact]},
    }
    with translation.override(language):
        shown = [shower.note(n) for n in (overruled, mentioned, {"note": localise.NO_AREA}, unknown_age)]
    label = f'"{local["questions"]["fever_today"]["label"]}"'
    assert shown == [
        _fill(phrases["overruled"], {"questions": label}),
        _fill(phrases["mentioned"], {"words": "eczema"}),
        phrases["no_area"],
        _fill(phrases["not_answered"], {"questions": phrases["client_labels"][fact]}),
    ]
    assert len(set(shown)) == 4
    assert not any("answered" in s or "history" in s or "could not tell" in s for s in shown)
    # A reading's detail, read back against the English and said with the bundle's words.
    assert len(phrases["readings"]) == len(english["readings"]) == len(localise.READING_DETAILS)
    for detail in DETAILS:
        with translation.override(language):
            want = shower.detail(detail)
        assert want != detail
        pauses = _read_back(english["after_pauses"], detail)
        inner = pauses["detail"] if pauses else detail
        for number, template in enumerate(english["readings"]):
            values = _read_back(template, inner)
            if values:
                said = _fill(phrases["readings"][number], values)
                break
        else:
            raise AssertionError(detail)
        if pauses:
            said = _fill(phrases["after_pauses"], {**pauses, "detail": said})
        assert said == want, detail
