"""The demo organisation `kneadwell serve --demo` creates: a clinic with an admin, a therapist and a
parent, and a few clients covering the main populations. Run again, it keeps the data and gives the
demo accounts new passwords, which it prints."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Role
from kneadwell.accounts.services import organisation_create
from kneadwell.clients import services as client_services
from kneadwell.clients.models import Client, Guardian

DEMO_ORG = "Kneadwell demo clinic"
DEMO_USERS = (
    ("admin@demo.kneadwell.test", "Ada Admin", Role.ADMIN),
    ("therapist@demo.kneadwell.test", "Theo Therapist", Role.THERAPIST),
    ("nurse@demo.kneadwell.test", "Nia Nurse", Role.THERAPIST),
    ("parent@demo.kneadwell.test", "Pat Parent", Role.CAREGIVER),
    # The demo class series' instructor (courses/demo.py).
    ("instructor@demo.kneadwell.test", "Ines Instructor", Role.INSTRUCTOR),
    # The demo study's blinded outcome assessor and its allocation-list holder (evaluation/demo.py).
    ("assessor@demo.kneadwell.test", "Asha Assessor", Role.ASSESSOR),
    ("researcher@demo.kneadwell.test", "Rui Researcher", Role.RESEARCHER),
)


def _password() -> str:
    return "demo-" + secrets.token_urlsafe(9)


def demo_create() -> list[str]:
    passwords: dict[str, str] = {}
    with transaction.atomic():
        users: dict[Role, User] = {}
        for email, name, _role in DEMO_USERS:
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email=email, full_name=name
            )
            passwords[email] = _password()
            user.set_password(passwords[email])
            user.save(update_fields=["password"])
        org = Organisation.objects.filter(name=DEMO_ORG).first()
        if org is None:
            admin = User.objects.get(email=DEMO_USERS[0][0])
            org, _ = organisation_create(name=DEMO_ORG, kind=Organisation.Kind.CLINIC, owner=admin)
        for email, _name, role in DEMO_USERS:
            user = User.objects.get(email=email)
            Membership.objects.get_or_create(user=user, organisation=org, defaults={"role": role})
            users.setdefault(role, user)
        if not Client.objects.filter(organisation=org).exists():
            _seed_clients(org, users)
        from kneadwell.courses.demo import demo_course_seed

        demo_course_seed(org, users)
        from kneadwell.evaluation.demo import demo_study_seed

        demo_study_seed(org, users)
    lines = [f"Demo organisation: {DEMO_ORG}", "Demo logins (new passwords on every --demo run):"]
    lines += [f"  {role.label:<28} {email}  password: {passwords[email]}" for email, _n, role in DEMO_USERS]
    return lines


def _seed_clients(org: Organisation, users: dict[Role, User]) -> None:
    therapist = Membership.objects.get(organisation=org, user=users[Role.THERAPIST])
    actor = Actor(user=users[Role.THERAPIST], membership=therapist, channel=Channel.SYSTEM)
    today = timezone.localdate()
    parent = users[Role.CAREGIVER]

    def add(
        given: str,
        family: str,
        born: dt.date,
        sex: str,
        conditions: list[str],
        *,
        weeks: int | None = None,
        days: int | None = None,
        weight: int | None = None,
        guardian: str | None = None,
        link_parent: bool = False,
    ) -> Client:
        from kneadwell.clients.conditions import condition_labels

        known = condition_labels()
        client = client_services.client_create(
            actor=actor,
            given_name=given,
            family_name=family,
            birth_date=born,
            sex=sex,
            gestation_weeks=weeks,
            gestation_days=days,
            birth_weight_g=weight,
            conditions=[c for c in conditions if c in known],
        )
        if guardian:
            g = client_services.guardian_create(
                actor=actor,
                client=client,
                name=guardian,
                relationship=Guardian.Relationship.MOTHER,
                email=parent.email if link_parent else "",
                user=parent if link_parent else None,
            )
            client_services.consent_record(
                actor=actor,
                client=client,
                kind="guardian",
                scopes=["care", "measurements", "sharing"],
                signed_by_name=guardian,
                signed_on=today,
                method="paper",
                attestation=True,
                guardian=g,
            )
        else:
            client_services.consent_record(
                actor=actor,
                client=client,
                kind="self",
                scopes=["care", "measurements", "sharing"],
                signed_by_name=f"{given} {family}",
                signed_on=today,
                method="paper",
                attestation=True,
            )
        return client

    maya = add(
        "Maya",
        "Okafor",
        today - dt.timedelta(days=40),
        "female",
        ["preterm"],
        weeks=30,
        days=2,
        weight=1420,
        guardian="Pat Parent",
        link_parent=True,
    )
    leo = add(
        "Leo",
        "Hart",
        today - dt.timedelta(days=70),
        "male",
        [],
        weeks=39,
        days=4,
        weight=3480,
        guardian="Pat Parent",
        link_parent=True,
    )
    add("Sami", "Reyes", today - dt.timedelta(days=365 * 7 + 40), "male", ["asthma"], guardian="Rosa Reyes")
    add("Grace", "Lindqvist", today - dt.timedelta(days=365 * 68), "female", ["stroke"])
    add("Dan", "Mbeki", today - dt.timedelta(days=365 * 34), "male", ["post_operative", "sports_injury"])
    _seed_plans(actor, maya=maya, leo=leo)


def _demo_answers(population: str, scope: str) -> dict[str, object]:
    """Answers under which no safety rule fires, for the demo's made-up babies only."""
    from kneadwell.library.loader import default_library

    now = timezone.now()
    special: dict[str, object] = {
        "umbilical_healed": True,
        "clinician_confirms_stable": True,
        "agrees_today": True,
        "baby_state": "quiet_alert",
        "oil_test_reaction": "no_reaction",
        "axillary_temperature_c": 36.8,
        "spo2_before": 96,
        "heart_rate_before": 150,
        "last_feed_at": now - dt.timedelta(hours=2),
        "last_feed_or_handling_at": now - dt.timedelta(hours=2),
    }
    answers: dict[str, object] = {}
    for q in default_library().questions_for(population, scope):
        if q.ask_if is not None:
            continue  # a follow-up answered while its question says "no" would contradict it
        if q.id in special:
            answers[q.id] = special[q.id]
        elif q.type == "yes_no":
            answers[q.id] = False
        elif q.type in ("multi_choice", "region_multi_choice"):
            answers[q.id] = []
        elif q.type == "text" and q.required:
            answers[q.id] = "Demo record."
    return answers


def _seed_plans(actor: Actor, *, maya: Client, leo: Client) -> None:
    """Intakes, a TKS plan for Maya with its first session done, and a home-routine plan for Leo."""
    from kneadwell.care import services as care
    from kneadwell.library import services as library

    for client, population, protocol in (
        (maya, "preterm_infant", "preterm_tks_10d"),
        (leo, "infant", "iaim_parent_routine"),
    ):
        library.intake_save(
            actor=actor,
            client=client,
            population=population,
            answers=_demo_answers(population, "intake"),
            expected_version=None,
        )
        check = library.readiness_check_run(
            actor=actor, client=client, protocol_id=protocol, answers=_demo_answers(population, "today")
        )
        if check.blocks:
            continue  # the content's rules changed since the demo was written; leave this plan out
        plan = care.plan_create(
            actor=actor,
            client=client,
            check=check,
            starts_at=timezone.now().replace(minute=0, second=0, microsecond=0),
            goals="Steady weight gain before discharge" if client is maya else "A calm bedtime routine",
        )
        if client is maya:
            first = plan.slots.order_by("due_at").first()
            today_check = library.readiness_check_run(
                actor=actor, client=client, protocol_id=protocol, answers=_demo_answers(population, "today")
            )
            session = care.session_start(actor=actor, client=client, check=today_check, slot=first)
            for index in range(len(session.steps)):
                session = care.session_step(actor=actor, session=session, index=index, outcome="done")
            care.session_complete(actor=actor, session=session)
