"""CSV export service: the organisation's clients, their measurements and their finished sessions as
CSV files (the columns are `csv_io`'s)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kneadwell.accounts.actor import Actor
from kneadwell.accounts.roles import Perm
from kneadwell.audit.services import Action
from kneadwell.audit.writes import audit_action
from kneadwell.care.models import Session, StepLog
from kneadwell.clients.models import Client
from kneadwell.clients.selectors import client_queryset
from kneadwell.core.errors import ValidationFailed
from kneadwell.interop import csv_io
from kneadwell.outcomes.models import Measurement

# --- CSV export ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CsvExport:
    files: dict[str, str]  # name (clients, measurements) -> CSV text
    counts: dict[str, int]


def _clients_for_export(actor: Actor) -> QuerySet[Client]:
    # Names, then birth date and number: an order that does not depend on ids, so a re-import exports in
    # the same order (ids break ties only between otherwise identical rows).
    return client_queryset(actor=actor).order_by(
        "family_name", "given_name", "birth_date", "identifier", "id"
    )


def _client_row(c: Client) -> dict[str, object]:
    return {
        "client_ref": c.pk,
        "given_name": c.given_name,
        "family_name": c.family_name,
        "birth_date": c.birth_date.isoformat(),
        "sex": c.sex,
        "gestation_weeks": c.gestation_weeks,
        "gestation_days": c.gestation_days,
        "birth_weight_g": c.birth_weight_g,
        "conditions": csv_io.join_conditions(c.conditions),
        "identifier": c.identifier,
        "notes": c.notes,
    }


def _measurement_row(m: Measurement) -> dict[str, object]:
    answers = {k: v for k, v in (m.answers or {}).items() if k != "confirmed"}
    return {
        "client_ref": m.client_id,
        "identifier": m.client.identifier,
        "instrument": m.instrument_id,
        "taken_at": timezone.localtime(m.taken_at).isoformat(),
        "context": m.context,
        "answers": json.dumps(answers, sort_keys=True, ensure_ascii=False, separators=(",", ":")),
        "notes": m.notes,
        "confirmed": csv_io.YES if m.confirmed_unusual else "",
        "instrument_version": m.instrument_version,
        "scoring_version": m.scoring_version,
    }


def _measurements_for_export(actor: Actor) -> QuerySet[Measurement]:
    return (
        Measurement.objects.filter(
            organisation_id=actor.organisation_id,
            client__in=client_queryset(actor=actor),
            entered_in_error_at__isnull=True,
        )
        .order_by(
            "client__family_name",
            "client__given_name",
            "client__birth_date",
            "client__identifier",
            "client_id",
            "taken_at",
            "instrument_id",
            "id",
        )
        .select_related("client")
        .only(
            "client_id",
            "client__identifier",
            "instrument_id",
            "taken_at",
            "context",
            "answers",
            "notes",
            "confirmed_unusual",
            "instrument_version",
            "scoring_version",
        )
    )


def _session_row(s: Session) -> dict[str, object]:
    logs: list[StepLog] = list(s.step_logs.all())
    assert s.ended_at is not None  # finished sessions only
    return {
        "client_ref": s.client_id,
        "protocol": s.protocol_id,
        "population": s.population,
        "status": s.status,
        "started_at": timezone.localtime(s.started_at).isoformat(),
        "ended_at": timezone.localtime(s.ended_at).isoformat(),
        "steps_done": sum(1 for x in logs if x.outcome == StepLog.Outcome.DONE),
        "steps_skipped": sum(1 for x in logs if x.outcome == StepLog.Outcome.SKIPPED),
        "minutes": _minutes(x.seconds for x in logs),
        "stop_reason": s.stop_reason,
        "steps": csv_io.steps_json(
            csv_io.StepCell(
                technique=x.technique_id,
                regions=tuple(x.regions),
                outcome=x.outcome,
                seconds=x.seconds,
                phase=x.phase,
                skip_reason=x.skip_reason,
            )
            for x in logs
        ),
    }


def _minutes(seconds: Iterable[float]) -> str:
    return f"{sum(seconds) / 60:.2f}"


def _sessions_for_export(actor: Actor) -> QuerySet[Session]:
    """Finished sessions (completed or stopped) of the exported clients, in an order that does not
    depend on ids (as for measurements). Two queries: the sessions, then their steps."""
    return (
        Session.objects.filter(
            organisation_id=actor.organisation_id,
            client__in=client_queryset(actor=actor),
            status__in=(Session.Status.COMPLETED, Session.Status.STOPPED),
        )
        .order_by(
            "client__family_name",
            "client__given_name",
            "client__birth_date",
            "client__identifier",
            "client_id",
            "started_at",
            "id",
        )
        .prefetch_related("step_logs")
    )


CSV_FILES = ("clients", "measurements", "sessions")


def csv_export(*, actor: Actor, files: Sequence[str] = CSV_FILES) -> CsvExport:
    """Every (not archived) client of the organisation, their measurements and their finished sessions,
    as CSV files (`files` chooses which). Audited as one export naming the clients."""
    actor.require(Perm.EXPORT_DATA)
    unknown = sorted(set(files) - set(CSV_FILES))
    if unknown:
        raise ValidationFailed(
            {"files": [_("Choose from %(csv_files)s.") % {"csv_files": ", ".join(CSV_FILES)}]}
        )
    out: dict[str, str] = {}
    counts: dict[str, int] = {}
    with transaction.atomic():
        clients = list(_clients_for_export(actor))
        if "clients" in files:
            out["clients"] = csv_io.write_csv(csv_io.CLIENT_COLUMNS, (_client_row(c) for c in clients))
            counts["clients"] = len(clients)
        if "measurements" in files:
            rows = [_measurement_row(m) for m in _measurements_for_export(actor).iterator(chunk_size=2000)]
            out["measurements"] = csv_io.write_csv(csv_io.MEASUREMENT_COLUMNS, rows)
            counts["measurements"] = len(rows)
        if "sessions" in files:
            sessions = [_session_row(s) for s in _sessions_for_export(actor)]
            out["sessions"] = csv_io.write_csv(csv_io.SESSION_COLUMNS, sessions)
            counts["sessions"] = len(sessions)
        what = " and ".join(f"{n} {name}" for name, n in counts.items())
        audit_action(
            actor=actor,
            action=Action.EXPORT,
            entity="client",
            summary=f"exported {what} as CSV",
            changes={"format": "CSV", "counts": counts, "client_ids": [c.pk for c in clients]},
        )
    return CsvExport(files=out, counts=counts)
