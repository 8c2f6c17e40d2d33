"""`kneadwell fhir export|import`, `kneadwell backup` and `kneadwell restore`.

FHIR commands act as a person: `--as EMAIL` names the account and `--org ID` the organisation when the
account belongs to several; the actor's channel is "cli", so the audit log shows where the action came
from, and every permission and tenancy rule of the pages applies. Backup and restore work on the whole
database and need no account: whoever can run them can already read the database file or server.

Exit codes: 0 done; 2 refused or failed, with the reason on stderr.

This module imports Django only inside the commands, so `kneadwell --help` stays fast.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from kneadwell.core.bootstrap import django_setup

if TYPE_CHECKING:
    from kneadwell.accounts.actor import Actor


class CliError(Exception):
    pass


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    fhir = subparsers.add_parser("fhir", help="export a client's record as a FHIR R4B Bundle, or import one")
    actions = fhir.add_subparsers(dest="fhir_command", metavar="ACTION", required=True)
    export = actions.add_parser("export", help="write one client's record as a FHIR R4B Bundle (JSON)")
    export.add_argument("--client", type=int, required=True, metavar="ID", help="the client's id")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    _actor_arguments(export)
    export.set_defaults(func=run_fhir_export)
    imp = actions.add_parser("import", help="create a client from a FHIR Bundle (Patient and Observations)")
    imp.add_argument("file", type=Path, help="the Bundle, a JSON file")
    imp.add_argument("--dry-run", action="store_true", help="check everything, save nothing")
    imp.add_argument(
        "--confirm-unusual", action="store_true", help="keep values that are possible but unusual (flagged)"
    )
    _actor_arguments(imp)
    imp.set_defaults(func=run_fhir_import)

    backup = subparsers.add_parser("backup", help="write the whole database to a file (portable, exact)")
    backup.add_argument("--out", type=Path, required=True, help="file to write (.gz compresses it)")
    backup.set_defaults(func=run_backup)
    restore = subparsers.add_parser("restore", help="load a backup into an empty database")
    restore.add_argument("file", type=Path, help="a file written by `kneadwell backup`")
    restore.add_argument(
        "--force", action="store_true", help="replace everything already in the database (audit log included)"
    )
    restore.add_argument(
        "--force-shorter-audit",
        action="store_true",
        help="restore even though the backup's audit log is shorter than this database's (drops history; "
        "the restore is recorded)",
    )
    restore.add_argument(
        "--allow-unsigned",
        action="store_true",
        help="accept a backup made before backups were signed (its checksum is still checked)",
    )
    restore.set_defaults(func=run_restore)


def _actor_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--as", dest="as_email", required=True, metavar="EMAIL", help="act as this account")
    parser.add_argument("--org", type=int, metavar="ID", help="organisation id, when the account has several")


def cli_actor(email: str, org_id: int | None) -> Actor:
    """The actor for `--as EMAIL [--org ID]`: the account's active membership, on the "cli" channel."""
    from kneadwell.accounts.actor import Actor, Channel
    from kneadwell.accounts.models import Membership, User

    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None or not user.is_active:
        raise CliError(f"There is no active account with the email {email}.")
    memberships = Membership.objects.filter(user=user, is_active=True).select_related("organisation")
    if org_id is not None:
        memberships = memberships.filter(organisation_id=org_id)
    found = list(memberships.order_by("organisation_id"))
    if not found:
        where = f"organisation {org_id}" if org_id is not None else "any organisation"
        raise CliError(f"{user.email} is not an active member of {where}.")
    if len(found) > 1:
        choices = ", ".join(f"{m.organisation_id} ({m.organisation.name})" for m in found)
        raise CliError(f"{user.email} belongs to several organisations; choose one with --org: {choices}.")
    return Actor(user=user, membership=found[0], channel=Channel.CLI)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def _domain_messages(exc: Exception) -> list[str]:
    from kneadwell.core.errors import DomainError, ValidationFailed

    if isinstance(exc, ValidationFailed):
        return [m for messages in exc.errors.values() for m in messages]
    if isinstance(exc, DomainError):
        return [exc.message]
    return [str(exc)]


def run_fhir_export(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.core.errors import DomainError
    from kneadwell.interop import services

    try:
        actor = cli_actor(args.as_email, args.org)
        result = services.fhir_export(actor=actor, client_id=args.client)
    except CliError as exc:
        return _fail(str(exc))
    except DomainError as exc:
        return _fail(" ".join(_domain_messages(exc)))
    text = json.dumps(result.bundle, indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        try:
            args.out.write_text(text, encoding="utf-8")
        except OSError as exc:
            return _fail(f"cannot write {args.out}: {exc.strerror or exc}")
        total = sum(result.counts.values())
        print(f"Wrote {total} resources to {args.out}.", file=sys.stderr)
    return 0


def run_fhir_import(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.core.errors import DomainError
    from kneadwell.interop import services
    from kneadwell.interop.fhir_import import MAX_BYTES

    try:
        size = args.file.stat().st_size
        if size > MAX_BYTES:
            return _fail(f"{args.file} is larger than {MAX_BYTES // 1_000_000} MB.")
        raw = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    try:
        actor = cli_actor(args.as_email, args.org)
        plan = services.fhir_plan(raw)
        result = services.fhir_import(
            actor=actor, plan=plan, confirm_unusual=args.confirm_unusual, dry_run=args.dry_run
        )
    except CliError as exc:
        return _fail(str(exc))
    except services.NeedsConfirmation as exc:
        for warning in exc.warnings:
            print(f"unusual: {warning}", file=sys.stderr)
        return _fail(
            "some values are possible but unusual; check them, then run again with --confirm-unusual."
        )
    except DomainError as exc:
        for message in _domain_messages(exc):
            print(f"error: {message}", file=sys.stderr)
        return 2
    for line in plan.skipped:
        print(f"not imported: {line}")
    if result.dry_run:
        print(f"Dry run: {plan.display_name} and {result.measurements} measurement(s) would be imported.")
        return 0
    assert result.client is not None
    print(
        f"Created client {result.client.pk} ({result.client.display_name}) "
        f"with {result.measurements} measurement(s)."
    )
    print(result.consent_note)
    return 0


def run_backup(args: argparse.Namespace) -> int:
    django_setup()
    import getpass

    from kneadwell.audit.services import Action
    from kneadwell.audit.writes import audit_action
    from kneadwell.interop.backup import BackupError, backup

    try:
        report = backup(args.out)
    except (BackupError, OSError) as exc:
        return _fail(f"backup failed: {exc}")
    # Logged after the dump, so the file is the database as it was and a restored copy matches it exactly.
    audit_action(
        actor=None,
        action=Action.EXPORT,
        entity="database",
        channel="cli",
        label=f"{getpass.getuser()} (command line)"[:254],
        summary=f"whole-database backup to {args.out.name}: {report.rows} rows, sha256 {report.sha256[:16]}",
        changes={"tables": report.tables, "sha256": report.sha256},
    )
    print(
        f"Backed up {report.rows} rows from {len(report.tables)} tables to {args.out} "
        f"(sha256 {report.sha256})."
    )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.interop.backup import BackupError, restore

    try:
        report = restore(
            args.file,
            force=args.force,
            force_shorter_audit=args.force_shorter_audit,
            allow_unsigned=args.allow_unsigned,
        )
    except BackupError as exc:
        return _fail(str(exc))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    print(f"Restored {report.rows} rows into {len(report.tables)} tables from {args.file}.")
    return 0
