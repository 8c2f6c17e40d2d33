"""Who is blind to the arm. A role is blinded when it holds none of the permissions that show anything
revealing a participant's arm: a client's record (plans, sessions, notes, reports, exports of it), the
study's pages (arms, allocation, analysis), the allocation list, the audit log (which names each
randomisation's arm) and the organisation-wide exports and figures. Pure: reads the role grid only.

`tests/evaluation/test_blinding_grid.py` proves it from the other side: as an assessor, every page and API
operation either refuses or shows nothing that names an arm."""

from __future__ import annotations

from typing import Final

from kneadwell.accounts.roles import Perm, Role, role_has

ARM_REVEALING: Final[tuple[Perm, ...]] = (
    Perm.CLIENT_VIEW,
    Perm.MEASUREMENT_RECORD,
    Perm.SESSION_RECORD,
    Perm.NOTE_SIGN,
    Perm.REPORT_VIEW,
    Perm.RECORD_EXPORT,
    Perm.EXPORT_DATA,
    Perm.UNIT_VIEW,
    Perm.AUDIT_VIEW,
    Perm.STUDY_VIEW,
    Perm.STUDY_MANAGE,
    Perm.STUDY_RANDOMISE,
    Perm.ALLOCATION_VIEW,
)


def role_is_blinded(role: Role | str) -> bool:
    return not any(role_has(role, perm) for perm in ARM_REVEALING)
