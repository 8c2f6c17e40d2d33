"""Writes for the library area: a client's intake, today's readiness check, clinician releases and an
organisation's screening settings. Each checks the role, validates, saves and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import Organisation
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action, audit_record, diff
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.concurrency import lock_for_edit
from kneadwell.core.errors import DomainError, ValidationFailed
from kneadwell.library import selectors
from kneadwell.library.answers import AnswerError, clean_answers
from kneadwell.library.facts import client_facts
from kneadwell.library.forms import to_json
from kneadwell.library.models import Intake, ReadinessCheck, Release
from kneadwell.library.org_settings import ScreeningSettings, SettingError
from kneadwell.library.screening import Action as Verdict
from kneadwell.library.screening import ScreeningInputError, screen

ERR_NO_INTAKE = "Complete the intake (health history) for {name} first; today's check reads it every time."


def _answer_errors(exc: AnswerError) -> ValidationFailed:
    return ValidationFailed({field: [message] for field, message in exc.errors.items()})


def intake_save(
    *,
    actor: Actor,
    client: Client,
    population: str,
    answers: Mapping[str, Any],
    expected_version: int | None,
) -> Intake:
    actor.require(Perm.CLIENT_EDIT)
    lib = selectors.library()
    if population not in lib.populations:
        raise ValidationFailed({"population": [f"Choose one of: {', '.join(lib.populations)}."]})
    asked = {q.id for q in lib.questions_for(population, "intake")}
    stray = sorted(set(answers) - asked)
    if stray:
        raise ValidationFailed({k: ["This question is not part of this intake."] for k in stray})
    try:
        clean = clean_answers(lib, "intake", answers, now=timezone.now())
    except AnswerError as exc:
        raise _answer_errors(exc) from None
    stored = {k: to_json(v) for k, v in clean.items()}
    version_label = str(lib.version)
    with transaction.atomic():
        existing = Intake.objects.filter(client=client).first()
        if existing is None:
            intake = Intake.objects.create(
                organisation_id=client.organisation_id,
                client=client,
                population=population,
                answers=stored,
                content_version=version_label,
                updated_by=actor.user,
            )
            audit_record(
                actor=actor,
                action=Action.CREATE,
                entity="intake",
                entity_id=intake.pk,
                client_id=client.pk,
                summary=f"recorded the intake ({population})",
                changes={"population": population, **stored},
            )
            return intake
        intake = lock_for_edit(Intake.objects.filter(client=client), existing.pk, expected_version)
        before = {"population": intake.population, **intake.answers}
        intake.population = population
        intake.answers = stored
        intake.content_version = version_label
        intake.updated_by = actor.user
        intake.version += 1
        intake.save()
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="intake",
            entity_id=intake.pk,
            client_id=client.pk,
            summary="changed the intake",
            changes=diff(before, {"population": population, **stored}),
        )
    return intake


def readiness_check_run(
    *,
    actor: Actor,
    client: Client,
    protocol_id: str,
    answers: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> ReadinessCheck:
    """Screen the client for `protocol_id` with today's answers and keep the verdict as shown."""
    actor.require(Perm.SESSION_RECORD)
    lib = selectors.library()
    if protocol_id not in lib.protocols:
        raise ValidationFailed({"protocol": [f"Unknown protocol '{protocol_id}'."]})
    consent_require(client=client, scope=Scope.CARE, what="massage sessions")
    intake = selectors.intake_for(client=client)
    if intake is None:
        raise ValidationFailed({"intake": [ERR_NO_INTAKE.format(name=client.display_name)]})
    now = now or timezone.now()
    asked = {q.id for q in lib.questions_for(intake.population, "today")}
    stray = sorted(set(answers) - asked)
    if stray:
        raise ValidationFailed({k: ["This question is not part of today's check."] for k in stray})
    released = {
        r.rule_id
        for r in selectors.releases_active(client=client, protocol_id=protocol_id, on=timezone.localdate(now))
    }
    try:
        verdict = screen(
            library=lib,
            protocol_id=protocol_id,
            client=client_facts(client, population=intake.population, on=timezone.localdate(now)),
            intake=intake.answers,
            today=answers,
            settings=selectors.screening_settings(actor.organisation),
            now=now,
            released=released,
        )
        clean_today = clean_answers(lib, "today", answers, now=now)
    except AnswerError as exc:
        raise _answer_errors(exc) from None
    except ScreeningInputError as exc:
        raise ValidationFailed({exc.field: [exc.message]}) from None
    with transaction.atomic():
        check = ReadinessCheck.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=protocol_id,
            population=intake.population,
            answers={k: to_json(v) for k, v in clean_today.items()},
            action=verdict.action.value,
            verdict=verdict.to_dict(),
            content_version=verdict.content_version,
            checked_by=actor.user,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="readiness_check",
            entity_id=check.pk,
            client_id=client.pk,
            summary=f"today's check for {protocol_id}: {verdict.action.value}",
            changes={"action": verdict.action.value, "rules": [r.rule_id for r in verdict.reasons]},
        )
    return check


def release_give(
    *,
    actor: Actor,
    client: Client,
    protocol_id: str,
    rule_id: str,
    note: str,
    valid_until: dt.date | None = None,
) -> Release:
    """A clinician releases one needs-release rule. Stop rules cannot be released."""
    actor.require(Perm.RELEASE_GIVE)
    lib = selectors.library()
    rule = lib.rules.get(rule_id)
    errors: dict[str, list[str]] = {}
    if protocol_id not in lib.protocols:
        errors["protocol"] = [f"Unknown protocol '{protocol_id}'."]
    if rule is None:
        errors["rule"] = [f"Unknown rule '{rule_id}'."]
    elif rule.action != Verdict.NEEDS_RELEASE.value and not _escalates(rule_id):
        errors["rule"] = ["Only a rule that asks for a clinician's release can be released; a stop cannot."]
    if not note.strip():
        errors["note"] = [
            "Say what you checked and why massage is safe (e.g. 'bilirubin falling, seen by Dr A')."
        ]
    if valid_until is not None and valid_until < timezone.localdate():
        errors["valid_until"] = ["The release cannot end in the past."]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        release = Release.objects.create(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=protocol_id,
            rule_id=rule_id,
            note=note.strip(),
            released_by=actor.user,
            valid_until=valid_until,
        )
        audit_record(
            actor=actor,
            action=Action.CREATE,
            entity="release",
            entity_id=release.pk,
            client_id=client.pk,
            summary=f"released rule {rule_id} for {protocol_id}",
            changes={"note": release.note, "valid_until": valid_until},
        )
    return release


def _escalates(rule_id: str) -> bool:
    """An avoid-areas rule that could not name its regions becomes needs-release; it may be released."""
    rule = selectors.library().rules.get(rule_id)
    return rule is not None and rule.action == Verdict.AVOID_AREAS.value


def release_revoke(*, actor: Actor, release: Release) -> Release:
    actor.require(Perm.RELEASE_GIVE)
    if release.revoked_at is not None:
        raise DomainError("This release was already revoked.")
    with transaction.atomic():
        release.revoked_at = timezone.now()
        release.revoked_by = actor.user
        release.save(update_fields=["revoked_at", "revoked_by", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="release",
            entity_id=release.pk,
            client_id=release.client_id,
            summary=f"revoked the release of {release.rule_id}",
        )
    return release


def screening_settings_save(*, actor: Actor, overrides: Mapping[str, Any]) -> Organisation:
    """Store the organisation's overrides (only values that differ from the library default)."""
    actor.require(Perm.SETTINGS_MANAGE)
    lib = selectors.library()
    errors: dict[str, list[str]] = {}
    clean: dict[str, float] = {}
    for key, value in overrides.items():
        try:
            ScreeningSettings.for_library(lib, {key: value})
        except SettingError as exc:
            errors.setdefault(exc.field, []).append(exc.message)
            continue
        if float(value) != lib.settings[key].default:
            clean[key] = float(value)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
        before = dict((org.settings or {}).get(selectors.SETTINGS_KEY, {}))
        org.settings = {**(org.settings or {}), selectors.SETTINGS_KEY: clean}
        org.save(update_fields=["settings", "updated_at"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            entity="organisation_settings",
            entity_id=org.pk,
            summary="changed screening settings",
            changes={
                k: [before.get(k), clean.get(k)]
                for k in sorted({*before, *clean})
                if before.get(k) != clean.get(k)
            },
        )
    return org
