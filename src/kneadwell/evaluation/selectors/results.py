"""What a study's data says: each participant's time points (follow-up), the missing-data report, the
CONSORT counts, the analysis dataset and the analysis. They take a study already loaded through
`studies.study_get` (which checked the reader's right), and read a constant number of queries per study.

Who is analysed: `itt` (default) is everyone randomised, in the arm allocated; `per_protocol` keeps those
recorded as having received their allocated programme and not withdrawn. Data of a participant whose
family asked, on withdrawal, for it not to be used is left out of both (counted as missing)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Final

from django.utils import timezone

from kneadwell.core.marking import gettext_noop
from kneadwell.evaluation.methods import analysis as an
from kneadwell.evaluation.methods import consort as co
from kneadwell.evaluation.methods import outcomes as oc
from kneadwell.evaluation.methods.dataset import Cell, Column
from kneadwell.evaluation.models import Arm, Participant, Study, StudyMeasurement, StudyOutcome
from kneadwell.evaluation.selectors.design import arms_of, outcomes_of

POPULATIONS: Final[dict[str, str]] = {
    "itt": gettext_noop("intention to treat"),
    "per_protocol": gettext_noop("per protocol"),
}


def specs_of(study: Study, outcomes: list[StudyOutcome] | None = None) -> list[oc.OutcomeSpec]:
    return [_spec(o) for o in (outcomes if outcomes is not None else outcomes_of(study))]


def _spec(o: StudyOutcome) -> oc.OutcomeSpec:
    return oc.OutcomeSpec(
        code=o.code,
        instrument_id=o.instrument_id,
        measure=o.measure,
        days=tuple(o.days),
        analysis_day=o.analysis_day,
        baseline_day=o.baseline_day,
        window_days=o.window_days,
        threshold=o.threshold,
        direction=o.direction,
    )


@dataclass
class Entry:
    point: oc.Point
    blinded: bool
    entered_by: str
    entered_role: str
    entered_at: dt.datetime


@dataclass
class StudyData:
    study: Study
    arms: list[Arm]
    outcomes: list[StudyOutcome]
    participants: list[Participant]  # everyone screened, in code order
    entries: dict[int, dict[tuple[str, int], Entry]] = field(default_factory=dict)

    @property
    def randomised(self) -> list[Participant]:
        return [p for p in self.participants if p.status == Participant.Status.RANDOMISED]

    def arm(self, arm_id: int | None) -> Arm | None:
        return next((a for a in self.arms if a.pk == arm_id), None)


def study_data(study: Study) -> StudyData:
    participants = list(
        Participant.objects.within(study).filter(study=study).select_related("arm", "client").order_by("code")
    )
    data = StudyData(study, arms_of(study), outcomes_of(study), participants)
    rows = (
        StudyMeasurement.objects.within(study)
        .filter(participant__study=study, measurement__entered_in_error_at__isnull=True)
        .select_related("measurement", "entered_by")
        .order_by("created_at", "id")
    )
    for row in rows:
        m = row.measurement
        number = m.value if m.value is not None else m.total
        if number is None:
            continue
        # The latest entry of a time point wins: an earlier one was re-measured (or is about to be marked
        # in error).
        data.entries.setdefault(row.participant_id, {})[(row.instrument_id, row.day)] = Entry(
            oc.Point(timezone.localtime(m.taken_at).date(), float(number)),
            row.blinded,
            row.entered_by.full_name or row.entered_by.email,
            row.entered_role,
            row.created_at,
        )
    return data


def _usable(p: Participant) -> bool:
    return not (p.is_withdrawn and not p.data_kept)


def _in_population(p: Participant, population: str) -> bool:
    if population == "per_protocol":
        return p.received is True and not p.is_withdrawn
    return True


# --- follow-up ------------------------------------------------------------------------------------------
@dataclass
class Due:
    participant: Participant
    point: oc.TimePoint
    opens: dt.date
    due: dt.date
    closes: dt.date
    status: str
    entry: Entry | None


def followup(data: StudyData, *, today: dt.date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    points = oc.time_points(specs_of(data.study, data.outcomes))
    found = []
    for p in data.randomised:
        assert p.randomised_at is not None
        randomised_on = timezone.localtime(p.randomised_at).date()
        mine = data.entries.get(p.pk, {})
        for point in points:
            entry = mine.get((point.instrument_id, point.day))
            opens, due, closes = oc.window(randomised_on, point)
            status = oc.status(
                randomised_on=randomised_on,
                point=point,
                today=today,
                done=entry is not None,
                followed=p.followed,
            )
            found.append(Due(p, point, opens, due, closes, status, entry))
    return found


@dataclass
class MissingRow:
    outcome: StudyOutcome
    arm: Arm
    randomised: int
    with_data: int
    reasons: dict[str, int]


def missing_report(data: StudyData, *, population: str = "itt") -> list[MissingRow]:
    rows = []
    for outcome in data.outcomes:
        spec = _spec(outcome)
        for arm in data.arms:
            mine = [p for p in data.randomised if p.arm_id == arm.pk and _in_population(p, population)]
            reasons: dict[str, int] = {}
            with_data = 0
            for p in mine:
                derived = oc.derive(spec, _points(data, p, spec))
                if derived.value is not None and _usable(p):
                    with_data += 1
                    continue
                why = (
                    "data not to be used (withdrawal)"
                    if not _usable(p)
                    else (
                        f"withdrawn ({p.get_withdrawal_display().lower()})"
                        if p.is_withdrawn
                        else derived.why_missing
                    )
                )
                reasons[why] = reasons.get(why, 0) + 1
            rows.append(MissingRow(outcome, arm, len(mine), with_data, reasons))
    return rows


def _points(data: StudyData, p: Participant, spec: oc.OutcomeSpec) -> dict[int, oc.Point]:
    mine = data.entries.get(p.pk, {})
    return {day: e.point for (instrument, day), e in mine.items() if instrument == spec.instrument_id}


# --- CONSORT --------------------------------------------------------------------------------------------
def consort_flow(data: StudyData, *, population: str = "itt") -> co.Flow:
    status = Participant.Status
    flow = co.Flow(
        assessed=len(data.participants),
        not_eligible=sum(p.status == status.NOT_ELIGIBLE for p in data.participants),
        declined=sum(p.status == status.DECLINED for p in data.participants),
        excluded_other=sum(p.status == status.EXCLUDED for p in data.participants),
        awaiting=sum(p.status == status.ELIGIBLE for p in data.participants),
        randomised=len(data.randomised),
        analysis=POPULATIONS[population],
    )
    primary = next((o for o in data.outcomes if o.primary), None)
    for arm in data.arms:
        mine = [p for p in data.randomised if p.arm_id == arm.pk]
        analysed = 0
        if primary is not None:
            spec = _spec(primary)
            analysed = sum(
                1
                for p in mine
                if _in_population(p, population)
                and _usable(p)
                and oc.derive(spec, _points(data, p, spec)).value is not None
            )
        flow.arms.append(
            co.ArmFlow(
                label=arm.name,
                allocated=len(mine),
                received=sum(p.received is True for p in mine),
                not_received=sum(p.received is False for p in mine),
                received_unknown=sum(p.received is None for p in mine),
                lost=sum(p.withdrawal == Participant.Withdrawal.LOST for p in mine),
                discontinued=sum(
                    p.is_withdrawn and p.withdrawal != Participant.Withdrawal.LOST for p in mine
                ),
                analysed=analysed,
                not_analysed=len(mine) - analysed,
            )
        )
    return flow


# --- the dataset and the analysis -------------------------------------------------------------------------
def dataset(data: StudyData, *, population: str = "itt") -> tuple[list[Column], list[dict[str, Cell]]]:
    arm_values = "; ".join(f"{a.code}={a.name}" for a in data.arms)
    columns = [
        Column("participant", "Study number", "string"),
        Column("arm", "Arm allocated (analysed as allocated)", "category", values=arm_values),
        Column("stratum", "Allocation stratum", "string"),
        Column(
            "received",
            "Received the allocated programme",
            "integer",
            values="1=yes; 0=no; empty=not recorded",
        ),
        Column("withdrawn", "Withdrawn from the study", "integer", values="1=yes; 0=no"),
        Column(
            "withdrawal",
            "Reason for withdrawal",
            "category",
            values="; ".join(f"{k}={v}" for k, v in Participant.Withdrawal.choices),
        ),
    ]
    for o in data.outcomes:
        what = oc.MEASURES[o.measure]
        if o.baseline_day is not None:
            unit = "g" if o.measure in oc.WEIGHT_MEASURES else o.unit
            columns.append(
                Column(f"{o.code}_baseline", f"{o.name}: baseline (day {o.baseline_day})", "number", unit)
            )
        kind = "integer" if o.measure == "event" else "number"
        values = (
            f"1=event ({'≥' if o.direction == 'ge' else '≤'} {o.threshold}); 0=no event"
            if o.measure == "event"
            else ""
        )
        columns.append(
            Column(
                o.code,
                f"{o.name}: {what}, day {o.analysis_day}" + (" (primary)" if o.primary else ""),
                kind,
                o.unit,
                values,
            )
        )
        columns.append(
            Column(
                f"{o.code}_blinded",
                f"{o.name}: every value entered by a blinded assessor",
                "integer",
                values="1=yes; 0=no; empty=no data",
            )
        )
    rows = []
    for p in data.randomised:
        if not _in_population(p, population):
            continue
        arm = data.arm(p.arm_id)
        row: dict[str, Cell] = {
            "participant": p.code,
            "arm": arm.code if arm else "",
            "stratum": p.stratum,
            "received": None if p.received is None else int(p.received),
            "withdrawn": int(p.is_withdrawn),
            "withdrawal": p.withdrawal,
        }
        for o in data.outcomes:
            spec = _spec(o)
            usable = _usable(p)
            derived = oc.derive(spec, _points(data, p, spec)) if usable else oc.Derived(None, None)
            if o.baseline_day is not None:
                row[f"{o.code}_baseline"] = derived.baseline
            row[o.code] = (
                int(derived.value) if derived.value is not None and o.measure == "event" else derived.value
            )
            used = [
                e
                for (inst, day), e in data.entries.get(p.pk, {}).items()
                if usable and inst == o.instrument_id and day in (o.analysis_day, o.baseline_day)
            ]
            row[f"{o.code}_blinded"] = int(all(e.blinded for e in used)) if used else None
        rows.append(row)
    return columns, rows


@dataclass
class OutcomeAnalysis:
    outcome: StudyOutcome
    result: an.OutcomeResult


def analyse(data: StudyData, *, population: str = "itt") -> list[OutcomeAnalysis]:
    """Each outcome analysed on exactly the rows `dataset` exports, so the file reproduces every figure."""
    _columns, rows = dataset(data, population=population)
    arms = [an.ArmInfo(a.code, a.name, a.is_control) for a in data.arms]
    stratified = bool(data.study.strata)
    found = []
    for o in data.outcomes:
        records = [
            an.Record(
                arm=str(r["arm"]),
                value=_number(r[o.code]),
                baseline=_number(r.get(f"{o.code}_baseline")),
                stratum=str(r["stratum"]),
            )
            for r in rows
        ]
        if o.measure == "event":
            result = an.binary(records, arms)
        else:
            result = an.continuous(
                records, arms, outcome=o.code, with_baseline=o.baseline_day is not None, stratified=stratified
            )
        found.append(OutcomeAnalysis(o, result))
    return found


def _number(value: Cell) -> float | None:
    return None if value is None or value == "" else float(value)
