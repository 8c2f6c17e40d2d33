"""A seeded clinic for the benchmarks, written fast (bulk inserts in batches, no per-row services).

    uv run python benchmarks/seed.py [--scale 1.0] [--database-url URL] [--seed 20260101]

Scale 1.0 is the clinic of the performance budgets (../shared/brief/ARCHITECTURE.md, "Performance
budgets"): one organisation with 5,000 clients, 100,000 sessions and 1,000,000 measurements. A small
neighbouring organisation (2 % of that) is seeded too, so that every tenancy filter has rows to skip.
The database is DATABASE_URL's (or --database-url's); it is migrated and the content library loaded first.
Seeding adds to what is there: seed an empty database.

Shapes follow the app's own records. The JSON of intakes, readiness checks, session steps and
observations is learned once per protocol by running the real services (intake, today's check, a guided
session with cues and a stop) inside a transaction that is rolled back; the seeder then copies those
shapes with its own dates and people. Measurements are scored by the instrument catalogue's own scorer
(`kneadwell.outcomes.instruments.score`), once per distinct answer set.

- Members per role: administrators, therapists, instructors, assessors, researchers, and caregivers with
  a login linked as guardian of some of the children (a few guard two siblings).
- Clients across populations: preterm and term infants, children, adults after a stroke, adults in
  rehabilitation; minors with one or two guardians and a guardian's consent, adults with their own.
- Intakes, plans with their generated schedule (enrolment check, slots done / stopped / missed /
  cancelled), earlier ended plans, guided sessions with step logs, observations, SOAP notes or parents'
  diaries, a few adverse events, and sessions recorded after the fact.
- Measurements: daily weights of infants from birth with weekly length and head circumference; pain,
  comfort and stool scores for everyone (NIPS, FLACC, NRS, Bristol); a few marked entered-in-error.
- The audit trail those writes would leave (one row per record written, and reads of sessions).

Created and updated times are the records' own (in the past), not the time of seeding.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import math
import os
import random
import sys
import time
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

BASE_CLIENTS = 5_000
BASE_SESSIONS = 100_000
BASE_MEASUREMENTS = 1_000_000
NEIGHBOUR_SHARE = 0.02
MAIN_ORG = "Benchmark clinic"
NEIGHBOUR_ORG = "Benchmark neighbour clinic"
# Every seeded account has this password. Benchmark databases only; never a real deployment.
BENCH_PASSWORD = "bench-only-password-4711"  # noqa: S105 - a fixed password for throwaway benchmark data
DEFAULT_SEED = 20260101
MARKER_ENTITY = "benchmark_seed"  # the audit row that says which seed a database holds
CHUNK = 250  # clients written per round of bulk inserts
BATCH = 2_000  # rows per INSERT

# Population -> share of clients, (protocol, conditions, weight) choices, age range in days.
POPULATIONS: dict[str, tuple[float, tuple[tuple[str, tuple[str, ...], int], ...], tuple[int, int]]] = {
    "preterm_infant": (
        0.25,
        (("preterm_tks_10d", ("preterm",), 3), ("preterm_tks_5d", ("preterm",), 1)),
        (5, 120),
    ),
    "infant": (
        0.25,
        (
            ("iaim_parent_routine", (), 4),
            ("colic_relief", (), 2),
            ("constipation_relief", (), 1),
            ("face_relief", (), 1),
            ("neonatal_practice", (), 1),
        ),
        (14, 400),
    ),
    "child": (
        0.15,
        (
            ("child_asthma", ("asthma",), 2),
            ("child_jia", ("juvenile_idiopathic_arthritis",), 1),
            ("child_autism_adhd", ("autism",), 1),
            ("child_cystic_fibrosis", ("cystic_fibrosis",), 1),
            ("child_cerebral_palsy", ("cerebral_palsy",), 2),
            ("child_down_syndrome", ("down_syndrome",), 1),
            ("child_hospital_comfort", ("hospitalised",), 1),
        ),
        (3 * 365, 15 * 365),
    ),
    "stroke": (0.15, (("stroke_rehab", ("stroke",), 1),), (45 * 365, 90 * 365)),
    "rehab": (
        0.20,
        (("rehab_injury_postop", ("post_operative",), 2), ("sports_recovery", ("sports_injury",), 1)),
        (18 * 365, 70 * 365),
    ),
}
# Template clients (age in days, gestation) for learning each population's shapes through the services.
TEMPLATE_AGES: dict[str, tuple[int, int | None, int | None]] = {
    "preterm_infant": (40, 30, 2),
    "infant": (60, 39, 3),
    "child": (8 * 365, None, None),
    "stroke": (68 * 365, None, None),
    "rehab": (34 * 365, None, None),
}
INFANTS = ("preterm_infant", "infant")
# Pain, comfort and stool instruments by population (instrument, weight).
SCORES: dict[str, tuple[tuple[str, int], ...]] = {
    "preterm_infant": (("nips", 1),),
    "infant": (("nips", 3), ("bristol_stool", 7)),
    "child": (("flacc", 5), ("bristol_stool", 2), ("nrs", 3)),
    "stroke": (("nrs", 1),),
    "rehab": (("nrs", 1),),
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


GIVEN = _words(
    "Maya Leo Sami Grace Dan Amara Noah Isla Omar Freya Arjun Zara Theo Ada Kofi Lena Yusuf Ines Mateo "
    "Nia Hugo Ayla Ravi Elsa Tariq Mila Jonas Aisha Felix Ruby Idris Clara Kai Esme Luca Hana Ezra Iris "
    "Malik Alba Finn Priya Oscar Lila Sven Amani Rowan Yara Emil Chloe Bilal Nora Reza Maeve Tomas Sofia"
)
FAMILY = _words(
    "Okafor Hart Reyes Lindqvist Mbeki Nakamura Kowalski Haddad Schmidt Oyelaran Novak Costa Fischer "
    "Silva Ahmed Murphy Jensen Rossi Dubois Kaur Petrov Andersen Mensah Ibrahim Walsh Moreau Tanaka Ortiz "
    "Lund Barker Duarte Weber Quinn Farah Horvat Nowak Byrne Castillo Eriksen Mwangi Patel Singh Chen "
    "Garcia Kim Lopez Nguyen Brown Taylor Wilson Evans Hughes Owusu Adeyemi Varga Popescu Kelly Nilsson "
    "Becker"
)
NOTE_WORDS = (
    "settled quickly",
    "calm throughout",
    "fussed at the legs, slowed down",
    "fell asleep during the back strokes",
    "enjoyed the face strokes",
    "tolerated well",
    "mild tension in the shoulders eased",
)
SKIP_REASONS = ("Baby asleep", "Area sore today", "Ran out of time", "Client asked to skip")
STOP_REASONS = ("Baby unsettled: crying did not ease", "Client felt unwell", "Interrupted by a feed")


@dataclass
class Shape:
    """What one protocol's records look like, learned from the real services."""

    protocol_id: str
    population: str
    conditions: tuple[str, ...]
    intake_answers: dict[str, Any]
    check_answers: dict[str, Any]
    check_action: str
    check_verdict: dict[str, Any]
    content_version: str
    steps: list[dict[str, Any]]
    dropped: list[dict[str, Any]]
    observations: list[dict[str, Any]]  # kind, code, vitals, moment, decision, reasons
    stop: dict[str, Any]  # stop_check, stop_reason, observation (or None)
    dose: Any
    weight: int


@dataclass
class SeedReport:
    scale: float
    organisations: dict[str, int] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_seconds: float = 0.0

    def add(self, table: str, count: int, seconds: float) -> None:
        self.rows[table] = self.rows.get(table, 0) + count
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds

    def lines(self) -> list[str]:
        out = [f"seeded scale {self.scale:g} in {self.total_seconds:.1f} s"]
        for table in sorted(self.rows, key=lambda t: -self.rows[t]):
            out.append(f"  {table:<22} {self.rows[table]:>10,} rows  {self.seconds[table]:7.1f} s")
        return out


def counts(scale: float) -> tuple[int, int, int]:
    """(clients, sessions, measurements) of the main organisation at `scale` (never fewer than one client
    per population)."""
    return (
        max(len(POPULATIONS), round(BASE_CLIENTS * scale)),
        max(len(POPULATIONS), round(BASE_SESSIONS * scale)),
        max(4 * len(POPULATIONS), round(BASE_MEASUREMENTS * scale)),
    )


def login_email(role: str, n: int = 1, org: str = MAIN_ORG) -> str:
    return f"{role}{n}@{_slug(org)}.bench.test"


def _slug(name: str) -> str:
    return name.lower().replace(" ", "-")


def code_fingerprint() -> str:
    """Changes when the seeder or any migration changes, so a cached seeded database is rebuilt."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in sorted((ROOT / "src" / "kneadwell").glob("*/migrations/*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# --- shapes learned from the services -------------------------------------------------------------------


def _clear_answers(population: str, scope: str, now: dt.datetime) -> dict[str, Any]:
    """Answers under which no safety rule fires (as the demo's), for made-up benchmark clients only."""
    from kneadwell.library.loader import default_library

    special: dict[str, object] = {
        "umbilical_healed": True,
        "clinician_confirms_stable": True,
        "agrees_today": True,
        "baby_state": "quiet_alert",
        "oil_test_reaction": "no_reaction",
        "axillary_temperature_c": 36.8,
        "spo2_before": 96,
        "heart_rate_before": 150,
        "last_feed_at": now - dt.timedelta(hours=2),
        "last_feed_or_handling_at": now - dt.timedelta(hours=2),
        "last_stroke_date": (now - dt.timedelta(days=400)).date(),
        "stroke_count": "single",
        "affected_side": "left",
        "injury_description": "Knee replacement, recovering.",
        "focus_regions": ["left_leg"],
    }
    lib = default_library()
    answers: dict[str, object] = {}
    for q in lib.questions_for(population, scope):
        if q.ask_if is not None and answers.get(q.ask_if.question) != q.ask_if.equals:
            continue
        if q.id in special:
            value = special[q.id]
            if q.id == "focus_regions":
                value = [r for r in lib.regions if "leg" in r][:1]
            answers[q.id] = value
        elif q.type == "yes_no":
            answers[q.id] = False
        elif q.type in ("multi_choice", "region_multi_choice"):
            answers[q.id] = []
        elif q.type == "text" and q.required:
            answers[q.id] = "Seeded for benchmarks."
    return answers


def learn_shapes() -> dict[str, list[Shape]]:
    """Run the real services once per protocol (then roll everything back) and keep the shapes."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from kneadwell.accounts.actor import Actor, Channel
    from kneadwell.accounts.models import Membership, Organisation, User
    from kneadwell.accounts.roles import Role
    from kneadwell.care import services as care
    from kneadwell.care.models import Session
    from kneadwell.clients import services as client_services
    from kneadwell.core.errors import DomainError, ValidationFailed
    from kneadwell.library import services as library
    from kneadwell.library.loader import default_library

    lib = default_library()
    shapes: dict[str, list[Shape]] = {p: [] for p in POPULATIONS}
    with transaction.atomic():
        org = Organisation.objects.create(name="Template clinic (rolled back)")
        user = User.objects.create(
            email="template@bench.test", full_name="Template", password=make_password(None)
        )
        member = Membership.objects.create(user=user, organisation=org, role=Role.THERAPIST)
        actor = Actor(user=user, membership=member, channel=Channel.SYSTEM)
        today = timezone.localdate()
        for population, (_share, protocols, _ages) in POPULATIONS.items():
            age, weeks, days = TEMPLATE_AGES[population]
            for protocol_id, conditions, weight in protocols:
                if protocol_id not in lib.protocols:
                    continue
                client = client_services.client_create(
                    actor=actor,
                    given_name="Template",
                    family_name=protocol_id,
                    birth_date=today - dt.timedelta(days=age),
                    sex="female",
                    gestation_weeks=weeks,
                    gestation_days=days,
                    birth_weight_g=1400 if population == "preterm_infant" else None,
                    conditions=list(conditions),
                )
                guardian = (
                    None
                    if age >= 18 * 365
                    else client_services.guardian_create(
                        actor=actor, client=client, name="Template Parent", relationship="mother"
                    )
                )
                client_services.consent_record(
                    actor=actor,
                    client=client,
                    kind="guardian" if guardian else "self",
                    scopes=["care", "measurements", "sharing"],
                    signed_by_name="Template",
                    signed_on=today,
                    method="paper",
                    attestation=True,
                    guardian=guardian,
                )
                now = timezone.now()
                intake = library.intake_save(
                    actor=actor,
                    client=client,
                    population=population,
                    answers=_clear_answers(population, "intake", now),
                    expected_version=None,
                )
                check = library.readiness_check_run(
                    actor=actor,
                    client=client,
                    protocol_id=protocol_id,
                    answers=_clear_answers(population, "today", now),
                )
                if check.blocks:
                    rules = [r["rule_id"] for r in check.verdict.get("reasons", [])]
                    print(f"  (skipping {protocol_id}: the template check says {check.action}: {rules})")
                    continue
                session = care.session_start(actor=actor, client=client, check=check)
                observations = []
                for kind, code, vitals, moment in _candidate_observations(population):
                    try:
                        o = care.session_observe(
                            actor=actor,
                            session=session,
                            key=f"{kind}-{code}-{moment}",
                            kind=kind,
                            code=code,
                            vitals=vitals,
                            moment=moment,
                        )
                    except (ValidationFailed, DomainError):
                        continue
                    session.refresh_from_db()
                    if o.decision != "continue" or not session.is_open:
                        break
                    observations.append(
                        {
                            "kind": o.kind,
                            "code": o.code,
                            "vitals": o.vitals,
                            "moment": o.moment,
                            "decision": o.decision,
                            "reasons": o.reasons,
                        }
                    )
                if session.is_open:
                    care.session_stop(actor=actor, session=session, reason="template")
                # A second session, stopped by a crying baby's cue where the rules say so.
                second = care.session_start(
                    actor=actor,
                    client=client,
                    check=library.readiness_check_run(
                        actor=actor,
                        client=client,
                        protocol_id=protocol_id,
                        answers=_clear_answers(population, "today", now),
                    ),
                )
                stop: dict[str, Any] = {"stop_check": "manual", "stop_reason": "", "observation": None}
                try:
                    o = care.session_observe(
                        actor=actor, session=second, key="stop", kind="state", code="crying"
                    )
                    second.refresh_from_db()
                    if second.status == Session.Status.STOPPED:
                        stop = {
                            "stop_check": second.stop_check,
                            "stop_reason": second.stop_reason,
                            "observation": {
                                "kind": o.kind,
                                "code": o.code,
                                "vitals": o.vitals,
                                "moment": o.moment,
                                "decision": o.decision,
                                "reasons": o.reasons,
                            },
                        }
                except (ValidationFailed, DomainError):
                    pass
                shapes[population].append(
                    Shape(
                        protocol_id=protocol_id,
                        population=population,
                        conditions=tuple(conditions),
                        intake_answers=dict(intake.answers),
                        check_answers=dict(check.answers),
                        check_action=check.action,
                        check_verdict=dict(check.verdict),
                        content_version=check.content_version,
                        steps=list(session.steps),
                        dropped=list(session.dropped_steps),
                        observations=observations,
                        stop=stop,
                        dose=lib.protocols[protocol_id].dose,
                        weight=weight,
                    )
                )
        transaction.set_rollback(True)
    missing = [p for p, found in shapes.items() if not found]
    if missing:
        raise RuntimeError(f"No usable protocol shape for {', '.join(missing)}: the content library changed.")
    return shapes


def _candidate_observations(population: str) -> list[tuple[str, str, dict[str, Any] | None, str]]:
    if population == "preterm_infant":
        return [
            ("vitals", "", {"heart_rate": 150, "spo2": 96, "respiratory_rate": 45}, "before"),
            ("state", "quiet_alert", None, "before"),
            ("cue", "mutual_gaze", None, "during"),
            ("vitals", "", {"heart_rate": 154, "spo2": 95, "respiratory_rate": 48}, "during"),
        ]
    if population == "infant":
        return [
            ("state", "quiet_alert", None, "before"),
            ("cue", "smiling", None, "during"),
            ("cue", "smooth_movements", None, "during"),
        ]
    if population == "child":
        return [("cue", "smiling", None, "during")]
    return [("vitals", "", {"heart_rate": 72}, "before"), ("vitals", "", {"heart_rate": 68}, "after")]


# --- the seeding itself ---------------------------------------------------------------------------------


# --- fast rows ------------------------------------------------------------------------------------------


class Table:
    """Rows of one table, written with one prepared INSERT through `executemany`. Ids are given here
    (counting on from the table's largest), so children can point at parents before anything is written;
    PostgreSQL's sequences are moved past them at the end (`reset_sequences`). Values are adapted for the
    database the way Django's backend does (UTC text datetimes on SQLite, JSON as text); columns not given
    take the field's default."""

    def __init__(self, model: Any, report: SeedReport) -> None:
        from django.db import connection

        self.model = model
        self.report = report
        self.connection = connection
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.names = [f.attname for f in self.fields]
        self.adapters = [self._adapter(f) for f in self.fields]
        defaults = [a(f.get_default()) for f, a in zip(self.fields, self.adapters, strict=True)]
        self.template: list[Any] = [None, *defaults]
        self.index = {name: i + 1 for i, name in enumerate(self.names)}
        self.rows: list[list[Any]] = []
        quote = connection.ops.quote_name
        columns = ", ".join(quote(c) for c in ["id", *[f.column for f in self.fields]])
        marks = ", ".join(["%s"] * (len(self.fields) + 1))
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - our own names
        self.next_id = 1
        self.resync()

    def resync(self) -> None:
        """Count on from the table's largest id (rows may have been written since, e.g. audit rows)."""
        table = self.connection.ops.quote_name(self.model._meta.db_table)
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX(id) FROM {table}")  # noqa: S608 - our own table name
            self.next_id = max(self.next_id, int(cursor.fetchone()[0] or 0) + 1)

    def _adapter(self, f: Any) -> Callable[[Any], Any]:
        ops = self.connection.ops
        kind = f.get_internal_type()
        if kind == "DateTimeField":
            if self.connection.vendor == "sqlite":
                # As Django's SQLite backend stores them: naive UTC text.
                return lambda v: None if v is None else str(v.astimezone(dt.UTC).replace(tzinfo=None))
            return lambda v: None if v is None else ops.adapt_datetimefield_value(v)
        if kind == "DateField":
            return lambda v: None if v is None else ops.adapt_datefield_value(v)
        if kind == "JSONField":
            return lambda v: v.text if isinstance(v, Json) else json.dumps(v)
        return lambda v: v

    def add(self, **values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        row = self.template.copy()
        row[0] = pk
        index, adapters = self.index, self.adapters
        for name, value in values.items():
            i = index[name]
            row[i] = adapters[i - 1](value)
        self.rows.append(row)
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            for start in range(0, len(self.rows), BATCH):
                cursor.executemany(self.sql, self.rows[start : start + BATCH])
        self.report.add(self.model._meta.db_table, len(self.rows), time.perf_counter() - started)
        self.rows = []


@dataclass(frozen=True)
class Json:
    """A JSON value serialised once (session steps are the same for every session of a protocol)."""

    text: str

    @classmethod
    def of(cls, value: Any) -> Json:
        return cls(json.dumps(value))


def reset_sequences(models: Sequence[Any]) -> None:
    """Move PostgreSQL's id sequences past the ids the seeder gave (SQLite needs nothing)."""
    from django.core.management.color import no_style
    from django.db import connection

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _spread(total: int, weights: Sequence[float]) -> list[int]:
    """`total` split in proportion to `weights` (largest remainders, so the parts add up exactly)."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    whole = sum(weights)
    raw = [total * w / whole for w in weights]
    parts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


@dataclass
class ClientSpec:
    population: str
    shape: Shape
    birth_date: dt.date
    sex: str
    gestation: tuple[int, int] | None
    birth_weight_g: int | None
    given: str
    family: str
    sessions: int = 0
    growth_days: int = 0  # daily weights for this many days (infants)
    scores: int = 0  # pain, comfort and stool scores
    caregiver: int | None = None  # index of the caregiver login that guards this client
    # Filled while writing:
    pk: int = 0
    created_at: dt.datetime | None = None
    created_by: int = 0


@dataclass(frozen=True)
class Person:
    pk: int
    email: str
    role: str


@dataclass
class SessionFacts:
    spec: int
    plan: int | None  # index into the chunk's plans
    slot: int | None  # index into that plan's slots
    at: dt.datetime
    status: str
    performer: Person
    imported: bool = False


class Seeder:
    def __init__(self, *, scale: float, seed: int, progress: Callable[[str], None]) -> None:
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        from kneadwell.accounts.models import Membership, Organisation, User
        from kneadwell.audit.models import AuditEvent
        from kneadwell.care.models import (
            AdverseEvent,
            Note,
            Observation,
            Plan,
            ScheduledSession,
            Session,
            StepLog,
        )
        from kneadwell.clients.models import Client, Consent, Guardian
        from kneadwell.library.models import Intake, ReadinessCheck
        from kneadwell.outcomes.models import Measurement

        self.scale = scale
        self.rng = random.Random(seed)
        self.progress = progress
        self.now = timezone.now().replace(microsecond=0)
        self.tz = zoneinfo.ZoneInfo(str(timezone.get_current_timezone()))
        self.today = timezone.localdate()
        self.password = make_password(BENCH_PASSWORD)
        self.report = SeedReport(scale=scale)
        self.score_pools = self._score_pools()
        self.models = (
            Organisation,
            User,
            Membership,
            Client,
            Guardian,
            Consent,
            Intake,
            ReadinessCheck,
            Plan,
            ScheduledSession,
            Session,
            StepLog,
            Observation,
            Note,
            AdverseEvent,
            Measurement,
            AuditEvent,
        )
        # In the order they are written (parents first).
        self.t = {m.__name__: Table(m, self.report) for m in self.models}

    def flush(self) -> None:
        for table in self.t.values():
            table.flush()

    def _at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def _score_pools(self) -> dict[str, list[dict[str, Any]]]:
        """Scored answer sets per instrument (the catalogue's scorer, as the services use it), with their
        JSON columns serialised once."""
        from kneadwell.outcomes import instruments
        from kneadwell.outcomes.scores import score_columns, to_json

        pools: dict[str, list[dict[str, Any]]] = {}
        rng = random.Random(7)
        for instrument_id in sorted({i for choices in SCORES.values() for i, _ in choices}):
            inst = instruments.get_instrument(instrument_id)
            seen: dict[str, dict[str, Any]] = {}
            for _ in range(200):
                # Mostly low scores, as in routine care; some high.
                answers = {
                    item.id: (
                        item.options[0].value
                        if rng.random() < 0.5
                        else rng.choice([o.value for o in item.options])
                    )
                    for item in inst.items
                }
                key = repr(sorted(answers.items()))
                if key in seen:
                    continue
                cols = score_columns(inst, instruments.score(instrument_id, answers))
                seen[key] = {
                    "answers": Json.of(to_json(answers)),
                    "value": cols.value,
                    "unit": cols.unit,
                    "total": cols.total,
                    "subscores": Json.of(cols.subscores),
                    "band": cols.band[:40],
                    "band_label": cols.band_label[:200],
                    "details": Json.of(cols.details),
                    "warnings": Json.of(cols.warnings),
                }
            pools[instrument_id] = list(seen.values())
        return pools

    def audit(
        self, at: dt.datetime, who: Person, action: str, entity: str, pk: int, client: int, summary: str
    ) -> None:
        self.t["AuditEvent"].add(
            at=at,
            organisation_id=self.org,
            user_id=who.pk,
            actor_label=who.email,
            actor_role=who.role,
            channel="page",
            ip="127.0.0.1",
            action=action,
            entity=entity,
            entity_id=str(pk),
            client_id=client,
            summary=summary,
        )

    # organisations --------------------------------------------------------------------------------------
    def use(self, shapes: dict[str, list[Shape]]) -> None:
        self.shapes = shapes
        self.steps_json = {s.protocol_id: Json.of(s.steps) for found in shapes.values() for s in found}

    def run(self, shapes: dict[str, list[Shape]], *, marker: str = "") -> SeedReport:
        """The clinic of the budgets at this scale, its small neighbour, and (when given) the marker row
        that says which seed this database holds."""
        from django.db import transaction

        started = time.perf_counter()
        self.use(shapes)
        clients, sessions, measurements = counts(self.scale)
        main = self.seed_org(MAIN_ORG, clients, sessions, measurements)
        self.seed_org(
            NEIGHBOUR_ORG,
            max(len(POPULATIONS), round(clients * NEIGHBOUR_SHARE)),
            max(len(POPULATIONS), round(sessions * NEIGHBOUR_SHARE)),
            max(4 * len(POPULATIONS), round(measurements * NEIGHBOUR_SHARE)),
        )
        with transaction.atomic():
            if marker:
                self.t["AuditEvent"].add(
                    at=self.now,
                    organisation_id=main,
                    channel="system",
                    action="create",
                    entity=MARKER_ENTITY,
                    entity_id=marker,
                    summary=f"seeded by benchmarks/seed.py at scale {self.scale:g}",
                )
                self.flush()
            self.finish()
        self.report.total_seconds = time.perf_counter() - started
        return self.report

    def finish(self) -> None:
        """After the last rows: each plan's adherence figures, PostgreSQL's sequences past the given ids, and
        its planner statistics (autovacuum would gather them within minutes; a benchmark right after
        seeding should not wait)."""
        from django.db import connection

        from kneadwell.care.services.figures import plan_figures_rebuild
        from kneadwell.core.tenancy import check_all_tables

        reset_sequences(self.models)
        # The seeder writes sessions with SQL, around the services that keep each plan's figures: count
        # them once at the end, as the migration does for an existing database.
        plan_figures_rebuild()
        # Rows went in with SQL, around `save` and its tenancy check: run the same check over every table.
        check_all_tables()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for model in self.models:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                cursor.execute("ANALYZE care_planfigures")

    def seed_org(self, name: str, n_clients: int, n_sessions: int, n_measurements: int) -> int:
        self.start_org(name)
        specs = self.client_specs(n_clients, n_sessions, n_measurements)
        self.progress(
            f"{name}: {n_clients:,} clients, {n_sessions:,} sessions, {n_measurements:,} measurements"
        )
        self.write_specs(specs)
        return self.org

    def start_org(self, name: str) -> int:
        """An organisation with its staff (members per role); later clients belong to it."""
        from django.db import transaction

        created = self.now - dt.timedelta(days=800)
        self.org = self.t["Organisation"].add(
            name=name, kind="clinic", settings={}, created_at=created, updated_at=created
        )
        self.org_name = name
        self.report.organisations[name] = self.org
        staff = {
            "admin": 3,
            "therapist": max(2, round(40 * self.scale)),
            "instructor": 2,
            "assessor": 3,
            "researcher": 2,
        }
        self.staff: dict[str, list[Person]] = {
            role: [self.person(role, n, created) for n in range(1, count + 1)]
            for role, count in staff.items()
        }
        self.caregivers: list[Person] = []
        with transaction.atomic():
            self.flush()
        return self.org

    def write_specs(self, specs: list[ClientSpec]) -> None:
        from django.db import transaction

        for table in self.t.values():
            table.resync()
        written = 0
        last = time.perf_counter()
        for start in range(0, len(specs), CHUNK):
            chunk = specs[start : start + CHUNK]
            with transaction.atomic():
                self.write_chunk(chunk)
                self.flush()
            written += len(chunk)
            if time.perf_counter() - last > 10 or written == len(specs):
                last = time.perf_counter()
                self.progress(f"  {written:,} / {len(specs):,} clients")

    def spec(
        self,
        population: str,
        *,
        sessions: int = 0,
        growth_days: int = 0,
        scores: int = 0,
        age_days: int | None = None,
        caregiver: bool = False,
    ) -> ClientSpec:
        """One client with exactly these amounts of data (for tests and query counts)."""
        shape = max(self.shapes[population], key=lambda s: s.weight)
        low, high = POPULATIONS[population][2]
        age = age_days if age_days is not None else (low + high) // 2
        infant = population in INFANTS
        spec = ClientSpec(
            population=population,
            shape=shape,
            birth_date=self.today - dt.timedelta(days=age),
            sex="female",
            gestation=(30, 2) if population == "preterm_infant" else (39, 3) if infant else None,
            birth_weight_g=1400 if population == "preterm_infant" else 3400 if infant else None,
            given="Test",
            family=f"{population.title()}{sessions}",
            sessions=sessions,
            growth_days=min(growth_days, age) if infant else 0,
            scores=scores,
        )
        if caregiver:
            spec.caregiver = len(self.caregivers)
        return spec

    def person(self, role: str, n: int, joined: dt.datetime) -> Person:
        email = login_email(role, n, self.org_name)
        pk = self.t["User"].add(
            email=email,
            full_name=f"{role.capitalize()} {n}",
            password=self.password,
            date_joined=joined,
            is_active=True,
            is_staff=False,
            is_superuser=False,
        )
        self.t["Membership"].add(
            user_id=pk,
            organisation_id=self.org,
            role=role,
            is_active=True,
            created_at=joined,
            updated_at=joined,
        )
        return Person(pk, email, role)

    # who the clients are ------------------------------------------------------------------------------
    def client_specs(self, n: int, n_sessions: int, n_measurements: int) -> list[ClientSpec]:
        rng = self.rng
        names = list(POPULATIONS)
        populations = names[:n] + rng.choices(
            names, weights=[POPULATIONS[p][0] for p in names], k=max(0, n - len(names))
        )
        specs = []
        for population in populations:
            shapes = self.shapes[population]
            shape = rng.choices(shapes, weights=[s.weight for s in shapes])[0]
            low, high = POPULATIONS[population][2]
            age = rng.randint(low, high)
            gestation = None
            weight = None
            if population == "preterm_infant":
                weeks = rng.randint(24, 36)
                gestation = (weeks, rng.randint(0, 6))
                # Roughly the 50th centile for the gestation, with spread.
                weight = int(max(500, min(3200, (600 + (weeks - 24) * 185) * rng.uniform(0.8, 1.2))))
            elif population == "infant":
                gestation = (rng.randint(37, 41), rng.randint(0, 6))
                weight = rng.randint(2600, 4300)
            specs.append(
                ClientSpec(
                    population=population,
                    shape=shape,
                    birth_date=self.today - dt.timedelta(days=age),
                    sex=rng.choice(("female", "male")),
                    gestation=gestation,
                    birth_weight_g=weight,
                    given=rng.choice(GIVEN),
                    family=rng.choice(FAMILY),
                )
            )
        # Sessions: a long tail (a few clients with hundreds), in proportion to lognormal weights.
        weights = [rng.lognormvariate(0, 0.9) for _ in specs]
        for spec, k in zip(specs, _spread(n_sessions, weights), strict=True):
            spec.sessions = k

        # Measurements: infants' daily weights from birth (with weekly length and head circumference),
        # then scores for everyone with what is left, again with a long tail.
        def growth_rows(days: int) -> int:
            return days + 2 * ((days + 6) // 7)

        for spec in specs:
            if spec.population in INFANTS:
                spec.growth_days = min(400, (self.today - spec.birth_date).days)
        growth_total = sum(growth_rows(s.growth_days) for s in specs)
        if growth_total > 0.8 * n_measurements:  # tiny scales: shorter series leave room for scores
            factor = 0.8 * n_measurements / growth_total
            for spec in specs:
                if spec.growth_days:
                    spec.growth_days = max(1, int(spec.growth_days * factor))
            growth_total = sum(growth_rows(s.growth_days) for s in specs)
        weights = [rng.lognormvariate(0, 0.8) for _ in specs]
        for spec, k in zip(specs, _spread(n_measurements - growth_total, weights), strict=True):
            spec.scores = k
        # Caregiver logins for about one minor in six; a few guard two siblings.
        count = 0
        previous: ClientSpec | None = None
        for spec in specs:
            if spec.population in ("stroke", "rehab") or rng.random() >= 1 / 6:
                continue
            if previous is not None and previous.caregiver is not None and rng.random() < 0.15:
                spec.caregiver = previous.caregiver
                spec.family = previous.family
            else:
                spec.caregiver = count
                count += 1
            previous = spec
        return specs

    # one chunk of clients and everything they have ---------------------------------------------------
    def write_chunk(self, specs: list[ClientSpec]) -> None:
        rng = self.rng
        t = self.t
        therapists = self.staff["therapist"]
        for spec in specs:
            if spec.caregiver is not None:
                while len(self.caregivers) <= spec.caregiver:
                    self.caregivers.append(
                        self.person("caregiver", len(self.caregivers) + 1, self.now - dt.timedelta(days=400))
                    )
        for spec in specs:
            created = self._at(
                max(spec.birth_date, self.today - dt.timedelta(days=760)), 9, rng.randint(0, 59)
            )
            author = rng.choice(therapists)
            spec.created_at = created
            spec.created_by = author.pk
            spec.pk = t["Client"].add(
                organisation_id=self.org,
                given_name=spec.given,
                family_name=spec.family,
                birth_date=spec.birth_date,
                sex=spec.sex,
                gestation_weeks=spec.gestation[0] if spec.gestation else None,
                gestation_days=spec.gestation[1] if spec.gestation else None,
                birth_weight_g=spec.birth_weight_g,
                conditions=list(spec.shape.conditions),
                identifier=f"H{rng.randint(1_000_000, 9_999_999)}",
                created_by_id=author.pk,
                created_at=created,
                updated_at=created + dt.timedelta(days=rng.randint(0, 30)),
                version=1,
            )
            name = f"{spec.given} {spec.family}"
            self.audit(created, author, "create", "client", spec.pk, spec.pk, f"added {name}")
            guardian: int | None = None
            guardian_name = name
            if spec.population not in ("stroke", "rehab"):
                user = self.caregivers[spec.caregiver] if spec.caregiver is not None else None
                for k in range(1 if rng.random() < 0.6 else 2):
                    g_name = f"{rng.choice(GIVEN)} {spec.family}"
                    g = t["Guardian"].add(
                        organisation_id=self.org,
                        client_id=spec.pk,
                        name=g_name,
                        relationship=("mother", "father")[k],
                        has_parental_responsibility=True,
                        email=user.email if (user and k == 0) else "",
                        user_id=user.pk if (user and k == 0) else None,
                        created_at=created,
                        updated_at=created,
                    )
                    if guardian is None:
                        guardian, guardian_name = g, g_name
            consent = t["Consent"].add(
                organisation_id=self.org,
                client_id=spec.pk,
                kind="guardian" if guardian else "self",
                scopes=["care", "measurements", "sharing"] + (["research"] if rng.random() < 0.3 else []),
                guardian_id=guardian,
                signed_by_name=guardian_name,
                signed_on=created.date(),
                method=rng.choice(("paper", "electronic")),
                attestation=True,
                recorded_by_id=author.pk,
                created_at=created,
                updated_at=created,
            )
            self.audit(created, author, "create", "consent", consent, spec.pk, "recorded consent")
            if spec.population == "child" and (self.today - spec.birth_date).days >= 7 * 365:
                assent = t["Consent"].add(
                    organisation_id=self.org,
                    client_id=spec.pk,
                    kind="assent",
                    scopes=["care", "measurements"],
                    signed_by_name=name,
                    signed_on=created.date(),
                    method="verbal",
                    attestation=True,
                    recorded_by_id=author.pk,
                    created_at=created,
                    updated_at=created,
                )
                self.audit(created, author, "create", "consent", assent, spec.pk, "recorded assent")
            intake = t["Intake"].add(
                organisation_id=self.org,
                client_id=spec.pk,
                population=spec.population,
                answers=spec.shape.intake_answers,
                content_version=spec.shape.content_version,
                updated_by_id=author.pk,
                created_at=created,
                updated_at=created,
                version=1,
            )
            self.audit(
                created,
                author,
                "create",
                "intake",
                intake,
                spec.pk,
                f"recorded the intake ({spec.population})",
            )
        self.write_care(specs)
        self.write_measurements(specs)

    # plans, schedules, sessions ----------------------------------------------------------------------
    def write_care(self, specs: list[ClientSpec]) -> None:
        from kneadwell.care import schedule

        rng = self.rng
        t = self.t
        therapists = self.staff["therapist"]
        sessions: list[SessionFacts] = []
        plan_slots: list[tuple[int, list[int]]] = []  # (plan id, slot ids)
        for i, spec in enumerate(specs):
            assert spec.created_at is not None
            eligible = max(self._at(spec.birth_date + dt.timedelta(days=2), 10), spec.created_at)
            performer = (
                self.caregivers[spec.caregiver]
                if spec.caregiver is not None and spec.population == "infant"
                else rng.choice(therapists)
            )
            left = spec.sessions
            end = self.now
            first = True
            latest: int | None = None
            length = None
            while left > 0 and len(plan_slots) < 10_000:
                if length is None:
                    probe = schedule.generate(spec.shape.dose, start=self._at(self.today, 10))
                    length = probe[-1].due_at - probe[0].due_at + dt.timedelta(hours=1)
                if first:  # the active plan: somewhere in its course today
                    start = self.now - length * rng.uniform(0.1, 0.9) - dt.timedelta(hours=1)
                else:  # an earlier plan, ended before the next began
                    start = end - length - dt.timedelta(days=rng.randint(1, 20))
                start = start.replace(minute=0, second=0)
                if start < eligible:
                    break
                slots = schedule.generate(spec.shape.dose, start=start)
                status = ["due"] * len(slots)
                cutoff = self.now - dt.timedelta(hours=1)
                past = [k for k, s in enumerate(slots) if s.due_at < cutoff]
                held = [k for k in past if rng.random() >= 0.08][:left]  # about 8 % missed
                plan_index = len(plan_slots)
                for k in held:
                    stopped = rng.random() < 0.04
                    status[k] = "stopped" if stopped else "done"
                    sessions.append(
                        SessionFacts(
                            spec=i,
                            plan=plan_index,
                            slot=k,
                            at=slots[k].due_at + dt.timedelta(minutes=rng.randint(0, 40)),
                            status="stopped" if stopped else "completed",
                            performer=performer,
                        )
                    )
                left -= len(held)
                ended_at = None
                if not first:
                    status = ["cancelled" if s == "due" else s for s in status]
                    ended_at = slots[-1].due_at + dt.timedelta(days=1)
                made = start - dt.timedelta(days=1)
                enrolment = self.check(spec, made, performer)
                plan = t["Plan"].add(
                    organisation_id=self.org,
                    client_id=spec.pk,
                    protocol_id=spec.shape.protocol_id,
                    content_version=spec.shape.content_version,
                    enrolment_check_id=enrolment,
                    status="active" if first else "ended",
                    starts_at=start,
                    open_weeks=4,
                    goals=rng.choice(("Calmer evenings", "Steady weight gain", "Less pain when moving", "")),
                    calendar_token=f"{rng.getrandbits(256):064x}",
                    created_by_id=performer.pk,
                    created_at=made,
                    updated_at=ended_at or made,
                    ended_at=ended_at,
                    end_reason="" if first else "Programme completed",
                    version=1 if first else 2,
                )
                self.audit(
                    made, performer, "create", "plan", plan, spec.pk, f"enrolled on {spec.shape.protocol_id}"
                )
                slot_ids = [
                    t["ScheduledSession"].add(
                        plan_id=plan, sequence=s.sequence, due_at=s.due_at, phase=s.phase, status=st
                    )
                    for s, st in zip(slots, status, strict=True)
                ]
                plan_slots.append((plan, slot_ids))
                if latest is None:
                    latest = plan_index
                end = start
                first = False
            # What no schedule took: sessions recorded after the fact (imported), or outside a slot.
            span = max(60.0, (self.now - eligible).total_seconds() - 3600)
            for _ in range(left):
                sessions.append(
                    SessionFacts(
                        spec=i,
                        plan=latest,
                        slot=None,
                        at=eligible + dt.timedelta(seconds=rng.uniform(0, span)),
                        status="stopped" if rng.random() < 0.04 else "completed",
                        performer=performer,
                        imported=rng.random() < 0.5,
                    )
                )
        sessions.sort(key=lambda s: s.at)
        for facts in sessions:
            if facts.slot is not None and self.now - facts.at < dt.timedelta(hours=3) and rng.random() < 0.5:
                facts.status = "in_progress"  # today's, still in the player
            self.session(specs[facts.spec], facts, plan_slots)

    def check(self, spec: ClientSpec, at: dt.datetime, who: Person) -> int:
        pk = self.t["ReadinessCheck"].add(
            organisation_id=self.org,
            client_id=spec.pk,
            protocol_id=spec.shape.protocol_id,
            population=spec.population,
            answers=spec.shape.check_answers,
            action=spec.shape.check_action,
            verdict=spec.shape.check_verdict,
            content_version=spec.shape.content_version,
            checked_by_id=who.pk,
            created_at=at,
            updated_at=at,
        )
        self.audit(
            at, who, "create", "readiness_check", pk, spec.pk, f"today's check: {spec.shape.check_action}"
        )
        return pk

    def session(self, spec: ClientSpec, facts: SessionFacts, plan_slots: list[tuple[int, list[int]]]) -> None:
        rng = self.rng
        t = self.t
        shape = spec.shape
        steps = shape.steps
        at = facts.at
        who = facts.performer
        minutes = sum(float(s.get("minutes") or 1.5) for s in steps)
        ended = at + dt.timedelta(minutes=minutes * rng.uniform(0.8, 1.2))
        status = facts.status
        done_steps = len(steps) if status == "completed" else rng.randint(0, max(0, len(steps) - 1))
        check = None if facts.imported else self.check(spec, at - dt.timedelta(minutes=5), who)
        plan = plan_slots[facts.plan] if facts.plan is not None else None
        stopped = status == "stopped"
        pk = t["Session"].add(
            organisation_id=self.org,
            client_id=spec.pk,
            plan_id=plan[0] if plan else None,
            slot_id=plan[1][facts.slot] if plan and facts.slot is not None else None,
            readiness_check_id=check,
            protocol_id=shape.protocol_id,
            population=spec.population,
            content_version=shape.content_version,
            status=status,
            steps=self.steps_json[shape.protocol_id],
            dropped_steps=shape.dropped,
            current_step=done_steps,
            step_started_at=at,
            step_paused_seconds=0.0,
            pauses=0,
            started_at=at,
            ended_at=None if status == "in_progress" else ended,
            stop_check=shape.stop["stop_check"] if stopped else "",
            stop_reason=(shape.stop["stop_reason"] or rng.choice(STOP_REASONS)) if stopped else "",
            performed_by_id=who.pk,
            created_at=at,
            updated_at=at if status == "in_progress" else ended,
            version=done_steps + 2,
        )
        self.audit(at, who, "create", "session", pk, spec.pk, f"started a {shape.protocol_id} session")
        if status != "in_progress":
            self.audit(ended, who, "update", "session", pk, spec.pk, f"{status} the session")
        self.audit(ended, who, "read", "session", pk, spec.pk, "opened the session")
        when = at
        for index in range(done_steps):
            step = steps[index]
            skipped = rng.random() < 0.04
            seconds = 0.0 if skipped else float(step.get("minutes") or 1.5) * 60 * rng.uniform(0.7, 1.3)
            when = when + dt.timedelta(seconds=seconds)
            t["StepLog"].add(
                session_id=pk,
                index=index,
                technique_id=step["technique"],
                regions=step["regions"],
                phase=step.get("phase", ""),
                outcome="skipped" if skipped else "done",
                skip_reason=rng.choice(SKIP_REASONS) if skipped else "",
                seconds=round(seconds, 1),
                ended_at=when,
            )
        if check is not None:
            observed = [o for o in shape.observations if o["moment"] != "after" or status == "completed"]
            if stopped and shape.stop["observation"] is not None:
                observed.append(shape.stop["observation"])
            for k, o in enumerate(observed):
                t["Observation"].add(
                    session_id=pk,
                    key=f"seed-{k}",
                    kind=o["kind"],
                    code=o["code"],
                    vitals=o["vitals"],
                    moment=o["moment"],
                    step_index=min(k, done_steps) if o["moment"] == "during" else None,
                    observed_at=at + dt.timedelta(minutes=k),
                    recorded_by_id=who.pk,
                    decision=o["decision"],
                    reasons=o["reasons"],
                )
        if status != "in_progress" and rng.random() < 0.6:
            diary = who.role == "caregiver"
            signed = rng.random() < 0.9
            words = rng.choice(NOTE_WORDS)
            note = t["Note"].add(
                session_id=pk,
                kind="diary" if diary else "soap",
                subjective="" if diary else f"Parent reports the client {words}.",
                objective="" if diary else f"Completed {done_steps} of {len(steps)} steps.",
                assessment="" if diary else "Responding as expected.",
                plan_text="" if diary else "Continue the programme.",
                response=words if diary else "",
                author_id=who.pk,
                signed_at=ended + dt.timedelta(minutes=10) if signed else None,
                signed_by_id=who.pk if signed else None,
                created_at=ended,
                updated_at=ended,
                version=2 if signed else 1,
            )
            self.audit(
                ended, who, "create", "note", note, spec.pk, f"wrote the {'diary' if diary else 'SOAP'} note"
            )
        if rng.random() < 0.003:
            event = t["AdverseEvent"].add(
                organisation_id=self.org,
                client_id=spec.pk,
                session_id=pk,
                occurred_at=at + dt.timedelta(minutes=5),
                what="Redness on the skin where the oil was applied.",
                severity="mild",
                action_taken="Stopped the oil; wiped the skin; settled within the hour.",
                reported_by_id=who.pk,
                created_at=ended,
                updated_at=ended,
                version=1,
            )
            self.audit(ended, who, "create", "adverse_event", event, spec.pk, "recorded an adverse event")

    # measurements ------------------------------------------------------------------------------------
    def write_measurements(self, specs: list[ClientSpec]) -> None:
        rng = self.rng
        recorders = self.staff["therapist"] + self.staff["assessor"]
        table = self.t["Measurement"]
        org = self.org
        empty_list = Json.of([])
        empty_dict = Json.of({})

        def add(client: int, instrument_id: str, at: dt.datetime, who: Person, cols: dict[str, Any]) -> None:
            in_error = rng.random() < 0.003
            pk = table.add(
                organisation_id=org,
                client_id=client,
                instrument_id=instrument_id,
                taken_at=at,
                recorded_by_id=who.pk,
                created_at=at,
                updated_at=at,
                entered_in_error_at=at + dt.timedelta(hours=1) if in_error else None,
                entered_in_error_by_id=who.pk if in_error else None,
                entered_in_error_reason="Typed into the wrong client's record" if in_error else "",
                confirmed_unusual=False,
                confirmed_warnings=empty_list,
                version=1,
                **cols,
            )
            self.audit(at, who, "create", "measurement", pk, client, f"recorded {instrument_id}")

        def growth(value: float, unit: str, shown: float, shown_unit: str) -> dict[str, Any]:
            return {
                "answers": {"value": shown, "unit": shown_unit},
                "value": value,
                "unit": unit,
                "total": value,
                "subscores": empty_dict,
                "details": {"unit": unit, "entered_value": shown, "entered_unit": shown_unit},
                "warnings": empty_list,
                "context": "routine",
            }

        for spec in specs:
            assert spec.created_at is not None
            who = self.caregivers[spec.caregiver] if spec.caregiver is not None else rng.choice(recorders)
            if spec.growth_days:
                weeks, days = spec.gestation or (40, 0)
                grams = float(spec.birth_weight_g or 3400)
                length = 30.0 + (weeks - 24) * 1.3 + days * 0.18
                head = 21.5 + (weeks - 24) * 0.9 + days * 0.13
                first = self.today - dt.timedelta(days=spec.growth_days)
                for d in range(spec.growth_days):
                    day = first + dt.timedelta(days=d)
                    age = (day - spec.birth_date).days
                    pma = weeks + (days + age) / 7
                    if age < 5:
                        grams *= 0.985  # the first days' loss
                    elif age < 12:
                        grams *= 1.007  # regaining birth weight
                    elif pma < 40:
                        grams *= 1.016  # about 16 g/kg/day before term
                    else:
                        grams += max(8.0, 32.0 - 0.06 * (pma - 40) * 7)
                    shown = float(round(grams * rng.uniform(0.99, 1.01)))
                    at = self._at(day, 6, rng.randint(0, 59))
                    add(spec.pk, "weight", at, who, growth(shown / 1000, "kg", shown, "g"))
                    length += 0.14 if pma < 44 else 0.08
                    head += 0.1 if pma < 44 else 0.035
                    if d % 7 == 0:
                        at = self._at(day, 7, rng.randint(0, 59))
                        cm = round(length * rng.uniform(0.995, 1.005), 1)
                        add(spec.pk, "length_height", at, who, growth(cm, "cm", cm, "cm"))
                        cm = round(head * rng.uniform(0.995, 1.005), 1)
                        add(spec.pk, "head_circumference", at, who, growth(cm, "cm", cm, "cm"))
            if spec.scores:
                choices = SCORES[spec.population]
                start = max(self._at(spec.birth_date + dt.timedelta(days=1), 12), spec.created_at)
                span = max(60.0, (self.now - start).total_seconds() - 60)
                times = sorted(start + dt.timedelta(seconds=rng.uniform(0, span)) for _ in range(spec.scores))
                picks = rng.choices([i for i, _ in choices], weights=[w for _, w in choices], k=spec.scores)
                for at, instrument_id in zip(times, picks, strict=True):
                    cols = dict(rng.choice(self.score_pools[instrument_id]))
                    cols["context"] = rng.choice(("session", "routine", "weekly"))
                    add(spec.pk, instrument_id, at.replace(microsecond=0), who, cols)


def seed(
    *, scale: float, seed: int = DEFAULT_SEED, progress: Callable[[str], None] = print, marker: str = ""
) -> SeedReport:
    """Seed the configured database (Django must be set up and the database migrated)."""
    started = time.perf_counter()
    shapes = learn_shapes()
    took = time.perf_counter() - started
    progress(f"learned the shapes of {sum(len(s) for s in shapes.values())} protocols in {took:.1f} s")
    report = Seeder(scale=scale, seed=seed, progress=progress).run(shapes, marker=marker)
    report.total_seconds = time.perf_counter() - started
    return report


def fingerprint(scale: float, seed: int = DEFAULT_SEED) -> str:
    """Which seed a database holds: the seeder's code, the migrations, the scale and the random seed."""
    return f"{code_fingerprint()}-s{scale:g}-r{seed}"


def seeded_with() -> str | None:
    """The fingerprint of the seed this database holds (None if it holds none)."""
    from kneadwell.audit.models import AuditEvent

    return AuditEvent.objects.filter(entity=MARKER_ENTITY).values_list("entity_id", flat=True).first()


def targets(count: int, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Ids for the benchmark's requests: `count` clients of the main organisation picked at random plus
    the ones with the most measurements and the most sessions, each with its latest plan, latest session
    and an instrument it has scores of; and protocol ids for the library pages."""
    from django.db.models import Count

    from kneadwell.care.models import Plan, Session
    from kneadwell.clients.models import Client
    from kneadwell.outcomes.models import Measurement

    org = Client.objects.filter(organisation__name=MAIN_ORG)
    ids = sorted(org.values_list("pk", flat=True))
    rng = random.Random(seed)
    chosen = rng.sample(ids, min(count, len(ids)))
    heaviest = [
        row["client_id"]
        for field_name, model in (("client_id", Measurement), ("client_id", Session))
        for row in model.objects.filter(client__in=org)
        .values(field_name)
        .annotate(n=Count("id"))
        .order_by("-n")[:3]
    ]
    picked = list(dict.fromkeys([*heaviest, *chosen]))
    out: list[dict[str, Any]] = []
    for client_id in picked:
        plan = Plan.objects.filter(client_id=client_id).order_by("status", "-starts_at").first()
        session = Session.objects.filter(client_id=client_id).order_by("-started_at").first()
        scores = (
            Measurement.objects.filter(client_id=client_id, value__isnull=True)
            .order_by("-taken_at")
            .values_list("instrument_id", flat=True)
            .first()
        )
        growth = Measurement.objects.filter(client_id=client_id, instrument_id="weight").exists()
        out.append(
            {
                "client": client_id,
                "plan": plan.pk if plan else None,
                "session": session.pk if session else None,
                "instrument": scores,
                "growth": growth,
                "heavy": client_id in heaviest,
            }
        )
    from kneadwell.library.loader import default_library

    return {
        "clients": out,
        "protocols": sorted(default_library().protocols),
        "families": sorted(set(org.values_list("family_name", flat=True)))[:30],
        "login": login_email("admin"),
    }


def prepare_database() -> None:
    """Migrate and load the content library (what `kneadwell serve` does before it listens)."""
    from kneadwell.commands.serve import prepare

    prepare(demo=False)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 5,000 clients (default 1.0)")
    parser.add_argument("--database-url", help="database to seed (default: $DATABASE_URL)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (same seed, same data)")
    parser.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when the database already holds this seed (exit 3 when it holds another)",
    )
    parser.add_argument(
        "--targets", type=int, metavar="N", help="print ids for the page benchmark as JSON (no seeding)"
    )
    args = parser.parse_args(argv)
    if not 0 < args.scale <= 20:
        parser.error("--scale must be above 0 and at most 20")
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    from kneadwell.core.bootstrap import django_setup

    django_setup()
    if args.targets is not None:
        print(json.dumps(targets(args.targets, args.seed)))
        return 0
    prepare_database()
    from kneadwell.accounts.models import Organisation

    wanted = fingerprint(args.scale, args.seed)
    held = seeded_with()
    if args.if_missing and held == wanted:
        print(f"The database already holds this seed ({wanted}).")
        return 0
    if held is not None or Organisation.objects.filter(name=MAIN_ORG).exists():
        print(f"This database already holds a seed ({held}); seed an empty one.", file=sys.stderr)
        return 3
    report = seed(scale=args.scale, seed=args.seed, marker=wanted)
    from django.db import connection

    if connection.vendor == "sqlite":  # fold the write-ahead log into the file, so it can be moved
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    for line in report.lines():
        print(line)
    print(f"Log in as {login_email('admin')} with the password {BENCH_PASSWORD}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
