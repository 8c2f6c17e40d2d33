"""Making the allocation list: only the allocation-list holder, only while the study is designed; the
stored list reproduces from its seed; the audit log never holds the seed or the sequence."""

from __future__ import annotations

import pytest

from kneadwell.accounts.roles import Role
from kneadwell.audit.models import AuditEvent
from kneadwell.core.errors import DomainError, PermissionDenied, ValidationFailed
from kneadwell.evaluation import services
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.models import AllocationList, AllocationSlot
from kneadwell.evaluation.selectors.allocation import allocation_view
from kwtest.evaluation import make_study
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db


def test_a_generated_list_is_stored_as_the_seed_gives_it_balanced_in_every_stratum(clinic: Clinic) -> None:
    study = make_study(
        clinic,
        strata=["site", "gestation_band"],
        sites=["Ward A", "Ward B"],
        gestation_cuts=[28],
        target_size=10,
        block_sizes=[2, 4, 6],
        seed="reproduce-me",
        open_it=False,
    )
    view = allocation_view(actor=clinic.actor(Role.RESEARCHER), study=study)
    assert view.reproduces is True
    assert view.balance_problems == []
    keys = {s.stratum for s in view.slots}
    assert keys == {
        "site=Ward A|gestation_band=<28",
        "site=Ward A|gestation_band=>=28",
        "site=Ward B|gestation_band=<28",
        "site=Ward B|gestation_band=>=28",
    }
    expected = alloc.generate(
        seed="reproduce-me",
        arms=[alloc.ArmSpec("massage"), alloc.ArmSpec("control")],
        block_sizes=[2, 4, 6],
        stratum_keys=sorted(keys),
        length=10,
    )
    stored = sorted((s.stratum, s.position, s.arm.code) for s in view.slots)
    assert stored == sorted((s.stratum, s.position, s.arm) for s in expected)


def test_a_tampered_list_no_longer_reproduces_from_its_seed(clinic: Clinic) -> None:
    study = make_study(clinic, open_it=False)
    first = AllocationSlot.objects.filter(allocation__study=study).order_by("position").first()
    assert first is not None
    other = next(a for a in study.arms.all() if a.pk != first.arm_id)
    AllocationSlot.objects.filter(pk=first.pk).update(arm=other)
    assert allocation_view(actor=clinic.actor(Role.RESEARCHER), study=study).reproduces is False


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.RESEARCHER])
def test_only_the_allocation_list_holder_makes_or_reads_the_list(clinic: Clinic, role: Role) -> None:
    study = make_study(clinic, open_it=False)
    with pytest.raises(PermissionDenied):
        services.allocation_generate(actor=clinic.actor(role), study=study)
    with pytest.raises(PermissionDenied):
        allocation_view(actor=clinic.actor(role), study=study)


def test_the_audit_log_says_a_list_was_made_but_not_the_seed_or_the_sequence(clinic: Clinic) -> None:
    study = make_study(clinic, seed="do-not-leak-this-seed", open_it=False)
    events = AuditEvent.objects.filter(entity="allocation list")
    assert events.count() == 1
    text = repr([(e.summary, e.changes) for e in events])
    assert "do-not-leak-this-seed" not in text
    assert "massage" not in text
    assert "control" not in text
    assert events.get().changes["slots"] == AllocationSlot.objects.filter(allocation__study=study).count()


def test_a_new_random_seed_is_drawn_when_none_is_given(clinic: Clinic) -> None:
    study = make_study(clinic, open_it=False)
    services.allocation_generate(actor=clinic.actor(Role.RESEARCHER), study=study)
    listing = AllocationList.objects.get(study=study)
    assert len(listing.seed) == 32
    assert listing.seed != "test-seed"
    assert AuditEvent.objects.filter(entity="allocation list", action="delete").count() == 1


def test_once_recruiting_the_list_can_no_longer_be_replaced(clinic: Clinic) -> None:
    study = make_study(clinic)
    with pytest.raises(DomainError, match="fixed once the study recruits"):
        services.allocation_generate(actor=clinic.actor(Role.RESEARCHER), study=study)


def test_an_uploaded_table_must_cover_the_target_in_every_stratum_and_be_balanced(clinic: Clinic) -> None:
    study = make_study(clinic, strata=["site"], sites=["A", "B"], target_size=2, open_it=False)
    researcher = clinic.actor(Role.RESEARCHER)
    short = "arm,site\nmassage,A\ncontrol,A\nmassage,B\n"
    with pytest.raises(ValidationFailed, match="at least 2 rows"):
        services.allocation_upload(actor=researcher, study=study, table=short)
    tilted = "arm,site,block\nmassage,A,1\nmassage,A,1\ncontrol,B,1\nmassage,B,1\n"
    with pytest.raises(ValidationFailed, match="not in the arms' ratio"):
        services.allocation_upload(actor=researcher, study=study, table=tilted)
    good = "arm,site,block\nmassage,A,1\ncontrol,A,1\ncontrol,B,1\nmassage,B,1\n"
    listing = services.allocation_upload(actor=researcher, study=study, table=good, filename="list.csv")
    assert listing.method == "uploaded"
    assert len(listing.table_sha256) == 64
    assert AllocationSlot.objects.filter(allocation=listing).count() == 4
