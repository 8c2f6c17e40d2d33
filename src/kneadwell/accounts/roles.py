"""Roles and what each may do: the permission grid every page and API operation checks.

Deny by default: a permission not listed for a role is refused. Pure data, no Django import, so the
permission test grid and the docs can read it directly."""

from __future__ import annotations

from enum import StrEnum

from kneadwell.core.marking import gettext, gettext_noop


class Role(StrEnum):
    ADMIN = "admin"
    THERAPIST = "therapist"
    CAREGIVER = "caregiver"
    INSTRUCTOR = "instructor"
    ASSESSOR = "assessor"
    RESEARCHER = "researcher"

    @property
    def label(self) -> str:
        """The role's name in the language in force (English outside Django)."""
        return gettext(ROLE_LABELS[self])


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: gettext_noop("Administrator"),
    Role.THERAPIST: gettext_noop("Therapist / nurse"),
    Role.CAREGIVER: gettext_noop("Parent / caregiver"),
    Role.INSTRUCTOR: gettext_noop("Infant-massage instructor"),
    Role.ASSESSOR: gettext_noop("Outcome assessor"),
    Role.RESEARCHER: gettext_noop("Researcher"),
}


class Perm(StrEnum):
    CLIENT_VIEW = "client.view"
    CLIENT_ADD = "client.add"
    CLIENT_EDIT = "client.edit"
    CONSENT_MANAGE = "consent.manage"
    GUARDIAN_MANAGE = "guardian.manage"
    SESSION_RECORD = "session.record"
    MEASUREMENT_RECORD = "measurement.record"
    MEASURE_DEFINE = "measure.define"
    NOTE_SIGN = "note.sign"
    RELEASE_GIVE = "release.give"
    LIBRARY_VIEW = "library.view"
    EVIDENCE_VIEW = "evidence.view"
    EVIDENCE_EDIT = "evidence.edit"
    REPORT_VIEW = "report.view"
    EXPORT_DATA = "export.data"
    TEAM_MANAGE = "team.manage"
    AUDIT_VIEW = "audit.view"
    SETTINGS_MANAGE = "settings.manage"
    TOKEN_MANAGE = "token.manage"  # noqa: S105 - a permission name, not a secret
    RECORD_EXPORT = "record.export"
    RECORD_IMPORT = "record.import"
    UNIT_VIEW = "unit.view"
    STUDY_VIEW = "study.view"
    STUDY_MANAGE = "study.manage"
    STUDY_RANDOMISE = "study.randomise"
    ALLOCATION_VIEW = "allocation.view"
    OUTCOME_ASSESS = "outcome.assess"
    COURSE_VIEW = "course.view"
    COURSE_MANAGE = "course.manage"
    COURSE_ENROL = "course.enrol"


_ALL = frozenset(Role)
_CLINICAL = frozenset({Role.ADMIN, Role.THERAPIST})

# Caregivers reach only the clients they are a guardian of (enforced by the client selectors), so the
# permissions they hold here apply to those clients alone. Researchers work on de-identified, aggregated
# data and are kept out of identifiable client records.
GRID: dict[Perm, frozenset[Role]] = {
    # Not the assessor: a client's record (plans, sessions, notes) reveals a study participant's arm, so an
    # outcome assessor reaches a client only through the study's assessment pages (OUTCOME_ASSESS, issue 13).
    Perm.CLIENT_VIEW: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER, Role.INSTRUCTOR}),
    Perm.CLIENT_ADD: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    Perm.CLIENT_EDIT: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    Perm.CONSENT_MANAGE: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    Perm.GUARDIAN_MANAGE: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    Perm.SESSION_RECORD: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER, Role.INSTRUCTOR}),
    Perm.MEASUREMENT_RECORD: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    # An organisation's own outcome measures (a licensed instrument it holds a licence for): defined by its
    # clinical lead, which in this role model is the administrator ("in a small practice the lead clinician
    # is the administrator", tests/test_permission_expectations.py). Every member may read the definitions.
    Perm.MEASURE_DEFINE: frozenset({Role.ADMIN}),
    Perm.NOTE_SIGN: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER, Role.INSTRUCTOR}),
    Perm.RELEASE_GIVE: _CLINICAL,
    Perm.LIBRARY_VIEW: _ALL,
    Perm.EVIDENCE_VIEW: _ALL,
    Perm.EVIDENCE_EDIT: frozenset({Role.ADMIN, Role.RESEARCHER}),
    Perm.REPORT_VIEW: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    Perm.EXPORT_DATA: frozenset({Role.ADMIN}),
    Perm.TEAM_MANAGE: frozenset({Role.ADMIN}),
    Perm.AUDIT_VIEW: frozenset({Role.ADMIN}),
    Perm.SETTINGS_MANAGE: frozenset({Role.ADMIN}),
    Perm.TOKEN_MANAGE: _ALL,
    # One client's record as a FHIR Bundle, to hand over care or to give a family their copy. It holds
    # only what the person can already open on that client's pages (the selectors scope caregivers to
    # their own children), and every export is audited. Bulk CSV files stay EXPORT_DATA (admins only).
    Perm.RECORD_EXPORT: frozenset({Role.ADMIN, Role.THERAPIST, Role.CAREGIVER}),
    # Creating a client from another system's FHIR Bundle brings in earlier measurements before any
    # consent is recorded here: a clinical decision, so clinical roles only.
    Perm.RECORD_IMPORT: _CLINICAL,
    # Figures over every client of the organisation (adherence across a unit or caseload).
    Perm.UNIT_VIEW: _CLINICAL,
    # Programme evaluation (issue 13, docs/evaluation.md). Who randomises never sees the allocation list,
    # and who holds the list (the study's statistician: the researcher) never randomises nor reads a named
    # record, so nobody can foresee the next allocation for a child in front of them. Study pages show
    # participants by study number; names only to roles that may read client records. The assessor holds
    # none of the permissions that show an arm (evaluation/blinding.py lists them; the grid proves it).
    Perm.STUDY_VIEW: frozenset({Role.ADMIN, Role.THERAPIST, Role.RESEARCHER}),
    Perm.STUDY_MANAGE: frozenset({Role.ADMIN, Role.RESEARCHER}),
    Perm.STUDY_RANDOMISE: _CLINICAL,
    Perm.ALLOCATION_VIEW: frozenset({Role.RESEARCHER}),
    Perm.OUTCOME_ASSESS: frozenset({Role.ADMIN, Role.THERAPIST, Role.ASSESSOR}),
    # Infant-massage class series (issue 12). An instructor sees and runs only the courses they teach
    # (the course selectors); an administrator every course of the organisation. A parent enrols their own
    # baby through the course's link and logs home practice; they never see another family's record.
    Perm.COURSE_VIEW: frozenset({Role.ADMIN, Role.INSTRUCTOR}),
    Perm.COURSE_MANAGE: frozenset({Role.ADMIN, Role.INSTRUCTOR}),
    Perm.COURSE_ENROL: frozenset({Role.CAREGIVER}),
}


def role_has(role: Role | str, perm: Perm) -> bool:
    return Role(role) in GRID.get(perm, frozenset())
