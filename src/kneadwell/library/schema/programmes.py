"""What a programme is made of: techniques, routines and their steps, doses, protocols, and the measures a
protocol collects (and when)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kneadwell.library.schema.common import Evidenced, Id, Item, PressureName, Sources, Text


class Suits(Item):
    populations: list[Id] = Field(min_length=1)
    min_age_days: int | None = Field(default=None, ge=0)
    min_pma_weeks: float | None = Field(default=None, ge=22, le=60)
    notes: Text | None = None


class Technique(Evidenced):
    id: Id
    name: Text
    kind: Literal["stroke", "manoeuvre", "movement", "assessment", "ritual"]
    description_parent: Text
    description_clinician: Text
    regions: list[Id] = Field(min_length=1)
    pressure: list[PressureName] = Field(min_length=1)
    moves_joints: bool = False
    # Only a trained therapist gives it (the seeds: "advanced training matters"); a parent's session
    # leaves the step out and says why.
    trained_only: bool = False
    suits: Suits
    precautions: list[Text] = Field(default_factory=list)
    sources: Sources


class Section(Item):
    id: Id
    label: Text


class Step(Item):
    technique: Id
    regions: list[Id] = Field(min_length=1)
    section: Id | None = None
    phase: Text | None = None
    minutes: float | None = Field(default=None, gt=0, le=120)
    repetitions: int | None = Field(default=None, ge=1, le=100)
    position: (
        Literal["supine", "prone", "side_lying", "sitting", "held", "standing", "as_tolerated"] | None
    ) = None
    pressure: PressureName | None = None
    optional: bool = False  # chosen per client ("if warranted"), not part of every session
    note: Text | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> Step:
        if self.minutes is not None and self.repetitions is not None:
            raise ValueError("give minutes or repetitions, not both")
        return self


class Routine(Item):
    id: Id
    name: Text
    population: Id
    description_parent: Text
    description_clinician: Text
    sections: list[Section] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    sources: Sources


class DosePhase(Item):
    label: Text
    weeks: int = Field(ge=1, le=104)
    sessions: int = Field(ge=1, le=500)


class Dose(Evidenced):
    sessions_per_day: int | None = Field(default=None, ge=1, le=12)
    session_minutes: float | None = Field(default=None, gt=0, le=180)
    days: int | None = Field(default=None, ge=1, le=730)
    sessions_per_week: int | None = Field(default=None, ge=1, le=21)
    weeks: int | None = Field(default=None, ge=1, le=104)
    phases: list[DosePhase] = Field(default_factory=list)
    timing: Text | None = None
    sources: Sources


class ClassWeek(Item):
    week: int = Field(ge=1, le=12)
    sections: list[Id] = Field(default_factory=list)
    note: Text


class PrepItem(Evidenced):
    text: Text
    sources: Sources


class EvidenceSummary(Item):
    summary_parent: Text
    summary_clinician: Text
    sources: Sources


Deliverer = Literal["parent", "therapist"]
DELIVERERS: tuple[Deliverer, ...] = ("parent", "therapist")


# When a protocol collects a measure: before the programme, with each session, every day, once a week, or
# at the end. The outcomes app checks the plan's measurements against these (care/measures_due.py).
Occasion = Literal["baseline", "each_session", "daily", "weekly", "end"]
OCCASIONS: tuple[Occasion, ...] = ("baseline", "each_session", "daily", "weekly", "end")
OCCASION_LABELS: dict[str, str] = {
    "baseline": "Before the programme",
    "each_session": "With each session",
    "daily": "Every day",
    "weekly": "Once a week",
    "end": "At the end",
}


class MeasureTiming(Evidenced):
    measures: list[Id] = Field(min_length=1)
    when: list[Occasion] = Field(min_length=1)
    sources: Sources

    @model_validator(mode="after")
    def _occasions_once(self) -> MeasureTiming:
        if len(set(self.when)) != len(self.when):
            raise ValueError("an occasion is listed twice in 'when'")
        return self


class Protocol(Evidenced):
    id: Id
    name: Text
    population: Id
    other_populations: list[Id] = Field(default_factory=list)
    summary_parent: Text
    summary_clinician: Text
    routines: list[Id] = Field(min_length=1)
    dose: Dose
    preparation: list[PrepItem] = Field(default_factory=list)
    class_progression: list[ClassWeek] = Field(default_factory=list)
    session_checks: list[Id] = Field(default_factory=list)
    outcome_measures: list[Id] = Field(min_length=1)
    measurement_timing: list[MeasureTiming] = Field(min_length=1)
    evidence: EvidenceSummary
    # Who may give a session: a parent or caregiver, a therapist (or nurse), or both. A parent's session of
    # a therapist-only programme is refused when it would start.
    delivered_by: list[Deliverer] = Field(default_factory=lambda: list(DELIVERERS), min_length=1)
    sources: Sources

    @property
    def populations(self) -> tuple[str, ...]:
        return (self.population, *self.other_populations)


class Measure(Item):
    id: Id
    label: Text
    kind: Literal[
        "growth",
        "behaviour",
        "pain",
        "motor",
        "function",
        "clinical",
        "quality_of_life",
        "diary",
        "patient_reported",
    ]
    # How the app records it: with these outcome instruments (ids in outcomes/instruments/catalogue), or
    # in the session player (behavioural state taps). Neither: not recorded in Kneadwell yet.
    instruments: list[Id] = Field(default_factory=list)
    any_instrument: bool = False  # True: any one of `instruments` will do; False: each is needed
    in_session: bool = False
    # Recorded through a measure each organisation defines for itself (outcomes: OrganisationMeasure),
    # because the recognised instrument is licensed and Kneadwell cannot ship its items; `note` says so.
    organisation_defined: bool = False
    note: Text | None = None
    sources: Sources
