"""Safety screening: may this client have this protocol today, and if so how?

Pure (no Django). The whole API:

    verdict = screen(
        library=library,                 # loader.load_library() / default_library()
        protocol_id="preterm_tks_10d",
        client=ClientFacts.from_birth(population="preterm_infant", birth_date=..., on=today,
                                      gestation_weeks=30, gestation_days=2, conditions={"jaundice"}),
        intake={...},                    # intake answers keyed by question id (intake.yaml)
        today={...},                     # today's-check answers keyed by question id (readiness.yaml)
        settings=ScreeningSettings.for_library(library, org_overrides),
        now=aware_datetime,
        released={"jaundice": GivenRelease("jaundice", finding={...})},  # or a set of rule ids
    )

verdict.action is one of Action: go, modify, avoid-areas, needs-release, stop, with precedence
stop > needs-release > avoid-areas > modify > go. verdict.reasons lists every rule that fired, most
serious first, each with parent and clinician text, what to do instead, source ids, the regions taken
out, the modifications, the settings used (value and whether it is the default), the answers that were
missing, and when the reason will lapse on its own (retry_after, for waits such as after a feed).

Rules fire when their condition holds or cannot be ruled out because an answer they need is missing
(missing answers are named in `unanswered` and in the reason's note). An avoid-areas rule that cannot
tell which regions to avoid becomes needs-release (`escalated`). A clinician release only lifts
needs-release reasons; a stop is never lifted (`blocks` is true for stop and unreleased needs-release).

The client's population must be one its record allows (population.allowed_populations); answers that
contradict each other (a follow-up answered although its question says it does not apply) are refused.
A release lifts a reason only while the finding is the one released or milder (findings.release_covers).

Bad input raises ValueError subclasses naming the field: AnswerError (answers, contradictions),
ScreeningInputError (protocol, population, conditions, time).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from kneadwell.library.answers import AnswerError, clean_answers
from kneadwell.library.findings import contradictions, finding_of, release_covers
from kneadwell.library.org_settings import ScreeningSettings, SettingUse
from kneadwell.library.population import allowed_populations
from kneadwell.library.predicates import evaluate
from kneadwell.library.schema import Pressure, Protocol, Rule

if TYPE_CHECKING:
    from kneadwell.library.catalog import Library


class Action(StrEnum):
    GO = "go"
    MODIFY = "modify"
    AVOID_AREAS = "avoid-areas"
    NEEDS_RELEASE = "needs-release"
    STOP = "stop"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Action.GO: 0, Action.MODIFY: 1, Action.AVOID_AREAS: 2, Action.NEEDS_RELEASE: 3, Action.STOP: 4}


class ScreeningInputError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClientFacts:
    """What the screening needs to know about the client beyond today's answers.

    Ages in days. gestation_weeks is completed weeks at birth (25+5 counts as 25, AAP 2004 [S67]).
    corrected_age_days = age - (280 - gestation in days); postmenstrual_age_days = gestation + age.
    """

    population: str
    conditions: frozenset[str] = frozenset()
    birth_date: date | None = None
    age_days: int | None = None
    gestation_weeks: int | None = None
    gestation_days: int | None = None
    corrected_age_days: int | None = None
    postmenstrual_age_days: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", frozenset(self.conditions))
        if self.gestation_weeks is not None and not 22 <= self.gestation_weeks <= 44:
            raise ScreeningInputError("gestation_weeks", "expected 22 to 44 completed weeks")
        if self.gestation_days is not None and not 0 <= self.gestation_days <= 6:
            raise ScreeningInputError("gestation_days", "expected 0 to 6 days")
        if self.age_days is not None and self.age_days < 0:
            raise ScreeningInputError("age_days", "cannot be negative")

    @classmethod
    def from_birth(
        cls,
        *,
        population: str,
        birth_date: date,
        on: date,
        gestation_weeks: int | None = None,
        gestation_days: int = 0,
        conditions: Iterable[str] = (),
    ) -> ClientFacts:
        """Facts on the day `on`. Without a gestation, corrected and postmenstrual ages stay unknown."""
        age = (on - birth_date).days
        if age < 0:
            raise ScreeningInputError("birth_date", "is after the screening date")
        corrected = pma = None
        if gestation_weeks is not None:
            if not 22 <= gestation_weeks <= 44:
                raise ScreeningInputError("gestation_weeks", "expected 22 to 44 completed weeks")
            if not 0 <= gestation_days <= 6:
                raise ScreeningInputError("gestation_days", "expected 0 to 6 days")
            gestation = gestation_weeks * 7 + gestation_days
            corrected, pma = age - (280 - gestation), gestation + age
        return cls(
            population=population,
            conditions=frozenset(conditions),
            birth_date=birth_date,
            age_days=age,
            gestation_weeks=gestation_weeks,
            gestation_days=gestation_days if gestation_weeks is not None else None,
            corrected_age_days=corrected,
            postmenstrual_age_days=pma,
        )

    def fitting_populations(self) -> set[str] | None:
        """The groups the record allows, or None when the birth date is not known."""
        if self.birth_date is None or self.age_days is None:
            return None
        return allowed_populations(
            birth_date=self.birth_date,
            on=self.birth_date + timedelta(days=self.age_days),
            gestation_weeks=self.gestation_weeks,
            gestation_days=self.gestation_days,
            conditions=self.conditions,
        )

    def fact(self, name: str) -> float | None:
        if name == "postmenstrual_age_weeks":
            return None if self.postmenstrual_age_days is None else self.postmenstrual_age_days / 7
        value = getattr(self, name)
        return None if value is None else float(value)


@dataclass(frozen=True)
class Modifications:
    max_pressure: str | None = None
    minutes_factor: float | None = None
    exclude_techniques: tuple[str, ...] = ()
    no_joint_movement_at: tuple[str, ...] = ()
    no_oil: bool = False
    ask_permission: bool = False  # ask (and record) the client's yes before every step

    def merge(self, other: Modifications) -> Modifications:
        """The stricter of each limit."""
        pressures = [p for p in (self.max_pressure, other.max_pressure) if p is not None]
        factors = [f for f in (self.minutes_factor, other.minutes_factor) if f is not None]
        return Modifications(
            max_pressure=min(pressures, key=lambda p: Pressure[p]) if pressures else None,
            minutes_factor=min(factors) if factors else None,
            exclude_techniques=tuple(sorted({*self.exclude_techniques, *other.exclude_techniques})),
            no_joint_movement_at=tuple(sorted({*self.no_joint_movement_at, *other.no_joint_movement_at})),
            no_oil=self.no_oil or other.no_oil,
            ask_permission=self.ask_permission or other.ask_permission,
        )

    @property
    def empty(self) -> bool:
        return self == Modifications()


@dataclass(frozen=True)
class GivenRelease:
    """A clinician's release of one rule, for the finding as it was when released (Reason.finding)."""

    rule_id: str
    finding: Mapping[str, Any] | None = None  # None: released for the finding as it is now
    given_on: date | None = None
    given_by: str = ""
    not_counted: str | None = None  # why it does not count here (it has ended; given by this same person)


@dataclass(frozen=True)
class Reason:
    rule_id: str
    title: str
    category: str
    action: Action
    parent_text: str
    clinician_text: str
    instead: str
    sources: tuple[str, ...]
    basis: str
    evidence_note: str | None = None
    regions: tuple[str, ...] = ()  # body-map areas taken out (groups expanded)
    modifications: Modifications | None = None
    settings: tuple[SettingUse, ...] = ()
    unanswered: tuple[str, ...] = ()
    note: str | None = None  # plain words: why an answer gap or a region gap changed things
    retry_after: datetime | None = None
    escalated: bool = False  # an avoid-areas rule that could not name its regions
    released: bool = False  # a needs-release reason a clinician has released
    # What the rule read, as it stands now (answers, conditions, facts, findings named in free text): a
    # release is given for exactly this, and a worse or new value voids it.
    finding: Mapping[str, Any] = field(default_factory=dict)
    release_void: str | None = None  # why a release that exists no longer applies


@dataclass(frozen=True)
class Verdict:
    action: Action
    protocol_id: str
    population: str
    content_version: str
    reasons: tuple[Reason, ...] = ()
    avoided_regions: tuple[str, ...] = ()
    modifications: Modifications = field(default_factory=Modifications)
    unanswered: tuple[str, ...] = ()
    retry_after: datetime | None = None

    @property
    def blocks(self) -> bool:
        """True when the session must not start today (stop, or a release still outstanding)."""
        return self.action in (Action.STOP, Action.NEEDS_RELEASE)

    @property
    def active_reasons(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if not r.released)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, for the API and for storing with the session record."""
        data = asdict(self)
        data["blocks"] = self.blocks

        def plain(value: Any) -> Any:
            if isinstance(value, datetime | date):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list | tuple):
                return [plain(v) for v in value]
            return value.value if isinstance(value, Action) else value

        result: dict[str, Any] = plain(data)
        return result


class _Context:
    """Implements predicates.Context over one client's facts and answers."""

    def __init__(
        self,
        library: Library,
        client: ClientFacts,
        protocol: Protocol,
        answers: Mapping[str, Mapping[str, Any]],
        settings: ScreeningSettings,
        now: datetime,
    ) -> None:
        self._library, self._client, self._answers, self._settings = library, client, answers, settings
        self.now = now
        self.population = client.population
        self.conditions = client.conditions
        self.protocol_populations = frozenset(protocol.populations)

    def answer(self, question_id: str) -> Any:
        scope = self._library.questions[question_id].scope
        return self._answers[scope].get(question_id)

    def fact(self, name: str) -> float | None:
        return self._client.fact(name)

    def setting(self, setting_id: str) -> float:
        return self._settings.value(setting_id)

    def setting_unit(self, setting_id: str) -> str:
        return self._settings.unit(setting_id)

    def setting_use(self, setting_id: str) -> SettingUse:
        return self._settings.use(setting_id)


def _regions_for(library: Library, rule: Rule, ctx: _Context) -> tuple[set[str], list[str]]:
    """The areas an avoid-areas rule takes out, and the region questions left unanswered."""
    assert rule.regions is not None
    chosen: set[str] = set(rule.regions.fixed)
    missing: list[str] = []
    for qid in rule.regions.from_answers:
        value = ctx.answer(qid)
        if value is None:
            missing.append(qid)
        else:
            chosen.update(value)
    areas = library.areas_of(chosen)
    if rule.regions.whole_limb:
        for area in list(areas):
            areas.update(library.limb_of(area))
    if rule.regions.include_distal:
        for area in list(areas):
            areas.update(library.distal_of(area))
    return library.areas_of(areas), missing


def _label(library: Library, item: str) -> str:
    if item.startswith("client."):
        return {"client.postmenstrual_age_weeks": "postmenstrual age (needs birth date and gestation)"}.get(
            item, item.removeprefix("client.").replace("_", " ")
        )
    return f'"{library.questions[item].label}"'


# --- one rule ---------------------------------------------------------------------------------------


def _reason(
    library: Library, rule: Rule, ctx: _Context, released: Mapping[str, GivenRelease]
) -> Reason | None:
    outcome = evaluate(rule.when, ctx)
    if outcome.value is False:
        return None
    unanswered = sorted(outcome.missing)
    action = Action(rule.action)
    regions: set[str] = set()
    escalated = False
    notes: list[str] = []
    if unanswered:
        notes.append(
            "Not answered: "
            + "; ".join(_label(library, q) for q in unanswered)
            + ". Treated as if it applies."
        )
    if outcome.value is True:
        overruled = [q for q in rule.overrules if ctx.answer(q) is False]
        if overruled:
            notes.append(
                "; ".join(_label(library, q) for q in overruled)
                + " was answered no, but a measured value says otherwise: the more cautious reading is used."
            )
    finding = finding_of(rule, ctx)
    if finding.get("text"):
        notes.append("The history's own words mention: " + ", ".join(finding["text"]) + ".")
    if rule.action == "avoid-areas":
        regions, missing_regions = _regions_for(library, rule, ctx)
        unanswered += [q for q in missing_regions if q not in unanswered]
        if not regions:
            action, escalated = Action.NEEDS_RELEASE, True
            notes.append("We could not tell which area to leave out, so a clinician must confirm first.")
    settings = tuple(ctx.setting_use(s) for s in sorted(outcome.settings))
    mods = None
    if rule.modifications is not None:
        m = rule.modifications
        mods = Modifications(
            max_pressure=m.max_pressure,
            minutes_factor=m.minutes_factor,
            exclude_techniques=tuple(m.exclude_techniques),
            no_joint_movement_at=tuple(m.no_joint_movement_at),
            no_oil=m.no_oil,
            ask_permission=m.ask_permission,
        )
    is_released, void = False, None
    given = released.get(rule.id)
    liftable = action is Action.NEEDS_RELEASE or (rule.releasable and action is Action.AVOID_AREAS)
    if given is not None and liftable:
        void = given.not_counted
        if void is None and given.finding is not None:
            void = release_covers(library, rule, given.finding, finding)
        if void is None:
            is_released = True
        else:
            when = f" on {given.given_on:%-d %b %Y}" if given.given_on else ""
            who = f" by {given.given_by}" if given.given_by else ""
            void = f"The release given{who}{when} does not apply: {void}."
            notes.append(void)
    return Reason(
        rule_id=rule.id,
        title=rule.title,
        category=rule.category,
        action=action,
        parent_text=rule.text_parent,
        clinician_text=rule.text_clinician,
        instead=rule.instead,
        sources=tuple(rule.sources),
        basis=rule.basis,
        evidence_note=rule.evidence_note,
        regions=tuple(sorted(regions)),
        modifications=mods,
        settings=settings,
        unanswered=tuple(unanswered),
        note=" ".join(notes) or None,
        retry_after=outcome.retry_after if outcome.value is True else None,
        escalated=escalated,
        released=is_released,
        finding=finding,
        release_void=void,
    )


def screen(
    *,
    library: Library,
    protocol_id: str,
    client: ClientFacts,
    intake: Mapping[str, Any],
    today: Mapping[str, Any],
    settings: ScreeningSettings,
    now: datetime,
    released: Collection[str] | Mapping[str, GivenRelease] = frozenset(),
) -> Verdict:
    protocol = library.protocols.get(protocol_id)
    if protocol is None:
        raise ScreeningInputError("protocol_id", f"unknown protocol '{protocol_id}'")
    if client.population not in library.populations:
        raise ScreeningInputError("population", f"unknown population '{client.population}'")
    unknown = sorted(client.conditions - set(library.conditions))
    if unknown:
        raise ScreeningInputError("conditions", f"unknown condition(s): {', '.join(unknown)}")
    if now.tzinfo is None or now.utcoffset() is None:
        raise ScreeningInputError("now", "needs a time zone")
    fitting = client.fitting_populations()
    if fitting is not None and client.population not in fitting:
        names = " or ".join(f'"{library.populations[p].label}"' for p in sorted(fitting))
        raise ScreeningInputError(
            "population",
            f'"{library.populations[client.population].label}" does not fit this client\'s birth date, '
            f"gestation and conditions: the record says {names}.",
        )
    answers = {
        "intake": clean_answers(library, "intake", intake, now=now),
        "today": clean_answers(library, "today", today, now=now),
    }
    contradicting = contradictions(library, answers)
    if contradicting:
        raise AnswerError(contradicting)
    given = (
        dict(released)
        if isinstance(released, Mapping)
        else {rule_id: GivenRelease(rule_id) for rule_id in released}
    )
    ctx = _Context(library, client, protocol, answers, settings, now)
    reasons = [
        reason
        for rule in library.rules_for(protocol_id, client.population)
        if (reason := _reason(library, rule, ctx, given)) is not None
    ]
    reasons.sort(key=lambda r: (r.released, -r.action.rank))  # stable: file order within a rank
    active = [r for r in reasons if not r.released]
    action = max((r.action for r in active), key=lambda a: a.rank, default=Action.GO)
    mods = Modifications()
    for r in active:
        if r.modifications is not None:
            mods = mods.merge(r.modifications)
    stops = [r for r in active if r.action is Action.STOP]
    retry = None
    if action is Action.STOP and all(r.retry_after is not None for r in stops):
        retry = max(r.retry_after for r in stops if r.retry_after is not None)
    return Verdict(
        action=action,
        protocol_id=protocol_id,
        population=client.population,
        content_version=str(library.version),
        reasons=tuple(reasons),
        avoided_regions=tuple(
            sorted({a for r in active if r.action is Action.AVOID_AREAS for a in r.regions})
        ),
        modifications=mods,
        unanswered=tuple(sorted({q for r in active for q in r.unanswered})),
        retry_after=retry,
    )


__all__ = [
    "Action",
    "ClientFacts",
    "GivenRelease",
    "Modifications",
    "Reason",
    "ScreeningInputError",
    "Verdict",
    "contradictions",
    "release_covers",
    "screen",
]
