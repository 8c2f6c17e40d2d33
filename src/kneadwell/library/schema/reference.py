"""Reference items the rest of the library names: sources, body regions, conditions and populations."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, model_validator

from kneadwell.library.schema.common import Id, Item, SourceId, Sources, Text


class Source(Item):
    """One entry of the source registry (library/content/sources.yaml, read by kneadwell.content.sources)."""

    id: SourceId
    citation: Text
    url: Text | None = None
    reliability: Text  # e.g. "peer-reviewed RCT", "lay site", "parent handout; full text not seen"
    # Set for the sources the measurement instruments cite: a short label, what kind of source it is and
    # which part of the citation could not be checked.
    short: Text | None = None
    kind: Literal["primary", "secondary", "lay", "project"] | None = None
    note: Text | None = None
    # The evidence library's study for the same work (evidence/content/studies.yaml), whose structured,
    # checked citation this one repeats; a test holds the two to the same title.
    study: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_]*$")] | None = None


class Region(Item):
    id: Id
    label: Text
    kind: Literal["area", "group", "whole_body", "focus"] = "area"
    parent: Id | None = None
    next_distal: Id | None = None  # the next segment down the limb, for "this area and the limb below"
    side: Literal["left", "right", "midline"] | None = None
    svg_ids: list[Text] = Field(default_factory=list)
    notes: Text | None = None

    @model_validator(mode="after")
    def _shapes_only_on_areas(self) -> Region:
        if self.kind == "area" and not self.svg_ids:
            raise ValueError("an area needs at least one svg_id on the body map")
        if self.kind != "area" and self.svg_ids:
            raise ValueError(f"a {self.kind} region has no shape of its own; remove svg_ids")
        return self


class Condition(Item):
    id: Id
    label: Text
    notes: Text | None = None
    sources: Sources


class Population(Item):
    id: Id
    label: Text
    description: Text
    intake_set: Id
    readiness_set: Id
