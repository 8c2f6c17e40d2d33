"""The one source registry: library/content/sources.yaml, and the lookup everything else uses.

    source_get("S45").citation      # the library's pages, the instruments, the reports
    source_registry()               # every source by id, loaded once
    citations()                     # every place any content file cites a source id, with its line

Sources used to be registered twice (the library's sources.yaml and the instrument catalogue's own), with
different wording for the same id; now there is one file. Evidence studies keep their structured
citations in evidence/content/studies.yaml (they are what the claims are graded on); a study's
`cited_in` S-numbers point into this registry and are checked like any other citation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from kneadwell.content.loader import (
    AREAS,
    SOURCES_FILE,
    ContentError,
    ContentProblem,
    Document,
    read_area,
    read_document,
)
from kneadwell.library.schema import Source

# A registry id as the evidence library's `cited_in` writes it ("S34"); other entries there name seeds.
_CITED_IN_ID = re.compile(r"^S\d+$")
# Ids cited inside prose, as "[S47]" or "[S65, S66]" (the form the reports also pick out of texts).
IN_TEXT = re.compile(r"\[([A-Z][A-Z0-9-]*(?:,\s*[A-Z][A-Z0-9-]*)*)\]")


def load_sources(path: Path | None = None) -> Mapping[str, Source]:
    """Read and validate a sources file; raises ContentError (file and line) for a malformed entry or an
    id defined twice."""
    document = read_document(path or AREAS["library"] / SOURCES_FILE)
    raw = document.data.get("sources") if isinstance(document.data, dict) else None
    if not isinstance(raw, list):
        raise ContentError([ContentProblem(document.path, 1, "a sources file holds a list under 'sources'")])
    found: dict[str, Source] = {}
    first_line: dict[str, int] = {}
    problems: list[ContentProblem] = []
    for index, entry in enumerate(raw):
        try:
            source = Source.model_validate(entry)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = tuple(err["loc"])
            label = entry.get("id", f"#{index + 1}") if isinstance(entry, dict) else f"#{index + 1}"
            where = ".".join(str(p) for p in loc)
            message = f"{where}: {err['msg']}" if where else str(err["msg"])
            line = document.line_of(("sources", index, *loc))
            problems.append(ContentProblem(document.path, line, f"sources '{label}': {message}"))
            continue
        line = document.line_of(("sources", index, "id"))
        if source.id in found:
            problems.append(
                ContentProblem(
                    document.path,
                    line,
                    f"source '{source.id}' is defined twice (first on line {first_line[source.id]})",
                )
            )
            continue
        found[source.id] = source
        first_line[source.id] = line
    if problems:
        raise ContentError(problems)
    return MappingProxyType(found)


@cache
def source_registry() -> Mapping[str, Source]:
    """The shipped registry, loaded once per process."""
    return load_sources()


def source_get(source_id: str) -> Source:
    """The registry's entry for `source_id`; KeyError naming the id when there is none."""
    try:
        return source_registry()[source_id]
    except KeyError:
        raise KeyError(f"unknown source '{source_id}' (not in library/content/{SOURCES_FILE})") from None


# --- who cites what --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Citation:
    source_id: str
    file: Path
    line: int


def _cited(document: Document, value: Any, path: tuple[str | int, ...]) -> Iterator[Citation]:
    """Every source id inside a value: items of a `sources: [...]` list at any depth, the S-numbers of
    an evidence study's `cited_in`, and ids cited in brackets inside text."""
    if isinstance(value, Mapping):
        for key, sub in value.items():
            if key in ("sources", "cited_in") and isinstance(sub, list):
                for i, sid in enumerate(sub):
                    if isinstance(sid, str) and (key == "sources" or _CITED_IN_ID.match(sid)):
                        yield Citation(sid, document.path, document.line_of((*path, key, i)))
            else:
                yield from _cited(document, sub, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _cited(document, sub, (*path, i))
    elif isinstance(value, str):
        for group in IN_TEXT.findall(value):
            for sid in group.split(","):
                yield Citation(sid.strip(), document.path, document.line_of(path))


def citations(roots: Mapping[str, Path] | None = None) -> list[Citation]:
    """Every citation of a source id in every content file of every area (the registry itself excluded)."""
    chosen = dict(roots or {})
    found: list[Citation] = []
    problems: list[ContentProblem] = []
    for area in AREAS:
        documents, broken = read_area(area, chosen.get(area))
        problems.extend(broken)
        for document in documents:
            if area == "library" and document.path.name == SOURCES_FILE:
                continue
            found.extend(_cited(document, document.data, ()))
    if problems:
        raise ContentError(problems)
    return found


def check_sources(
    registry: Mapping[str, Source] | None = None, roots: Mapping[str, Path] | None = None
) -> list[ContentProblem]:
    """A problem for every cited id that the registry does not define."""
    known = source_registry() if registry is None else registry
    return [
        ContentProblem(c.file, c.line, f"cites source '{c.source_id}', which is not in the source registry")
        for c in citations(roots)
        if c.source_id not in known
    ]
