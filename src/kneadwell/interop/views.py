"""Pages: the client page's Export section, the FHIR Bundle download, FHIR import (upload → preview →
create), and the CSV export and import page."""

from __future__ import annotations

import json
import secrets
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from kneadwell.accounts.roles import Perm
from kneadwell.clients.models import Client
from kneadwell.core.errors import ValidationFailed
from kneadwell.core.web import ActorRequest, page
from kneadwell.interop import csv_io, services
from kneadwell.interop.fhir_import import MAX_BYTES, ImportPlan
from kneadwell.interop.forms import BundleConfirmForm, BundleUploadForm, CsvImportForm

SESSION_KEY = "interop.fhir_import"


def client_section(request: Any, client: Client) -> str:
    """The client page's "Export" card (registered in core/hooks.py), for those who may export."""
    if not request.actor.can(Perm.RECORD_EXPORT):
        return ""
    return render_to_string("interop/_client_section.html", {"client": client}, request=request)


@page(Perm.RECORD_IMPORT)
def index(request: ActorRequest) -> HttpResponse:
    return render(request, "interop/index.html", {})


@page(Perm.RECORD_EXPORT)
def fhir_export(request: ActorRequest, client_id: int) -> HttpResponse:
    result = services.fhir_export(actor=request.actor, client_id=client_id)
    body = json.dumps(result.bundle, indent=2, ensure_ascii=False)
    response = HttpResponse(body, content_type="application/fhir+json; charset=utf-8")
    filename = f"kneadwell-client-{client_id}-{timezone.localdate():%Y%m%d}.fhir.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _reasons(exc: ValidationFailed) -> list[str]:
    return [m for messages_ in exc.errors.values() for m in messages_]


def _preview(
    request: ActorRequest, plan: ImportPlan, warnings: list[str], confirm_error: str = ""
) -> HttpResponse:
    """Show what will be imported; the plan waits in the session under a one-time token."""
    token = secrets.token_urlsafe(16)
    request.session[SESSION_KEY] = {"token": token, "plan": plan.to_json()}
    return render(
        request,
        "interop/fhir_preview.html",
        {
            "plan": plan,
            "warnings": warnings,
            "form": BundleConfirmForm(initial={"token": token}),
            "confirm_error": confirm_error,
            "consent_note": _(services.CONSENT_NOTE).format(name=plan.display_name),
        },
    )


@page(Perm.RECORD_IMPORT)
def fhir_import(request: ActorRequest) -> HttpResponse:
    form = BundleUploadForm(request.POST or None, request.FILES or None)
    reasons: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.fhir_plan(form.cleaned_data["file"])
            services.fhir_import(actor=request.actor, plan=plan, dry_run=True)
        except services.NeedsConfirmation as exc:
            return _preview(request, plan, exc.warnings)
        except ValidationFailed as exc:
            reasons = _reasons(exc)
        else:
            return _preview(request, plan, [])
    return render(
        request,
        "interop/fhir_import.html",
        {"form": form, "reasons": reasons, "max_mb": MAX_BYTES // 1_000_000},
    )


@page(Perm.RECORD_IMPORT)
@require_POST
def fhir_import_confirm(request: ActorRequest) -> HttpResponse:
    form = BundleConfirmForm(request.POST)
    stored = request.session.get(SESSION_KEY)
    if (
        not form.is_valid()
        or not isinstance(stored, dict)
        or stored.get("token") != form.cleaned_data["token"]
    ):
        messages.error(
            request,
            _("That import is no longer waiting (it was done or it expired); upload the Bundle again."),
        )
        return redirect("interop:fhir_import")
    plan = ImportPlan.from_json(stored["plan"])
    try:
        result = services.fhir_import(
            actor=request.actor, plan=plan, confirm_unusual=form.cleaned_data["confirm_unusual"]
        )
    except services.NeedsConfirmation as exc:
        return _preview(
            request,
            plan,
            exc.warnings,
            _("Check the values listed and tick the box to keep them, or cancel."),
        )
    except ValidationFailed as exc:
        request.session.pop(SESSION_KEY, None)
        upload = BundleUploadForm()
        return render(
            request,
            "interop/fhir_import.html",
            {"form": upload, "reasons": _reasons(exc), "max_mb": MAX_BYTES // 1_000_000},
        )
    request.session.pop(SESSION_KEY, None)
    assert result.client is not None
    messages.success(
        request,
        ngettext(
            "%(client)s was imported from the FHIR Bundle with %(count)s measurement.",
            "%(client)s was imported from the FHIR Bundle with %(count)s measurements.",
            result.measurements,
        )
        % {"client": result.client.display_name, "count": result.measurements},
    )
    messages.warning(request, result.consent_note)
    return redirect("clients:detail", client_id=result.client.pk)


@page(Perm.EXPORT_DATA)
def csv_page(request: ActorRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = services.csv_import(
                actor=request.actor,
                clients_csv=form.cleaned_data["clients"],
                measurements_csv=form.cleaned_data["measurements"],
                sessions_csv=form.cleaned_data["sessions"],
            )
        except ValidationFailed as exc:
            for message in _reasons(exc):
                form.add_error(None, message)
    return render(
        request,
        "interop/csv.html",
        {
            "form": form,
            "report": report,
            "client_columns": csv_io.CLIENT_COLUMNS,
            "measurement_columns": csv_io.MEASUREMENT_COLUMNS,
            "session_columns": csv_io.SESSION_COLUMNS,
        },
    )


def _csv_download(request: ActorRequest, name: str) -> HttpResponse:
    export = services.csv_export(actor=request.actor, files=(name,))
    response = HttpResponse(export.files[name], content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="kneadwell-{name}-{timezone.localdate():%Y%m%d}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response


@page(Perm.EXPORT_DATA)
def csv_clients(request: ActorRequest) -> HttpResponse:
    return _csv_download(request, "clients")


@page(Perm.EXPORT_DATA)
def csv_measurements(request: ActorRequest) -> HttpResponse:
    return _csv_download(request, "measurements")


@page(Perm.EXPORT_DATA)
def csv_sessions(request: ActorRequest) -> HttpResponse:
    return _csv_download(request, "sessions")
