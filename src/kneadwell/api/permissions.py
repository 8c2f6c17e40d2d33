"""Each API operation declares the permission it needs, in one visible place, like `page(perm)` for pages.

    @router.get("/{client_id}", ...)
    @needs(Perm.CLIENT_VIEW)
    def client_get(request, client_id): ...

`needs` runs after authentication and input validation (a 401 and a 422 come first, as before) and
before the operation's body: a member whose role lacks the permission gets a 403 before anything is
looked up. It also writes the permission into the OpenAPI document as `x-permission` on the operation
("public" for the one operation open without a token, "member" for any member of an organisation).
Services still check their own permissions (defence in depth); this is the boundary's declaration.
`tests/api/test_operation_permissions.py` fails for an operation without one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Final, Literal, TypeVar

from django.http import HttpRequest
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.core.tenancy import organisation_scope

PUBLIC: Final = "public"
MEMBER: Final = "member"
OPENAPI_KEY: Final = "x-permission"

Need = Perm | Literal["public", "member"]
F = TypeVar("F", bound=Callable[..., Any])


def declared(operation: Operation) -> str | None:
    """The permission an operation declares (its OpenAPI `x-permission`), or None."""
    value = (operation.openapi_extra or {}).get(OPENAPI_KEY)
    return str(value) if value is not None else None


def needs(need: Need) -> Callable[[F], F]:
    """Declare (and check at the operation boundary) the permission an API operation needs. Put it
    directly under the `@router.<method>(...)` line."""
    value = need.value if isinstance(need, Perm) else need
    if value not in (PUBLIC, MEMBER) and not isinstance(need, Perm):
        raise ValueError(f"Unknown permission {need!r}")

    def contribute(operation: Operation) -> None:
        operation.openapi_extra = {**(operation.openapi_extra or {}), OPENAPI_KEY: value}
        if isinstance(need, Perm):
            # The signature was read from the view when the operation was made, so swapping the
            # callable here changes nothing about parameters or the document.
            view = operation.view_func

            @wraps(view)
            def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
                actor = actor_of(request)
                actor.require(need)
                # Client-bound reads see the actor's organisation only (kneadwell.core.tenancy).
                with organisation_scope(actor.organisation_id):
                    return view(request, *args, **kwargs)

            operation.view_func = checked

    def decorator(func: F) -> F:
        # Read when the router makes the operation, hence the place under `@router.<method>(...)`:
        # above it, nothing is declared and tests/api/test_operation_permissions.py fails.
        contribute_operation_callback(func, contribute)
        return func

    return decorator
