"""`kneadwell reminders`: email reminders for sessions due soon (run it every 15 minutes from cron)."""

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


def run(args: argparse.Namespace) -> int:
    if not 0 < args.hours <= 48:
        print("error: --hours must be more than 0 and at most 48")
        return 2
    django_setup()
    from kneadwell.care.reminders import send_due_reminders

    sent = send_due_reminders(ahead=dt.timedelta(hours=args.hours))
    print(f"Sent {sent} reminder(s).")
    return 0
