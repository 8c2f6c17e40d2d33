"""The coded list of health conditions a client record may carry. The codes and labels live in the
content library (library/content/conditions.yaml) so that safety rules and client records share them; the
file is read by kneadwell.content.loader like every other content file (the library validates it)."""

from __future__ import annotations

from functools import cache

from kneadwell.content.loader import read_file

CONDITIONS_FILE = "conditions.yaml"


@cache
def condition_labels() -> dict[str, str]:
    data = read_file("library", CONDITIONS_FILE).data
    items = data["conditions"] if isinstance(data, dict) else data
    return {str(item["id"]): str(item["label"]) for item in items}


def condition_choices() -> list[tuple[str, str]]:
    return sorted(condition_labels().items(), key=lambda pair: pair[1].lower())


def unknown_conditions(codes: list[str]) -> list[str]:
    if not codes:
        return []
    known = condition_labels()
    return [code for code in codes if code not in known]
