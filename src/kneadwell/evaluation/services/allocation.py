"""The allocation list: generated here from a secret seed, or uploaded (as REDCap takes an allocation
table). Only the allocation-list right (Perm.ALLOCATION_VIEW: the study's statistician) makes or reads it,
and only while the study is being designed; once recruiting, the list is fixed. The audit row says what was
made (method, algorithm, slots, strata, a hash of an uploaded table), never the seed or the sequence: the
audit log is read by administrators, who may randomise."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited, delete_audited
from kneadwell.core.errors import ValidationFailed
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.models import AllocationList, AllocationSlot, Arm, Study
from kneadwell.evaluation.selectors.design import arm_specs, levels
from kneadwell.evaluation.services.studies import _draft

MAX_TABLE_BYTES = 2_000_000
MAX_SEED = 128


def _locked_study(actor: Actor, study: Study) -> Study:
    locked: Study = Study.objects.for_organisation(actor.organisation_id).select_for_update().get(pk=study.pk)
    _draft(locked)
    return locked


def _design(study: Study) -> tuple[list[alloc.ArmSpec], dict[str, list[str]]]:
    specs = arm_specs(study)
    found = levels(study)
    problems = alloc.design_problems(specs, study.block_sizes, study.strata, found)
    if problems:
        raise ValidationFailed({"design": problems})
    return specs, found


def _replace(actor: Actor, study: Study) -> None:
    old = AllocationList.objects.within(study).filter(study=study).first()
    if old is None:
        return
    count = AllocationSlot.objects.within(old).filter(allocation=old).count()
    AllocationSlot.objects.within(old).filter(allocation=old).delete()
    delete_audited(
        actor=actor,
        obj=old,
        entity="allocation list",
        summary=f"replaced the allocation list of study {study.code} before recruitment",
        changes={"method": old.method, "slots": count},
    )


def _save(
    actor: Actor, study: Study, listing: AllocationList, slots: list[alloc.Slot], what: str
) -> AllocationList:
    arms = {a.code: a for a in Arm.objects.within(study).filter(study=study)}
    keys = sorted({s.stratum for s in slots})
    create_audited(
        actor=actor,
        obj=listing,
        entity="allocation list",
        summary=f"{what} for study {study.code}: {len(slots)} slots in {len(keys)} stratum/strata",
        changes={
            "method": listing.method,
            "algorithm": listing.algorithm,
            "block_sizes": listing.block_sizes,
            "slots": len(slots),
            "strata": len(keys),
            "table_sha256": listing.table_sha256,
        },
    )
    AllocationSlot.objects.bulk_create(
        AllocationSlot(
            organisation_id=study.organisation_id,
            allocation=listing,
            stratum=s.stratum,
            position=s.position,
            block=s.block,
            block_size=s.block_size,
            arm=arms[s.arm],
        )
        for s in slots
    )
    return listing


def allocation_generate(*, actor: Actor, study: Study, seed: str = "") -> AllocationList:
    """Permuted blocks of random sizes per stratum (methods/allocation.py). Without a seed, a new random
    one (128 bits from the operating system); with one, the list that seed gives (to reproduce a list)."""
    actor.require(Perm.ALLOCATION_VIEW)
    seed = (seed or "").strip()
    if len(seed) > MAX_SEED or any(not ch.isprintable() for ch in seed):
        raise ValidationFailed(
            {"seed": [_("A seed is at most %(max_seed)s printable characters.") % {"max_seed": MAX_SEED}]}
        )
    with transaction.atomic():
        study = _locked_study(actor, study)
        specs, found = _design(study)
        seed = seed or secrets.token_hex(16)
        slots = alloc.generate(
            seed=seed,
            arms=specs,
            block_sizes=study.block_sizes,
            stratum_keys=alloc.strata(study.strata, found),
            length=study.target_size,
        )
        _replace(actor, study)
        listing = AllocationList(
            organisation_id=study.organisation_id,
            study=study,
            method=AllocationList.Method.GENERATED,
            algorithm=alloc.ALGORITHM,
            seed=seed,
            block_sizes=list(study.block_sizes),
            created_by=actor.user,
        )
        return _save(actor, study, listing, slots, "generated the allocation list")


def allocation_upload(
    *, actor: Actor, study: Study, table: bytes | str, filename: str = ""
) -> AllocationList:
    """A table made elsewhere: columns `arm` and one per stratification factor, optionally `block`; rows in
    order of use within each stratum. Every problem is reported with its line; nothing is saved unless the
    whole table is usable. Each stratum must hold at least the target size, and blocks given must be
    balanced, so a table cannot run out or tilt the arms unnoticed."""
    actor.require(Perm.ALLOCATION_VIEW)
    raw = table.encode() if isinstance(table, str) else table
    if len(raw) > MAX_TABLE_BYTES:
        raise ValidationFailed(
            {"table": [_("The table is larger than %(value)s MB.") % {"value": MAX_TABLE_BYTES // 1_000_000}]}
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationFailed({"table": [_("Save the table as UTF-8 text (CSV).")]}) from None
    with transaction.atomic():
        study = _locked_study(actor, study)
        specs, found = _design(study)
        try:
            slots = alloc.parse_table(text, arms=specs, factors=study.strata, levels=found)
        except alloc.AllocationError as exc:
            raise ValidationFailed(
                {"table": [_("line %(n)s: %(m)s") % {"n": n, "m": m} if n else m for n, m in exc.problems]}
            ) from None
        problems = []
        per_stratum = {key: 0 for key in alloc.strata(study.strata, found)}
        for s in slots:
            per_stratum[s.stratum] += 1
        short = [k for k, n in per_stratum.items() if n < study.target_size]
        if short:
            problems.append(
                _("Each stratum needs at least %(target_size)s rows (the target size); too few in %(short)s.")
                % {"target_size": study.target_size, "short": ", ".join(short[:5])}
            )
        problems += alloc.block_balance([s for s in slots if s.block], specs)
        if problems:
            raise ValidationFailed({"table": problems[:20]})
        _replace(actor, study)
        listing = AllocationList(
            organisation_id=study.organisation_id,
            study=study,
            method=AllocationList.Method.UPLOADED,
            algorithm=f"uploaded table {filename}"[:60].strip(),
            table_sha256=hashlib.sha256(raw).hexdigest(),
            created_by=actor.user,
        )
        return _save(actor, study, listing, slots, "uploaded the allocation list")
