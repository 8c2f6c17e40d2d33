"""Read every clinical content file the same way: YAML with the line of each value, one kind of problem
("file:line: message"), and one hash over all of it.

The reviewed content lives in three folders, one per area that owns its schema:

    library      kneadwell/library/content/             techniques, rules, protocols, conditions, sources
    evidence     kneadwell/evidence/content/            studies, findings, claims, ceilings
    instruments  kneadwell/outcomes/instruments/catalogue/   measurement instruments

Each area validates its own items (library.loader, evidence.library, outcomes.instruments.loader); this
module is the only place that opens the files. It also computes the content version that every stored
result records: the reviewed label from library/content/manifest.yaml plus a sha256 over the files of all
three areas, so an edit anywhere (a rule, a claim's certainty, an instrument's band) is a new version.

Pure: PyYAML and the standard library, no Django.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PACKAGE_DIR = Path(__file__).resolve().parent.parent
AREAS: Mapping[str, Path] = {
    "library": PACKAGE_DIR / "library" / "content",
    "evidence": PACKAGE_DIR / "evidence" / "content",
    "instruments": PACKAGE_DIR / "outcomes" / "instruments" / "catalogue",
}
MANIFEST_FILE = "manifest.yaml"  # in the library area: the reviewed label and review of all the content
SOURCES_FILE = "sources.yaml"  # in the library area: the one source registry (see content.sources)

PathKey = tuple[str | int, ...]


# --- problems ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentProblem:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class ContentError(ValueError):
    """The content does not validate. `problems` lists every problem found, sorted by file then line;
    `file`, `line` and `message` are those of the first."""

    def __init__(self, problems: Iterable[ContentProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.file), p.line))
        if not self.problems:
            raise ValueError("ContentError needs at least one problem")
        first = self.problems[0]
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{first}{more}")

    @property
    def first(self) -> ContentProblem:
        return self.problems[0]

    @property
    def file(self) -> Path:
        return self.first.file

    @property
    def line(self) -> int:
        return self.first.line

    @property
    def message(self) -> str:
        return self.first.message


# --- one file ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """One parsed content file: its data and the 1-based line of every path inside it."""

    path: Path
    data: Any
    lines: dict[PathKey, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int:
        """The line of the deepest part of `path` that exists in the file (1 when nothing matches).

        Validation errors sometimes name a position that has no node of its own (a missing key, or a
        union branch name): the nearest enclosing node is then the most useful place to point at.
        """
        parts = tuple(path)
        for end in range(len(parts), -1, -1):
            line = self.lines.get(parts[:end])
            if line is not None:
                return line
        return 1


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int], file: Path) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                # PyYAML would keep the last of the two silently; in reviewed content that is an error.
                message = f"key '{key}' appears twice in the same mapping (first on line {seen[key]})"
                raise ContentError([ContentProblem(file, line, message)])
            seen[key] = line
            _walk(value_node, (*path, key), lines, file)
            # The key's own line is the better pointer for a mapping value that starts on the next line.
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, file)


# libyaml's safe loader when PyYAML was built with it (about 20 times faster); same nodes, same marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_document(path: Path) -> Document:
    """Parse `path` with the safe loader (composing the node tree first, so every value keeps its line).
    Raises ContentError naming the line of a syntax error or of a repeated key."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ContentError([ContentProblem(path, 1, f"cannot read the file: {exc.strerror}")]) from exc
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Document(path=path, data=None, lines={(): 1})
        lines: dict[PathKey, int] = {}
        _walk(node, (), lines, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = str(exc.problem or exc.context or exc).strip()
        raise ContentError([ContentProblem(path, line, f"not valid YAML: {problem}")]) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for file content
        raise ContentError([ContentProblem(path, 1, f"not valid YAML: {exc}")]) from exc
    finally:
        loader.dispose()
    return Document(path=path, data=data, lines=lines)


# --- an area's folder ----------------------------------------------------------------------------------


def area_dir(area: str, root: Path | None = None) -> Path:
    """The folder of `area`, or `root` when a caller loads another copy (tests, a reviewer's edits)."""
    if area not in AREAS:
        raise KeyError(f"unknown content area '{area}' (expected one of {', '.join(AREAS)})")
    return (root or AREAS[area]).resolve()


def content_files(area: str, root: Path | None = None) -> list[Path]:
    """The area's content files in the order they are read and hashed (by name)."""
    return sorted(area_dir(area, root).glob("*.yaml"))


def read_area(area: str, root: Path | None = None) -> tuple[list[Document], list[ContentProblem]]:
    """Every file of an area, parsed; a file that does not parse becomes a problem and the rest are still
    read, so a reviewer sees every broken file at once."""
    documents: list[Document] = []
    problems: list[ContentProblem] = []
    for path in content_files(area, root):
        try:
            documents.append(read_document(path))
        except ContentError as exc:
            problems.extend(exc.problems)
    return documents, problems


def read_file(area: str, name: str, root: Path | None = None) -> Document:
    """One named file of an area (raises ContentError if it is missing or broken)."""
    path = area_dir(area, root) / name
    if not path.is_file():
        raise ContentError([ContentProblem(path, 1, "content file not found")])
    return read_document(path)


# --- the content version -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ContentVersion:
    """What a stored result records as "the content in force": the reviewed label plus a sha256 over
    every content file of every area."""

    label: str
    sha256: str
    reviewed_on: date
    reviewed_by: str

    def __str__(self) -> str:
        return f"{self.label}+{self.sha256[:12]}"


def content_hash(roots: Mapping[str, Path] | None = None) -> str:
    """sha256 over every content file of every area, each named "area/file.yaml" so that a copy of the
    same bytes elsewhere gives the same hash. `roots` replaces the folder of some areas (a test's copy)."""
    chosen = dict(roots or {})
    digest = hashlib.sha256()
    for area in sorted(AREAS):
        for path in content_files(area, chosen.get(area)):
            digest.update(f"{area}/{path.name}".encode())
            digest.update(b"\0")
            digest.update(path.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


def version_of(roots: Mapping[str, Path] | None = None) -> ContentVersion:
    """The content version of the shipped content, or of the content with some areas' folders replaced
    (`roots`, as in content_hash): the label and review from the library's manifest.yaml, the hash of
    every area."""
    from kneadwell.library.schema import Manifest  # the manifest's schema is the library's

    chosen = dict(roots or {})
    document = read_file("library", MANIFEST_FILE, chosen.get("library"))
    raw = document.data.get("manifest") if isinstance(document.data, dict) else None
    try:
        manifest = Manifest.model_validate(raw)
    except ValueError as exc:
        raise ContentError([ContentProblem(document.path, 1, f"manifest: {exc}")]) from exc
    return ContentVersion(
        label=manifest.version,
        sha256=content_hash(chosen),
        reviewed_on=manifest.reviewed_on,
        reviewed_by=manifest.reviewed_by,
    )


@cache
def current_version() -> ContentVersion:
    """The shipped content's version; equal to default_library().version, without loading the library."""
    return version_of()
