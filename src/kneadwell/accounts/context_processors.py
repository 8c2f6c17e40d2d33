from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from kneadwell.accounts.roles import GRID, Role


@cache
def _held(role: str) -> frozenset[str]:
    """The permissions a role holds (the grid is fixed when the code loads). Every template rendered with
    the request asks, the client page a section at a time, so it is worked out once per role."""
    return frozenset(perm.value for perm, roles in GRID.items() if Role(role) in roles)


def membership(request: HttpRequest) -> dict[str, Any]:
    """The active membership and, for templates, the set of permissions it holds (`perms_held`)."""
    current = getattr(request, "membership", None)
    held = _held(current.role) if current is not None else frozenset()
    # The top-level area the page belongs to, for the navigation's "you are here" (/clients/3/check/ is
    # a client page even though the library app serves it).
    nav = request.path.strip("/").split("/", 1)[0]
    caregiver = current is not None and current.role == Role.CAREGIVER

    def my_children() -> list[Any]:
        """A parent's own children (for "my baby" in the navigation); asked only when a page uses it."""
        from kneadwell.clients.models import Client

        if not caregiver or current is None:
            return []
        return list(
            Client.objects.filter(
                organisation_id=current.organisation_id,
                guardians__user_id=request.user.pk or 0,
                archived_at__isnull=True,
            ).order_by("given_name", "pk")[:5]
        )

    return {
        "membership": current,
        "perms_held": held,
        "nav": nav,
        "is_caregiver": caregiver,
        "my_children": my_children,
    }
