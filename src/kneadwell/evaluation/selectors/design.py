"""A study's design as the pure methods take it: its arms as allocation specs and its strata's levels."""

from __future__ import annotations

from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.models import Arm, Study, StudyOutcome


def arms_of(study: Study) -> list[Arm]:
    return list(Arm.objects.within(study).filter(study=study).order_by("order", "id"))


def outcomes_of(study: Study) -> list[StudyOutcome]:
    return list(StudyOutcome.objects.within(study).filter(study=study).order_by("-primary", "order", "id"))


def arm_specs(study: Study) -> list[alloc.ArmSpec]:
    return [alloc.ArmSpec(a.code, a.ratio) for a in arms_of(study)]


def levels(study: Study) -> dict[str, list[str]]:
    return {
        factor: alloc.factor_levels(factor, sites=study.sites, gestation_cuts=study.gestation_cuts)
        for factor in study.strata
    }
