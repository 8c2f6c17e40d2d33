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
    "kneadwell.evidence.meta.cli",
    "kneadwell.outcomes.growth.cli",
    "kneadwell.library.cli",
    "kneadwell.interop.cli",
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
    result: int = args.func(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
