"""Everything a progress report shows, collected into plain dataclasses that the printable page and the
PDF both render. Figures come from the areas' own selectors (care: plans, adherence, sessions, adverse
events; outcomes: growth summary, series, charts and trends; evidence: claims with certainty; library:
protocol names, doses, stop rules and sources), so a report never disagrees with the pages.

Two versions hold different things: `parent` (plain words, what was done, how the child responded, what
comes next, growth in words with the chart, what the evidence honestly says, when to call for help) and
`clinician` (the full record: consent, plan, dose, personalisation, adherence and fidelity, every session
with stops, adverse events, growth with SDS/centiles, velocity with method and source, outcome charts,
entries in error, evidence with GRADE, content versions, sources). The parent version does not collect
the clinician-only parts at all.

Query count: fixed whatever the amount of data (plans, sessions, step logs, observations, notes and
measurements are each read in one query; per-instrument trends add one query per instrument in the
catalogue that the client has used, which does not grow with the number of measurements)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, F, Func, IntegerField, Sum, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.care import selectors as care
from kneadwell.care.adherence import Adherence
from kneadwell.care.models import Note, Observation, Plan, ScheduledSession, Session, StepLog
from kneadwell.clients import rules as client_rules
from kneadwell.clients.conditions import condition_labels
from kneadwell.clients.models import Client, Consent
from kneadwell.clients.selectors import consent_list
from kneadwell.evidence import selectors as evidence
from kneadwell.evidence.library import CERTAINTY_ORDER, Claim
from kneadwell.library import selectors as library_selectors
from kneadwell.library.catalog import Library
from kneadwell.library.selectors import intake_for
from kneadwell.outcomes import instruments
from kneadwell.outcomes import selectors as outcomes
from kneadwell.outcomes.growth.ages import Ages, ages
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCE_TITLES
from kneadwell.outcomes.measures import (
    DEFAULT_VELOCITY_METHOD,
    GROWTH_KINDS,
    GROWTH_LABELS,
    REFERENCE_SOURCES,
)
from kneadwell.reports import words

Version = Literal["parent", "clinician"]
VERSIONS: tuple[Version, ...] = ("parent", "clinician")
VERSION_TITLES: dict[str, str] = {
    "parent": "for parents and carers",
    "clinician": "for the referring clinician",
}

SESSION_LIMIT = 500  # sessions listed in the clinician version (most recent); adherence counts them all
PARENT_SESSIONS = 10  # recent sessions a parent's version lists
UPCOMING = 5  # coming sessions listed per plan
TABLE_ROWS = 10  # latest values tabled under each chart (every value is on the client's pages)
IN_ERROR_LIMIT = 50
NOTE_RESPONSES = 8
VELOCITY_WINDOWS_SHOWN = (7, 28)  # the growth page's default window, and four weeks for the trend


class JsonArrayLength(Func):
    """The number of items in a JSON array column, counted by the database (reading each session's whole
    list of steps only to count them took a fifth of the report's collection time)."""

    function = "json_array_length"  # SQLite's JSON1
    output_field = IntegerField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="jsonb_array_length", **extra)


# --- the parts -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConsentLine:
    kind: str
    scopes: tuple[str, ...]
    signed_on: dt.date
    signed_by: str
    method: str
    active: bool
    withdrawn_on: dt.date | None = None
    withdrawal_reason: str = ""


@dataclass(frozen=True)
class ClientFacts:
    client_id: int
    name: str
    given_name: str
    birth_date: dt.date
    sex: str  # "female" | "male"
    sex_label: str
    identifier: str
    gestation_label: str
    preterm: bool
    birth_weight_g: int | None
    today: Ages
    age_text: str  # chronological age in words
    corrected_age_text: str  # "" when no correction applies
    conditions: tuple[str, ...]
    population: str  # the content library's population label ("" when no intake)
    consents: tuple[ConsentLine, ...] = ()
    consent_care: bool = False
    consent_measurements: bool = False
    consent_sharing: bool = False


@dataclass(frozen=True)
class SlotLine:
    due_at: dt.datetime  # local time
    phase: str


@dataclass(frozen=True)
class PlanPart:
    plan_id: int
    protocol_id: str
    protocol_name: str
    status: str
    status_label: str
    starts_at: dt.datetime
    ended_at: dt.datetime | None
    end_reason: str
    summary: str  # the protocol's summary in the version's register
    dose: str
    dose_sources: tuple[str, ...]
    personalisation: tuple[tuple[str, str], ...]
    goals: str
    content_version: str
    adherence: Adherence
    upcoming: tuple[SlotLine, ...]
    minutes_done: float  # minutes of logged steps in this plan's sessions


@dataclass(frozen=True)
class SessionLine:
    session_id: int
    plan_id: int | None
    protocol_name: str
    started_at: dt.datetime  # local time
    status: str
    status_label: str
    minutes: float
    steps_planned: int
    steps_done: int
    steps_skipped: int
    pauses: int
    stop_check: str
    stop_reason: str  # as recorded (clinician words)
    stop_plain: str  # the stop rule's words for a parent, or the recorded reason for a manual stop
    decisions: tuple[tuple[str, int], ...] = ()  # observation decisions: ("pause", 2), ("stop", 1)
    note: str = ""  # "signed SOAP note", "diary (draft)", ""


@dataclass(frozen=True)
class ResponseLine:
    date: dt.date
    kind: str
    text: str


@dataclass(frozen=True)
class AdverseEventLine:
    event_id: int
    occurred_at: dt.datetime
    severity: str
    severity_label: str
    what: str
    action_taken: str
    follow_up: str
    session_id: int | None
    reported_by: str


@dataclass(frozen=True)
class ChartPart:
    key: str
    title: str
    svg: str  # the same SVG the client's pages show
    caption: str
    description: str  # the SVG's own text alternative
    count: int


@dataclass(frozen=True)
class LatestLine:
    label: str
    date: dt.date
    display: str
    age_text: str
    chronological_sds: float | None
    corrected_sds: float | None
    chronological_centile: float | None
    corrected_centile: float | None
    plain: str  # the value and centile in words, for a parent
    note: str = ""


@dataclass(frozen=True)
class VelocityLine:
    window: str
    method: str
    method_id: str
    formula: str
    source: str
    value: str  # "16.2 g/kg/day", "" when none
    gain: str  # "27 g/day"
    span: str  # "27 Feb → 6 Mar 2026 (7 days, 2 510 → 2 700 g, 8 weights)"
    error: str = ""
    goal_note: str = ""
    plain: str = ""


@dataclass(frozen=True)
class SeriesTable:
    label: str
    total: int
    rows: tuple[outcomes.GrowthPoint, ...]  # newest first, at most TABLE_ROWS


@dataclass(frozen=True)
class InErrorLine:
    date: dt.date
    instrument: str
    value: str
    reason: str
    marked_by: str
    marked_on: dt.date | None


@dataclass(frozen=True)
class GrowthPart:
    reference: str
    reference_title: str
    reference_source: str
    age_source: str
    latest: tuple[LatestLine, ...]
    velocities: tuple[VelocityLine, ...]
    charts: tuple[ChartPart, ...]
    tables: tuple[SeriesTable, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class TrendPart:
    instrument_id: str
    name: str
    direction: str
    chart: ChartPart | None
    columns: tuple[str, ...]
    rows: tuple[tuple[dt.date, tuple[tuple[str, str], ...]], ...]  # (column, value) cells, newest first
    total: int
    notes: tuple[str, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ClaimLine:
    claim_id: str
    text: str  # parent or clinician wording
    certainty: str  # the library's code: high | moderate | low | very_low
    certainty_words: str  # "low certainty"
    certainty_meaning: str
    evidence: str  # "some benefit found", "unclear", ...
    grade_reason: str
    caveats: tuple[str, ...]
    studies: tuple[str, ...]  # short citations


@dataclass(frozen=True)
class EvidencePart:
    supported: tuple[ClaimLine, ...]
    unsupported: tuple[ClaimLine, ...]
    content_version: str
    about: str  # who the claims are about, in words


@dataclass(frozen=True)
class StopSign:
    check_id: str
    label: str
    text: str
    instead: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SourceLine:
    group: str
    source_id: str
    text: str


@dataclass(frozen=True)
class Report:
    version: Version
    generated_at: dt.datetime  # local time
    generated_by: str
    organisation: str
    client: ClientFacts
    plan_id: int | None
    plans: tuple[PlanPart, ...]
    sessions: tuple[SessionLine, ...]
    sessions_total: int
    responses: tuple[ResponseLine, ...]
    adverse_events: tuple[AdverseEventLine, ...]
    growth: GrowthPart | None
    trends: tuple[TrendPart, ...]
    in_error: tuple[InErrorLine, ...]
    in_error_total: int
    evidence: EvidencePart
    stop_signs: tuple[StopSign, ...]
    content_versions: tuple[tuple[str, str], ...]
    sources: tuple[SourceLine, ...] = field(default=())

    @property
    def is_parent(self) -> bool:
        return self.version == "parent"

    @property
    def title(self) -> str:
        return f"Progress report: {self.client.name}"

    @property
    def subtitle(self) -> str:
        scope = (
            f"{self.plans[0].protocol_name} plan" if self.plan_id is not None and self.plans else "All plans"
        )
        return f"{VERSION_TITLES[self.version].capitalize()} · {scope}"

    @property
    def filename(self) -> str:
        plan = f"-plan-{self.plan_id}" if self.plan_id is not None else ""
        return f"kneadwell-report-{self.client.client_id}{plan}-{self.version}-{self.generated_at:%Y%m%d}.pdf"

    @property
    def footer(self) -> str:
        return f"Generated {words.moment(self.generated_at)} by {self.generated_by} for {self.organisation}"


# --- collecting ------------------------------------------------------------------------------------
def collect(
    *,
    actor: Actor,
    client: Client,
    version: Version,
    plan: Plan | None = None,
    now: dt.datetime | None = None,
) -> Report:
    """The report for a client loaded through `clients.selectors.client_get` (tenancy checked, read
    audited), for all plans or one `plan` of that client."""
    now = now or timezone.now()
    parent = version == "parent"
    lib = library_selectors.library()
    plans = [plan] if plan is not None else list(care.plans_of(client=client))
    figures = care.plans_adherence(plans=plans, now=now) if plans else {}
    sessions, sessions_total, minutes_by_plan = _sessions(client=client, plan=plan, lib=lib, parent=parent)
    growth = _growth(client=client, parent=parent)
    claims_part = _evidence(client=client, plans=plans, one_plan=plan is not None, lib=lib, parent=parent)
    in_error, in_error_total = ((), 0) if parent else _in_error(client=client)
    trends = () if parent else _trends(client=client)
    report = Report(
        version=version,
        generated_at=timezone.localtime(now),
        generated_by=actor.user.full_name or actor.user.email,
        organisation=actor.organisation.name,
        client=_client_facts(client=client, lib=lib, parent=parent, today=timezone.localdate(now)),
        plan_id=plan.pk if plan is not None else None,
        plans=tuple(
            _plan_part(
                p, lib=lib, adherence=figures[p.pk], upcoming=up, minutes=minutes_by_plan[p.pk], parent=parent
            )
            for p, up in zip(plans, _upcoming(plans, now), strict=True)
        ),
        sessions=sessions,
        sessions_total=sessions_total,
        responses=_responses(client=client, plan=plan),
        adverse_events=_adverse_events(client=client, plan=plan, now=now),
        growth=growth,
        trends=trends,
        in_error=in_error,
        in_error_total=in_error_total,
        evidence=claims_part,
        stop_signs=_stop_signs(plans, lib=lib, parent=parent),
        content_versions=_content_versions(plans, lib=lib, evidence_version=claims_part.content_version),
    )
    return report if parent else _with_sources(report, lib=lib)


def _client_facts(*, client: Client, lib: Library, parent: bool, today: dt.date) -> ClientFacts:
    now_ages = ages(client.birth_date, today, client.gestation_weeks, client.gestation_days)
    corrected = ""
    if client.is_preterm and now_ages.corrected_days != now_ages.chronological_days:
        corrected = (
            f"{now_ages.postmenstrual} weeks postmenstrual age"
            if now_ages.before_due_date
            else words.age(now_ages.due_date, today) + " corrected for early birth"
        )
    intake = intake_for(client=client)
    population = ""
    if intake is not None and intake.population in lib.populations:
        population = lib.populations[intake.population].label
    labels = condition_labels()
    consents: tuple[ConsentLine, ...] = ()
    care_ok = measurements_ok = sharing_ok = False
    if not parent:
        rows = list(consent_list(client=client))
        consents = tuple(_consent_line(c) for c in rows)
        facts = [c.facts() for c in rows]
        care_ok, measurements_ok, sharing_ok = (
            client_rules.has_active_consent(facts, scope=scope, birth_date=client.birth_date, today=today)
            for scope in (
                client_rules.Scope.CARE,
                client_rules.Scope.MEASUREMENTS,
                client_rules.Scope.SHARING,
            )
        )
    return ClientFacts(
        client_id=client.pk,
        name=client.display_name,
        given_name=client.given_name,
        birth_date=client.birth_date,
        sex=client.sex,
        sex_label=client.get_sex_display(),
        identifier=client.identifier,
        gestation_label=client.gestation_label,
        preterm=client.is_preterm,
        birth_weight_g=client.birth_weight_g,
        today=now_ages,
        age_text=words.age(client.birth_date, today),
        corrected_age_text=corrected,
        conditions=tuple(labels.get(c, c) for c in client.conditions or ()),
        population=population,
        consents=consents,
        consent_care=care_ok,
        consent_measurements=measurements_ok,
        consent_sharing=sharing_ok,
    )


def _consent_line(consent: Consent) -> ConsentLine:
    return ConsentLine(
        kind=consent.get_kind_display(),
        scopes=tuple(consent.scope_labels),
        signed_on=consent.signed_on,
        signed_by=consent.signed_by_name,
        method=consent.get_method_display(),
        active=consent.is_active,
        withdrawn_on=timezone.localtime(consent.withdrawn_at).date() if consent.withdrawn_at else None,
        withdrawal_reason=consent.withdrawal_reason,
    )


def dose_text(lib: Library, protocol_id: str) -> str:
    """The protocol's dose as a clinician reads it: "3 sessions a day of 15 min, for 10 days. At the
    start of three consecutive hours." """
    protocol = lib.protocols.get(protocol_id)
    if protocol is None:
        return ""
    dose = protocol.dose
    parts = []
    if dose.sessions_per_day:
        parts.append(words.plural(dose.sessions_per_day, "session") + " a day")
    if dose.sessions_per_week:
        parts.append(words.plural(dose.sessions_per_week, "session") + " a week")
    text = ", ".join(parts)
    if dose.session_minutes:
        text += f"{' of ' if text else ''}{dose.session_minutes:g} min" + ("" if text else " a session")
    if dose.days:
        text += f", for {words.plural(dose.days, 'day')}"
    if dose.weeks:
        text += f", for {words.plural(dose.weeks, 'week')}"
    if dose.phases:
        text += (". " if text else "") + "; ".join(
            f"{p.label}: {words.plural(p.sessions, 'session')} over {words.plural(p.weeks, 'week')}"
            for p in dose.phases
        )
    text = text.lstrip(", ")
    if dose.timing:
        text += f". {dose.timing}"
    return text.strip() + ("" if text.endswith(".") else ".")


def _plan_part(
    plan: Plan,
    *,
    lib: Library,
    adherence: Adherence,
    upcoming: tuple[SlotLine, ...],
    minutes: float,
    parent: bool,
) -> PlanPart:
    protocol = lib.protocols.get(plan.protocol_id)
    rows: list[tuple[str, str]] = []
    if not parent:

        def regions(ids: Iterable[str]) -> str:
            return ", ".join(lib.regions[r].label if r in lib.regions else r for r in ids)

        if plan.avoid_regions:
            rows.append(("Areas always left out", regions(plan.avoid_regions)))
        if plan.focus_regions:
            rows.append(("Focus areas", regions(plan.focus_regions)))
        rows.append(("Pressure", plan.get_max_pressure_display()))
        rows.append(
            (
                "Session length",
                f"{plan.minutes_factor:.0%} of the protocol's time"
                if plan.minutes_factor
                else "as the protocol says",
            )
        )
        rows.append(
            ("Schedule", f"open for {words.plural(plan.open_weeks, 'week')} where the protocol sets no end")
        )
    return PlanPart(
        plan_id=plan.pk,
        protocol_id=plan.protocol_id,
        protocol_name=protocol.name if protocol else plan.protocol_id,
        status=plan.status,
        status_label=plan.get_status_display(),
        starts_at=timezone.localtime(plan.starts_at),
        ended_at=timezone.localtime(plan.ended_at) if plan.ended_at else None,
        end_reason=plan.end_reason,
        summary=(protocol.summary_parent if parent else protocol.summary_clinician) if protocol else "",
        dose="" if parent else dose_text(lib, plan.protocol_id),
        dose_sources=tuple(protocol.dose.sources) if protocol and not parent else (),
        personalisation=tuple(rows),
        goals=plan.goals,
        content_version=plan.content_version,
        adherence=adherence,
        upcoming=upcoming,
        minutes_done=minutes,
    )


def _upcoming(plans: Sequence[Plan], now: dt.datetime) -> list[tuple[SlotLine, ...]]:
    """The next few due sessions of each plan, in one query (numbered within each plan by the database,
    so a plan with many sessions soon cannot crowd out another's)."""
    if not plans:
        return []
    found: dict[int, list[SlotLine]] = defaultdict(list)
    rows = (
        ScheduledSession.objects.filter(
            plan_id__in=[p.pk for p in plans],
            plan__status=Plan.Status.ACTIVE,
            status=ScheduledSession.Status.DUE,
            due_at__gte=now,
        )
        .annotate(
            rank=Window(
                RowNumber(), partition_by=F("plan_id"), order_by=[F("due_at").asc(), F("sequence").asc()]
            )
        )
        .filter(rank__lte=UPCOMING)
        .order_by("due_at", "sequence")
        .values_list("plan_id", "due_at", "phase")
    )
    for plan_id, due_at, phase in rows:
        found[plan_id].append(SlotLine(timezone.localtime(due_at), phase))
    return [tuple(found[p.pk]) for p in plans]


def _stop_plain(lib: Library, check_id: str, reason: str, parent: bool) -> str:
    check = lib.session_checks.get(check_id)
    if check is not None:
        return check.text_parent if parent else check.text_clinician
    return reason


def _sessions(
    *, client: Client, plan: Plan | None, lib: Library, parent: bool
) -> tuple[tuple[SessionLine, ...], int, dict[int, float]]:
    """Session lines (newest first) with their step-log figures, observation decisions and note state:
    four queries whatever the number of sessions. Also the logged minutes per plan over all sessions."""
    qs = care.sessions_of(client=client)
    if plan is not None:
        qs = qs.filter(plan=plan)
    limit = PARENT_SESSIONS if parent else SESSION_LIMIT
    rows = list(
        qs.annotate(steps_planned=JsonArrayLength("steps")).values(
            "pk",
            "plan_id",
            "protocol_id",
            "status",
            "started_at",
            "steps_planned",
            "pauses",
            "stop_check",
            "stop_reason",
        )[:limit]
    )
    ids = [r["pk"] for r in rows]
    steps: dict[int, dict[str, tuple[int, float]]] = defaultdict(dict)
    for session_id, outcome, n, seconds in (
        StepLog.objects.filter(session_id__in=ids)
        .values("session_id", "outcome")
        .annotate(n=Count("id"), seconds=Sum("seconds"))
        .values_list("session_id", "outcome", "n", "seconds")
    ):
        steps[session_id][outcome] = (int(n), float(seconds or 0.0))
    per_plan: dict[int, float] = defaultdict(float)
    for plan_id, seconds in (
        StepLog.objects.filter(session__in=qs.order_by())
        .values("session__plan_id")
        .annotate(seconds=Sum("seconds"))
        .values_list("session__plan_id", "seconds")
    ):
        if plan_id is not None:
            per_plan[plan_id] = float(seconds or 0.0) / 60
    decisions: dict[int, dict[str, int]] = defaultdict(dict)
    notes: dict[int, str] = {}
    if not parent:
        for session_id, decision, n in (
            Observation.objects.filter(session_id__in=ids)
            .exclude(decision="continue")
            .values("session_id", "decision")
            .annotate(n=Count("id"))
            .values_list("session_id", "decision", "n")
        ):
            decisions[session_id][decision] = int(n)
        for session_id, kind, signed_at in Note.objects.filter(session_id__in=ids).values_list(
            "session_id", "kind", "signed_at"
        ):
            label = "SOAP note" if kind == Note.Kind.SOAP else "diary"
            notes[session_id] = f"{label}, {'signed' if signed_at else 'draft'}"
    labels = dict(Session.Status.choices)
    out = []
    for r in rows:
        logged = steps.get(r["pk"], {})
        done = logged.get("done", (0, 0.0))
        skipped = logged.get("skipped", (0, 0.0))
        protocol = lib.protocols.get(r["protocol_id"])
        out.append(
            SessionLine(
                session_id=r["pk"],
                plan_id=r["plan_id"],
                protocol_name=protocol.name if protocol else r["protocol_id"],
                started_at=timezone.localtime(r["started_at"]),
                status=r["status"],
                status_label=labels.get(r["status"], r["status"]),
                minutes=(done[1] + skipped[1]) / 60,
                steps_planned=int(r["steps_planned"] or 0),
                steps_done=done[0],
                steps_skipped=skipped[0],
                pauses=r["pauses"],
                stop_check=r["stop_check"],
                stop_reason=r["stop_reason"],
                stop_plain=_stop_plain(lib, r["stop_check"], r["stop_reason"], parent=True)
                if r["status"] == Session.Status.STOPPED
                else "",
                decisions=tuple(sorted(decisions.get(r["pk"], {}).items())),
                note=notes.get(r["pk"], ""),
            )
        )
    total = len(rows) if len(rows) < limit else qs.count()
    return tuple(out), total, per_plan


def _responses(*, client: Client, plan: Plan | None) -> tuple[ResponseLine, ...]:
    """How the child responded, in the words of the latest session notes and diaries (one query)."""
    notes = Note.objects.filter(session__in=care.sessions_of(client=client).order_by()).exclude(response="")
    if plan is not None:
        notes = notes.filter(session__plan=plan)
    return tuple(
        ResponseLine(timezone.localtime(started).date(), "Diary" if kind == Note.Kind.DIARY else "Note", text)
        for started, kind, text in notes.order_by("-session__started_at").values_list(
            "session__started_at", "kind", "response"
        )[:NOTE_RESPONSES]
    )


def _adverse_events(*, client: Client, plan: Plan | None, now: dt.datetime) -> tuple[AdverseEventLine, ...]:
    """A client's adverse events; for one plan, those in its sessions and those recorded without a
    session while the plan ran."""
    events = list(care.adverse_events_of(client=client))
    if plan is not None:
        end = plan.ended_at or now
        events = [
            e
            for e in events
            if (e.session is not None and e.session.plan_id == plan.pk)
            or (e.session is None and plan.starts_at <= e.occurred_at <= end)
        ]
    return tuple(
        AdverseEventLine(
            event_id=e.pk,
            occurred_at=timezone.localtime(e.occurred_at),
            severity=e.severity,
            severity_label=e.get_severity_display(),
            what=e.what,
            action_taken=e.action_taken,
            follow_up=e.follow_up,
            session_id=e.session_id,
            reported_by=e.reported_by.full_name or e.reported_by.email,
        )
        for e in events
    )


# --- growth and outcomes ---------------------------------------------------------------------------
_DESC = re.compile(r"<desc[^>]*>(.*?)</desc>", flags=re.S)


def chart_description(svg: str) -> str:
    found = _DESC.search(svg)
    return html.unescape(found.group(1)).strip() if found else ""


def growth_caption(instrument_id: str, reference: str) -> str:
    """The caption the growth page puts under the same chart."""
    return (
        f"Filled circles: {GROWTH_LABELS[instrument_id].lower()} at corrected age; hollow circles: at "
        f"chronological age (joined where they differ). Grey lines: {REFERENCE_TITLES[reference]} "
        f"centiles, the median darker. {REFERENCE_SOURCES[reference]}"
    )


def growth_caption_plain(instrument_id: str, client: Client) -> str:
    """The chart's key in a parent's words."""
    what = GROWTH_LABELS[instrument_id].lower()
    if client.is_preterm:
        dots = (
            f"Filled dots: {client.given_name}'s {what} by age counted from the due date; hollow dots: by "
            "age counted from birth."
        )
    else:
        dots = f"Dots: {client.given_name}'s {what} by age."
    return f"{dots} Grey lines: the UK-WHO growth chart's centile lines."


def _who(client: Client) -> str:
    kids = "girls" if client.sex == "female" else "boys"
    if client.is_preterm:
        return f"{kids} of the same age, counted from the due date"
    return f"{kids} of the same age"


def _velocity_line(v: outcomes.VelocitySummary, *, given_name: str) -> VelocityLine:
    r = v.result
    value = gain = span = plain = ""
    if r is not None:
        value = f"{r.velocity_g_kg_day:.1f} g/kg/day" if r.velocity_g_kg_day is not None else ""
        gain = f"{r.gain_g_per_day:.0f} g/day"
        span = (
            f"{words.day(r.start_date)} → {words.day(r.end_date)} ({words.plural(r.days, 'day')}, "
            f"{r.start_weight_g:.0f} → {r.end_weight_g:.0f} g, {words.plural(r.points_used, 'dated weight')})"
        )
        change = "gained" if r.gain_g_per_day >= 0 else "lost"
        plain = (
            f"From {words.day(r.start_date)} to {words.day(r.end_date)} {given_name} {change} about "
            f"{abs(r.gain_g_per_day):.0f} g a day."
        )
    return VelocityLine(
        window=v.window_text,
        method=v.info.label,
        method_id=v.method,
        formula=v.info.formula,
        source=v.info.source,
        value=value,
        gain=gain,
        span=span,
        error=v.error,
        goal_note=v.goal_note,
        plain=plain,
    )


def _growth(*, client: Client, parent: bool) -> GrowthPart | None:
    reference = DEFAULT_REFERENCE
    series = {
        kind: outcomes.growth_series(client=client, instrument_id=kind, reference=reference)
        for kind in GROWTH_KINDS
    }
    if not any(series.values()):
        return None
    summary = outcomes.growth_summary(client=client, reference=reference)
    weights = [(p.date, p.value) for p in series["weight"]]
    velocities = [summary.velocity] + [
        outcomes.weight_velocity(
            client=client, method=DEFAULT_VELOCITY_METHOD, window_days=w, weights=weights
        )
        for w in VELOCITY_WINDOWS_SHOWN
        if w != summary.velocity.window_days
    ]
    who = _who(client)
    latest = []
    for g in summary.latest:
        sds = g.sds
        plain = f"{g.label}: {g.display} on {words.day(g.date)}"
        centile_words = words.centile_plain(sds.corrected_centile, who)
        latest.append(
            LatestLine(
                label=g.label,
                date=g.date,
                display=g.display,
                age_text=g.age_text,
                chronological_sds=sds.chronological_sds,
                corrected_sds=sds.corrected_sds,
                chronological_centile=sds.chronological_centile,
                corrected_centile=sds.corrected_centile,
                plain=plain + (f", {centile_words}." if centile_words else "."),
                note=sds.error or sds.advisory or "",
            )
        )
    # The parent's version shows the weight chart (or the first measure recorded); the clinician's all.
    kinds = [k for k in GROWTH_KINDS if series[k]]
    if parent:
        kinds = kinds[:1]
    charts = []
    for kind in kinds:
        svg = outcomes.growth_chart(
            client=client, instrument_id=kind, reference=reference, points=series[kind]
        )
        charts.append(
            ChartPart(
                key=f"growth-{kind}",
                title=GROWTH_LABELS[kind],
                svg=svg,
                caption=growth_caption_plain(kind, client) if parent else growth_caption(kind, reference),
                description=chart_description(svg),
                count=len(series[kind]),
            )
        )
    tables = tuple(
        SeriesTable(GROWTH_LABELS[k], len(series[k]), tuple(reversed(series[k][-TABLE_ROWS:])))
        for k in GROWTH_KINDS
        if series[k] and not parent
    )
    return GrowthPart(
        reference=reference,
        reference_title=summary.reference_title,
        reference_source=summary.reference_source,
        age_source=summary.age_source,
        latest=tuple(latest),
        velocities=tuple(_velocity_line(v, given_name=client.given_name) for v in velocities),
        charts=tuple(charts),
        tables=tables,
        notes=summary.notes,
    )


def _in_error(*, client: Client) -> tuple[tuple[InErrorLine, ...], int]:
    qs = (
        outcomes.measurement_queryset(client=client, include_in_error=True)
        .filter(entered_in_error_at__isnull=False)
        .select_related("entered_in_error_by")
        .order_by("-taken_at", "-id")
    )
    rows = list(qs[: IN_ERROR_LIMIT + 1])
    names = {i.id: i.name for i in instruments.list_instruments()}
    lines = tuple(
        InErrorLine(
            date=timezone.localtime(m.taken_at).date(),
            instrument=names.get(m.instrument_id, m.instrument_id),
            value=outcomes.display_value(m),
            reason=m.entered_in_error_reason,
            marked_by=(m.entered_in_error_by.full_name or m.entered_in_error_by.email)
            if m.entered_in_error_by
            else "",
            marked_on=timezone.localtime(m.entered_in_error_at).date() if m.entered_in_error_at else None,
        )
        for m in rows[:IN_ERROR_LIMIT]
    )
    total = len(rows) if len(rows) <= IN_ERROR_LIMIT else qs.count()
    return lines, total


def _trends(*, client: Client) -> tuple[TrendPart, ...]:
    parts = []
    for inst in outcomes.instruments_recorded(client=client):
        if inst.id in GROWTH_KINDS:
            continue
        trend = outcomes.instrument_trend(client=client, instrument_id=inst.id)
        svg = outcomes.trend_chart(trend)
        chart = (
            ChartPart(
                key=f"trend-{inst.id}",
                title=inst.name,
                svg=svg,
                caption=f"{trend.direction_text} Each line has its own marker shape.",
                description=chart_description(svg),
                count=len(trend.rows),
            )
            if svg
            else None
        )
        parts.append(
            TrendPart(
                instrument_id=inst.id,
                name=inst.name,
                direction=trend.direction_text,
                chart=chart,
                columns=trend.columns,
                rows=tuple(
                    (r.date, tuple((c, r.cells.get(c, "")) for c in trend.columns))
                    for r in trend.rows[:TABLE_ROWS]
                ),
                total=len(trend.rows),
                notes=trend.notes,
                sources=tuple(f"{s.id}: {s.citation}" for s in outcomes.instrument_sources(inst)),
            )
        )
    return tuple(parts)


# --- evidence, stop signs, versions, sources -------------------------------------------------------
def _claim_line(claim: Claim, *, parent: bool) -> ClaimLine:
    lib = evidence.library()
    return ClaimLine(
        claim_id=claim.id,
        text=claim.parent_text if parent else claim.clinician_text,
        certainty=claim.certainty,
        certainty_words=evidence.certainty_label(claim.certainty),
        certainty_meaning=evidence.CERTAINTY_MEANING[claim.certainty],
        evidence=evidence.EVIDENCE_WORDS[claim.evidence],
        grade_reason=claim.grade.reason,
        caveats=tuple(claim.caveats),
        studies=tuple(s.citation.short() for s in lib.studies_for_claim(claim.id)),
    )


def _evidence(
    *, client: Client, plans: Sequence[Plan], one_plan: bool, lib: Library, parent: bool
) -> EvidencePart:
    """The claims for the client (population and conditions) and for each plan's protocol; for one
    plan, that protocol's claims only. Most certain first, each once."""
    found: dict[str, Claim] = {}
    scopes = []
    if not one_plan:
        scopes.append(evidence.claims_for_client(client=client))
    for p in plans:
        protocol = lib.protocols.get(p.protocol_id)
        if protocol is not None:
            scopes.append(
                evidence.claims_for_protocol(protocol_id=protocol.id, populations=protocol.populations)
            )
    populations: list[str] = []
    for scope in scopes:
        populations.extend(scope.scope.populations)
        for claim in scope.all:
            found.setdefault(claim.id, claim)
    ordered = sorted(found.values(), key=lambda c: (-CERTAINTY_ORDER.index(c.certainty), c.id))
    about = ", ".join(evidence.POPULATION_WORDS.get(p, p) for p in dict.fromkeys(populations))
    return EvidencePart(
        supported=tuple(_claim_line(c, parent=parent) for c in ordered if c.evidence != "no_evidence_found"),
        unsupported=tuple(
            _claim_line(c, parent=parent) for c in ordered if c.evidence == "no_evidence_found"
        ),
        content_version=evidence.library().content_version,
        about=about,
    )


def _stop_signs(plans: Sequence[Plan], *, lib: Library, parent: bool) -> tuple[StopSign, ...]:
    """The in-session checks that end a session, for the plans' protocols (each once)."""
    seen: dict[str, StopSign] = {}
    for p in plans:
        protocol = lib.protocols.get(p.protocol_id)
        for check_id in protocol.session_checks if protocol else ():
            check = lib.session_checks.get(check_id)
            if check is None or check.action != "stop" or check_id in seen:
                continue
            seen[check_id] = StopSign(
                check_id=check.id,
                label=check.label,
                text=check.text_parent if parent else check.text_clinician,
                instead=check.instead,
                sources=tuple(check.sources),
            )
    return tuple(seen.values())


def _content_versions(
    plans: Sequence[Plan], *, lib: Library, evidence_version: str
) -> tuple[tuple[str, str], ...]:
    rows = [("Content library in force now", str(lib.version))]
    for p in plans:
        rows.append((f"Plan {p.pk} was made with", p.content_version))
    rows.append(("Evidence library", evidence_version))
    return tuple(rows)


_SOURCE_ID = re.compile(r"\[([A-Z][A-Z0-9-]*(?:,\s*[A-Z][A-Z0-9-]*)*)\]")


def _with_sources(report: Report, *, lib: Library) -> Report:
    """The clinician version's sources: the content library's (protocol doses, stop rules, growth
    references and velocity methods cited as [S..]), the instruments' and the studies behind claims."""
    wanted: list[str] = []
    for p in report.plans:
        wanted.extend(p.dose_sources)
        protocol = lib.protocols.get(p.protocol_id)
        if protocol is not None:
            wanted.extend(protocol.sources)
    for s in report.stop_signs:
        wanted.extend(s.sources)
    cited_texts: list[str] = []
    if report.growth is not None:
        g = report.growth
        cited_texts += [g.reference_source, g.age_source, *g.notes]
        cited_texts += [v.source for v in g.velocities] + [v.goal_note for v in g.velocities]
    for text in cited_texts:
        for group in _SOURCE_ID.findall(text):
            wanted.extend(x.strip() for x in group.split(","))
    lines = [
        SourceLine("Content library", sid, lib.sources[sid].citation)
        for sid in dict.fromkeys(wanted)
        if sid in lib.sources
    ]
    seen_instrument: set[str] = set()
    for t in report.trends:
        for text in t.sources:
            sid = text.split(":", 1)[0]
            if sid not in seen_instrument:
                seen_instrument.add(sid)
                lines.append(SourceLine("Measurement instruments", sid, text.split(":", 1)[1].strip()))
    elib = evidence.library()
    studies: dict[str, str] = {}
    for c in (*report.evidence.supported, *report.evidence.unsupported):
        for study in elib.studies_for_claim(c.claim_id):
            cit = study.citation
            authors = ", ".join(cit.authors[:3]) + (" et al." if len(cit.authors) > 3 else "")
            doi = f". doi:{cit.doi}" if cit.doi else ""
            # Keyed by the short citation people read ("Field et al. 1986"), not the library's study id;
            # two studies with the same short citation get "a", "b" as in a reference list.
            text = f"{authors} ({cit.year}). {cit.title}. {cit.journal}{doi}"
            if text in studies.values():
                continue
            key, n = cit.short(), 0
            while key in studies:
                n += 1
                key = f"{cit.short()}{'abcdefghij'[min(n, 9)]}"
            studies[key] = text
    lines.extend(SourceLine("Studies behind the evidence claims", sid, text) for sid, text in studies.items())
    return dataclasses.replace(report, sources=tuple(lines))
