"""`kneadwell reminders`: email reminders for sessions due soon (run it every 15 minutes from cron).
`kneadwell figures`: recount every plan's stored adherence figures from its sessions (after rows were
written around the services, e.g. with SQL; the services keep them up to date otherwise)."""

from __future__ import annotations

import argparse
import datetime as dt

from kneadwell.core.bootstrap import django_setup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "reminders", help="email reminders for sessions due within the next hour(s)"
    )
    parser.add_argument("--hours", type=float, default=1.0, help="look this many hours ahead (default 1)")
    parser.set_defaults(func=run)
    figures = subparsers.add_parser(
        "figures", help="recount every plan's stored adherence figures from its sessions"
    )
    figures.set_defaults(func=run_figures)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.hours <= 48:
        print("error: --hours must be more than 0 and at most 48")
        return 2
    django_setup()
    from kneadwell.care.reminders import send_due_reminders

    sent = send_due_reminders(ahead=dt.timedelta(hours=args.hours))
    print(f"Sent {sent} reminder(s).")
    return 0


def run_figures(args: argparse.Namespace) -> int:
    django_setup()
    from django.db import transaction

    from kneadwell.care.services.figures import plan_figures_rebuild

    with transaction.atomic():
        count = plan_figures_rebuild()
    print(f"Recounted the adherence figures of {count} plan(s).")
    return 0
