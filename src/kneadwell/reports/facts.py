"""What a progress report says, as plain frozen dataclasses: the facts collected for one client
(`reports.content.collect`), before they are worded and laid out (`reports.compose`). Pure: no Django
import at run time (types from the areas are imported for the type checker only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from kneadwell.reports import words
from kneadwell.reports.marking import gettext as _
from kneadwell.reports.marking import gettext_noop

if TYPE_CHECKING:
    from kneadwell.care.adherence import Adherence
    from kneadwell.outcomes.growth.ages import Ages
    from kneadwell.outcomes.instruments.gas import GasSummary
    from kneadwell.outcomes.selectors import GrowthPoint

Version = Literal["parent", "clinician"]
VERSIONS: tuple[Version, ...] = ("parent", "clinician")
VERSION_TITLES: dict[str, str] = {
    "parent": gettext_noop("for parents and carers"),
    "clinician": gettext_noop("for the referring clinician"),
}


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
    caption: str  # the clinician's caption ("" in the parent's version: compose words the parent's key)
    description: str  # the SVG's own text alternative
    count: int
    instrument_id: str = ""


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
    note: str = ""
    instrument_id: str = ""  # weight, length_height, head_circumference (the parent's words are by id)


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
    start_date: dt.date | None = None  # the span's first and last weights (the parent's sentence)
    end_date: dt.date | None = None
    gain_g_per_day: float | None = None


@dataclass(frozen=True)
class SeriesTable:
    label: str
    total: int
    rows: tuple[GrowthPoint, ...]  # newest first, at most TABLE_ROWS


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
    gas: GasPart | None = None  # goal attainment: the T-score across goals


@dataclass(frozen=True)
class GasPart:
    """The GAS T-score across goals (as the trend page shows it), the formula and its sources."""

    summary: GasSummary
    formula: str
    sources: tuple[str, ...]  # "GAS-KS-1968: Kiresuk & Sherman 1968 (Goal Attainment Scaling)"


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

    # The title, subtitle and footer are words: in the language in force when the document is composed
    # (reports.marking), like every sentence of compose.
    @property
    def title(self) -> str:
        return _("Progress report: %(name)s") % {"name": self.client.name}

    @property
    def subtitle(self) -> str:
        scope = (
            _("%(protocol)s plan") % {"protocol": self.plans[0].protocol_name}
            if self.plan_id is not None and self.plans
            else _("All plans")
        )
        audience = _(VERSION_TITLES[self.version])
        return f"{audience[:1].upper()}{audience[1:]} · {scope}"

    @property
    def filename(self) -> str:
        plan = f"-plan-{self.plan_id}" if self.plan_id is not None else ""
        return f"kneadwell-report-{self.client.client_id}{plan}-{self.version}-{self.generated_at:%Y%m%d}.pdf"

    @property
    def footer(self) -> str:
        return _("Generated %(moment)s by %(person)s for %(organisation)s") % {
            "moment": words.moment(self.generated_at),
            "person": self.generated_by,
            "organisation": self.organisation,
        }
