"""`kneadwell audit verify [--organisation ID]`: recompute the audit log's hash chain.

Exit 0 when every chain is intact (the line says how many rows were checked); exit 1 with the first
broken link (the row's id, its organisation and what is wrong with it) when one is not."""

from __future__ import annotations

import argparse
import sys

from kneadwell.core.bootstrap import django_setup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = subparsers.add_parser("audit", help="check the audit log (its hash chain)")
    commands = audit.add_subparsers(dest="audit_command", metavar="SUBCOMMAND", required=True)
    verify = commands.add_parser("verify", help="recompute the hash chain and report the first broken link")
    verify.add_argument("--organisation", type=int, default=None, metavar="ID", help="only this organisation")
    verify.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.audit.services import audit_chain_verify

    state = audit_chain_verify(organisation_id=args.organisation)
    if state.first_break is None:
        before = f" ({state.unchained} written before the chain began)" if state.unchained else ""
        print(f"Audit chain intact: {state.checked} rows checked{before}.")
        return 0
    b = state.first_break
    print(
        f"Audit chain BROKEN at event {b.event_id} (organisation {b.organisation_id}): {b.reason}. "
        f"{state.checked} rows checked up to there.",
        file=sys.stderr,
    )
    return 1
