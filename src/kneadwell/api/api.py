"""The JSON API under /api/v1/: one router per area, one error shape, OpenAPI at /api/v1/openapi.json."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from kneadwell.api.auth import BearerToken, PageSession
from kneadwell.api.errors import error_body, pydantic_errors
from kneadwell.core.errors import Conflict, DomainError, ValidationFailed

log = logging.getLogger("kneadwell.api")

api = NinjaAPI(
    title="Kneadwell API",
    version="1",
    description=(
        "Plan, guide, record and evaluate therapeutic massage programmes. Authenticate with a personal "
        "token (`Authorization: Bearer kw_…`, created under Account → API tokens). Every error is JSON: "
        "`detail` says what went wrong, `field` and `errors` name the inputs at fault."
    ),
    auth=[BearerToken(), PageSession()],
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    errors = [{"field": f, "message": m} for f, messages in exc.errors.items() for m in messages]
    return api.create_response(
        request, error_body(exc.message, field=exc.field, errors=errors), status=exc.status
    )


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    errors = [{"field": exc.field, "message": exc.message}] if exc.field else []
    current = exc.current_version if isinstance(exc, Conflict) else None
    return api.create_response(
        request,
        error_body(exc.message, field=exc.field, errors=errors, current_version=current),
        status=exc.status,
    )


@api.exception_handler(ValidationError)
def on_schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = pydantic_errors(list(exc.errors))
    first = errors[0] if errors else {"field": "request", "message": _("is not valid")}
    # The field name stays as sent (it is the input's name); only the words around it are translated.
    detail = _("%(field)s: %(message)s") % {"field": first["field"], "message": first["message"]}
    return api.create_response(request, error_body(detail, field=first["field"], errors=errors), status=422)


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, error_body(_("Authentication required: send `Authorization: Bearer <token>`.")), status=401
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, error_body(str(exc) or _("Not found.")), status=404)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000
    return api.create_response(
        request,
        error_body(
            _("The request body is larger than %(limit)s MB; send less at once.") % {"limit": f"{limit:g}"}
        ),
        status=413,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if message.startswith("Cannot parse request body"):
        message = _("The request body is not valid JSON.")
    return api.create_response(request, error_body(message), status=exc.status_code)


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """A fault of ours: the integration still gets the one JSON error shape (not Django's HTML page),
    with a reference that finds the traceback in the server log. The traceback itself is never sent."""
    reference = uuid.uuid4().hex[:12]
    log.error("API error %s on %s %s", reference, request.method, request.path, exc_info=exc)
    return api.create_response(
        request,
        error_body(
            _(
                "Something went wrong on our side (reference %(reference)s). If this request saved a "
                "change, read the record back before sending it again."
            )
            % {"reference": reference}
        ),
        status=500,
    )


def _register_routers() -> None:
    from kneadwell.api import (
        adverse_events,
        analyses,
        audit,
        charts,
        claims,
        clients,
        course_families,
        courses,
        evaluation,
        evaluation_participants,
        evidence_outcomes,
        growth,
        instruments,
        interop,
        library,
        me,
        measurements,
        measures,
        notes,
        offline,
        plans,
        reports,
        rules_bundle,
        sessions,
        signup,
    )

    api.add_router("/", me.router)
    api.add_router("/", signup.router)
    api.add_router("/", library.router)
    # care
    api.add_router("/", plans.router)
    api.add_router("/", sessions.router)
    api.add_router("/", notes.router)
    api.add_router("/", offline.router)  # the offline web app (issue 14)
    api.add_router("/", rules_bundle.router)  # the safety rules on the device (issue 14)
    api.add_router("/", adverse_events.router)
    # outcomes
    api.add_router("/", instruments.router)
    api.add_router("/", measures.router)
    api.add_router("/", measurements.router)
    api.add_router("/", growth.router)
    api.add_router("/", charts.router)
    api.add_router("/", interop.router)
    api.add_router("/", reports.router)
    # evidence
    api.add_router("/evidence", claims.router)
    api.add_router("/evidence", evidence_outcomes.router)
    api.add_router("/evidence", analyses.router)
    api.add_router("/clients", clients.router)
    api.add_router("/audit", audit.router)
    # courses (issue 12)
    api.add_router("/", courses.router)
    api.add_router("/", course_families.router)
    # programme evaluation (issue 13)
    api.add_router("/", evaluation.router)
    api.add_router("/", evaluation_participants.router)


_register_routers()
