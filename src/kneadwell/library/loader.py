"""Load the content library from its YAML files: validate each item, cross-check them, version them.

    library = load_library()            # the reviewed content shipped in kneadwell/library/content/
    library = load_library(Path("x"))   # another folder (tests, or a reviewer's working copy)
    library = default_library()         # the shipped content, loaded once per process

Every problem is reported as file and line (ContentError.problems, sorted by file then line). Loading is
pure and idempotent: the same files give an equal Library with the same version. The files are read by
kneadwell.content.loader (the one reader of all clinical content); the version is the manifest's label
plus its hash over the content of every area (library, evidence, instruments), so it is the version that
readiness checks, intakes, plans and sessions record.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from kneadwell.content.loader import (
    AREAS,
    MANIFEST_FILE,
    ContentError,
    ContentProblem,
    ContentVersion,
    Document,
    content_hash,
    read_area,
)
from kneadwell.library import predicates as P
from kneadwell.library.catalog import Library
from kneadwell.library.crosscheck import crosscheck
from kneadwell.library.schema import COLLECTIONS, Item, Manifest
from kneadwell.library.stop_rules import CHECK_IDS

CONTENT_DIR = AREAS["library"]


def _describe(error: Mapping[str, Any]) -> str:
    loc = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"])
    return f"{loc}: {message}" if loc else message


_TAGS = {"all", "any", "not", "answer", "client_has", "fact", "population", "in_protocol_population"}


def _loc_path(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """A pydantic error location as a path in the YAML file.

    pydantic inserts the branch name of a tagged union (a rule's `when:`) into the location; the file has
    no such level, so drop it wherever a condition starts: after `when`, after `not`, and after the index
    of an item in an `all`/`any` list.
    """
    out: list[str | int] = []
    expect_tag = False
    for part in loc:
        if expect_tag and isinstance(part, str) and part in _TAGS:
            expect_tag = False
            continue
        out.append(part)
        expect_tag = part in ("when", "not") or (
            isinstance(part, int) and len(out) >= 2 and out[-2] in ("all", "any")
        )
    return tuple(out)


def load_library(content_dir: Path | None = None) -> Library:
    root = (content_dir or CONTENT_DIR).resolve()
    if not root.is_dir():
        raise ContentError([ContentProblem(root, 1, "content folder not found")])
    parsed, problems = read_area("library", root)

    items: dict[str, dict[str, Any]] = {name: {} for name in COLLECTIONS}
    origin: dict[tuple[str, str], tuple[Document, tuple[str | int, ...]]] = {}
    home: dict[str, Document] = {}  # collection -> first file that holds it
    manifest: Manifest | None = None

    for source in parsed:
        if not isinstance(source.data, dict):
            problems.append(ContentProblem(source.path, 1, "a content file must be a mapping of collections"))
            continue
        for key, value in source.data.items():
            if key == "manifest":
                try:
                    manifest = Manifest.model_validate(value)
                except ValidationError as exc:
                    err = exc.errors()[0]
                    line = source.line_of(("manifest", *err["loc"]))
                    problems.append(ContentProblem(source.path, line, f"manifest: {_describe(err)}"))
                continue
            model = COLLECTIONS.get(key)
            if model is None:
                known = ", ".join(sorted([*COLLECTIONS, "manifest"]))
                problems.append(
                    ContentProblem(
                        source.path,
                        source.line_of((key,)),
                        f"unknown collection '{key}' (expected one of {known})",
                    )
                )
                continue
            if not isinstance(value, list):
                problems.append(
                    ContentProblem(source.path, source.line_of((key,)), f"'{key}' must be a list")
                )
                continue
            home.setdefault(key, source)
            for index, raw in enumerate(value):
                base: tuple[str | int, ...] = (key, index)
                try:
                    item: Item = model.model_validate(raw)
                except ValidationError as exc:
                    for err in exc.errors()[:1]:
                        where = _loc_path(tuple(err["loc"]))
                        label = raw.get("id", f"#{index + 1}") if isinstance(raw, dict) else f"#{index + 1}"
                        problems.append(
                            ContentProblem(
                                source.path,
                                source.line_of((*base, *where)),
                                f"{key} '{label}': {_describe({**err, 'loc': where})}",
                            )
                        )
                    continue
                item_id = str(getattr(item, "id", ""))
                if item_id in items[key]:
                    first_file, first_path = origin[(key, item_id)]
                    problems.append(
                        ContentProblem(
                            source.path,
                            source.line_of((*base, "id")),
                            f"{key} '{item_id}' is defined twice (first at {first_file.path.name}:"
                            f"{first_file.line_of((*first_path, 'id'))})",
                        )
                    )
                    continue
                items[key][item_id] = item
                origin[(key, item_id)] = (source, base)

    if manifest is None and not any(p.file.name == MANIFEST_FILE for p in problems):
        problems.append(
            ContentProblem(root / MANIFEST_FILE, 1, "the content manifest (version, review) is missing")
        )
    if problems:
        raise ContentError(problems)

    for issue in crosscheck(items, implemented_checks=set(CHECK_IDS)):
        found = origin.get((issue.collection, issue.item_id))
        if found is None:
            fallback = home.get(issue.collection)
            file = fallback.path if fallback else root / f"{issue.collection}.yaml"
            problems.append(ContentProblem(file, 1, issue.message))
            continue
        source, base = found
        label = f"{issue.collection} '{issue.item_id}'"
        problems.append(
            ContentProblem(source.path, source.line_of((*base, *issue.path)), f"{label}: {issue.message}")
        )
    if problems:
        raise ContentError(problems)

    assert manifest is not None
    read_by: dict[str, list[str]] = {qid: [] for qid in items["questions"]}
    for rule in items["rules"].values():
        read = P.questions_read(rule.when) | (set(rule.regions.from_answers) if rule.regions else set())
        for qid in sorted(read):
            read_by[qid].append(rule.id)
    version = ContentVersion(
        label=manifest.version,
        sha256=content_hash({"library": root}),
        reviewed_on=manifest.reviewed_on,
        reviewed_by=manifest.reviewed_by,
    )
    frozen = {name: MappingProxyType(dict(by_id)) for name, by_id in items.items()}
    return Library(
        version=version,
        content_dir=root,
        read_by=MappingProxyType({q: tuple(r) for q, r in read_by.items()}),
        **frozen,
    )


@lru_cache(maxsize=1)
def default_library() -> Library:
    """The shipped content, loaded once. Raises ContentError if the shipped content is broken."""
    return load_library()
