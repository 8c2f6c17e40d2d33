"""What the session player reads: cues, behavioural states and in-session checks (stop rules' words)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kneadwell.library.schema.common import Evidenced, Id, Item, SessionAction, Sources, Text


class Cue(Item):
    id: Id
    label: Text
    kind: Literal["engagement", "disengagement", "stress", "readiness", "comfort"]
    strength: Literal["potent", "subtle"] | None = None
    # Where the player offers it: any session, preterm babies (nicu), clients with diabetes (signs of a low
    # blood sugar), or the permission asked before a step (consent: "yes" / "no" to this step).
    context: Literal["any", "nicu", "diabetes", "consent"] = "any"
    in_session_action: SessionAction
    nicu_action: SessionAction | None = None  # stricter reading for preterm babies, where a source gives one
    sources: Sources


class BehaviouralState(Item):
    id: Id
    number: int = Field(ge=1, le=6)
    label: Text
    description: Text
    in_session_action: SessionAction
    good_to_start: bool
    sources: Sources


class SessionCheck(Evidenced):
    """An in-session stop rule: its words and sources; the logic is in stop_rules.py under the same id.
    `slow` means carry on gently with the advice shown; `pause` hands off and settle; `stop` end today."""

    id: Id
    label: Text
    action: Literal["slow", "pause", "stop"]
    text_parent: Text
    text_clinician: Text
    instead: Text
    settings: list[Id] = Field(default_factory=list)
    sources: Sources
