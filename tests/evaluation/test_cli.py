"""`kneadwell study …`: the sequence from a seed (no database), the analysis, the export and the
allocation check, each with the rights of the person named by --as."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.cli import main
from kneadwell.evaluation.methods import allocation as alloc
from kwtest.evaluation import backdate, enrol, enter_weight, make_study
from kwtest.people import Clinic


def test_the_sequence_command_prints_what_the_algorithm_gives(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["study", "sequence", "--seed", "s", "--arms", "a:1,b:2", "--blocks", "3,6", "--length", "9"])
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    expected = alloc.generate(
        seed="s",
        arms=[alloc.ArmSpec("a", 1), alloc.ArmSpec("b", 2)],
        block_sizes=[3, 6],
        stratum_keys=["all"],
        length=9,
    )
    assert [(r["position"], r["arm"]) for r in rows] == [(str(s.position), s.arm) for s in expected]


def test_a_design_that_cannot_be_balanced_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["study", "sequence", "--seed", "s", "--arms", "a:1,b:1", "--blocks", "3", "--length", "4"]) == 2
    )
    assert "multiple of 2" in capsys.readouterr().err


@pytest.mark.django_db
def test_analyse_export_and_allocation_check(
    tmp_path: Path, clinic: Clinic, capsys: pytest.CaptureFixture[str]
) -> None:
    study = make_study(clinic, target_size=8)
    for grams in (1400, 1450, 1380, 1420):
        p = backdate(enrol(clinic, study), 6)
        enter_weight(clinic, p, 0, grams)
        enter_weight(clinic, p, 5, grams + 80)
    researcher = clinic.user(Role.RESEARCHER).email
    assert main(["study", "analyse", "TKS", "--as", researcher]) == 0
    analysis = json.loads(capsys.readouterr().out)
    assert analysis["outcomes"][0]["outcome"] == "weight_gain"
    out, dictionary = tmp_path / "data.csv", tmp_path / "dict.csv"
    assert (
        main(
            ["study", "export", "TKS", "--out", str(out), "--dictionary", str(dictionary), "--as", researcher]
        )
        == 0
    )
    assert "Wrote 4 rows" in capsys.readouterr().out
    assert len(out.read_text().splitlines()) == 5
    assert dictionary.read_text().startswith("variable,label,type,unit,values")
    assert AuditEvent.objects.filter(action="export", entity="study", channel="cli").count() == 1
    assert main(["study", "allocation", "TKS", "--as", researcher]) == 0
    assert json.loads(capsys.readouterr().out)["reproduces_from_seed"] is True
    therapist = clinic.user(Role.THERAPIST).email
    assert main(["study", "allocation", "TKS", "--as", therapist]) == 2
    assert "does not allow" in capsys.readouterr().err
    assert main(["study", "export", "TKS", "--out", str(out), "--as", therapist]) == 2
