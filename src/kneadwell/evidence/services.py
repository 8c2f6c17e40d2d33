"""Writes for the evidence area: an organisation's own meta-analyses. Each checks the role, validates
every row through the same reader as `kneadwell meta` (a bad row names its line or row and column, and
nothing is saved), checks the rows can be pooled, then saves and audits in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import snapshot
from kneadwell.audit.writes import create_audited, delete_audited, edit_audited
from kneadwell.core.concurrency import lock_for_edit
from kneadwell.core.errors import ValidationFailed
from kneadwell.evidence import analysis_rows
from kneadwell.evidence.meta.csv_input import StudyTableError
from kneadwell.evidence.models import MetaAnalysis
from kneadwell.evidence.selectors import library

FIELDS = ("title", "outcome", "outcome_code", "measure", "method", "notes", "rows")
MAX_TITLE = 150
MAX_NOTES = 5000
ERR_NOT_FOUND = gettext_noop("No such meta-analysis in your organisation.")


def _text(errors: dict[str, list[str]], name: str, value: str, *, required: bool, limit: int) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(name, []).append(_("This field is required."))
    if len(value) > limit:
        errors.setdefault(name, []).append(
            _("At most %(limit)s characters (this has %(count)s).") % {"limit": limit, "count": len(value)}
        )
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        errors.setdefault(name, []).append(_("Remove the control characters from this text."))
    return value


def _clean(
    *,
    title: str,
    outcome: str,
    outcome_code: str,
    measure: str,
    method: str,
    notes: str,
    rows: Sequence[Mapping[str, Any]] | None,
    csv_text: str | None,
    layout: str | None,
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    values: dict[str, Any] = {
        "title": _text(errors, "title", title, required=True, limit=MAX_TITLE),
        "outcome": _text(errors, "outcome", outcome, required=True, limit=MAX_TITLE),
        "outcome_code": (outcome_code or "").strip(),
        "notes": _text(errors, "notes", notes, required=False, limit=MAX_NOTES),
        "measure": measure,
        "method": method,
    }
    codes = {f.outcome_code for f in library().findings.values()}
    if values["outcome_code"] and values["outcome_code"] not in codes:
        errors["outcome_code"] = [_("Choose one of the evidence library's outcomes, or leave it empty.")]
    if measure not in MetaAnalysis.Measure.values:
        errors["measure"] = [
            _("Choose one of %(values)s.") % {"values": ", ".join(MetaAnalysis.Measure.values)}
        ]
    if method not in MetaAnalysis.Method.values:
        errors["method"] = [
            _("Choose one of %(values)s.") % {"values": ", ".join(MetaAnalysis.Method.values)}
        ]
    if "measure" not in errors:
        field = "csv_text" if csv_text is not None else "rows"
        try:
            if csv_text is not None:
                values["rows"] = analysis_rows.rows_from_csv(csv_text, measure)
            else:
                values["rows"] = analysis_rows.rows_from_table(list(rows or []), measure, layout)
        except StudyTableError as exc:
            message = str(exc)
            errors[field] = [message[:1].upper() + message[1:]]
        if "rows" in values and "method" not in errors:
            try:
                analysis_rows.analyse(analysis_rows.effects_for(values["rows"], measure), method)
            except analysis_rows.AnalysisError as exc:
                errors["method"] = [str(exc)[:1].upper() + str(exc)[1:]]
    if errors:
        raise ValidationFailed(errors)
    return values


def meta_analysis_create(
    *,
    actor: Actor,
    title: str,
    outcome: str,
    measure: str,
    method: str = MetaAnalysis.Method.REML,
    outcome_code: str = "",
    notes: str = "",
    rows: Sequence[Mapping[str, Any]] | None = None,
    csv_text: str | None = None,
    layout: str | None = None,
) -> MetaAnalysis:
    """Save a new analysis from `csv_text` (the CLI's CSV) or `rows` (one mapping per study, the CLI's
    column names; `layout` fixes the columns for typed rows)."""
    actor.require(Perm.EVIDENCE_EDIT)
    values = _clean(
        title=title,
        outcome=outcome,
        outcome_code=outcome_code,
        measure=measure,
        method=method,
        notes=notes,
        rows=rows,
        csv_text=csv_text,
        layout=layout,
    )
    with transaction.atomic():
        analysis = MetaAnalysis(
            organisation_id=actor.organisation_id, created_by=actor.user, updated_by=actor.user, **values
        )
        create_audited(
            actor=actor,
            obj=analysis,
            entity="meta_analysis",
            summary=f"created the meta-analysis '{analysis.title}' ({len(analysis.rows)} studies, "
            f"{analysis.measure}, {analysis.method})",
            changes=snapshot(analysis, FIELDS),
        )
    return analysis


def meta_analysis_update(
    *,
    actor: Actor,
    analysis_id: int,
    expected_version: int | None,
    rows: Sequence[Mapping[str, Any]] | None = None,
    csv_text: str | None = None,
    layout: str | None = None,
    **changes: Any,
) -> MetaAnalysis:
    """Change an analysis. Fields left out keep their value; rows left out are kept and checked again
    against the (possibly new) measure. A stale `expected_version` is a Conflict (409)."""
    actor.require(Perm.EVIDENCE_EDIT)
    unknown = set(changes) - {"title", "outcome", "outcome_code", "measure", "method", "notes"}
    if unknown:
        raise ValidationFailed({k: [_("This field cannot be changed.")] for k in sorted(unknown)})
    with edit_audited(
        actor=actor,
        queryset=MetaAnalysis.objects.filter(organisation_id=actor.organisation_id),
        pk=analysis_id,
        expected_version=expected_version,
        not_found=_(ERR_NOT_FOUND),
        entity="meta_analysis",
        fields=FIELDS,
    ) as edit:
        analysis = edit.row
        merged = {k: v for k, v in edit.before.items() if k != "rows"}
        merged.update({k: v for k, v in changes.items() if v is not None})
        if rows is None and csv_text is None:
            rows = analysis.rows
        values = _clean(**merged, rows=rows, csv_text=csv_text, layout=layout)
        edit.apply(values)
        analysis.updated_by = actor.user
        edit.summary = f"changed the meta-analysis '{analysis.title}': {', '.join(edit.changed) or 'nothing'}"
    return analysis


def meta_analysis_delete(*, actor: Actor, analysis_id: int, expected_version: int | None) -> None:
    """Delete an analysis; the audit row keeps everything it held, so it can be entered again."""
    actor.require(Perm.EVIDENCE_EDIT)
    with transaction.atomic():
        analysis = lock_for_edit(
            MetaAnalysis.objects.filter(organisation_id=actor.organisation_id),
            analysis_id,
            expected_version,
            not_found=_(ERR_NOT_FOUND),
        )
        kept = snapshot(analysis, FIELDS)
        delete_audited(
            actor=actor,
            obj=analysis,
            entity="meta_analysis",
            summary=f"deleted the meta-analysis '{kept['title']}'",
            changes=kept,
        )
