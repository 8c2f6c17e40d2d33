"""Pages: the printable report (HTML with print styles) and the PDF download, for a client and all
their plans or one (`?plan=`), in the parent or clinician version (`?version=`)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kneadwell.accounts.roles import Perm
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.reports import services


def _query(version: str, plan_id: int | None) -> str:
    return urlencode({"version": version, **({"plan": plan_id} if plan_id is not None else {})})


def _bad_request(request: ActorRequest, client_id: int, exc: ValidationFailed) -> HttpResponse:
    return render(
        request,
        "reports/bad_request.html",
        {"message": exc.message, "client_id": client_id},
        status=400,
    )


@page(Perm.REPORT_VIEW)
def report_page(request: ActorRequest, client_id: int) -> HttpResponse:
    try:
        version = services.parse_version(request.GET.get("version"))
    except ValidationFailed as exc:
        return _bad_request(request, client_id, exc)
    plan_id = services.parse_plan_id(request.GET.get("plan"))
    report = services.report_build(
        actor=request.actor, client_id=client_id, version=version, plan_id=plan_id, fmt="html"
    )
    other = "clinician" if version == "parent" else "parent"
    here = reverse("reports:page", args=[client_id])
    return render(
        request,
        "reports/report.html",
        {
            # The page draws the same document the PDF draws (reports/document.py).
            "document": services.report_document(report),
            "client_id": client_id,
            "client_name": report.client.name,
            "pdf_url": reverse("reports:pdf", args=[client_id]) + "?" + _query(version, plan_id),
            "other_url": here + "?" + _query(other, plan_id)
            if services.may_have(request.actor, other)
            else "",
            "other_label": _("Parent version") if other == "parent" else _("Clinician version"),
            "all_plans_url": here + "?" + _query(version, None) if plan_id is not None else "",
        },
    )


@page(Perm.REPORT_VIEW)
def report_pdf(request: ActorRequest, client_id: int) -> HttpResponse:
    try:
        version = services.parse_version(request.GET.get("version"))
    except ValidationFailed as exc:
        return _bad_request(request, client_id, exc)
    plan_id = services.parse_plan_id(request.GET.get("plan"))
    report, body = services.report_pdf(
        actor=request.actor, client_id=client_id, version=version, plan_id=plan_id
    )
    return pdf_response(body, report.filename)


def pdf_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # a child's health record: never kept by a shared cache
    return response
