"""Growth reads: a client's series of weights, lengths or head circumferences with ages, SDS and centiles;
the latest values; weight velocity; the growth summary of the growth page and the report.

Each function runs a fixed number of queries, served by the (client, instrument_id, taken_at) index."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from django.db.models import Max, Q
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.outcomes import growth_words, instruments
from kneadwell.outcomes.growth import (
    Ages,
    SdsResult,
    VelocityError,
    VelocityResult,
    WeightPoint,
    batch_sds,
    measurement_sds,
)

# `ages` and `velocity` come from their modules: the package's lazy exports of these two share their
# names with the submodules, so after either submodule is imported the package attribute is the module.
from kneadwell.outcomes.growth.ages import ages
from kneadwell.outcomes.growth.references import DEFAULT_REFERENCE, REFERENCES
from kneadwell.outcomes.growth.velocity import VELOCITY_METHODS, velocity
from kneadwell.outcomes.instruments import Instrument
from kneadwell.outcomes.measures import (
    AGE_CORRECTION_SOURCE,
    DEFAULT_VELOCITY_METHOD,
    DEFAULT_VELOCITY_WINDOW,
    REGAIN_NOTE,
    VELOCITY_GOAL_NOTE,
    VELOCITY_GOAL_PMA_WEEKS,
    VELOCITY_WINDOWS,
    VERY_PRETERM_NOTE,
    MethodInfo,
    format_measure,
    growth_instruments,
    growth_method,
    measure_formatter,
    velocity_instrument,
    window_label,
)
from kneadwell.outcomes.selectors.display import age_text
from kneadwell.outcomes.selectors.measurements import instruments_of, measurement_queryset

# rcpchgrowth's own `Measurement` (the growth summary's validated path) costs about 2 ms a value, most of it
# centile bands it works out again on every call; its answer depends only on these arguments (SdsResult is
# frozen), so a value seen before (the same client's page opened again) is not computed again. Issue 11.
_measurement_sds = lru_cache(maxsize=4096)(measurement_sds)


def _growth_method(instrument_id: str) -> str:
    """The growth reference method of a growth measure (its data's `growth.method`); a 4xx naming the
    growth measures for any other instrument."""
    method = growth_method(instrument_id)
    if method is None:
        names = ", ".join(i.id for i in growth_instruments())
        raise ValidationFailed({"measure": [_("Choose one of: %(names)s.") % {"names": names}]})
    return method


@dataclass(frozen=True)
class GrowthPoint:
    measurement_id: int
    date: dt.date
    value: float  # kg or cm
    display: str
    chronological_age_days: int
    corrected_age_days: int
    age_text: str
    chronological_sds: float | None
    corrected_sds: float | None
    chronological_centile: float | None
    corrected_centile: float | None
    note: str = ""  # why there is no SDS, when there is none
    confirmed_unusual: bool = False


def _finite(x: float) -> float | None:
    return float(x) if math.isfinite(float(x)) else None


def _method_of(inst: Instrument) -> str:
    """A growth instrument's method, as `_growth_method(inst.id)` finds it (without looking the catalogue's
    growth measures up again: `inst` is one of them)."""
    assert inst.growth is not None
    return inst.growth.method


# (measurement id, when taken, value) of one entry
Newest = tuple[int, dt.datetime, float]


def latest_values(
    *, client: Client, instrument_ids: Sequence[str], recorded: bool = False
) -> tuple[dict[str, Newest], set[str]]:
    """The latest entry with a value (not in error) of each of `instrument_ids` that has one, by id: the row
    that `order_by("-taken_at", "-id").first()` finds. With `recorded`, also the ids of every instrument the
    client has an entry of (not in error: what `instruments_recorded` reads); else an empty set.

    Two queries whatever the amount of data (issue 11: one query per instrument cost more CPU in the ORM
    than in the database): the newest time with a value of each instrument (one grouped query), then the
    entries with a value at those times, of which the highest id wins a tie, as the ordering above."""
    base = measurement_queryset(client=client)
    newest = Max("taken_at", filter=Q(value__isnull=False))
    if recorded:
        grouped = base.order_by().values("instrument_id")
    else:
        grouped = base.filter(instrument_id__in=instrument_ids).order_by().values("instrument_id")
    times = list(grouped.annotate(newest=newest).values_list("instrument_id", "newest"))
    used = {instrument_id for instrument_id, _taken in times} if recorded else set()
    wanted = set(instrument_ids)
    at = Q()
    for instrument_id, taken in times:
        if instrument_id in wanted and taken is not None:
            at |= Q(instrument_id=instrument_id, taken_at=taken)
    found: dict[str, Newest] = {}
    if not at:
        return found, used
    rows = (
        base.filter(at, value__isnull=False)
        .order_by()
        .values_list("instrument_id", "id", "taken_at", "value")
    )
    for instrument_id, pk, taken, value in rows:
        if instrument_id not in found or pk > found[instrument_id][0]:
            found[instrument_id] = (pk, taken, float(value or 0.0))  # never None: the filter keeps values
    return found, used


def growth_series(
    *, client: Client, instrument_id: str = "weight", reference: str = DEFAULT_REFERENCE
) -> list[GrowthPoint]:
    """A client's weights, lengths or head circumferences (not in error), oldest first, with ages, SDS and
    centiles against `reference` (vectorised path of the growth package; same numbers as rcpchgrowth)."""
    method = _growth_method(instrument_id)
    if reference not in REFERENCES:
        raise ValidationFailed(
            {"reference": [_("Choose one of: %(references)s.") % {"references": ", ".join(REFERENCES)}]}
        )
    rows = list(
        measurement_queryset(client=client, instrument_id=instrument_id)
        .filter(value__isnull=False)
        .order_by("taken_at", "id")
        .values_list("id", "taken_at", "value", "confirmed_unusual")
    )
    if not rows:
        return []
    dates = [timezone.localtime(t).date() for _, t, _, _ in rows]
    n = len(rows)
    gw = 40 if client.gestation_weeks is None else client.gestation_weeks
    gd = 0 if client.gestation_days is None else client.gestation_days
    result = batch_sds(
        np.array([client.sex] * n),
        np.array([client.birth_date] * n, dtype="datetime64[D]"),
        np.array(dates, dtype="datetime64[D]"),
        np.full(n, gw),
        np.full(n, gd),
        np.array([method] * n),
        np.array([v for _, _, v, _ in rows], dtype=np.float64),
        reference,
    )
    shown_as = measure_formatter(
        instruments.get_instrument(instrument_id), age_days=(timezone.localdate() - client.birth_date).days
    )
    points = []
    for k, (pk, _taken, raw, unusual) in enumerate(rows):
        value = float(raw or 0.0)  # never None: the query keeps values only
        a = ages(client.birth_date, dates[k], client.gestation_weeks, client.gestation_days)
        shown = growth_words.figure(shown_as(value))
        why = result.why(k)
        points.append(
            GrowthPoint(
                measurement_id=pk,
                date=dates[k],
                value=value,
                display=shown,
                chronological_age_days=a.chronological_days,
                corrected_age_days=a.corrected_days,
                age_text=age_text(a),
                chronological_sds=_finite(result.chronological_sds[k]),
                corrected_sds=_finite(result.corrected_sds[k]),
                chronological_centile=_finite(result.chronological_centile[k]),
                corrected_centile=_finite(result.corrected_centile[k]),
                note=growth_words.sds_error(why) if why is not None else "",
                confirmed_unusual=bool(unusual),
            )
        )
    return points


@dataclass(frozen=True)
class LatestGrowth:
    instrument_id: str
    label: str
    measurement_id: int
    date: dt.date
    value: float
    display: str
    age_text: str
    sds: SdsResult  # its `error` and `advisory` are English (the API's); the page shows the two below
    error_text: str = ""  # why there is no SDS, in the language in force
    advisory_text: str = ""  # rcpchgrowth's advisory, in the language in force


@dataclass(frozen=True)
class VelocitySummary:
    method: str
    info: MethodInfo
    window_days: int
    window_text: str
    start_after_regain: bool
    result: VelocityResult | None
    error: str = ""
    goal_note: str = ""

    @property
    def regain_note(self) -> str:
        return _(REGAIN_NOTE)


@dataclass(frozen=True)
class GrowthSummary:
    client: Client
    reference: str
    reference_title: str
    reference_source: str
    today: Ages
    age_source: str
    today_text: str
    latest: tuple[LatestGrowth, ...]
    velocity: VelocitySummary
    notes: tuple[str, ...] = field(default_factory=tuple)

    def latest_for(self, instrument_id: str) -> LatestGrowth | None:
        return next((g for g in self.latest if g.instrument_id == instrument_id), None)


def _check_choices(reference: str, method: str, window_days: int) -> None:
    errors: dict[str, list[str]] = {}
    if reference not in REFERENCES:
        errors["reference"] = [_("Choose one of: %(references)s.") % {"references": ", ".join(REFERENCES)}]
    if method not in VELOCITY_METHODS:
        errors["method"] = [
            _("Choose one of: %(velocity_methods)s.") % {"velocity_methods": ", ".join(VELOCITY_METHODS)}
        ]
    if window_days not in VELOCITY_WINDOWS:
        errors["window_days"] = [
            _("Choose one of: %(velocity_windows)s (0 = all).")
            % {"velocity_windows": ", ".join(str(w) for w in VELOCITY_WINDOWS)}
        ]
    if errors:
        raise ValidationFailed(errors)


def weight_velocity(
    *,
    client: Client,
    method: str = DEFAULT_VELOCITY_METHOD,
    window_days: int = DEFAULT_VELOCITY_WINDOW,
    start_after_regain: bool = False,
    weights: Sequence[tuple[dt.date, float]] | None = None,
) -> VelocitySummary:
    """Velocity of the client's weights over the last `window_days` days up to the latest weight (0: all),
    by `method`; with `start_after_regain` the window starts no earlier than the day birth weight was
    regained (found from every weight and the recorded birth weight). The method is always named."""
    _check_choices(DEFAULT_REFERENCE, method, window_days)
    info = growth_words.method_info(method)
    if weights is None:
        weights = [
            (timezone.localtime(t).date(), float(v or 0.0))
            for t, v in measurement_queryset(client=client, instrument_id=velocity_instrument().id)
            .filter(value__isnull=False)
            .order_by("taken_at", "id")
            .values_list("taken_at", "value")
        ]
    points = [WeightPoint(d, round(kg * 1000, 3)) for d, kg in weights]

    def summary(
        result: VelocityResult | None, error: str = "", start: dt.date | None = None
    ) -> VelocitySummary:
        text = window_label(window_days)
        if start_after_regain:
            text += (
                _(", starting no earlier than regain of birth weight (%(date)s)")
                % {"date": dateformat.format(start, "d M")}
                if start
                else _(" (no weight below birth weight recorded, so nothing to leave out)")
            )
        goal = ""
        if result is not None and client.gestation_weeks is not None:
            pma = ages(client.birth_date, result.end_date, client.gestation_weeks, client.gestation_days)
            low, high = VELOCITY_GOAL_PMA_WEEKS
            if low <= pma.postmenstrual.weeks <= high:
                goal = _(VELOCITY_GOAL_NOTE)
        return VelocitySummary(
            method, info, window_days, text, start_after_regain, result, error, goal_note=goal
        )

    if not points:
        return summary(None, _("No weights recorded yet."))
    regain: dt.date | None = None
    if start_after_regain:
        if not client.birth_weight_g:
            return summary(
                None, _("Record the birth weight on the client's details to start after its regain.")
            )
        try:
            whole = velocity(
                points,
                method,  # type: ignore[arg-type]
                start_after_regain=True,
                birth_weight_g=float(client.birth_weight_g),
                birth_date=client.birth_date,
            )
        except VelocityError as exc:
            return summary(None, growth_words.velocity_error(exc))
        regain = whole.regain_date
    last = max(p.date for p in points)
    chosen = [
        p
        for p in points
        if (window_days == 0 or p.date >= last - dt.timedelta(days=window_days))
        and (regain is None or p.date >= regain)
    ]
    try:
        result = velocity(chosen, method)  # type: ignore[arg-type]
    except VelocityError as exc:
        return summary(None, growth_words.velocity_error(exc, window_days), regain)
    if regain is not None:
        result = VelocityResult(**{**result.__dict__, "regain_date": regain})
    return summary(result, start=regain)


def growth_summary(
    *,
    client: Client,
    reference: str = DEFAULT_REFERENCE,
    method: str = DEFAULT_VELOCITY_METHOD,
    window_days: int = DEFAULT_VELOCITY_WINDOW,
    start_after_regain: bool = False,
) -> GrowthSummary:
    """Latest weight, length/height and head circumference with chronological and corrected SDS and
    centiles (rcpchgrowth's own `Measurement`, the clinically validated path), and weight velocity with its
    method. Two queries for the latest values (`latest_values`) and one for the weights, whatever the
    amount of data."""
    _check_choices(reference, method, window_days)
    today = timezone.localdate()
    latest = []
    age_today = (today - client.birth_date).days
    growth = growth_instruments()
    newest, _unused = latest_values(client=client, instrument_ids=[i.id for i in growth])
    for inst in growth:
        instrument_id = inst.id
        if instrument_id not in newest:
            continue
        pk, taken, value = newest[instrument_id]
        day = timezone.localtime(taken).date()
        sds = _measurement_sds(
            client.sex,
            client.birth_date,
            day,
            client.gestation_weeks,
            client.gestation_days,
            _method_of(inst),
            value,
            reference,
        )
        a = ages(client.birth_date, day, client.gestation_weeks, client.gestation_days)
        shown = growth_words.figure(format_measure(inst, value, age_days=age_today))
        latest.append(
            LatestGrowth(
                instrument_id,
                growth_words.measure_name(inst),
                pk,
                day,
                value,
                shown,
                age_text(a),
                sds,
                error_text=growth_words.sds_result_error(sds) if sds.error else "",
                advisory_text=growth_words.sds_advisory(sds),
            )
        )
    notes = []
    if reference == "uk-who" and client.gestation_weeks is not None and client.gestation_weeks < 32:
        notes.append(_(VERY_PRETERM_NOTE))
    today_ages = ages(client.birth_date, today, client.gestation_weeks, client.gestation_days)
    return GrowthSummary(
        client=client,
        reference=reference,
        reference_title=growth_words.reference_title(reference),
        reference_source=growth_words.reference_source(reference),
        today=today_ages,
        age_source=_(AGE_CORRECTION_SOURCE),
        today_text=growth_words.describe_age(today_ages),
        latest=tuple(latest),
        velocity=weight_velocity(
            client=client, method=method, window_days=window_days, start_after_regain=start_after_regain
        ),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class LatestValue:
    instrument_id: str
    label: str
    measurement_id: int
    date: dt.date
    display: str
    age_text: str
    corrected_sds: float | None
    corrected_centile: float | None


def latest_growth(*, client: Client, reference: str = DEFAULT_REFERENCE) -> list[LatestValue]:
    """The latest weight, length/height and head circumference with the corrected centile (vectorised path,
    no rcpchgrowth import), for the client page. Two small indexed queries (`latest_values`)."""
    growth = growth_instruments()
    newest, _unused = latest_values(client=client, instrument_ids=[i.id for i in growth])
    return _latest_growth(client, growth, newest, reference)


def growth_and_recorded(
    *, client: Client, reference: str = DEFAULT_REFERENCE
) -> tuple[list[LatestValue], list[Instrument]]:
    """`latest_growth` and `instruments_recorded` together, in two queries rather than four (the client
    page's section; issue 11)."""
    growth = growth_instruments()
    newest, used = latest_values(client=client, instrument_ids=[i.id for i in growth], recorded=True)
    return _latest_growth(client, growth, newest, reference), instruments_of(used)


def _latest_growth(
    client: Client, growth: Sequence[Instrument], newest: dict[str, Newest], reference: str
) -> list[LatestValue]:
    found = [
        (inst, newest[inst.id][0], float(newest[inst.id][2]), timezone.localtime(newest[inst.id][1]).date())
        for inst in growth
        if inst.id in newest
    ]
    if not found:
        return []
    n = len(found)
    result = batch_sds(
        np.array([client.sex] * n),
        np.array([client.birth_date] * n, dtype="datetime64[D]"),
        np.array([day for _, _, _, day in found], dtype="datetime64[D]"),
        np.full(n, 40 if client.gestation_weeks is None else client.gestation_weeks),
        np.full(n, 0 if client.gestation_days is None else client.gestation_days),
        np.array([_method_of(i) for i, _, _, _ in found]),
        np.array([value for _, _, value, _ in found], dtype=np.float64),
        reference,
    )
    age_now = (timezone.localdate() - client.birth_date).days
    out = []
    for k, (inst, pk, value, day) in enumerate(found):
        a = ages(client.birth_date, day, client.gestation_weeks, client.gestation_days)
        out.append(
            LatestValue(
                instrument_id=inst.id,
                label=growth_words.measure_name(inst),
                measurement_id=pk,
                date=day,
                display=growth_words.figure(format_measure(inst, value, age_days=age_now)),
                age_text=age_text(a),
                corrected_sds=_finite(result.corrected_sds[k]),
                corrected_centile=_finite(result.corrected_centile[k]),
            )
        )
    return out
