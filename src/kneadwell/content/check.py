"""Check all the clinical content at once: every area's own validation, the source registry and every
citation in it, and the translations (against the English they translate). `kneadwell serve` runs this
before it records the content version, and `kneadwell library` before it prints the library, so a broken
file anywhere stops start-up with its file and line instead of failing on the first page that reads it.

Pure: no Django.
"""

from __future__ import annotations

from kneadwell.content.loader import AREAS, ContentError, ContentProblem, ContentVersion, current_version
from kneadwell.content.sources import check_sources, source_registry


def content_problems() -> list[ContentProblem]:
    """Every problem found in the shipped content (empty when it all validates), first file first."""
    from kneadwell.evidence.library import load_evidence
    from kneadwell.library.loader import default_library
    from kneadwell.outcomes.instruments.loader import CatalogueError, load_instruments

    problems: list[ContentProblem] = []
    try:
        source_registry()
        problems.extend(check_sources())
    except ContentError as exc:
        problems.extend(exc.problems)
    for load in (default_library, load_evidence):
        try:
            load()
        except ContentError as exc:
            problems.extend(exc.problems)
    try:
        load_instruments()
    except CatalogueError as exc:
        # Its message already starts with "file:line: "; the problem carries them apart.
        message = str(exc).removeprefix(f"{exc.file}:{exc.line}: ")
        problems.append(ContentProblem(exc.file or AREAS["instruments"], exc.line, message))
    except ContentError as exc:
        problems.extend(exc.problems)
    if not problems:
        # The translations are checked against the English, so only once the English loads.
        from kneadwell.library.localise import translation_problems

        problems.extend(translation_problems())
    return sorted(problems, key=lambda p: (str(p.file), p.line))


def check_content() -> ContentVersion:
    """The version of the shipped content once all of it validates; ContentError listing every problem
    otherwise."""
    problems = content_problems()
    if problems:
        raise ContentError(problems)
    return current_version()
