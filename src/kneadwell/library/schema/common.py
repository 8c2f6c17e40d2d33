"""What every content model shares: the field types (ids, source ids, text), the base `Item` (strict and
frozen), `Evidenced` (an item's basis and evidence note), pressures, and the manifest."""

from __future__ import annotations

from datetime import date
from enum import IntEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Id = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Za-z0-9-]*$", max_length=40)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Sources = Annotated[list[SourceId], Field(min_length=1)]
Basis = Literal["sourced", "conflicting", "design-choice"]
Action = Literal["stop", "needs-release", "avoid-areas", "modify"]
PressureName = Literal["light", "moderate", "firm"]
SessionAction = Literal["continue", "slow", "pause", "stop"]


class Pressure(IntEnum):
    """Ordered so that "at most moderate" is a comparison."""

    light = 1
    moderate = 2
    firm = 3


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidenced(Item):
    basis: Basis = "sourced"
    evidence_note: Text | None = None

    @model_validator(mode="after")
    def _note_when_not_sourced(self) -> Evidenced:
        if self.basis != "sourced" and not self.evidence_note:
            raise ValueError(f"basis '{self.basis}' needs an evidence_note saying why")
        return self


class Manifest(Item):
    version: Text
    reviewed_on: date
    reviewed_by: Text
    notes: Text | None = None
