"""The demo study (modelled on the preterm TKS trial): made through the services, recruiting, with a
CONSORT flow that adds up, blinded weights, and an analysis that runs on it."""

from __future__ import annotations

import pytest

from kneadwell.core.demo import DEMO_ORG, demo_create
from kneadwell.evaluation.models import Study, StudyMeasurement
from kneadwell.evaluation.selectors import results

pytestmark = pytest.mark.django_db


def test_the_demo_study_is_seeded_once_and_analysable() -> None:
    lines = demo_create()
    assert any("assessor@demo.kneadwell.test" in line for line in lines)
    demo_create()  # a second run keeps the data and adds no second study
    study = Study.objects.get(organisation__name=DEMO_ORG, code="TKS")
    assert study.status == "recruiting"
    data = results.study_data(study)
    flow = results.consort_flow(data)
    assert (flow.assessed, flow.randomised, flow.not_eligible, flow.declined, flow.awaiting) == (
        27,
        24,
        1,
        1,
        1,
    )
    assert sum(a.allocated for a in flow.arms) == 24
    assert sum(a.analysed for a in flow.arms) == 22  # one transferred, one missed day 5
    assert {a.arm.protocol_id for a in data.participants if a.arm} == {"preterm_tks_5d", ""}
    assert set(
        StudyMeasurement.objects.filter(participant__study=study).values_list("blinded", flat=True)
    ) == {True}
    primary = next(a for a in results.analyse(data) if a.outcome.primary).result
    ancova = next(c for c in primary.comparisons if c.measure == "adjusted difference (ANCOVA)")
    assert ancova.estimate is not None
    assert ancova.ci_low is not None
    assert ancova.ci_low < ancova.estimate < ancova.ci_high  # type: ignore[operator]
