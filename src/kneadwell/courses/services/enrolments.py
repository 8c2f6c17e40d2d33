"""Families joining a course through its link: a new family's account, baby and consent made in one step
(as family sign-up does, but inside the course's organisation, so the instructor and the family share
one record), a signed-in parent's membership, the enrolment itself (or a place on the waiting list), the
family's sharing choice, and withdrawal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor, Channel
from kneadwell.accounts.models import Membership, SignupAttempt, User
from kneadwell.accounts.roles import Perm, Role
from kneadwell.accounts.services import email_verification_send, signup_throttle_check
from kneadwell.accounts.services.signup import _signup_errors, _signup_existing, _signup_history_save
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action, create_audited, save_audited
from kneadwell.clients import rules
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.clients.services import ERR_NO_CONSENT
from kneadwell.core.errors import ConsentRequired, DomainError, NotFound, ValidationFailed
from kneadwell.courses.models import Course, Enrolment
from kneadwell.courses.services.common import age_problem, guardian_of, require_family, require_runs
from kneadwell.courses.services.waiting import places_taken, promote_waiting

# The English words are the source, kept in the consent record; the form shows them in the parent's
# language, and the record keeps that text too (as accounts/services/signup.py does).
COURSE_CONSENT_ATTESTATION = gettext_noop(
    "I am this baby's parent or legal guardian, and I consent to keeping this care record: the massage "
    "sessions with their notes, and the class records (attendance and how my baby responded) the "
    "instructor keeps."
)
COURSE_SCOPES = ("care",)
ENROLMENT_FIELDS = ("course", "client", "guardian", "status", "age_days_at_start", "share_with_instructor")


def last_class_day(course: Course) -> dt.date:
    return course.start_date + dt.timedelta(days=7 * (course.weeks - 1))


def _care_consent(client: Client) -> Consent:
    """The newest active consent that covers massage sessions (the course's home practice)."""
    today = timezone.localdate()
    for consent in Consent.objects.of_client(client).order_by("-signed_on", "-id"):
        if rules.has_active_consent(
            [consent.facts()], scope=rules.Scope.CARE, birth_date=client.birth_date, today=today
        ):
            return consent
    raise ConsentRequired(
        ERR_NO_CONSENT.format(what="massage sessions", name=client.display_name), field="consent"
    )


def enrolment_create(
    *,
    actor: Actor,
    course: Course,
    client: Client,
    share_with_instructor: bool,
    other_parent: str = "",
) -> Enrolment:
    """A parent enrols their own baby: on the course while places are free, on its waiting list once it
    is full. A baby outside the course's age range on the day of the first class is refused with why."""
    actor.require(Perm.COURSE_ENROL)
    if course.organisation_id != actor.organisation_id or client.organisation_id != actor.organisation_id:
        raise NotFound(_("No such course."))
    guardian = guardian_of(actor, client)
    errors: dict[str, list[str]] = {}
    if timezone.localdate() > last_class_day(course):
        errors["course"] = [_("This course has finished; ask the instructor about the next one.")]
    problem = age_problem(course, given_name=client.given_name, birth_date=client.birth_date)
    if problem:
        errors["client"] = [problem]
    if len(other_parent.strip()) > 150:
        errors["other_parent"] = [_("Keep the name to 150 characters.")]
    if errors:
        raise ValidationFailed(errors)
    consent = _care_consent(client)
    with transaction.atomic():
        locked = Course.objects.select_for_update().get(pk=course.pk)
        status = (
            Enrolment.Status.ENROLLED if places_taken(locked) < locked.capacity else Enrolment.Status.WAITING
        )
        existing = Enrolment.objects.select_for_update().filter(course=locked, client=client).first()
        age = (locked.start_date - client.birth_date).days
        if existing is not None:
            if existing.status != Enrolment.Status.WITHDRAWN:
                if existing.status == Enrolment.Status.WAITING:
                    already = _("%(name)s is already on the waiting list for this course.")
                else:
                    already = _("%(name)s is already enrolled for this course.")
                raise ValidationFailed({"client": [already % {"name": client.given_name}]})
            existing.status = status
            existing.guardian = guardian
            existing.consent = consent
            existing.share_with_instructor = share_with_instructor
            existing.other_parent = other_parent.strip()
            existing.age_days_at_start = age
            existing.joined_at = timezone.now()
            existing.withdrawn_at = None
            existing.withdraw_reason = ""
            return save_audited(
                actor=actor,
                obj=existing,
                entity="enrolment",
                client_id=client.pk,
                summary=f"enrolled {client.given_name} again on {locked.title} "
                f"({existing.get_status_display()})",
                changes={"status": [Enrolment.Status.WITHDRAWN, status]},
            )
        enrolment = Enrolment(
            organisation_id=locked.organisation_id,
            course=locked,
            client=client,
            guardian=guardian,
            other_parent=other_parent.strip(),
            consent=consent,
            status=status,
            age_days_at_start=age,
            share_with_instructor=share_with_instructor,
            enrolled_by=actor.user,
        )
        return create_audited(
            actor=actor,
            obj=enrolment,
            entity="enrolment",
            client_id=client.pk,
            summary=f"enrolled {client.given_name} on {locked.title}"
            + (" (waiting list: the course is full)" if status == Enrolment.Status.WAITING else ""),
            changes={
                "course": locked.pk,
                "status": status,
                "age_days_at_start": age,
                "share_with_instructor": share_with_instructor,
                "consent": consent.pk,
            },
        )


def course_membership_join(
    *, user: User, course: Course, ip: str = "", channel: Channel = Channel.PAGE
) -> Membership:
    """A signed-in person opening a course's link becomes a parent (caregiver) of its organisation, if they
    are not a member yet. Staff of the organisation cannot enrol a baby through it."""
    existing = Membership.objects.filter(user=user, organisation_id=course.organisation_id).first()
    if existing is not None:
        if existing.role != Role.CAREGIVER:
            raise DomainError(
                _(
                    "You are a member of this organisation's staff, so you cannot enrol a baby through its "
                    "link. Send the link to the family instead."
                )
            )
        if not existing.is_active:
            raise DomainError(_("Your membership of this organisation was ended; ask the instructor."))
        return existing
    with transaction.atomic():
        membership = Membership.objects.create(
            user=user, organisation_id=course.organisation_id, role=Role.CAREGIVER
        )
        audit_action(
            actor=Actor(user=user, membership=membership, channel=channel, ip=ip),
            action=Action.CREATE,
            entity="membership",
            entity_id=membership.pk,
            summary=f"joined as a parent through the link of the course {course.title}",
            changes={"role": Role.CAREGIVER, "course": course.pk},
        )
    return membership


@dataclass(frozen=True)
class FamilyJoin:
    user: User
    membership: Membership
    client: Client
    enrolment: Enrolment
    verify_link: str


def family_join(
    *,
    course: Course,
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
    share_with_instructor: bool = False,
    other_parent: str = "",
    ip: str,
    base_url: str,
    channel: Channel = Channel.PAGE,
) -> FamilyJoin | None:
    """A new family enrols through the course's link: their account, a parent's membership of the course's
    organisation, the baby's record with the parent as guardian, the parent's online consent, the health
    history's checklist and the enrolment, in one transaction (as family sign-up; docs/parents.md). The
    age rule is checked before anything is made. An address that already has an account is answered as
    sign-up answers it (an email, and None)."""
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
    if baby_birth_date is not None and "baby_birth_date" not in errors:
        problem = age_problem(course, given_name=baby_given_name, birth_date=baby_birth_date)
        if problem:
            errors["baby_birth_date"] = [problem]
    if timezone.localdate() > last_class_day(course):
        errors["course"] = [_("This course has finished; ask the instructor about the next one.")]
    if len(other_parent.strip()) > 150:
        errors["other_parent"] = [_("Keep the name to 150 characters.")]
    if errors:
        raise ValidationFailed(errors)
    assert baby_birth_date is not None
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
            membership = course_membership_join(user=user, course=course, ip=ip, channel=channel)
            actor = Actor(user=user, membership=membership, channel=channel, ip=ip)
            client = _baby_with_consent(
                actor=actor,
                course=course,
                family_name=full_name.split()[-1] if full_name.split() else "",
                baby_given_name=baby_given_name,
                baby_birth_date=baby_birth_date,
                baby_sex=baby_sex,
                gestation_weeks=gestation_weeks,
                gestation_days=gestation_days,
                history=history,
            )
            enrolment = enrolment_create(
                actor=actor,
                course=course,
                client=client,
                share_with_instructor=share_with_instructor,
                other_parent=other_parent,
            )
            SignupAttempt.objects.create(ip=ip, created_account=True)
            link = email_verification_send(user=user, base_url=base_url)
    except IntegrityError:
        if not User.objects.filter(email__iexact=email).exists():
            raise
        _signup_existing(email=email, ip=ip, base_url=base_url)
        return None
    return FamilyJoin(user=user, membership=membership, client=client, enrolment=enrolment, verify_link=link)


def _baby_with_consent(
    *,
    actor: Actor,
    course: Course,
    family_name: str,
    baby_given_name: str,
    baby_birth_date: dt.date,
    baby_sex: str,
    gestation_weeks: int | None,
    gestation_days: int | None,
    history: Sequence[str] | None,
) -> Client:
    """The baby's record (the parent its guardian), the parent's online consent and the health history's
    checklist, as family sign-up makes them."""
    from kneadwell.clients.rules import ConsentKind
    from kneadwell.clients.services import client_create, consent_record

    client = client_create(
        actor=actor,
        given_name=baby_given_name,
        family_name=family_name or "-",
        birth_date=baby_birth_date,
        sex=baby_sex,
        gestation_weeks=gestation_weeks,
        gestation_days=gestation_days,
    )
    guardian = Guardian.objects.get(client=client, user=actor.user)
    consent_record(
        actor=actor,
        client=client,
        kind=ConsentKind.GUARDIAN,
        scopes=list(COURSE_SCOPES),
        signed_by_name=actor.user.full_name or actor.user.email,
        signed_on=timezone.localdate(),
        method=Consent.Method.ELECTRONIC,
        attestation=True,
        guardian=guardian,
        notes=_course_consent_notes(course),
    )
    if history is not None:
        _signup_history_save(actor=actor, client=client, history=history)
    return client


def family_join_signed_in(
    *,
    user: User,
    course: Course,
    baby_given_name: str,
    baby_birth_date: dt.date | None,
    baby_sex: str,
    born_early: bool = False,
    gestation_weeks: int | None = None,
    gestation_days: int | None = None,
    consent: bool,
    history: Sequence[str] | None = None,
    history_required: bool = False,
    share_with_instructor: bool = False,
    other_parent: str = "",
    ip: str = "",
    channel: Channel = Channel.PAGE,
) -> Enrolment:
    """A signed-in person enrols a baby not yet recorded in the course's organisation: they join it as a
    parent (course_membership_join), then the baby, consent, history and enrolment, in one transaction.
    Everything is checked first, the age rule included."""
    errors = rules.client_field_errors(
        birth_date=baby_birth_date,
        today=timezone.localdate(),
        gestation_weeks=gestation_weeks if born_early else None,
        gestation_days=gestation_days if born_early else None,
        birth_weight_g=None,
        sex=baby_sex,
        given_name=baby_given_name,
        family_name="-",
    )
    names = {"given_name": "baby_given_name", "birth_date": "baby_birth_date", "sex": "baby_sex"}
    out: dict[str, list[str]] = {}
    for field, messages in errors.items():
        out[names.get(field, field)] = [
            m.replace("the client's first name", "your baby's first name") for m in messages
        ]
    if born_early and gestation_weeks is None:
        out["gestation_weeks"] = [_("Enter the weeks of pregnancy when your baby was born, e.g. 34.")]
    if not consent:
        out["consent"] = [_("Tick the box to confirm you are the parent or guardian and give consent.")]
    if history is None and history_required:
        out["history"] = [_("Tick any that apply, or “None of these”.")]
    if baby_birth_date is not None and "baby_birth_date" not in out:
        problem = age_problem(course, given_name=baby_given_name, birth_date=baby_birth_date)
        if problem:
            out["baby_birth_date"] = [problem]
    if out:
        raise ValidationFailed(out)
    assert baby_birth_date is not None
    if not born_early:
        gestation_weeks = gestation_days = None
    elif gestation_days is None:
        gestation_days = 0
    with transaction.atomic():
        membership = course_membership_join(user=user, course=course, ip=ip, channel=channel)
        actor = Actor(user=user, membership=membership, channel=channel, ip=ip)
        words = (user.full_name or "").split()
        client = _baby_with_consent(
            actor=actor,
            course=course,
            family_name=words[-1] if words else "",
            baby_given_name=baby_given_name,
            baby_birth_date=baby_birth_date,
            baby_sex=baby_sex,
            gestation_weeks=gestation_weeks,
            gestation_days=gestation_days,
            history=history,
        )
        return enrolment_create(
            actor=actor,
            course=course,
            client=client,
            share_with_instructor=share_with_instructor,
            other_parent=other_parent,
        )


def enrolment_withdraw(*, actor: Actor, enrolment: Enrolment, reason: str) -> Enrolment:
    """The family, the instructor or an administrator ends an enrolment (or a place on the waiting list);
    a place freed goes to the waiting list's first family."""
    if actor.can(Perm.COURSE_ENROL):
        require_family(actor, enrolment)
    else:
        require_runs(actor, enrolment.course)
    if not reason.strip():
        raise ValidationFailed({"reason": [_("Say why, in a few words (e.g. “moved away”).")]})
    if len(reason) > 1000:
        raise ValidationFailed({"reason": [_("Keep the reason to 1,000 characters.")]})
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().select_related("course", "client").get(pk=enrolment.pk)
        if row.status == Enrolment.Status.WITHDRAWN:
            raise DomainError(_("This enrolment was already withdrawn."))
        before = row.status
        row.status = Enrolment.Status.WITHDRAWN
        row.withdrawn_at = timezone.now()
        row.withdraw_reason = reason.strip()
        save_audited(
            actor=actor,
            obj=row,
            entity="enrolment",
            client_id=row.client_id,
            summary=f"withdrew {row.client.given_name} from {row.course.title}",
            changes={"status": [before, row.status], "reason": row.withdraw_reason},
            update_fields=["status", "withdrawn_at", "withdraw_reason", "updated_at"],
        )
        if before == Enrolment.Status.ENROLLED:
            promote_waiting(actor=actor, course=row.course)
    return row


def enrolment_share_set(*, actor: Actor, enrolment: Enrolment, share: bool) -> Enrolment:
    """The family's choice to show (or stop showing) their home practice and the baby's record to the
    instructor."""
    require_family(actor, enrolment)
    with transaction.atomic():
        row = Enrolment.objects.select_for_update().select_related("client").get(pk=enrolment.pk)
        if row.share_with_instructor == share:
            return row
        row.share_with_instructor = share
        save_audited(
            actor=actor,
            obj=row,
            entity="enrolment",
            client_id=row.client_id,
            summary=("shared" if share else "stopped sharing")
            + f" {row.client.given_name}'s home practice with the instructor",
            changes={"share_with_instructor": [not share, share]},
            update_fields=["share_with_instructor", "updated_at"],
        )
    return row


def _course_consent_notes(course: Course) -> str:
    """What the consent record says the parent ticked: the English words, and the words as shown when the
    page was in another language."""
    notes = (
        f"Given online when enrolling on {course.title}. The parent ticked: "
        f"\u201c{COURSE_CONSENT_ATTESTATION}\u201d"
    )
    shown = _(COURSE_CONSENT_ATTESTATION)
    if shown != COURSE_CONSENT_ATTESTATION:
        notes += f" Shown in {translation.get_language()} as: \u201c{shown}\u201d"
    return notes
