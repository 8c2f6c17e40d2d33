"""Which version of an instrument and of its scoring rule a result comes from. Pure: no Django.

Every measurement stores both (docs/outcomes.md, "Versions"): the instrument's own `version` (its data:
items, options, bands; "1" unless the catalogue entry says otherwise, an organisation's measure the
number of its published version) and the version of the scoring function its `scoring:` names. When a
scoring rule changes the way it computes a result, its number here goes up, so results scored before and
after can be told apart; nothing already stored is scored again.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from .model import Instrument

# Scoring function (registry.SCORERS name) -> its version. A function not listed is at version "1": the
# version it had when it was written. Raise a number here when the rule's result changes.
SCORER_VERSIONS: Mapping[str, str] = MappingProxyType(
    {
        "item_sum": "1",
        "category": "1",
        "grade": "1",
        "measurement": "1",
        "range_of_motion": "1",
        "diary": "1",
        "nrs": "1",
        "pipp": "1",
        "fugl_meyer": "1",
        "item_scale": "1",
    }
)
FIRST_VERSION = "1"


def scoring_version(instrument: Instrument) -> str:
    """The version of the scoring function that scores this instrument."""
    return SCORER_VERSIONS.get(instrument.scoring, FIRST_VERSION)
