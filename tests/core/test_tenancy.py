"""Tenancy enforced by the data layer (kneadwell.core.tenancy): every model holding an organisation's or a
client's data has the scoped entry point, no row can be saved (one by one, in bulk or by a queryset update)
under another organisation than its parents, and a client object of another organisation handed to a
selector finds nothing."""

from __future__ import annotations

import contextlib
import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.db import connection, models
from django.utils import timezone

from kneadwell.accounts.models import Invitation, Organisation, SignupAttempt, User
from kneadwell.accounts.roles import Role
from kneadwell.care import selectors as care_selectors
from kneadwell.care.models import (
    AdverseEvent,
    Note,
    NoteAmendment,
    Observation,
    Plan,
    ScheduledSession,
    Session,
    StepLog,
)
from kneadwell.clients import selectors as client_selectors
from kneadwell.clients.models import Client, Consent, Guardian
from kneadwell.core.errors import NotFound
from kneadwell.core.tenancy import (
    REGISTRY,
    TenancyMismatch,
    TenantManager,
    check_all_tables,
    organisation_of,
    organisation_scope,
    rows_with_mismatch,
    tenancy_of,
)
from kneadwell.evidence.models import EvidenceContentRecord, MetaAnalysis
from kneadwell.library import selectors as library_selectors
from kneadwell.library.models import ContentVersionRecord, Intake, ReadinessCheck, Release
from kneadwell.outcomes import selectors as outcome_selectors
from kneadwell.outcomes.models import Measurement, OrganisationMeasure, OrganisationMeasureVersion
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

# Kneadwell's models that hold no organisation's data, each with why. A new model goes either here (with
# a reason) or gets `objects = TenantManager(...)`; the completeness test below fails until it does.
NOT_TENANT_DATA: dict[type[models.Model], str] = {
    Organisation: "the tenant itself",
    User: "a person may be a member of several organisations; what they see comes from Membership",
    SignupAttempt: "per network address, before any organisation exists",
    ContentVersionRecord: "the shared content library's versions",
    EvidenceContentRecord: "the shared evidence library's versions",
}


# --- one row of every kind, in an organisation --------------------------------------------------------
@dataclass
class Rows:
    org: Organisation
    user: User
    client: Client
    guardian: Guardian
    consent: Consent
    intake: Intake
    check: ReadinessCheck
    session_check: ReadinessCheck
    release: Release
    plan: Plan
    slot: ScheduledSession
    session: Session
    step: StepLog
    observation: Observation
    note: Note
    amendment: NoteAmendment
    event: AdverseEvent
    measurement: Measurement
    analysis: MetaAnalysis
    invitation: Invitation


def make_rows(clinic: Clinic) -> Rows:
    org, user = clinic.org, clinic.user(Role.THERAPIST)
    clinic.token(Role.ADMIN)
    now = timezone.now()
    client = Client.objects.create(
        organisation=org,
        given_name="Ada",
        family_name="Row",
        birth_date=dt.date(2025, 1, 2),
        sex="female",
        created_by=user,
    )
    guardian = Guardian.objects.create(organisation=org, client=client, name="Pat", relationship="mother")
    consent = Consent.objects.create(
        organisation=org,
        client=client,
        guardian=guardian,
        kind="guardian",
        scopes=["care"],
        signed_by_name="Pat",
        signed_on=dt.date(2025, 2, 1),
        method="paper",
        attestation=True,
        recorded_by=user,
    )
    intake = Intake.objects.create(
        organisation=org, client=client, population="term_infant", content_version="t", updated_by=user
    )

    def check() -> ReadinessCheck:
        return ReadinessCheck.objects.create(
            organisation=org,
            client=client,
            protocol_id="p",
            population="term_infant",
            action="go",
            content_version="t",
            checked_by=user,
        )

    enrol, session_check = check(), check()
    release = Release.objects.create(
        organisation=org,
        client=client,
        protocol_id="p",
        rule_id="r",
        note="n",
        readiness_check=enrol,
        released_by=user,
    )
    plan = Plan.objects.create(
        organisation=org,
        client=client,
        protocol_id="p",
        content_version="t",
        enrolment_check=enrol,
        starts_at=now,
        calendar_token=secrets.token_hex(16),
        created_by=user,
    )
    slot = ScheduledSession.objects.create(plan=plan, sequence=1, due_at=now)
    # A plan's kept adherence figures (written by the care services, which this builder goes around).
    with contextlib.suppress(LookupError):
        apps.get_model("care", "PlanFigures").objects.create(plan=plan, organisation=org)
    session = Session.objects.create(
        organisation=org,
        client=client,
        plan=plan,
        slot=slot,
        readiness_check=session_check,
        protocol_id="p",
        population="term_infant",
        content_version="t",
        step_started_at=now,
        started_at=now,
        performed_by=user,
    )
    step = StepLog.objects.create(
        session=session, index=0, technique_id="t", outcome="done", seconds=1.0, ended_at=now
    )
    observation = Observation.objects.create(
        session=session, key="k", kind="cue", observed_at=now, recorded_by=user, decision="continue"
    )
    note = Note.objects.create(session=session, kind="soap", author=user)
    amendment = NoteAmendment.objects.create(note=note, text="t", reason="r", author=user)
    event = AdverseEvent.objects.create(
        organisation=org,
        client=client,
        session=session,
        occurred_at=now,
        what="w",
        severity="mild",
        action_taken="a",
        reported_by=user,
    )
    measurement = Measurement.objects.create(
        organisation=org,
        client=client,
        instrument_id="weight",
        taken_at=now,
        value=3.1,
        unit="kg",
        recorded_by=user,
    )
    analysis = MetaAnalysis.objects.create(
        organisation=org, title="t", outcome="o", measure="MD", created_by=user, updated_by=user
    )
    invitation = Invitation.objects.create(
        organisation=org,
        email="x@example.test",
        role="caregiver",
        client=client,
        token_hash=secrets.token_hex(32),
        invited_by=user,
        expires_at=now + dt.timedelta(days=1),
    )
    # An organisation's own outcome measure and its first version (docs/custom-measures.md).
    own = OrganisationMeasure.objects.create(organisation=org, slug="own", created_by=user)
    OrganisationMeasureVersion.objects.create(measure=own, number=1, definition={}, created_by=user)
    _course_rows(org, user, client, guardian, consent, now)
    _evaluation_rows(org, user, client, measurement, now)
    _offline_rows(org, user, client, session, now)
    return Rows(
        org=org,
        user=user,
        client=client,
        guardian=guardian,
        consent=consent,
        intake=intake,
        check=enrol,
        session_check=session_check,
        release=release,
        plan=plan,
        slot=slot,
        session=session,
        step=step,
        observation=observation,
        note=note,
        amendment=amendment,
        event=event,
        measurement=measurement,
        analysis=analysis,
        invitation=invitation,
    )


def _evaluation_rows(
    org: Organisation, user: User, client: Client, measurement: Measurement, now: dt.datetime
) -> None:
    """A study with an arm, an outcome, an allocation list and line, a randomised participant and an
    outcome entry (docs/evaluation.md)."""
    from kneadwell.evaluation import models as ev

    study = ev.Study.objects.create(
        organisation=org, code="ROW", title="t", question="q", population="p", target_size=2, created_by=user
    )
    arm = ev.Arm.objects.create(organisation=org, study=study, code="a", name="A")
    ev.StudyOutcome.objects.create(
        organisation=org,
        study=study,
        code="o",
        name="o",
        instrument_id="weight",
        measure="value",
        days=[0],
        analysis_day=0,
    )
    listing = ev.AllocationList.objects.create(
        organisation=org, study=study, method="generated", created_by=user
    )
    participant = ev.Participant.objects.create(
        organisation=org,
        study=study,
        client=client,
        code="ROW-001",
        status="randomised",
        screened_at=now,
        screened_by=user,
        arm=arm,
        randomised_at=now,
    )
    ev.AllocationSlot.objects.create(
        organisation=org, allocation=listing, stratum="all", position=1, arm=arm, participant=participant
    )
    ev.StudyMeasurement.objects.create(
        organisation=org,
        participant=participant,
        measurement=measurement,
        instrument_id="weight",
        day=0,
        entered_by=user,
        entered_role="assessor",
        blinded=True,
    )


def _offline_rows(org: Organisation, user: User, client: Client, session: Any, now: dt.datetime) -> None:
    """A record a device sent, for a session (docs/offline.md)."""
    apps.get_model("offline", "SyncRecord").objects.create(
        organisation=org,
        key=secrets.token_hex(16),
        kind="step",
        client=client,
        session=session,
        recorded_by=user,
        payload={},
        payload_hash="0" * 64,
        device_time=now,
        synced_at=now,
    )


def _course_rows(
    org: Organisation, user: User, client: Client, guardian: Guardian, consent: Consent, now: dt.datetime
) -> None:
    """A course with a class, an enrolment, its attendance, a day of practice and an invitation
    (docs/courses.md)."""
    course = apps.get_model("courses", "Course").objects.create(
        organisation=org,
        instructor=user,
        title="t",
        venue="v",
        start_date=now.date(),
        class_time=dt.time(10),
        content_version="t",
        join_token=secrets.token_hex(16),
        calendar_token=secrets.token_hex(16),
        created_by=user,
    )
    course_class = apps.get_model("courses", "CourseClass").objects.create(
        organisation=org, course=course, week=1, starts_at=now
    )
    enrolment = apps.get_model("courses", "Enrolment").objects.create(
        organisation=org,
        course=course,
        client=client,
        guardian=guardian,
        consent=consent,
        status="enrolled",
        age_days_at_start=30,
        enrolled_by=user,
    )
    apps.get_model("courses", "Attendance").objects.create(
        organisation=org, course_class=course_class, enrolment=enrolment, status="present", recorded_by=user
    )
    apps.get_model("courses", "PracticeEntry").objects.create(
        organisation=org, enrolment=enrolment, day=now.date(), minutes=5, response="enjoyed", recorded_by=user
    )
    apps.get_model("courses", "CourseInvitation").objects.create(
        organisation=org, course=course, email="y@example.test", sent_by=user
    )


@pytest.fixture
def ours(clinic: Clinic) -> Rows:
    return make_rows(clinic)


@pytest.fixture
def theirs(outsider: Clinic) -> Rows:
    return make_rows(outsider)


# --- completeness -----------------------------------------------------------------------------------
def _foreign_keys(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.ForeignKey)]


def test_every_model_holding_organisation_data_declares_its_tenancy() -> None:
    tenant_models = set(REGISTRY)
    missing = []
    for model in apps.get_models(include_auto_created=True):
        points_at_tenant_data = any(
            f.related_model is Organisation or f.related_model in tenant_models for f in _foreign_keys(model)
        )
        ours = model.__module__.startswith("kneadwell.") and not model._meta.auto_created
        if model in tenant_models or model in NOT_TENANT_DATA:
            continue
        if points_at_tenant_data or ours:
            missing.append(model._meta.label)
    assert missing == [], f"no tenancy declared (objects = TenantManager(...)) for {missing}"


@pytest.mark.parametrize("model", sorted(REGISTRY, key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_the_entry_point_is_the_default_manager_and_every_parent_is_checked(
    model: type[models.Model],
) -> None:
    assert isinstance(model._default_manager, TenantManager)
    assert model._meta.default_manager is model._meta.managers_map["objects"]
    tenancy = tenancy_of(model)
    to_tenant_data = {f.name for f in _foreign_keys(model) if f.related_model in REGISTRY}
    if tenancy.has_column:
        # Every parent holding organisation data must be checked against the row's organisation.
        assert to_tenant_data == set(tenancy.parents)
    else:
        # A row without its own organisation is its one parent's: a second parent could disagree.
        assert to_tenant_data == {tenancy.through}


def test_for_organisation_keeps_one_organisations_rows(ours: Rows, theirs: Rows) -> None:
    for model in REGISTRY:
        mine = list(model.objects.for_organisation(ours.org.pk))  # type: ignore[attr-defined]
        assert mine, model._meta.label
        assert {organisation_of(row) for row in mine} == {ours.org.pk}, model._meta.label
        other = set(model.objects.for_organisation(theirs.org.pk).values_list("pk", flat=True))  # type: ignore[attr-defined]
        assert other, model._meta.label
        assert other.isdisjoint(r.pk for r in mine), model._meta.label


def test_of_client_under_another_organisations_scope_finds_nothing(ours: Rows, theirs: Rows) -> None:
    client_models = [m for m in REGISTRY if tenancy_of(m).client_path is not None]
    assert Measurement in client_models
    assert NoteAmendment in client_models
    for model in client_models:
        with organisation_scope(ours.org.pk):
            assert model.objects.of_client(ours.client).exists(), model._meta.label  # type: ignore[attr-defined]
            assert not model.objects.of_client(theirs.client).exists(), model._meta.label  # type: ignore[attr-defined]
        # Outside a request the client's own organisation is in force.
        assert model.objects.of_client(theirs.client).exists(), model._meta.label  # type: ignore[attr-defined]


# --- a row under another organisation than its parent -------------------------------------------------
CHILD_PARENTS = [(m, p) for m in REGISTRY for p in tenancy_of(m).parents]


@pytest.mark.parametrize(
    ("model", "parent"),
    sorted(CHILD_PARENTS, key=lambda mp: (mp[0]._meta.label, mp[1])),
    ids=lambda v: v._meta.label if isinstance(v, type) else v,
)
def test_saving_with_another_organisations_parent_is_refused(
    model: type[models.Model], parent: str, ours: Rows, theirs: Rows
) -> None:
    row = _row_of(ours, model)
    pk, before = row.pk, getattr(row, f"{parent}_id")
    foreign_parent = getattr(_row_of(theirs, model), parent)
    setattr(row, parent, foreign_parent)
    with pytest.raises(TenancyMismatch, match="not in the"):
        row.save()
    # The same when only the id is set (the parent is then read to learn its organisation).
    row = model._default_manager.get(pk=pk)
    setattr(row, f"{parent}_id", foreign_parent.pk)
    with pytest.raises(TenancyMismatch):
        row.save()
    saved = model._base_manager.get(pk=pk)
    assert getattr(saved, f"{parent}_id") == before
    assert saved.organisation_id == ours.org.pk  # type: ignore[attr-defined]


def test_a_new_row_with_another_organisations_client_is_refused(ours: Rows, theirs: Rows) -> None:
    with pytest.raises(
        TenancyMismatch, match="measurement's client is not in the measurement's organisation"
    ):
        Measurement.objects.create(
            organisation=ours.org,
            client=theirs.client,
            instrument_id="weight",
            taken_at=timezone.now(),
            recorded_by=ours.user,
        )
    assert not Measurement.objects.filter(organisation=ours.org, client=theirs.client).exists()


def test_matching_parents_save_without_extra_queries(ours: Rows, django_assert_num_queries: Any) -> None:
    # The parents are loaded objects: the check reads their organisation without asking the database.
    event = AdverseEvent(
        organisation=ours.org,
        client=ours.client,
        session=ours.session,
        occurred_at=timezone.now(),
        what="w",
        severity="mild",
        action_taken="a",
        reported_by=ours.user,
    )
    with django_assert_num_queries(1):
        event.save()


# --- bulk paths ------------------------------------------------------------------------------------------
def test_bulk_create_checks_every_row(ours: Rows, theirs: Rows) -> None:
    now = timezone.now()
    good = Measurement(
        organisation=ours.org, client=ours.client, instrument_id="weight", taken_at=now, recorded_by=ours.user
    )
    bad = Measurement(
        organisation=ours.org,
        client=theirs.client,
        instrument_id="weight",
        taken_at=now,
        recorded_by=ours.user,
    )
    before = Measurement.objects.count()
    with pytest.raises(TenancyMismatch):
        Measurement.objects.bulk_create([good, bad])
    assert Measurement.objects.count() == before
    Measurement.objects.bulk_create([good])
    assert Measurement.objects.count() == before + 1


def test_bulk_create_of_child_rows_follows_the_parent(ours: Rows) -> None:
    # Tables without their own organisation column (step logs, slots) cannot disagree with their parent.
    ScheduledSession.objects.bulk_create(
        [ScheduledSession(plan=ours.plan, sequence=2, due_at=timezone.now())]
    )
    assert ScheduledSession.objects.for_organisation(ours.org.pk).filter(plan=ours.plan).count() == 2


def test_a_queryset_update_moving_rows_to_another_organisation_is_refused(ours: Rows, theirs: Rows) -> None:
    with pytest.raises(TenancyMismatch):
        Plan.objects.filter(pk=ours.plan.pk).update(client=theirs.client)
    assert Plan.objects.get(pk=ours.plan.pk).client_id == ours.client.pk
    with pytest.raises(TenancyMismatch):
        Guardian.objects.filter(pk=ours.guardian.pk).update(organisation=theirs.org)
    assert Guardian.objects.get(pk=ours.guardian.pk).organisation_id == ours.org.pk
    # Other columns update as before.
    assert Plan.objects.filter(pk=ours.plan.pk).update(goals="sleep") == 1


def test_the_whole_table_check_finds_rows_written_around_save(ours: Rows, theirs: Rows) -> None:
    check_all_tables()
    assert not rows_with_mismatch(Session).exists()
    # _base_manager is Django's plain manager: what SQL-level writes (a restore, the seeder) amount to.
    Session._base_manager.filter(pk=ours.session.pk).update(client=theirs.client)
    assert list(rows_with_mismatch(Session).values_list("pk", flat=True)) == [ours.session.pk]
    with pytest.raises(TenancyMismatch, match="session"):
        check_all_tables()


def test_a_restore_bringing_a_row_under_the_wrong_organisation_is_refused(
    ours: Rows, theirs: Rows, tmp_path: Any
) -> None:
    from kneadwell.interop import backup

    Measurement._base_manager.filter(pk=ours.measurement.pk).update(client=theirs.client)
    path = tmp_path / "b.jsonl"
    backup.backup(path)
    Measurement._base_manager.filter(pk=ours.measurement.pk).update(client=ours.client)
    with pytest.raises(backup.BackupError, match="another organisation than its parent"):
        backup.restore(path, force=True)
    # Rolled back: the database is as it was before the restore.
    assert Measurement.objects.get(pk=ours.measurement.pk).client_id == ours.client.pk


# --- selectors handed a client of another organisation ------------------------------------------------
LISTS = [
    ("guardian_list", lambda r: client_selectors.guardian_list(client=r.client)),
    ("consent_list", lambda r: client_selectors.consent_list(client=r.client)),
    ("plans_of", lambda r: care_selectors.plans_of(client=r.client)),
    ("sessions_of", lambda r: care_selectors.sessions_of(client=r.client)),
    ("adverse_events_of", lambda r: care_selectors.adverse_events_of(client=r.client)),
    ("upcoming_slots", lambda r: care_selectors.upcoming_slots(plan=r.plan)),
    ("readiness_check_list", lambda r: library_selectors.readiness_check_list(client=r.client)),
    ("measurement_queryset", lambda r: outcome_selectors.measurement_queryset(client=r.client)),
]
GETS = [
    ("plan_get", lambda r: care_selectors.plan_get(client=r.client, plan_id=r.plan.pk)),
    ("slot_get", lambda r: care_selectors.slot_get(client=r.client, slot_id=r.slot.pk)),
    ("adverse_event_get", lambda r: care_selectors.adverse_event_get(client=r.client, event_id=r.event.pk)),
    ("consent_get", lambda r: client_selectors.consent_get(client=r.client, consent_id=r.consent.pk)),
    ("guardian_get", lambda r: client_selectors.guardian_get(client=r.client, guardian_id=r.guardian.pk)),
    (
        "readiness_check_get",
        lambda r: library_selectors.readiness_check_get(client=r.client, check_id=r.check.pk),
    ),
    ("release_get", lambda r: library_selectors.release_get(client=r.client, release_id=r.release.pk)),
    (
        "measurement_get",
        lambda r: outcome_selectors.measurement_get(client=r.client, measurement_id=r.measurement.pk),
    ),
]
OPTIONALS = [
    ("intake_for", lambda r: library_selectors.intake_for(client=r.client)),
    ("note_of", lambda r: care_selectors.note_of(session=r.session)),
]


@pytest.mark.parametrize(("name", "read"), LISTS, ids=[n for n, _ in LISTS])
def test_a_list_selector_given_another_organisations_client_lists_nothing(
    name: str, read: Any, ours: Rows, theirs: Rows
) -> None:
    with organisation_scope(ours.org.pk):
        assert list(read(ours)), name
        assert list(read(theirs)) == [], name


@pytest.mark.parametrize(("name", "read"), GETS, ids=[n for n, _ in GETS])
def test_a_get_selector_given_another_organisations_client_is_not_found(
    name: str, read: Any, ours: Rows, theirs: Rows
) -> None:
    with organisation_scope(ours.org.pk):
        assert read(ours) is not None
        with pytest.raises(NotFound):
            read(theirs)


@pytest.mark.parametrize(("name", "read"), OPTIONALS, ids=[n for n, _ in OPTIONALS])
def test_an_optional_read_given_another_organisations_client_finds_none(
    name: str, read: Any, ours: Rows, theirs: Rows
) -> None:
    with organisation_scope(ours.org.pk):
        assert read(ours) is not None
        assert read(theirs) is None


def test_an_api_operation_handed_another_organisations_client_answers_nothing(
    clinic: Clinic, ours: Rows, theirs: Rows, client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A view that loaded the client without the actor's scope (the mistake this guards against): the
    data layer still answers with the actor's organisation only."""
    import kneadwell.api.plans as api_plans

    monkeypatch.setattr(api_plans, "client_get", lambda **_: theirs.client)
    headers = {"Authorization": f"Bearer {clinic.token(Role.THERAPIST)}"}
    listed = client.get(f"/api/v1/clients/{theirs.client.pk}/plans", headers=headers)
    assert listed.status_code == 200
    assert listed.json() == []
    one = client.get(f"/api/v1/clients/{theirs.client.pk}/plans/{theirs.plan.pk}", headers=headers)
    assert one.status_code == 404


def test_a_page_handed_another_organisations_client_shows_none_of_its_plans(
    clinic: Clinic, ours: Rows, theirs: Rows, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kneadwell.care.views.plans as care_views

    monkeypatch.setattr(care_views, "client_get", lambda **_: theirs.client)
    page = login(clinic.user(Role.THERAPIST)).get(f"/clients/{theirs.client.pk}/plans/{theirs.plan.pk}/")
    assert page.status_code == 404


def _row_of(rows: Rows, model: type[models.Model]) -> Any:
    for value in vars(rows).values():
        if type(value) is model:
            return value
    # Members, tokens, audit rows, kept figures: made by make_clinic, make_rows or the services.
    found = model._default_manager.for_organisation(rows.org.pk).first()  # type: ignore[attr-defined]
    if found is None:
        raise LookupError(model)
    return found


def test_the_scoped_querysets_chain_count_and_update(ours: Rows, theirs: Rows) -> None:
    with organisation_scope(ours.org.pk):
        twice = Plan.objects.of_client(ours.client).within(ours.plan)
        assert list(twice) == [ours.plan]
        assert Session.objects.of_client(ours.client).count() == 1
        assert StepLog.objects.within(ours.session).exists()
        assert Plan.objects.of_client(ours.client).update(goals="calm") == 1
        assert Plan.objects.of_client(theirs.client).update(goals="calm") == 0
    assert Plan.objects.get(pk=theirs.plan.pk).goals == ""


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner without statistics")
def test_the_organisation_check_leaves_the_client_index_in_the_lead(ours: Rows) -> None:
    """With `organisation_id = %s` SQLite led with the organisation's index and read every session of the
    organisation for one client's list; `checked_in` writes the condition so no index serves it."""
    qs = Session.objects.of_client(ours.client).order_by("-started_at")
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "session_client_recent" in plan
    assert "organisation" not in plan


def test_checked_in_keeps_the_same_rows_as_for_organisation(ours: Rows, theirs: Rows) -> None:
    """`checked_in` writes the organisation test as `organisation_id + 0 = %s` (no index leads on it), and
    keeps exactly the rows `for_organisation` keeps, for tables with the column and those through a parent."""
    for model in REGISTRY:
        for org in (ours.org.pk, theirs.org.pk):
            checked = set(model.objects.checked_in(org).values_list("pk", flat=True))  # type: ignore[attr-defined]
            plain = set(model.objects.for_organisation(org).values_list("pk", flat=True))  # type: ignore[attr-defined]
            assert checked == plain, model._meta.label
            assert checked, model._meta.label
        sql = str(model.objects.checked_in(ours.org.pk).query)  # type: ignore[attr-defined]
        assert '"organisation_id" + 0) = ' in sql, model._meta.label
