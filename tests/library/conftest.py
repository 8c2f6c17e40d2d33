"""Shared fixtures for the content-library tests: the shipped library, default settings, a fixed "now",
and answers that fire no rule (so each test changes only what it is about)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kneadwell.library.catalog import Library
from kneadwell.library.loader import CONTENT_DIR, default_library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import ClientFacts, GivenRelease, Verdict, screen

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)

# One protocol per population, used when a test is about a rule rather than a protocol.
PROTOCOL_FOR = {
    "infant": "iaim_parent_routine",
    "preterm_infant": "preterm_tks_10d",
    "child": "child_asthma",
    "stroke": "stroke_rehab",
    "rehab": "rehab_injury_postop",
}

# A client whose record fits each population (population.allowed_populations): the screening refuses a
# population the birth date, gestation and conditions contradict. The preterm baby is born at 30+0 weeks
# and 6 weeks old (36 weeks postmenstrual age: past the youngest-PMA release, still in the preterm set);
# the baby is born at term and 10 weeks old; the child is 6; the adults are 40, the stroke client with
# "stroke" on the record.
FITTING: dict[str, tuple[date, int | None, frozenset[str]]] = {
    "preterm_infant": (NOW.date() - timedelta(weeks=6), 30, frozenset()),
    "infant": (NOW.date() - timedelta(weeks=10), 40, frozenset()),
    "child": (date(2019, 1, 15), None, frozenset()),
    "stroke": (date(1985, 1, 15), None, frozenset({"stroke"})),
    "rehab": (date(1985, 1, 15), None, frozenset()),
}


def newborn(population: str) -> ClientFacts:
    """A baby three weeks old, young enough to be asked about the cord stump (born at 34+0 weeks for the
    preterm group, so its postmenstrual age, 37 weeks, needs no release)."""
    return ClientFacts.from_birth(
        population=population,
        birth_date=NOW.date() - timedelta(weeks=3),
        on=NOW.date(),
        gestation_weeks=34 if population == "preterm_infant" else 40,
    )


def fitting_client(population: str, conditions: Iterable[str] = (), *, on: date | None = None) -> ClientFacts:
    """A client whose record fits `population`, with these conditions as well."""
    birth, gestation, own = FITTING[population]
    return ClientFacts.from_birth(
        population=population,
        birth_date=birth,
        on=on or NOW.date(),
        gestation_weeks=gestation,
        conditions={*own, *conditions},
    )


# Answers under which no rule fires; everything not listed is answered "no" / "none" / left blank.
_CLEAR: dict[str, Any] = {
    "umbilical_healed": True,
    "clinician_confirms_stable": True,
    "agrees_today": True,
    "baby_state": "quiet_alert",
    "oil_test_reaction": "no_reaction",
    "axillary_temperature_c": 36.8,
    "spo2_before": 96,
    "heart_rate_before": 150,
    "last_feed_at": NOW - timedelta(hours=2),
    "last_feed_or_handling_at": NOW - timedelta(hours=2),
    "last_stroke_date": date(2023, 6, 1),
    "stroke_count": "single",
    "affected_side": "left",
}


def clear_answers(library: Library, population: str, scope: str) -> dict[str, Any]:
    """Follow-up questions whose gate is answered otherwise stay blank: answering them would contradict
    the gate, which the screening refuses. A list asked after a yes ("where is the broken skin?") is
    answered "none" with its gate left blank (as an integration sending only the list), so a test can
    name areas without also saying yes to the gate; so is the time of the last feed."""
    answers: dict[str, Any] = {}
    questions = library.questions_for(population, scope)
    open_gates = {
        q.ask_if.question
        for q in questions
        if q.ask_if is not None and (q.ask_if.otherwise_none or q.id in _CLEAR)
    }
    for q in questions:
        if q.id in open_gates:
            answers[q.id] = None
        elif q.ask_if is not None and q.ask_if.otherwise_none:
            answers[q.id] = []
        elif q.id in _CLEAR:
            answers[q.id] = _CLEAR[q.id]
        elif q.ask_if is not None:
            answers[q.id] = None
        elif q.type == "yes_no":
            answers[q.id] = False
        elif q.type in ("region_multi_choice", "multi_choice"):
            answers[q.id] = []
        else:
            answers[q.id] = None
    return answers


@pytest.fixture(scope="session")
def library() -> Library:
    return default_library()


@pytest.fixture(scope="session")
def settings(library: Library) -> ScreeningSettings:
    return ScreeningSettings.for_library(library)


@pytest.fixture
def now() -> datetime:
    return NOW


Screen = Callable[..., Verdict]


@pytest.fixture
def run_screen(library: Library, settings: ScreeningSettings) -> Screen:
    """Screen a client with all-clear answers, changed only by the keyword arguments given."""

    def run(
        population: str,
        *,
        protocol: str | None = None,
        conditions: Iterable[str] = (),
        intake: Mapping[str, Any] | None = None,
        today: Mapping[str, Any] | None = None,
        client: ClientFacts | None = None,
        org: ScreeningSettings | None = None,
        released: Iterable[str] | Mapping[str, GivenRelease] = (),
    ) -> Verdict:
        facts = client or fitting_client(population, conditions)
        return screen(
            library=library,
            protocol_id=protocol or PROTOCOL_FOR[population],
            client=facts,
            intake={**clear_answers(library, population, "intake"), **(intake or {})},
            today={**clear_answers(library, population, "today"), **(today or {})},
            settings=org or settings,
            now=NOW,
            released=dict(released) if isinstance(released, Mapping) else frozenset(released),
        )

    return run


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A writable copy of the shipped content, for building broken variants."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path: Path, old: str, new: str, count: int = 1) -> int:
    """Replace `old` by `new` in a content file; return the 1-based line of the first change."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not found in {path.name}"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return line


@pytest.fixture
def edit_content() -> Callable[[Path, str, str], int]:
    return edit


@pytest.fixture
def clear(library: Library) -> Callable[[str, str], dict[str, Any]]:
    """clear(population, scope): answers that fire no rule."""
    return lambda population, scope: clear_answers(library, population, scope)


@pytest.fixture
def protocol_for() -> dict[str, str]:
    return dict(PROTOCOL_FOR)
