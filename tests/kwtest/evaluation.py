"""A study made through the services, as a programme lead and the allocation-list holder would: arms,
a weight-gain primary outcome, a generated allocation list, open to recruitment; and participants
screened, consented to the study and randomised."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from kneadwell.accounts.roles import Role
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.evaluation import services
from kneadwell.evaluation.models import Participant, Study
from kwtest.people import Clinic, make_client

# Names no page of the app would show by chance: the blinding tests look for them in every response.
MASSAGE_ARM = "Zebrafinch massage arm"
CONTROL_ARM = "Quokka routine-care arm"


def make_study(
    clinic: Clinic,
    *,
    code: str = "TKS",
    strata: Sequence[str] = (),
    sites: Sequence[str] = (),
    gestation_cuts: Sequence[int] = (),
    target_size: int = 8,
    block_sizes: Sequence[int] = (2, 4),
    seed: str = "test-seed",
    open_it: bool = True,
    eligibility: str = "gestation_weeks < 37",
    screener_checks: Sequence[str] = (),
) -> Study:
    lead = clinic.actor(Role.ADMIN)
    study = services.study_create(
        actor=lead,
        code=code,
        title="Tactile/kinesthetic massage and weight gain",
        question="Does TKS massage for 5 days increase daily weight gain over routine care?",
        population="Stable preterm infants",
        eligibility=eligibility,
        screener_checks=screener_checks,
        target_size=target_size,
        strata=strata,
        sites=sites,
        gestation_cuts=gestation_cuts,
        block_sizes=block_sizes,
    )
    services.arm_add(actor=lead, study=study, code="massage", name=MASSAGE_ARM, protocol_id="preterm_tks_5d")
    services.arm_add(actor=lead, study=study, code="control", name=CONTROL_ARM, is_control=True)
    services.outcome_add(
        actor=lead,
        study=study,
        code="weight_gain",
        name="Daily weight gain",
        instrument_id="weight",
        measure="gain_per_day",
        days=[0, 5],
        baseline_day=0,
        analysis_day=5,
        primary=True,
    )
    services.allocation_generate(actor=clinic.actor(Role.RESEARCHER), study=study, seed=seed)
    if open_it:
        study.refresh_from_db()
        services.study_open(actor=lead, study=study, expected_version=study.version)
        study.refresh_from_db()
    return study


def study_consent(clinic: Clinic, client: Client) -> Consent:
    return client_services.consent_record(
        actor=clinic.actor(Role.THERAPIST),
        client=client,
        kind="guardian",
        scopes=["care", "measurements", "study"],
        signed_by_name="Pat Parent",
        signed_on=timezone.localdate(),
        method="paper",
        attestation=True,
        guardian=Guardian.objects.filter(client=client).first(),
    )


def enrol(
    clinic: Clinic,
    study: Study,
    client: Client | None = None,
    *,
    site: str = "",
    randomise: bool = True,
    born_days_ago: int = 40,
    weeks: int = 30,
) -> Participant:
    """Screen (eligible), consent and randomise a client (a new preterm baby by default)."""
    therapist = clinic.actor(Role.THERAPIST)
    if client is None:
        client = make_client(therapist, born_days_ago=born_days_ago, weeks=weeks)
    study_consent(clinic, client)
    participant = services.participant_screen(
        actor=therapist,
        study=study,
        client=client,
        site=site,
        checks_confirmed=[True] * len(study.screener_checks),
    )
    if randomise:
        participant = services.participant_randomise(actor=therapist, participant=participant)
    return participant


def enter_weight(
    clinic: Clinic, participant: Participant, day: int, grams: float, *, role: Role = Role.ASSESSOR
):
    """An assessor's weight for a time point, taken on the day it is due (`randomised_at` + day)."""
    assert participant.randomised_at is not None
    taken = timezone.localtime(participant.randomised_at).date() + dt.timedelta(days=day)
    return services.outcome_enter(
        actor=clinic.actor(role),
        participant=participant,
        instrument_id="weight",
        day=day,
        answers={"value": grams, "unit": "g"},
        taken_at=taken,
        confirm_unusual=True,
    )


def backdate(participant: Participant, days: int) -> Participant:
    """Move a randomisation `days` into the past, so later time points can be entered today (tests only:
    the services never change it)."""
    when = timezone.now() - dt.timedelta(days=days)
    Participant.objects.filter(pk=participant.pk).update(randomised_at=when)
    participant.refresh_from_db()
    return participant


def grid_objects(clinic: Clinic) -> dict[str, object]:
    """For the permission grids: a recruiting study with `clinic.client` randomised in it (made once per
    clinic). Its keys replace the grid's evidence `study` and outcomes `instrument` for evaluation URLs."""
    study = Study.objects.filter(organisation=clinic.org, code="GRD").first()
    if study is None:
        study = make_study(clinic, code="GRD")
        assert clinic.client is not None
        enrol(clinic, study, clinic.client)
    participant = Participant.objects.get(study=study, client=clinic.client)
    return {"study": study.pk, "participant": participant.pk, "instrument": "weight"}
