"""The content in another language, for showing: a translated copy of the library, and the stored
snapshots (a verdict's reasons, a session's steps and stop reasons) shown in the language asked for.

Pure (no Django): the language is an argument. The pages get theirs from Django's active language in
`library/display.py`, the one place that reads it.

What is translated is only ever shown. The screening, the in-session stop rules and the session's steps
read the English library (`loader.default_library()`), and what they store (a verdict's reasons, a
session's steps) stays in English and by id; a snapshot is shown in another language only where its
stored text is still the English item's current text (a text the content has since changed is shown as it
was stored, in English, rather than as the translation of something else).

A safety text (a rule's or an in-session check's words to the parent and "what to do") whose translation
is not reviewed comes as `Bilingual`: a str holding the translation, which a page renders with the
English original beside it (when the organisation keeps that setting on, the default).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from html import escape
from types import MappingProxyType
from typing import Any

from kneadwell.content.loader import ContentError, ContentProblem
from kneadwell.content.translations import (
    Catalogue,
    Entry,
    Key,
    apply_texts,
    available_languages,
    english_index,
    is_safety_text,
    note_fallback,
    read_catalogue,
)
from kneadwell.core.marking import gettext_noop
from kneadwell.library.catalog import Library

# The Library's collections that hold items (the others, version and read_by, are not content texts).
COLLECTION_NAMES = (
    "regions",
    "conditions",
    "populations",
    "techniques",
    "routines",
    "protocols",
    "rules",
    "settings",
    "cues",
    "states",
    "questions",
    "question_sets",
    "measures",
    "session_checks",
)


class Bilingual(str):
    """A translated safety text that has not been reviewed: as a str it is the translation; rendered into
    a page (the `__html__` protocol Django and markupsafe honour) it is the translation followed by the
    English original, marked with its language, so the parent can check what the team wrote."""

    original: str
    language: str
    label: str

    def __new__(cls, text: str, *, original: str, language: str, label: str) -> Bilingual:
        made = super().__new__(cls, text)
        made.original = original
        made.language = language
        made.label = label
        return made

    def __html__(self) -> str:
        # The original on a line of its own, introduced in the page's language and isolated as English
        # (<bdi>), so that in Arabic neither text reorders the other's punctuation.
        return (
            f'<span lang="{escape(self.language)}">{escape(str(self))}</span><br>'
            f'<small class="original-text">{escape(self.label)}: '
            f'<bdi lang="en" dir="ltr">{escape(self.original)}</bdi></small>'
        )


# --- the shipped translations ---------------------------------------------------------------------------


def english_texts() -> dict[str, dict[tuple[str, str], dict[str, str]]]:
    """Every translatable English text of the shipped content, by area, collection and item."""
    from kneadwell.evidence.library import load_evidence
    from kneadwell.library.loader import default_library
    from kneadwell.outcomes.instruments.loader import load_instruments
    from kneadwell.outcomes.instruments.translations import english_index as instrument_english_index

    library = default_library()
    return {
        "library": english_index({name: getattr(library, name) for name in COLLECTION_NAMES}),
        "evidence": english_index({"claims": load_evidence().claims}),
        "instruments": instrument_english_index(load_instruments().values()),
    }


@cache
def catalogue(language: str) -> Catalogue:
    """The shipped translations into `language`, checked against the shipped English (loaded once)."""
    return read_catalogue(language, english_texts())


@cache
def languages() -> tuple[str, ...]:
    """The languages the content is translated into (besides English); read once per process."""
    return available_languages()


def translation_problems() -> list[ContentProblem]:
    """Every problem in every shipped translation (empty when they all check)."""
    problems: list[ContentProblem] = []
    for language in languages():
        try:
            catalogue(language)
        except ContentError as exc:
            problems.extend(exc.problems)
    return problems


# --- a translated library -------------------------------------------------------------------------------


def _shown(
    entry: Entry, english: str, catalogue: Catalogue, collection: str, path: str, with_original: bool
) -> str:
    if with_original and not entry.file.reviewed and is_safety_text(collection, path):
        info = catalogue.info
        return Bilingual(
            entry.text,
            original=english,
            language=catalogue.language,
            label=f"{info.original_label} ({info.unreviewed_note})",
        )
    return entry.text


def localised_library(library: Library, catalogue: Catalogue, *, with_original: bool = True) -> Library:
    """A copy of `library` whose items carry the translations of `catalogue` (English where a text has
    none). Same ids, numbers, rules and version: only the words differ. `with_original`: unreviewed
    safety texts come as Bilingual."""
    changed: dict[str, Any] = {}
    for name in COLLECTION_NAMES:
        items = getattr(library, name)
        out: dict[str, Any] = {}
        for item_id, item in items.items():
            found = catalogue.item_texts("library", name, item_id)
            if not found:
                out[item_id] = item
                continue
            english = _english_of(item)
            texts = {
                path: _shown(entry, english.get(path, ""), catalogue, name, path, with_original)
                for path, entry in found.items()
            }
            out[item_id] = apply_texts(item, texts)
        changed[name] = MappingProxyType(out)
    return replace(library, **changed)


def _english_of(item: Any) -> dict[str, str]:
    from kneadwell.content.translations import item_texts

    return item_texts(item)


@cache
def _localised_default(language: str, with_original: bool) -> Library:
    from kneadwell.library.loader import default_library

    return localised_library(default_library(), catalogue(language), with_original=with_original)


def library_in(language: str | None, *, with_original: bool = True) -> Library:
    """The shipped library in `language` (None or an untranslated language: the English library)."""
    from kneadwell.library.loader import default_library

    if language is None or language not in languages():
        return default_library()
    return _localised_default(language, with_original)


def localised_item(
    area: str, collection: str, item: Any, language: str | None, *, with_original: bool = True
) -> Any:
    """One item of another area (an evidence claim) in `language`. `with_original`: its unreviewed safety
    texts (a claim's caveats) come as Bilingual, as a rule's do in `library_in`."""
    if language is None or language not in languages():
        return item
    found = catalogue(language)
    texts = found.item_texts(area, collection, str(item.id))
    if not texts:
        return item
    english = _english_of(item)
    return apply_texts(
        item,
        {
            path: _shown(entry, english.get(path, ""), found, collection, path, with_original)
            for path, entry in texts.items()
        },
    )


# --- the engine's own words in a stored snapshot ---------------------------------------------------------
# What the screening and the in-session stop rules write themselves (a reason's note, a reading's detail) is
# stored in English. Shown in another language, each is read back against the sentence the engine writes
# now (same words, same figures) and said again in the catalogue's words with the same figures and units;
# a text that does not read back (the engine's wording changed, or a release's reason) is shown as stored.
_NUMBER = r"-?\d+(?:\.\d+)?(?:e[+-]?\d+)?"
_READING = _NUMBER + r"(?: bpm|%| °C)?"
_FIELDS = {
    "value": _READING,
    "limit": _READING,
    "baseline": _READING,
    "seconds": _NUMBER,
    "needed": _NUMBER,
    "rise": _NUMBER,
    "fall": _NUMBER,
    "count": _NUMBER,
    "allowed": _NUMBER,
    "detail": r".+",
}
# library/stop_rules.py's readings, most specific first (figures and units are values, never translated).
READING_DETAILS = (
    gettext_noop("%(value)s, below %(limit)s for %(seconds)s s (less than %(needed)s s)"),
    gettext_noop("%(value)s, below %(limit)s for %(seconds)s s"),
    gettext_noop("%(value)s, below %(limit)s for an unknown time (treated as lasting)"),
    gettext_noop("%(value)s, above %(limit)s"),
    gettext_noop("%(value)s, below %(limit)s"),
    gettext_noop("up %(rise)s bpm from %(baseline)s (pause at %(limit)s)"),
    gettext_noop("down %(fall)s points from %(baseline)s (pause at %(limit)s)"),
    gettext_noop("respiratory rate %(value)s"),
)
AFTER_PAUSES = gettext_noop("%(detail)s (after %(count)s pause(s); %(allowed)s allowed)")
# library/screening.py's reason notes, in the order it joins them.
NOT_ANSWERED = gettext_noop("Not answered: %(questions)s. Treated as if it applies.")
OVERRULED = gettext_noop(
    "%(questions)s was answered no, but a measured value says otherwise: the more cautious reading is used."
)
MENTIONED = gettext_noop("The history's own words mention: %(words)s.")
NO_AREA = gettext_noop("We could not tell which area to leave out, so a clinician must confirm first.")
CLIENT_LABELS = {
    "client.postmenstrual_age_weeks": gettext_noop("postmenstrual age (needs birth date and gestation)")
}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@cache
def _reading_pattern(template: str) -> re.Pattern[str]:
    out, last = [], 0
    for found in _PLACEHOLDER.finditer(template):
        out.append(re.escape(template[last : found.start()]))
        out.append(f"(?P<{found.group(1)}>{_FIELDS[found.group(1)]})")
        last = found.end()
    out.append(re.escape(template[last:]))
    return re.compile("".join(out))


def _english_words(message: str) -> str:
    return message


# --- stored snapshots ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shower:
    """Shows stored English texts in one language. A text is translated only when it still equals the
    English item's text; a text with no translation is counted as a fallback."""

    library: Library  # the English library
    catalogue: Catalogue
    with_original: bool = True
    # The interface catalogue's words in the same language, for what the engine itself wrote (a note, a
    # reading's detail); Django's gettext in the page's language (library/display.py), English otherwise.
    gettext: Callable[[str], str] = _english_words

    def text(self, collection: str, item_id: str, path: str, stored: Any) -> Any:
        if not isinstance(stored, str):
            return stored
        items = getattr(self.library, collection, {})
        item = items.get(item_id)
        if item is None:
            return stored
        english = _english_of(item).get(path)
        if english is None or " ".join(english.split()) != " ".join(stored.split()):
            return stored
        entry = self.catalogue.entry("library", collection, item_id, path)
        if entry is None:
            note_fallback(self.catalogue.language, ("library", collection, item_id, path))
            return stored
        return _shown(entry, english, self.catalogue, collection, path, self.with_original)

    def settings_used(self, uses: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**use, "label": self.text("settings", str(use.get("id", "")), "label", use.get("label"))}
            for use in uses
        ]

    def reason(self, reason: Mapping[str, Any]) -> dict[str, Any]:
        """A screening reason as stored (Verdict.to_dict()["reasons"][i])."""
        rule_id = str(reason.get("rule_id", ""))
        shown = dict(reason)
        for stored_as, field in (("title", "title"), ("parent_text", "text_parent"), ("instead", "instead")):
            if stored_as in shown:
                shown[stored_as] = self.text("rules", rule_id, field, shown[stored_as])
        if reason.get("settings"):
            shown["settings"] = self.settings_used(reason["settings"])
        if isinstance(reason.get("note"), str):
            shown["note"] = self.note(reason)
        return shown

    def _question(self, item: str) -> tuple[str, str] | None:
        """A question (or a fact of the record) as a note names it: (English, shown), or None."""
        from kneadwell.library.screening import _label

        try:
            english = _label(self.library, item)
        except KeyError:
            return None
        if item.startswith("client."):
            return english, self.gettext(english) if english in CLIENT_LABELS.values() else english
        label = self.library.questions[item].label
        return english, f'"{self.text("questions", item, "label", label)}"'

    def note(self, reason: Mapping[str, Any]) -> str:
        """A screening reason's note (library/screening.py: "Not answered: …", a measured value overruling
        a no, the history's words, no area to leave out), said again part by part; a note with a part it
        does not read back (a release that does not apply) is shown as stored."""
        note = str(reason.get("note") or "")
        rest, parts = note, []
        unanswered = [str(q) for q in reason.get("unanswered") or []]
        for count in range(len(unanswered), 0, -1):  # the region questions are appended after the note's
            named = [self._question(q) for q in unanswered[:count]]
            if any(n is None for n in named):
                return note
            english = NOT_ANSWERED % {"questions": "; ".join(n[0] for n in named if n)}
            if rest == english or rest.startswith(english + " "):
                shown = "; ".join(n[1] for n in named if n)
                parts.append(self.gettext(NOT_ANSWERED) % {"questions": shown})
                rest = rest[len(english) :].lstrip(" ")
                break
        overruled = re.match(r"(.+?) was answered no, but a measured value says otherwise: ", rest)
        if overruled:
            by_label = {f'"{q.label}"': q.id for q in self.library.questions.values()}
            labels = overruled.group(1).split("; ")
            if not all(label in by_label for label in labels):
                return note
            named = [self._question(by_label[label]) for label in labels]
            english = OVERRULED % {"questions": overruled.group(1)}
            if not rest.startswith(english):
                return note
            parts.append(self.gettext(OVERRULED) % {"questions": "; ".join(n[1] for n in named if n)})
            rest = rest[len(english) :].lstrip(" ")
        mentioned = re.match(r"The history's own words mention: (.+?)\.(?= We could not tell|$)", rest)
        if mentioned:  # the history's words are the person's own, as they typed them
            parts.append(self.gettext(MENTIONED) % {"words": mentioned.group(1)})
            rest = rest[mentioned.end() :].lstrip(" ")
        if rest == NO_AREA:
            parts.append(self.gettext(NO_AREA))
            rest = ""
        return " ".join(parts) if not rest else note

    def verdict(self, verdict: Mapping[str, Any]) -> dict[str, Any]:
        shown = dict(verdict)
        shown["reasons"] = [self.reason(r) for r in verdict.get("reasons", [])]
        return shown

    def session_reason(self, reason: Mapping[str, Any]) -> dict[str, Any]:
        """An in-session reason as stored (SessionReason, as the observation keeps it)."""
        check_id = str(reason.get("check_id", ""))
        shown = dict(reason)
        for stored_as, field in (("label", "label"), ("parent_text", "text_parent"), ("instead", "instead")):
            if stored_as in shown:
                shown[stored_as] = self.text("session_checks", check_id, field, shown[stored_as])
        if isinstance(shown.get("detail"), str):
            shown["detail"] = self.detail(shown["detail"])
        if reason.get("settings"):
            shown["settings"] = self.settings_used(reason["settings"])
        return shown

    def detail(self, detail: str) -> str:
        """A reason's detail as stop_rules wrote it: "Seen: arching, finger splay", "State 5: fussy",
        "Crying", a reading ("95 bpm, below 100 bpm for 10 s": the figures and units as written), each with
        "(after 2 pause(s); 2 allowed)" where pauses led to the stop; anything else is left as written."""
        pauses = _reading_pattern(AFTER_PAUSES).fullmatch(detail)
        if pauses:
            inner = self.detail(pauses.group("detail"))
            if inner == pauses.group("detail"):
                return detail  # the inner detail did not read back: all of it as written
            return self.gettext(AFTER_PAUSES) % {**pauses.groupdict(), "detail": inner}
        for template in READING_DETAILS:
            reading = _reading_pattern(template).fullmatch(detail)
            if reading:
                return self.gettext(template) % reading.groupdict()
        info = self.catalogue.info
        if detail == "Crying":
            return info.crying
        if detail.startswith("Seen: "):
            names = detail.removeprefix("Seen: ").split(", ")
            by_label = {c.label.lower(): c.id for c in self.library.cues.values()}
            if all(n in by_label for n in names):
                words = [
                    str(self.text("cues", by_label[n], "label", self.library.cues[by_label[n]].label)).lower()
                    for n in names
                ]
                return f"{info.seen}: " + ", ".join(words)
            return detail
        if detail.startswith("State "):
            for state in self.library.states.values():
                if detail == f"State {state.number}: {state.label.lower()}":
                    label = str(self.text("states", state.id, "label", state.label)).lower()
                    return info.state.format(number=state.number, label=label)
        return detail

    def step(self, step: Mapping[str, Any]) -> dict[str, Any]:
        """A session's step as stored (care.routine.todays_steps)."""
        shown = dict(step)
        technique = str(step.get("technique", ""))
        shown["name"] = self.text("techniques", technique, "name", step.get("name"))
        shown["how_parent"] = self.text("techniques", technique, "description_parent", step.get("how_parent"))
        routine = self.library.routines.get(str(step.get("routine", "")))
        if routine is None:
            return shown
        for section in routine.sections:
            path = f"sections.{section.id}.label"
            for key in ("section", "phase"):
                if step.get(key) and step.get(key) == section.label:
                    shown[key] = self.text("routines", routine.id, path, step[key])
        for number, planned in enumerate(routine.steps, start=1):
            if planned.technique != technique:
                continue
            if planned.note and step.get("note") == planned.note:
                shown["note"] = self.text("routines", routine.id, f"steps.{number}.note", step["note"])
            if planned.phase and step.get("phase") == planned.phase:
                shown["phase"] = self.text("routines", routine.id, f"steps.{number}.phase", step["phase"])
        return shown

    def phase(self, routine_ids: Sequence[str], phase: str) -> str:
        """A phase name as the step timing reports it (a step's `phase`, or its section's label)."""
        for routine_id in routine_ids:
            routine = self.library.routines.get(routine_id)
            if routine is None:
                continue
            for section in routine.sections:
                if section.label == phase:
                    return str(self.text("routines", routine.id, f"sections.{section.id}.label", phase))
            for number, planned in enumerate(routine.steps, start=1):
                if planned.phase == phase:
                    return str(self.text("routines", routine.id, f"steps.{number}.phase", phase))
        return phase


def shower(
    language: str | None, *, with_original: bool = True, gettext: Callable[[str], str] | None = None
) -> Shower | None:
    """A Shower for the shipped content in `language`, or None for English (nothing to change). `gettext`:
    the interface catalogue in the same language, for the engine's own words (English without it)."""
    from kneadwell.library.loader import default_library

    if language is None or language not in languages():
        return None
    return Shower(
        library=default_library(),
        catalogue=catalogue(language),
        with_original=with_original,
        gettext=gettext or _english_words,
    )


# --- what a parent sees ---------------------------------------------------------------------------------


def parent_keys(library: Library, claims: Mapping[str, Any], claim_populations: Iterable[str]) -> list[Key]:
    """Every text a parent or caregiver can be shown, worked out from the content: the programmes a parent
    may give (`delivered_by`), their routines, steps and techniques; the question sets of those
    programmes' populations, their questions and answers (and the vocabularies an answer is chosen
    from); the rules that screen those programmes and populations, the settings they quote, the
    in-session checks and the cues and states the player offers; the body regions; and the evidence
    claims about those populations in plain words (`claim_populations`: the evidence library's codes for
    them)."""
    from kneadwell.content.translations import item_texts

    keys: list[Key] = []

    def add(collection: str, item: Any, only: Iterable[str] | None = None) -> None:
        for path in item_texts(item):
            if only is None or path.split(".")[0] in only:
                keys.append(("library", collection, item.id, path))

    protocols = [p for p in library.protocols.values() if "parent" in p.delivered_by]
    populations = sorted({pop for p in protocols for pop in p.populations})
    routines = sorted({r for p in protocols for r in p.routines})
    techniques = sorted({s.technique for r in routines for s in library.routines[r].steps})
    rules = {
        rule.id: rule for p in protocols for pop in p.populations for rule in library.rules_for(p.id, pop)
    }
    checks = [c for c in library.session_checks.values()]
    settings = sorted(
        {s for rule in rules.values() for s in _settings_read(rule)} | {s for c in checks for s in c.settings}
    )
    for p in protocols:
        add("protocols", p)
    for r in routines:
        add("routines", library.routines[r])
    for t in techniques:
        add("techniques", library.techniques[t], only=("name", "description_parent"))
    question_ids: list[str] = []
    vocabularies: set[str] = set()
    for pop in populations:
        for scope in ("intake", "today"):
            qset = library.question_set(pop, scope)
            add("question_sets", qset)
            question_ids += [q for q in qset.questions if q not in question_ids]
    for qid in question_ids:
        question = library.questions[qid]
        add("questions", question)
        if question.choices_from:
            vocabularies.add(question.choices_from)
        if question.type == "region_multi_choice":
            vocabularies.add("regions")
    for rule in rules.values():
        add("rules", rule)
        if rule.regions is not None:
            vocabularies.add("regions")
    for s in settings:
        add("settings", library.settings[s])
    for check in checks:
        add("session_checks", check, only=("label", "text_parent", "instead"))
    for cue in library.cues.values():
        add("cues", cue)
    vocabularies.add("states")  # the player's "awake or asleep?" for every baby
    for name in sorted(vocabularies):
        for item in getattr(library, name).values():
            add(name, item)
    for pop in populations:
        add("populations", library.populations[pop])
    wanted = set(claim_populations)
    for claim in claims.values():
        # The claim in plain words, and its caveats: the evidence pages and the protocol page's evidence
        # section show them beside it (issue 14).
        if wanted & set(claim.populations):
            keys.append(("evidence", "claims", claim.id, "parent_text"))
            keys += [
                ("evidence", "claims", claim.id, f"caveats.{n}") for n in range(1, len(claim.caveats) + 1)
            ]
    return list(dict.fromkeys(keys))


def _settings_read(rule: Any) -> set[str]:
    from kneadwell.library import predicates as P

    return set(P.settings_read(rule.when))
