"""A stored result is never scored again silently. The one path that scores saved answers again is an
exported measurements file imported back: a row names the versions that scored it, and when the
instrument or its scoring rule has a new version since, the row is refused (or, with its version cells
emptied, recorded as a new measurement with the new versions) while the stored one stays as it was."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.interop.services.export_csv import csv_export
from kneadwell.outcomes import services
from kneadwell.outcomes.instruments import versions
from kneadwell.outcomes.models import Measurement
from kwtest.measures import day_check, define
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

ANSWERS = {"q1": 3, "q2": 2, "q3": 1, "q4": 4}


def exported(clinic: Clinic, instrument_id: str) -> tuple[list[str], list[dict[str, str]]]:
    text = csv_export(actor=clinic.actor(Role.ADMIN), files=["measurements"]).files["measurements"]
    reader = csv.DictReader(io.StringIO(text))
    rows = [r for r in reader if r["instrument"] == instrument_id]
    return list(reader.fieldnames or ()), rows


def as_csv(header: list[str], rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def import_back(clinic: Clinic, text: str) -> services.ImportReport:
    return services.measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)


def test_a_row_scored_with_todays_versions_imports_back_with_the_same_result(clinic: Clinic) -> None:
    measure = define(clinic)
    iid = f"org-{clinic.org.pk}-{measure.slug}"
    assert clinic.client is not None
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST), client=clinic.client, instrument_id=iid, answers=ANSWERS,
        taken_at=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    header, rows = exported(clinic, iid)
    assert rows[0]["instrument_version"] == "1"
    report = import_back(clinic, as_csv(header, rows))
    assert not report.problems
    assert sorted(
        Measurement.objects.filter(instrument_id=iid).values_list("total", "instrument_version")
    ) == [
        (12.0, "1"),
        (12.0, "1"),
    ]


def test_after_a_new_version_the_old_row_is_refused_and_the_stored_result_stays(clinic: Clinic) -> None:
    lead = clinic.actor(Role.ADMIN)
    measure = define(clinic)
    iid = f"org-{clinic.org.pk}-{measure.slug}"
    assert clinic.client is not None
    kept = services.measurement_record(
        actor=clinic.actor(Role.THERAPIST), client=clinic.client, instrument_id=iid, answers=ANSWERS,
        taken_at=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    header, rows = exported(clinic, iid)
    # Version 2 no longer reverses item 3: the same answers would now total 10, not 12.
    changed = day_check()
    changed["items"][2]["reversed"] = False
    services.organisation_measure_revise(
        actor=lead, measure=measure, definition=changed, expected_version=measure.version
    )
    measure.refresh_from_db()
    services.organisation_measure_publish(actor=lead, measure=measure, expected_version=measure.version)

    report = import_back(clinic, as_csv(header, rows))
    [problem] = report.problems
    assert problem.field == "instrument_version"
    assert "scored with version 1" in problem.message
    assert "would now be scored with version 2" in problem.message
    assert Measurement.objects.filter(instrument_id=iid).count() == 1
    kept.refresh_from_db()
    assert (kept.total, kept.instrument_version) == (12, "1")

    # Emptied version cells: the answers are scored with version 2 as a new measurement; the old one stays.
    rows[0]["instrument_version"] = rows[0]["scoring_version"] = ""
    report = import_back(clinic, as_csv(header, rows))
    assert not report.problems
    assert sorted(
        Measurement.objects.filter(instrument_id=iid).values_list("instrument_version", "total")
    ) == [
        ("1", 12.0),
        ("2", 10.0),
    ]


def test_a_new_version_of_a_scoring_rule_refuses_rows_scored_with_the_old_one(
    clinic: Clinic, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert clinic.client is not None
    nips = {"face": 1, "cry": 2, "breathing": 0, "arms": 1, "legs": 0, "arousal": 1}
    services.measurement_record(
        actor=clinic.actor(Role.THERAPIST), client=clinic.client, instrument_id="nips", answers=nips,
        taken_at=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    header, rows = exported(clinic, "nips")
    assert (rows[0]["instrument_version"], rows[0]["scoring_version"]) == ("1", "1")
    monkeypatch.setattr(versions, "SCORER_VERSIONS", {**versions.SCORER_VERSIONS, "item_sum": "2"})
    report = import_back(clinic, as_csv(header, rows))
    [problem] = report.problems
    assert problem.field == "instrument_version"
    assert "scoring rule 1" in problem.message
    assert "(rule 2)" in problem.message
    assert Measurement.objects.filter(instrument_id="nips").count() == 1


def test_marking_an_entry_in_error_leaves_its_result_and_versions_as_they_were(clinic: Clinic) -> None:
    measure = define(clinic)
    iid = f"org-{clinic.org.pk}-{measure.slug}"
    assert clinic.client is not None
    m = services.measurement_record(
        actor=clinic.actor(Role.THERAPIST), client=clinic.client, instrument_id=iid, answers=ANSWERS,
        taken_at=timezone.localdate() - dt.timedelta(days=1),
    )  # fmt: skip
    services.measurement_mark_in_error(
        actor=clinic.actor(Role.THERAPIST), measurement=m, reason="wrong child", expected_version=m.version
    )
    m.refresh_from_db()
    assert (m.total, m.band_label, m.instrument_version, m.scoring_version) == (12, "Going well", "1", "1")
