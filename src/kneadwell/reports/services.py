"""Generating a progress report: who may have which version, loading the client within the actor's
reach, collecting the content, and the audit row (every generation is an export of the record). The
page and the PDF both render `compose(report)`, one document (reports/document.py).

Caregivers get the parent version only. The clinician version is the organisation's letter to the
referring clinician: it is issued by the clinical team (admins, therapists/nurses), so a copy never
reaches a doctor looking as if the clinic had sent it when a family generated it themselves. Nothing in
it is hidden from the family: the same figures are on their child's pages, and the whole record is
theirs to download as a FHIR file (Perm.RECORD_EXPORT).

Languages (docs/reports.md, "Languages"). A parent's report is written in the language the reader's page
is in (Django's active language: their account's choice, the chooser's cookie or the browser's), its
clinical content through the translated library (`library.display.display_language`). The clinician's
report is the organisation's letter to the referring clinician and stays English whoever generates it:
it is collected and composed with translation switched off. No report is stored: each is made afresh
from the English record; the audit row says what was generated, in English."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager, nullcontext
from typing import Literal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.care.selectors import plan_get
from kneadwell.clients.selectors import client_get
from kneadwell.core.errors import NotFound, PermissionDenied, ValidationFailed
from kneadwell.library.display import display_language
from kneadwell.library.selectors import english_beside_unreviewed
from kneadwell.reports import content
from kneadwell.reports.compose import compose
from kneadwell.reports.document import Document

Format = Literal["pdf", "html"]
MAX_ID = 2**63 - 1

# English source (gettext_noop), translated where raised.
CAREGIVER_CLINICIAN_MESSAGE = gettext_noop(
    "The clinician version is written by the clinical team for the referring clinician, so parents and "
    "carers get the parent version. Everything in it is on your child's pages, and the whole record can "
    "be downloaded from the client page."
)


def may_have(actor: Actor, version: str) -> bool:
    """Whether the actor may generate this version (the page hides what they may not)."""
    if not actor.can(Perm.REPORT_VIEW):
        return False
    return version == "parent" or not actor.is_caregiver


def parse_version(value: str | None) -> content.Version:
    """The version asked for (parent when none): anything else is a 422 naming the field."""
    if not value:
        return "parent"
    for version in content.VERSIONS:
        if value == version:
            return version
    raise ValidationFailed({"version": [_("Choose the parent or the clinician version.")]})


def parse_plan_id(value: str | int | None) -> int | None:
    """`?plan=` as a plan id; a value that cannot be one is simply not found."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise NotFound(_("No such plan for this client.")) from None
    if not 1 <= number <= MAX_ID:
        raise NotFound(_("No such plan for this client."))
    return number


def report_build(
    *,
    actor: Actor,
    client_id: int,
    version: content.Version,
    plan_id: int | None = None,
    fmt: Format = "html",
    now: dt.datetime | None = None,
) -> content.Report:
    """The report's content for a client the actor may see (404 otherwise), for all plans or one, audited
    as an export with its version, plan and format."""
    actor.require(Perm.REPORT_VIEW)
    if version not in content.VERSIONS:
        raise ValidationFailed({"version": [_("Choose the parent or the clinician version.")]})
    if not may_have(actor, version):
        raise PermissionDenied(_(CAREGIVER_CLINICIAN_MESSAGE))
    client = client_get(actor=actor, client_id=client_id, purpose="generated a progress report")
    plan = plan_get(client=client, plan_id=plan_id) if plan_id is not None else None
    with in_language_of(version):
        report = content.collect(
            actor=actor,
            client=client,
            version=version,
            plan=plan,
            now=now,
            language=display_language() if version == "parent" else None,
            with_original=english_beside_unreviewed(actor.organisation),
        )
    scope = f"plan {plan.pk}" if plan is not None else "all plans"
    audit_action(
        actor=actor,
        action=Action.EXPORT,
        entity="report",
        entity_id=client.pk,
        client_id=client.pk,
        summary=f"generated the {version} progress report ({fmt.upper()}, {scope})",
        changes={"version": version, "plan": plan.pk if plan is not None else None, "format": fmt},
    )
    return report


def in_language_of(version: str) -> AbstractContextManager[None]:
    """The language a version is worded in: the reader's for the parent's, English for the clinician's
    (translation switched off: the English source strings)."""
    return nullcontext() if version == "parent" else translation.override(None)


def report_language(version: str) -> str:
    """The document's language tag ("es", "ar", "en-GB")."""
    code = translation.get_language() if version == "parent" else None
    code = code or settings.LANGUAGE_CODE
    primary, _sep, region = code.partition("-")
    return f"{primary}-{region.upper()}" if region else primary


def report_document(report: content.Report) -> Document:
    """The report's one document (the page and the PDF both render it), worded in its version's
    language."""
    with in_language_of(report.version):
        return compose(report, language=report_language(report.version))


def report_pdf(
    *,
    actor: Actor,
    client_id: int,
    version: content.Version,
    plan_id: int | None = None,
    now: dt.datetime | None = None,
) -> tuple[content.Report, bytes]:
    from kneadwell.reports.pdf import render_pdf  # fpdf2 loads only when a PDF is asked for

    report = report_build(
        actor=actor, client_id=client_id, version=version, plan_id=plan_id, fmt="pdf", now=now
    )
    return report, render_pdf(report_document(report))
