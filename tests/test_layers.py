"""The layers of docs/architecture.md held by the code: pure modules import nothing of Django or of the
apps' data layer, and pages and API operations read and write through selectors and services, never a
model's manager. Read from the source (every import, also one inside a function), so a lazy import that
would only show at run time is caught too."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "kneadwell"

PURE = [
    "clients/rules.py",
    "library/screening.py",
    "library/bundle.py",
    "library/localise.py",
    "outcomes/growth",
    "outcomes/instruments",
    "evidence/meta",
    "evaluation/methods",
    "reports/document.py",
    "content",
    "courses/syllabus.py",
    "courses/followup.py",
    "courses/handout.py",
]
DATA_LAYER = (".models", ".selectors", ".services", ".views")


def _modules(relative: str) -> Iterator[Path]:
    path = SRC / relative
    yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def _imports(path: Path) -> Iterator[tuple[int, str]]:
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            for alias in node.names:  # `from kneadwell.care import selectors`
                yield node.lineno, f"{node.module}.{alias.name}"


@pytest.mark.parametrize("relative", PURE)
def test_pure_modules_import_no_django_and_no_data_layer(relative: str) -> None:
    found = [
        f"{path.relative_to(SRC)}:{line}: {name}"
        for path in _modules(relative)
        for line, name in _imports(path)
        if name == "django"
        or name.startswith("django.")
        or (name.startswith("kneadwell.") and name.endswith(DATA_LAYER))
        or name.startswith(tuple(f"kneadwell.{app}.models." for app in ("care", "clients", "outcomes")))
    ]
    assert not found, found


def _boundary_modules() -> Iterator[Path]:
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC).parts
        if parts[0] == "api" or path.name == "views.py" or (len(parts) > 2 and parts[-2] == "views"):
            yield path


def test_pages_and_api_operations_do_not_use_model_managers() -> None:
    found = [
        f"{path.relative_to(SRC)}:{node.lineno}"
        for path in _boundary_modules()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.Attribute) and node.attr == "objects"
    ]
    assert list(_boundary_modules()), "no view or API module found: the test reads the wrong folder"
    assert not found, f"read through a selector or write through a service instead: {found}"
