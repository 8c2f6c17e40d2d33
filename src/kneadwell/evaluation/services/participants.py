"""Participants: screened against the study's criteria (every client screened counts in the CONSORT
diagram, excluded or not), randomised once and for ever, marked as having received their allocated
programme or not, and withdrawn with a reason. Randomisation takes the next unused line of the allocation
list for the participant's stratum, under a lock on the study, so two randomisations at once cannot take
the same line; nobody who randomises can read the list beforehand (docs/evaluation.md, Concealment)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.writes import create_audited, save_audited
from kneadwell.clients.conditions import condition_labels
from kneadwell.clients.models import Client
from kneadwell.clients.rules import Scope
from kneadwell.clients.services import consent_require
from kneadwell.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from kneadwell.core.marking import english
from kneadwell.evaluation.methods import allocation as alloc
from kneadwell.evaluation.methods import eligibility as elig
from kneadwell.evaluation.models import AllocationSlot, Participant, Study
from kneadwell.evaluation.services.common import Errors, text

DECISIONS = ("enrol", "declined", "excluded")


def _locked(actor: Actor, study: Study) -> Study:
    try:
        locked: Study = (
            Study.objects.for_organisation(actor.organisation_id).select_for_update().get(pk=study.pk)
        )
    except Study.DoesNotExist:
        raise NotFound(_("No such study.")) from None
    return locked


def participant_screen(
    *,
    actor: Actor,
    study: Study,
    client: Client,
    checks_confirmed: Sequence[bool] = (),
    site: str = "",
    decision: str = "enrol",
    reason: str = "",
) -> Participant:
    """Assess a client for the study. The criteria are read from the record today; each screener's check
    must be confirmed. A client who meets them is eligible (or declined, or excluded with a reason); one
    who does not is recorded as not eligible, with the criteria that failed. A criterion the record cannot
    answer stops the screening: fill in the record, or record an exclusion with its reason."""
    actor.require(Perm.STUDY_RANDOMISE)
    if client.organisation_id != actor.organisation_id:
        raise NotFound(_("No such client."))
    errors = Errors()
    if decision not in DECISIONS:
        errors.add("decision", _("Choose one of %(decisions)s.") % {"decisions": ", ".join(DECISIONS)})
    reason = text(errors, "reason", reason, required=decision != "enrol", limit=1000)
    checks = list(checks_confirmed)
    with transaction.atomic():
        study = _locked(actor, study)
        if study.status != Study.Status.RECRUITING:
            raise DomainError(_("Participants are screened only while the study recruits."))
        if len(checks) != len(study.screener_checks):
            errors.add(
                "checks",
                _("Answer each of the %(count)s screener's check(s).")
                % {"count": len(study.screener_checks)},
            )
        if study.sites and site not in study.sites:
            errors.add("site", _("Choose the site: %(sites)s.") % {"sites": ", ".join(study.sites)})
        today = timezone.localdate()
        facts = elig.client_facts(
            birth_date=client.birth_date,
            on=today,
            gestation_weeks=client.gestation_weeks,
            gestation_days=client.gestation_days,
            birth_weight_g=client.birth_weight_g,
            sex=client.sex,
        )
        results = elig.evaluate(study.eligibility, facts, client.conditions, condition_labels())
        verdict = elig.verdict(results, checks or [True] * len(study.screener_checks))
        if verdict is None and decision == "enrol" and "checks" not in errors:
            unknown = [r.text for r in results if r.met is None]
            errors.add(
                "eligibility",
                _(
                    "The record does not say: %(unknown)s. Add it to the client's record, or record the "
                    "client as excluded with the reason."
                )
                % {"unknown": "; ".join(unknown)},
            )
        errors.raise_any()
        failed = [r.text for r in results if r.met is False]
        failed += [c for c, ok in zip(study.screener_checks, checks, strict=True) if not ok]
        if verdict is False:
            status, why = Participant.Status.NOT_ELIGIBLE, "; ".join(failed)
        elif decision == "declined":
            status, why = Participant.Status.DECLINED, reason
        elif decision == "excluded":
            status, why = Participant.Status.EXCLUDED, reason
        else:
            status, why = Participant.Status.ELIGIBLE, ""
        number = Participant.objects.within(study).filter(study=study).count() + 1
        participant = Participant(
            organisation_id=study.organisation_id,
            study=study,
            client=client,
            code=f"{study.code}-{number:03d}",
            status=status,
            screened_at=timezone.now(),
            screened_by=actor.user,
            eligibility={
                "on": today.isoformat(),
                "criteria": [{"text": r.text, "met": r.met, "value": r.fact_value} for r in results],
                "checks": [
                    {"text": c, "confirmed": ok} for c, ok in zip(study.screener_checks, checks, strict=True)
                ],
            },
            exclusion_reason=why,
            site=site,
        )
        try:
            with transaction.atomic():
                return create_audited(
                    actor=actor,
                    obj=participant,
                    entity="study participant",
                    client_id=client.pk,
                    summary=f"screened for study {study.code} as {participant.code}: "
                    f"{participant.get_status_display()}",
                    changes={"status": status, "code": participant.code},
                )
        except IntegrityError:
            raise Conflict(
                _("%(display_name)s has already been screened for study %(study_code)s.")
                % {"display_name": client.display_name, "study_code": study.code}
            ) from None


def _strata_values(study: Study, participant: Participant, client: Client) -> dict[str, str]:
    values: dict[str, str] = {}
    missing = []
    for factor in study.strata:
        if factor == "site":
            value = participant.site
        elif factor == "gestation_band":
            value = alloc.gestation_band(client.gestation_weeks, study.gestation_cuts) or ""
        else:
            value = client.sex
        if not value:
            missing.append(_(alloc.FACTOR_LABELS[factor]).lower())
        values[factor] = value
    if missing:
        raise ValidationFailed(
            {
                "strata": [
                    _("The record lacks %(missing)s, needed to stratify.") % {"missing": ", ".join(missing)}
                ]
            }
        )
    return values


def participant_randomise(*, actor: Actor, participant: Participant) -> Participant:
    """Allocate an eligible participant: one audited, irreversible act. Needs an active consent to take
    part in a study (consent scope `study`)."""
    actor.require(Perm.STUDY_RANDOMISE)
    with transaction.atomic():
        study = _locked(actor, participant.study)
        row: Participant = Participant.objects.within(study).select_for_update().get(pk=participant.pk)
        if row.status == Participant.Status.RANDOMISED:
            raise DomainError(
                _("%(code)s was randomised on %(when)s; randomisation is irreversible.")
                % {
                    "code": row.code,
                    "when": dateformat.format(timezone.localtime(row.randomised_at), "d M Y H:i"),
                }
            )
        if row.status != Participant.Status.ELIGIBLE:
            raise DomainError(
                _("%(code)s is %(status)s: only eligible participants are randomised.")
                % {"code": row.code, "status": row.get_status_display().lower()}
            )
        if study.status != Study.Status.RECRUITING:
            raise DomainError(_("The study is not recruiting."))
        client = Client.objects.within(row).get(pk=row.client_id)
        consent_require(client=client, scope=Scope.STUDY, what=gettext_noop("taking part in this study"))
        values = _strata_values(study, row, client)
        key = alloc.stratum_key(study.strata, values)
        slot = (
            AllocationSlot.objects.within(study)
            .filter(allocation__study=study, stratum=key, participant__isnull=True)
            .select_for_update()
            .order_by("position")
            .select_related("arm")
            .first()
        )
        if slot is None:
            raise DomainError(
                _(
                    "The allocation list has no line left for the stratum %(key)s. Nobody was randomised; "
                    "ask the study's allocation-list holder."
                )
                % {"key": key}
            )
        now = timezone.now()
        slot.participant = row
        slot.used_at = now
        slot.save(update_fields=["participant", "used_at"])
        row.arm = slot.arm
        row.status = Participant.Status.RANDOMISED
        row.randomised_at = now
        row.randomised_by = actor.user
        row.strata_values = values
        row.stratum = key
        return save_audited(
            actor=actor,
            obj=row,
            entity="study participant",
            client_id=row.client_id,
            summary=f"randomised {row.code} in study {study.code}: allocated to {slot.arm.name}"[:500],
            changes={"arm": [None, slot.arm.code], "stratum": key, "status": ["eligible", "randomised"]},
            update_fields=["arm", "status", "randomised_at", "randomised_by", "strata_values", "stratum"],
        )


def _randomised(actor: Actor, participant: Participant) -> Participant:
    row: Participant = (
        Participant.objects.for_organisation(actor.organisation_id).select_for_update().get(pk=participant.pk)
    )
    if row.status != Participant.Status.RANDOMISED:
        raise DomainError(_("%(code)s has not been randomised.") % {"code": row.code})
    return row


def participant_mark_received(
    *, actor: Actor, participant: Participant, received: bool, note: str = ""
) -> Participant:
    """Whether the participant received the programme they were allocated to (CONSORT's "received
    allocated intervention"); a "no" needs the reason."""
    actor.require(Perm.STUDY_RANDOMISE)
    errors = Errors()
    note = text(errors, "note", note, required=not received, limit=1000)
    errors.raise_any()
    with transaction.atomic():
        row = _randomised(actor, participant)
        before = row.received
        row.received, row.received_note = received, note
        return save_audited(
            actor=actor,
            obj=row,
            entity="study participant",
            client_id=row.client_id,
            summary=f"{row.code} {'received' if received else 'did not receive'} the allocated programme",
            changes={"received": [before, received], "note": note},
            update_fields=["received", "received_note"],
        )


def participant_withdraw(
    *, actor: Actor, participant: Participant, kind: str, reason: str, data_kept: bool = True
) -> Participant:
    """Withdrawn participants stay in the intention-to-treat analysis with the data they gave, unless the
    family asked for it not to be used (`data_kept=False`)."""
    actor.require(Perm.STUDY_RANDOMISE)
    errors = Errors()
    if kind not in Participant.Withdrawal.values:
        errors.add(
            "kind", _("Choose one of %(values)s.") % {"values": ", ".join(Participant.Withdrawal.values)}
        )
    reason = text(errors, "reason", reason, limit=1000)
    errors.raise_any()
    with transaction.atomic():
        row = _randomised(actor, participant)
        if row.withdrawn_at is not None:
            raise DomainError(_("%(code)s was already withdrawn.") % {"code": row.code})
        row.withdrawn_at, row.withdrawn_by = timezone.now(), actor.user
        row.withdrawal, row.withdrawal_reason, row.data_kept = kind, reason, data_kept
        return save_audited(
            actor=actor,
            obj=row,
            entity="study participant",
            client_id=row.client_id,
            summary=f"withdrew {row.code} from the study: {english(Participant.Withdrawal(kind).label)}",
            changes={"withdrawal": kind, "reason": reason, "data_kept": data_kept},
            update_fields=["withdrawn_at", "withdrawn_by", "withdrawal", "withdrawal_reason", "data_kept"],
        )
