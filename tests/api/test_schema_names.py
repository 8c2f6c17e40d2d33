"""Every schema class of the API has its own name: the OpenAPI document keys components by class name, so
a second class of the same name in another module silently replaces the first's schema (issue 13 found
one: two `SlotOut`s, and the plan schedule's answers were checked against the allocation list's)."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict

from ninja import Schema

import kneadwell.api


def test_no_evaluation_schema_shares_a_name_with_another() -> None:
    """Held for the evaluation modules (issue 13). Other modules share names today (ListParams, WithdrawIn,
    PracticeOut), reported to their owners rather than changed here."""
    found: dict[str, set[str]] = defaultdict(set)
    for module in pkgutil.iter_modules(kneadwell.api.__path__):
        loaded = importlib.import_module(f"kneadwell.api.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == loaded.__name__:
                found[value.__name__].add(value.__module__)
    shared = {name: sorted(where) for name, where in found.items() if len(where) > 1}
    assert {n: w for n, w in shared.items() if any(".evaluation" in m for m in w)} == {}
    assert any(".evaluation" in m for where in found.values() for m in where)
