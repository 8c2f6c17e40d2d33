"""The rules bundle: what a device needs to run today's check and the in-session stop rules offline, and the
Python reading of a bundle that rules.js must match.

Pure (no Django). The bundle carries the rules as the loaded data (the same objects `screen` evaluates,
dumped as JSON), the questions, settings, regions, cues, states and in-session checks they name, and the
client's own record (birth date, gestation, conditions, the stored intake answers, releases). Ages are not
frozen: they are computed for the day of the check, as `ClientFacts.from_birth` does on the server.

The words are in the language of the person who fetched it: `library` is then the translated copy
(`localise.library_in`: same ids, rules, numbers and version, only the words differ), so the reasons the
device shows are in the page's language; the bundle names its language and its words' version, and
carries the English original of each unreviewed safety text where the organisation shows it
(`words.originals`). The decisions do not depend on the language (tests/library/test_bundle_languages.py).

    bundle = rules_bundle(library=lib, client=BundleClient(...), intake_answers={...}, intake_version=3,
                          settings=ScreeningSettings.for_library(lib, overrides), releases=[...],
                          self_release=False, protocol_id="iaim_parent_routine", issued_at=now,
                          time_zone="Europe/London")
    result = device_screen(library=lib, bundle=bundle, answers={...}, now=now)   # what rules.js answers

`device_screen` is the server's own path (services.readiness_check_run → selectors.screen_record →
screening.screen) run on a bundle's contents: the parity tests hold rules.js to it, and hold it to the
server (tests/library/test_rules_bundle.py), so the device decides as the server does. See docs/offline.md.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from kneadwell.library.answers import AnswerError
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import ClientFacts, GivenRelease, ScreeningInputError, screen

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library

FORMAT = 1
ENGLISH = "en"
# How long a device may screen from one bundle without connecting (design choice: a week of checks at
# home; every record is screened again by the server when it is sent, and a bundle older than this is
# refused so that a changed record or new content cannot go unseen for longer).
LIFETIME = timedelta(days=7)

ERR_STRAY = "This question is not part of today's check."  # as services.readiness_check_run says it
ERR_FORMAT = "These safety rules are from another version of the app: connect once to update them."
ERR_EXPIRED = "These safety rules are more than a week old: connect once to update them."
ERR_POPULATION_TAIL = " Update the health history (intake) so its group fits the record."


@dataclass(frozen=True)
class BundleClient:
    id: int
    population: str  # the intake's group
    birth_date: date
    gestation_weeks: int | None
    gestation_days: int | None
    conditions: Iterable[str]


@dataclass(frozen=True)
class BundleRelease:
    """One clinician's release as the device needs it to apply `selectors.releases_given` on the day."""

    rule_id: str
    protocol_id: str
    finding: Mapping[str, Any] | None
    given_on: date | None
    given_by: str
    valid_until: date | None
    by_you: bool  # given by the person the bundle was made for (counts only if self_release)


def _dump(item: Any) -> dict[str, Any]:
    data: dict[str, Any] = item.model_dump(mode="json", by_alias=True, exclude_none=True)
    return data


def _sources_cited(library: Library, items: Iterable[Any]) -> dict[str, dict[str, Any]]:
    cited: list[str] = []
    for item in items:
        for source in getattr(item, "sources", ()):
            if source not in cited:
                cited.append(source)
    return {
        sid: {"citation": library.sources[sid].citation, "url": library.sources[sid].url}
        for sid in cited
        if sid in library.sources
    }


def _originals(items: Mapping[str, Any]) -> dict[str, dict[str, str]]:
    """The English original of every unreviewed translated safety text (a `localise.Bilingual`, which
    the translated library gives only where the organisation shows the original)."""
    out: dict[str, dict[str, str]] = {}
    for item_id, item in items.items():
        for field in ("text_parent", "instead"):
            value = getattr(item, field, None)
            original = getattr(value, "original", None)
            if isinstance(original, str):
                out.setdefault(item_id, {})[field] = original
    return out


# The words stop_rules writes into an in-session reason's detail ("Seen: arching", "State 5: fussy",
# "Crying"), in English; a translation's language.yaml gives its own, and the device shows the detail with
# them as the server's pages do (localise.Shower.detail).
ENGLISH_PHRASES = {"seen": "Seen", "state": "State {number}: {label}", "crying": "Crying"}
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _braced(text: str) -> str:
    """A gettext message's `%(name)s` placeholders as the device's `{name}` (offline.js `fill`)."""
    return _PLACEHOLDER.sub(r"{\1}", text).replace("%%", "%")


def engine_phrases(gettext: Callable[[str], str] | None = None) -> dict[str, Any]:
    """The words the engine itself writes into a reason (library/screening.py's note parts, a fact's
    label, library/stop_rules.py's reading details and the pauses before a stop), from the same marked
    strings the server's pages show them with (`localise`'s NOT_ANSWERED … READING_DETAILS), in `gettext`'s
    language (English without it). The device reads the engine's English note or detail back against the
    English set and shows the same parts with these (offline.js `shownNote`, offline-player.js
    `shownDetail`); `readings` keeps READING_DETAILS' order (most specific first)."""
    from kneadwell.library import localise

    say = gettext or (lambda text: text)
    return {
        "not_answered": _braced(say(localise.NOT_ANSWERED)),
        "overruled": _braced(say(localise.OVERRULED)),
        "mentioned": _braced(say(localise.MENTIONED)),
        "no_area": _braced(say(localise.NO_AREA)),
        "client_labels": {key: _braced(say(text)) for key, text in localise.CLIENT_LABELS.items()},
        "after_pauses": _braced(say(localise.AFTER_PAUSES)),
        "readings": [_braced(say(text)) for text in localise.READING_DETAILS],
    }


def words_of(
    library: Library, language: str, words_version: str | None, phrases: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the bundle says about its words: the language, the words' own version (a translation's
    `Catalogue.version`; the English is the content's), the originals shown beside unreviewed safety
    texts with the words that introduce them, and the phrases the device shows the engine's own words with
    (around an in-session reason's detail, a reason's note: `engine_phrases`; English unless given)."""
    originals = {"rules": _originals(library.rules), "session_checks": _originals(library.session_checks)}
    label = ""
    for found in (*library.rules.values(), *library.session_checks.values()):
        for field in ("text_parent", "instead"):
            label = str(getattr(getattr(found, field, None), "label", "") or label)
        if label:
            break
    return {
        "language": language,
        "version": words_version or str(library.version),
        "original_label": label,
        "originals": originals,
        "phrases": {**ENGLISH_PHRASES, **engine_phrases(), **(phrases or {})},
        # the engine's English, to read a note or a detail back before it is shown in `phrases`' words
        "engine_english": engine_phrases(),
    }


def bundle_version(content_version: str, language: str, words_version: str) -> str:
    """The bundle's version (its ETag): the content that decides and the words it speaks, so a bundle
    kept in one language is never taken for another's."""
    return f"{content_version}~{language}~{words_version}"


def rules_bundle(
    *,
    library: Library,
    client: BundleClient,
    intake_answers: Mapping[str, Any],
    intake_version: int | None,
    settings: ScreeningSettings,
    releases: Sequence[BundleRelease],
    self_release: bool,
    protocol_id: str,
    issued_at: datetime,
    time_zone: str,
    language: str = ENGLISH,
    words_version: str | None = None,
    phrases: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """The bundle for one client (docs/offline.md). `releases` newest first; `issued_at` aware. `library`
    gives the words too: the English library, or its translation into `language` (whose catalogue's
    version is `words_version`)."""
    population = client.population
    rules = [
        rule for rule in library.rules.values() if not rule.populations or population in rule.populations
    ]
    sets = {scope: library.question_set(population, scope) for scope in ("intake", "today")}
    cited = _sources_cited(
        library,
        [*rules, *library.session_checks.values(), *library.cues.values(), *library.settings.values()],
    )
    words = words_of(library, language, words_version, phrases)
    return {
        "format": FORMAT,
        "content_version": str(library.version),
        "language": language,
        "version": bundle_version(str(library.version), language, words["version"]),
        "words": words,
        "issued_at": issued_at.isoformat(),
        "expires_at": (issued_at + LIFETIME).isoformat(),
        "time_zone": time_zone,
        "protocol_id": protocol_id,
        "client": {
            "id": client.id,
            "population": population,
            "birth_date": client.birth_date.isoformat(),
            "gestation_weeks": client.gestation_weeks,
            "gestation_days": client.gestation_days,
            "conditions": sorted(set(client.conditions)),
        },
        "intake": {"answers": dict(intake_answers), "version": intake_version},
        "settings": {
            "definitions": {sid: _dump(d) for sid, d in library.settings.items()},
            "overrides": dict(settings.overrides),
        },
        "releases": [
            {
                "rule_id": r.rule_id,
                "protocol_id": r.protocol_id,
                "finding": None if r.finding is None else dict(r.finding),
                "given_on": r.given_on.isoformat() if r.given_on else None,
                "given_by": r.given_by,
                "valid_until": r.valid_until.isoformat() if r.valid_until else None,
                "by_you": r.by_you,
            }
            for r in releases
        ],
        "self_release": self_release,
        "rules": [_dump(rule) for rule in rules],
        "questions": {qid: _dump(q) for qid, q in library.questions.items()},
        "question_sets": {scope: _dump(s) for scope, s in sets.items()},
        "protocols": {
            pid: {"name": p.name, "populations": list(p.populations)} for pid, p in library.protocols.items()
        },
        "regions": [
            {
                k: v
                for k, v in _dump(r).items()
                if k in ("id", "label", "kind", "parent", "next_distal", "side")
            }
            for r in library.regions.values()
        ],
        "conditions": {cid: c.label for cid, c in library.conditions.items()},
        "populations": {pid: p.label for pid, p in library.populations.items()},
        "states": {sid: _dump(s) for sid, s in library.states.items()},
        "cues": {cid: _dump(c) for cid, c in library.cues.items()},
        "session_checks": {cid: _dump(c) for cid, c in library.session_checks.items()},
        "sources": cited,
    }


# --- the Python reading of a bundle (what rules.js must answer) -------------------------------------------


def _human(day: date) -> str:
    return f"{day:%-d %b %Y}"


def releases_for_day(bundle: Mapping[str, Any], protocol_id: str, on: date) -> dict[str, GivenRelease]:
    """selectors.releases_given over the bundle's releases (newest first) on the day `on`."""
    out: dict[str, GivenRelease] = {}
    for r in bundle.get("releases") or []:
        if r["protocol_id"] != protocol_id:
            continue
        until = date.fromisoformat(r["valid_until"]) if r.get("valid_until") else None
        why_not = None
        if until is not None and until < on:
            why_not = f"it ended on {_human(until)}"
        elif not bundle.get("self_release") and r.get("by_you"):
            why_not = "it was given by the person running this check, and a second clinician must release"
        current = out.get(r["rule_id"])
        if current is not None and (current.not_counted is None or why_not is not None):
            continue
        out[r["rule_id"]] = GivenRelease(
            rule_id=r["rule_id"],
            finding=r.get("finding"),
            given_on=date.fromisoformat(r["given_on"]) if r.get("given_on") else None,
            given_by=r.get("given_by") or "",
            not_counted=why_not,
        )
    return out


def bundle_facts(bundle: Mapping[str, Any], on: date) -> ClientFacts:
    c = bundle["client"]
    return ClientFacts.from_birth(
        population=c["population"],
        birth_date=date.fromisoformat(c["birth_date"]),
        on=on,
        gestation_weeks=c.get("gestation_weeks"),
        gestation_days=c.get("gestation_days") or 0,
        conditions=c.get("conditions") or (),
    )


def device_screen(
    *,
    library: Library,
    bundle: Mapping[str, Any],
    answers: Any,
    now: datetime,
    protocol_id: str | None = None,
    any_question: bool = False,
) -> dict[str, Any]:
    """What `KneadwellRules.screen(bundle, answers, {protocol_id, now, any_question})` answers, by the
    server's own engine: {"ok": True, **Verdict.to_dict(), "verdict", "findings"} or {"ok": False,
    "errors": {field: message}}, the field and message as the server's check gives them."""
    if now.tzinfo is None or now.utcoffset() is None:
        return {"ok": False, "errors": {"now": "needs a time zone"}}
    if bundle.get("format") != FORMAT:
        return {"ok": False, "errors": {"bundle": ERR_FORMAT}}
    if now >= datetime.fromisoformat(bundle["expires_at"]):
        return {"ok": False, "errors": {"bundle": ERR_EXPIRED}}
    protocol_id = protocol_id or bundle["protocol_id"]
    if protocol_id not in bundle["protocols"]:
        return {"ok": False, "errors": {"protocol": f"Unknown protocol '{protocol_id}'."}}
    if isinstance(answers, Mapping) and not any_question:
        asked = set(bundle["question_sets"]["today"]["questions"])
        stray = sorted(set(answers) - asked)
        if stray:
            return {"ok": False, "errors": dict.fromkeys(stray, ERR_STRAY)}
    on = now.astimezone(ZoneInfo(bundle["time_zone"])).date()
    try:
        verdict = screen(
            library=library,
            protocol_id=protocol_id,
            client=bundle_facts(bundle, on),
            intake=bundle["intake"]["answers"],
            today=answers,
            settings=ScreeningSettings.for_library(library, bundle["settings"]["overrides"]),
            now=now,
            released=releases_for_day(bundle, protocol_id, on),
        )
    except AnswerError as exc:
        return {"ok": False, "errors": dict(exc.errors)}
    except ScreeningInputError as exc:
        if exc.field == "population":  # as services.screened_or_errors words it
            return {"ok": False, "errors": {"intake": exc.message + ERR_POPULATION_TAIL}}
        return {"ok": False, "errors": {exc.field: exc.message}}
    data = verdict.to_dict()
    return {
        "ok": True,
        **data,
        "verdict": data["action"],
        "findings": [
            {"rule": r["rule_id"], "decision": r["action"], "reason": r["parent_text"]}
            for r in data["reasons"]
            if not r["released"]
        ],
    }


__all__ = [
    "ENGLISH",
    "ENGLISH_PHRASES",
    "FORMAT",
    "LIFETIME",
    "BundleClient",
    "BundleRelease",
    "bundle_facts",
    "bundle_version",
    "device_screen",
    "engine_phrases",
    "releases_for_day",
    "rules_bundle",
    "words_of",
]
