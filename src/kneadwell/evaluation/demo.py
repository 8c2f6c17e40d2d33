"""The demo organisation's study, modelled on the preterm tactile/kinesthetic trial the rehabilitation seed
cites (Elmoneim et al. 2021 [S73]; the same trial as S35): stable infants born before 32 weeks, randomised
around 35 weeks' postmenstrual age to three 15-minute massages a day for five days (5 min tactile, 5 min
kinesthetic, 5 min tactile: library protocol preterm_tks_5d) or routine care; primary outcome daily weight
gain (g/day) over the five days, growth velocity (g/kg/day) secondary.

Everything is made through the services as the people would make it (the researcher makes the
allocation list, therapists screen and randomise, the demo assessor enters the weights, blinded), with two
shortcuts a demo needs, both marked below: the randomisations are moved back in time so the day-5 weights
exist, and the weights are simulated (a fixed seed; gains drawn around 19 g/day with massage and 8 g/day
with routine care, near the trial's reported 19.3 vs 6.2 g/day so the demo shows a difference). They are
not the trial's data and not evidence of anything."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Role
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client, Guardian
from kneadwell.evaluation import services
from kneadwell.evaluation.models import AllocationSlot, Participant, Study

CODE = "TKS"
RANDOMISED = 24
GIVEN = (
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Finn",
    "Gia",
    "Hugo",
    "Isla",
    "Jude",
    "Kai",
    "Lena",
    "Milo",
    "Nora",
    "Omar",
    "Pia",
    "Quinn",
    "Rosa",
    "Sam",
    "Tara",
    "Uma",
    "Vik",
    "Wren",
    "Yara",
    "Zak",
    "Ada",
    "Bo",
)
FAMILY = ("Adeyemi", "Brennan", "Castillo", "Dubois", "Eriksen", "Farouk", "Grant", "Hassan", "Ito")


def _actor(org: Organisation, user: User) -> Actor:
    return Actor(
        user=user, membership=Membership.objects.get(organisation=org, user=user), channel=Channel.SYSTEM
    )


def demo_study_seed(org: Organisation, users: dict[Role, User]) -> Study | None:
    if Study.objects.for_organisation(org.pk).filter(code=CODE).exists():
        return None
    lead, researcher = _actor(org, users[Role.ADMIN]), _actor(org, users[Role.RESEARCHER])
    therapist, assessor = _actor(org, users[Role.THERAPIST]), _actor(org, users[Role.ASSESSOR])
    study = services.study_create(
        actor=lead,
        code=CODE,
        title="Tactile/kinesthetic massage and weight gain in stable preterm infants (demo)",
        question="In stable infants born before 32 weeks, does TKS massage three times a day for 5 days, "
        "compared with routine care, increase daily weight gain over those 5 days?",
        population="Stable infants born before 32 weeks, randomised at about 35 weeks' postmenstrual age "
        "(modelled on Elmoneim et al. 2021 [S73]; demo data are simulated).",
        eligibility="gestation_weeks < 32\npostmenstrual_age_weeks >= 33\npostmenstrual_age_weeks < 37",
        screener_checks=[
            "Clinically stable, on full enteral feeds, no ventilation",
            "No skin condition, line or wound where the massage would go",
        ],
        target_size=30,
        strata=["gestation_band"],
        gestation_cuts=[28],
        block_sizes=[2, 4],
    )
    services.arm_add(
        actor=lead,
        study=study,
        code="massage",
        name="TKS massage, 3 × 15 min a day for 5 days",
        protocol_id="preterm_tks_5d",
        description="5 min tactile, 5 min kinesthetic, 5 min tactile, three times a day.",
    )
    services.arm_add(actor=lead, study=study, code="control", name="Routine care", is_control=True)
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
    services.outcome_add(
        actor=lead,
        study=study,
        code="growth_velocity",
        name="Growth velocity",
        instrument_id="weight",
        measure="velocity",
        days=[0, 5],
        baseline_day=0,
        analysis_day=5,
    )
    services.allocation_generate(actor=researcher, study=study)
    study.refresh_from_db()
    services.study_open(actor=lead, study=study, expected_version=study.version)
    study.refresh_from_db()
    _participants(study, therapist, assessor)
    return study


def _baby(
    therapist: Actor, index: int, rng: random.Random, *, weeks: int, pma_days: int
) -> tuple[Client, Guardian]:
    today = timezone.localdate()
    days = rng.randint(0, 6)
    age = pma_days - (weeks * 7 + days)
    client = client_services.client_create(
        actor=therapist,
        given_name=GIVEN[index % len(GIVEN)],
        family_name=FAMILY[index % len(FAMILY)],
        birth_date=today - dt.timedelta(days=age),
        sex=rng.choice(["female", "male"]),
        gestation_weeks=weeks,
        gestation_days=days,
        birth_weight_g=int(400 + weeks * 35 + rng.randint(-80, 80)),
        conditions=["preterm"],
    )
    guardian = client_services.guardian_create(
        actor=therapist,
        client=client,
        name=f"Parent of {client.given_name}",
        relationship=Guardian.Relationship.MOTHER,
    )
    return client, guardian


def _consent(therapist: Actor, client: Client, guardian: Guardian, scopes: list[str]) -> None:
    client_services.consent_record(
        actor=therapist,
        client=client,
        kind="guardian",
        scopes=scopes,
        signed_by_name=guardian.name,
        signed_on=client.birth_date + dt.timedelta(days=1),
        method="paper",
        attestation=True,
        guardian=guardian,
    )


def _participants(study: Study, therapist: Actor, assessor: Actor) -> None:
    rng = random.Random(20210101)  # noqa: S311 - simulated demo values, reproducible on purpose
    checks = [True, True]
    for i in range(RANDOMISED + 3):
        # Babies 0..23 are randomised; 24 was born too late (34 weeks), 25 declined, 26 waits.
        weeks = 34 if i == RANDOMISED else rng.choice([26, 27, 28, 29, 30, 31])
        ago = 6 + (i % 8)  # randomised this many days ago (demo shortcut, see _back_in_time)
        pma_days = 36 * 7 + 6 if weeks == 34 else 34 * 7 + rng.randint(0, 20)  # 34+0 to 36+6 weeks today
        client, guardian = _baby(therapist, i, rng, weeks=weeks, pma_days=pma_days)
        scopes = ["care", "measurements"] + ([] if i == RANDOMISED + 1 else ["study"])
        _consent(therapist, client, guardian, scopes)
        if i == RANDOMISED + 1:
            services.participant_screen(
                actor=therapist,
                study=study,
                client=client,
                checks_confirmed=checks,
                decision="declined",
                reason="The parents preferred not to take part.",
            )
            continue
        p = services.participant_screen(actor=therapist, study=study, client=client, checks_confirmed=checks)
        if p.status != Participant.Status.ELIGIBLE or i == RANDOMISED + 2:
            continue
        p = services.participant_randomise(actor=therapist, participant=p)
        p = _back_in_time(p, ago)
        _weights(p, assessor, rng, index=i)
        _follow_up(p, therapist, index=i)


def _back_in_time(p: Participant, days: int) -> Participant:
    """Demo shortcut: the randomisation (and its screening and list line) moved `days` back, so the day-5
    weight can exist today. Only the demo does this; the services never change these dates."""
    when = timezone.now() - dt.timedelta(days=days)
    Participant.objects.filter(pk=p.pk).update(randomised_at=when, screened_at=when - dt.timedelta(hours=2))
    AllocationSlot.objects.filter(participant_id=p.pk).update(used_at=when)
    p.refresh_from_db()
    return p


def _weights(p: Participant, assessor: Actor, rng: random.Random, *, index: int) -> None:
    assert p.randomised_at is not None
    assert p.arm is not None
    start = timezone.localtime(p.randomised_at).date()
    baseline = rng.gauss(1750, 180)
    gain = rng.gauss(19.0 if p.arm.code == "massage" else 8.0, 6.0)  # g/day, simulated (see the docstring)
    points = [(0, baseline)] if index in (3, 10) else [(0, baseline), (5, baseline + 5 * gain)]
    for day, grams in points:
        services.outcome_enter(
            actor=assessor,
            participant=p,
            instrument_id="weight",
            day=day,
            answers={"value": round(grams), "unit": "g"},
            taken_at=start + dt.timedelta(days=day),
            confirm_unusual=True,
        )


def _follow_up(p: Participant, therapist: Actor, *, index: int) -> None:
    if index == 3:
        services.participant_withdraw(
            actor=therapist,
            participant=p,
            kind="discharged",
            reason="Transferred to the referring hospital on day 3.",
        )
        return
    if index == 7:
        services.participant_mark_received(
            actor=therapist,
            participant=p,
            received=False,
            note="Sessions stopped after day 2: the baby needed phototherapy.",
        )
        return
    services.participant_mark_received(actor=therapist, participant=p, received=True)
