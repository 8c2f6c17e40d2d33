"""A measurement on its way in, shared by recording and imports: drafted from the answers, scored, checked
(the instrument's ranges, the date rules, growth plausibility against the reference, each other and what is
saved), and saved with its audit row. The plausibility policy is in the package's docstring."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import create_audited
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.content.loader import current_version
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed
from kneadwell.outcomes import instruments
from kneadwell.outcomes.growth import Finding, Observation, check_plausibility
from kneadwell.outcomes.instruments import ConfirmationRequired, Instrument, InstrumentValidationError, Kind
from kneadwell.outcomes.instruments.organisation import parse_measure_id
from kneadwell.outcomes.instruments.versions import scoring_version
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.scores import ScoreColumns, score_columns, to_json
from kneadwell.outcomes.selectors.organisation_measures import measure_entry

CONFIRM_FIELD = "confirm_unusual"
# English source (gettext_noop), translated where raised.
CONFIRM_MESSAGE = gettext_noop(
    "Possible, but unusual: check it (re-measure, look at the unit). To keep it, confirm that you checked "
    "it (on the page: tick “I have checked this value”; in the API: send confirm_unusual=true); it is then "
    "kept and flagged as unusual."
)
# A clock a few minutes fast on a phone should not refuse a weight taken just now.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_NOTES = 5000
MAX_REASON = 2000
MAX_SERIES_ROWS = 62  # two months of daily weights in one form
MEASUREMENT_FIELDS = (
    "instrument_id",
    "taken_at",
    "context",
    "value",
    "unit",
    "total",
    "band",
    "site",
    "side",
    "confirmed_unusual",
    "instrument_version",
    "scoring_version",
)


class UnusualValue(ValidationFailed):
    """Every problem is a possible-but-unusual value the person has not confirmed yet. `errors` names the
    fields (plus `confirm_unusual`, the input that keeps them); `warnings` are the messages that will be kept
    on the record if they confirm."""

    def __init__(self, errors: dict[str, list[str]], warnings: list[str]) -> None:
        super().__init__(errors)
        self.warnings = warnings


# --- drafts: one measurement checked, not yet saved -------------------------------------------------


@dataclass
class _Draft:
    client: Client
    instrument: Instrument | None
    taken_at: dt.datetime | None
    context: str
    notes: str
    answers: dict[str, Any]
    confirm: bool
    columns: ScoreColumns | None = None
    errors: dict[str, list[str]] = field(default_factory=dict)
    unusual: dict[str, list[str]] = field(default_factory=dict)
    unusual_kept: list[str] = field(default_factory=list)  # message + rule, as stored when confirmed

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def flag(self, name: str, message: str, rule: str = "") -> None:
        self.unusual.setdefault(name, []).append(message)
        self.unusual_kept.append(f"{message} (rule: {rule})" if rule else message)

    @property
    def day(self) -> dt.date:
        assert self.taken_at is not None
        return timezone.localtime(self.taken_at).date()

    @property
    def usable(self) -> bool:
        return not self.errors and self.columns is not None


def _aware(taken_at: object) -> dt.datetime | None:
    """A date becomes 12:00 local time (a day's measurement stays on that day in any display), or now for
    today before noon; a naive date-time is read as local time."""
    if isinstance(taken_at, dt.datetime):
        if timezone.is_naive(taken_at):
            return timezone.make_aware(taken_at)
        return taken_at
    if isinstance(taken_at, dt.date):
        noon = timezone.make_aware(dt.datetime.combine(taken_at, dt.time(12, 0)))
        return min(noon, timezone.now()) if taken_at == timezone.localdate() else noon
    return None


def _instrument_for(client: Client, instrument_id: str) -> tuple[Instrument | None, str]:
    """The instrument to score with, and why it cannot be used ("" when it can). An organisation's own
    measure must be the client's organisation's, published and not retired."""
    if parse_measure_id(instrument_id) is not None:
        entry = measure_entry(instrument_id, organisation_id=client.organisation_id)
        if entry is None:
            return None, ""
        if entry.retired:
            return None, (
                _("%(instrument)s is retired in your organisation: it can be read but no longer recorded.")
                % {"instrument": entry.instrument.name}
            )
        return entry.instrument, ""
    try:
        return instruments.get_instrument(instrument_id), ""
    except InstrumentValidationError:
        return None, ""


def _instrument_field(name: str) -> str:
    return "instrument_id" if name == "instrument" else name


def _draft(
    *,
    client: Client,
    instrument_id: str,
    answers: object,
    taken_at: object,
    context: str,
    notes: str,
    confirm: bool,
    scored_with: tuple[str, str] = ("", ""),
) -> _Draft:
    """`scored_with`: the (instrument, scoring) versions an imported row says it was scored with; a row
    that would now be scored with others is refused, never recorded with another result unseen."""
    instrument, refusal = _instrument_for(client, str(instrument_id))
    try:
        when = _aware(taken_at)
        if when is not None and not 1900 <= timezone.localtime(when).year <= 2200:
            when = None
    except (OverflowError, ValueError):  # the far edges of the calendar cannot be put in a time zone
        when = None
    draft = _Draft(
        client=client,
        instrument=instrument,
        taken_at=when,
        context=context,
        notes=notes,
        answers={},
        confirm=confirm,
    )
    if refusal:
        draft.error("instrument_id", refusal)
    elif instrument is not None and any(scored_with):
        now = (instrument.version, scoring_version(instrument))
        if tuple(w or n for w, n in zip(scored_with, now, strict=True)) != now:
            draft.error(
                "instrument_version",
                _(
                    "It was scored with version %(version)s of %(instrument)s (scoring rule %(rule)s); it "
                    "would now be scored with version %(now)s (rule %(now_rule)s) and could get another "
                    "result. Leave the row out, or empty its instrument_version and scoring_version to score "
                    "the answers with version %(now)s."
                )
                % {
                    "version": scored_with[0] or now[0],
                    "instrument": instrument.name,
                    "rule": scored_with[1] or now[1],
                    "now": now[0],
                    "now_rule": now[1],
                },
            )
    elif instrument is None:
        shown = ", ".join(i.id for i in instruments.list_instruments())
        draft.error(
            "instrument_id",
            _("Unknown instrument “%(instrument)s”. Choose one of: %(known)s.")
            % {"instrument": str(instrument_id)[:64], "known": shown},
        )
    if context not in Measurement.Context.values:
        contexts = ", ".join(Measurement.Context.values)
        draft.error("context", _("Choose one of: %(values)s.") % {"values": contexts})
    if len(notes) > MAX_NOTES:
        draft.error("notes", _("Notes are limited to %(limit)s characters.") % {"limit": MAX_NOTES})
    if when is None:
        draft.error(
            "taken_at", _("Enter when the measurement was taken, as a date and time from 1900 to 2200.")
        )
    elif when > timezone.now() + FUTURE_TOLERANCE:
        draft.error("taken_at", _("The time the measurement was taken is in the future."))
    elif timezone.localtime(when).date() < client.birth_date:
        draft.error(
            "taken_at",
            _("The measurement is dated before %(name)s’s date of birth (%(birth)s).")
            % {"name": client.given_name, "birth": dateformat.format(client.birth_date, "j M Y")},
        )
    if not isinstance(answers, Mapping):
        draft.error("answers", _("Give the answers as an object of item ids and values."))
        return draft
    # Confirmation is the service's decision (the `confirm_unusual` input), never an answer sent along.
    draft.answers = {str(k): v for k, v in answers.items() if k != "confirmed"}
    if instrument is not None:
        _score(draft, instrument)
    return draft


def _score(draft: _Draft, instrument: Instrument) -> None:
    answers = draft.answers
    scorer = instruments.scorer_for(instrument)
    try:
        try:
            # The instrument looked up once, so the result, its version and its scoring version agree.
            score = scorer(instrument, answers)
        except ConfirmationRequired as unusual:
            for name, message in unusual.errors:
                draft.flag(_instrument_field(name), _sentence(message))
            # Score it as confirmed to learn the values (growth checks need them); kept only if confirmed.
            score = scorer(instrument, {**answers, "confirmed": True})
            if draft.confirm:
                draft.answers = {**answers, "confirmed": True}
    except InstrumentValidationError as exc:
        for name, message in exc.errors:
            draft.error(_instrument_field(name), _sentence(message))
        if instrument.growth is not None and "value" in draft.errors:
            hint = _unit_hint(draft, instrument)
            if hint:
                draft.errors["value"].append(hint)
        return
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError):
        # Answers of the wrong shape (a list where a number belongs ...) that the scorer did not name.
        draft.error(
            "answers",
            _("The answers are not in the shape %(instrument)s takes (see the instrument's items).")
            % {"instrument": instrument.name},
        )
        return
    draft.columns = score_columns(instrument, score)


def _sentence(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "?", "!")) else message + "."


def _unit_hint(draft: _Draft, instrument: Instrument) -> str:
    """For a weight, length or head circumference refused as impossible: would the number be ordinary in the
    instrument's other unit (grams typed as kilograms, or the reverse)?"""
    if instrument.growth is None:
        return ""
    method = instrument.growth.method
    try:
        number = float(str(draft.answers.get("value", "")).strip())
    except ValueError:
        return ""
    units = {str(u["unit"]): float(u["factor"]) for u in instrument.extra["units"]}
    entered = str(draft.answers.get("unit") or instrument.extra["canonical_unit"])
    if entered not in units or draft.taken_at is None:
        return ""
    client = draft.client
    for other, factor in units.items():
        if other == entered:
            continue
        canonical = number * factor
        findings = check_plausibility(
            [Observation(draft.day, method, canonical)],
            sex=client.sex,
            birth_date=client.birth_date,
            gestation_weeks=client.gestation_weeks,
            gestation_days=client.gestation_days,
        )
        if not findings and canonical > 0:
            return _("It looks like the value is in %(other)s: did you mean %(number)g %(other2)s?") % {
                "other": other,
                "number": number,
                "other2": other,
            }
    return ""


# --- growth plausibility --------------------------------------------------------------------------


def _finding_key(f: Finding) -> tuple[object, ...]:
    return (f.index, f.level, f.field, f.message)


def _neighbours(
    existing: list[tuple[dt.date, float]], days: Iterable[dt.date]
) -> list[tuple[dt.date, float]]:
    """The existing measurements right before and right after each new date (by date; same-day ones count
    as before), which is all the serial checks compare a new value with."""
    dates = [d for d, _ in existing]  # sorted by the caller
    keep: set[int] = set()
    for day in days:
        cut = bisect.bisect_right(dates, day)  # existing[:cut] are on or before the day
        if cut > 0:
            keep.add(cut - 1)
        if cut < len(existing):
            keep.add(cut)
    return [existing[i] for i in sorted(keep)]


def _plausibility(client: Client, observations: list[Observation]) -> list[Finding]:
    return check_plausibility(
        observations,
        sex=client.sex,
        birth_date=client.birth_date,
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
    )


def _growth_check(client: Client, drafts: Sequence[_Draft]) -> None:
    """Check new weights, lengths and head circumferences against the reference for age and sex, against
    each other and against the client's saved measurements; add errors and flags to the drafts."""
    groups: dict[str, list[_Draft]] = {}
    for d in drafts:
        if d.usable and d.instrument is not None and d.instrument.growth is not None:
            assert d.columns is not None
            if d.columns.value is not None:
                groups.setdefault(d.instrument.id, []).append(d)
    for instrument_id, group in groups.items():
        first = group[0].instrument
        assert first is not None
        assert first.growth is not None
        method = first.growth.method
        saved = sorted(
            (timezone.localtime(t).date(), v)
            for t, v in Measurement.objects.filter(
                client_id=client.pk, instrument_id=instrument_id, entered_in_error_at__isnull=True
            ).values_list("taken_at", "value")
            if v is not None
        )
        base = [Observation(d, method, v) for d, v in _neighbours(saved, (g.day for g in group))]
        new = [Observation(g.day, method, float(g.columns.value or 0)) for g in group if g.columns]
        already = {_finding_key(f) for f in _plausibility(client, base)} if base else set()
        every = base + new
        order = sorted(range(len(every)), key=lambda i: (every[i].date, i))
        previous = {order[k]: order[k - 1] for k in range(1, len(order))}
        for finding in _plausibility(client, every):
            if finding.index is None:
                continue
            if finding.index >= len(base):
                target = group[finding.index - len(base)]
            elif _finding_key(finding) not in already and previous.get(finding.index, -1) >= len(base):
                # A saved value that now looks wrong next to the new one: the new one is the suspect.
                target = group[previous[finding.index] - len(base)]
            else:
                continue
            name = "taken_at" if finding.field == "observation_date" else "value"
            if finding.level == "impossible":
                target.error(name, finding.message)
            else:
                target.flag(name, finding.message, finding.basis)


# --- saving ---------------------------------------------------------------------------------------


def _check_client(actor: Actor, client: Client) -> None:
    """The client must be one the actor may see (their organisation; a caregiver's own child)."""
    if not client_queryset(actor=actor, include_archived=True).filter(pk=client.pk).exists():
        raise NotFound(_("No such client."))
    if client.archived_at is not None:
        raise DomainError(_("This client's record is archived; nothing new can be recorded for them."))


def _collect(drafts: Sequence[tuple[str, _Draft]]) -> None:
    """Raise for the drafts as a whole: errors first (with any unusual values, so everything is seen at
    once), then unusual values not yet confirmed."""
    errors: dict[str, list[str]] = {}
    unusual: dict[str, list[str]] = {}
    kept: list[str] = []
    for prefix, d in drafts:
        for name, messages in d.errors.items():
            errors.setdefault(prefix + name, []).extend(messages)
        if not d.confirm:
            for name, messages in d.unusual.items():
                unusual.setdefault(prefix + name, []).extend(messages)
            kept.extend(d.unusual_kept)
    if errors:
        for name, messages in unusual.items():
            errors.setdefault(name, []).extend(messages)
        raise ValidationFailed(errors)
    if unusual:
        raise UnusualValue({**unusual, CONFIRM_FIELD: [_(CONFIRM_MESSAGE)]}, kept)


def _summary(draft: _Draft) -> str:
    inst = draft.instrument
    cols = draft.columns
    assert inst is not None
    assert cols is not None
    if inst.kind is Kind.MEASUREMENT:
        entered = cols.details.get("entered_value")
        unit = cols.details.get("entered_unit", cols.unit)
        what = f"{entered:g} {unit}" if isinstance(entered, int | float) else f"{cols.value} {cols.unit}"
    elif cols.total is not None:
        what = f"total {cols.total:g}"
    else:
        what = f"{len(cols.subscores) or 'its'} item(s)"
    return f"recorded {inst.name}: {what}"[:500]


def _save(actor: Actor, drafts: Sequence[_Draft], *, imported_from: str = "") -> list[Measurement]:
    saved = []
    for d in drafts:
        assert d.instrument is not None
        assert d.columns is not None
        assert d.taken_at is not None
        cols = d.columns
        m = Measurement(
            organisation_id=d.client.organisation_id,
            client=d.client,
            instrument_id=d.instrument.id,
            taken_at=d.taken_at,
            context=d.context,
            answers=to_json(d.answers),
            value=cols.value,
            unit=cols.unit,
            total=cols.total,
            subscores=cols.subscores,
            band=cols.band[:40],
            band_label=cols.band_label[:200],
            details=cols.details,
            warnings=cols.warnings,
            site=cols.site[:64],
            side=cols.side[:8],
            confirmed_unusual=bool(d.unusual_kept),
            confirmed_warnings=d.unusual_kept,
            notes=d.notes,
            recorded_by=actor.user,
            content_version=str(current_version()),
            instrument_version=d.instrument.version,
            scoring_version=scoring_version(d.instrument),
        )
        changes = snapshot(m, MEASUREMENT_FIELDS)
        summary = _summary(d) + (" (unusual, confirmed)" if m.confirmed_unusual else "")
        if imported_from:
            changes["imported_from"] = imported_from
            summary = f"{summary} — imported from {imported_from}"[:500]
        create_audited(
            actor=actor,
            obj=m,
            entity="measurement",
            client_id=d.client.pk,
            summary=summary,
            changes=changes,
        )
        saved.append(m)
    return saved
