"""Writes for organisations, memberships, invitations and API tokens: validate, save, audit."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import ApiToken, Invitation, Membership, Organisation, SignupAttempt, User
from kneadwell.accounts.roles import Perm, Role
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action, create_audited, save_audited
from kneadwell.core.errors import DomainError, NotFound, ValidationFailed

if TYPE_CHECKING:
    from kneadwell.clients.models import Client, Consent, Guardian
    from kneadwell.library.models import Intake
    from kneadwell.library.schema import Question

INVITATION_DAYS = 14
TOKEN_PREFIX = "kw_"  # noqa: S105 - the public prefix that marks our tokens


def _check_email(email: str, field: str = "email") -> str:
    email = email.strip().lower()
    try:
        validate_email(email)
    except DjangoValidationError:
        raise ValidationFailed({field: [f"{email or 'That'} is not a valid email address."]}) from None
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed({"password": list(exc.messages)}) from None


def organisation_create(*, name: str, kind: str, owner: User) -> tuple[Organisation, Membership]:
    """A new organisation with `owner` as its first administrator (used by set-up, demo and the CLI)."""
    if not name.strip():
        raise ValidationFailed({"name": ["Enter the organisation's name."]})
    if kind not in Organisation.Kind.values:
        raise ValidationFailed({"kind": [f"Choose one of: {', '.join(Organisation.Kind.values)}."]})
    with transaction.atomic():
        org = Organisation.objects.create(name=name.strip(), kind=kind)
        membership = Membership.objects.create(user=owner, organisation=org, role=Role.ADMIN)
        actor = Actor(user=owner, membership=membership, channel=Channel.SYSTEM)
        # Audited once its first administrator exists: the row is written in that person's name.
        audit_action(
            actor=actor,
            action=Action.CREATE,
            entity="organisation",
            entity_id=org.pk,
            summary=f"created organisation {org.name}",
        )
    return org, membership


def user_create(*, email: str, full_name: str, password: str) -> User:
    email = _check_email(email)
    if not full_name.strip():
        raise ValidationFailed({"full_name": ["Enter your name."]})
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationFailed(
            {"email": ["An account with this email address already exists; log in instead."]}
        )
    _check_password(password, User(email=email, full_name=full_name))
    return User.objects.create_user(email=email, password=password, full_name=full_name.strip())


def invitation_create(
    *, actor: Actor, email: str, role: str, client_id: int | None = None, base_url: str
) -> tuple[Invitation, str]:
    """Invite someone by email; returns the invitation and the one-time link (also emailed)."""
    actor.require(Perm.TEAM_MANAGE)
    email = _check_email(email)
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": ["Choose a role."]})
    if Membership.objects.filter(organisation_id=actor.organisation_id, user__email__iexact=email).exists():
        raise ValidationFailed({"email": ["This person is already a member of the organisation."]})
    client = None
    if client_id is not None:
        from kneadwell.clients.models import Client

        client = Client.objects.filter(organisation_id=actor.organisation_id, pk=client_id).first()
        if client is None:
            raise ValidationFailed({"client": ["No such client in this organisation."]})
        if role != Role.CAREGIVER:
            raise ValidationFailed({"client": ["Only a caregiver invitation is linked to a client."]})
    raw = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation(
            organisation_id=actor.organisation_id,
            email=email,
            role=role,
            client=client,
            token_hash=ApiToken.hash(raw),
            invited_by=actor.user,
            expires_at=timezone.now() + dt.timedelta(days=INVITATION_DAYS),
        )
        create_audited(
            actor=actor,
            obj=invitation,
            entity="invitation",
            client_id=client.pk if client else None,
            summary=f"invited {email} as {Role(role).label}",
        )
        link = f"{base_url.rstrip('/')}/invitations/{raw}/"
        transaction.on_commit(
            lambda: send_mail(
                subject=f"You are invited to {actor.organisation.name} on Kneadwell",
                message=(
                    f"{actor.user.full_name or actor.user.email} invited you to join "
                    f"{actor.organisation.name} "
                    f"on Kneadwell as {Role(role).label}.\n\nAccept within {INVITATION_DAYS} days: {link}\n"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        )
    return invitation, link


def invitation_find(*, raw_token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("organisation", "client")
        .filter(token_hash=ApiToken.hash(raw_token))
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise NotFound("This invitation link is not valid any more. Ask for a new one.")
    return invitation


def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if not invitation.is_open:
        raise DomainError("This invitation is no longer open.")
    if user.email.lower() != invitation.email.lower():
        raise DomainError(
            f"This invitation was sent to {invitation.email}; log in with that address to accept it."
        )
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            user=user,
            organisation=invitation.organisation,
            defaults={"role": invitation.role, "is_active": True},
        )
        actor = Actor(user=user, membership=membership, channel=Channel.PAGE)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        save_audited(
            actor=actor,
            obj=invitation,
            update_fields=["accepted_at", "accepted_by", "updated_at"],
            entity="invitation",
            summary="accepted the invitation",
        )
        if user.email_verified_at is None:
            # The invitation link was emailed to this address, so opening it shows the address is theirs.
            user.email_verified_at = invitation.accepted_at
            user.save(update_fields=["email_verified_at"])
        if invitation.client_id is not None:
            from kneadwell.clients.models import Guardian

            guardian = Guardian.objects.filter(
                client_id=invitation.client_id, email__iexact=user.email
            ).first()
            if guardian is None:
                guardian = Guardian(
                    organisation=invitation.organisation,
                    client_id=invitation.client_id,
                    name=user.full_name or user.email,
                    relationship=Guardian.Relationship.PARENT,
                    email=user.email,
                )
            guardian.user = user
            # A guardian added here is audited as the linking it is (an update), like one already listed.
            save_audited(
                actor=actor,
                obj=guardian,
                update_fields=None if guardian.pk is None else ["user", "updated_at"],
                entity="guardian",
                client_id=invitation.client_id,
                summary="linked the guardian to their login",
            )
    return membership


def invitation_revoke(*, actor: Actor, invitation_id: int) -> Invitation:
    actor.require(Perm.TEAM_MANAGE)
    invitation = Invitation.objects.filter(organisation_id=actor.organisation_id, pk=invitation_id).first()
    if invitation is None:
        raise NotFound("No such invitation.")
    if invitation.is_open:
        with transaction.atomic():
            invitation.revoked_at = timezone.now()
            save_audited(
                actor=actor,
                obj=invitation,
                update_fields=["revoked_at", "updated_at"],
                entity="invitation",
                summary=f"revoked the invitation to {invitation.email}",
            )
    return invitation


def membership_update(*, actor: Actor, membership_id: int, role: str, is_active: bool) -> Membership:
    actor.require(Perm.TEAM_MANAGE)
    member = (
        Membership.objects.select_related("user")
        .filter(organisation_id=actor.organisation_id, pk=membership_id)
        .first()
    )
    if member is None:
        raise NotFound("No such member.")
    if role not in Role.__members__.values():
        raise ValidationFailed({"role": ["Choose a role."]})
    if member.pk == actor.membership.pk and (role != Role.ADMIN or not is_active):
        raise ValidationFailed(
            {"role": ["You cannot remove your own administrator role; ask another admin."]}
        )
    with transaction.atomic():
        before = {"role": member.role, "is_active": member.is_active}
        member.role = role
        member.is_active = is_active
        after = {"role": member.role, "is_active": member.is_active}
        save_audited(
            actor=actor,
            obj=member,
            update_fields=["role", "is_active", "updated_at"],
            entity="membership",
            summary=f"changed {member.user.email}",
            changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
        )
    return member


def api_token_create(*, actor: Actor, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A personal API token for the actor's membership. The raw token is returned once and never stored."""
    actor.require(Perm.TOKEN_MANAGE)
    if not name.strip():
        raise ValidationFailed({"name": ["Give the token a name, e.g. 'ward laptop import'."]})
    if expires_in_days is not None and not 1 <= expires_in_days <= 366:
        raise ValidationFailed({"expires_in_days": ["A token can last from 1 to 366 days."]})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            membership=actor.membership,
            name=name.strip()[:100],
            prefix=raw[:10],
            token_hash=ApiToken.hash(raw),
            expires_at=timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None,
        )
        create_audited(
            actor=actor,
            obj=token,
            entity="api_token",
            summary=f"created API token {token.name!r}",
        )
    return token, raw


def api_token_revoke(*, actor: Actor, token_id: int) -> ApiToken:
    actor.require(Perm.TOKEN_MANAGE)
    token = ApiToken.objects.filter(membership__user=actor.user, pk=token_id).first()
    if token is None:
        raise NotFound("No such token.")
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            save_audited(
                actor=actor,
                obj=token,
                update_fields=["revoked_at", "updated_at"],
                entity="api_token",
                summary=f"revoked API token {token.name!r}",
            )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token for a bearer string, or None. Marks it used (at most once a minute, to keep reads
    from turning into writes on every request)."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("membership__user", "membership__organisation")
        .filter(token_hash=ApiToken.hash(raw))
        .first()
    )
    if (
        token is None
        or not token.is_active
        or not token.membership.is_active
        or not token.membership.user.is_active
    ):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


# --- family sign-up -------------------------------------------------------------------------------------
# A parent creates their own account, a family organisation and their baby's record in one step; no
# administrator is involved. Limits and wording:
# - SIGNUP_LIMIT sign-ups (new accounts, or addresses that already had one) per network address per
#   SIGNUP_WINDOW: enough for a family or a shared house, too few for a script.
# - The verification link lasts VERIFY_DAYS; it is signed (django.core.signing) with the user's id and
#   address, so it stops working if the address changes. Nothing waits for it: the baby's care can start
#   before the address is verified.
SIGNUP_LIMIT = 5
SIGNUP_WINDOW = dt.timedelta(hours=1)
VERIFY_DAYS = 3
VERIFY_SALT = "kneadwell.accounts.verify-email"
CONSENT_ATTESTATION = (
    "I am this baby's parent or legal guardian, and I consent to keeping this care record: the massage "
    "sessions with their notes, and the measurements (such as weight and length) I add."
)
SIGNUP_SCOPES = ("care", "measurements")
EXISTING_ACCOUNT_MESSAGE = (
    "We have sent a message to {email}. If that address already has a Kneadwell account, the message says "
    "how to log in or reset the password. Nothing else was created."
)


class SignupThrottled(DomainError):
    status = 429


@dataclass(frozen=True)
class FamilySignup:
    user: User
    organisation: Organisation
    membership: Membership
    client: Client
    guardian: Guardian
    consent: Consent
    verify_link: str
    # The health history from the sign-up's checklist, or None when it was not asked or the baby's group
    # asks other questions (the parent then fills in the history page).
    intake: Intake | None = None
    # The history's lines the parent ticked (each needs a few more answers on the history page).
    ticked: tuple[str, ...] = ()


def signup_history_lines() -> list[Question]:
    """The health-history lines the sign-up form asks: the baby intake's checklist ("an operation in the
    past year", ...). Each names the child in the form's own words."""
    from kneadwell.library.selectors import library

    lib = library()
    return [lib.questions[qid] for qid in lib.question_set("infant", "intake").checklist]


def _family_name_of(full_name: str) -> str:
    """The baby's family name, taken from the parent's name (its last word); changed later on the baby's
    page when it differs."""
    words = full_name.split()
    return words[-1] if words else ""


def signup_throttle_check(*, ip: str, now: dt.datetime | None = None) -> None:
    """Refuse a sign-up when SIGNUP_LIMIT were made from this address within SIGNUP_WINDOW."""
    now = now or timezone.now()
    recent = SignupAttempt.objects.filter(ip=ip, at__gt=now - SIGNUP_WINDOW).order_by("at")
    count = recent.count()
    if count >= SIGNUP_LIMIT:
        first = recent.first()
        wait = (first.at + SIGNUP_WINDOW - now) if first else SIGNUP_WINDOW
        minutes = max(1, int(wait.total_seconds() // 60) + 1)
        raise SignupThrottled(
            f"Too many accounts have been created from this network in the last hour. Please try again in "
            f"{minutes} minute{'s' if minutes != 1 else ''}, or ask your clinic for an invitation."
        )


def _signup_errors(
    *,
    full_name: str,
    email: str,
    password: str,
    baby_given_name: str,
    baby_birth_date: dt.date | None,
    baby_sex: str,
    born_early: bool,
    gestation_weeks: int | None,
    gestation_days: int | None,
    consent: bool,
    history: Sequence[str] | None,
    history_required: bool,
) -> dict[str, list[str]]:
    from kneadwell.clients import rules

    errors: dict[str, list[str]] = {}
    if not full_name.strip():
        errors["full_name"] = ["Enter your name."]
    elif len(full_name.strip()) > 150:
        errors["full_name"] = ["Keep your name to 150 characters."]
    try:
        email = _check_email(email)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        _check_password(password, User(email=email, full_name=full_name))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if born_early and gestation_weeks is None:
        errors["gestation_weeks"] = ["Enter the weeks of pregnancy when your baby was born, e.g. 34."]
    elif born_early and gestation_weeks is not None and gestation_weeks >= 37:
        errors["gestation_weeks"] = [
            f"{gestation_weeks} weeks is on time; choose \u201con time\u201d, or enter fewer than 37 weeks."
        ]
    baby = rules.client_field_errors(
        birth_date=baby_birth_date,
        today=timezone.localdate(),
        gestation_weeks=gestation_weeks if born_early else None,
        gestation_days=gestation_days if born_early else None,
        birth_weight_g=None,
        sex=baby_sex,
        given_name=baby_given_name,
        family_name=_family_name_of(full_name) or "-",
    )
    names = {"given_name": "baby_given_name", "birth_date": "baby_birth_date", "sex": "baby_sex"}
    for field, messages in baby.items():
        messages = [m.replace("the client's first name", "your baby's first name") for m in messages]
        errors.setdefault(names.get(field, field), []).extend(messages)
    if not consent:
        errors["consent"] = ["Tick the box to confirm you are the parent or guardian and give consent."]
    if history is None and history_required:
        errors["history"] = ["Tick any that apply, or \u201cNone of these\u201d."]
    if history is not None:
        known = {q.id for q in signup_history_lines()}
        stray = sorted(set(history) - known)
        if stray:
            errors["history"] = [f"Not a line of the health history: {', '.join(stray)}."]
    return errors


def family_signup(
    *,
    full_name: str,
    email: str,
    password: str,
    baby_given_name: str,
    baby_birth_date: dt.date | None,
    baby_sex: str,
    born_early: bool = False,
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    consent: bool,
    history: Sequence[str] | None = None,
    history_required: bool = False,
    ip: str,
    base_url: str,
    channel: Channel = Channel.PAGE,
) -> FamilySignup | None:
    """Create a parent's account, their family organisation (they are its caregiver), their baby's record
    with the parent as guardian, and the parent's online consent for care and measurements, in one
    transaction; then email a link to verify the address. `history` lists the health-history lines that
    apply (signup_history_lines; an empty list: none of them): a baby whose group asks exactly those gets
    the history saved at once, so today's check can follow.

    An address that already has an account gets an email instead (how to log in or reset the password)
    and None is returned, so the answer does not say whether the account exists (as password reset)."""
    from kneadwell.clients.models import Consent, Guardian
    from kneadwell.clients.rules import ConsentKind
    from kneadwell.clients.services import client_create, consent_record

    signup_throttle_check(ip=ip)
    errors = _signup_errors(
        full_name=full_name,
        email=email,
        password=password,
        baby_given_name=baby_given_name,
        baby_birth_date=baby_birth_date,
        baby_sex=baby_sex,
        born_early=born_early,
        gestation_weeks=gestation_weeks,
        gestation_days=gestation_days,
        consent=consent,
        history=history,
        history_required=history_required,
    )
    if errors:
        raise ValidationFailed(errors)
    assert baby_birth_date is not None  # checked above
    email = email.strip().lower()
    full_name = full_name.strip()
    if User.objects.filter(email__iexact=email).exists():
        _signup_existing(email=email, ip=ip, base_url=base_url)
        return None
    if not born_early:
        gestation_weeks = gestation_days = None
    elif gestation_days is None:
        gestation_days = 0
    try:
        with transaction.atomic():
            user = User.objects.create_user(email=email, password=password, full_name=full_name)
            organisation = Organisation.objects.create(
                name=f"{full_name}\u2019s family"[:200], kind=Organisation.Kind.FAMILY
            )
            membership = Membership.objects.create(user=user, organisation=organisation, role=Role.CAREGIVER)
            actor = Actor(user=user, membership=membership, channel=channel, ip=ip)
            # Audited once its first member exists: the row is written in that person's name.
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="organisation",
                entity_id=organisation.pk,
                summary=f"signed up: created the family account {organisation.name} with {email} as parent",
                changes={"kind": organisation.kind, "role": membership.role},
            )
            # client_create makes a caregiver the guardian of the baby they add (so they can see it).
            client = client_create(
                actor=actor,
                given_name=baby_given_name,
                family_name=_family_name_of(full_name),
                birth_date=baby_birth_date,
                sex=baby_sex,
                gestation_weeks=gestation_weeks,
                gestation_days=gestation_days,
            )
            guardian = Guardian.objects.get(client=client, user=user)
            consent_row: Consent = consent_record(
                actor=actor,
                client=client,
                kind=ConsentKind.GUARDIAN,
                scopes=list(SIGNUP_SCOPES),
                signed_by_name=full_name,
                signed_on=timezone.localdate(),
                method=Consent.Method.ELECTRONIC,
                attestation=True,
                guardian=guardian,
                notes=f"Given online at sign-up. The parent ticked: \u201c{CONSENT_ATTESTATION}\u201d",
            )
            intake = (
                None if history is None else _signup_history_save(actor=actor, client=client, history=history)
            )
            SignupAttempt.objects.create(ip=ip, created_account=True)
            link = email_verification_send(user=user, base_url=base_url)
    except IntegrityError:
        # Two sign-ups with the same new address at once: the second is answered as a known address.
        if not User.objects.filter(email__iexact=email).exists():
            raise
        _signup_existing(email=email, ip=ip, base_url=base_url)
        return None
    return FamilySignup(
        user=user,
        organisation=organisation,
        membership=membership,
        client=client,
        guardian=guardian,
        consent=consent_row,
        verify_link=link,
        intake=intake,
        ticked=tuple(history or ()) if intake is not None else (),
    )


def _signup_history_save(*, actor: Actor, client: Client, history: Sequence[str]) -> Intake | None:
    """Save the sign-up's history lines as the baby's health history, when the baby's group asks exactly
    those lines (a term baby); a ticked line leaves its follow-up questions blank, which the screening
    reads as "may apply" until the parent answers them."""
    from kneadwell.library.population import suggest_population
    from kneadwell.library.selectors import library
    from kneadwell.library.services import intake_save

    population = suggest_population(
        birth_date=client.birth_date,
        on=timezone.localdate(),
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        conditions=client.conditions or (),
    )
    lines = library().question_set(population, "intake").checklist
    if set(lines) != {q.id for q in signup_history_lines()}:
        return None
    answers = {qid: qid in history for qid in lines}
    return intake_save(
        actor=actor, client=client, population=population, answers=answers, expected_version=None
    )


def _signup_existing(*, email: str, ip: str, base_url: str) -> None:
    SignupAttempt.objects.create(ip=ip, created_account=False)
    root = base_url.rstrip("/")
    send_mail(
        subject="Your Kneadwell account",
        message=(
            "Someone (we hope you) tried to create a Kneadwell family account with this address, which "
            "already has an account.\n\n"
            f"Log in: {root}/accounts/login/\n"
            f"Forgotten your password? Set a new one: {root}/accounts/password-reset/\n\n"
            "If this was not you, you can ignore this message; nothing was changed.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )


def _verify_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": user.email.lower()}, salt=VERIFY_SALT, compress=True)


def email_verification_send(*, user: User, base_url: str) -> str:
    """Email the signed link that verifies `user`'s address (after the surrounding transaction commits);
    returns the link."""
    link = f"{base_url.rstrip('/')}/accounts/verify/{_verify_token(user)}/"
    address = user.email
    transaction.on_commit(
        lambda: send_mail(
            subject="Confirm your email address for Kneadwell",
            message=(
                f"Hello {user.full_name or address},\n\n"
                f"Please confirm that this is your email address by opening this link within "
                f"{VERIFY_DAYS} days:\n{link}\n\n"
                "You can use Kneadwell in the meantime. If you did not create an account, ignore this "
                "message.\n"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[address],
        )
    )
    return link


def email_verify(*, token: str, ip: str = "") -> User:
    """Mark the address in a verification link as verified. A link that is altered, expired, or for an
    address the account no longer has is refused with a message saying what to do."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=dt.timedelta(days=VERIFY_DAYS))
    except signing.SignatureExpired:
        raise DomainError(
            f"This link is more than {VERIFY_DAYS} days old. "
            "Log in and choose \u201csend the link again\u201d."
        ) from None
    except signing.BadSignature:
        raise NotFound(
            "This link is not valid. Check that it was copied whole, or ask for a new one."
        ) from None
    user_id = data.get("u") if isinstance(data, dict) else None
    user = User.objects.filter(pk=user_id, is_active=True).first() if isinstance(user_id, int) else None
    if user is None or user.email.lower() != str(data.get("e", "")):
        raise NotFound("This link is not valid any more. Log in and ask for a new one.")
    if user.email_verified_at is None:
        with transaction.atomic():
            user.email_verified_at = timezone.now()
            membership = user.memberships.select_related("organisation").order_by("created_at", "pk").first()
            if membership is None:
                # An account in no organisation yet: the audit log files every row under one.
                user.save(update_fields=["email_verified_at"])
            else:
                save_audited(
                    actor=Actor(user=user, membership=membership, channel=Channel.PAGE, ip=ip),
                    obj=user,
                    update_fields=["email_verified_at"],
                    entity="user",
                    summary=f"verified the email address {user.email}",
                )
    return user
