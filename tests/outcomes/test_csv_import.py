"""CSV import: every row checked first, every bad row reported with its line and reason; nothing saved
unless all rows are good (the default), or the good rows only when asked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.clients import services as client_services
from kneadwell.core.errors import PermissionDenied, ValidationFailed
from kneadwell.outcomes.csv_rows import COLUMNS, read_rows
from kneadwell.outcomes.models import Measurement
from kneadwell.outcomes.services import IMPORT_GOOD_ROWS, measurement_record, measurements_import_csv
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
NIPS_ONE = '"{""face"": 1, ""cry"": 0, ""breathing"": 0, ""arms"": 0, ""legs"": 0, ""arousal"": 0}"'


def day(n: int) -> str:
    return (TODAY() - dt.timedelta(days=n)).isoformat()


def csv(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def test_a_good_file_is_saved_and_audited(clinic: Clinic) -> None:
    client = clinic.client
    assert client is not None
    client_services.client_update(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        expected_version=client.version,
        identifier="NICU-0042",
    )
    text = csv(
        "identifier,instrument,taken_at,value,unit,answers,context",
        f"NICU-0042,weight,{day(3)},1450,g,,routine",
        f"NICU-0042,weight,{day(2)}T08:30,1472,g,,routine",
        f"NICU-0042,nips,{day(1)},,,{NIPS_ONE},session",
    )
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)
    assert (report.rows, report.saved, report.problems) == (3, 3, ())
    assert Measurement.objects.filter(client=client).count() == 3
    assert Measurement.objects.get(instrument_id="nips").total == 1
    assert AuditEvent.objects.filter(entity="measurement_import").count() == 1
    assert AuditEvent.objects.filter(entity="measurement", action="create").count() == 3


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_saved(
    clinic: Clinic, outsider: Clinic
) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    no_consent = make_client(clinic.actor(Role.THERAPIST), consent=False)
    text = csv(
        "client_ref,instrument,taken_at,value,unit",
        f"{pk},weight,{day(3)},1450,g",  # line 2: good
        f"{pk},weight,{day(2)},1.45,g",  # 3: kilograms typed as grams
        f"{pk},weightt,{day(2)},1450,g",  # 4: unknown instrument
        f"{outsider.client.pk},weight,{day(2)},1450,g",  # 5: another organisation's client  # type: ignore[union-attr]
        f"{no_consent.pk},weight,{day(2)},1450,g",  # 6: no consent for measurements
        f"{pk},weight,2999-01-01,1450,g",  # 7: future
        f"{pk},weight,{day(1)},,g",  # 8: no value
    )
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)
    assert report.saved == 0
    by_line = {p.line: p for p in report.problems}
    assert set(by_line) == {3, 4, 5, 6, 7, 8}
    line3 = [p for p in report.problems if p.line == 3]
    assert {p.field for p in line3} == {"value"}
    assert any("did you mean 1.45 kg" in p.message for p in line3)
    assert by_line[4].field == "instrument_id"
    assert by_line[5].field == "client_ref"
    assert "no client" in by_line[5].message
    assert by_line[6].field == "client_ref"
    assert "consent" in by_line[6].message
    assert by_line[7].field == "taken_at"
    assert by_line[8].field in ("value", "unit")
    assert not Measurement.objects.exists()


def test_good_rows_mode_saves_the_good_rows_only(clinic: Clinic) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    text = csv(
        "client_id,instrument,taken_at,value,unit",
        f"{pk},weight,{day(3)},1450,g",
        f"{pk},weight,{day(2)},abc,g",
        f"{pk},weight,{day(1)},1490,g",
    )
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text, mode=IMPORT_GOOD_ROWS)
    assert report.saved == 2
    assert [p.line for p in report.problems] == [3]
    assert Measurement.objects.count() == 2


def test_unusual_rows_need_yes_in_the_confirmed_column(clinic: Clinic) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    lines = [
        "client_id,instrument,taken_at,value,confirmed",
        f"{pk},head_circumference,{day(8)},30.0,",
        f"{pk},head_circumference,{day(1)},27.0,",
    ]
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=csv(*lines))
    assert [(p.line, p.field) for p in report.problems] == [(3, "value")]
    assert "write yes in the confirmed column" in report.problems[0].message
    lines[2] = lines[2] + "yes"
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=csv(*lines))
    assert report.saved == 2
    assert Measurement.objects.get(answers__value="27.0").confirmed_unusual


def test_rows_of_one_file_are_checked_against_each_other(clinic: Clinic) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    text = csv(
        "client_id,instrument,taken_at,value,unit",
        f"{pk},weight,{day(2)},1450,g",
        f"{pk},weight,{day(1)},2400,g",  # +65% in a day: impossible
    )
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)
    assert [(p.line, p.field) for p in report.problems] == [(3, "value")]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "empty"),
        ("client_id,instrument\n1,weight\n", "taken_at"),
        ("instrument,taken_at,value\nweight,2026-01-01,1\n", "client_ref or an identifier"),
        ("client_id,instrument,taken_at,value,colour\n1,weight,2026-01-01,1,red\n", "Unknown column"),
        ("client_id,instrument,taken_at,value\n", "no measurements"),
    ],
)
def test_an_unusable_file_is_refused_as_a_whole(clinic: Clinic, text: str, words: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)
    assert words in caught.value.errors["file"][0]


def test_a_researcher_cannot_import(clinic: Clinic) -> None:
    with pytest.raises(PermissionDenied):
        measurements_import_csv(actor=clinic.actor(Role.RESEARCHER), text="x")


def test_the_reader_keeps_line_numbers_across_blank_lines_and_quoted_newlines() -> None:
    rows = read_rows(
        'client_id,instrument,taken_at,value,notes\n\n1,weight,2026-01-01,1,"two\nlines"\n1,weight,x,1,\n'
    )
    assert [r.line for r in rows] == [4, 5]
    assert rows[0].notes == "two\nlines"
    assert "taken_at" in rows[1].errors


def test_the_import_page_shows_problems_by_line(client: HttpClient, clinic: Clinic) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    client.force_login(clinic.user(Role.THERAPIST))
    text = csv(
        "client_id,instrument,taken_at,value,unit",
        f"{pk},weight,{day(2)},1450,g",
        f"{pk},weight,{day(1)},x,g",
    )
    response = client.post(reverse("outcomes:import"), {"text": text, "mode": "all_or_nothing"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was saved." in page
    assert ">3<" in page
    assert not Measurement.objects.exists()


def test_an_exported_measurements_file_imports_back_as_the_same_measurements(clinic: Clinic) -> None:
    # One CSV format for measurements (issue 16): the organisation's export is a file this import reads.
    from kneadwell.interop.services import csv_export

    client = clinic.client
    assert client is not None
    therapist = clinic.actor(Role.THERAPIST)
    client_services.client_update(
        actor=therapist, client=client, expected_version=client.version, identifier="=NICU-7"
    )
    when = timezone.make_aware(dt.datetime.combine(TODAY() - dt.timedelta(days=3), dt.time(8, 30)))
    for instrument_id, answers, context, notes in [
        ("weight", {"value": 1650, "unit": "g"}, "baseline", ' =SUM(A1), "quoted"\nsecond line '),
        ("weight", {"value": 1.702, "unit": "kg"}, "routine", ""),
        ("nips", {"face": 1, "cry": 0, "breathing": 0, "arms": 0, "legs": 1, "arousal": 0}, "session", "-ok"),
    ]:
        when += dt.timedelta(hours=20)
        measurement_record(
            actor=therapist,
            client=client,
            instrument_id=instrument_id,
            answers=answers,
            taken_at=when,
            context=context,
            notes=notes,
        )

    def stored() -> list[tuple[object, ...]]:
        fields = ("client_id", "instrument_id", "taken_at", "answers", "value", "unit", "total", "context")
        return sorted(
            tuple(getattr(m, f) for f in (*fields, "notes", "confirmed_unusual"))
            for m in Measurement.objects.filter(client=client)
        )

    before = stored()
    exported = csv_export(actor=clinic.actor(Role.ADMIN), files=("measurements",)).files["measurements"]
    assert exported.splitlines()[0] == ",".join(COLUMNS)  # the one header, as the import documents it
    Measurement.objects.filter(client=client).delete()
    report = measurements_import_csv(actor=therapist, text=exported)
    assert (report.saved, report.problems) == (3, ())
    assert stored() == before


def test_the_old_client_id_header_is_still_read(clinic: Clinic) -> None:
    pk = clinic.client.pk  # type: ignore[union-attr]
    text = csv("client_id,instrument,taken_at,value,unit", f"{pk},weight,{day(2)},1450,g")
    report = measurements_import_csv(actor=clinic.actor(Role.THERAPIST), text=text)
    assert (report.saved, report.problems) == (1, ())
