"""Writes for the library area: a client's intake, today's readiness check, clinician releases and an
organisation's screening settings. Each checks the role, validates, saves and audits in one transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.models import Organisation
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import diff
from kneadwell.audit.writes import create_audited, edit_audited, save_audited
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import DomainError, PermissionDenied, ValidationFailed
from kneadwell.library import selectors
from kneadwell.library.answers import AnswerError, clean_answers
from kneadwell.library.forms import to_json
from kneadwell.library.models import Intake, ReadinessCheck, Release
from kneadwell.library.org_settings import ScreeningSettings, SettingError
from kneadwell.library.population import allowed_populations
from kneadwell.library.screening import Action as Verdict
from kneadwell.library.screening import ScreeningInputError

ERR_NO_INTAKE = gettext_noop(
    "Complete the intake (health history) for {name} first; today's check reads it every time."
)


def fitting_populations(client: Client) -> set[str]:
    """The groups a client's record allows today (the intake's question set must be one of them)."""
    return allowed_populations(
        birth_date=client.birth_date,
        on=timezone.localdate(),
        gestation_weeks=client.gestation_weeks,
        gestation_days=client.gestation_days,
        conditions=client.conditions or (),
    )


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
    consent_require(client=client, scope=Scope.CARE, what=gettext_noop("a health history"))
    lib = selectors.library()
    if population not in lib.populations:
        raise ValidationFailed(
            {
                "population": [
                    _("Choose one of: %(populations)s.") % {"populations": ", ".join(lib.populations)}
                ]
            }
        )
    fitting = fitting_populations(client)
    if population not in fitting:
        names = " or ".join(f"“{lib.populations[p].label}”" for p in sorted(fitting))
        raise ValidationFailed(
            {
                "population": [
                    _(
                        "“%(label)s” does not fit %(display_name)s's birth date, gestation and conditions; "
                        "the record calls for %(names)s."
                    )
                    % {
                        "label": lib.populations[population].label,
                        "display_name": client.display_name,
                        "names": names,
                    }
                ]
            }
        )
    asked = {q.id for q in lib.questions_for(population, "intake")}
    stray = sorted(set(answers) - asked)
    if stray:
        raise ValidationFailed({k: [_("This question is not part of this intake.")] for k in stray})
    try:
        clean = clean_answers(lib, "intake", answers, now=timezone.now())
    except AnswerError as exc:
        raise _answer_errors(exc) from None
    stored = {k: to_json(v) for k, v in clean.items()}
    version_label = str(lib.version)
    with transaction.atomic():
        existing = Intake.objects.of_client(client).first()
        if existing is None:
            intake = Intake(
                organisation_id=client.organisation_id,
                client=client,
                population=population,
                answers=stored,
                content_version=version_label,
                updated_by=actor.user,
            )
            create_audited(
                actor=actor,
                obj=intake,
                entity="intake",
                client_id=client.pk,
                summary=f"recorded the intake ({population})",
                changes={"population": population, **stored},
            )
            return intake
        with edit_audited(
            actor=actor,
            queryset=Intake.objects.of_client(client),
            pk=existing.pk,
            expected_version=expected_version,
            entity="intake",
            client_id=client.pk,
            summary="changed the intake",
        ) as edit:
            intake = edit.row
            # Answer by answer, not the answers column as one value.
            edit.changes = diff(
                {"population": intake.population, **intake.answers}, {"population": population, **stored}
            )
            intake.population = population
            intake.answers = stored
            intake.content_version = version_label
            intake.updated_by = actor.user
    return intake


def readiness_check_run(
    *,
    actor: Actor,
    client: Client,
    protocol_id: str,
    answers: Mapping[str, Any],
    now: dt.datetime | None = None,
) -> ReadinessCheck:
    """Screen the client's current record for `protocol_id` with today's answers and keep the verdict as
    shown, with a fingerprint of the record it read (a later change makes the check stale)."""
    actor.require(Perm.SESSION_RECORD)
    lib = selectors.library()
    if protocol_id not in lib.protocols:
        raise ValidationFailed(
            {"protocol": [_("Unknown protocol '%(protocol_id)s'.") % {"protocol_id": protocol_id}]}
        )
    consent_require(client=client, scope=Scope.CARE, what=gettext_noop("massage sessions"))
    intake = selectors.intake_for(client=client)
    if intake is None:
        raise ValidationFailed({"intake": [_(ERR_NO_INTAKE).format(name=client.display_name)]})
    now = now or timezone.now()
    asked = {q.id for q in lib.questions_for(intake.population, "today")}
    stray = sorted(set(answers) - asked)
    if stray:
        raise ValidationFailed({k: [_("This question is not part of today's check.")] for k in stray})
    screened = screened_or_errors(client=client, protocol_id=protocol_id, today=answers, actor=actor, now=now)
    verdict = screened.verdict
    with transaction.atomic():
        check = ReadinessCheck(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=protocol_id,
            population=intake.population,
            answers={k: to_json(v) for k, v in screened.clean_today.items()},
            action=verdict.action.value,
            verdict=verdict.to_dict(),
            content_version=verdict.content_version,
            record_hash=screened.record_hash,
            checked_by=actor.user,
        )
        create_audited(
            actor=actor,
            obj=check,
            entity="readiness_check",
            client_id=client.pk,
            summary=f"today's check for {protocol_id}: {verdict.action.value}",
            changes={"action": verdict.action.value, "rules": [r.rule_id for r in verdict.reasons]},
        )
    return check


def screened_or_errors(
    *, client: Client, protocol_id: str, today: Mapping[str, Any], actor: Actor, now: dt.datetime
) -> selectors.Screened:
    """selectors.screen_record with the screening's own errors as field errors (422)."""
    try:
        return selectors.screen_record(
            client=client, protocol_id=protocol_id, today=today, user_id=actor.user.pk, now=now
        )
    except AnswerError as exc:
        raise _answer_errors(exc) from None
    except ScreeningInputError as exc:
        field = "intake" if exc.field == "population" else exc.field
        message = exc.message
        if exc.field == "population":
            message += _(" Update the health history (intake) so its group fits the record.")
        raise ValidationFailed({field: [message]}) from None


# A release must say what was checked: "ok" is not a reason a colleague can follow.
RELEASE_NOTE_MIN_CHARS = 15
RELEASE_DEFAULT_DAYS = 7


def release_give(
    *,
    actor: Actor,
    client: Client,
    check: ReadinessCheck,
    rule_id: str,
    note: str,
    valid_until: dt.date | None = None,
) -> Release:
    """A clinician releases one needs-release rule found by `check`, for the finding as the check saw it.
    The release ends on `valid_until` (by default the plan's end or 7 days, whichever is sooner); a worse
    value or a new finding voids it sooner. A stop cannot be released."""
    actor.require(Perm.RELEASE_GIVE)
    policy = selectors.release_policy(actor.organisation)
    if actor.role.value not in policy.roles:
        raise PermissionDenied(
            _("In this organisation only %(roles)s may release a safety rule.")
            % {"roles": ", ".join(sorted(policy.roles))}
        )
    lib = selectors.library()
    rule = lib.rules.get(rule_id)
    reason = next((r for r in check.verdict.get("reasons", []) if r.get("rule_id") == rule_id), None)
    errors: dict[str, list[str]] = {}
    if check.client_id != client.pk:
        errors["check"] = [_("That check belongs to another client.")]
    if rule is None:
        errors["rule"] = [_("Unknown rule '%(rule_id)s'.") % {"rule_id": rule_id}]
    elif reason is None:
        errors["rule"] = [_("This check did not find that rule; release what a check found.")]
    elif reason.get("action") != Verdict.NEEDS_RELEASE.value and not (
        rule.releasable and reason.get("action") == Verdict.AVOID_AREAS.value
    ):
        errors["rule"] = [
            _("Only a rule that asks for a clinician's release can be released; a stop cannot.")
        ]
    if not policy.self_release and check.checked_by_id == actor.user.pk:
        own = _("You ran this check, so a second clinician must release it (organisation setting).")
        errors["rule"] = [*errors.get("rule", []), own]
    if selectors.record_changed_since(check=check, client=client, findings_only=True):
        errors["check"] = [_(selectors.ERR_RECORD_CHANGED)]
    if len(note.strip()) < RELEASE_NOTE_MIN_CHARS:
        errors["note"] = [
            _(
                "Say what you checked and why massage is safe (e.g. 'platelets 80,000 on 3 Dec, seen by Dr "
                "A')."
            )
        ]
    today = timezone.localdate()
    latest = today + dt.timedelta(days=RELEASE_DEFAULT_DAYS)
    plan_end = _plan_end(client=client, protocol_id=check.protocol_id)
    if plan_end is not None:
        latest = min(latest, max(plan_end, today))
    if valid_until is None:
        valid_until = latest
    elif valid_until < today:
        errors["valid_until"] = [_("The release cannot end in the past.")]
    elif valid_until > latest:
        errors["valid_until"] = [
            _("A release lasts at most until %(date)s (7 days, or the plan's end if sooner).")
            % {"date": dateformat.format(latest, "j M Y")}
        ]
    if errors:
        raise ValidationFailed(errors)
    assert reason is not None
    with transaction.atomic():
        release = Release(
            organisation_id=client.organisation_id,
            client=client,
            protocol_id=check.protocol_id,
            rule_id=rule_id,
            note=note.strip(),
            readiness_check=check,
            finding=reason.get("finding") or {},
            released_by=actor.user,
            valid_until=valid_until,
        )
        create_audited(
            actor=actor,
            obj=release,
            entity="release",
            client_id=client.pk,
            summary=f"released rule {rule_id} for {check.protocol_id}",
            changes={"note": release.note, "valid_until": valid_until, "finding": release.finding},
        )
    return release


def _plan_end(*, client: Client, protocol_id: str) -> dt.date | None:
    """The last day of the client's active plan on this protocol, if there is one."""
    from kneadwell.care.models import Plan  # care builds on the library, not the other way round

    plan = Plan.objects.of_client(client).filter(protocol_id=protocol_id, status=Plan.Status.ACTIVE).first()
    if plan is None:
        return None
    return timezone.localdate(plan.starts_at + dt.timedelta(weeks=plan.open_weeks))


def release_revoke(*, actor: Actor, release: Release) -> Release:
    actor.require(Perm.RELEASE_GIVE)
    if release.revoked_at is not None:
        raise DomainError(_("This release was already revoked."))
    with transaction.atomic():
        release.revoked_at = timezone.now()
        release.revoked_by = actor.user
        save_audited(
            actor=actor,
            obj=release,
            update_fields=["revoked_at", "revoked_by", "updated_at"],
            entity="release",
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
    return _organisation_settings_put(
        actor=actor, key=selectors.SETTINGS_KEY, value=clean, summary="changed screening settings"
    )


def release_policy_save(*, actor: Actor, roles: list[str], self_release: bool) -> Organisation:
    """Who may release safety rules in the organisation, and whether a release counts for its giver."""
    actor.require(Perm.SETTINGS_MANAGE)
    unknown = sorted(set(roles) - set(selectors.RELEASE_ROLES))
    if unknown or not roles:
        raise ValidationFailed(
            {"roles": [_("Choose at least one of the clinical roles (administrator, therapist / nurse).")]}
        )
    return _organisation_settings_put(
        actor=actor,
        key=selectors.RELEASES_KEY,
        value={"roles": sorted(set(roles)), "self_release": bool(self_release)},
        summary="changed who may release safety rules",
    )


def translation_policy_save(*, actor: Actor, english_beside_unreviewed: bool) -> Organisation:
    """Whether pages show the English original beside a translated safety text not yet reviewed (on by
    default; docs/languages.md, "Clinical content")."""
    actor.require(Perm.SETTINGS_MANAGE)
    return _organisation_settings_put(
        actor=actor,
        key=selectors.TRANSLATIONS_KEY,
        value={"english_beside_unreviewed": bool(english_beside_unreviewed)},
        summary="changed how translated safety texts are shown",
    )


def _organisation_settings_put(
    *, actor: Actor, key: str, value: dict[str, Any], summary: str
) -> Organisation:
    """Replace one section of the organisation's settings under its row lock, and audit the difference."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=actor.organisation_id)
        before = dict((org.settings or {}).get(key, {}))
        org.settings = {**(org.settings or {}), key: value}
        save_audited(
            actor=actor,
            obj=org,
            update_fields=["settings", "updated_at"],
            entity="organisation_settings",
            summary=summary,
            # Over both sides' keys: an override set back to its default is a change too.
            changes={
                k: [before.get(k), value.get(k)]
                for k in sorted({*before, *value})
                if before.get(k) != value.get(k)
            },
        )
    return org
