"""Translations of the clinical content, kept as data beside the English and read like it.

The English YAML is the source and stays the only place a rule, a number or a citation is written. A
translation refers to an English item by its id and names the field it translates; it carries no sources,
no numbers of its own and nothing a decision reads:

    <area folder>/translations/<language>/<name>.yaml

    translation:                       # every file says its language and where its review stands
      language: es
      review: draft                    # draft | reviewed (reviewed names both reviewers and the date)
      note: drafted by the team, awaiting clinical and native-speaker review
    rules:                             # a collection of the area
      fever:                           # an English item's id
        title: Fiebre
        text_parent: …                 # a field the English item has (see TRANSLATABLE)
    questions:
      baby_state:
        choices:                       # a list of items with ids: keyed by id ...
          quiet_alert: {label: …}
    routines:
      iaim_full_body:
        steps:                         # ... a list without ids: by position, counting from 1
          3: {note: …}

The library's folder also holds `translations/<language>/language.yaml`: the language's name, its
direction, and the few words the pages put around a translated safety text ("English original").

The folders are below the areas' own, so the areas' loaders (which read `*.yaml` in their folder) never
see them and the content version's hash (kneadwell.content.loader.content_hash) does not cover them: a
translation changes what a page says, never what the screening decides (docs/languages.md). Each
language has its own hash instead (Catalogue.sha256).

Every problem is a ContentProblem with file and line: an unknown collection, item id or field, an empty
text, a field translated twice, and a translation whose numbers or {setting} quotes differ from the
English one's (a mistranslated "72 hours" is the error that matters most here).

Looking a text up never fails: a text with no translation is the English one, and the miss is counted
(`fallback_counts()`), so a test can say how much of a page was left in English.

Pure: PyYAML, pydantic models passed in, and the standard library; no Django.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel

from kneadwell.content.loader import AREAS, ContentError, ContentProblem, Document, read_document

TRANSLATIONS_DIR = "translations"
LANGUAGE_FILE = "language.yaml"  # in the library area's translations/<language>/
SOURCE_LANGUAGE = "en"
REVIEW_STATUSES = ("draft", "reviewed")

# What may be translated, by the model's class name: its text fields (a list of texts counts as one field,
# its entries keyed by position). Everything else stays as written: ids, numbers, units, sources, and the
# clinician register (`*_clinician`), which is read by staff in the language of the sources.
TRANSLATABLE: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        # library
        "Region": ("label",),
        "Condition": ("label",),
        "Population": ("label", "description"),
        "Technique": ("name", "description_parent", "precautions"),
        "Routine": ("name", "description_parent"),
        "Section": ("label",),
        "Step": ("note", "phase"),
        "Protocol": ("name", "summary_parent"),
        "Dose": ("timing",),
        "DosePhase": ("label",),
        "PrepItem": ("text",),
        "ClassWeek": ("note",),
        "EvidenceSummary": ("summary_parent",),
        "Rule": ("title", "text_parent", "instead"),
        "SettingDef": ("label",),
        "Question": ("label", "help", "item_label"),
        "Choice": ("label",),
        "QuestionSet": ("title", "checklist_label"),
        "Cue": ("label",),
        "BehaviouralState": ("label", "description"),
        "SessionCheck": ("label", "text_parent", "instead"),
        "Measure": ("label",),
        # evidence
        "Claim": ("parent_text", "caveats"),
    }
)

# Texts that tell a person to stop, wait or do something instead. While their translation is not
# reviewed, the pages show the English original with it (an organisation setting, on by default). A list
# field counts for each of its entries: a claim's caveats ("caveats.1", "caveats.2"), some of which are
# safety advice ("Never stop or reduce asthma medication"), are all shown so (issue 14).
SAFETY_FIELDS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "rules": frozenset({"text_parent", "instead"}),
        "session_checks": frozenset({"text_parent", "instead"}),
        "claims": frozenset({"caveats"}),
    }
)


def is_safety_text(collection: str, path: str) -> bool:
    """Whether the text at `path` ("instead", "caveats.2") of an item of `collection` is a safety text."""
    return path.split(".", 1)[0] in SAFETY_FIELDS.get(collection, ())


# "{feeding_wait_minutes}" or "{glucose_min_mmol_l*18}": a setting's value, filled in by the form.
_QUOTE = re.compile(r"\{\w+(?:\*\d+(?:\.\d+)?)?\}")
# A thousands separator between digits (50,000 / 50.000 / 50 000), dropped before numbers are compared.
_GROUPING = re.compile(r"(?<=\d)[,.\u00a0\u202f ](?=\d{3}(?!\d))")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
_EASTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

Key = tuple[str, str, str, str]  # area, collection, item id, field path ("label", "choices.x.label")
EnglishIndex = Mapping[str, Mapping[tuple[str, str], Mapping[str, str]]]  # area -> (collection, id) -> texts


# --- the English side ----------------------------------------------------------------------------------


def item_texts(item: BaseModel) -> dict[str, str]:
    """The translatable texts of one content item, by field path: "text_parent", "choices.calm.label",
    "steps.3.note", "caveats.2". Lists of items with an `id` are keyed by it, other lists by position
    from 1 (as a person counts the steps of a routine)."""
    out: dict[str, str] = {}
    _collect(item, "", out)
    return out


def _collect(model: BaseModel, prefix: str, out: dict[str, str]) -> None:
    allowed = TRANSLATABLE.get(type(model).__name__, ())
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, str):
            if name in allowed:
                out[f"{prefix}{name}"] = value
        elif isinstance(value, BaseModel):
            _collect(value, f"{prefix}{name}.", out)
        elif isinstance(value, list | tuple):
            for position, element in enumerate(value, start=1):
                key = _list_key(element, position)
                if isinstance(element, BaseModel):
                    _collect(element, f"{prefix}{name}.{key}.", out)
                elif isinstance(element, str) and name in allowed:
                    out[f"{prefix}{name}.{key}"] = element


def _list_key(element: Any, position: int) -> str:
    item_id = getattr(element, "id", None) if isinstance(element, BaseModel) else None
    return str(item_id) if isinstance(item_id, str) else str(position)


def english_index(
    collections: Mapping[str, Mapping[str, BaseModel]],
) -> dict[tuple[str, str], dict[str, str]]:
    """Every translatable text of an area: (collection, item id) -> {field path: English}."""
    return {
        (name, item_id): texts
        for name, items in collections.items()
        for item_id, item in items.items()
        if (texts := item_texts(item))
    }


def apply_texts(item: Any, texts: Mapping[str, str]) -> Any:
    """A copy of `item` (a frozen pydantic model) with the texts at the given field paths replaced; the
    item itself is left as it is. Paths are those of item_texts."""
    tree: dict[str, Any] = {}
    for path, text in texts.items():
        node = tree
        *parents, leaf = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = text
    return _apply(item, tree)


def _apply(model: BaseModel, tree: Mapping[str, Any]) -> BaseModel:
    updates: dict[str, Any] = {}
    for name, sub in tree.items():
        value = getattr(model, name)
        if not isinstance(sub, Mapping):
            updates[name] = sub
        elif isinstance(value, BaseModel):
            updates[name] = _apply(value, sub)
        elif isinstance(value, list | tuple):
            elements = list(value)
            for position, element in enumerate(elements, start=1):
                change = sub.get(_list_key(element, position))
                if change is None:
                    continue
                elements[position - 1] = _apply(element, change) if isinstance(change, Mapping) else change
            updates[name] = type(value)(elements)
    return model.model_copy(update=updates)


# --- the files -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationFile:
    """One translation file and its review: `draft` until a clinician and a native speaker have read it."""

    path: Path
    area: str
    language: str
    review: str
    note: str = ""
    clinical_reviewer: str | None = None
    language_reviewer: str | None = None
    reviewed_on: date | None = None

    @property
    def reviewed(self) -> bool:
        return self.review == "reviewed"

    @property
    def review_line(self) -> str:
        """The review as one line: "draft — drafted by the team, awaiting …"."""
        if self.reviewed:
            return (
                f"reviewed on {self.reviewed_on:%-d %b %Y} by {self.clinical_reviewer} (clinical) and "
                f"{self.language_reviewer} (language)"
            )
        return f"{self.review} — {self.note}" if self.note else self.review


@dataclass(frozen=True)
class Entry:
    text: str
    file: TranslationFile
    line: int


@dataclass(frozen=True)
class LanguageInfo:
    """The language's own words around translated content."""

    code: str
    name: str  # in the language itself: "Español", "العربية"
    direction: str  # "ltr" or "rtl"
    original_label: str  # introduces the English original shown beside an unreviewed safety text
    unreviewed_note: str  # says the translation has not been reviewed yet
    seen: str  # "Seen" before the cues a session reason names
    state: str  # "State {number}: {label}"
    crying: str  # the detail of the crying check


@dataclass(frozen=True)
class Catalogue:
    """One language's translations of all the content, checked against the English."""

    language: str
    info: LanguageInfo
    files: tuple[TranslationFile, ...]
    entries: Mapping[Key, Entry]
    sha256: str

    @property
    def version(self) -> str:
        """The translations' own version (not part of the content version): "es+<first 12 hex>"."""
        return f"{self.language}+{self.sha256[:12]}"

    def entry(self, area: str, collection: str, item_id: str, path: str) -> Entry | None:
        return self.entries.get((area, collection, item_id, path))

    def text(self, area: str, collection: str, item_id: str, path: str, english: str) -> str:
        """The translation, or `english` (counted as a fallback) when there is none."""
        found = self.entries.get((area, collection, item_id, path))
        if found is None:
            note_fallback(self.language, (area, collection, item_id, path))
            return english
        return found.text

    def item_texts(self, area: str, collection: str, item_id: str) -> dict[str, Entry]:
        """Every translated field of one item, by field path."""
        return {
            key[3]: entry
            for key, entry in self.entries.items()
            if key[0] == area and key[1] == collection and key[2] == item_id
        }


# --- counting what fell back to English ------------------------------------------------------------------

_FALLBACKS: Counter[tuple[str, Key]] = Counter()


def note_fallback(language: str, key: Key) -> None:
    _FALLBACKS[(language, key)] += 1


def fallback_counts(language: str | None = None) -> dict[Key, int]:
    """How often each text was shown in English for want of a translation, since the process started (or
    the last reset_fallbacks())."""
    return {key: n for (lang, key), n in _FALLBACKS.items() if language is None or lang == language}


def reset_fallbacks() -> None:
    _FALLBACKS.clear()


# --- reading ---------------------------------------------------------------------------------------------


def translations_dir(area: str, root: Path | None = None) -> Path:
    return (root or AREAS[area]).resolve() / TRANSLATIONS_DIR


def available_languages(roots: Mapping[str, Path] | None = None) -> tuple[str, ...]:
    """The languages with translations: the folders holding a language.yaml in the library area."""
    base = translations_dir("library", (roots or {}).get("library"))
    if not base.is_dir():
        return ()
    return tuple(sorted(p.name for p in base.iterdir() if (p / LANGUAGE_FILE).is_file()))


def language_files(language: str, roots: Mapping[str, Path] | None = None) -> list[tuple[str, Path]]:
    """(area, path) of every translation file of `language`, in the order they are read and hashed."""
    chosen = roots or {}
    found: list[tuple[str, Path]] = []
    for area in sorted(AREAS):
        folder = translations_dir(area, chosen.get(area)) / language
        if folder.is_dir():
            found += [(area, p) for p in sorted(folder.glob("*.yaml"))]
    return found


def _header(
    document: Document, area: str, language: str
) -> tuple[TranslationFile | None, list[ContentProblem]]:
    path = document.path
    raw = document.data.get("translation") if isinstance(document.data, dict) else None
    if not isinstance(raw, dict):
        message = "a translation file starts with 'translation:' (language, review, note)"
        return None, [ContentProblem(path, 1, message)]
    problems: list[ContentProblem] = []

    def at(key: str) -> int:
        return document.line_of(("translation", key))

    unknown = sorted(
        set(raw) - {"language", "review", "note", "clinical_reviewer", "language_reviewer", "reviewed_on"}
    )
    for key in unknown:
        problems.append(ContentProblem(path, at(key), f"translation: unknown key '{key}'"))
    if raw.get("language") != language:
        problems.append(
            ContentProblem(path, at("language"), f"translation: language must be '{language}' (its folder)")
        )
    review = str(raw.get("review", ""))
    if review not in REVIEW_STATUSES:
        problems.append(
            ContentProblem(
                path, at("review"), f"translation: review must be one of {', '.join(REVIEW_STATUSES)}"
            )
        )
    reviewed_on = raw.get("reviewed_on")
    if review == "reviewed":
        # Nobody is named as a reviewer who has not reviewed: a reviewed file names both, and the date.
        for key in ("clinical_reviewer", "language_reviewer"):
            if not str(raw.get(key) or "").strip():
                problems.append(
                    ContentProblem(path, at("review"), f"translation: a reviewed file names its {key}")
                )
        if not isinstance(reviewed_on, date):
            problems.append(
                ContentProblem(path, at("review"), "translation: a reviewed file gives reviewed_on")
            )
    elif review == "draft" and not str(raw.get("note") or "").strip():
        problems.append(
            ContentProblem(path, at("review"), "translation: a draft says who drafted it in 'note'")
        )
    header = TranslationFile(
        path=path,
        area=area,
        language=language,
        review=review,
        note=str(raw.get("note") or "").strip(),
        clinical_reviewer=raw.get("clinical_reviewer"),
        language_reviewer=raw.get("language_reviewer"),
        reviewed_on=reviewed_on if isinstance(reviewed_on, date) else None,
    )
    return header, problems


def _flatten(value: Any, path: tuple[str, ...], out: list[tuple[tuple[str, ...], Any]]) -> None:
    if isinstance(value, dict) and value:
        for key, sub in value.items():
            _flatten(sub, (*path, str(key)), out)
    else:
        out.append((path, value))


def numbers_in(text: str) -> set[str]:
    """The numbers a text states, written the same way whatever the language's digits and separators."""
    plain = _GROUPING.sub("", text.translate(_EASTERN_DIGITS))
    return {m.group(0).replace(",", ".") for m in _NUMBER.finditer(plain)}


def _compare(english: str, translated: str) -> str | None:
    """Why a translation does not say the same figures as its English, or None."""
    theirs, ours = numbers_in(english), numbers_in(translated)
    if theirs != ours:
        return (
            f"the numbers differ from the English ({', '.join(sorted(theirs)) or 'none'}; here "
            f"{', '.join(sorted(ours)) or 'none'})"
        )
    quotes, ours_q = set(_QUOTE.findall(english)), set(_QUOTE.findall(translated))
    if quotes != ours_q:
        return (
            f"the setting quotes differ from the English ({', '.join(sorted(quotes)) or 'none'}; here "
            f"{', '.join(sorted(ours_q)) or 'none'})"
        )
    return None


def _language_info(
    language: str, roots: Mapping[str, Path] | None
) -> tuple[LanguageInfo | None, list[ContentProblem]]:
    path = translations_dir("library", (roots or {}).get("library")) / language / LANGUAGE_FILE
    try:
        document = read_document(path)
    except ContentError as exc:
        return None, list(exc.problems)
    raw = document.data.get("language") if isinstance(document.data, dict) else None
    fields = ("name", "direction", "original_label", "unreviewed_note", "seen", "state", "crying")
    if not isinstance(raw, dict):
        return None, [ContentProblem(path, 1, f"language.yaml holds 'language:' with {', '.join(fields)}")]
    problems = [
        ContentProblem(path, document.line_of(("language",)), f"language: '{key}' is missing")
        for key in fields
        if not isinstance(raw.get(key), str) or not raw[key].strip()
    ]
    if raw.get("code") != language:
        problems.append(
            ContentProblem(path, document.line_of(("language", "code")), f"code must be '{language}'")
        )
    if raw.get("direction") not in ("ltr", "rtl", None):
        problems.append(
            ContentProblem(path, document.line_of(("language", "direction")), "direction: ltr or rtl")
        )
    if "{number}" not in str(raw.get("state", "")) or "{label}" not in str(raw.get("state", "")):
        problems.append(
            ContentProblem(path, document.line_of(("language", "state")), "state quotes {number} and {label}")
        )
    if problems:
        return None, problems
    return LanguageInfo(code=language, **{key: str(raw[key]).strip() for key in fields}), []


def read_catalogue(
    language: str, english: EnglishIndex, roots: Mapping[str, Path] | None = None
) -> Catalogue:
    """Every translation file of `language`, checked against the English texts of each area (`english`,
    from english_index over the loaded areas). Raises ContentError listing every problem."""
    info, problems = _language_info(language, roots)
    files: list[TranslationFile] = []
    entries: dict[Key, Entry] = {}
    digest = hashlib.sha256()
    for area, path in language_files(language, roots):
        digest.update(f"{area}/{language}/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
        if path.name == LANGUAGE_FILE:
            continue
        try:
            document = read_document(path)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        header, found = _header(document, area, language)
        problems.extend(found)
        if header is None:
            continue
        files.append(header)
        texts = english.get(area, {})
        collections = {name for name, _ in texts}
        for name, items in document.data.items():
            if name == "translation":
                continue
            line = document.line_of((name,))
            if name not in collections:
                known = ", ".join(sorted(collections)) or "none"
                problems.append(
                    ContentProblem(path, line, f"'{name}' is not a collection with texts in {area} ({known})")
                )
                continue
            if not isinstance(items, dict):
                problems.append(ContentProblem(path, line, f"'{name}' maps item ids to their translations"))
                continue
            for item_id, fields in items.items():
                item_key = str(item_id)
                item_line = document.line_of((name, item_key))
                own = texts.get((name, item_key))
                if own is None:
                    problems.append(
                        ContentProblem(
                            path, item_line, f"{name}: unknown id '{item_key}' (no such item in English)"
                        )
                    )
                    continue
                if not isinstance(fields, dict):
                    problems.append(
                        ContentProblem(path, item_line, f"{name} '{item_key}': map fields to texts")
                    )
                    continue
                flat: list[tuple[tuple[str, ...], Any]] = []
                _flatten(fields, (), flat)
                for parts, text in flat:
                    field_path = ".".join(parts)
                    where = document.line_of((name, item_key, *parts))
                    label = f"{name} '{item_key}'"
                    if field_path not in own:
                        choices = ", ".join(sorted(own))
                        problems.append(
                            ContentProblem(
                                path,
                                where,
                                f"{label}: '{field_path}' is not a text it has (it has: {choices})",
                            )
                        )
                        continue
                    if not isinstance(text, str) or not text.strip():
                        problems.append(ContentProblem(path, where, f"{label}: '{field_path}' needs a text"))
                        continue
                    mismatch = _compare(own[field_path], text)
                    if mismatch:
                        problems.append(ContentProblem(path, where, f"{label}: '{field_path}': {mismatch}"))
                        continue
                    key: Key = (area, name, item_key, field_path)
                    if key in entries:
                        first = entries[key]
                        problems.append(
                            ContentProblem(
                                path,
                                where,
                                f"{label}: '{field_path}' is translated twice (first at "
                                f"{first.file.path.name}:{first.line})",
                            )
                        )
                        continue
                    entries[key] = Entry(text=" ".join(text.split()), file=header, line=where)
    if problems:
        raise ContentError(problems)
    assert info is not None
    return Catalogue(
        language=language,
        info=info,
        files=tuple(files),
        entries=MappingProxyType(entries),
        sha256=digest.hexdigest(),
    )


def missing(catalogue: Catalogue, wanted: Iterable[Key]) -> list[Key]:
    """The texts of `wanted` that `catalogue` does not translate, in the order given."""
    return [key for key in wanted if key not in catalogue.entries]
