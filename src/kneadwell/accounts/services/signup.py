"""Family sign-up: a parent's account, family organisation and baby's record in one step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, SignupAttempt, User
from kneadwell.accounts.roles import Role
from kneadwell.accounts.services.email_verification import email_verification_send
from kneadwell.accounts.services.organisations import _check_email, _check_password
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.core.errors import DomainError, ValidationFailed

if TYPE_CHECKING:
    from kneadwell.clients.models import Client, Consent, Guardian
    from kneadwell.library.models import Intake
    from kneadwell.library.schema import Question


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


# The English words are the source (kept in the consent record); the form shows them in the parent's
# language, and the record keeps that text too (family_signup).
CONSENT_ATTESTATION = gettext_noop(
    "I am this baby's parent or legal guardian, and I consent to keeping this care record: the massage "
    "sessions with their notes, and the measurements (such as weight and length) I add."
)
SIGNUP_SCOPES = ("care", "measurements")
# Shown with _(): EXISTING_ACCOUNT_MESSAGE is the English source, formatted after translation.
EXISTING_ACCOUNT_MESSAGE = gettext_noop(
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
            ngettext(
                "Too many accounts have been created from this network in the last hour. Please try again "
                "in %(minutes)d minute, or ask your clinic for an invitation.",
                "Too many accounts have been created from this network in the last hour. Please try again "
                "in %(minutes)d minutes, or ask your clinic for an invitation.",
                minutes,
            )
            % {"minutes": minutes}
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
        errors["full_name"] = [_("Enter your name.")]
    elif len(full_name.strip()) > 150:
        errors["full_name"] = [_("Keep your name to 150 characters.")]
    try:
        email = _check_email(email)
    except ValidationFailed as exc:
        errors.update(exc.errors)
    try:
        _check_password(password, User(email=email, full_name=full_name))
    except ValidationFailed as exc:
        errors.update(exc.errors)
    if born_early and gestation_weeks is None:
        errors["gestation_weeks"] = [_("Enter the weeks of pregnancy when your baby was born, e.g. 34.")]
    elif born_early and gestation_weeks is not None and gestation_weeks >= 37:
        errors["gestation_weeks"] = [
            _("%(weeks)s weeks is on time; choose “on time”, or enter fewer than 37 weeks.")
            % {"weeks": gestation_weeks}
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
        messages = [_baby_message(m) for m in messages]
        errors.setdefault(names.get(field, field), []).extend(messages)
    if not consent:
        errors["consent"] = [_("Tick the box to confirm you are the parent or guardian and give consent.")]
    if history is None and history_required:
        errors["history"] = [_("Tick any that apply, or “None of these”.")]
    if history is not None:
        known = {q.id for q in signup_history_lines()}
        stray = sorted(set(history) - known)
        if stray:
            errors["history"] = [
                _("Not a line of the health history: %(lines)s.") % {"lines": ", ".join(stray)}
            ]
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
                name=f"{full_name}’s family"[:200], kind=Organisation.Kind.FAMILY
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
                notes=_consent_notes(),
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


# The record's rules (clients/rules.py) are pure and speak of "the client"; the sign-up says "your baby"
# and gives the messages a parent can meet here in their language. A message not listed stays English.
_BABY_MESSAGES = {
    "Enter the client's first name.": gettext_noop("Enter your baby's first name."),
    "Enter the date of birth.": gettext_noop("Enter the date of birth."),
    "Enter the weeks of gestation as well as the days.": gettext_noop(
        "Enter the weeks of pregnancy as well as the days."
    ),
    "Choose female or male (sex recorded at birth; growth references need it).": gettext_noop(
        "Choose girl or boy (sex recorded at birth; growth charts need it)."
    ),
}


def _baby_message(message: str) -> str:
    if translation.get_language() in (None, "en-gb", "en"):
        # English keeps the rule's own words, with "your baby" (as before there were translations).
        return message.replace("the client's first name", "your baby's first name")
    if message in _BABY_MESSAGES:
        return _(_BABY_MESSAGES[message])
    if message.startswith("The date of birth ") and message.endswith(" is in the future."):
        return _("The date of birth is in the future.")
    if message.startswith("Keep names to "):
        return _("Keep your baby's first name shorter.")
    return message.replace("the client's first name", "your baby's first name")


def _consent_notes() -> str:
    """What the consent record says the parent ticked: the English words, and the words as shown when the
    page was in another language."""
    notes = f"Given online at sign-up. The parent ticked: “{CONSENT_ATTESTATION}”"
    shown = _(CONSENT_ATTESTATION)
    if shown != CONSENT_ATTESTATION:
        notes += f" Shown in {translation.get_language()} as: “{shown}”"
    return notes


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
        subject=_("Your Kneadwell account"),
        message=(
            _(
                "Someone (we hope you) tried to create a Kneadwell family account with this address, which "
                "already has an account."
            )
            + "\n\n"
            + _("Log in: %(url)s") % {"url": f"{root}/accounts/login/"}
            + "\n"
            + _("Forgotten your password? Set a new one: %(url)s")
            % {"url": f"{root}/accounts/password-reset/"}
            + "\n\n"
            + _("If this was not you, you can ignore this message; nothing was changed.")
            + "\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email],
    )
