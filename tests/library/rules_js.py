"""Run static/js/rules.js under node from the tests, and build rules bundles from the inputs the Python
screening tests use, so both engines can be given exactly the same case.

    with NodeRules() as js:
        js.screen(bundle, answers, protocol_id=..., now=NOW)      # what the device answers
"""

from __future__ import annotations

import hashlib
import json
import math
import shutil
import subprocess
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kneadwell.library.bundle import BundleClient, BundleRelease, rules_bundle
from kneadwell.library.catalog import Library
from kneadwell.library.org_settings import ScreeningSettings
from kneadwell.library.screening import ClientFacts, GivenRelease

ROOT = Path(__file__).resolve().parents[2]
RULES_JS = ROOT / "src" / "kneadwell" / "static" / "js" / "rules.js"
WORKER = Path(__file__).with_name("js") / "worker.js"
NODE = shutil.which("node") or "/usr/bin/node"

# The parts of a bundle that depend only on the content and the group, sent to node once per kind.
LIBRARY_KEYS = (
    "format",
    "content_version",
    "language",
    "version",
    "words",
    "time_zone",
    "rules",
    "questions",
    "question_sets",
    "protocols",
    "regions",
    "conditions",
    "populations",
    "states",
    "cues",
    "session_checks",
    "sources",
)


def as_json(value: Any) -> Any:
    """An answer as a device sends it: dates and times as ISO text, lists as lists; NaN and infinities
    (which JSON cannot carry) marked for the worker."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [as_json(v) for v in value]
    if isinstance(value, Mapping):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, float) and not math.isfinite(value):
        return {"$float": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}
    return value


def plain(data: Any) -> Any:
    """Both engines' results compared as JSON values."""
    return json.loads(json.dumps(data))


class Unrepresentable(Exception):
    """A test's input a bundle cannot carry (facts built by hand, a release refused for a reason of its
    own)."""


def bundle_for(
    library: Library,
    *,
    client: ClientFacts,
    intake: Mapping[str, Any],
    protocol_id: str,
    now: datetime,
    settings: ScreeningSettings | None = None,
    released: Iterable[str] | Mapping[str, GivenRelease] = (),
    time_zone: str = "UTC",
    language: str = "en",
    words_version: str | None = None,
) -> dict[str, Any]:
    """The bundle a server would send for a client whose record gives these facts (`library` gives the
    words: the English library or a translation, `localise.library_in(language)`)."""
    if client.birth_date is None or client.age_days is None:
        raise Unrepresentable("no birth date")
    rebuilt = ClientFacts.from_birth(
        population=client.population,
        birth_date=client.birth_date,
        on=now.date(),
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days or 0,
        conditions=client.conditions,
    )
    if rebuilt != client:
        raise Unrepresentable("facts not those of the record on the day")
    releases: list[BundleRelease] = []
    items = released.values() if isinstance(released, Mapping) else (GivenRelease(r) for r in released)
    for given in items:
        if given.not_counted is not None:
            raise Unrepresentable("a release not counted for a reason given by hand")
        releases.append(
            BundleRelease(
                rule_id=given.rule_id,
                protocol_id=protocol_id,
                finding=as_json(given.finding) if given.finding is not None else None,
                given_on=given.given_on,
                given_by=given.given_by,
                valid_until=None,
                by_you=False,
            )
        )
    return rules_bundle(
        library=library,
        client=BundleClient(
            id=1,
            population=client.population,
            birth_date=client.birth_date,
            gestation_weeks=client.gestation_weeks,
            gestation_days=client.gestation_days,
            conditions=client.conditions,
        ),
        intake_answers=as_json(intake),
        intake_version=1,
        settings=settings or ScreeningSettings.for_library(library),
        releases=releases,
        self_release=False,
        protocol_id=protocol_id,
        issued_at=now,
        time_zone=time_zone,
        language=language,
        words_version=words_version,
    )


class NodeRules:
    """One node process running rules.js for the whole test module."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [NODE, str(WORKER), str(RULES_JS)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        self._sent: set[str] = set()
        self.calls = 0

    def __enter__(self) -> NodeRules:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._proc.stdin:
            self._proc.stdin.close()
        self._proc.wait(timeout=10)

    def _call(self, request: dict[str, Any], bundle: Mapping[str, Any] | None = None) -> Any:
        if bundle is not None:
            base = {k: bundle[k] for k in LIBRARY_KEYS if k in bundle}
            text = json.dumps(base, sort_keys=True)
            base_id = hashlib.sha256(text.encode()).hexdigest()[:16]
            request["base_id"] = base_id
            request["delta"] = {k: v for k, v in bundle.items() if k not in LIBRARY_KEYS}
            if base_id not in self._sent:
                request["base"] = base
                self._sent.add(base_id)
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        self._proc.stdin.write(json.dumps(as_json(request)) + "\n")
        self._proc.stdin.flush()
        line = self._proc.stdout.readline()
        assert line, "node stopped"
        self.calls += 1
        answer = json.loads(line)
        if isinstance(answer, dict) and "crash" in answer:
            raise AssertionError(f"rules.js crashed: {answer['crash']}")
        return answer

    def screen(
        self,
        bundle: Mapping[str, Any],
        answers: Any,
        *,
        now: datetime | str,
        protocol_id: str | None = None,
        any_question: bool = False,
    ) -> Any:
        options: dict[str, Any] = {"now": now if isinstance(now, str) else now.isoformat()}
        if protocol_id is not None:
            options["protocol_id"] = protocol_id
        if any_question:
            options["any_question"] = True
        return self._call({"op": "screen", "answers": as_json(answers), "options": options}, bundle)

    def observe(self, bundle: Mapping[str, Any], observation: Mapping[str, Any]) -> Any:
        return self._call({"op": "observe", "observation": as_json(observation)}, bundle)

    def questions(self, bundle: Mapping[str, Any], now: datetime) -> list[str]:
        result: list[str] = self._call({"op": "questions", "options": {"now": now.isoformat()}}, bundle)
        return result

    def label(self, bundle: Mapping[str, Any], question: str) -> str:
        result: str = self._call({"op": "label", "question": question}, bundle)
        return result

    def expired(self, bundle: Mapping[str, Any], now: datetime) -> bool:
        result: bool = self._call({"op": "expired", "now": now.isoformat()}, bundle)
        return result

    def python_format(self, fn: str, values: list[float]) -> list[Any]:
        result: list[Any] = self._call({"op": "python", "fn": fn, "args": values})
        return result
