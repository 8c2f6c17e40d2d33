"""`kneadwell course-reminders`: email families a reminder before their next class (run it every hour from
cron)."""

from __future__ import annotations

import argparse
import datetime as dt

from kneadwell.core.bootstrap import django_setup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "course-reminders", help="email families a reminder for course classes within the next hours"
    )
    parser.add_argument("--hours", type=float, default=24.0, help="look this many hours ahead (default 24)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if not 0 < args.hours <= 72:
        print("error: --hours must be more than 0 and at most 72")
        return 2
    django_setup()
    from kneadwell.courses.reminders import send_class_reminders

    sent = send_class_reminders(ahead=dt.timedelta(hours=args.hours))
    print(f"Sent {sent} class reminder(s).")
    return 0
