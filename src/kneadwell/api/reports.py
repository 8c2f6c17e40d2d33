"""Progress reports as PDF: a client's whole record or one plan, in the parent or clinician version."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from kneadwell.accounts.roles import Perm
from kneadwell.api.auth import actor_of
from kneadwell.api.errors import responses
from kneadwell.api.permissions import needs
from kneadwell.api.types import Id
from kneadwell.reports import services
from kneadwell.reports.views import pdf_response

router = Router(tags=["reports"])

PDF_RESPONSE = {
    200: {
        "description": "The report as a PDF file",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


class ReportParams(Schema):
    version: Literal["parent", "clinician"] = Field(
        "parent",
        description="`parent`: plain words for the family; `clinician`: the full record for the referring "
        "clinician (admins and therapists only; a caregiver gets 403)",
    )
    plan: Id | None = Field(None, description="One plan of the client; all plans when left out")


@router.get(
    "/clients/{client_id}/report.pdf",
    response=responses({}, 403, 404),
    summary="A client's progress report as a PDF",
    description=(
        "The same content as the printable report page. Every generation is audited as an export (with "
        "the version and plan). Errors are JSON like everywhere else."
    ),
    openapi_extra={"responses": PDF_RESPONSE},
)
@needs(Perm.REPORT_VIEW)
def report_pdf(request: HttpRequest, client_id: Id, params: Query[ReportParams]) -> HttpResponse:
    report, body = services.report_pdf(
        actor=actor_of(request), client_id=client_id, version=params.version, plan_id=params.plan
    )
    return pdf_response(body, report.filename)
