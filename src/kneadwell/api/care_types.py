"""Input types shared by the care routers (plans, sessions, notes, adverse events)."""

from __future__ import annotations

from typing import Annotated

from ninja import Field

RegionId = Annotated[str, Field(max_length=60, pattern=r"^[a-z0-9_]+$")]
Key = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
Vital = Annotated[float, Field(allow_inf_nan=False)]
