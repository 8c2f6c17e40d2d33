"""Start-up steps shared by `kneadwell serve`, the demo and tests."""

from __future__ import annotations

import importlib


def load_content() -> list[str]:
    """Load every content library that has a database loader (library, evidence, ...); returns lines
    to print. A library without a loader yet is skipped."""
    lines: list[str] = []
    for module_name in ("kneadwell.library.sync", "kneadwell.evidence.sync"):
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name == module_name:
                continue
            raise
        lines.append(module.sync())
    return lines
