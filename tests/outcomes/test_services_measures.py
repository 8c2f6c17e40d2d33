"""An organisation's own outcome measures: defined, revised, published and retired by the clinical lead
(the administrator), audited; recorded like a built-in instrument, each measurement keeping the version
it was scored with."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from kneadwell.outcomes import services
from kneadwell.outcomes.models import Measurement, OrganisationMeasure, OrganisationMeasureVersion
from kwtest.measures import day_check, define
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

ANSWERS = {"q1": 3, "q2": 2, "q3": 1, "q4": 4}  # q3 reversed: 4 + 0 - 1 = 3, so the total is 3+2+3+4 = 12


def iid(measure: OrganisationMeasure) -> str:
    return f"org-{measure.organisation_id}-{measure.slug}"


def record(clinic: Clinic, instrument_id: str, answers: Mapping[str, object], **kw: object) -> Measurement:
    assert clinic.client is not None
    return services.measurement_record(
        actor=clinic.actor(Role.THERAPIST),
        client=clinic.client,
        instrument_id=instrument_id,
        answers=answers,
        taken_at=timezone.localdate() - dt.timedelta(days=1),
        **kw,  # type: ignore[arg-type]
    )


def test_a_lead_defines_a_measure_as_draft_version_1_with_its_audit_rows(clinic: Clinic) -> None:
    measure = define(clinic, publish=False)
    assert measure.slug == "day-check"
    assert measure.published_number == 0
    [version] = OrganisationMeasureVersion.objects.filter(measure=measure)
    assert (version.number, version.published_at) == (1, None)
    assert [it["id"] for it in version.definition["items"]] == ["q1", "q2", "q3", "q4"]
    assert version.definition["score_range"] == [0, 16]
    entities = list(AuditEvent.objects.filter(organisation=clinic.org).values_list("entity", "summary"))
    assert (
        "organisation_measure",
        "defined the measure Day-to-day check (made up for tests) (draft version 1)",
    ) in entities
    assert any(e == "organisation_measure_version" and "drafted version 1" in s for e, s in entities)


def test_a_draft_cannot_be_recorded_until_it_is_published(clinic: Clinic) -> None:
    measure = define(clinic, publish=False)
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, iid(measure), ANSWERS)
    assert "instrument_id" in caught.value.errors
    services.organisation_measure_publish(
        actor=clinic.actor(Role.ADMIN), measure=measure, expected_version=measure.version
    )
    m = record(clinic, iid(measure), ANSWERS)
    assert m.total == 12
    assert m.band_label == "Going well"


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN], ids=lambda r: r.value)
def test_only_the_administrator_may_define_a_measure(clinic: Clinic, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        services.organisation_measure_create(actor=clinic.actor(role), definition=day_check())
    measure = define(clinic)
    with pytest.raises(PermissionDenied):
        services.organisation_measure_revise(
            actor=clinic.actor(role),
            measure=measure,
            definition=day_check(),
            expected_version=measure.version,
        )
    with pytest.raises(PermissionDenied):
        services.organisation_measure_retire(actor=clinic.actor(role), measure=measure, expected_version=2)
    assert not AuditEvent.objects.filter(
        organisation=clinic.org, user=clinic.user(role), entity__startswith="organisation_measure"
    ).exists()


def test_a_wrong_definition_is_refused_with_every_field_named_and_nothing_saved(clinic: Clinic) -> None:
    bad = day_check(
        name="",
        direction="sideways",
        items=[{"label": "One", "options": [{"value": 1, "label": "a"}, {"value": 1, "label": "b"}]}],
        bands=[{"label": "x", "minimum": 0, "maximum": 50}],
        licence="",
    )
    with pytest.raises(ValidationFailed) as caught:
        services.organisation_measure_create(actor=clinic.actor(Role.ADMIN), definition=bad)
    assert {"name", "direction", "items.0.options", "licence"} <= set(caught.value.errors)
    assert not OrganisationMeasure.objects.exists()


def test_a_second_measure_with_the_same_short_name_is_refused(clinic: Clinic) -> None:
    define(clinic)
    with pytest.raises(ValidationFailed) as caught:
        services.organisation_measure_create(actor=clinic.actor(Role.ADMIN), definition=day_check())
    assert "slug" in caught.value.errors


def test_editing_a_published_measure_starts_version_2_and_measurements_keep_their_version(
    clinic: Clinic,
) -> None:
    lead = clinic.actor(Role.ADMIN)
    measure = define(clinic)
    first = record(clinic, iid(measure), ANSWERS)
    assert (first.instrument_version, first.scoring_version, first.total) == ("1", "1", 12)

    changed = day_check(
        scoring={"method": "mean", "min_answered": 3},
        bands=[
            {"label": "Needs a closer look", "minimum": 0, "maximum": 1.99},
            {"label": "Going well", "minimum": 2, "maximum": 4},
        ],
    )
    draft = services.organisation_measure_revise(
        actor=lead, measure=measure, definition=changed, expected_version=measure.version
    )
    assert draft.number == 2
    assert draft.published_at is None
    measure.refresh_from_db()
    assert measure.published_number == 1
    # Until version 2 is published, entries are still scored with version 1.
    assert record(clinic, iid(measure), ANSWERS).instrument_version == "1"

    services.organisation_measure_publish(actor=lead, measure=measure, expected_version=measure.version)
    second = record(clinic, iid(measure), {"q1": 3, "q2": 2, "q3": 1})  # a mean over 3 of 4 answered
    assert (second.instrument_version, second.total) == ("2", pytest.approx(2.67))
    assert second.warnings == ["1 of 4 items not answered: the score is the mean of the 3 answered."]
    first.refresh_from_db()
    assert (first.instrument_version, first.total, first.band_label) == ("1", 12, "Going well")
    assert (
        OrganisationMeasureVersion.objects.get(measure=measure, number=1).definition["scoring"]["method"]
        == "sum"
    )


def test_a_draft_is_changed_in_place_until_it_is_published(clinic: Clinic) -> None:
    lead = clinic.actor(Role.ADMIN)
    measure = define(clinic, publish=False)
    services.organisation_measure_revise(
        actor=lead,
        measure=measure,
        definition=day_check(name="Renamed check"),
        expected_version=measure.version,
    )
    [version] = OrganisationMeasureVersion.objects.filter(measure=measure)
    assert (version.number, version.definition["name"]) == (1, "Renamed check")


def test_a_stale_edit_is_a_conflict(clinic: Clinic) -> None:
    measure = define(clinic)
    with pytest.raises(Conflict):
        services.organisation_measure_revise(
            actor=clinic.actor(Role.ADMIN), measure=measure, definition=day_check(), expected_version=1
        )


def test_publishing_without_a_draft_is_refused(clinic: Clinic) -> None:
    measure = define(clinic)
    with pytest.raises(DomainError, match="no draft"):
        services.organisation_measure_publish(
            actor=clinic.actor(Role.ADMIN), measure=measure, expected_version=measure.version
        )


def test_a_retired_measure_is_no_longer_recorded_but_its_measurements_stay(clinic: Clinic) -> None:
    measure = define(clinic)
    kept = record(clinic, iid(measure), ANSWERS)
    services.organisation_measure_retire(
        actor=clinic.actor(Role.ADMIN), measure=measure, expected_version=measure.version
    )
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, iid(measure), ANSWERS)
    assert "retired" in caught.value.errors["instrument_id"][0]
    assert Measurement.objects.filter(pk=kept.pk, total=12).exists()
    with pytest.raises(DomainError):
        services.organisation_measure_revise(
            actor=clinic.actor(Role.ADMIN),
            measure=measure,
            definition=day_check(),
            expected_version=measure.version + 1,
        )


def test_another_organisations_measure_cannot_be_recorded_or_changed(
    clinic: Clinic, outsider: Clinic
) -> None:
    theirs = define(outsider)
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, iid(theirs), ANSWERS)
    assert "Unknown instrument" in caught.value.errors["instrument_id"][0]
    with pytest.raises(NotFound):
        services.organisation_measure_revise(
            actor=clinic.actor(Role.ADMIN),
            measure=theirs,
            definition=day_check(),
            expected_version=theirs.version,
        )
    with pytest.raises(NotFound):
        services.organisation_measure_publish(
            actor=clinic.actor(Role.ADMIN), measure=theirs, expected_version=1
        )


def test_answers_outside_the_definition_are_refused_naming_the_item(clinic: Clinic) -> None:
    measure = define(clinic)
    with pytest.raises(ValidationFailed) as caught:
        record(clinic, iid(measure), {"q1": 9, "q2": 2, "q3": 1, "q4": 5})
    assert {"q1", "q4"} <= set(caught.value.errors)


def test_a_built_in_instrument_stores_its_version_and_its_scoring_version(clinic: Clinic) -> None:
    m = record(clinic, "nips", {"face": 1, "cry": 2, "breathing": 0, "arms": 1, "legs": 0, "arousal": 1})
    assert (m.instrument_version, m.scoring_version) == ("1", "1")
    assert m.content_version
