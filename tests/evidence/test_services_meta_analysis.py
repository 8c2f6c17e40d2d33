"""A researcher's own meta-analyses: saved from the CLI's CSV or typed rows, audited, tenant-scoped; a
bad row names its line or row and column, and nothing is saved."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from kneadwell.evidence import selectors, services
from kneadwell.evidence.meta import Measure, meta_analyse
from kneadwell.evidence.meta.csv_input import read_study_table
from kneadwell.evidence.models import MetaAnalysis
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

CONTINUOUS = (
    "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
    "Trial A,25.1,6.0,20,19.8,5.5,20\n"
    "Trial B,22.4,7.2,31,20.9,6.8,29\n"
    "Trial C,27.0,8.1,15,18.5,7.7,16\n"
)


def create(clinic: Clinic, text: str = CONTINUOUS, **extra: object) -> MetaAnalysis:
    values: dict[str, object] = {
        "title": "Weight gain trials",
        "outcome": "Daily weight gain (g/day)",
        "measure": "MD",
        "csv_text": text,
        **extra,
    }
    return services.meta_analysis_create(actor=clinic.actor(Role.RESEARCHER), **values)  # type: ignore[arg-type]


def test_a_researcher_saves_a_csv_and_the_result_equals_the_meta_command(
    clinic: Clinic, tmp_path: Path
) -> None:
    analysis = create(clinic, outcome_code="weight_gain")
    assert analysis.rows[0] == {
        "study": "Trial A",
        "mean_treatment": 25.1,
        "sd_treatment": 6.0,
        "n_treatment": 20,
        "mean_control": 19.8,
        "sd_control": 5.5,
        "n_control": 20,
    }
    path = tmp_path / "trials.csv"
    path.write_text(CONTINUOUS, encoding="utf-8")
    for method in ("REML", "DL", "PM"):
        cli = meta_analyse(read_study_table(path, Measure.MD), method)
        mine = selectors.meta_analysis_result(analysis=analysis, method=method)
        assert mine.to_json_dict() == cli.to_json_dict()


def test_saving_is_audited_with_the_rows(clinic: Clinic) -> None:
    analysis = create(clinic)
    event = AuditEvent.objects.get(entity="meta_analysis", action="create")
    assert event.entity_id == str(analysis.pk)
    assert event.organisation_id == clinic.org.pk
    assert event.actor_role == "researcher"
    assert event.changes["rows"][1]["study"] == "Trial B"
    assert "3 studies" in event.summary


def test_a_bad_row_names_the_line_and_column_and_nothing_is_saved(clinic: Clinic) -> None:
    bad = CONTINUOUS.replace("Trial B,22.4,7.2", "Trial B,22.4,-7.2")
    with pytest.raises(ValidationFailed) as exc:
        create(clinic, bad)
    assert exc.value.errors["csv_text"] == [
        "Line 3 (study 'Trial B'), column 'sd_treatment': "
        "a standard deviation must be greater than 0, got '-7.2'"
    ]
    assert not MetaAnalysis.objects.exists()
    assert not AuditEvent.objects.filter(entity="meta_analysis").exists()


def test_typed_rows_are_checked_like_csv_and_name_the_row(clinic: Clinic) -> None:
    rows = [
        {
            "study": "A",
            "events_treatment": "4",
            "n_treatment": "123",
            "events_control": "11",
            "n_control": "139",
        },
        {
            "study": "B",
            "events_treatment": "40",
            "n_treatment": "30",
            "events_control": "29",
            "n_control": "303",
        },
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.meta_analysis_create(
            actor=clinic.actor(Role.ADMIN), title="T", outcome="O", measure="RR", rows=rows, layout="binary"
        )
    assert exc.value.errors["rows"] == [
        "Row 2 (study 'B'), column 'events_treatment': 40 events is more than n_treatment = 30"
    ]
    assert not MetaAnalysis.objects.exists()


def test_only_admins_and_researchers_may_enter_analyses(clinic: Clinic) -> None:
    for role in (Role.THERAPIST, Role.CAREGIVER, Role.INSTRUCTOR, Role.ASSESSOR):
        with pytest.raises(PermissionDenied):
            services.meta_analysis_create(
                actor=clinic.actor(role), title="T", outcome="O", measure="MD", csv_text=CONTINUOUS
            )
    assert services.meta_analysis_create(
        actor=clinic.actor(Role.ADMIN), title="T", outcome="O", measure="MD", csv_text=CONTINUOUS
    ).pk


def test_details_are_validated_together(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as exc:
        services.meta_analysis_create(
            actor=clinic.actor(Role.RESEARCHER),
            title=" ",
            outcome="x" * 151,
            measure="MD",
            outcome_code="no_such_outcome",
            csv_text=CONTINUOUS,
        )
    assert set(exc.value.errors) == {"title", "outcome", "outcome_code"}


def test_an_edit_keeps_the_rows_and_checks_them_against_a_new_measure(clinic: Clinic) -> None:
    analysis = create(clinic)
    researcher = clinic.actor(Role.RESEARCHER)
    updated = services.meta_analysis_update(
        actor=researcher, analysis_id=analysis.pk, expected_version=1, measure="SMD", title="Now as SMD"
    )
    assert (updated.version, updated.measure, updated.rows) == (2, "SMD", analysis.rows)
    with pytest.raises(ValidationFailed) as exc:
        services.meta_analysis_update(
            actor=researcher, analysis_id=analysis.pk, expected_version=2, measure="RR"
        )
    assert exc.value.message.startswith("The measure RR needs the binary columns")
    assert "The table has continuous columns, which fit the measure MD or SMD." in exc.value.message
    analysis.refresh_from_db()
    assert (analysis.version, analysis.measure) == (2, "SMD")
    event = AuditEvent.objects.get(entity="meta_analysis", action="update")
    assert event.changes["measure"] == ["MD", "SMD"]


def test_a_stale_edit_is_a_conflict(clinic: Clinic) -> None:
    analysis = create(clinic)
    researcher = clinic.actor(Role.RESEARCHER)
    services.meta_analysis_update(
        actor=researcher, analysis_id=analysis.pk, expected_version=1, title="First"
    )
    with pytest.raises(Conflict):
        services.meta_analysis_update(
            actor=researcher, analysis_id=analysis.pk, expected_version=1, title="Second"
        )
    analysis.refresh_from_db()
    assert analysis.title == "First"


def test_deleting_keeps_the_rows_in_the_audit_log(clinic: Clinic) -> None:
    analysis = create(clinic)
    services.meta_analysis_delete(actor=clinic.actor(Role.ADMIN), analysis_id=analysis.pk, expected_version=1)
    assert not MetaAnalysis.objects.exists()
    event = AuditEvent.objects.get(entity="meta_analysis", action="delete")
    assert event.changes["rows"] == analysis.rows


def test_another_organisations_analysis_is_not_found(clinic: Clinic, outsider: Clinic) -> None:
    theirs = create(outsider)
    mine = clinic.actor(Role.RESEARCHER)
    with pytest.raises(NotFound):
        selectors.meta_analysis_get(actor=mine, analysis_id=theirs.pk)
    with pytest.raises(NotFound):
        services.meta_analysis_update(actor=mine, analysis_id=theirs.pk, expected_version=1, title="Mine now")
    with pytest.raises(NotFound):
        services.meta_analysis_delete(actor=mine, analysis_id=theirs.pk, expected_version=1)
    assert list(selectors.meta_analysis_queryset(actor=mine)) == []
    theirs.refresh_from_db()
    assert theirs.title == "Weight gain trials"


def test_rows_too_extreme_to_pool_are_refused_on_saving(clinic: Clinic) -> None:
    with pytest.raises(ValidationFailed) as exc:
        create(clinic, "study,yi,vi\nA,800,0.1\nB,801,0.2\n", measure="RR")
    assert "method" in exc.value.errors
    assert not MetaAnalysis.objects.exists()
