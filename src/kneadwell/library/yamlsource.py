"""Read a YAML content file and remember where every value came from.

PyYAML's `safe_load` throws node positions away, and it silently keeps the last of two equal keys. The
content library needs both: a reviewer must be told "techniques.yaml:42" rather than "item 17", and a
duplicated key is a review error, not something to resolve quietly. So we compose the node tree, record
the line of each node under its path (("techniques", 3, "sources", 1) and so on), then build the plain
Python value from the same tree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PathKey = tuple[str | int, ...]


class YamlProblem(Exception):
    """A file that is not valid YAML, or that repeats a key. `line` is 1-based."""

    def __init__(self, file: Path, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True)
class SourceFile:
    """One parsed file: its data and the 1-based line of every path inside it."""

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
                raise YamlProblem(file, line, f"key '{key}' repeats the one on line {seen[key]}")
            seen[key] = line
            # The key's own line is the better pointer for a mapping value that starts on the next line.
            _walk(value_node, (*path, key), lines, file)
            lines[(*path, key)] = line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, file)


# libyaml's safe loader when PyYAML was built with it (about 20 times faster); same nodes, same marks.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path) -> SourceFile:
    """Parse `path` with the safe loader; raise YamlProblem with the line of the first syntax problem."""
    text = path.read_text(encoding="utf-8")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return SourceFile(path=path, data=None, lines={(): 1})
        lines: dict[PathKey, int] = {}
        _walk(node, (), lines, path)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        raise YamlProblem(path, line, str(exc.problem or exc).strip()) from exc
    except yaml.YAMLError as exc:  # pragma: no cover - PyYAML raises marked errors for file content
        raise YamlProblem(path, 1, str(exc)) from exc
    finally:
        loader.dispose()
    return SourceFile(path=path, data=data, lines=lines)
