"""The coded list of health conditions a client record may carry. The codes and labels live in the
content library (library/content/conditions.yaml) so that safety rules and client records share them."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

CONDITIONS_FILE = Path(__file__).resolve().parent.parent / "library" / "content" / "conditions.yaml"


@cache
def condition_labels() -> dict[str, str]:
    with CONDITIONS_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    items = data["conditions"] if isinstance(data, dict) else data
    return {str(item["id"]): str(item["label"]) for item in items}


def condition_choices() -> list[tuple[str, str]]:
    return sorted(condition_labels().items(), key=lambda pair: pair[1].lower())


def unknown_conditions(codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = condition_labels()
    return [code for code in codes if code not in known]
