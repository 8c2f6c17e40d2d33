"""A study's design: created, given arms and outcomes while it is being designed, opened to recruitment
once it is complete (arms, a control, a primary outcome, an allocation list), and closed. The design is
fixed once recruiting: an analysis planned after seeing data is what a sceptical reviewer distrusts."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import create_audited, edit_audited
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.methods.eligibility import CriteriaError, parse_criteria
from kneadwell.evaluation.methods.outcomes import MEASURES, OutcomeSpec
from kneadwell.evaluation.models import Arm, Study, StudyOutcome
from kneadwell.evaluation.services.common import Errors, lines, text
from kneadwell.library.selectors import library
from kneadwell.outcomes.instruments import InstrumentValidationError, get_instrument
from kneadwell.outcomes.instruments.organisation import parse_measure_id

CODE = re.compile(r"^[A-Z][A-Z0-9]{1,11}$")
SLUG = re.compile(r"^[a-z][a-z0-9_]{0,19}$")
VARIABLE = re.compile(r"^[a-z][a-z0-9_]{0,29}$")
MAX_TARGET = 10_000
STUDY_FIELDS = (
    "code",
    "title",
    "question",
    "population",
    "eligibility",
    "screener_checks",
    "target_size",
    "registration",
    "strata",
    "sites",
    "gestation_cuts",
    "block_sizes",
    "status",
)
ERR_NOT_DRAFT = gettext_noop("The design is fixed once the study recruits; it can no longer be changed.")


def study_create(
    *,
    actor: Actor,
    code: str,
    title: str,
    question: str,
    population: str,
    eligibility: str = "",
    screener_checks: Sequence[str] = (),
    target_size: int,
    registration: str = "",
    strata: Sequence[str] = (),
    sites: Sequence[str] = (),
    gestation_cuts: Sequence[int] = (),
    block_sizes: Sequence[int] = (2, 4),
) -> Study:
    actor.require(Perm.STUDY_MANAGE)
    errors = Errors()
    code = (code or "").strip().upper()
    if not CODE.match(code):
        errors.add("code", _("2 to 12 capital letters or digits, starting with a letter (e.g. TKS)."))
    values: dict[str, Any] = {
        "title": text(errors, "title", title, limit=200),
        "question": text(errors, "question", question, limit=2000),
        "population": text(errors, "population", population, limit=2000),
        "registration": text(errors, "registration", registration, required=False, limit=80),
        "screener_checks": lines(errors, "screener_checks", screener_checks, limit=300),
    }
    try:
        values["eligibility"] = parse_criteria(eligibility or "")
    except CriteriaError as exc:
        errors.add("eligibility", *exc.problems)
    if not isinstance(target_size, int) or not 2 <= target_size <= MAX_TARGET:
        errors.add(
            "target_size",
            _("A whole number of participants, 2 to %(max_target)s.") % {"max_target": MAX_TARGET},
        )
    strata = list(dict.fromkeys(strata))
    unknown = [f for f in strata if f not in alloc.FACTORS]
    if unknown:
        errors.add(
            "strata",
            _("Unknown factor(s) %(unknown)s; choose from %(factors)s.")
            % {"unknown": ", ".join(unknown), "factors": ", ".join(alloc.FACTORS)},
        )
    site_names = [s for s in lines(errors, "sites", sites, limit=80) if s]
    if len(set(site_names)) != len(site_names):
        errors.add("sites", _("Each site once, please."))
    if "site" in strata and len(site_names) < 2:
        errors.add("sites", _("Name at least two sites to stratify by site."))
    cuts = sorted(set(gestation_cuts))
    if any(not 23 <= c <= 42 for c in cuts):
        errors.add("gestation_cuts", _("Cut points are completed weeks from 23 to 42."))
    if "gestation_band" in strata and not cuts:
        errors.add(
            "gestation_cuts", _("Give at least one cut point (e.g. 28) to stratify by gestation band.")
        )
    sizes = list(block_sizes)
    if not sizes or any(not isinstance(s, int) or not 1 <= s <= alloc.MAX_BLOCK for s in sizes):
        errors.add(
            "block_sizes",
            _("Block sizes are whole numbers from 1 to %(max_block)s.") % {"max_block": alloc.MAX_BLOCK},
        )
    if len(set(sizes)) != len(sizes):
        errors.add("block_sizes", _("Each block size once, please."))
    if Study.objects.for_organisation(actor.organisation_id).filter(code=code).exists():
        errors.add("code", _("Your organisation already has a study %(code)s.") % {"code": code})
    errors.raise_any()
    study = Study(
        organisation_id=actor.organisation_id,
        code=code,
        target_size=target_size,
        strata=strata,
        sites=site_names,
        gestation_cuts=cuts,
        block_sizes=sizes,
        created_by=actor.user,
        **values,
    )
    return create_audited(
        actor=actor,
        obj=study,
        entity="study",
        summary=f"created study {code}: {values['title']}"[:500],
        changes=snapshot(study, STUDY_FIELDS),
    )


def _draft(study: Study) -> None:
    if study.status != Study.Status.DRAFT:
        raise DomainError(_(ERR_NOT_DRAFT))


def arm_add(
    *,
    actor: Actor,
    study: Study,
    code: str,
    name: str,
    description: str = "",
    protocol_id: str = "",
    ratio: int = 1,
    is_control: bool = False,
) -> Arm:
    actor.require(Perm.STUDY_MANAGE)
    _draft(study)
    errors = Errors()
    code = (code or "").strip().lower()
    if not SLUG.match(code):
        errors.add("code", _("Lower-case letters, digits and _ (e.g. massage, control), up to 20."))
    name = text(errors, "name", name, limit=120)
    description = text(errors, "description", description, required=False, limit=2000)
    if protocol_id and protocol_id not in library().protocols:
        errors.add(
            "protocol_id", _("No protocol %(protocol)s in the library.") % {"protocol": repr(protocol_id)}
        )
    if not isinstance(ratio, int) or not 1 <= ratio <= 10:
        errors.add("ratio", _("The allocation ratio is a whole number from 1 to 10."))
    arms = Arm.objects.within(study).filter(study=study)
    if arms.filter(code=code).exists():
        errors.add("code", _("This study already has an arm %(code)s.") % {"code": code})
    if is_control and arms.filter(is_control=True).exists():
        errors.add("is_control", _("The study already has its control arm."))
    errors.raise_any()
    arm = Arm(
        organisation_id=study.organisation_id,
        study=study,
        code=code,
        name=name,
        description=description,
        protocol_id=protocol_id,
        ratio=ratio,
        is_control=is_control,
        order=arms.count(),
    )
    return create_audited(
        actor=actor,
        obj=arm,
        entity="study arm",
        summary=f"added arm {name} to study {study.code}"[:500],
        changes=snapshot(arm, ("code", "name", "protocol_id", "ratio", "is_control")),
    )


def outcome_add(
    *,
    actor: Actor,
    study: Study,
    code: str,
    name: str,
    instrument_id: str,
    measure: str,
    days: Sequence[int],
    analysis_day: int,
    baseline_day: int | None = None,
    window_days: int = 1,
    primary: bool = False,
    threshold: float | None = None,
    direction: str = "ge",
) -> StudyOutcome:
    actor.require(Perm.STUDY_MANAGE)
    _draft(study)
    errors = Errors()
    code = (code or "").strip().lower()
    if not VARIABLE.match(code) or code in ("arm", "stratum", "participant"):
        errors.add(
            "code", _("A variable name: lower-case letters, digits and _, up to 30 (e.g. weight_gain).")
        )
    name = text(errors, "name", name, limit=150)
    owner = parse_measure_id(instrument_id)
    try:
        # Another organisation's own measure is as unknown here as it is on its pages, inside a request or
        # not (outside one, the resolver has no organisation in force to narrow by).
        if owner is not None and owner[0] != study.organisation_id:
            raise InstrumentValidationError("instrument_id", "another organisation's measure")
        instrument = get_instrument(instrument_id)
    except InstrumentValidationError:
        instrument = None
        errors.add(
            "instrument_id",
            _("No instrument %(instrument)s in the catalogue.") % {"instrument": repr(instrument_id)},
        )
    spec = OutcomeSpec(
        code=code,
        instrument_id=instrument_id,
        measure=measure,
        days=tuple(sorted(set(days))),
        analysis_day=analysis_day,
        baseline_day=baseline_day,
        window_days=window_days,
        threshold=threshold,
        direction=direction,
    )
    in_kg = instrument is not None and instrument.canonical_unit == "kg"
    for problem in spec.problems(stored_in_kg=in_kg):
        errors.add("measure" if "measure" in problem.lower() or "weight" in problem else "days", problem)
    outcomes = StudyOutcome.objects.within(study).filter(study=study)
    if outcomes.filter(code=code).exists():
        errors.add("code", _("This study already has an outcome %(code)s.") % {"code": code})
    errors.raise_any()
    assert instrument is not None
    unit = {"gain_per_day": "g/day", "velocity": "g/kg/day", "event": ""}.get(
        measure, instrument.canonical_unit or ""
    )
    outcome = StudyOutcome(
        organisation_id=study.organisation_id,
        study=study,
        code=code,
        name=name,
        instrument_id=instrument.id,
        measure=measure,
        days=list(spec.days),
        baseline_day=baseline_day,
        analysis_day=analysis_day,
        window_days=window_days,
        primary=primary,
        threshold=threshold,
        direction=direction,
        unit=unit[:20],
        order=outcomes.count(),
    )
    return create_audited(
        actor=actor,
        obj=outcome,
        entity="study outcome",
        summary=f"added {'primary' if primary else 'secondary'} outcome {name} ({MEASURES[measure]}) to "
        f"study {study.code}"[:500],
        changes=snapshot(outcome, ("code", "instrument_id", "measure", "days", "analysis_day", "primary")),
    )


def study_open(*, actor: Actor, study: Study, expected_version: int | None) -> Study:
    """Open to recruitment: the design must be complete, and the allocation list ready."""
    actor.require(Perm.STUDY_MANAGE)
    from kneadwell.evaluation.models import AllocationList

    with (
        transaction.atomic(),
        edit_audited(
            actor=actor,
            queryset=Study.objects.for_organisation(actor.organisation_id),
            pk=study.pk,
            expected_version=expected_version,
            entity="study",
            fields=("status",),
            not_found="No such study.",
        ) as edit,
    ):
        _draft(edit.row)
        arms = list(Arm.objects.within(edit.row).filter(study=edit.row))
        problems = []
        if len(arms) < 2:
            problems.append(_("Add at least two arms."))
        if not any(a.is_control for a in arms):
            problems.append(_("Mark one arm as the control (routine care, or the comparison programme)."))
        if not StudyOutcome.objects.within(edit.row).filter(study=edit.row, primary=True).exists():
            problems.append(_("Add a primary outcome."))
        if not AllocationList.objects.within(edit.row).filter(study=edit.row).exists():
            problems.append(_("The allocation-list holder has not made the allocation list yet."))
        if problems:
            raise ValidationFailed({"status": problems})
        edit.apply({"status": Study.Status.RECRUITING, "opened_at": timezone.now()})
        edit.summary = f"opened study {edit.row.code} to recruitment"
    return edit.row


def study_close(*, actor: Actor, study: Study, expected_version: int | None) -> Study:
    actor.require(Perm.STUDY_MANAGE)
    with edit_audited(
        actor=actor,
        queryset=Study.objects.for_organisation(actor.organisation_id),
        pk=study.pk,
        expected_version=expected_version,
        entity="study",
        fields=("status",),
        not_found="No such study.",
    ) as edit:
        if edit.row.status != Study.Status.RECRUITING:
            raise DomainError(_("Only a recruiting study can be closed."))
        edit.apply({"status": Study.Status.CLOSED, "closed_at": timezone.now()})
        edit.summary = f"closed study {edit.row.code} to recruitment (follow-up goes on)"
    return edit.row
