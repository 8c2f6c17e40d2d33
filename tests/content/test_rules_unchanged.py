"""The safety rules load exactly as they did before the content files were read through one loader.

rules_before.json was computed from the library loaded by the old reader (library/yamlsource.py, removed
in the commit that added kneadwell.content): each rule's id, its action (the verdict it gives) and a
sha256 of its whole loaded form (conditions, populations, protocols, regions, texts, sources), in file
order. A reviewed change to a rule changes this file in the same commit, on purpose.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from kneadwell.library.loader import load_library

BEFORE = json.loads((Path(__file__).parent / "rules_before.json").read_text(encoding="utf-8"))


def _loaded() -> list[dict[str, str]]:
    return [
        {
            "id": rule_id,
            "action": rule.action,
            "sha256": hashlib.sha256(
                json.dumps(rule.model_dump(mode="json"), sort_keys=True).encode()
            ).hexdigest(),
        }
        for rule_id, rule in load_library().rules.items()
    ]


def test_the_same_rules_give_the_same_verdicts() -> None:
    assert [(r["id"], r["action"]) for r in _loaded()] == [(r["id"], r["action"]) for r in BEFORE]


def test_every_rule_loads_exactly_as_before() -> None:
    changed = [r["id"] for r, b in zip(_loaded(), BEFORE, strict=True) if r["sha256"] != b["sha256"]]
    assert changed == []


def test_the_snapshot_holds_every_kind_of_verdict() -> None:
    # A snapshot of a few harmless rules would prove little; this one holds the stops and the releases.
    assert {r["action"] for r in BEFORE} == {"stop", "needs-release", "avoid-areas", "modify"}
    assert len(BEFORE) >= 50
