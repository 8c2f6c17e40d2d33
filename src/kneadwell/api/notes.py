"""Session notes: the draft, signing and amendments.

Operation ids are given explicitly: they were made from the module name (`kneadwell_api_care_…`)
before the care router was split, and clients and tests refer to them."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.care_types import RegionId
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Id, LongText, ShortText
from kneadwell.care import selectors, services
from kneadwell.care.models import Note
from kneadwell.core.errors import NotFound

router = Router(tags=["care"])


class NoteIn(BodyIn):
    version: int | None = Field(
        None,
        ge=1,
        le=2**31 - 1,
        description="The version you loaded. Leave it out only to write the first draft; once a note "
        "exists, a missing or older version is a 409 whose body carries `current_version`",
    )
    subjective: LongText = ""
    objective: LongText = ""
    assessment: LongText = ""
    plan_text: LongText = ""
    response: LongText = ""
    sleep_after: Literal["", "longer", "as_usual", "shorter", "did_not_sleep"] = ""
    stools: Literal["", "yes", "no"] = ""
    techniques: list[RegionId] = Field(default_factory=list, max_length=80)
    regions: list[RegionId] = Field(default_factory=list, max_length=60)
    pressure: Literal["", "light", "moderate", "firm"] = ""
    minutes: float | None = Field(None, ge=0, le=600, allow_inf_nan=False)


class AmendmentOut(Schema):
    id: int
    text: str
    reason: str
    author: str
    created_at: dt.datetime


class NoteOut(Schema):
    id: int
    kind: str
    subjective: str
    objective: str
    assessment: str
    plan_text: str
    response: str
    sleep_after: str
    stools: str
    techniques: list[str]
    regions: list[str]
    pressure: str
    minutes: float | None
    signed_at: dt.datetime | None
    version: int
    amendments: list[AmendmentOut]


class SignIn(BodyIn):
    version: int = Field(..., ge=1)


class AmendIn(BodyIn):
    text: LongText
    reason: ShortText


def _note(n: Note) -> NoteOut:
    return NoteOut(
        id=n.pk,
        kind=n.kind,
        subjective=n.subjective,
        objective=n.objective,
        assessment=n.assessment,
        plan_text=n.plan_text,
        response=n.response,
        sleep_after=n.sleep_after,
        stools=n.stools,
        techniques=n.techniques,
        regions=n.regions,
        pressure=n.pressure,
        minutes=n.minutes,
        signed_at=n.signed_at,
        version=n.version,
        amendments=[
            AmendmentOut(
                id=a.pk, text=a.text, reason=a.reason, author=a.author.email, created_at=a.created_at
            )
            for a in n.amendments.all()
        ],
    )


@router.get(
    "/sessions/{session_id}/note",
    response=responses({200: NoteOut}, 403, 404),
    summary="The session note",
    operation_id="kneadwell_api_care_note_get",
)
@needs(Perm.CLIENT_VIEW)
def note_get(request: HttpRequest, session_id: Id) -> NoteOut:
    session = selectors.session_get(actor=actor_of(request), session_id=session_id, purpose="read the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound(_("No note yet."))
    return _note(note)


@router.put(
    "/sessions/{session_id}/note",
    operation_id="kneadwell_api_care_note_put",
    response=responses({200: NoteOut}, 403, 404, 409),
    summary="Write or change the draft note (the version you loaded is required to change it)",
)
@needs(Perm.NOTE_SIGN)
def note_put(request: HttpRequest, session_id: Id, payload: NoteIn) -> NoteOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="wrote the note")
    data = payload.model_dump()
    version = data.pop("version")
    note = services.note_save(actor=actor, session=session, expected_version=version, **data)
    return _note(note)


@router.post(
    "/sessions/{session_id}/note/sign",
    operation_id="kneadwell_api_care_note_sign",
    response=responses({200: NoteOut}, 403, 404, 409),
    summary="Sign and lock the note",
)
@needs(Perm.NOTE_SIGN)
def note_sign(request: HttpRequest, session_id: Id, payload: SignIn) -> NoteOut:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="signed the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound(_("No note yet."))
    return _note(services.note_sign(actor=actor, note=note, expected_version=payload.version))


@router.post(
    "/sessions/{session_id}/note/amendments",
    operation_id="kneadwell_api_care_note_amend",
    response=responses({201: NoteOut}, 403, 404),
    summary="Amend a signed note (the original is kept)",
)
@needs(Perm.NOTE_SIGN)
def note_amend(request: HttpRequest, session_id: Id, payload: AmendIn) -> Status[NoteOut]:
    actor = actor_of(request)
    session = selectors.session_get(actor=actor, session_id=session_id, purpose="amended the note")
    note = selectors.note_of(session=session)
    if note is None:
        raise NotFound(_("No note yet."))
    services.note_amend(actor=actor, note=note, text=payload.text, reason=payload.reason)
    refreshed = selectors.note_of(session=session)
    assert refreshed is not None
    return Status(201, _note(refreshed))
