"""Which evidence claims apply to a library protocol or to a client, kept as data. Pure: no Django.

The content library (`kneadwell.library`) and the evidence library were written with different codes:
the content library has five populations a client belongs to (preterm_infant, infant, child, stroke,
rehab) and its own condition list; the evidence library codes populations as the studies describe them
(infant-preterm, infant-term, child, adult-stroke, adult-sports, adult-post-operative). The tables below
translate one into the other. Every protocol in the content library has an entry in PROTOCOLS (a test
checks this), so adding a protocol forces a decision about which claims it may show.

How a claim is matched to a scope: the claim must be about one of the scope's populations, and then
- it names one of the scope's conditions (colic, asthma, ...), or
- it names no condition (a claim about massage for the population in general) and the scope takes
  general claims, or
- it is listed by id in the scope's `also` (a claim that matches a routine's purpose rather than a
  condition, such as blocked noses for the face routine).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from kneadwell.evidence.library import CERTAINTY_ORDER, Claim, EvidenceLibrary

# Content-library population → evidence populations.
POPULATIONS: dict[str, tuple[str, ...]] = {
    "preterm_infant": ("infant-preterm",),
    # A baby at home. The term-infant trials (Bennett 2013: typically developing infants under six
    # months) are the closest evidence, also for a baby born early once the neonatal team no longer
    # directs care (the content library moves such a baby to this population).
    "infant": ("infant-term",),
    "child": ("child",),
    "stroke": ("adult-stroke",),
    # Sports injury and recovery after surgery share one population in the content library; a client's
    # recorded condition narrows it (REHAB_BY_CONDITION), otherwise both apply.
    "rehab": ("adult-sports", "adult-post-operative"),
}

# Conditions that come with the population itself: every claim about preterm babies is coded with the
# condition `preterm`, every stroke claim with `stroke`.
IMPLIED_CONDITIONS: dict[str, tuple[str, ...]] = {
    "preterm_infant": ("preterm",),
    "stroke": ("stroke",),
}

REHAB_BY_CONDITION: dict[str, str] = {
    "sports_injury": "adult-sports",
    "post_operative": "adult-post-operative",
}

# Content-library condition → evidence condition. Only conditions the evidence library codes are
# listed; the others (eczema, bleeding disorders, ...) have no claim in it. Leukaemia is a cancer.
CONDITIONS: dict[str, str] = {
    "preterm": "preterm",
    "down_syndrome": "down_syndrome",
    "cerebral_palsy": "cerebral_palsy",
    "asthma": "asthma",
    "juvenile_idiopathic_arthritis": "juvenile_idiopathic_arthritis",
    "autism": "autism",
    "adhd": "adhd",
    "cystic_fibrosis": "cystic_fibrosis",
    "diabetes": "diabetes",
    "ptsd": "ptsd",
    "stroke": "stroke",
    "jaundice": "jaundice",
    "cancer": "cancer",
    "leukaemia": "cancer",
}


@dataclass(frozen=True)
class Scope:
    """What a protocol or a client is about, in the evidence library's codes."""

    populations: tuple[str, ...]
    conditions: tuple[str, ...] = ()
    general: bool = True  # also show claims about the population in general (no condition named)
    also: tuple[str, ...] = field(default=())  # claim ids that apply whatever their conditions


# Library protocol id → the claims it may show. `general` is False where the routine is not the kind
# of massage the general trials tested (a tummy routine for colic is not a whole-body programme).
PROTOCOLS: dict[str, Scope] = {
    "child_asthma": Scope(("child",), ("asthma",)),
    "child_jia": Scope(("child",), ("juvenile_idiopathic_arthritis",)),
    "child_autism_adhd": Scope(("child",), ("autism", "adhd")),
    "child_cystic_fibrosis": Scope(("child",), ("cystic_fibrosis",)),
    "child_cerebral_palsy": Scope(("child",), ("cerebral_palsy",)),
    "child_down_syndrome": Scope(("child",), ("down_syndrome",)),
    # Comfort in hospital: the children's anxiety review is the general claim that fits.
    "child_hospital_comfort": Scope(("child",)),
    "sports_recovery": Scope(("adult-sports",)),
    "rehab_injury_postop": Scope(("adult-sports", "adult-post-operative")),
    "stroke_rehab": Scope(("adult-stroke",), ("stroke",)),
    # The whole-body parent routine is what the infant-massage trials tested.
    "iaim_parent_routine": Scope(("infant-term",)),
    # Its first week (legs and feet): the same general infant-massage claims, as the whole routine.
    "iaim_first_week": Scope(("infant-term",)),
    # Abdominal strokes for wind and colic: only the colic claims (crying; reflexology for gas).
    "colic_relief": Scope(("infant-term",), ("colic",), general=False),
    # No study in the library measured constipation: this routine shows no claim.
    "constipation_relief": Scope(("infant-term",), general=False),
    # Face strokes for teething and blocked noses: the seed claim about mucus (no study found).
    "face_relief": Scope(("infant-term",), general=False, also=("congestion_and_mucus",)),
    "preterm_tks_10d": Scope(("infant-preterm",), ("preterm",)),
    "preterm_tks_5d": Scope(("infant-preterm",), ("preterm",)),
    "neonatal_practice": Scope(("infant-term", "infant-preterm"), ("preterm",)),
    # Issue 15. Post-traumatic stress: the one study is in children; no adult claim exists, so adults see
    # none rather than the sports and surgery claims.
    "ptsd_trauma_informed": Scope(("child",), ("ptsd",)),
    "child_diabetes_massage": Scope(("child",), ("diabetes",)),
    "child_oncology_comfort": Scope(("child",), ("cancer",)),
}


def protocol_scope(protocol_id: str, library_populations: Iterable[str]) -> Scope:
    """The scope of a library protocol: its PROTOCOLS entry, or, for a protocol added since, the general
    claims of its populations."""
    if protocol_id in PROTOCOLS:
        return PROTOCOLS[protocol_id]
    pops = [p for lp in library_populations for p in POPULATIONS.get(lp, ())]
    implied = [c for lp in library_populations for c in IMPLIED_CONDITIONS.get(lp, ())]
    return Scope(tuple(dict.fromkeys(pops)), tuple(dict.fromkeys(implied)))


def person_scope(population: str | None, conditions: Collection[str]) -> Scope:
    """The scope of a client in content-library population `population` with these recorded condition
    codes. An unknown or missing population gives an empty scope (no claims rather than wrong ones)."""
    pops = POPULATIONS.get(population or "", ())
    if population == "rehab":
        narrowed = tuple(dict.fromkeys(REHAB_BY_CONDITION[c] for c in conditions if c in REHAB_BY_CONDITION))
        pops = narrowed or pops
    codes = [
        *IMPLIED_CONDITIONS.get(population or "", ()),
        *(CONDITIONS[c] for c in conditions if c in CONDITIONS),
    ]
    return Scope(pops, tuple(dict.fromkeys(codes)))


def claims_in_scope(
    library: EvidenceLibrary, scope: Scope, *, include_unsupported: bool = True
) -> list[Claim]:
    """The claims that apply to `scope`, most certain first (then by id), as `claims_for` orders them."""
    pops, conds = set(scope.populations), set(scope.conditions)
    found = []
    for claim in library.claims.values():
        if not pops & set(claim.populations):
            continue
        if not include_unsupported and claim.evidence == "no_evidence_found":
            continue
        if (
            (set(claim.conditions) & conds)
            or (not claim.conditions and scope.general)
            or claim.id in scope.also
        ):
            found.append(claim)
    return sorted(found, key=lambda c: (-CERTAINTY_ORDER.index(c.certainty), c.id))
