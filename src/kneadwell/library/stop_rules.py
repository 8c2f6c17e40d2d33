"""In-session stop rules: given what has just been observed, carry on, pause, or stop today's session.

    decision = evaluate_in_session(library=lib, observations=obs, settings=settings)
    decision.action      # "continue" | "pause" | "stop"
    decision.reasons     # SessionReason list, most serious first (parent and clinician text, what to do,
                         # sources, the settings used); "slow" reasons come with "continue" as advice

Inputs (SessionObservations): the cues tapped since the last decision (ids from cues.yaml), the
behavioural state now, whether the client is crying, vital-sign readings (oldest first; the last one is
"now"), an optional pre-session baseline, and how many times the session has already been paused.

Every check runs whatever the protocol: a low heart rate is never ignored because the protocol did not
ask for monitoring, and a sign of a low blood sugar (the diabetes cues) stops any session (hypo_signs).
Protocol.session_checks only tells the session page which inputs to offer.

Durations. The bradycardia and desaturation definitions we use need a duration (HR <100 for at least
4 s; SpO2 <80% for at least 10 s, S30), which one reading cannot show. We therefore take the duration
from the reading itself (`heart_rate_seconds` / `spo2_seconds`, as a monitor or observer reports it) or
from consecutive timed readings below the limit, whichever is longer. When neither gives a duration, a
single reading below the limit is treated as if it had lasted: stop. A reading below the limit for a
known shorter time is a pause (hands off, watch). A heart rate above the tachycardia limit is a pause;
a second consecutive reading above it is a stop.

Implausible values (a heart rate of 0 or 400, SpO2 above 100, a temperature of 50 °C) are refused with
ImplausibleVitalSign, which names the field, rather than being read as an emergency or as all-clear.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from kneadwell.core.marking import gettext
from kneadwell.library.org_settings import ScreeningSettings, SettingUse

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library

CHECK_IDS: tuple[str, ...] = (
    "crying",
    "cue_stop",
    "cue_pause",
    "repeated_disengagement",
    "cue_slow",
    "state_stop",
    "state_pause",
    "state_slow",
    "bradycardia",
    "bradycardia_brief",
    "desaturation",
    "desaturation_brief",
    "tachycardia",
    "tachycardia_persisting",
    "heart_rate_rise",
    "spo2_fall",
    "temperature_low",
    "apnoea",
    "hypo_signs",
)

SessionAction = Literal["continue", "pause", "stop"]
_RANK = {"slow": 1, "pause": 2, "stop": 3}

# Outside these no reading is physiologically possible in a living client: a data-entry or probe error.
PLAUSIBLE: dict[str, tuple[float, float, str]] = {
    "heart_rate": (20, 300, "bpm"),
    "spo2": (1, 100, "%"),
    "respiratory_rate": (0, 150, "breaths/min"),
    "temperature_c": (25, 45, "°C"),
    "heart_rate_seconds": (0, 86400, "s"),
    "spo2_seconds": (0, 86400, "s"),
}


class ImplausibleVitalSign(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class UnknownObservation(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class VitalReading:
    at: datetime | None = None
    heart_rate: float | None = None
    spo2: float | None = None
    respiratory_rate: float | None = None
    temperature_c: float | None = None
    heart_rate_seconds: float | None = None  # how long the heart rate has been at this level, if known
    spo2_seconds: float | None = None

    def __post_init__(self) -> None:
        for name, (low, high, unit) in PLAUSIBLE.items():
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
                # in the language in force (core/marking): a parent typing a reading on the player reads it
                raise ImplausibleVitalSign(name, gettext("expected a number in %(unit)s") % {"unit": unit})
            if not low <= value <= high:
                raise ImplausibleVitalSign(
                    name,
                    gettext(
                        "%(value)s %(unit)s is not a possible reading (expected %(low)s–%(high)s %(unit)s); "
                        "check the entry or the probe"
                    )
                    % {"value": f"{value:g}", "unit": unit, "low": f"{low:g}", "high": f"{high:g}"},
                )


@dataclass(frozen=True)
class SessionObservations:
    population: str
    cues: Sequence[str] = ()
    state: str | None = None
    crying: bool = False
    vitals: Sequence[VitalReading] = ()
    baseline: VitalReading | None = None
    pauses_so_far: int = 0


@dataclass(frozen=True)
class SessionReason:
    check_id: str
    action: Literal["slow", "pause", "stop"]
    label: str
    parent_text: str
    clinician_text: str
    instead: str
    detail: str
    sources: tuple[str, ...]
    settings: tuple[SettingUse, ...] = ()


@dataclass(frozen=True)
class SessionDecision:
    action: SessionAction
    reasons: tuple[SessionReason, ...] = field(default_factory=tuple)

    @property
    def reason(self) -> SessionReason | None:
        """The most serious reason (None when there is nothing to report)."""
        return self.reasons[0] if self.reasons else None

    @property
    def advice(self) -> tuple[SessionReason, ...]:
        return tuple(r for r in self.reasons if r.action == "slow")


def _reason(library: Library, settings: ScreeningSettings, check_id: str, detail: str) -> SessionReason:
    check = library.session_checks[check_id]
    return SessionReason(
        check_id=check_id,
        action=check.action,
        label=check.label,
        parent_text=check.text_parent,
        clinician_text=check.text_clinician,
        instead=check.instead,
        detail=detail,
        sources=tuple(check.sources),
        settings=tuple(settings.use(s) for s in check.settings),
    )


def _cue_reasons(
    library: Library, obs: SessionObservations, settings: ScreeningSettings
) -> list[SessionReason]:
    by_action: dict[str, list[str]] = {"stop": [], "pause": [], "slow": []}
    hypo: list[str] = []
    for i, cue_id in enumerate(obs.cues):
        cue = library.cues.get(cue_id)
        if cue is None:
            raise UnknownObservation(f"cues[{i}]", gettext("unknown cue '%(cue)s'") % {"cue": cue_id})
        action = (
            cue.nicu_action
            if (obs.population == "preterm_infant" and cue.nicu_action)
            else cue.in_session_action
        )
        if cue.context == "diabetes" and action == "stop":
            # A sign of a low blood sugar has its own words: check the glucose and treat the low now.
            hypo.append(cue.label.lower())
        elif action in by_action:
            by_action[action].append(cue.label.lower())
    out: list[SessionReason] = []
    if hypo:
        out.append(_reason(library, settings, "hypo_signs", "Seen: " + ", ".join(hypo)))
    if by_action["stop"]:
        out.append(_reason(library, settings, "cue_stop", "Seen: " + ", ".join(by_action["stop"])))
    if by_action["pause"]:
        out.append(
            _pause_or_stop(library, obs, settings, "cue_pause", "Seen: " + ", ".join(by_action["pause"]))
        )
    if by_action["slow"]:
        out.append(_reason(library, settings, "cue_slow", "Seen: " + ", ".join(by_action["slow"])))
    return out


def _pause_or_stop(
    library: Library, obs: SessionObservations, settings: ScreeningSettings, check_id: str, detail: str
) -> SessionReason:
    allowed = int(settings.value("pauses_before_stop"))
    if obs.pauses_so_far >= allowed:
        return _reason(
            library,
            settings,
            "repeated_disengagement",
            f"{detail} (after {obs.pauses_so_far} pause(s); {allowed} allowed)",
        )
    return _reason(library, settings, check_id, detail)


def _state_reasons(
    library: Library, obs: SessionObservations, settings: ScreeningSettings
) -> list[SessionReason]:
    if obs.state is None:
        return []
    state = library.states.get(obs.state)
    if state is None:
        raise UnknownObservation(
            "state", gettext("unknown behavioural state '%(state)s'") % {"state": obs.state}
        )
    detail = f"State {state.number}: {state.label.lower()}"
    if state.id == "crying":
        return []  # reported once, as crying
    if state.in_session_action == "stop":
        return [_reason(library, settings, "state_stop", detail)]
    if state.in_session_action == "pause":
        return [_pause_or_stop(library, obs, settings, "state_pause", detail)]
    if state.in_session_action == "slow":
        return [_reason(library, settings, "state_slow", detail)]
    return []


def _run_seconds(
    readings: Sequence[VitalReading], attr: str, seconds_attr: str, below: Callable[[float], bool]
) -> float | None:
    """How long the value has been out of range, ending at the last reading; None when unknown."""
    last = readings[-1]
    reported = getattr(last, seconds_attr)
    run = [last]
    for reading in reversed(readings[:-1]):
        value = getattr(reading, attr)
        if value is None or not below(value):
            break
        run.append(reading)
    span: float | None = None
    first, latest = run[-1], run[0]
    if len(run) > 1 and first.at is not None and latest.at is not None:
        span = (latest.at - first.at).total_seconds()
    known = [s for s in (reported, span) if s is not None]
    return max(known) if known else None


def _vital_reasons(
    library: Library, obs: SessionObservations, settings: ScreeningSettings
) -> list[SessionReason]:
    if not obs.vitals:
        return []
    readings = list(obs.vitals)
    last = readings[-1]
    previous = readings[-2] if len(readings) > 1 else None
    out: list[SessionReason] = []

    def low_check(
        attr: str, seconds_attr: str, limit_id: str, seconds_id: str, stop_id: str, brief_id: str, unit: str
    ) -> None:
        value = getattr(last, attr)
        limit = settings.value(limit_id)
        if value is None or not value < limit:
            return
        seconds = _run_seconds(readings, attr, seconds_attr, lambda v: v < limit)
        needed = settings.value(seconds_id)
        if seconds is None or seconds >= needed:
            how_long = "for an unknown time (treated as lasting)" if seconds is None else f"for {seconds:g} s"
            out.append(
                _reason(library, settings, stop_id, f"{value:g}{unit}, below {limit:g}{unit} {how_long}")
            )
        else:
            out.append(
                _reason(
                    library,
                    settings,
                    brief_id,
                    f"{value:g}{unit}, below {limit:g}{unit} for {seconds:g} s (less than {needed:g} s)",
                )
            )

    low_check(
        "heart_rate",
        "heart_rate_seconds",
        "bradycardia_hr_bpm",
        "bradycardia_seconds",
        "bradycardia",
        "bradycardia_brief",
        " bpm",
    )
    low_check(
        "spo2",
        "spo2_seconds",
        "desaturation_spo2_percent",
        "desaturation_seconds",
        "desaturation",
        "desaturation_brief",
        "%",
    )

    tachy = settings.value("tachycardia_hr_bpm")
    if last.heart_rate is not None and last.heart_rate > tachy:
        persisting = previous is not None and previous.heart_rate is not None and previous.heart_rate > tachy
        check = "tachycardia_persisting" if persisting else "tachycardia"
        out.append(_reason(library, settings, check, f"{last.heart_rate:g} bpm, above {tachy:g} bpm"))

    if obs.baseline is not None:
        rise_limit = settings.value("hr_rise_pause_bpm")
        if last.heart_rate is not None and obs.baseline.heart_rate is not None:
            rise = last.heart_rate - obs.baseline.heart_rate
            if rise >= rise_limit:
                out.append(
                    _reason(
                        library,
                        settings,
                        "heart_rate_rise",
                        f"up {rise:g} bpm from {obs.baseline.heart_rate:g} (pause at {rise_limit:g})",
                    )
                )
        fall_limit = settings.value("spo2_fall_pause_percent")
        if last.spo2 is not None and obs.baseline.spo2 is not None:
            fall = obs.baseline.spo2 - last.spo2
            if fall >= fall_limit:
                out.append(
                    _reason(
                        library,
                        settings,
                        "spo2_fall",
                        f"down {fall:g} points from {obs.baseline.spo2:g}% (pause at {fall_limit:g})",
                    )
                )

    t_min = settings.value("min_axillary_temperature_c")
    if last.temperature_c is not None and last.temperature_c < t_min:
        out.append(
            _reason(library, settings, "temperature_low", f"{last.temperature_c:g} °C, below {t_min:g} °C")
        )
    if last.respiratory_rate == 0:
        out.append(_reason(library, settings, "apnoea", "respiratory rate 0"))
    return out


def evaluate_in_session(
    *, library: Library, observations: SessionObservations, settings: ScreeningSettings
) -> SessionDecision:
    obs = observations
    if obs.population not in library.populations:
        raise UnknownObservation(
            "population", gettext("unknown population '%(population)s'") % {"population": obs.population}
        )
    if isinstance(obs.pauses_so_far, bool) or not isinstance(obs.pauses_so_far, int) or obs.pauses_so_far < 0:
        raise UnknownObservation("pauses_so_far", gettext("expected a whole number, 0 or more"))
    reasons: list[SessionReason] = []
    if obs.crying or obs.state == "crying":
        reasons.append(_reason(library, settings, "crying", "Crying"))
    reasons += _cue_reasons(library, obs, settings)
    reasons += _state_reasons(library, obs, settings)
    reasons += _vital_reasons(library, obs, settings)
    reasons.sort(key=lambda r: -_RANK[r.action])  # stable: same-rank reasons keep the order above
    top = reasons[0].action if reasons else "slow"
    action: SessionAction = "stop" if top == "stop" else "pause" if top == "pause" else "continue"
    return SessionDecision(action=action, reasons=tuple(reasons))
