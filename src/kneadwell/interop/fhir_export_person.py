"""FHIR export sections for who the client is and what they agreed to: the organisation, the Patient,
the birth observations, guardians (RelatedPerson), consent and the intake questionnaire's answers. Part of
`fhir_export`, which lists the sections in Bundle order."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kneadwell.clients.models import Consent, Guardian
from kneadwell.clients.rules import CONSENT_KIND_LABELS, SCOPE_LABELS, ConsentKind, Scope
from kneadwell.interop import fhir_codes as codes
from kneadwell.interop.fhir_export_base import (
    ExportContext,
    Resource,
    _concept,
    _instant,
    _quantity,
    _record_id,
)
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import Intake


def organisation_section(ctx: ExportContext) -> None:
    org = ctx.client.organisation
    ctx.add(
        "Organization",
        org.pk,
        {"active": True, "name": org.name, "identifier": [_record_id("organisation", org.pk)]},
    )


def patient_section(ctx: ExportContext) -> None:
    c = ctx.client
    identifiers = [{"system": codes.SID_CLIENT, "value": str(c.pk)}]
    if c.identifier:
        identifiers.append({"system": codes.SID_CLIENT_NUMBER, "value": c.identifier})
    ctx.add(
        "Patient",
        c.pk,
        {
            "identifier": identifiers,
            "active": c.archived_at is None,
            "name": [
                {"use": "official", "family": c.family_name, "given": [c.given_name], "text": c.display_name}
            ],
            "gender": c.sex,  # our sexes are exactly FHIR's administrative genders male/female
            "birthDate": c.birth_date.isoformat(),
            "managingOrganization": ctx.reference("Organization", c.organisation_id, c.organisation.name),
        },
    )


def birth_section(ctx: ExportContext) -> None:
    """Gestational age and weight at birth, each an Observation dated on the birth date."""
    c = ctx.client
    common = {
        "status": "final",
        "category": [_concept(codes.EXAM)],
        "subject": ctx.patient,
        "effectiveDateTime": c.birth_date.isoformat(),
    }
    if c.gestation_weeks is not None:
        days = c.gestation_weeks * 7 + (c.gestation_days or 0)
        # Weeks with 3 decimals: 7 × the value rounds back to the exact day count (error under 0.004 d).
        ctx.add(
            "Observation",
            f"gestation-{c.pk}",
            common
            | {
                "code": _concept(codes.GESTATIONAL_AGE_AT_BIRTH, text="Gestation at birth"),
                "valueQuantity": {
                    "value": round(days / 7, 3),
                    "unit": "wk",
                    "system": codes.UCUM,
                    "code": codes.WEEK,
                },
                "note": [{"text": f"{c.gestation_weeks}+{c.gestation_days or 0} weeks"}],
            },
        )
    if c.birth_weight_g is not None:
        ctx.add(
            "Observation",
            f"birth-weight-{c.pk}",
            common
            | {
                "category": [_concept(codes.VITAL_SIGNS)],
                "code": _concept(codes.BIRTH_WEIGHT, text="Birth weight"),
                "valueQuantity": _quantity(c.birth_weight_g, "g"),
            },
        )


def _guardian(ctx: ExportContext, g: Guardian) -> Resource:
    label = g.get_relationship_display()
    relationship = [
        _concept(
            *([codes.RELATIONSHIP_V3[g.relationship]] if g.relationship in codes.RELATIONSHIP_V3 else []),
            codes.Code(codes.LOCAL_RELATIONSHIP, g.relationship, label),
            text=label,
        )
    ]
    if g.has_parental_responsibility:
        relationship.append(
            _concept(
                codes.Code(
                    codes.LOCAL_RELATIONSHIP, "parental-responsibility", "Has parental responsibility"
                ),
                text="Has parental responsibility",
            )
        )
    telecom = [{"system": "email", "value": g.email}] if g.email else []
    if g.phone:
        telecom.append({"system": "phone", "value": g.phone})
    out: Resource = {
        "identifier": [_record_id("guardian", g.pk)],
        "active": True,
        "patient": ctx.patient,
        "relationship": relationship,
        "name": [{"text": g.name}],
    }
    if telecom:
        out["telecom"] = telecom
    return out


def guardian_section(ctx: ExportContext) -> None:
    for g in Guardian.objects.of_client(ctx.client).order_by("id"):
        ctx.add("RelatedPerson", g.pk, _guardian(ctx, g))


def _consent_scope(scopes: Iterable[str]) -> codes.Code:
    chosen = set(scopes)
    if chosen & {Scope.CARE, Scope.MEASUREMENTS}:
        return codes.SCOPE_TREATMENT
    if chosen & {Scope.RESEARCH, Scope.STUDY}:
        return codes.SCOPE_RESEARCH
    return codes.SCOPE_PRIVACY


def _consent(ctx: ExportContext, consent: Consent) -> Resource:
    kind_label = CONSENT_KIND_LABELS.get(ConsentKind(consent.kind), consent.kind)
    if consent.guardian_id is not None:
        performer = ctx.reference("RelatedPerson", consent.guardian_id, consent.signed_by_name)
    else:  # the client's own consent, or a child's assent
        performer = ctx.patient | {"display": consent.signed_by_name}
    period: dict[str, str] = {"start": consent.signed_on.isoformat()}
    if consent.withdrawn_at is not None:
        period["end"] = _instant(consent.withdrawn_at)
    scope_codes = [
        codes.Code(codes.LOCAL_CONSENT_SCOPE, s, SCOPE_LABELS[Scope(s)])
        for s in consent.scopes
        if s in Scope.__members__.values()
    ]
    out: Resource = {
        "identifier": [_record_id("consent", consent.pk)],
        "status": "active" if consent.is_active else "inactive",
        "scope": _concept(_consent_scope(consent.scopes)),
        "category": [
            _concept(codes.CONSENT_DOCUMENT),
            _concept(codes.Code(codes.LOCAL_CONSENT_KIND, consent.kind, kind_label), text=kind_label),
        ],
        "patient": ctx.patient,
        "dateTime": consent.signed_on.isoformat(),
        "performer": [performer],
        "organization": [ctx.reference("Organization", consent.organisation_id)],
        "policyRule": _concept(
            codes.Code(codes.LOCAL_CONSENT_METHOD, consent.method, consent.get_method_display()),
            text=f"{consent.get_method_display()}; attested by the person who recorded it",
        ),
        "provision": {
            "type": "permit",
            "period": period,
            "code": [_concept(c, text=c.display) for c in scope_codes],
        },
    }
    if consent.withdrawal_reason:
        out["category"].append({"text": f"Withdrawn: {consent.withdrawal_reason}"})
    return out


def consent_section(ctx: ExportContext) -> None:
    for consent in Consent.objects.of_client(ctx.client).order_by("id"):
        ctx.add("Consent", consent.pk, _consent(ctx, consent))


def _answers(question_type: str, value: Any) -> list[dict[str, Any]]:
    """One intake answer as QuestionnaireResponse answers (several for a multiple choice)."""
    if isinstance(value, bool):
        return [{"valueBoolean": value}]
    if isinstance(value, int | float):
        return [{"valueDecimal": value}]
    if isinstance(value, list):
        if not value:  # an empty list is the answer "none", not "not answered"
            return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": "none", "display": "None"}}]
        return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": str(v)}} for v in value]
    text = str(value)
    if question_type == "date":
        return [{"valueDate": text}]
    if question_type == "datetime":
        return [{"valueDateTime": text}]
    if question_type == "choice":
        return [{"valueCoding": {"system": codes.LOCAL_INTAKE_CHOICE, "code": text}}]
    return [{"valueString": text}]


def _intake(ctx: ExportContext, intake: Intake) -> Resource:
    lib = library_selectors.library()
    population = lib.populations.get(intake.population)
    set_id = population.intake_set if population is not None else intake.population
    items = []
    for question_id, value in intake.answers.items():
        if value is None:
            continue  # not answered
        question = lib.questions.get(question_id)
        item: dict[str, Any] = {
            "linkId": question_id,
            "answer": _answers(question.type if question else "", value),
        }
        if question is not None:
            item["text"] = question.label
        items.append(item)
    out: Resource = {
        "identifier": _record_id("intake", intake.pk),
        "questionnaire": f"{codes.QUESTIONNAIRE_BASE}/{set_id}|{intake.content_version}",
        "status": "completed",
        "subject": ctx.patient,
        "authored": _instant(intake.updated_at),
    }
    if items:
        out["item"] = items
    return out


def intake_section(ctx: ExportContext) -> None:
    intake = library_selectors.intake_for(client=ctx.client)
    if intake is not None:
        ctx.add("QuestionnaireResponse", intake.pk, _intake(ctx, intake))
