"""The only write path for clients, guardians and consent. Each service checks the actor's permission,
validates, saves and writes the audit row in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import User
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import OWN_ID, create_audited, edit_audited, save_audited
from kneadwell.clients import rules
from kneadwell.clients.conditions import unknown_conditions
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.clients.rules import ConsentKind, Scope
from kneadwell.core.errors import ConsentRequired, DomainError, ValidationFailed

CLIENT_FIELDS = (
    "given_name",
    "family_name",
    "birth_date",
    "sex",
    "gestation_weeks",
    "gestation_days",
    "birth_weight_g",
    "conditions",
    "identifier",
    "notes",
)
NULLABLE_FIELDS = frozenset({"gestation_weeks", "gestation_days", "birth_weight_g"})
# English source, translated when raised (gettext_noop: makemessages collects it).
ERR_NO_CONSENT = gettext_noop(
    "There is no active consent for {what} for {name}. Record the consent of a parent or guardian "
    "(or the client's own consent, for an adult) first."
)


def _validate_client(values: dict[str, Any]) -> None:
    errors = rules.client_field_errors(
        birth_date=values.get("birth_date"),
        today=timezone.localdate(),
        gestation_weeks=values.get("gestation_weeks"),
        gestation_days=values.get("gestation_days"),
        birth_weight_g=values.get("birth_weight_g"),
        sex=values.get("sex"),
        given_name=values.get("given_name") or "",
        family_name=values.get("family_name") or "",
        identifier=values.get("identifier") or "",
    )
    unknown = unknown_conditions(list(values.get("conditions") or []))
    if unknown:
        errors.setdefault("conditions", []).append(
            _("Unknown condition code(s): %(unknown)s.") % {"unknown": ", ".join(unknown)}
        )
    if errors:
        raise ValidationFailed(errors)


def client_create(
    *,
    actor: Actor,
    given_name: str,
    family_name: str,
    birth_date: dt.date,
    sex: str,
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    birth_weight_g: int | None = None,
    conditions: Sequence[str] = (),
    identifier: str = "",
    notes: str = "",
) -> Client:
    actor.require(Perm.CLIENT_ADD)
    values: dict[str, Any] = {
        "given_name": given_name.strip(),
        "family_name": family_name.strip(),
        "birth_date": birth_date,
        "sex": sex,
        "gestation_weeks": gestation_weeks,
        "gestation_days": gestation_days if gestation_weeks is not None else None,
        "birth_weight_g": birth_weight_g,
        "conditions": sorted(set(conditions)),
        "identifier": identifier.strip(),
        "notes": notes,
    }
    if values["gestation_weeks"] is not None and values["gestation_days"] is None:
        values["gestation_days"] = 0
    _validate_client(values)
    with transaction.atomic():
        client = Client(organisation=actor.organisation, created_by=actor.user, **values)
        create_audited(
            actor=actor,
            obj=client,
            entity="client",
            client_id=OWN_ID,
            summary=f"added client {client.display_name}",
            changes=snapshot(client, CLIENT_FIELDS),
        )
        if actor.is_caregiver:
            # A parent adding their own baby becomes its guardian, or they could not see it afterwards.
            guardian_create(
                actor=actor,
                client=client,
                name=actor.user.full_name or actor.user.email,
                relationship=Guardian.Relationship.PARENT,
                email=actor.user.email,
                user=actor.user,
            )
    return client


def client_update(*, actor: Actor, client: Client, expected_version: int | None, **changes: Any) -> Client:
    actor.require(Perm.CLIENT_EDIT)
    unknown = set(changes) - set(CLIENT_FIELDS)
    if unknown:
        raise DomainError(
            _("These fields cannot be changed here: %(unknown)s.") % {"unknown": ", ".join(sorted(unknown))}
        )
    emptied = sorted(k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS)
    if emptied:
        raise ValidationFailed(
            {k: [_("This field cannot be emptied; leave it out to keep its value.")] for k in emptied}
        )
    with edit_audited(
        actor=actor,
        queryset=Client.objects.filter(organisation_id=actor.organisation_id),
        pk=client.pk,
        expected_version=expected_version,
        entity="client",
        client_id=client.pk,
        fields=CLIENT_FIELDS,
    ) as edit:
        current = edit.row
        values = {**edit.before, **changes}
        values["birth_date"] = changes.get("birth_date", current.birth_date)
        if "conditions" in changes:
            values["conditions"] = sorted(set(changes["conditions"]))
        if values.get("gestation_weeks") is None:
            values["gestation_days"] = None
        elif values.get("gestation_days") is None:
            values["gestation_days"] = 0
        for key in ("given_name", "family_name", "identifier"):
            values[key] = (values.get(key) or "").strip()
        _validate_client(values)
        edit.apply({name: values[name] for name in CLIENT_FIELDS})
        edit.summary = f"changed {', '.join(edit.changed) or 'nothing'}"
    return current


def guardian_create(
    *,
    actor: Actor,
    client: Client,
    name: str,
    relationship: str,
    has_parental_responsibility: bool = True,
    email: str = "",
    phone: str = "",
    user: User | None = None,
) -> Guardian:
    actor.require(Perm.GUARDIAN_MANAGE)
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = [_("Enter the guardian's name.")]
    if relationship not in Guardian.Relationship.values:
        errors["relationship"] = [
            _("Choose one of: %(values)s.") % {"values": ", ".join(Guardian.Relationship.values)}
        ]
    if email.strip():
        try:
            validate_email(email.strip())
        except DjangoValidationError:
            errors["email"] = [_("%(email)s is not a valid email address.") % {"email": email.strip()}]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        guardian = Guardian(
            organisation_id=client.organisation_id,
            client=client,
            name=name.strip(),
            relationship=relationship,
            has_parental_responsibility=has_parental_responsibility,
            email=email.strip().lower(),
            phone=phone.strip(),
            user=user,
        )
        create_audited(
            actor=actor,
            obj=guardian,
            entity="guardian",
            client_id=client.pk,
            summary=f"added guardian {guardian.name}",
            changes=snapshot(
                guardian, ["name", "relationship", "has_parental_responsibility", "email", "phone", "user"]
            ),
        )
    return guardian


def consent_record(
    *,
    actor: Actor,
    client: Client,
    kind: str,
    scopes: Sequence[str],
    signed_by_name: str,
    signed_on: dt.date,
    method: str,
    attestation: bool,
    guardian: Guardian | None = None,
    notes: str = "",
) -> Consent:
    actor.require(Perm.CONSENT_MANAGE)
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if kind not in ConsentKind.__members__.values():
        errors["kind"] = [_("Choose guardian consent, the client's own consent or the child's assent.")]
    bad_scopes = [s for s in scopes if s not in Scope.__members__.values()]
    if not scopes:
        errors["scopes"] = [_("Tick at least one thing the consent covers.")]
    elif bad_scopes:
        errors["scopes"] = [_("Unknown scope(s): %(bad_scopes)s.") % {"bad_scopes": ", ".join(bad_scopes)}]
    if not signed_by_name.strip():
        errors["signed_by_name"] = [_("Enter the name of the person who gave consent.")]
    if signed_on > today:
        errors["signed_on"] = [_("The date consent was given cannot be in the future.")]
    elif signed_on < client.birth_date:
        errors["signed_on"] = [_("The date consent was given is before the client's date of birth.")]
    if method not in Consent.Method.values:
        errors["method"] = [_("Choose how consent was given.")]
    if not attestation:
        errors["attestation"] = [_("Confirm that consent was given as recorded.")]
    if kind == ConsentKind.GUARDIAN and guardian is None:
        errors["guardian"] = [
            _("Choose the guardian who gave consent (add them first if they are not listed).")
        ]
    if guardian is not None and guardian.client_id != client.pk:
        errors["guardian"] = [_("That guardian is not linked to this client.")]
    if (
        kind == ConsentKind.SELF
        and rules.age_in_years(client.birth_date, today) < rules.DEFAULT_SELF_CONSENT_AGE
    ):
        errors["kind"] = [
            _(
                "A client under %(age)s cannot give their own consent here; record a "
                "guardian's consent, and the child's assent."
            )
            % {"age": rules.DEFAULT_SELF_CONSENT_AGE}
        ]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        consent = Consent(
            organisation_id=client.organisation_id,
            client=client,
            kind=kind,
            scopes=sorted(set(scopes)),
            guardian=guardian if kind == ConsentKind.GUARDIAN else None,
            signed_by_name=signed_by_name.strip(),
            signed_on=signed_on,
            method=method,
            attestation=True,
            notes=notes,
            recorded_by=actor.user,
        )
        create_audited(
            actor=actor,
            obj=consent,
            entity="consent",
            client_id=client.pk,
            summary=f"recorded {consent.get_kind_display().lower()} signed by {consent.signed_by_name}",
            changes=snapshot(
                consent, ["kind", "scopes", "guardian", "signed_by_name", "signed_on", "method"]
            ),
        )
    return consent


def consent_withdraw(*, actor: Actor, consent: Consent, reason: str) -> Consent:
    actor.require(Perm.CONSENT_MANAGE)
    if not reason.strip():
        raise ValidationFailed(
            {"reason": [_("Say why consent was withdrawn (e.g. 'parent asked to stop').")]}
        )
    with transaction.atomic():
        current = Consent.objects.select_for_update().get(pk=consent.pk)
        if current.withdrawn_at is not None:
            raise DomainError(_("This consent was already withdrawn."))
        current.withdrawn_at = timezone.now()
        current.withdrawn_by = actor.user
        current.withdrawal_reason = reason.strip()
        save_audited(
            actor=actor,
            obj=current,
            update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_reason", "updated_at"],
            entity="consent",
            client_id=current.client_id,
            summary="withdrew consent",
            changes={"withdrawal_reason": reason.strip()},
        )
    return current


def consent_require(*, client: Client, scope: Scope, what: str) -> None:
    """Raise ConsentRequired unless an active consent covers `scope`. Services that record sessions or
    measurements call this inside their transaction, before saving anything."""
    today = timezone.localdate()
    facts = [c.facts() for c in Consent.objects.of_client(client)]
    if not rules.has_active_consent(facts, scope=scope, birth_date=client.birth_date, today=today):
        raise ConsentRequired(
            _(ERR_NO_CONSENT).format(what=_(what), name=client.display_name), field="consent"
        )
