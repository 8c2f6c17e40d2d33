"""The `kneadwell` command line. Each sub-command lives in its own module with `register(subparsers)`;
commands that need the database call `kneadwell.core.bootstrap.django_setup()` themselves, so the pure
ones (growth, velocity, meta, library) start fast."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# One line per sub-command module, in the order `kneadwell --help` lists them.
COMMAND_MODULES: tuple[str, ...] = (
    "kneadwell.commands.serve",
    "kneadwell.commands.admin",
    "kneadwell.care.cli",
    "kneadwell.courses.cli",
    "kneadwell.evidence.meta.cli",
    "kneadwell.outcomes.growth.cli",
    "kneadwell.library.cli",
    "kneadwell.interop.cli",
    "kneadwell.audit.cli",
    "kneadwell.evaluation.cli",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="kneadwell",
        description="Plan, guide, record and evaluate therapeutic massage programmes.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        result: int = args.func(args)
    except Exception as exc:
        problem = database_problem(exc)
        if problem is None:
            raise
        # One line a person can act on; a traceback through Django's database layer helps no one here.
        print(f"kneadwell {args.command}: {problem}", file=sys.stderr)
        return 3
    return result


def database_problem(exc: BaseException) -> str | None:
    """What is wrong with the database in words, or None when `exc` is not about the database. Django is
    only looked at when a command has already loaded it (the pure commands never do)."""
    if "django.db" not in sys.modules:
        return None
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    if isinstance(exc, ImproperlyConfigured):
        return str(exc).splitlines()[0] if str(exc) else "the configuration is not valid"
    if not isinstance(exc, DatabaseError):
        return None
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    db = settings.DATABASES["default"]
    where = f"{db['ENGINE'].rsplit('.', 1)[-1]} database {db.get('NAME')!s}"
    if db.get("HOST"):
        where += f" on {db['HOST']}:{db.get('PORT') or 'default port'}"  # never the password
    lowered = first.lower()
    if "no such table" in lowered or (
        "does not exist" in lowered and ("relation" in lowered or "column" in lowered)
    ):
        return f"the {where} is not migrated ({first}); run `kneadwell migrate` first"
    return f"cannot use the {where}: {first}"


if __name__ == "__main__":
    raise SystemExit(main())
