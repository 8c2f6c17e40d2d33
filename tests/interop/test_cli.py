"""`kneadwell fhir export|import` as a person (--as, --org): exit 0 with the result, 2 with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fhir.resources.R4B.bundle import Bundle

from kneadwell.accounts.models import Membership
from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.cli import main
from kneadwell.clients.models import Client
from kwtest.people import Clinic

from . import bundles
from .conftest import Record

pytestmark = pytest.mark.django_db


def test_export_writes_a_valid_bundle_and_audits_the_cli_channel(
    tmp_path: Path, clinic: Clinic, full_record: Record, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "record.json"
    email = clinic.user(Role.THERAPIST).email
    code = main(["fhir", "export", "--client", str(full_record.client.pk), "--out", str(out), "--as", email])
    assert code == 0, capsys.readouterr().err
    Bundle.model_validate(json.loads(out.read_text()))
    event = AuditEvent.objects.get(action="export", client_id=full_record.client.pk)
    assert (event.channel, event.actor_label) == ("cli", email)


def test_export_to_standard_output(clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    assert clinic.client is not None
    code = main(["fhir", "export", "--client", str(clinic.client.pk), "--as", clinic.user(Role.ADMIN).email])
    assert code == 0
    assert json.loads(capsys.readouterr().out)["resourceType"] == "Bundle"


@pytest.mark.parametrize(
    ("who", "message"),
    [
        ("nobody@example.test", "no active account"),
        ("researcher", "does not allow"),
        ("outsider", "No such client"),
    ],
)
def test_export_refusals_exit_2_with_the_reason(
    clinic: Clinic, outsider: Clinic, who: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clinic.client is not None
    email = {
        "researcher": clinic.user(Role.RESEARCHER).email,
        "outsider": outsider.user(Role.ADMIN).email,
    }.get(who, who)
    assert main(["fhir", "export", "--client", str(clinic.client.pk), "--as", email]) == 2
    assert message in capsys.readouterr().err


def test_an_account_in_two_organisations_must_choose(
    clinic: Clinic, outsider: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    assert clinic.client is not None
    user = clinic.user(Role.ADMIN)
    Membership.objects.create(user=user, organisation=outsider.org, role=Role.ADMIN)
    args = ["fhir", "export", "--client", str(clinic.client.pk), "--as", user.email]
    assert main(args) == 2
    assert "--org" in capsys.readouterr().err
    assert main([*args, "--org", str(clinic.org.pk)]) == 0
    assert main([*args, "--org", "999999"]) == 2


def test_import_creates_the_client_and_says_consent_is_missing(
    tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(bundles.text(bundles.bundle()))
    code = main(["fhir", "import", str(path), "--as", clinic.user(Role.THERAPIST).email])
    output = capsys.readouterr().out
    assert code == 0
    assert "Created client" in output
    assert "no consent recorded" in output
    created = Client.objects.get(family_name="Adeyemi")
    assert created.measurements.count() == 4
    assert AuditEvent.objects.filter(entity="fhir_import", channel="cli").exists()


def test_a_bad_bundle_exits_2_and_saves_nothing(
    tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bundle.json"
    path.write_text(bundles.text(bundles.bundle([bundles.patient(gender="unknown")])))
    before = Client.objects.count()
    assert main(["fhir", "import", str(path), "--as", clinic.user(Role.ADMIN).email]) == 2
    assert "male or female" in capsys.readouterr().err
    assert Client.objects.count() == before


def test_unusual_values_need_the_confirm_flag(
    tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    entries = [*bundles.good_entries(), bundles.observation("29463-7", 2000, "g", days_ago=2)]
    path = tmp_path / "bundle.json"
    path.write_text(bundles.text(bundles.bundle(entries)))
    args = ["fhir", "import", str(path), "--as", clinic.user(Role.ADMIN).email]
    assert main(args) == 2
    assert "--confirm-unusual" in capsys.readouterr().err
    assert main([*args, "--dry-run", "--confirm-unusual"]) == 0
    assert "Dry run" in capsys.readouterr().out
    assert not Client.objects.filter(family_name="Adeyemi").exists()
    assert main([*args, "--confirm-unusual"]) == 0


def test_a_missing_file_exits_2(tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["fhir", "import", str(tmp_path / "nope.json"), "--as", clinic.user(Role.ADMIN).email]) == 2
    assert "cannot read" in capsys.readouterr().err
