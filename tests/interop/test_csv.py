"""CSV export and import of clients, measurements and sessions: the round trip into another organisation
is exact apart from ids; every row is checked first and a bad file saves nothing; spreadsheet formulas
are neutralised and restored."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.care import services as care_services
from kneadwell.care.models import Session
from kneadwell.clients.models import Client
from kneadwell.clients.services import client_update
from kneadwell.core.errors import PermissionDenied, ValidationFailed
from kneadwell.interop import csv_io, services
from kneadwell.outcomes.models import Measurement
from kwtest.people import Clinic, make_client

from .conftest import Record, make_care_record

pytestmark = pytest.mark.django_db


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _without_refs(clients: str, *others: str) -> list[list[dict[str, str]]]:
    """Each file's rows with client_ref replaced by the client's position in the clients file."""
    client_rows = _rows(clients)
    position = {row["client_ref"]: str(n) for n, row in enumerate(client_rows)}
    files = [client_rows] + [_rows(text) for text in others]
    for rows in files:
        for row in rows:
            row["client_ref"] = position[row["client_ref"]]
    return files


def _awkward_past_session(clinic: Clinic, client: Client) -> Session:
    """A stopped session recorded after the fact whose stop reason has formula-like text, quotes, commas,
    a line break and non-ASCII, with a skipped step."""
    started = timezone.now() - dt.timedelta(days=3, hours=2)
    return care_services.session_import(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        protocol_id="preterm_tks_10d",
        status="stopped",
        started_at=started,
        ended_at=started + dt.timedelta(minutes=9, seconds=12.345678),
        steps=[
            care_services.PastStep("long_stroking", ("head", "back"), "done", 301.123456789, phase="Tactile"),
            care_services.PastStep(
                "kinesthetic_limb_movements", ("left_arm",), "skipped", 0.5, skip_reason='=1+1, "sore" arm'
            ),
        ],
        stop_reason='-Crying, "arching"\nsettled by Ødegård',
        source="a paper record",
    )


def test_export_import_export_gives_the_same_rows_apart_from_ids(
    clinic: Clinic, outsider: Clinic, full_record: Record
) -> None:
    therapist = clinic.actor(Role.THERAPIST)
    # Awkward but valid text: a formula-like name, quotes, commas, a line break, non-ASCII.
    client_update(
        actor=therapist,
        client=full_record.client,
        expected_version=full_record.client.version,
        notes='Likes "slow" strokes,\nthen a rest. Ødegård\'s advice: =SUM(A1)',
        identifier="=HYPERLINK(1)",
    )
    make_client(therapist, given_name="-Ana", conditions=["down_syndrome"], weeks=None, days=None)
    assert clinic.other_client is not None
    make_care_record(clinic, clinic.other_client)  # a completed, a stopped and an open session
    _awkward_past_session(clinic, clinic.other_client)
    first = services.csv_export(actor=clinic.actor(Role.ADMIN))
    # The measurement entered in error and the open session are left out.
    assert first.counts == {"clients": 3, "measurements": 5, "sessions": 3}
    report = services.csv_import(
        actor=outsider.actor(Role.ADMIN),
        clients_csv=first.files["clients"],
        measurements_csv=first.files["measurements"],
        sessions_csv=first.files["sessions"],
    )
    assert report.saved, report.problems
    assert (report.clients, report.measurements, report.sessions) == (3, 5, 3)
    # The outsider already had two clients of its own; export only the imported ones for the comparison.
    Client.objects.filter(organisation=outsider.org).exclude(pk__in=report.client_ids).update(
        archived_at="2026-01-01T00:00:00Z"
    )
    second = services.csv_export(actor=outsider.actor(Role.ADMIN))
    names = ("clients", "measurements", "sessions")
    assert _without_refs(*(second.files[n] for n in names)) == _without_refs(*(first.files[n] for n in names))
    assert second.files["clients"] != first.files["clients"]  # ids differ, so the test compares something
    assert second.files["sessions"] != first.files["sessions"]
    assert "'-Crying" in first.files["sessions"]  # formula-like text is neutralised in the file


def test_imported_measurements_keep_values_times_and_confirmation(
    clinic: Clinic, outsider: Clinic, full_record: Record
) -> None:
    first = services.csv_export(actor=clinic.actor(Role.ADMIN))
    report = services.csv_import(
        actor=outsider.actor(Role.ADMIN),
        clients_csv=first.files["clients"],
        measurements_csv=first.files["measurements"],
    )
    mine = Measurement.objects.filter(client_id__in=report.client_ids)
    theirs = Measurement.objects.filter(client=full_record.client, entered_in_error_at__isnull=True)

    def key(qs: object) -> list[tuple[object, ...]]:
        return sorted(
            (m.instrument_id, m.taken_at, m.value, m.unit, m.total, m.band, m.context, m.confirmed_unusual)
            for m in qs  # type: ignore[attr-defined]
        )

    assert key(mine) == key(theirs)
    assert all(m.recorded_by_id == outsider.user(Role.ADMIN).pk for m in mine)


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_saved(clinic: Clinic) -> None:
    clients_csv = (
        "client_ref,given_name,family_name,birth_date,sex,gestation_weeks\n"
        "a,Ada,Ok,2025-01-02,female,\n"
        "b,Bo,Late,2999-01-01,male,\n"
        "c,Cy,Odd,2025-01-03,other,50\n"
    )
    measurements_csv = (
        "client_ref,instrument,taken_at,answers\n"
        'a,weight,2025-01-05,"{""value"": 3.4, ""unit"": ""kg""}"\n'
        'a,weight,2025-01-06,"{""value"": 340, ""unit"": ""kg""}"\n'
        'z,weight,2025-01-06,"{""value"": 3.4, ""unit"": ""kg""}"\n'
        "a,weight,not a date,{}\n"
    )
    before = (Client.objects.count(), Measurement.objects.count(), AuditEvent.objects.count())
    report = services.csv_import(
        actor=clinic.actor(Role.ADMIN), clients_csv=clients_csv, measurements_csv=measurements_csv
    )
    assert not report.saved
    where = {(p.file, p.line, p.field) for p in report.problems}
    assert ("clients", 3, "birth_date") in where
    assert ("clients", 4, "sex") in where
    assert ("clients", 4, "gestation_weeks") in where
    assert ("measurements", 3, "value") in where
    assert ("measurements", 4, "client_ref") in where
    assert ("measurements", 5, "taken_at") in where
    assert ("clients", 2, "birth_date") not in where
    assert (Client.objects.count(), Measurement.objects.count(), AuditEvent.objects.count()) == before


def test_measurement_rows_may_use_value_and_unit_and_must_name_the_clients_identifier(
    clinic: Clinic,
) -> None:
    # The measurements file is the one the measurement import reads (outcomes.csv_rows), value and unit
    # included; an identifier that is not the client's in the clients file is refused.
    clients_csv = (
        "client_ref,given_name,family_name,birth_date,sex,identifier\na,Ada,Ok,2025-01-02,female,N-1\n"
    )
    measurements_csv = (
        "client_ref,identifier,instrument,taken_at,value,unit\n"
        "a,N-1,weight,2025-01-05,3.4,kg\n"
        "a,N-2,weight,2025-01-06,3.5,kg\n"
    )
    report = services.csv_import(
        actor=clinic.actor(Role.ADMIN), clients_csv=clients_csv, measurements_csv=measurements_csv
    )
    assert [(p.file, p.line, p.field) for p in report.problems] == [("measurements", 3, "identifier")]
    without = measurements_csv.replace("N-2", "")  # identifier left empty: the client_ref alone says whose
    report = services.csv_import(
        actor=clinic.actor(Role.ADMIN), clients_csv=clients_csv, measurements_csv=without
    )
    assert report.saved, report.problems
    assert report.measurements == 2
    assert Measurement.objects.get(client_id__in=report.client_ids, taken_at__date="2025-01-05").value == 3.4


def test_a_file_that_cannot_be_read_is_refused(clinic: Clinic) -> None:
    for text, message in [
        ("", "empty"),
        ("given_name,family_name\nA,B\n", "lacks column"),
        ("client_ref,given_name,family_name,birth_date,sex,shoe_size\n", "unknown column"),
        ("client_ref,given_name,family_name,birth_date,sex\n1,A\x00,B,2025-01-01,male\n", "NUL"),
        ("client_ref,given_name,family_name,birth_date,sex\n", "no clients"),
    ]:
        with pytest.raises(ValidationFailed) as caught:
            services.csv_import(actor=clinic.actor(Role.ADMIN), clients_csv=text)
        assert message in caught.value.message


def test_a_duplicate_client_ref_is_reported(clinic: Clinic) -> None:
    text = "client_ref,given_name,family_name,birth_date,sex\n1,A,B,2025-01-01,male\n1,C,D,2025-01-01,male\n"
    report = services.csv_import(actor=clinic.actor(Role.ADMIN), clients_csv=text)
    assert [(p.line, p.field) for p in report.problems] == [(3, "client_ref")]


@pytest.mark.parametrize(
    "cell", ["=1+1", "+44 20", "-3", "@SUM(A1)", "\tx", "'=x", "''+x", "'plain", "plain", "", "a=b"]
)
def test_formula_protection_round_trips_exactly(cell: str) -> None:
    protected = csv_io.protect(cell)
    assert protected[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert csv_io.unprotect(protected) == cell


def test_export_and_import_are_audited(clinic: Clinic, full_record: Record) -> None:
    export = services.csv_export(actor=clinic.actor(Role.ADMIN))
    event = AuditEvent.objects.get(action="export", entity="client", client_id__isnull=True)
    assert sorted(event.changes["client_ids"]) == sorted(
        Client.objects.filter(organisation=clinic.org).values_list("pk", flat=True)
    )
    services.csv_import(actor=clinic.actor(Role.ADMIN), clients_csv=export.files["clients"])
    assert AuditEvent.objects.filter(entity="csv_import", action="create").count() == 1


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.CAREGIVER, Role.RESEARCHER])
def test_only_administrators_export_and_import_csv(clinic: Clinic, role: Role) -> None:
    with pytest.raises(PermissionDenied):
        services.csv_export(actor=clinic.actor(role))
    with pytest.raises(PermissionDenied):
        services.csv_import(actor=clinic.actor(role), clients_csv="client_ref\n")


def test_the_export_holds_only_the_organisations_clients(clinic: Clinic, outsider: Clinic) -> None:
    export = services.csv_export(actor=clinic.actor(Role.ADMIN))
    names = {row["family_name"] for row in _rows(export.files["clients"])}
    assert names == {c.family_name for c in Client.objects.filter(organisation=clinic.org)}
    assert not names & {c.family_name for c in Client.objects.filter(organisation=outsider.org)}


def test_imported_sessions_keep_their_times_steps_and_stop_reasons(clinic: Clinic, outsider: Clinic) -> None:
    assert clinic.other_client is not None
    make_care_record(clinic, clinic.other_client)
    _awkward_past_session(clinic, clinic.other_client)
    first = services.csv_export(actor=clinic.actor(Role.ADMIN))
    report = services.csv_import(
        actor=outsider.actor(Role.ADMIN),
        clients_csv=first.files["clients"],
        sessions_csv=first.files["sessions"],
    )
    assert report.saved, report.problems

    def key(sessions: object) -> list[tuple[object, ...]]:
        return sorted(
            (
                s.protocol_id,
                s.population,
                s.status,
                s.started_at,
                s.ended_at,
                s.stop_reason,
                [
                    (x.index, x.technique_id, x.regions, x.phase, x.outcome, x.skip_reason, x.seconds)
                    for x in s.step_logs.all()
                ],
            )
            for s in sessions  # type: ignore[attr-defined]
        )

    theirs = Session.objects.filter(client=clinic.other_client, status__in=("completed", "stopped"))
    mine = Session.objects.filter(client_id__in=report.client_ids)
    assert key(mine) == key(theirs)
    assert all(s.recorded_after_the_fact and s.organisation_id == outsider.org.pk for s in mine)
    events = AuditEvent.objects.filter(entity="session", client_id__in=report.client_ids)
    assert events.count() == 3
    assert all("recorded after the fact (imported from a CSV file)" in e.summary for e in events)
    import_event = AuditEvent.objects.get(entity="csv_import", organisation=outsider.org)
    assert import_event.changes["sessions"] == 3


def test_bad_session_rows_are_reported_by_line_and_column_and_nothing_is_saved(clinic: Clinic) -> None:
    clients_csv = "client_ref,given_name,family_name,birth_date,sex\na,Ada,Ok,2025-01-02,female\n"
    step = '{""technique"":""long_stroking"",""regions"":[""back""],""outcome"":""done"",""seconds"":60}'
    bad_step = '{""technique"":""no_such"",""regions"":[""back""],""outcome"":""done"",""seconds"":60}'
    start, end = "2025-03-01T09:00:00+00:00", "2025-03-01T09:20:00+00:00"
    sessions_csv = (
        "client_ref,protocol,status,started_at,ended_at,steps_done,minutes,stop_reason,steps\n"
        f'a,preterm_tks_10d,completed,{start},{end},1,1.00,,"[{step}]"\n'  # line 2: fine
        f'a,no_protocol,completed,{start},{end},,,,"[{step}]"\n'  # 3: protocol
        f'a,preterm_tks_10d,completed,{start},{end},2,,,"[{step}]"\n'  # 4: steps_done disagrees
        f'a,preterm_tks_10d,completed,{start},{end},,,,"[{step},{bad_step}]"\n'  # 5: step 2 technique
        f"a,preterm_tks_10d,completed,{start},{end},,,,not json\n"  # 6: steps
        f'a,preterm_tks_10d,stopped,{start},{end},,,,"[{step}]"\n'  # 7: stop_reason missing
        f'a,preterm_tks_10d,completed,yesterday,{end},,,,"[{step}]"\n'  # 8: started_at
        f'z,preterm_tks_10d,completed,{start},{end},,,,"[{step}]"\n'  # 9: client_ref
    )
    before = (Client.objects.count(), Session.objects.count(), AuditEvent.objects.count())
    report = services.csv_import(
        actor=clinic.actor(Role.ADMIN), clients_csv=clients_csv, sessions_csv=sessions_csv
    )
    assert not report.saved
    where = {(p.file, p.line, p.field) for p in report.problems}
    assert where == {
        ("sessions", 3, "protocol"),
        ("sessions", 4, "steps_done"),
        ("sessions", 5, "steps"),
        ("sessions", 6, "steps"),
        ("sessions", 7, "stop_reason"),
        ("sessions", 8, "started_at"),
        ("sessions", 9, "client_ref"),
    }
    (step_problem,) = [p for p in report.problems if p.line == 5]
    assert step_problem.message.startswith("step 2 (technique): Unknown technique")
    assert (Client.objects.count(), Session.objects.count(), AuditEvent.objects.count()) == before


def test_open_sessions_are_not_exported(clinic: Clinic) -> None:
    assert clinic.other_client is not None
    record = make_care_record(clinic, clinic.other_client)
    export = services.csv_export(actor=clinic.actor(Role.ADMIN), files=("sessions",))
    rows = _rows(export.files["sessions"])
    assert sorted(r["status"] for r in rows) == ["completed", "stopped"]
    assert record.open_session.status == "in_progress"
