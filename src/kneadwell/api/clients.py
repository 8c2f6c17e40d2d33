"""Clients, guardians and consent."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import BodyIn, Date, Id, LongText, Name, SearchText, ShortText
from kneadwell.clients import rules, selectors, services
from kneadwell.clients.models import Client, Consent, Guardian

router = Router(tags=["clients"])

Sex = Literal["female", "male"]
Code = Annotated[str, Field(max_length=64, pattern=r"^[a-z0-9_]+$")]
Identifier = Annotated[str, Field(max_length=rules.MAX_IDENTIFIER)]


class ClientIn(BodyIn):
    given_name: Name
    family_name: Name
    birth_date: Date
    sex: Sex
    gestation_weeks: int | None = Field(None, description="Completed weeks at birth (22–44); empty for term")
    gestation_days: int | None = Field(None, description="Extra days, 0–6")
    birth_weight_g: int | None = Field(None, description="Birth weight in grams")
    conditions: list[Code] = Field(default_factory=list, max_length=50)
    identifier: Identifier = ""
    notes: LongText = ""


class ClientPatch(BodyIn):
    version: int = Field(..., ge=1, description="The version you loaded; a newer one on the server is a 409")
    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: Date | None = None
    sex: Sex | None = None
    gestation_weeks: int | None = None
    gestation_days: int | None = None
    birth_weight_g: int | None = None
    conditions: list[Code] | None = Field(None, max_length=50)
    identifier: Identifier | None = None
    notes: LongText | None = None


class ClientOut(Schema):
    id: int
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    gestation_weeks: int | None
    gestation_days: int | None
    birth_weight_g: int | None
    conditions: list[str]
    identifier: str
    notes: str
    age_group: str
    has_care_consent: bool
    archived: bool
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class ClientPage(Schema):
    count: int
    items: list[ClientOut]


class GuardianIn(BodyIn):
    name: ShortText
    relationship: Literal[tuple(Guardian.Relationship.values)]  # type: ignore[valid-type]
    has_parental_responsibility: bool = True
    email: ShortText = ""
    phone: Annotated[str, Field(max_length=40)] = ""


class GuardianOut(Schema):
    id: int
    name: str
    relationship: str
    has_parental_responsibility: bool
    email: str
    phone: str
    has_login: bool


class ConsentIn(BodyIn):
    kind: Literal["guardian", "self", "assent"]
    scopes: list[Literal["care", "measurements", "research", "sharing", "study"]] = Field(
        ..., min_length=1, max_length=5
    )
    guardian_id: Id | None = None
    signed_by_name: ShortText
    signed_on: Date
    method: Literal["paper", "electronic", "verbal"]
    attestation: bool
    notes: LongText = ""


class ConsentOut(Schema):
    id: int
    kind: str
    scopes: list[str]
    guardian_id: int | None
    signed_by_name: str
    signed_on: dt.date
    method: str
    active: bool
    withdrawn_at: dt.datetime | None
    withdrawal_reason: str
    created_at: dt.datetime


class WithdrawIn(BodyIn):
    reason: LongText


def client_out(client: Client, facts: list[rules.ConsentFacts] | None = None) -> ClientOut:
    today = timezone.localdate()
    if facts is None:
        facts = [c.facts() for c in client.consents.all()]
    return ClientOut(
        id=client.pk,
        given_name=client.given_name,
        family_name=client.family_name,
        birth_date=client.birth_date,
        sex=client.sex,
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        birth_weight_g=client.birth_weight_g,
        conditions=list(client.conditions),
        identifier=client.identifier,
        notes=client.notes,
        age_group=client.age_group(today).value,
        has_care_consent=rules.has_active_consent(
            facts, scope=rules.Scope.CARE, birth_date=client.birth_date, today=today
        ),
        archived=client.archived_at is not None,
        version=client.version,
        created_at=client.created_at,
        updated_at=client.updated_at,
    )


def guardian_out(g: Guardian) -> GuardianOut:
    return GuardianOut(
        id=g.pk,
        name=g.name,
        relationship=g.relationship,
        has_parental_responsibility=g.has_parental_responsibility,
        email=g.email,
        phone=g.phone,
        has_login=g.user_id is not None,
    )


def consent_out(c: Consent) -> ConsentOut:
    return ConsentOut(
        id=c.pk,
        kind=c.kind,
        scopes=list(c.scopes),
        guardian_id=c.guardian_id,
        signed_by_name=c.signed_by_name,
        signed_on=c.signed_on,
        method=c.method,
        active=c.is_active,
        withdrawn_at=c.withdrawn_at,
        withdrawal_reason=c.withdrawal_reason,
        created_at=c.created_at,
    )


class ListParams(Schema):
    q: SearchText = ""
    limit: Annotated[int, Field(ge=1, le=200)] = 50
    offset: Annotated[int, Field(ge=0, le=10_000_000)] = 0


@router.get("", response=responses({200: ClientPage}, 403), summary="List and search clients")
@needs(Perm.CLIENT_VIEW)
def client_list(request: HttpRequest, params: Query[ListParams]) -> ClientPage:
    clients = selectors.client_search(actor=actor_of(request), query=params.q)
    count = clients.count()
    shown = list(clients[params.offset : params.offset + params.limit])
    facts = selectors.consent_facts_of(clients=shown)
    items = [client_out(c, facts[c.pk]) for c in shown]
    return ClientPage(count=count, items=items)


@router.post("", response=responses({201: ClientOut}, 403), summary="Add a client")
@needs(Perm.CLIENT_ADD)
def client_create(request: HttpRequest, payload: ClientIn) -> Status[ClientOut]:
    client = services.client_create(actor=actor_of(request), **payload.model_dump())
    return Status(201, client_out(client))


@router.get("/{client_id}", response=responses({200: ClientOut}, 403, 404), summary="One client's record")
@needs(Perm.CLIENT_VIEW)
def client_get(request: HttpRequest, client_id: Id) -> ClientOut:
    return client_out(selectors.client_get(actor=actor_of(request), client_id=client_id))


@router.patch(
    "/{client_id}",
    response=responses({200: ClientOut}, 403, 404, 409),
    summary="Change a client's details (send the version you loaded)",
)
@needs(Perm.CLIENT_EDIT)
def client_update(request: HttpRequest, client_id: Id, payload: ClientPatch) -> ClientOut:
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id, purpose="opened the record to edit")
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version")
    updated = services.client_update(actor=actor, client=client, expected_version=version, **changes)
    return client_out(updated)


@router.get(
    "/{client_id}/guardians",
    response=responses({200: list[GuardianOut]}, 403, 404),
    summary="A client's guardians",
)
@needs(Perm.CLIENT_VIEW)
def guardian_list(request: HttpRequest, client_id: Id) -> list[GuardianOut]:
    client = selectors.client_get(actor=actor_of(request), client_id=client_id, purpose="listed guardians")
    return [guardian_out(g) for g in selectors.guardian_list(client=client)]


@router.post(
    "/{client_id}/guardians", response=responses({201: GuardianOut}, 403, 404), summary="Add a guardian"
)
@needs(Perm.GUARDIAN_MANAGE)
def guardian_create(request: HttpRequest, client_id: Id, payload: GuardianIn) -> Status[GuardianOut]:
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id, purpose="added a guardian")
    guardian = services.guardian_create(actor=actor, client=client, **payload.model_dump())
    return Status(201, guardian_out(guardian))


@router.get(
    "/{client_id}/consents",
    response=responses({200: list[ConsentOut]}, 403, 404),
    summary="A client's consents and assents, withdrawn ones included",
)
@needs(Perm.CLIENT_VIEW)
def consent_list(request: HttpRequest, client_id: Id) -> list[ConsentOut]:
    client = selectors.client_get(actor=actor_of(request), client_id=client_id, purpose="listed consents")
    return [consent_out(c) for c in selectors.consent_list(client=client)]


@router.post(
    "/{client_id}/consents",
    response=responses({201: ConsentOut}, 403, 404),
    summary="Record a consent or assent",
)
@needs(Perm.CONSENT_MANAGE)
def consent_create(request: HttpRequest, client_id: Id, payload: ConsentIn) -> Status[ConsentOut]:
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id, purpose="recorded consent")
    data = payload.model_dump()
    guardian_id = data.pop("guardian_id")
    guardian = selectors.guardian_get(client=client, guardian_id=guardian_id) if guardian_id else None
    consent = services.consent_record(actor=actor, client=client, guardian=guardian, **data)
    return Status(201, consent_out(consent))


@router.post(
    "/{client_id}/consents/{consent_id}/withdraw",
    response=responses({200: ConsentOut}, 403, 404),
    summary="Withdraw a consent (history is kept)",
)
@needs(Perm.CONSENT_MANAGE)
def consent_withdraw(request: HttpRequest, client_id: Id, consent_id: Id, payload: WithdrawIn) -> ConsentOut:
    actor = actor_of(request)
    client = selectors.client_get(actor=actor, client_id=client_id, purpose="withdrew consent")
    consent = selectors.consent_get(client=client, consent_id=consent_id)
    return consent_out(services.consent_withdraw(actor=actor, consent=consent, reason=payload.reason))
