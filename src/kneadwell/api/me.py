from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kneadwell.accounts import selectors, services
from kneadwell.accounts.roles import GRID, Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import MEMBER, needs
from kneadwell.api.types import BodyIn, Id, ShortText

router = Router(tags=["account"])


class MeOut(Schema):
    email: str
    full_name: str
    organisation_id: int
    organisation: str
    role: str
    permissions: list[str]


class TokenIn(BodyIn):
    name: ShortText
    expires_in_days: int | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    token: str


@router.get(
    "/me", response=responses({200: MeOut}), summary="Who am I, in which organisation, with which role"
)
@needs(MEMBER)
def me(request: HttpRequest) -> MeOut:
    actor = actor_of(request)
    return MeOut(
        email=actor.user.email,
        full_name=actor.user.full_name,
        organisation_id=actor.organisation_id,
        organisation=actor.organisation.name,
        role=actor.role.value,
        permissions=sorted(p.value for p, roles in GRID.items() if actor.role in roles),
    )


@router.get("/tokens", response=responses({200: list[TokenOut]}, 403), summary="My API tokens")
@needs(Perm.TOKEN_MANAGE)
def token_list(request: HttpRequest) -> list[TokenOut]:
    return [
        TokenOut.model_validate(t, from_attributes=True)
        for t in selectors.api_token_list(actor=actor_of(request))
    ]


@router.post(
    "/tokens",
    response=responses({201: NewTokenOut}, 403),
    summary="Create an API token (the token is shown in this answer only)",
)
@needs(Perm.TOKEN_MANAGE)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[NewTokenOut]:
    token, raw = services.api_token_create(
        actor=actor_of(request), name=payload.name, expires_in_days=payload.expires_in_days
    )
    out = NewTokenOut(**TokenOut.model_validate(token, from_attributes=True).model_dump(), token=raw)
    return Status(201, out)


@router.post(
    "/tokens/{token_id}/revoke", response=responses({200: TokenOut}, 403, 404), summary="Revoke a token"
)
@needs(Perm.TOKEN_MANAGE)
def token_revoke(request: HttpRequest, token_id: Id) -> TokenOut:
    token = services.api_token_revoke(actor=actor_of(request), token_id=token_id)
    return TokenOut.model_validate(token, from_attributes=True)
