"""`kneadwell library [--content DIR]`: print the loaded content library as JSON (contract).

Output: {"techniques": [{"id", "name", "regions", "sources"}],
         "protocols": [{"id", "name", "population", "sessions_per_day", "session_minutes", "days",
                        "sources"}],
         "rules": [{"id", "action", "sources"}]}
Exit 0 when the content validates; exit 2 when it does not, with "file:line: problem" on stderr, the first
problem first. Without --content, the whole shipped content is checked (kneadwell.content.check: the
evidence, the instruments and every source citation too), as `kneadwell serve` does. Pure: no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "library",
        help="print the content library (techniques, protocols, safety rules) as JSON",
        description="Validate the content library and print it as JSON. Exits 2 with file:line on a problem.",
    )
    parser.add_argument(
        "--content",
        type=Path,
        default=None,
        metavar="DIR",
        help="validate and print this content folder instead of the shipped one",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from kneadwell.library.loader import ContentError, load_library  # about 0.15 s: only for this command

    try:
        library = load_library(args.content)
        if args.content is None:
            from kneadwell.content.check import check_content

            check_content()
    except ContentError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    json.dump(library.contract(), sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0
