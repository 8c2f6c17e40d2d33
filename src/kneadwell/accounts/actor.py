"""Who is acting, for which organisation, through which channel. Every service and selector takes an
`Actor`, so tenancy, permissions and the audit trail are decided in one place for pages, API and CLI."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _

from kneadwell.accounts.models import Membership, Organisation, User
from kneadwell.accounts.roles import Perm, Role, role_has
from kneadwell.core.errors import PermissionDenied


class Channel(StrEnum):
    PAGE = "page"
    API = "api"
    CLI = "cli"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    user: User
    membership: Membership
    channel: Channel
    ip: str = ""

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def organisation_id(self) -> int:
        return self.membership.organisation_id

    @property
    def role(self) -> Role:
        return Role(self.membership.role)

    @property
    def is_caregiver(self) -> bool:
        return self.role is Role.CAREGIVER

    def can(self, perm: Perm) -> bool:
        return self.membership.is_active and role_has(self.role, perm)

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise PermissionDenied(
                _("Your role (%(role)s) does not allow this.") % {"role": self.role.label}
            )
