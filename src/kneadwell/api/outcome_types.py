"""Input types shared by the outcome routers (measurements, growth, charts)."""

from __future__ import annotations

from typing import Annotated, Literal

from ninja import Field

# Catalogue ids (nips, range_of_motion) and organisations' own measures (org-12-pedsql).
InstrumentId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_-]+$")]
Reference = Literal["uk-who", "who", "cdc", "trisomy-21", "turners"]
