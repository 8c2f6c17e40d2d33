"""FHIR services: one client's record exported as a FHIR R4B Bundle, and a client created with their
measurements from a Bundle (read first into an import plan by `fhir_plan`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_get
from kneadwell.clients.services import client_create
from kneadwell.core.errors import ValidationFailed
from kneadwell.interop.fhir_export import ExportResult, export_client
from kneadwell.interop.fhir_import import BundleRejected, ImportPlan, read_bundle
from kneadwell.interop.services.common import MeasurementIn, _import_measurements, _Rollback
from kneadwell.outcomes import services as outcomes_services

# English sources (gettext_noop), translated where they are shown.
CONSENT_NOTE = gettext_noop(
    "{name} has no consent recorded here yet. The imported measurements are kept as part of the record, "
    "but no session or new measurement can be recorded until a parent or guardian (or the client, if an "
    "adult) gives consent and it is recorded on the client's page."
)
CONFIRM_MESSAGE = gettext_noop(
    "Some values are possible but unusual (listed). If they are right, confirm them and import again; "
    "they will be kept and flagged as unusual."
)


class NeedsConfirmation(ValidationFailed):
    """Only possible-but-unusual values stand in the way; `warnings` lists them for the person to check."""

    def __init__(self, errors: dict[str, list[str]], warnings: list[str]) -> None:
        super().__init__(errors)
        self.warnings = warnings


# --- FHIR export -------------------------------------------------------------------------------------


def fhir_export(*, actor: Actor, client_id: int) -> ExportResult:
    """The client's record as a FHIR R4B Bundle; audited as an export on the actor's channel."""
    actor.require(Perm.RECORD_EXPORT)
    client = client_get(actor=actor, client_id=client_id, purpose=_("opened the record to export it (FHIR)"))
    with transaction.atomic():
        result = export_client(client)
        total = sum(result.counts.values())
        audit_action(
            actor=actor,
            action=Action.EXPORT,
            entity="client",
            entity_id=client.pk,
            client_id=client.pk,
            summary=f"exported the record as a FHIR R4B Bundle ({total} resources)",
            changes={"format": "FHIR R4B Bundle (collection)", "resources": result.counts},
        )
    return result


# --- FHIR import -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FhirImportResult:
    plan: ImportPlan
    client: Client | None  # None for a dry run
    measurements: int
    dry_run: bool
    warnings: tuple[str, ...] = ()  # unusual values that were confirmed (kept and flagged)

    @property
    def consent_note(self) -> str:
        return _(CONSENT_NOTE).format(name=self.plan.display_name)


def fhir_plan(raw: bytes | str) -> ImportPlan:
    """Read a Bundle into an import plan; a Bundle that cannot be imported is a ValidationFailed on
    `bundle`, with every reason."""
    try:
        return read_bundle(raw)
    except BundleRejected as exc:
        raise ValidationFailed({"bundle": exc.reasons}) from None


def _client_values(plan: ImportPlan) -> dict[str, Any]:
    return {
        "given_name": plan.given_name,
        "family_name": plan.family_name,
        "birth_date": dt.date.fromisoformat(plan.birth_date),
        "sex": plan.sex,
        "gestation_weeks": plan.gestation_weeks,
        "gestation_days": plan.gestation_days,
        "birth_weight_g": plan.birth_weight_g,
        "identifier": plan.identifier,
    }


def _when(text: str) -> dt.datetime | dt.date:
    return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)


def fhir_import(
    *, actor: Actor, plan: ImportPlan, confirm_unusual: bool = False, dry_run: bool = False
) -> FhirImportResult:
    """Create the client and its measurements from a plan (see `fhir_plan`), all or nothing. Raises
    ValidationFailed (field `bundle`) for anything refused, NeedsConfirmation when the only problems are
    unusual values not yet confirmed. `dry_run` checks everything and saves nothing."""
    actor.require(Perm.RECORD_IMPORT)
    actor.require(Perm.MEASUREMENT_RECORD)
    items = [
        MeasurementIn(
            label=m.label, instrument_id=m.instrument_id, answers=dict(m.answers), taken_at=_when(m.taken_at)
        )
        for m in plan.measurements
    ]
    result: FhirImportResult | None = None
    try:
        with transaction.atomic():
            try:
                client = client_create(actor=actor, **_client_values(plan))
            except ValidationFailed as exc:
                raise ValidationFailed(
                    {
                        "bundle": [
                            _("Patient %(field)s: %(message)s")
                            % {"field": name.replace("_", " "), "message": m}
                            for name, ms in exc.errors.items()
                            for m in ms
                        ]
                    }
                ) from None
            try:
                saved = _import_measurements(
                    actor, client, items, source=_("a FHIR Bundle"), confirm_all=confirm_unusual
                )
            except outcomes_services.MeasurementsRefused as refused:
                errors = [p for p in refused.problems if not p.unusual]
                unusual = [
                    _("%(label)s: %(message)s") % {"label": items[p.index].label, "message": p.message}
                    for p in refused.problems
                    if p.unusual
                ]
                if errors:
                    reasons = [
                        _("%(label)s: %(message)s") % {"label": items[p.index].label, "message": p.message}
                        for p in errors
                    ] + unusual
                    raise ValidationFailed({"bundle": reasons}) from None
                raise NeedsConfirmation(
                    {"bundle": unusual, "confirm_unusual": [_(CONFIRM_MESSAGE)]}, unusual
                ) from None
            kept = tuple(w for m in saved for w in m.confirmed_warnings)
            audit_action(
                actor=actor,
                action=Action.CREATE,
                entity="fhir_import",
                entity_id=client.pk,
                client_id=client.pk,
                summary=f"created {client.display_name} from a FHIR Bundle with {len(saved)} measurement(s)",
                changes={"measurements": len(saved), "skipped": list(plan.skipped)[:50]},
            )
            result = FhirImportResult(plan, None if dry_run else client, len(saved), dry_run, kept)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    assert result is not None
    return result
