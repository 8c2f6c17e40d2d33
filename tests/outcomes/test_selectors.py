"""Reads: growth series and summary (SDS agree with rcpchgrowth's own path, velocity windows and methods,
starting after birth weight is regained), trends of the other instruments, and what is left out."""

from __future__ import annotations

import datetime as dt
import math

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients.models import Client
from kneadwell.core.errors import NotFound, ValidationFailed
from kneadwell.outcomes import selectors, services
from kneadwell.outcomes.growth.zscores import measurement_sds
from kneadwell.outcomes.instruments import CriterionStatus
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def baby(clinic: Clinic, **kw: object) -> Client:
    values: dict[str, object] = {"born_days_ago": 30, "weeks": 30, "days": 2, "birth_weight_g": 1400}
    values.update(kw)
    return make_client(clinic.actor(Role.THERAPIST), **values)  # type: ignore[arg-type]


def weigh(clinic: Clinic, client: Client, grams_by_days_ago: dict[int, int]) -> None:
    rows = [(TODAY() - dt.timedelta(days=d), g) for d, g in sorted(grams_by_days_ago.items(), reverse=True)]
    services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=client, weights=rows, confirm_unusual=True
    )


def test_series_sds_equal_rcpchgrowths_own_measurement(clinic: Clinic) -> None:
    client = baby(clinic)
    weigh(clinic, client, {10: 1380, 5: 1450, 0: 1540})
    points = selectors.growth_series(client=client, instrument_id="weight")
    assert [round(p.value * 1000) for p in points] == [1380, 1450, 1540]
    for p in points:
        ref = measurement_sds("female", client.birth_date, p.date, 30, 2, "weight", p.value)
        assert p.corrected_sds == pytest.approx(ref.corrected_sds, abs=1e-9)
        assert p.chronological_centile == pytest.approx(ref.chronological_centile, abs=1e-7)
        assert p.corrected_age_days == ref.corrected_age_days
    assert "PMA" in points[0].age_text  # before the due date, the age is given as postmenstrual age


def test_velocity_uses_the_chosen_window_and_method(clinic: Clinic) -> None:
    client = baby(clinic)
    weigh(clinic, client, {20: 1300, 14: 1380, 7: 1480, 0: 1600})
    week = selectors.weight_velocity(client=client, window_days=7)
    assert week.result is not None
    assert (week.result.start_weight_g, week.result.end_weight_g, week.result.days) == (1480, 1600, 7)
    assert week.result.velocity_g_kg_day == pytest.approx(1000 * math.log(1600 / 1480) / 7)
    every = selectors.weight_velocity(client=client, window_days=0, method="average-2-point")
    assert every.result is not None
    assert every.result.start_weight_g == 1300
    assert every.result.velocity_g_kg_day == pytest.approx(1000 * (1600 - 1300) / ((1600 + 1300) / 2 * 20))
    linear = selectors.weight_velocity(client=client, window_days=14, method="linear")
    assert linear.result is not None
    assert linear.result.velocity_g_kg_day is None
    assert linear.result.gain_g_per_day == pytest.approx((1600 - 1380) / 14)
    assert linear.info.label == "Linear gain"


def test_velocity_can_start_after_birth_weight_is_regained(clinic: Clinic) -> None:
    client = baby(clinic, birth_weight_g=1400)
    weigh(clinic, client, {28: 1320, 24: 1350, 20: 1410, 14: 1500, 0: 1700})
    plain = selectors.weight_velocity(client=client, window_days=0)
    regained = selectors.weight_velocity(client=client, window_days=0, start_after_regain=True)
    assert plain.result is not None
    assert regained.result is not None
    assert plain.result.start_date == TODAY() - dt.timedelta(days=28)
    assert regained.result.start_date == TODAY() - dt.timedelta(
        days=20
    )  # first weight back at 1400 g or more
    assert regained.result.regain_date == regained.result.start_date
    assert "regain of birth weight" in regained.window_text


def test_velocity_says_why_there_is_none(clinic: Clinic) -> None:
    client = baby(clinic, birth_weight_g=1400)
    assert selectors.weight_velocity(client=client).error == "No weights recorded yet."
    weigh(clinic, client, {6: 1300, 0: 1350})
    not_regained = selectors.weight_velocity(client=client, start_after_regain=True)
    assert not_regained.result is None
    assert "has not been regained" in not_regained.error
    no_birth_weight = baby(clinic, birth_weight_g=None)
    weigh(clinic, no_birth_weight, {3: 1300, 0: 1350})
    assert "birth weight" in selectors.weight_velocity(client=no_birth_weight, start_after_regain=True).error


def test_the_goal_note_shows_only_from_23_to_36_weeks(clinic: Clinic) -> None:
    young = baby(clinic, born_days_ago=20)  # 30+2 + 20 days = 33+1
    weigh(clinic, young, {6: 1400, 0: 1500})
    assert "15-20 g/kg/day" in selectors.weight_velocity(client=young).goal_note
    older = baby(clinic, born_days_ago=60)  # 38+6
    weigh(clinic, older, {6: 2300, 0: 2450})
    assert selectors.weight_velocity(client=older).goal_note == ""


def test_bad_choices_are_refused_by_name(clinic: Clinic) -> None:
    client = baby(clinic)
    with pytest.raises(ValidationFailed) as caught:
        selectors.growth_summary(client=client, reference="fenton", method="magic", window_days=5)
    assert set(caught.value.errors) == {"reference", "method", "window_days"}


def test_the_summary_gives_chronological_and_corrected_sds_for_each_measure(clinic: Clinic) -> None:
    client = baby(clinic)
    weigh(clinic, client, {0: 1500})
    for instrument_id, value in (("length_height", "41.0"), ("head_circumference", "29.5")):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=client,
            instrument_id=instrument_id,
            answers={"value": value},
            taken_at=TODAY(),
        )
    summary = selectors.growth_summary(client=client, reference="uk-who")
    assert [g.instrument_id for g in summary.latest] == ["weight", "length_height", "head_circumference"]
    for g in summary.latest:
        assert g.sds.ok
        assert g.sds.corrected_sds is not None
        assert g.sds.chronological_sds is not None
    assert summary.notes  # born before 32 weeks: the UK-WHO advice about specialist charts
    assert "[S65, S66]" in summary.reference_source


def test_a_reference_without_preterm_data_says_why_there_is_no_sds(clinic: Clinic) -> None:
    client = baby(clinic)
    weigh(clinic, client, {0: 1500})
    summary = selectors.growth_summary(client=client, reference="cdc")
    (weight,) = summary.latest
    assert not weight.sds.ok
    assert weight.sds.error


def test_the_client_page_latest_values_carry_the_corrected_centile(clinic: Clinic) -> None:
    client = baby(clinic)
    weigh(clinic, client, {3: 1450, 0: 1500})
    (latest,) = selectors.latest_growth(client=client)
    assert latest.display == "1 500 g"
    assert latest.corrected_centile is not None
    assert 0 < latest.corrected_centile < 100


def test_fugl_meyer_trend_shows_complete_domains_and_the_mcid(clinic: Clinic) -> None:
    from kneadwell.outcomes import instruments

    adult = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=365 * 60, weeks=None, days=None, birth_weight_g=None
    )
    fm = instruments.get_instrument("fugl_meyer")
    le_items = [i for i in fm.items if i.section and i.section.startswith(("e", "f"))]
    # Lower-extremity motor domain: every item 1 (reflex items, which take 0 or 2: 0) two weeks ago, then
    # the top score on each item except normal reflex activity, which needs full marks in E-IV first.
    first = {i.id: (1 if 1 in i.values else 0) for i in le_items} | {"e5_normal_reflex_activity": 0}
    second = {i.id: max(i.values) for i in le_items} | {"e5_normal_reflex_activity": 0}  # type: ignore[type-var]
    for days_ago, answers in ((14, first), (1, second)):
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=adult,
            instrument_id="fugl_meyer",
            answers=answers,
            taken_at=TODAY() - dt.timedelta(days=days_ago),
        )
    trend = selectors.instrument_trend(client=adult, instrument_id="fugl_meyer")
    assert trend.columns == ("Lower extremity motor (E-F) (of 34)",)
    assert [v for _, v in trend.series[0].points] == [sum(first.values()), 32.0]
    assert any("minimal clinically important difference" in n for n in trend.notes)
    assert trend.direction_text == "Higher is better."
    assert selectors.display_value(trend.rows[0].measurement) == "Lower extremity motor (E-F): 32 of 34"


def test_diary_trend_evaluates_the_colic_criteria_across_days(clinic: Clinic) -> None:
    infant = baby(clinic, born_days_ago=40, weeks=None, days=None)
    for days_ago in range(7, 0, -1):
        day = TODAY() - dt.timedelta(days=days_ago)
        entries = [
            {"category": "sleep", "start": f"{day}T00:00", "end": f"{day}T10:00"},
            {"category": "crying", "start": f"{day}T10:00", "end": f"{day}T14:00"},
            {
                "category": "awake_alert",
                "start": f"{day}T14:00",
                "end": f"{day + dt.timedelta(days=1)}T00:00",
            },
        ]
        services.measurement_record(
            actor=clinic.actor(Role.THERAPIST),
            client=infant,
            instrument_id="infant_day_diary",
            answers={
                "days": [{"day": day.isoformat(), "entries": entries}],
                "birth_date": infant.birth_date.isoformat(),
            },
            taken_at=day,
        )
    trend = selectors.instrument_trend(client=infant, instrument_id="infant_day_diary")
    rome = next(c for c in trend.criteria if c.criterion == "rome_iv")
    assert rome.status is CriterionStatus.MET_PENDING_CLINICIAN
    assert [p[1] for p in trend.series[0].points] == [240.0] * 7
    assert trend.reference_lines == ((180.0, "3 hours"),)


def test_entries_in_error_are_left_out_of_trends(clinic: Clinic) -> None:
    client = baby(clinic)
    kept = services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        instrument_id="nips",
        answers={"face": 1, "cry": 1, "breathing": 0, "arms": 0, "legs": 0, "arousal": 0},
        taken_at=TODAY() - dt.timedelta(days=2),
    )
    wrong = services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        instrument_id="nips",
        answers={"face": 1, "cry": 2, "breathing": 1, "arms": 1, "legs": 1, "arousal": 1},
        taken_at=TODAY() - dt.timedelta(days=1),
    )
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=wrong, reason="other baby", expected_version=1
    )
    trend = selectors.instrument_trend(client=client, instrument_id="nips")
    assert [row.measurement.pk for row in trend.rows] == [kept.pk]
    assert trend.reference_lines == ((3.5, "↑ indicates pain"),)  # NIPS above 3 means pain [S40]
    assert trend.y_range == (0.0, 7.0)
    assert [i.id for i in selectors.instruments_recorded(client=client)] == ["nips"]
    assert selectors.measurement_queryset(client=client, include_in_error=True).count() == 2


def test_measurements_for_client_is_tenant_scoped_and_audited(clinic: Clinic, outsider: Clinic) -> None:
    from kneadwell.audit.models import AuditEvent

    with pytest.raises(NotFound):
        selectors.measurements_for_client(actor=clinic.actor(Role.ADMIN), client_id=outsider.client.pk)  # type: ignore[union-attr]
    with pytest.raises(NotFound):
        selectors.measurements_for_client(
            actor=clinic.actor(Role.CAREGIVER), client_id=clinic.other_client.pk
        )  # type: ignore[union-attr]
    selectors.measurements_for_client(actor=clinic.actor(Role.THERAPIST), client_id=clinic.client.pk)  # type: ignore[union-attr]
    assert AuditEvent.objects.filter(action="read", summary="viewed measurements").count() == 1
