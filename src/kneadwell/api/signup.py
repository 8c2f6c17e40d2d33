"""Family sign-up over the API: the one operation open to anyone (no token), limited per network
address like the page. It runs the same service as the page (accounts.services.family_signup)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from kneadwell.accounts import services
from kneadwell.accounts.actor import Channel
from kneadwell.api.errors import responses
from kneadwell.api.types import BodyIn, Date, ShortText
from kneadwell.core.web import client_ip

router = Router(tags=["account"])


class SignupIn(BodyIn):
    full_name: ShortText = Field(..., description="The parent's name")
    email: str = Field(..., max_length=254)
    password: str = Field(
        ..., max_length=128, description="Checked by the password rules (at least 10 characters)"
    )
    baby_given_name: ShortText = Field(..., description="The baby's first name (up to 100 characters)")
    baby_birth_date: Date
    baby_sex: Literal["female", "male"]
    born_early: bool = Field(False, description="Born before 37 weeks; then gestation_weeks is required")
    gestation_weeks: int | None = Field(None, description="Completed weeks at birth (22–36) when born early")
    gestation_days: int | None = Field(None, description="Extra days, 0–6")
    consent: bool = Field(..., description=f"Must be true: {services.CONSENT_ATTESTATION}")
    history: list[ShortText] | None = Field(
        None,
        description=(
            "The health-history lines that apply to the baby, by question id (an empty list: none of "
            "them): the baby intake's checklist, e.g. had_surgery, clot_history. A term baby's history "
            "is then saved at once (a ticked line's follow-up questions are left for the history page). "
            "Left out, no history is saved."
        ),
    )


class SignupOut(Schema):
    user_id: int
    organisation_id: int
    membership_id: int
    client_id: int
    guardian_id: int
    consent_id: int


class SignupSentOut(Schema):
    detail: str


@router.post(
    "/signup",
    auth=None,
    openapi_extra={"x-permission": "public"},  # declared as kneadwell.api.permissions.PUBLIC
    response=responses({201: SignupOut, 202: SignupSentOut}, 429),
    summary="Create a family account: the parent, a family organisation, the baby and the parent's consent",
    description=(
        "Open to anyone, without a token; at most "
        f"{services.SIGNUP_LIMIT} sign-ups per network address per hour (then 429). A 201 gives the new "
        "ids and emails a link to confirm the address; create a token with the new login to go on. An "
        "address that already has an account gets an email instead and the answer is 202, without saying "
        "whether the account exists."
    ),
)
def signup(request: HttpRequest, payload: SignupIn) -> Status[SignupOut] | Status[SignupSentOut]:
    result = services.family_signup(
        full_name=payload.full_name,
        email=payload.email,
        password=payload.password,
        baby_given_name=payload.baby_given_name,
        baby_birth_date=payload.baby_birth_date,
        baby_sex=payload.baby_sex,
        born_early=payload.born_early,
        gestation_weeks=payload.gestation_weeks,
        gestation_days=payload.gestation_days,
        consent=payload.consent,
        history=payload.history,
        ip=client_ip(request),
        base_url=request.build_absolute_uri("/"),
        channel=Channel.API,
    )
    if result is None:
        email = payload.email.strip().lower()
        return Status(202, SignupSentOut(detail=services.EXISTING_ACCOUNT_MESSAGE.format(email=email)))
    return Status(
        201,
        SignupOut(
            user_id=result.user.pk,
            organisation_id=result.organisation.pk,
            membership_id=result.membership.pk,
            client_id=result.client.pk,
            guardian_id=result.guardian.pk,
            consent_id=result.consent.pk,
        ),
    )
