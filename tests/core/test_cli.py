import subprocess
import sys

import pytest

from kneadwell.accounts.models import Membership, Organisation
from kneadwell.cli import main


@pytest.mark.django_db
def test_create_organisation_makes_an_admin_and_prints_a_password(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "create-organisation",
            "--name",
            "St Mary's NICU",
            "--kind",
            "nicu",
            "--admin-email",
            "lead@example.test",
            "--admin-name",
            "Lee Lead",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "Temporary password:" in out
    org = Organisation.objects.get(name="St Mary's NICU")
    assert Membership.objects.get(organisation=org).role == "admin"


@pytest.mark.django_db
def test_create_organisation_rejects_a_bad_email(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["create-organisation", "--name", "X", "--admin-email", "nope", "--admin-name", "N"])
    assert code == 2
    assert "email" in capsys.readouterr().err
    assert not Organisation.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_demo_creates_an_organisation_with_logins_and_is_repeatable() -> None:
    from kneadwell.core.demo import DEMO_ORG, demo_create

    first = demo_create()
    second = demo_create()
    assert any("parent@demo.kneadwell.test" in line for line in first)
    assert first != second  # fresh passwords every run
    org = Organisation.objects.get(name=DEMO_ORG)
    # Five clients of the clinic's own, and the demo study's 27 screened preterm babies (evaluation/demo.py).
    assert org.clients.count() == 5 + 27
    from kneadwell.care.models import Plan, Session

    assert Plan.objects.filter(client__organisation=org).count() == 2
    assert Session.objects.filter(client__organisation=org, status="completed").count() == 1


def test_python_dash_m_shows_the_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kneadwell", "--help"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "serve" in result.stdout
