"""The allocation list, for the allocation-list right only (Perm.ALLOCATION_VIEW): its seed, every line and
which participant (by study number, never by name) used it. Nobody else reads AllocationList or
AllocationSlot: the randomisation service picks the next line itself, under a lock."""

from __future__ import annotations

from dataclasses import dataclass

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.models import AllocationList, AllocationSlot, Study
from kneadwell.evaluation.selectors.design import arm_specs, levels


@dataclass
class AllocationView:
    listing: AllocationList | None
    slots: list[AllocationSlot]
    reproduces: bool | None  # a generated list regenerated from its seed gives the same lines
    balance_problems: list[str]


def allocation_view(*, actor: Actor, study: Study) -> AllocationView:
    actor.require(Perm.ALLOCATION_VIEW)
    listing = AllocationList.objects.within(study).filter(study=study).first()
    if listing is None:
        return AllocationView(None, [], None, [])
    slots = list(
        AllocationSlot.objects.within(listing)
        .filter(allocation=listing)
        .select_related("arm", "participant")
        .order_by("stratum", "position")
    )
    specs = arm_specs(study)
    as_pure = [alloc.Slot(s.stratum, s.position, s.block, s.block_size, s.arm.code) for s in slots]
    reproduces = None
    if listing.method == AllocationList.Method.GENERATED:
        again = alloc.generate(
            seed=listing.seed,
            arms=specs,
            block_sizes=listing.block_sizes,
            stratum_keys=alloc.strata(study.strata, levels(study)),
            length=study.target_size,
        )
        reproduces = sorted(again, key=_key) == sorted(as_pure, key=_key)
    return AllocationView(
        listing, slots, reproduces, alloc.block_balance([s for s in as_pure if s.block], specs)
    )


def _key(slot: alloc.Slot) -> tuple[str, int]:
    return slot.stratum, slot.position
