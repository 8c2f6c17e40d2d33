"""Every API operation declares the permission it needs (`kneadwell.api.permissions.needs`), the OpenAPI
document shows it as `x-permission`, and the declaration is what the boundary checks (issue 16, part 2)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client as HttpClient
from ninja.operation import Operation

from kneadwell.accounts.roles import Perm
from kneadwell.api.api import api
from kneadwell.api.permissions import MEMBER, OPENAPI_KEY, PUBLIC, declared
from kneadwell.core.errors import PermissionDenied

# The one operation open without a login (family sign-up, throttled per network address).
PUBLIC_OPERATIONS = {("post", "/api/v1/signup")}
KNOWN = {PUBLIC, MEMBER} | {p.value for p in Perm}


def _operations() -> list[tuple[str, str, Operation]]:
    out = []
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                full = "/api/v1/" + "/".join(part.strip("/") for part in (prefix, path) if part.strip("/"))
                out.extend((method.lower(), full, operation) for method in operation.methods)
    return out


OPERATIONS = _operations()


def test_every_operation_in_the_openapi_document_declares_its_permission() -> None:
    schema = api.get_openapi_schema()
    undeclared = sorted(
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if operation.get(OPENAPI_KEY) not in KNOWN
    )
    assert undeclared == [], "declare each with @needs(...) under its @router line"
    assert len(OPERATIONS) == sum(len(item) for item in schema["paths"].values())


def test_the_served_document_carries_the_declarations(client: HttpClient, db: None) -> None:
    document = client.get("/api/v1/openapi.json").json()
    assert document["paths"]["/api/v1/clients/{client_id}"]["get"][OPENAPI_KEY] == "client.view"
    assert document["paths"]["/api/v1/audit"]["get"][OPENAPI_KEY] == "audit.view"
    assert document["paths"]["/api/v1/signup"]["post"][OPENAPI_KEY] == PUBLIC
    assert document["paths"]["/api/v1/me"]["get"][OPENAPI_KEY] == MEMBER


def test_only_signup_is_public_and_it_alone_needs_no_login() -> None:
    public = {(method, path) for method, path, op in OPERATIONS if declared(op) == PUBLIC}
    assert public == PUBLIC_OPERATIONS
    for method, path, op in OPERATIONS:
        opened = op.auth_param is None  # `auth=None` on the route: no token, no session
        assert opened == ((method, path) in PUBLIC_OPERATIONS), f"{method.upper()} {path}"


class _Refusing:
    """An actor whose role holds no permission: records what it was asked for."""

    def __init__(self) -> None:
        self.asked: list[Any] = []

    def require(self, perm: Any) -> None:
        self.asked.append(perm)
        raise PermissionDenied("no")


class _Request:
    def __init__(self) -> None:
        self.actor = _Refusing()


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(op, id=f"{method} {path}")
        for method, path, op in OPERATIONS
        if declared(op) not in (PUBLIC, MEMBER)
    ],
)
def test_the_boundary_checks_the_declared_permission_before_the_operation_runs(operation: Operation) -> None:
    """Called with an actor that holds nothing, the operation is refused before its own code runs (no
    arguments are given: the operation's body would fail on them), asking for the declared permission."""
    request = _Request()
    with pytest.raises(PermissionDenied):
        operation.view_func(request)
    assert [str(p) for p in request.actor.asked] == [declared(operation)]


def test_each_declaration_is_what_the_permission_grid_specifies() -> None:
    """The grid's API table (tests/test_permission_grid.py, written by hand) names what each operation
    needs; a declaration looser than that would pass the grid as long as a service checked the rest."""
    import test_permission_grid as grid

    wanted = {
        (op.method, op.path.split("?")[0]): {grid.PUBLIC: PUBLIC, grid.ANY_MEMBER: MEMBER}.get(
            str(op.need), str(op.need)
        )
        for op in grid.API
    }
    assert {(method, path): declared(op) for method, path, op in OPERATIONS} == wanted
