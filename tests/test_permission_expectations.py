"""Who may do the most sensitive things, written by hand (issue 16, part 2).

`tests/test_permission_grid.py` walks every URL and API operation, but it computes the answer it expects
from the same table the code uses (`kneadwell.accounts.roles.GRID`), so a role wrongly added to that table
would pass it. The table below is the second opinion: for a few cells that matter most (reading a
client, a clinician's release, exports, the audit log, the team, API tokens, recording a session) it
says, role by role, what the brief asks for, and checks the real pages and API through the test client.
It imports only the `Role` names: never `role_has`, `GRID` or `Perm`. When the code and this table
disagree, one of them is wrong and a person decides which; a disagreement with the brief is a security
finding, kept visible as a strict xfail (it fails the day it is fixed, so the mark comes off).

Sources: the brief (`PRODUCT.md`: "Clinic administrator — users, roles, consent, audit, exports, backups";
`ARCHITECTURE.md`: deny by default, another organisation's object is a 404) and the issues that built the
areas (issue 2: a caregiver sees only the clients they are a guardian of, admins view and export the audit
log; issue 8: a release is given by a clinician). Where they are silent, the cell takes today's behaviour
and says why in a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client as HttpClient
from django.urls import reverse
from django.utils import timezone

from kneadwell.accounts.roles import Role
from kwtest.courses import instructor_family
from kwtest.people import Clinic, make_client

pytestmark = pytest.mark.django_db

ADMIN, THERAPIST, CAREGIVER = Role.ADMIN, Role.THERAPIST, Role.CAREGIVER
INSTRUCTOR, ASSESSOR, RESEARCHER = Role.INSTRUCTOR, Role.ASSESSOR, Role.RESEARCHER

YES, NO = True, False

# --- The table ---------------------------------------------------------------------------------------
# cell -> role -> may they? Every role is written out on purpose: a new role fails `test_every_role_...`
# until someone decides each cell for it.
EXPECT: dict[str, dict[Role, bool]] = {
    "read a client's record": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: YES,  # their own child only (issue 2); another child is a 404, tested below
        # Issue 12: an instructor reads only the babies on their own courses whose family shares their record
        # with them; every other client is a 404 (tested below). The probes' babies are such families.
        INSTRUCTOR: YES,
        # Issue 13: "an assessor role that enters outcome measurements for study participants and cannot
        # see, by page or API, the allocation, plans, sessions, notes or anything that reveals the arm". A
        # client's record shows plans and sessions, so the assessor reaches a participant only through the
        # study's assessment pages (tests/evaluation/test_blinding_grid.py walks every URL).
        ASSESSOR: NO,
        RESEARCHER: NO,  # researchers evaluate programmes on de-identified data, never a named record
    },
    "list clients": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: YES,  # the list holds their own children only (tested below)
        INSTRUCTOR: YES,  # the list holds only their own courses' sharing families (tested below)
        ASSESSOR: NO,  # as "read a client's record"
        RESEARCHER: NO,
    },
    # Issue 8: "released by a clinician". Administrators may release today (the organisation can narrow
    # it on Screening settings → Who may release); the brief does not say an administrator is not a
    # clinician, and in a small practice the lead clinician is the administrator.
    "give or revoke a clinician's release": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: NO,  # a parent never overrides a safety rule
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # One client's whole record as a FHIR Bundle. The brief is silent on who; today the people who care
    # for the client may: clinicians to hand over care, a parent for their own child's copy.
    "export one client's record (FHIR)": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: YES,  # their own child only
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,  # identifiable
    },
    # Every client of the organisation in one file: "Clinic administrator — … exports, backups".
    "bulk export (CSV files of every client)": {
        ADMIN: YES,
        THERAPIST: NO,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # Issue 2: "admins can view and export it as CSV"; "an audit page for admins".
    "see or export the audit log": {
        ADMIN: YES,
        THERAPIST: NO,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # "Clinic administrator — users, roles".
    "manage the team": {
        ADMIN: YES,
        THERAPIST: NO,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # Personal API tokens (issue 2): each member manages their own, whatever the role; the token can do
    # no more than its owner. Another member's token is a 404 for everyone (tested below).
    "manage my own API tokens": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: YES,
        INSTRUCTOR: YES,
        ASSESSOR: YES,
        RESEARCHER: YES,
    },
    "record a session": {
        ADMIN: YES,  # silent in the brief; today an administrator may (often the lead clinician)
        THERAPIST: YES,
        CAREGIVER: YES,  # a parent massages their own baby at home (PRODUCT.md)
        # Silent in the brief: an instructor may record a session with a baby of their own course whose
        # family shares the record (issue 12 narrowed whom they reach, not what they may do).
        INSTRUCTOR: YES,
        ASSESSOR: NO,  # "blinded outcome entry": an assessor measures, never massages
        RESEARCHER: NO,
    },
    # Issue 15: "Only clinical leads/admins of the organisation may define measures". The role model has no
    # separate clinical lead: the administrator is (as for releases above, in a small practice the lead
    # clinician is the administrator). A therapist records the measure but does not define it.
    "define the organisation's own outcome measures": {
        ADMIN: YES,
        THERAPIST: NO,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # Issue 13: "the allocation list is visible only to a role given that right", "generated from a seed kept
    # from study staff". The study's statistician (the researcher) holds it; everyone who screens or
    # randomises (administrators, therapists) does not, so no one can foresee the next allocation.
    "see the allocation list": {
        ADMIN: NO,
        THERAPIST: NO,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: YES,
    },
    # Issue 13: randomising is done by the clinicians who enrol (it needs the named record and the family's
    # consent); never by the list holder, a parent, or a blinded assessor.
    "randomise a study participant": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: NO,
        RESEARCHER: NO,
    },
    # Issue 13: "an assessor role that enters outcome measurements for study participants". Clinicians may
    # enter a study outcome too, recorded as not blinded.
    "enter a study outcome": {
        ADMIN: YES,
        THERAPIST: YES,
        CAREGIVER: NO,
        INSTRUCTOR: NO,
        ASSESSOR: YES,
        RESEARCHER: NO,
    },
}

# Cells where the code answers differently from the brief: security findings, not fixed here.
FINDINGS: dict[tuple[str, Role], str] = {
    # Fixed: GET /api/v1/sessions.csv was open to therapists (UNIT_VIEW); it now needs EXPORT_DATA like
    # the page's CSV download. New findings go here, marked as expected failures until fixed.
}


# --- What each probe does -----------------------------------------------------------------------------
@dataclass
class World:
    """The test client, the clinic whose members act, and objects made on demand in `target` (the same
    clinic, or another organisation)."""

    http: HttpClient
    clinic: Clinic
    target: Clinic
    made: dict[str, Any] = field(default_factory=dict)

    def login(self, role: Role) -> None:
        self.http.force_login(self.clinic.user(role))

    def bearer(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.clinic.token(role)}"}

    @property
    def client_id(self) -> int:
        assert self.target.client is not None
        return self.target.client.pk

    def jaundice_check(self) -> Any:
        """A term baby with jaundice, guarded by the target's caregiver, whose parent ran today's check:
        it needs a clinician's release. (The releaser must not be the person who ran the check.)"""
        if "jaundice" not in self.made:
            from kwtest.screening import passing_check

            caregiver = self.target.actor(CAREGIVER)
            baby = make_client(
                self.target.actor(THERAPIST),
                guardian_user=self.target.user(CAREGIVER),
                born_days_ago=70,
                weeks=39,
                days=3,
                conditions=["jaundice"],
            )
            check = passing_check(caregiver, baby, "iaim_parent_routine", "infant")
            assert check.action == "needs-release", check.verdict
            rule = next(r["rule_id"] for r in check.verdict["reasons"] if r["action"] == "needs-release")
            self.made["jaundice"] = (baby, check, rule)
        return self.made["jaundice"]

    def release(self) -> Any:
        """A release given by a second therapist of the target (so every role may be the one to revoke)."""
        if "release" not in self.made:
            from kneadwell.library.services import release_give
            from kwtest.people import actor_for, make_member

            baby, check, rule = self.jaundice_check()
            second = actor_for(make_member(self.target.org, THERAPIST))
            self.made["release"] = release_give(
                actor=second, client=baby, check=check, rule_id=rule, note=RELEASE_NOTE
            )
        return self.made["release"]

    def go_check(self) -> Any:
        """A term baby guarded by the target's caregiver, and an all-clear check a therapist ran just now."""
        if "go" not in self.made:
            from kwtest.screening import passing_check

            baby = make_client(
                self.target.actor(THERAPIST),
                guardian_user=self.target.user(CAREGIVER),
                born_days_ago=70,
                weeks=39,
                days=3,
            )
            instructor_family(self.target, baby)  # the instructor's own course family (issue 12)
            check = passing_check(self.target.actor(THERAPIST), baby, "iaim_parent_routine", "infant")
            assert check.action == "go", check.verdict
            self.made["go"] = (baby, check)
        return self.made["go"]


RELEASE_NOTE = "Bilirubin falling; seen by the paediatrician this morning"

Run = Callable[[World, Role], HttpResponse]
Effect = Callable[[World], bool]


@dataclass(frozen=True)
class Probe:
    cell: str
    name: str
    run: Run
    allowed: int  # the answer when the table says yes
    effect: Effect | None = None  # true exactly when the action took place
    page: bool = True  # a page (anonymous: redirect to login) or the API (anonymous: 401)
    client_bound: bool = False  # names a client of `target` in its URL: another organisation's is a 404


def _page_get(name: str, **kwargs: Callable[[World], int]) -> Run:
    def run(w: World, role: Role) -> HttpResponse:
        w.login(role)
        return w.http.get(reverse(name, kwargs={k: f(w) for k, f in kwargs.items()}))

    return run


def _api(method: str, path: Callable[[World], str], body: Callable[[World], Any] | None = None) -> Run:
    def run(w: World, role: Role) -> HttpResponse:
        data = body(w) if body else None
        response: HttpResponse = getattr(w.http, method)(
            "/api/v1" + path(w), data, content_type="application/json", headers=w.bearer(role)
        )
        return response

    return run


def _client(w: World) -> int:
    return w.client_id


def _release_page(w: World, role: Role) -> HttpResponse:
    baby, check, rule = w.jaundice_check()
    w.login(role)
    return w.http.post(
        reverse("library:release", args=[baby.pk, check.pk]), {"rule": rule, "note": RELEASE_NOTE}
    )


def _release_api(w: World, role: Role) -> HttpResponse:
    baby, check, rule = w.jaundice_check()
    body = {"check_id": check.pk, "rule_id": rule, "note": RELEASE_NOTE}
    return w.http.post(
        f"/api/v1/clients/{baby.pk}/releases", body, content_type="application/json", headers=w.bearer(role)
    )


def _released(w: World) -> bool:
    from kneadwell.library.models import Release

    baby, _, _ = w.jaundice_check()
    return Release.objects.filter(client=baby).exists()


def _revoke_page(w: World, role: Role) -> HttpResponse:
    release = w.release()
    w.login(role)
    return w.http.post(reverse("library:release_revoke", args=[release.client_id, release.pk]))


def _revoke_api(w: World, role: Role) -> HttpResponse:
    release = w.release()
    return w.http.post(
        f"/api/v1/clients/{release.client_id}/releases/{release.pk}/revoke",
        {},
        content_type="application/json",
        headers=w.bearer(role),
    )


def _revoked(w: World) -> bool:
    release = w.release()
    release.refresh_from_db()
    return release.revoked_at is not None


def _session_page(w: World, role: Role) -> HttpResponse:
    baby, check = w.go_check()
    w.login(role)
    return w.http.post(reverse("care:session_start", args=[baby.pk]), {"check": check.pk})


def _session_api(w: World, role: Role) -> HttpResponse:
    baby, check = w.go_check()
    return w.http.post(
        f"/api/v1/clients/{baby.pk}/sessions",
        {"check_id": check.pk},
        content_type="application/json",
        headers=w.bearer(role),
    )


def _session_started(w: World) -> bool:
    from kneadwell.care.models import Session

    baby, _ = w.go_check()
    return Session.objects.filter(client=baby).exists()


def _member_update(w: World, role: Role) -> HttpResponse:
    w.login(role)
    membership = w.clinic.members[INSTRUCTOR]
    return w.http.post(
        reverse("accounts:member_update", args=[membership.pk]), {"role": "assessor", "is_active": "on"}
    )


def _member_changed(w: World) -> bool:
    membership = w.clinic.members[INSTRUCTOR]
    membership.refresh_from_db()
    return str(membership.role) == "assessor"


def _invitation(w: World) -> Any:
    if "invitation" not in w.made:
        from kneadwell.accounts.services import invitation_create

        w.made["invitation"], _ = invitation_create(
            actor=w.clinic.actor(ADMIN), email="new@example.test", role="therapist", base_url="http://t/"
        )
    return w.made["invitation"]


def _invitation_revoke(w: World, role: Role) -> HttpResponse:
    invitation = _invitation(w)
    w.login(role)
    return w.http.post(reverse("accounts:invitation_revoke", args=[invitation.pk]))


def _invitation_revoked(w: World) -> bool:
    from kneadwell.accounts.models import Invitation

    return not Invitation.objects.filter(pk=_invitation(w).pk, revoked_at__isnull=True).exists()


def _own_token(w: World, role: Role) -> Any:
    from kneadwell.accounts.services import api_token_create

    token, _ = api_token_create(actor=w.clinic.actor(role), name="mine")
    w.made["token"] = token
    return token


def _token_revoke_page(w: World, role: Role) -> HttpResponse:
    token = _own_token(w, role)
    w.login(role)
    return w.http.post(reverse("accounts:token_revoke", args=[token.pk]))


def _token_revoke_api(w: World, role: Role) -> HttpResponse:
    token = _own_token(w, role)
    return w.http.post(
        f"/api/v1/tokens/{token.pk}/revoke", {}, content_type="application/json", headers=w.bearer(role)
    )


def _token_revoked(w: World) -> bool:
    token = w.made["token"]
    token.refresh_from_db()
    return token.revoked_at is not None


def _measure_api(w: World, role: Role) -> HttpResponse:
    body = {"definition": {**_MEASURE, "items": [{"label": "One", "options": _YES_NO}]}}
    return w.http.post("/api/v1/measures", body, content_type="application/json", headers=w.bearer(role))


def _measure_page(w: World, role: Role) -> HttpResponse:
    w.login(role)
    form = {**_MEASURE, "item_count": "1", "item-0-label": "One", "shared_options": "0 = no\n1 = yes"}
    return w.http.post(reverse("outcomes:measure_new"), form)


def _measure_defined(w: World) -> bool:
    from kneadwell.outcomes.models import OrganisationMeasure

    return OrganisationMeasure.objects.filter(organisation=w.clinic.org).exists()


_MEASURE = {
    "name": "Probe scale",
    "measures": "Nothing: made up for a test.",
    "direction": "higher_better",
    "licence": "Made up for a test.",
}
_YES_NO = [{"value": 0, "label": "no"}, {"value": 1, "label": "yes"}]

READ = "read a client's record"
LIST = "list clients"
RELEASE = "give or revoke a clinician's release"
FHIR = "export one client's record (FHIR)"
BULK = "bulk export (CSV files of every client)"
AUDIT = "see or export the audit log"
TEAM = "manage the team"
TOKENS = "manage my own API tokens"
SESSION = "record a session"
ALLOCATION = "see the allocation list"
RANDOMISE = "randomise a study participant"
ASSESS = "enter a study outcome"


def _study(w: World) -> Any:
    """A recruiting study of the target (its client randomised) and an eligible baby waiting."""
    if "study" not in w.made:
        from kwtest.evaluation import enrol, grid_objects

        objects = grid_objects(w.target)
        from kneadwell.evaluation.models import Participant, Study

        study = Study.objects.get(pk=objects["study"])
        waiting = enrol(w.target, study, randomise=False)
        w.made["study"] = (study, Participant.objects.get(pk=objects["participant"]), waiting)
    return w.made["study"]


def _randomise_page(w: World, role: Role) -> HttpResponse:
    study, _, waiting = _study(w)
    w.login(role)
    return w.http.post(reverse("evaluation:randomise", args=[study.pk, waiting.pk]), {"confirm": "yes"})


def _randomise_api(w: World, role: Role) -> HttpResponse:
    study, _, waiting = _study(w)
    return w.http.post(
        f"/api/v1/studies/{study.pk}/participants/{waiting.pk}/randomise",
        {},
        content_type="application/json",
        headers=w.bearer(role),
    )


def _randomised(w: World) -> bool:
    _, _, waiting = _study(w)
    waiting.refresh_from_db()
    return waiting.arm_id is not None


def _assess_page(w: World, role: Role) -> HttpResponse:
    _, participant, _ = _study(w)
    w.login(role)
    url = reverse("evaluation:assess_entry", args=[participant.pk, "weight"]) + "?day=0"
    return w.http.post(
        url,
        {
            "taken_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "value": "1410",
            "unit": "g",
            "confirm_unusual": "on",
        },
    )


def _assess_api(w: World, role: Role) -> HttpResponse:
    _, participant, _ = _study(w)
    body = {
        "instrument_id": "weight",
        "day": 0,
        "taken_at": str(timezone.localdate()),
        "answers": {"value": 1410, "unit": "g"},
        "confirm_unusual": True,
    }
    return w.http.post(
        f"/api/v1/assessments/{participant.pk}/measurements",
        body,
        content_type="application/json",
        headers=w.bearer(role),
    )


def _assessed(w: World) -> bool:
    from kneadwell.evaluation.models import StudyMeasurement

    _, participant, _ = _study(w)
    return StudyMeasurement.objects.filter(participant=participant).exists()


MEASURE = "define the organisation's own outcome measures"

PROBES: list[Probe] = [
    Probe(
        READ, "page clients:detail", _page_get("clients:detail", client_id=_client), 200, client_bound=True
    ),
    Probe(
        READ,
        "api GET /clients/{id}",
        _api("get", lambda w: f"/clients/{w.client_id}"),
        200,
        page=False,
        client_bound=True,
    ),
    Probe(LIST, "page clients:list", _page_get("clients:list"), 200),
    Probe(LIST, "api GET /clients", _api("get", lambda w: "/clients"), 200, page=False),
    Probe(RELEASE, "page library:release", _release_page, 302, _released, client_bound=True),
    Probe(RELEASE, "api POST /clients/{id}/releases", _release_api, 201, _released, False, True),
    Probe(RELEASE, "page library:release_revoke", _revoke_page, 302, _revoked, client_bound=True),
    Probe(RELEASE, "api POST /clients/{id}/releases/{id}/revoke", _revoke_api, 200, _revoked, False, True),
    Probe(
        FHIR,
        "page interop:fhir_export",
        _page_get("interop:fhir_export", client_id=_client),
        200,
        None,
        True,
        True,
    ),
    Probe(
        FHIR,
        "api GET /clients/{id}/fhir",
        _api("get", lambda w: f"/clients/{w.client_id}/fhir"),
        200,
        None,
        False,
        True,
    ),
    Probe(BULK, "page interop:csv", _page_get("interop:csv"), 200),
    Probe(BULK, "page interop:csv_clients", _page_get("interop:csv_clients"), 200),
    Probe(BULK, "page interop:csv_measurements", _page_get("interop:csv_measurements"), 200),
    Probe(BULK, "page interop:csv_sessions", _page_get("interop:csv_sessions"), 200),
    Probe(BULK, "api GET /csv/export", _api("get", lambda w: "/csv/export"), 200, page=False),
    Probe(BULK, "api GET /sessions.csv", _api("get", lambda w: "/sessions.csv"), 200, page=False),
    Probe(AUDIT, "page audit:list", _page_get("audit:list"), 200),
    Probe(AUDIT, "page audit:export", _page_get("audit:export"), 200),
    Probe(AUDIT, "api GET /audit", _api("get", lambda w: "/audit"), 200, page=False),
    Probe(TEAM, "page accounts:team", _page_get("accounts:team"), 200),
    Probe(TEAM, "page accounts:member_update", _member_update, 302, _member_changed),
    Probe(TEAM, "page accounts:invitation_revoke", _invitation_revoke, 302, _invitation_revoked),
    Probe(TOKENS, "page accounts:tokens", _page_get("accounts:tokens"), 200),
    Probe(TOKENS, "page accounts:token_revoke", _token_revoke_page, 302, _token_revoked),
    Probe(TOKENS, "api GET /tokens", _api("get", lambda w: "/tokens"), 200, page=False),
    Probe(
        TOKENS,
        "api POST /tokens",
        _api("post", lambda w: "/tokens", lambda w: {"name": "x"}),
        201,
        page=False,
    ),
    Probe(TOKENS, "api POST /tokens/{id}/revoke", _token_revoke_api, 200, _token_revoked, page=False),
    Probe(SESSION, "page care:session_start", _session_page, 302, _session_started, client_bound=True),
    Probe(SESSION, "api POST /clients/{id}/sessions", _session_api, 201, _session_started, False, True),
    Probe(
        ALLOCATION,
        "page evaluation:allocation",
        lambda w, r: _page_get("evaluation:allocation", study_id=lambda w: _study(w)[0].pk)(w, r),
        200,
    ),
    Probe(
        ALLOCATION,
        "api GET /studies/{id}/allocation",
        _api("get", lambda w: f"/studies/{_study(w)[0].pk}/allocation"),
        200,
        page=False,
    ),
    Probe(RANDOMISE, "page evaluation:randomise", _randomise_page, 302, _randomised),
    Probe(
        RANDOMISE,
        "api POST /studies/{id}/participants/{id}/randomise",
        _randomise_api,
        200,
        _randomised,
        page=False,
    ),
    Probe(ASSESS, "page evaluation:assess_entry", _assess_page, 302, _assessed),
    Probe(ASSESS, "api POST /assessments/{id}/measurements", _assess_api, 201, _assessed, page=False),
    Probe(MEASURE, "page outcomes:measure_new", _measure_page, 302, _measure_defined),
    Probe(MEASURE, "api POST /measures", _measure_api, 201, _measure_defined, page=False),
]


@pytest.fixture(autouse=True)
def _clinic_baby_is_a_course_family(clinic: Clinic) -> None:
    """The clinic's baby is a family of the clinic instructor's own course, sharing its record: the one way
    an instructor reaches a client (issue 12)."""
    instructor_family(clinic, clinic.client)


def _params(probes: list[Probe]) -> list[Any]:
    out = []
    for probe in probes:
        for role in Role:
            reason = FINDINGS.get((probe.name, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            out.append(pytest.param(probe, role, marks=marks, id=f"{probe.name} as {role.value}"))
    return out


def test_every_role_has_a_decision_in_every_cell() -> None:
    for cell, decisions in EXPECT.items():
        assert set(decisions) == set(Role), cell
    assert {p.cell for p in PROBES} == set(EXPECT)
    assert {name for name, _ in FINDINGS} <= {p.name for p in PROBES}


@pytest.mark.parametrize(("probe", "role"), _params(PROBES))
def test_the_sensitive_cells_answer_as_written_by_hand(
    client: HttpClient, clinic: Clinic, probe: Probe, role: Role
) -> None:
    world = World(client, clinic, clinic)
    allowed = EXPECT[probe.cell][role]
    response = probe.run(world, role)
    expected = probe.allowed if allowed else 403
    assert response.status_code == expected, f"{probe.name} as {role.value}: {response.status_code}"
    if probe.effect is not None:
        assert probe.effect(world) is allowed, f"{probe.name} as {role.value}: the action took place"
    if response.status_code == 302:
        assert "/accounts/login/" not in response["Location"]


@pytest.mark.parametrize("probe", PROBES, ids=lambda p: p.name)
def test_anonymous_reaches_none_of_them(client: HttpClient, clinic: Clinic, probe: Probe) -> None:
    world = World(client, clinic, clinic)
    if probe.page:
        world.login = lambda role: None  # type: ignore[method-assign]
        response = probe.run(world, ADMIN)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    else:
        world.bearer = lambda role: {}  # type: ignore[method-assign]
        assert probe.run(world, ADMIN).status_code == 401
    if probe.effect is not None:
        assert probe.effect(world) is False


# --- Another organisation's client, and a caregiver's other children ---------------------------------
@pytest.mark.parametrize(("probe", "role"), _params([p for p in PROBES if p.client_bound]))
def test_another_organisations_client_is_not_found(
    client: HttpClient, clinic: Clinic, outsider: Clinic, probe: Probe, role: Role
) -> None:
    """A 404 for every role that may do this at all. A role that may not gets the same 403 it gets for
    its own organisation's clients: the refusal comes before any look-up, so it says nothing about
    whether the client exists (the page grid asks the same)."""
    world = World(client, clinic, outsider)
    response = probe.run(world, role)
    expected = 404 if EXPECT[probe.cell][role] else 403
    assert response.status_code == expected, f"{probe.name} as {role.value}: {response.status_code}"
    if probe.effect is not None:
        assert probe.effect(world) is False


@pytest.mark.parametrize("probe", [p for p in PROBES if p.client_bound], ids=lambda p: p.name)
def test_a_caregiver_reaches_only_their_own_children(
    client: HttpClient, clinic: Clinic, probe: Probe
) -> None:
    """The clinic's other children (same organisation, another family) are a 404 for a parent."""
    assert clinic.other_client is not None
    other = Clinic(org=clinic.org, members=clinic.members, client=clinic.other_client)
    # The objects a probe makes for itself (a baby for a check) belong to `target`'s caregiver: here a
    # member who is not this parent, so the parent guards none of them.
    stranger = dict(clinic.members)
    from kwtest.people import make_member

    stranger[CAREGIVER] = make_member(clinic.org, CAREGIVER)
    other.members = stranger
    world = World(client, clinic, other)
    response = probe.run(world, CAREGIVER)
    expected = 404 if EXPECT[probe.cell][CAREGIVER] else 403
    assert response.status_code == expected, f"{probe.name}: {response.status_code}"
    if probe.effect is not None:
        assert probe.effect(world) is False


def test_a_caregivers_lists_hold_only_their_own_children(client: HttpClient, clinic: Clinic) -> None:
    assert clinic.client is not None
    assert clinic.other_client is not None
    world = World(client, clinic, clinic)
    listed = _api("get", lambda w: "/clients")(world, CAREGIVER).json()
    assert [c["id"] for c in listed["items"]] == [clinic.client.pk]
    for name in ("clients:list", "dashboard"):
        page = _page_get(name)(world, CAREGIVER).content.decode()
        assert clinic.client.family_name in page
        assert clinic.other_client.family_name not in page, name


def test_a_researcher_sees_no_identifiable_record(client: HttpClient, clinic: Clinic) -> None:
    """Refused on every client page above; nor does a name leak through the pages a researcher can open."""
    assert clinic.client is not None
    assert clinic.other_client is not None
    world = World(client, clinic, clinic)
    for name in ("dashboard", "evidence:index", "library:index", "accounts:tokens"):
        page = _page_get(name)(world, RESEARCHER)
        assert page.status_code == 200, name
        for person in (clinic.client, clinic.other_client):
            assert person.family_name not in page.content.decode(), name
    me = _api("get", lambda w: "/me")(world, RESEARCHER).json()
    assert me["role"] == "researcher"


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_nobody_revokes_another_members_token(client: HttpClient, clinic: Clinic, role: Role) -> None:
    """Tokens are personal: even an administrator cannot revoke (or learn of) another member's token."""
    from kneadwell.accounts.services import api_token_create

    owner = THERAPIST if role is not THERAPIST else CAREGIVER
    token, _ = api_token_create(actor=clinic.actor(owner), name="theirs")
    world = World(client, clinic, clinic)
    world.login(role)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    api = client.post(
        f"/api/v1/tokens/{token.pk}/revoke", {}, content_type="application/json", headers=world.bearer(role)
    )
    assert api.status_code == 404
    listed = client.get("/api/v1/tokens", headers=world.bearer(role)).json()
    assert token.pk not in [t["id"] for t in listed]
    token.refresh_from_db()
    assert token.revoked_at is None


# --- Issue 12: an instructor reaches only their own courses' families who share -------------------------
def test_an_instructor_reaches_only_their_own_courses_families_who_share(
    client: HttpClient, clinic: Clinic
) -> None:
    from kneadwell.courses import services as course_services
    from kwtest.courses import enrol, make_course
    from kwtest.people import actor_for, make_member

    assert clinic.client is not None
    assert clinic.other_client is not None  # on no course
    parent = clinic.user(CAREGIVER)
    not_sharing = make_client(clinic.actor(THERAPIST), guardian_user=parent, given_name="Quinn")
    enrol(clinic, make_course(clinic), not_sharing, share=False)
    theirs = make_client(clinic.actor(THERAPIST), guardian_user=parent, given_name="Rafe")
    other = make_member(clinic.org, INSTRUCTOR)
    other_course = course_services.course_create(
        actor=actor_for(other),
        title="Another instructor's course",
        venue="Hall",
        start_date=clinic.client.created_at.date(),
        class_time=clinic.client.created_at.time().replace(microsecond=0),
    )
    enrol(clinic, other_course, theirs)
    world = World(client, clinic, clinic)
    world.login(INSTRUCTOR)
    assert client.get(reverse("clients:detail", args=[clinic.client.pk])).status_code == 200
    for baby in (clinic.other_client, not_sharing, theirs):
        assert client.get(reverse("clients:detail", args=[baby.pk])).status_code == 404, baby.given_name
        api = client.get(f"/api/v1/clients/{baby.pk}", headers=world.bearer(INSTRUCTOR))
        assert api.status_code == 404, baby.given_name
    listed = [
        c["id"] for c in client.get("/api/v1/clients", headers=world.bearer(INSTRUCTOR)).json()["items"]
    ]
    assert listed == [clinic.client.pk]
    page = client.get(reverse("clients:list")).content.decode()
    assert clinic.client.family_name in page
    for baby in (clinic.other_client, not_sharing, theirs):
        assert baby.family_name not in page


def test_a_family_that_stops_sharing_is_out_of_the_instructors_reach(
    client: HttpClient, clinic: Clinic
) -> None:
    from kneadwell.courses import services as course_services
    from kneadwell.courses.models import Enrolment

    assert clinic.client is not None
    enrolment = Enrolment.objects.get(client=clinic.client)
    course_services.enrolment_share_set(actor=clinic.actor(CAREGIVER), enrolment=enrolment, share=False)
    client.force_login(clinic.user(INSTRUCTOR))
    assert client.get(reverse("clients:detail", args=[clinic.client.pk])).status_code == 404
