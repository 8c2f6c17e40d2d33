"""Recording measurements: permission, consent, scoring, plausibility (impossible, unusual, confirmed),
entered-in-error, tenancy and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client
from kneadwell.core.errors import (
    Conflict,
    ConsentRequired,
    DomainError,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from kneadwell.outcomes import selectors, services
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services import UnusualValue
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def baby(clinic: Clinic) -> Client:
    assert clinic.client is not None
    return clinic.client  # born 40 days ago at 30+2, 1400 g, consent for care and measurements


def record(clinic: Clinic, instrument_id: str, answers: dict[str, object], **kw: object) -> Measurement:
    role = kw.pop("role", Role.THERAPIST)
    client = kw.pop("client", None) or baby(clinic)
    return services.measurement_record(
        actor=clinic.actor(role),  # type: ignore[arg-type]
        client=client,  # type: ignore[arg-type]
        instrument_id=instrument_id,
        answers=answers,
        taken_at=kw.pop("taken_at", TODAY() - dt.timedelta(days=1)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


def test_it_records_a_weight_in_grams_and_stores_kilograms(clinic: Clinic) -> None:
    m = record(clinic, "weight", {"value": "1650", "unit": "g"})
    assert m.value == pytest.approx(1.65)
    assert m.unit == "kg"
    assert m.details["entered_unit"] == "g"
    assert m.organisation_id == clinic.org.pk
    assert m.recorded_by == clinic.user(Role.THERAPIST)
    assert not m.confirmed_unusual


def test_it_scores_nips_with_total_and_band(clinic: Clinic) -> None:
    answers = {"face": 1, "cry": 2, "breathing": 1, "arms": 0, "legs": 1, "arousal": 1}
    m = record(clinic, "nips", answers, context="session")
    assert m.total == 6
    assert m.band  # above 3 means pain [S40]
    assert m.context == "session"
    assert m.answers == answers


def test_it_keeps_modified_ashworth_grades_and_the_one_site(clinic: Clinic) -> None:
    m = record(clinic, "modified_ashworth", {"elbow_flexors.left": "1+"})
    assert m.details["grades"] == {"elbow_flexors.left": "1+"}
    assert (m.site, m.side) == ("elbow_flexors", "left")
    assert m.total is None


def test_it_audits_what_was_recorded(clinic: Clinic) -> None:
    m = record(clinic, "weight", {"value": "1650", "unit": "g"})
    event = AuditEvent.objects.get(entity="measurement", entity_id=str(m.pk), action="create")
    assert event.client_id == baby(clinic).pk
    assert "1650 g" in event.summary
    assert event.changes["instrument_id"] == "weight"


def test_consent_for_measurements_is_required(clinic: Clinic) -> None:
    client = make_client(clinic.actor(Role.THERAPIST), consent=False)
    with pytest.raises(ConsentRequired):
        record(clinic, "weight", {"value": "1650", "unit": "g"}, client=client)
    assert not Measurement.objects.filter(client=client).exists()


def test_consent_for_care_only_does_not_cover_measurements(clinic: Clinic) -> None:
    actor = clinic.actor(Role.THERAPIST)
    client = make_client(actor, consent=False)
    guardian = client.guardians.get()
    client_services.consent_record(
        actor=actor,
        client=client,
        kind="guardian",
        scopes=["care"],
        signed_by_name="Pat Parent",
        signed_on=TODAY(),
        method="paper",
        attestation=True,
        guardian=guardian,
    )
    with pytest.raises(ConsentRequired):
        record(clinic, "weight", {"value": "1650", "unit": "g"}, client=client)


def test_an_instructor_cannot_record_measurements(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        record(clinic, "weight", {"value": "1650", "unit": "g"}, role=Role.INSTRUCTOR)


def test_a_caregiver_records_a_weight_for_their_own_child(clinic: Clinic) -> None:
    m = record(clinic, "weight", {"value": "1650", "unit": "g"}, role=Role.CAREGIVER)
    assert m.recorded_by == clinic.user(Role.CAREGIVER)


def test_a_caregiver_cannot_record_for_a_child_they_do_not_guard(clinic: Clinic) -> None:
    with pytest.raises(NotFound):
        record(
            clinic, "weight", {"value": "1650", "unit": "g"}, role=Role.CAREGIVER, client=clinic.other_client
        )


def test_another_organisations_client_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    with pytest.raises(NotFound):
        record(clinic, "weight", {"value": "1650", "unit": "g"}, client=outsider.client)
    assert not Measurement.objects.exists()


def test_a_50_kg_newborn_is_refused_naming_the_value(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, "weight", {"value": "50", "unit": "kg"})
    assert not isinstance(caught.value, UnusualValue)
    assert "value" in caught.value.errors
    assert "not possible" in " ".join(caught.value.errors["value"])
    assert not Measurement.objects.exists()


def test_grams_typed_as_kilograms_are_refused_with_a_suggestion(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, "weight", {"value": "1650", "unit": "kg"})
    text = " ".join(caught.value.errors["value"])
    assert "did you mean 1650 g" in text


def test_a_date_before_birth_is_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(
            clinic,
            "weight",
            {"value": "1650", "unit": "g"},
            taken_at=baby(clinic).birth_date - dt.timedelta(days=2),
        )
    assert "taken_at" in caught.value.errors


def test_a_date_in_the_future_is_refused(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(
            clinic, "weight", {"value": "1650", "unit": "g"}, taken_at=timezone.now() + dt.timedelta(hours=2)
        )
    assert "taken_at" in caught.value.errors


def test_an_unknown_instrument_names_the_instrument_field(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, "height_of_mood", {"value": 3})
    assert "instrument_id" in caught.value.errors


def test_a_missing_item_is_named(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, "nips", {"face": 1, "cry": 2})
    assert "breathing" in caught.value.errors


def test_answers_of_the_wrong_shape_are_a_validation_error(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed):
        record(clinic, "nips", {"face": [1, 2], "cry": {"a": 1}})
    with pytest.raises(ValidationFailed):
        record(clinic, "weight", ["not", "a", "mapping"])  # type: ignore[arg-type]


def test_a_head_that_shrank_by_3_cm_asks_for_confirmation(clinic: Clinic) -> None:
    record(clinic, "head_circumference", {"value": "29.0"}, taken_at=TODAY() - dt.timedelta(days=8))
    with pytest.raises(UnusualValue) as caught:
        record(clinic, "head_circumference", {"value": "26.0"})
    assert "went down by 3.0 cm" in " ".join(caught.value.errors["value"])
    assert services.CONFIRM_FIELD in caught.value.errors
    assert Measurement.objects.filter(instrument_id="head_circumference").count() == 1


def test_a_confirmed_unusual_value_is_saved_and_flagged_with_its_warning(clinic: Clinic) -> None:
    record(clinic, "head_circumference", {"value": "29.0"}, taken_at=TODAY() - dt.timedelta(days=8))
    m = record(clinic, "head_circumference", {"value": "26.0"}, confirm_unusual=True)
    assert m.confirmed_unusual
    assert any("went down by 3.0 cm" in w for w in m.confirmed_warnings)
    assert any("rule:" in w for w in m.confirmed_warnings)  # the rule and its basis are kept
    assert "unusual, confirmed" in AuditEvent.objects.get(entity="measurement", entity_id=str(m.pk)).summary


def test_a_new_value_that_makes_a_later_saved_value_look_wrong_is_the_one_questioned(clinic: Clinic) -> None:
    record(clinic, "head_circumference", {"value": "29.0"}, taken_at=TODAY() - dt.timedelta(days=1))
    with pytest.raises(UnusualValue):
        # Entered afterwards but dated earlier: 32 cm, then 29 cm the next week would mean a shrinking head.
        record(clinic, "head_circumference", {"value": "32.0"}, taken_at=TODAY() - dt.timedelta(days=8))


def test_an_unusual_value_from_the_instrument_range_also_asks_for_confirmation(clinic: Clinic) -> None:
    adult = make_client(
        clinic.actor(Role.THERAPIST), born_days_ago=365 * 40, weeks=None, days=None, birth_weight_g=None
    )
    with pytest.raises(UnusualValue):
        record(clinic, "range_of_motion", {"knee_flexion.left": 175}, client=adult)
    m = record(clinic, "range_of_motion", {"knee_flexion.left": 175}, client=adult, confirm_unusual=True)
    assert m.confirmed_unusual
    assert m.answers["confirmed"] is True


def test_a_weight_jump_of_more_than_20_percent_a_day_is_impossible(clinic: Clinic) -> None:
    record(clinic, "weight", {"value": "1600", "unit": "g"}, taken_at=TODAY() - dt.timedelta(days=2))
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, "weight", {"value": "2400", "unit": "g"})
    assert not isinstance(caught.value, UnusualValue)
    assert "cannot be a real change" in " ".join(caught.value.errors["value"])


def test_entered_in_error_values_are_not_compared_with(clinic: Clinic) -> None:
    wrong = record(clinic, "head_circumference", {"value": "32.0"}, taken_at=TODAY() - dt.timedelta(days=8))
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=wrong, reason="typo", expected_version=1
    )
    m = record(clinic, "head_circumference", {"value": "29.0"})
    assert not m.confirmed_unusual


def test_marking_in_error_keeps_the_row_and_drops_it_from_charts(clinic: Clinic) -> None:
    first = record(clinic, "weight", {"value": "1600", "unit": "g"}, taken_at=TODAY() - dt.timedelta(days=3))
    record(clinic, "weight", {"value": "1640", "unit": "g"}, taken_at=TODAY() - dt.timedelta(days=1))
    marked = services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST),
        measurement=first,
        reason="weighed with the blanket",
        expected_version=1,
    )
    assert marked.in_error
    assert marked.version == 2
    assert marked.entered_in_error_by == clinic.user(Role.THERAPIST)
    assert Measurement.objects.filter(pk=first.pk).exists()
    series = selectors.growth_series(client=baby(clinic), instrument_id="weight")
    assert [p.measurement_id for p in series] != []
    assert first.pk not in [p.measurement_id for p in series]
    summary = selectors.growth_summary(client=baby(clinic))
    assert summary.velocity.result is None  # one weight left: no velocity
    event = AuditEvent.objects.get(entity="measurement", entity_id=str(first.pk), action="update")
    assert "weighed with the blanket" in event.summary


def test_marking_in_error_needs_a_reason_and_the_current_version(clinic: Clinic) -> None:
    m = record(clinic, "weight", {"value": "1600", "unit": "g"})
    with pytest.raises(ValidationFailed):
        services.measurement_mark_in_error(
            actor=clinic.actor(Role.THERAPIST), measurement=m, reason=" ", expected_version=1
        )
    with pytest.raises(Conflict):
        services.measurement_mark_in_error(
            actor=clinic.actor(Role.THERAPIST), measurement=m, reason="x", expected_version=7
        )
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=m, reason="x", expected_version=1
    )
    with pytest.raises(DomainError):
        services.measurement_mark_in_error(
            actor=clinic.actor(Role.THERAPIST), measurement=m, reason="x", expected_version=None
        )


def test_a_parent_may_mark_only_their_own_entries_in_error(clinic: Clinic) -> None:
    nurses = record(clinic, "weight", {"value": "1600", "unit": "g"}, taken_at=TODAY() - dt.timedelta(days=2))
    theirs = record(clinic, "weight", {"value": "1620", "unit": "g"}, role=Role.CAREGIVER)
    parent = clinic.actor(Role.CAREGIVER)
    with pytest.raises(PermissionDenied):
        services.measurement_mark_in_error(actor=parent, measurement=nurses, reason="x", expected_version=1)
    assert services.measurement_mark_in_error(
        actor=parent, measurement=theirs, reason="x", expected_version=1
    ).in_error


def test_marking_another_organisations_measurement_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    m = record(outsider, "weight", {"value": "1600", "unit": "g"})
    with pytest.raises(NotFound):
        services.measurement_mark_in_error(
            actor=clinic.actor(Role.ADMIN), measurement=m, reason="x", expected_version=1
        )
    m.refresh_from_db()
    assert not m.in_error


def test_a_week_of_daily_weights_is_saved_together(clinic: Clinic) -> None:
    days = [TODAY() - dt.timedelta(days=6 - i) for i in range(7)]
    grams = [1450, 1472, 1490, 1515, 1532, 1556, 1580]
    saved = services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=baby(clinic), weights=list(zip(days, grams, strict=True))
    )
    assert [round(m.value * 1000) for m in saved] == grams  # type: ignore[operator]
    assert AuditEvent.objects.filter(entity="measurement", action="create").count() == 7


def test_one_bad_weight_in_a_week_saves_none_and_names_its_row(clinic: Clinic) -> None:
    days = [TODAY() - dt.timedelta(days=2 - i) for i in range(3)]
    with pytest.raises(ValidationFailed) as caught:
        services.weights_record_series(
            actor=clinic.actor(Role.THERAPIST),
            client=baby(clinic),
            weights=[(days[0], 1450), (days[1], "14.7"), (days[2], 1490)],
        )
    assert "rows.1.value" in caught.value.errors
    assert not Measurement.objects.exists()


def test_a_week_with_an_unusual_jump_asks_to_confirm_the_row(clinic: Clinic) -> None:
    days = [TODAY() - dt.timedelta(days=2 - i) for i in range(3)]
    weights = [(days[0], 1450), (days[1], 1560), (days[2], 1580)]  # +7.6% in a day
    with pytest.raises(UnusualValue) as caught:
        services.weights_record_series(
            actor=clinic.actor(Role.THERAPIST), client=baby(clinic), weights=weights
        )
    assert "rows.1.value" in caught.value.errors
    saved = services.weights_record_series(
        actor=clinic.actor(Role.THERAPIST), client=baby(clinic), weights=weights, confirm_unusual=True
    )
    assert [m.confirmed_unusual for m in saved] == [False, True, False]
