"""The analysis equals statsmodels' OLS fitted on the exported CSV (read back here); the binary outcome's
risk ratio and difference equal statsmodels' on the same file; CONSORT counts, follow-up and the
missing-data report count what happened."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.proportion import confint_proportions_2indep

from kneadwell.accounts.roles import Role
from kneadwell.evaluation import services
from kneadwell.evaluation.methods.dataset import data_csv, dictionary_csv
from kneadwell.evaluation.models import Participant, Study
from kneadwell.evaluation.selectors import results
from kwtest.evaluation import backdate, enrol, enter_weight, make_study
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

# Day-0 and day-5 weights (g) per participant, in enrolment order; None: not entered.
WEIGHTS = [
    (1400, 1500),
    (1380, 1420),
    (1500, 1590),
    (1450, 1480),
    (1420, 1525),
    (1390, 1410),
    (1460, 1560),
    (1410, 1440),
    (1350, None),
    (1430, 1530),
]


@dataclass
class Trial:
    study: Study
    participants: list[Participant]


@pytest.fixture
def trial(clinic: Clinic) -> Trial:
    study = make_study(clinic, target_size=12, block_sizes=[2, 4], seed="results", open_it=False)
    services.outcome_add(
        actor=clinic.actor(Role.ADMIN),
        study=study,
        code="over_1500",
        name="Weight of 1.5 kg or more",
        instrument_id="weight",
        measure="event",
        days=[0, 5],
        analysis_day=5,
        threshold=1.5,
        direction="ge",
    )
    study.refresh_from_db()
    services.study_open(actor=clinic.actor(Role.ADMIN), study=study, expected_version=study.version)
    study.refresh_from_db()
    therapist = clinic.actor(Role.THERAPIST)
    participants = []
    for day0, day5 in WEIGHTS:
        p = backdate(enrol(clinic, study), 6)
        enter_weight(clinic, p, 0, day0)
        if day5 is not None:
            enter_weight(clinic, p, 5, day5)
        participants.append(p)
    services.participant_withdraw(actor=therapist, participant=participants[8], kind="lost", reason="Moved")
    for p in participants[:6]:
        services.participant_mark_received(actor=therapist, participant=p, received=True)
    services.participant_mark_received(actor=therapist, participant=participants[6], received=False, note="x")
    # Screened but not randomised: one not eligible, one declined, one waiting.
    from kwtest.people import make_client

    term = make_client(therapist, weeks=39, days=0)
    services.participant_screen(actor=therapist, study=study, client=term)
    services.participant_screen(
        actor=therapist, study=study, client=make_client(therapist), decision="declined", reason="No"
    )
    enrol(clinic, study, randomise=False)
    return Trial(study, [Participant.objects.get(pk=p.pk) for p in participants])


def _frame(trial: Trial, population: str = "itt") -> pd.DataFrame:
    columns, rows = results.dataset(results.study_data(trial.study), population=population)
    return pd.read_csv(io.StringIO(data_csv(columns, rows)))


def test_the_ancova_equals_statsmodels_ols_on_the_exported_csv(trial: Trial) -> None:
    frame = _frame(trial)
    assert len(frame) == 10
    assert frame["weight_gain"].isna().sum() == 1
    fitted = smf.ols(
        'weight_gain ~ C(arm, Treatment("control")) + weight_gain_baseline',
        data=frame.dropna(subset=["weight_gain"]),
    ).fit()
    term = 'C(arm, Treatment("control"))[T.massage]'
    analysed = results.analyse(results.study_data(trial.study))
    primary = next(a for a in analysed if a.outcome.code == "weight_gain").result
    ancova = next(c for c in primary.comparisons if c.measure == "adjusted difference (ANCOVA)")
    assert ancova.estimate == pytest.approx(fitted.params[term], rel=1e-12)
    low, high = fitted.conf_int().loc[term]
    assert (ancova.ci_low, ancova.ci_high) == (pytest.approx(low, rel=1e-12), pytest.approx(high, rel=1e-12))
    assert ancova.p_value == pytest.approx(fitted.pvalues[term], rel=1e-9)
    assert ancova.n == 9
    assert primary.headline("massage") is ancova
    plain = smf.ols(
        'weight_gain ~ C(arm, Treatment("control"))', data=frame.dropna(subset=["weight_gain"])
    ).fit()
    unadjusted = next(c for c in primary.comparisons if c.measure == "difference in means")
    assert unadjusted.estimate == pytest.approx(plain.params[term], rel=1e-12)


def test_the_per_arm_summary_is_the_mean_and_sd_of_the_exported_values(trial: Trial) -> None:
    frame = _frame(trial)
    analysed = results.analyse(results.study_data(trial.study))
    primary = next(a for a in analysed if a.outcome.code == "weight_gain").result
    for arm in primary.arms:
        values = frame.loc[frame["arm"] == arm.code, "weight_gain"].dropna()
        assert arm.analysed == len(values)
        assert arm.mean == pytest.approx(values.mean(), rel=1e-12)
        assert arm.sd == pytest.approx(values.std(ddof=1), rel=1e-12)
    assert sum(a.randomised for a in primary.arms) == 10
    assert sum(a.missing for a in primary.arms) == 1


def test_the_weight_gain_is_grams_per_day_between_the_weighings(trial: Trial) -> None:
    frame = _frame(trial).set_index("participant")
    first = trial.participants[0]
    assert frame.loc[first.code, "weight_gain"] == pytest.approx((1500 - 1400) / 5)
    assert frame.loc[first.code, "weight_gain_baseline"] == pytest.approx(1400)
    assert frame.loc[first.code, "weight_gain_blinded"] == 1


def test_the_binary_outcome_equals_statsmodels_on_the_exported_csv(trial: Trial) -> None:
    frame = _frame(trial).dropna(subset=["over_1500"])
    counts = {arm: (int(g["over_1500"].sum()), len(g)) for arm, g in frame.groupby("arm")}
    (e1, n1), (e0, n0) = counts["massage"], counts["control"]
    analysed = results.analyse(results.study_data(trial.study))
    binary = next(a for a in analysed if a.outcome.code == "over_1500").result
    rd = next(c for c in binary.comparisons if c.measure == "risk difference")
    assert rd.estimate == pytest.approx(e1 / n1 - e0 / n0)
    low, high = confint_proportions_2indep(e1, n1, e0, n0, method="newcomb", compare="diff")
    assert (rd.ci_low, rd.ci_high) == (pytest.approx(low), pytest.approx(high))
    rr = next(c for c in binary.comparisons if c.measure == "risk ratio")
    if e0:
        assert rr.estimate == pytest.approx((e1 / n1) / (e0 / n0))
    low, high = confint_proportions_2indep(e1, n1, e0, n0, method="score", compare="ratio")
    assert rr.ci_low == pytest.approx(low)
    assert [a.events for a in binary.arms] == [e1, e0]


def test_the_consort_counts_follow_each_participant(trial: Trial) -> None:
    flow = results.consort_flow(results.study_data(trial.study))
    assert (flow.assessed, flow.not_eligible, flow.declined, flow.awaiting, flow.randomised) == (
        13,
        1,
        1,
        1,
        10,
    )
    assert sum(a.allocated for a in flow.arms) == 10
    assert sum(a.received for a in flow.arms) == 6
    assert sum(a.not_received for a in flow.arms) == 1
    assert sum(a.lost for a in flow.arms) == 1
    assert sum(a.analysed for a in flow.arms) == 9
    assert sum(a.not_analysed for a in flow.arms) == 1
    lost_arm = trial.participants[8].arm
    assert lost_arm is not None
    mine = next(a for a in flow.arms if a.label == lost_arm.name)
    assert mine.lost == 1
    assert mine.not_analysed == 1
    svg = results.co.svg(flow, title="TKS")
    assert "Assessed for eligibility (n=13)" in svg
    assert "Randomised (n=10)" in svg


def test_per_protocol_keeps_those_who_received_their_programme(trial: Trial) -> None:
    frame = _frame(trial, "per_protocol")
    assert sorted(frame["participant"]) == sorted(p.code for p in trial.participants[:6])


def test_follow_up_and_the_missing_data_report_name_each_gap(trial: Trial) -> None:
    data = results.study_data(trial.study)
    due = results.followup(data)
    by = {(d.participant.code, d.point.day): d.status for d in due}
    lost = trial.participants[8].code
    assert by[(trial.participants[0].code, 5)] == "done"
    assert by[(lost, 5)] == "withdrawn"  # lost to follow-up: no longer expected
    report = results.missing_report(data)
    weight = [r for r in report if r.outcome.code == "weight_gain"]
    assert sum(r.randomised for r in weight) == 10
    assert sum(r.with_data for r in weight) == 9
    assert sum(sum(r.reasons.values()) for r in weight) == 1
    assert any("withdrawn (lost to follow-up)" in r.reasons for r in weight)


def test_the_data_dictionary_describes_every_column(trial: Trial) -> None:
    columns, _rows = results.dataset(results.study_data(trial.study))
    dictionary = pd.read_csv(io.StringIO(dictionary_csv(columns)))
    assert list(dictionary["variable"]) == list(_frame(trial).columns)
    arm = dictionary.set_index("variable").loc["arm", "values"]
    assert "massage=" in arm
    assert "control=" in arm
