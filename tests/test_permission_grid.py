"""Every page and API operation × every role × anonymous, with the expected answer.

The tables below are written by hand on purpose: they are the specification. A URL or API operation
that is not in a table fails `test_every_url_is_in_the_grid`, so nothing new ships without a decision
about who may use it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kneadwell.accounts.roles import Perm, Role, role_has
from kwtest.evaluation import grid_objects as evaluation_grid_objects
from kwtest.people import Clinic

pytestmark = pytest.mark.django_db

ANY_MEMBER = "any member"
PUBLIC = "public"


@dataclass(frozen=True)
class Page:
    name: str
    need: Perm | str
    method: str = "get"
    kwargs: tuple[str, ...] = ()  # which fixture objects fill the URL: "client", "consent", ...
    data: tuple[tuple[str, str], ...] = ()


PAGES: list[Page] = [
    Page("dashboard", ANY_MEMBER),
    Page("healthz", PUBLIC),
    Page("accounts:login", PUBLIC),
    Page("accounts:password_reset", PUBLIC),
    Page("accounts:password_reset_done", PUBLIC),
    Page("accounts:password_reset_complete", PUBLIC),
    Page("accounts:signup", PUBLIC),  # family sign-up: anyone may create a family account
    Page("accounts:verify_resend", ANY_MEMBER, method="post"),
    Page("accounts:team", Perm.TEAM_MANAGE),
    Page("accounts:tokens", Perm.TOKEN_MANAGE),
    Page("accounts:organisation_switch", ANY_MEMBER),
    Page("clients:list", Perm.CLIENT_VIEW),
    Page("clients:create", Perm.CLIENT_ADD),
    Page("clients:detail", Perm.CLIENT_VIEW, kwargs=("client",)),
    Page("clients:edit", Perm.CLIENT_EDIT, kwargs=("client",)),
    Page("clients:guardian_create", Perm.GUARDIAN_MANAGE, kwargs=("client",)),
    Page("clients:consent_create", Perm.CONSENT_MANAGE, kwargs=("client",)),
    Page("clients:consent_withdraw", Perm.CONSENT_MANAGE, kwargs=("client", "consent")),
    Page("audit:list", Perm.AUDIT_VIEW),
    Page("audit:export", Perm.AUDIT_VIEW),
    Page(
        "accounts:member_update",
        Perm.TEAM_MANAGE,
        method="post",
        kwargs=("membership",),
        data=(("role", "therapist"), ("is_active", "on")),
    ),
    Page("accounts:invitation_revoke", Perm.TEAM_MANAGE, method="post", kwargs=("invitation",)),
    Page("accounts:token_revoke", Perm.TOKEN_MANAGE, method="post", kwargs=("token",)),
    Page("library:index", Perm.LIBRARY_VIEW),
    Page("library:technique", Perm.LIBRARY_VIEW, kwargs=("technique",)),
    Page("library:protocol", Perm.LIBRARY_VIEW, kwargs=("protocol",)),
    Page("library:rules", Perm.LIBRARY_VIEW),
    Page("library:sources", Perm.LIBRARY_VIEW),
    Page("library:settings", Perm.SETTINGS_MANAGE),
    Page("library:release_settings", Perm.SETTINGS_MANAGE),
    Page("library:language_settings", Perm.SETTINGS_MANAGE),
    Page("library:intake", Perm.CLIENT_VIEW, kwargs=("client",)),
    Page("library:check", Perm.SESSION_RECORD, kwargs=("client",)),
    Page("library:check_result", Perm.CLIENT_VIEW, kwargs=("client", "check")),
    Page(
        "library:release",
        Perm.RELEASE_GIVE,
        method="post",
        kwargs=("client", "check"),
        data=(("rule", "jaundice_release"), ("note", "grid")),
    ),
    Page("library:release_revoke", Perm.RELEASE_GIVE, method="post", kwargs=("client", "release")),
    Page("care:plan_create", Perm.SESSION_RECORD, kwargs=("client",)),
    Page("care:plan", Perm.CLIENT_VIEW, kwargs=("client", "plan")),
    Page(
        "care:plan_end",
        Perm.SESSION_RECORD,
        method="post",
        kwargs=("client", "plan"),
        data=(("reason", "grid"),),
    ),
    Page("care:session_start", Perm.SESSION_RECORD, method="post", kwargs=("client",)),
    Page("care:adverse_event_create", Perm.SESSION_RECORD, kwargs=("client",)),
    Page("care:adverse_event", Perm.CLIENT_VIEW, kwargs=("client", "event")),
    Page("care:player", Perm.CLIENT_VIEW, kwargs=("session",)),
    Page(
        "care:player_act",
        Perm.SESSION_RECORD,
        method="post",
        kwargs=("session",),
        data=(("action", "pause"),),
    ),
    Page("care:note", Perm.CLIENT_VIEW, kwargs=("session",)),
    Page("care:note_amend", Perm.SESSION_RECORD, method="post", kwargs=("session",)),
    Page("care:adherence", Perm.UNIT_VIEW),
    # The offline web app (issue 14): the service worker and manifest are scripts and settings holding no
    # one's data (public, like static files); the offline page and the conflicts found on sync are for
    # whoever records sessions (tests/offline).
    Page("service_worker", PUBLIC),
    Page("manifest", PUBLIC),
    Page("offline:shell", Perm.SESSION_RECORD),
    Page("offline:conflicts", Perm.SESSION_RECORD),
    Page("offline:conflict_read", Perm.SESSION_RECORD, method="post", kwargs=("record",)),
    Page("outcomes:list", Perm.CLIENT_VIEW, kwargs=("client",)),
    Page("outcomes:choose", Perm.MEASUREMENT_RECORD, kwargs=("client",)),
    Page("outcomes:create", Perm.MEASUREMENT_RECORD, kwargs=("client", "instrument")),
    Page("outcomes:weights", Perm.MEASUREMENT_RECORD, kwargs=("client",)),
    Page("outcomes:detail", Perm.CLIENT_VIEW, kwargs=("client", "measurement")),
    Page(
        "outcomes:in_error",
        Perm.MEASUREMENT_RECORD,
        method="post",
        kwargs=("client", "measurement"),
        data=(("reason", "grid"), ("version", "1")),
    ),
    Page("outcomes:growth", Perm.CLIENT_VIEW, kwargs=("client",)),
    Page("outcomes:growth_chart", Perm.CLIENT_VIEW, kwargs=("client",)),
    Page("outcomes:trend", Perm.CLIENT_VIEW, kwargs=("client", "instrument")),
    Page("outcomes:trend_chart", Perm.CLIENT_VIEW, kwargs=("client", "instrument")),
    Page("outcomes:import", Perm.MEASUREMENT_RECORD),
    # An organisation's own outcome measures: everyone reads the definitions, the lead defines them.
    Page("outcomes:measures", Perm.LIBRARY_VIEW),
    Page("outcomes:measure_new", Perm.MEASURE_DEFINE),
    Page("outcomes:measure", Perm.LIBRARY_VIEW, kwargs=("measure",)),
    Page("outcomes:measure_edit", Perm.MEASURE_DEFINE, kwargs=("measure",)),
    Page(
        "outcomes:measure_publish",
        Perm.MEASURE_DEFINE,
        method="post",
        kwargs=("measure",),
        data=(("version", "1"),),
    ),
    Page(
        "outcomes:measure_retire",
        Perm.MEASURE_DEFINE,
        method="post",
        kwargs=("measure",),
        data=(("version", "1"),),
    ),
    Page("evidence:index", Perm.EVIDENCE_VIEW),
    Page("evidence:claim", Perm.EVIDENCE_VIEW, kwargs=("claim",)),
    Page("evidence:study", Perm.EVIDENCE_VIEW, kwargs=("study",)),
    Page("evidence:pool", Perm.EVIDENCE_VIEW),
    Page("evidence:analysis_create", Perm.EVIDENCE_EDIT),
    Page("evidence:analysis", Perm.EVIDENCE_VIEW, kwargs=("analysis",)),
    Page("evidence:analysis_edit", Perm.EVIDENCE_EDIT, kwargs=("analysis",)),
    Page(
        "evidence:analysis_delete",
        Perm.EVIDENCE_EDIT,
        method="post",
        kwargs=("analysis",),
        data=(("version", "1"),),
    ),
    Page("interop:index", Perm.RECORD_IMPORT),
    Page("interop:fhir_export", Perm.RECORD_EXPORT, kwargs=("client",)),
    Page("interop:fhir_import", Perm.RECORD_IMPORT),
    Page("interop:fhir_import_confirm", Perm.RECORD_IMPORT, method="post"),
    Page("interop:csv", Perm.EXPORT_DATA),
    Page("interop:csv_clients", Perm.EXPORT_DATA),
    Page("interop:csv_measurements", Perm.EXPORT_DATA),
    # Progress reports: the parent version by default (who gets the clinician one: tests/reports).
    Page("reports:page", Perm.REPORT_VIEW, kwargs=("client",)),
    Page("reports:pdf", Perm.REPORT_VIEW, kwargs=("client",)),
    # Programme evaluation (issue 13). "study" here is a study of the organisation (kwtest.evaluation's
    # grid_objects), not the evidence library's; the assessor's blindness is walked over this whole grid
    # in tests/evaluation/test_blinding_grid.py.
    Page("evaluation:index", Perm.STUDY_VIEW),
    Page("evaluation:study_create", Perm.STUDY_MANAGE),
    Page("evaluation:study", Perm.STUDY_VIEW, kwargs=("study",)),
    Page("evaluation:arm_add", Perm.STUDY_MANAGE, kwargs=("study",)),
    Page("evaluation:outcome_add", Perm.STUDY_MANAGE, kwargs=("study",)),
    Page("evaluation:study_open", Perm.STUDY_MANAGE, method="post", kwargs=("study",)),
    Page(
        "evaluation:study_close",
        Perm.STUDY_MANAGE,
        method="post",
        kwargs=("study",),
        data=(("version", "99"),),
    ),
    Page("evaluation:allocation", Perm.ALLOCATION_VIEW, kwargs=("study",)),
    Page("evaluation:allocation_generate", Perm.ALLOCATION_VIEW, method="post", kwargs=("study",)),
    Page("evaluation:allocation_upload", Perm.ALLOCATION_VIEW, method="post", kwargs=("study",)),
    Page("evaluation:screen", Perm.STUDY_RANDOMISE, kwargs=("study",)),
    Page("evaluation:participant", Perm.STUDY_VIEW, kwargs=("study", "participant")),
    Page("evaluation:randomise", Perm.STUDY_RANDOMISE, method="post", kwargs=("study", "participant")),
    Page("evaluation:received", Perm.STUDY_RANDOMISE, method="post", kwargs=("study", "participant")),
    Page("evaluation:withdraw", Perm.STUDY_RANDOMISE, kwargs=("study", "participant")),
    Page("evaluation:followup", Perm.STUDY_VIEW, kwargs=("study",)),
    Page("evaluation:consort", Perm.STUDY_VIEW, kwargs=("study",)),
    Page("evaluation:consort_svg", Perm.STUDY_VIEW, kwargs=("study",)),
    Page("evaluation:analysis", Perm.STUDY_VIEW, kwargs=("study",)),
    Page("evaluation:dataset_csv", Perm.STUDY_MANAGE, kwargs=("study",)),
    Page("evaluation:dictionary_csv", Perm.STUDY_MANAGE, kwargs=("study",)),
    Page("evaluation:assess", Perm.OUTCOME_ASSESS),
    Page("evaluation:assess_entry", Perm.OUTCOME_ASSESS, kwargs=("participant", "instrument")),
    Page("interop:csv_sessions", Perm.EXPORT_DATA),
    # Courses (issue 12): an instructor's own courses (an administrator's: the organisation's); a parent's
    # own enrolment. Another instructor's course is a 404 (tests/courses/test_views_staff.py).
    Page("courses:list", Perm.COURSE_VIEW),
    Page("courses:create", Perm.COURSE_MANAGE),
    Page("courses:detail", Perm.COURSE_VIEW, kwargs=("course",)),
    Page("courses:edit", Perm.COURSE_MANAGE, kwargs=("course",)),
    Page(
        "courses:invite",
        Perm.COURSE_MANAGE,
        method="post",
        kwargs=("course",),
        data=(("emails", "grid@example.test"),),
    ),
    Page("courses:link_renew", Perm.COURSE_MANAGE, method="post", kwargs=("course",)),
    Page("courses:class", Perm.COURSE_MANAGE, kwargs=("course", "week")),
    Page("courses:handout", Perm.COURSE_VIEW, kwargs=("course", "week")),
    Page("courses:handout_pdf", Perm.COURSE_VIEW, kwargs=("course", "week")),
    Page("courses:family", Perm.COURSE_VIEW, kwargs=("course", "enrolment")),
    Page(
        "courses:family_withdraw",
        Perm.COURSE_MANAGE,
        method="post",
        kwargs=("course", "enrolment"),
        data=(("reason", "grid"),),
    ),
    Page("courses:mine", Perm.COURSE_ENROL),
    Page("courses:my_course", Perm.COURSE_ENROL, kwargs=("enrolment",)),
    Page(
        "courses:practice",
        Perm.COURSE_ENROL,
        method="post",
        kwargs=("enrolment",),
        data=(("day", str(timezone.localdate())), ("minutes", "5"), ("response", "enjoyed")),
    ),
    Page("courses:share", Perm.COURSE_ENROL, method="post", kwargs=("enrolment",), data=(("share", "yes"),)),
    Page(
        "courses:my_withdraw",
        Perm.COURSE_ENROL,
        method="post",
        kwargs=("enrolment",),
        data=(("reason", "grid"),),
    ),
    Page("courses:my_handout", Perm.COURSE_ENROL, kwargs=("enrolment", "week")),
    Page("courses:my_handout_pdf", Perm.COURSE_ENROL, kwargs=("enrolment", "week")),
]
# Objects that belong to an organisation: another organisation's must answer 404.
ORG_OBJECTS = {
    "client",
    "consent",
    "membership",
    "invitation",
    "token",
    "check",
    "release",
    "plan",
    "session",
    "event",
}
ORG_OBJECTS |= {"analysis"}  # evidence: a researcher's meta-analysis belongs to their organisation
ORG_OBJECTS |= {"participant"}  # evaluation: a study's participant (its study: tests/evaluation)
ORG_OBJECTS |= {"course", "enrolment"}  # courses: a course and a family's place on it
ORG_OBJECTS |= {"measure"}  # outcomes: an organisation's own measure
ORG_OBJECTS |= {"record"}  # offline: a conflict found on sync
# URLs tested elsewhere because they need a secret from an email: invitation links and reset links.
NOT_IN_GRID = {
    "invitation_accept",
    "accounts:password_reset_confirm",
    "accounts:verify",  # the signed email-verification link (tests/accounts/test_signup.py)
    "accounts:logout",
    # a calendar app cannot log in: the feed's unguessable link is its credential (tests/care)
    "care:calendar",
    # the course's enrolment link (its token is the credential) and its calendar feed (tests/courses)
    "courses:join",
    "courses:calendar",
    # the language chooser: anyone, signed in or not, posts to it and is sent back (tests/core/test_i18n.py)
    "set_language",
}


def _url_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.namespace == "api":
                continue  # the API has its own grid below
            names |= _url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_url_is_in_the_grid() -> None:
    covered = {p.name for p in PAGES} | NOT_IN_GRID
    assert _url_names() - covered == set()


def _objects(clinic: Clinic) -> dict[str, Any]:
    from kneadwell.accounts.models import Invitation
    from kneadwell.accounts.services import invitation_create

    assert clinic.client is not None
    invitation = Invitation.objects.filter(organisation=clinic.org).first()
    if invitation is None:
        invitation, _ = invitation_create(
            actor=clinic.actor(Role.ADMIN),
            email="new@example.test",
            role="therapist",
            base_url="http://testserver/",
        )
    check, release = _library_objects(clinic)
    plan, session, event = _care_objects(clinic)
    course, enrolment = _course_objects(clinic)
    return {
        "course": course,
        "enrolment": enrolment,
        "week": 1,
        "plan": plan,
        "session": session,
        "event": event,
        "measurement": _measurement(clinic),
        "instrument": "nips",
        "measure": _own_measure(clinic),
        "check": check,
        **_evidence_objects(clinic),
        "release": release,
        "technique": "long_stroking",
        "protocol": "preterm_tks_10d",
        "client": clinic.client.pk,
        "consent": clinic.client.consents.first().pk,  # type: ignore[union-attr]
        "membership": clinic.members[Role.INSTRUCTOR].pk,
        "invitation": invitation.pk,
        "record": _offline_conflict(clinic),
    }


def _offline_conflict(clinic: Clinic) -> int:
    """A conflict found on sync for the caregiver's child (what a device's record makes; tests/offline)."""
    from django.utils import timezone

    from kneadwell.offline.models import SyncRecord

    assert clinic.client is not None
    found = SyncRecord.objects.filter(organisation=clinic.org).first()
    if found is None:
        now = timezone.now()
        found = SyncRecord.objects.create(
            organisation=clinic.org, key=f"grid-{clinic.org.pk}", kind="check", client=clinic.client,
            recorded_by=clinic.user(Role.CAREGIVER), payload={}, payload_hash="0" * 64, device_time=now,
            synced_at=now, status="conflict", conflict={"title": "Screened again on the server: Not today"},
        )
    return found.pk


def _course_objects(clinic: Clinic) -> tuple[int, int]:
    """A course the clinic's instructor runs, with clinic.client enrolled by its parent, sharing (so the
    instructor reaches that family's record as the app lets them)."""
    from kneadwell.courses.models import Enrolment
    from kwtest.courses import course_with_family

    found = Enrolment.objects.filter(client=clinic.client).select_related("course").first()
    if found is None:
        _, found = course_with_family(clinic)
    return found.course_id, found.pk


def _measurement(clinic: Clinic) -> int:
    """A weight for clinic.client, entered by its caregiver (who may mark only their own entries)."""
    from kneadwell.outcomes.models import Measurement
    from kneadwell.outcomes.services import measurement_record

    found = Measurement.objects.filter(client=clinic.client).first()
    if found is None:
        found = measurement_record(
            actor=clinic.actor(Role.CAREGIVER),
            client=clinic.client,  # type: ignore[arg-type]
            instrument_id="weight",
            answers={"value": "1500", "unit": "g"},
            taken_at=timezone.localdate(),
        )
    return found.pk


def _own_measure(clinic: Clinic) -> str:
    """The slug of a measure clinic.org defined for itself (published), made through its service."""
    from kneadwell.outcomes.models import OrganisationMeasure
    from kwtest.measures import day_check, define

    found = OrganisationMeasure.objects.filter(organisation=clinic.org).first()
    # Named after the organisation, so another organisation's slug is not also one of ours.
    return (found or define(clinic, day_check(short_name=f"Grid {clinic.org.pk}"))).slug


def _library_objects(clinic: Clinic) -> tuple[int, int]:
    """An intake, a readiness check and a release for clinic.client, made directly (their own tests
    cover the services)."""
    from kneadwell.library.models import Intake, ReadinessCheck, Release

    client = clinic.client
    assert client is not None
    user = clinic.user(Role.THERAPIST)
    Intake.objects.get_or_create(
        client=client,
        defaults={
            "organisation": clinic.org,
            "population": "preterm_infant",
            "answers": {},
            "content_version": "t",
            "updated_by": user,
        },
    )
    check = ReadinessCheck.objects.filter(client=client).first() or ReadinessCheck.objects.create(
        organisation=clinic.org,
        client=client,
        protocol_id="preterm_tks_10d",
        population="preterm_infant",
        answers={},
        action="go",
        verdict={"action": "go", "reasons": []},
        content_version="t",
        checked_by=user,
    )
    release = Release.objects.filter(client=client).first() or Release.objects.create(
        organisation=clinic.org,
        client=client,
        protocol_id="preterm_tks_10d",
        rule_id="x",
        note="n",
        released_by=user,
    )
    return check.pk, release.pk


def _care_objects(clinic: Clinic) -> tuple[int, int, int]:
    """A plan, a session and an adverse event for clinic.client, made directly."""
    from django.utils import timezone

    from kneadwell.care.models import AdverseEvent, Plan, Session
    from kneadwell.library.models import ReadinessCheck

    client = clinic.client
    assert client is not None
    user = clinic.user(Role.THERAPIST)
    existing = Session.objects.filter(client=client).first()
    if existing is not None:
        event = AdverseEvent.objects.get(client=client)
        return existing.plan_id or 0, existing.pk, event.pk
    now = timezone.now()

    def check() -> ReadinessCheck:
        return ReadinessCheck.objects.create(
            organisation=clinic.org,
            client=client,
            protocol_id="preterm_tks_10d",
            population="preterm_infant",
            answers={},
            action="go",
            verdict={"action": "go", "reasons": []},
            content_version="t",
            checked_by=user,
        )

    plan = Plan.objects.create(
        organisation=clinic.org,
        client=client,
        protocol_id="preterm_tks_10d",
        content_version="t",
        enrolment_check=check(),
        starts_at=now,
        calendar_token=f"grid-token-{client.pk}-{now.timestamp()}",
        created_by=user,
    )
    session = Session.objects.create(
        organisation=clinic.org,
        client=client,
        plan=plan,
        readiness_check=check(),
        protocol_id="preterm_tks_10d",
        population="preterm_infant",
        content_version="t",
        steps=[
            {
                "index": 0,
                "technique": "long_stroking",
                "name": "Long stroking",
                "regions": ["back"],
                "minutes": 5,
                "phase": "",
                "how_parent": "",
                "how_clinician": "",
                "sources": [],
            }
        ],
        step_started_at=now,
        started_at=now,
        performed_by=user,
    )
    event = AdverseEvent.objects.create(
        organisation=clinic.org,
        client=client,
        session=session,
        occurred_at=now,
        what="grid",
        severity="mild",
        action_taken="none",
        reported_by=user,
    )
    return plan.pk, session.pk, event.pk


def _evidence_objects(clinic: Clinic) -> dict[str, Any]:
    """Library ids for the evidence pages, and a meta-analysis of clinic.org made directly (its own tests
    cover the services)."""
    from kneadwell.evidence.models import MetaAnalysis

    user = clinic.user(Role.RESEARCHER)
    analysis = MetaAnalysis.objects.filter(organisation=clinic.org).first() or MetaAnalysis.objects.create(
        organisation=clinic.org,
        title="Grid",
        outcome="Daily weight gain (g/day)",
        measure="MD",
        rows=[{"study": "A", "yi": 1.0, "vi": 0.5}, {"study": "B", "yi": 2.0, "vi": 0.4}],
        created_by=user,
        updated_by=user,
    )
    return {
        "analysis": analysis.pk,
        "claim": "preterm_weight_gain",
        "study": "vickers_2004_cochrane",
        "outcome": "weight_gain",
    }


def _url(page: Page, clinic: Clinic, role: Role | None = None) -> str:
    objects = _objects(clinic)
    if page.name.startswith("evaluation:"):
        objects.update(evaluation_grid_objects(clinic))
    if "token" in page.kwargs:
        from kneadwell.accounts.services import api_token_create

        token, _ = api_token_create(actor=clinic.actor(role or Role.ADMIN), name="to revoke")
        objects["token"] = token.pk
    kwargs = {(k if k == "week" else f"{k}_id"): objects[k] for k in page.kwargs}
    return reverse(page.name, kwargs=kwargs)


def _expected(page: Page, role: Role | None) -> int:
    if page.need == PUBLIC:
        return 200
    if role is None:
        return 302
    if page.need == ANY_MEMBER or role_has(role, page.need):  # type: ignore[arg-type]
        return 302 if page.method == "post" else 200
    return 403


ROLES: list[Role | None] = [None, *Role]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_page_answers_as_the_grid_says(
    client: HttpClient, clinic: Clinic, page: Page, role: Role | None
) -> None:
    if role is not None:
        client.force_login(clinic.user(role))
    url = _url(page, clinic, role)
    response = getattr(client, page.method)(url, dict(page.data))
    expected = _expected(page, role)
    if page.need == PUBLIC and role is not None and page.name in {"accounts:login", "accounts:signup"}:
        expected = 302  # a signed-in person is sent on from the login and sign-up pages
    assert response.status_code == expected, f"{page.name} as {role}: {response.status_code}"
    if expected == 302 and role is None:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("page", [p for p in PAGES if ORG_OBJECTS & set(p.kwargs)], ids=lambda p: p.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_another_organisations_objects_are_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic, page: Page, role: Role
) -> None:
    client.force_login(clinic.user(role))
    response = getattr(client, page.method)(_url(page, outsider, role), dict(page.data))
    allowed = page.need == ANY_MEMBER or role_has(role, page.need)  # type: ignore[arg-type]
    if allowed:
        assert response.status_code == 404
    else:
        assert response.status_code == 403


def test_a_caregiver_gets_404_for_a_client_they_do_not_guard(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.other_client is not None
    client.force_login(clinic.user(Role.CAREGIVER))
    assert client.get(reverse("clients:detail", args=[clinic.other_client.pk])).status_code == 404
    assert client.get(reverse("clients:detail", args=[clinic.client.pk])).status_code == 200  # type: ignore[union-attr]


# --- API -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # with {client_id}, {consent_id}, {token_id}
    need: Perm | str
    body: dict[str, Any] | None = None
    ok: int = 200


# A FHIR Bundle the import accepts: one Patient, nothing else (tests/interop covers the rest).
GRID_BUNDLE: dict[str, Any] = {
    "resourceType": "Bundle",
    "type": "collection",
    "entry": [
        {
            "fullUrl": "urn:uuid:0f0e0d0c-0b0a-4908-8706-050403020100",
            "resource": {
                "resourceType": "Patient",
                "name": [{"family": "Grid", "given": ["Gina"]}],
                "gender": "female",
                "birthDate": "2025-01-01",
            },
        }
    ],
}

# An organisation's own measure as the API defines it (tests/outcomes covers the rest).
GRID_MEASURE: dict[str, Any] = {
    "name": "Grid scale",
    "measures": "Nothing: a test's made-up measure.",
    "items": [{"label": "One", "options": [{"value": 0, "label": "no"}, {"value": 1, "label": "yes"}]}],
    "direction": "higher_better",
    "licence": "Made up for a test.",
}

API: list[Operation] = [
    # The only operation open without a token: family sign-up (throttled per address; tests/accounts).
    Operation(
        "post",
        "/api/v1/signup",
        PUBLIC,
        {
            "full_name": "Grid Parent",
            "email": "grid-parent@example.test",
            "password": "a-long-grid-passphrase",
            "baby_given_name": "Gina",
            "baby_birth_date": str(timezone.localdate() - dt.timedelta(days=30)),
            "baby_sex": "female",
            "consent": True,
        },
        ok=201,
    ),
    Operation("get", "/api/v1/me", ANY_MEMBER),
    Operation("get", "/api/v1/tokens", Perm.TOKEN_MANAGE),
    Operation("post", "/api/v1/tokens", Perm.TOKEN_MANAGE, {"name": "grid"}, ok=201),
    Operation("post", "/api/v1/tokens/{token_id}/revoke", Perm.TOKEN_MANAGE, {}),
    Operation("get", "/api/v1/clients", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients",
        Perm.CLIENT_ADD,
        {"given_name": "A", "family_name": "B", "birth_date": "2026-01-01", "sex": "male"},
        ok=201,
    ),
    Operation("get", "/api/v1/clients/{client_id}", Perm.CLIENT_VIEW),
    Operation("patch", "/api/v1/clients/{client_id}", Perm.CLIENT_EDIT, {"version": 1, "notes": "x"}),
    Operation("get", "/api/v1/clients/{client_id}/guardians", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/guardians",
        Perm.GUARDIAN_MANAGE,
        {"name": "Sam", "relationship": "father"},
        ok=201,
    ),
    Operation("get", "/api/v1/clients/{client_id}/consents", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/consents",
        Perm.CONSENT_MANAGE,
        {
            "kind": "assent",
            "scopes": ["care"],
            "signed_by_name": "Maya",
            "signed_on": str(timezone.localdate()),
            "method": "verbal",
            "attestation": True,
        },
        ok=201,
    ),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/consents/{consent_id}/withdraw",
        Perm.CONSENT_MANAGE,
        {"reason": "grid test"},
    ),
    Operation("get", "/api/v1/audit", Perm.AUDIT_VIEW),
    Operation("get", "/api/v1/library/techniques", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/library/techniques/{technique_id}", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/library/protocols", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/library/protocols/{protocol_id}", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/library/rules", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/library/questions?population=infant&scope=today", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/intake", Perm.CLIENT_VIEW),
    Operation(
        "put",
        "/api/v1/clients/{client_id}/intake",
        Perm.CLIENT_EDIT,
        {"population": "preterm_infant", "answers": {}, "version": 1},
    ),
    Operation("get", "/api/v1/clients/{client_id}/readiness-checks", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/readiness-checks",
        Perm.SESSION_RECORD,
        {"protocol_id": "preterm_tks_10d", "answers": {}},
        ok=201,
    ),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/releases",
        Perm.RELEASE_GIVE,
        {"check_id": 999999999, "rule_id": "jaundice", "note": "grid release for a test"},
        ok=404,
    ),
    Operation("post", "/api/v1/clients/{client_id}/releases/{release_id}/revoke", Perm.RELEASE_GIVE, {}),
    Operation("get", "/api/v1/clients/{client_id}/plans", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/plans",
        Perm.SESSION_RECORD,
        {"check_id": 999999999, "starts_at": "2030-01-01T09:00:00Z"},
        ok=404,
    ),
    Operation("get", "/api/v1/clients/{client_id}/plans/{plan_id}", Perm.CLIENT_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/plans/{plan_id}/schedule", Perm.CLIENT_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/plans/{plan_id}/measurements", Perm.CLIENT_VIEW),
    Operation(
        "post", "/api/v1/clients/{client_id}/plans/{plan_id}/end", Perm.SESSION_RECORD, {"reason": "grid"}
    ),
    Operation(
        "post", "/api/v1/clients/{client_id}/sessions", Perm.SESSION_RECORD, {"check_id": 999999999}, ok=404
    ),
    Operation("get", "/api/v1/clients/{client_id}/sessions", Perm.CLIENT_VIEW),
    Operation("get", "/api/v1/sessions/{session_id}", Perm.CLIENT_VIEW),
    Operation(
        "post", "/api/v1/sessions/{session_id}/steps", Perm.SESSION_RECORD, {"index": 0, "outcome": "done"}
    ),
    Operation(
        "post",
        "/api/v1/sessions/{session_id}/observations",
        Perm.SESSION_RECORD,
        {"key": "grid", "kind": "cue", "code": "smiling"},
        ok=201,
    ),
    Operation("post", "/api/v1/sessions/{session_id}/pause", Perm.SESSION_RECORD, {}),
    Operation("post", "/api/v1/sessions/{session_id}/resume", Perm.SESSION_RECORD, {}),
    Operation("post", "/api/v1/sessions/{session_id}/stop", Perm.SESSION_RECORD, {"reason": "grid"}),
    Operation("post", "/api/v1/sessions/{session_id}/complete", Perm.SESSION_RECORD, {}, ok=422),
    Operation("get", "/api/v1/sessions/{session_id}/note", Perm.CLIENT_VIEW, ok=404),
    Operation("put", "/api/v1/sessions/{session_id}/note", Perm.NOTE_SIGN, {"subjective": "x"}, ok=422),
    Operation("post", "/api/v1/sessions/{session_id}/note/sign", Perm.NOTE_SIGN, {"version": 1}, ok=404),
    # The offline web app (issue 14): a client's offline kit, the sync of records kept on a device, and
    # the conflicts found on sync (tests/offline).
    Operation("get", "/api/v1/clients/{client_id}/offline-kit", Perm.SESSION_RECORD),
    Operation("get", "/api/v1/clients/{client_id}/rules-bundle", Perm.SESSION_RECORD),
    Operation("post", "/api/v1/sync", Perm.SESSION_RECORD, {"records": []}),
    Operation("get", "/api/v1/sync/conflicts", Perm.SESSION_RECORD),
    Operation(
        "post",
        "/api/v1/sessions/{session_id}/note/amendments",
        Perm.NOTE_SIGN,
        {"text": "x", "reason": "y"},
        ok=404,
    ),
    Operation("get", "/api/v1/clients/{client_id}/adverse-events", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/adverse-events",
        Perm.SESSION_RECORD,
        {"occurred_at": "2026-01-01T09:00:00Z", "what": "x", "severity": "mild", "action_taken": "y"},
        ok=201,
    ),
    Operation("get", "/api/v1/sessions.csv", Perm.EXPORT_DATA),
    Operation("get", "/api/v1/instruments", Perm.LIBRARY_VIEW),
    Operation("get", "/api/v1/measures", Perm.LIBRARY_VIEW),
    Operation("post", "/api/v1/measures", Perm.MEASURE_DEFINE, {"definition": GRID_MEASURE}, ok=201),
    Operation("get", "/api/v1/measures/{measure_id}", Perm.LIBRARY_VIEW),
    Operation(
        "post",
        "/api/v1/measures/{measure_id}/versions",
        Perm.MEASURE_DEFINE,
        {"version": 2, "definition": GRID_MEASURE},
        ok=201,
    ),
    Operation("get", "/api/v1/clients/{client_id}/measurements", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/measurements",
        Perm.MEASUREMENT_RECORD,
        {
            "instrument_id": "weight",
            "taken_at": str(timezone.localdate()),
            "answers": {"value": 1510, "unit": "g"},
        },
        ok=201,
    ),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/measurements/weights",
        Perm.MEASUREMENT_RECORD,
        {"rows": [{"taken_at": str(timezone.localdate()), "value": 1505}]},
        ok=201,
    ),
    Operation("get", "/api/v1/clients/{client_id}/measurements/{measurement_id}", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/clients/{client_id}/measurements/{measurement_id}/in-error",
        Perm.MEASUREMENT_RECORD,
        {"version": 1, "reason": "grid"},
    ),
    Operation("get", "/api/v1/clients/{client_id}/growth", Perm.CLIENT_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/growth/chart", Perm.CLIENT_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/trends/{instrument_id}/chart", Perm.CLIENT_VIEW),
    Operation(
        "post",
        "/api/v1/measurements/import",
        Perm.MEASUREMENT_RECORD,
        {"csv": "client_id,instrument,taken_at,value,unit\n1,weight,2026-01-01,1500,g", "mode": "good_rows"},
    ),
    Operation("get", "/api/v1/evidence/claims?population=infant-preterm", Perm.EVIDENCE_VIEW),
    Operation("get", "/api/v1/evidence/claims/{claim_id}", Perm.EVIDENCE_VIEW),
    Operation("get", "/api/v1/evidence/studies/{study_id}", Perm.EVIDENCE_VIEW),
    Operation("get", "/api/v1/evidence/outcomes", Perm.EVIDENCE_VIEW),
    Operation("get", "/api/v1/evidence/outcomes/{outcome_code}/findings", Perm.EVIDENCE_VIEW),
    # No outcome in the shipped library can be pooled: the answer is a 422 that says why.
    Operation("get", "/api/v1/evidence/outcomes/{outcome_code}/pool", Perm.EVIDENCE_VIEW, ok=422),
    Operation("get", "/api/v1/evidence/analyses", Perm.EVIDENCE_VIEW),
    Operation(
        "post",
        "/api/v1/evidence/analyses",
        Perm.EVIDENCE_EDIT,
        {"title": "G", "outcome": "O", "measure": "MD", "rows": [{"study": "A", "yi": 1, "vi": 0.5}]},
        ok=201,
    ),
    Operation("get", "/api/v1/evidence/analyses/{analysis_id}", Perm.EVIDENCE_VIEW),
    Operation(
        "patch", "/api/v1/evidence/analyses/{analysis_id}", Perm.EVIDENCE_EDIT, {"version": 1, "title": "H"}
    ),
    Operation("delete", "/api/v1/evidence/analyses/{analysis_id}?version=1", Perm.EVIDENCE_EDIT),
    Operation("get", "/api/v1/evidence/analyses/{analysis_id}/result", Perm.EVIDENCE_VIEW),
    Operation("get", "/api/v1/clients/{client_id}/fhir", Perm.RECORD_EXPORT),
    Operation("post", "/api/v1/fhir/import", Perm.RECORD_IMPORT, GRID_BUNDLE, ok=201),
    Operation("get", "/api/v1/csv/export", Perm.EXPORT_DATA),
    Operation("get", "/api/v1/clients/{client_id}/report.pdf?version=parent", Perm.REPORT_VIEW),
    Operation(
        "post",
        "/api/v1/csv/import",
        Perm.EXPORT_DATA,
        {"clients_csv": "client_ref,given_name,family_name,birth_date,sex\n1,Gina,Grid,2025-01-01,female\n"},
        ok=201,
    ),
    # Courses (issue 12): the instructor's own courses, the family's own enrolments.
    Operation("get", "/api/v1/courses", Perm.COURSE_VIEW),
    Operation(
        "post",
        "/api/v1/courses",
        Perm.COURSE_MANAGE,
        {
            "title": "Grid course",
            "venue": "Hall",
            "start_date": str(timezone.localdate()),
            "class_time": "10:00",
        },
        ok=201,
    ),
    Operation("get", "/api/v1/courses/{course_id}", Perm.COURSE_VIEW),
    Operation("patch", "/api/v1/courses/{course_id}", Perm.COURSE_MANAGE, {"version": 1, "title": "Renamed"}),
    Operation("get", "/api/v1/courses/{course_id}/families", Perm.COURSE_VIEW),
    # Every enrolled family needs a line: an empty class is refused (422) once the permission is held.
    Operation(
        "put",
        "/api/v1/courses/{course_id}/classes/{week}",
        Perm.COURSE_MANAGE,
        {"version": 1, "families": []},
        ok=422,
    ),
    Operation("get", "/api/v1/courses/{course_id}/families/{enrolment_id}/practice", Perm.COURSE_VIEW),
    Operation(
        "post",
        "/api/v1/courses/{course_id}/invitations",
        Perm.COURSE_MANAGE,
        {"emails": ["g@example.test"]},
        ok=201,
    ),
    Operation(
        "post",
        "/api/v1/courses/{course_id}/families/{enrolment_id}/withdraw",
        Perm.COURSE_MANAGE,
        {"reason": "g"},
    ),
    Operation("get", "/api/v1/courses/{course_id}/weeks/{week}/handout.pdf", Perm.COURSE_VIEW),
    Operation("get", "/api/v1/enrolments", Perm.COURSE_ENROL),
    Operation(
        "post",
        "/api/v1/enrolments",
        Perm.COURSE_ENROL,
        {"join_token": "unknown", "client_id": 999999999},
        ok=404,
    ),
    Operation("get", "/api/v1/enrolments/{enrolment_id}", Perm.COURSE_ENROL),
    Operation(
        "post",
        "/api/v1/enrolments/{enrolment_id}/practice",
        Perm.COURSE_ENROL,
        {"day": str(timezone.localdate()), "minutes": 5, "response": "enjoyed"},
        ok=201,
    ),
    Operation(
        "post",
        "/api/v1/enrolments/{enrolment_id}/sharing",
        Perm.COURSE_ENROL,
        {"share_with_instructor": True},
    ),
    Operation("post", "/api/v1/enrolments/{enrolment_id}/leave", Perm.COURSE_ENROL, {"reason": "grid"}),
    # Programme evaluation (issue 13): the grid's study recruits, so design changes answer 400 (fixed once
    # recruiting) and its participant is already randomised (400: irreversible).
    Operation("get", "/api/v1/studies", Perm.STUDY_VIEW),
    Operation(
        "post",
        "/api/v1/studies",
        Perm.STUDY_MANAGE,
        {"code": "NEW", "title": "T", "question": "Q", "population": "P", "target_size": 10},
        ok=201,
    ),
    Operation("get", "/api/v1/studies/{study_id}", Perm.STUDY_VIEW),
    Operation(
        "post", "/api/v1/studies/{study_id}/arms", Perm.STUDY_MANAGE, {"code": "x", "name": "X"}, ok=400
    ),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/outcomes",
        Perm.STUDY_MANAGE,
        {
            "code": "w",
            "name": "W",
            "instrument_id": "weight",
            "measure": "value",
            "days": [0],
            "analysis_day": 0,
        },
        ok=400,
    ),
    Operation("post", "/api/v1/studies/{study_id}/open", Perm.STUDY_MANAGE, {"version": 99}, ok=409),
    Operation("post", "/api/v1/studies/{study_id}/close", Perm.STUDY_MANAGE, {"version": 99}, ok=409),
    Operation("get", "/api/v1/studies/{study_id}/allocation", Perm.ALLOCATION_VIEW),
    Operation("post", "/api/v1/studies/{study_id}/allocation/generate", Perm.ALLOCATION_VIEW, {}, ok=400),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/allocation/upload",
        Perm.ALLOCATION_VIEW,
        {"csv": "arm\nx\n"},
        ok=400,
    ),
    Operation("get", "/api/v1/studies/{study_id}/participants", Perm.STUDY_VIEW),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/participants",
        Perm.STUDY_RANDOMISE,
        {"client_id": 999999999},
        ok=404,
    ),
    Operation("get", "/api/v1/studies/{study_id}/participants/{participant_id}", Perm.STUDY_VIEW),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/participants/{participant_id}/randomise",
        Perm.STUDY_RANDOMISE,
        ok=400,
    ),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/participants/{participant_id}/received",
        Perm.STUDY_RANDOMISE,
        {"received": True},
    ),
    Operation(
        "post",
        "/api/v1/studies/{study_id}/participants/{participant_id}/withdraw",
        Perm.STUDY_RANDOMISE,
        {"kind": "other", "reason": "grid"},
    ),
    Operation("get", "/api/v1/studies/{study_id}/follow-up", Perm.STUDY_VIEW),
    Operation("get", "/api/v1/studies/{study_id}/consort", Perm.STUDY_VIEW),
    Operation("get", "/api/v1/studies/{study_id}/analysis", Perm.STUDY_VIEW),
    Operation("get", "/api/v1/studies/{study_id}/dataset.csv", Perm.STUDY_MANAGE),
    Operation("get", "/api/v1/studies/{study_id}/dictionary.csv", Perm.STUDY_MANAGE),
    Operation("get", "/api/v1/assessments", Perm.OUTCOME_ASSESS),
    Operation(
        "post",
        "/api/v1/assessments/{participant_id}/measurements",
        Perm.OUTCOME_ASSESS,
        {
            "instrument_id": "weight",
            "day": 0,
            "taken_at": str(timezone.localdate()),
            "answers": {"value": 1400, "unit": "g"},
            "confirm_unusual": True,
        },
        ok=201,
    ),
]


def _openapi_operations() -> set[tuple[str, str]]:
    from kneadwell.api.api import api

    schema = api.get_openapi_schema()
    return {(method, path) for path, item in schema["paths"].items() for method in item}


def test_every_api_operation_is_in_the_grid() -> None:
    assert _openapi_operations() == {(op.method, op.path.split("?")[0]) for op in API}


def _api_path(op: Operation, clinic: Clinic, role: Role) -> str:
    objects = _objects(clinic)
    path = op.path
    if path.startswith(("/api/v1/studies", "/api/v1/assessments")):
        objects.update(evaluation_grid_objects(clinic))  # its "study" is the organisation's, not evidence's
        path = path.replace("{participant_id}", str(objects["participant"]))
    for name in ("client", "consent", "technique", "protocol", "release", "measurement", "plan", "session"):
        path = path.replace(f"{{{name}_id}}", str(objects[name]))
    for name in ("course", "enrolment"):
        path = path.replace(f"{{{name}_id}}", str(objects[name]))
    path = path.replace("{week}", "1")
    for name in ("claim", "study", "analysis"):
        path = path.replace(f"{{{name}_id}}", str(objects[name]))
    path = path.replace("{outcome_code}", str(objects["outcome"]))
    path = path.replace("{instrument_id}", "nips")
    path = path.replace("{measure_id}", str(objects["measure"]))
    if "{token_id}" in path:
        from kneadwell.accounts.services import api_token_create

        token, _ = api_token_create(actor=clinic.actor(role), name="to revoke")
        path = path.replace("{token_id}", str(token.pk))
    return path


@pytest.mark.parametrize("op", API, ids=lambda o: f"{o.method} {o.path}")
@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_api_answers_as_the_grid_says(
    client: HttpClient, clinic: Clinic, op: Operation, role: Role | None
) -> None:
    headers = {}
    if role is not None:
        headers["Authorization"] = f"Bearer {clinic.token(role)}"
    path = _api_path(op, clinic, role or Role.ADMIN)
    response = getattr(client, op.method)(path, op.body, content_type="application/json", headers=headers)
    if op.need == PUBLIC:
        expected = op.ok
    elif role is None:
        expected = 401
    elif op.need == ANY_MEMBER or role_has(role, op.need):  # type: ignore[arg-type]
        expected = op.ok
    else:
        expected = 403
    assert response.status_code == expected, response.content
    # Successes that are files: CSV exports and PDF reports. Every error is JSON.
    files = {"csv": "text/csv", "pdf": "application/pdf"}
    suffix = op.path.split("?")[0].rsplit(".", 1)[-1]
    wanted = files.get(suffix, "application/json") if response.status_code == 200 else "application/json"
    assert response["Content-Type"].startswith(wanted)


@pytest.mark.parametrize(
    "op", [o for o in API if "{client_id}" in o.path], ids=lambda o: f"{o.method} {o.path}"
)
def test_api_hides_another_organisations_clients(
    client: HttpClient, clinic: Clinic, outsider: Clinic, op: Operation
) -> None:
    headers = {"Authorization": f"Bearer {clinic.token(Role.ADMIN)}"}
    path = _api_path(op, outsider, Role.ADMIN)
    response = getattr(client, op.method)(path, op.body, content_type="application/json", headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize(
    "op",
    [o for o in API if "{course_id}" in o.path or "{enrolment_id}" in o.path],
    ids=lambda o: f"{o.method} {o.path}",
)
def test_api_hides_another_organisations_courses_and_enrolments(
    client: HttpClient, clinic: Clinic, outsider: Clinic, op: Operation
) -> None:
    role = Role.CAREGIVER if op.need == Perm.COURSE_ENROL else Role.ADMIN
    headers = {"Authorization": f"Bearer {clinic.token(role)}"}
    path = _api_path(op, outsider, role)
    response = getattr(client, op.method)(path, op.body, content_type="application/json", headers=headers)
    assert response.status_code == 404
    assert response.json()["detail"]
