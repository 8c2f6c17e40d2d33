from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from kneadwell.accounts.roles import GRID, Role


def membership(request: HttpRequest) -> dict[str, Any]:
    """The active membership and, for templates, the set of permissions it holds (`perms_held`)."""
    current = getattr(request, "membership", None)
    held: set[str] = set()
    if current is not None:
        role = Role(current.role)
        held = {perm.value for perm, roles in GRID.items() if role in roles}
    # The top-level area the page belongs to, for the navigation's "you are here" (/clients/3/check/ is
    # a client page even though the library app serves it).
    nav = request.path.strip("/").split("/", 1)[0]
    return {"membership": current, "perms_held": held, "nav": nav}
