"""`kneadwell study …`: programme evaluation from the command line.

* `study sequence --seed S --arms massage:1,control:1 --blocks 2,4,6 [--strata K1,K2] --length N` prints
  the allocation sequence the documented algorithm gives (CSV: stratum, position, block, block_size, arm).
  Pure: no database, so a statistician can check a list from its seed anywhere.
* `study list`, `study analyse CODE`, `study export CODE --out FILE [--dictionary FILE]`,
  `study allocation CODE` act as a person (`--as EMAIL [--org ID]`, audited on the "cli" channel) with
  that person's rights: the allocation list only for its holder, the export only for study managers.
Exit codes: 0 done, 2 bad input or a refusal (the message says why)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

from kneadwell.core.bootstrap import django_setup


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    study = subparsers.add_parser("study", help="programme evaluation: sequences, analysis, dataset export")
    actions = study.add_subparsers(dest="action", metavar="ACTION", required=True)
    seq = actions.add_parser("sequence", help="print an allocation sequence from its seed (no database)")
    seq.add_argument("--seed", required=True)
    seq.add_argument("--arms", required=True, help="code:ratio pairs, e.g. massage:1,control:1")
    seq.add_argument("--blocks", required=True, help="block sizes, e.g. 2,4,6")
    seq.add_argument("--strata", default="all", help="stratum keys, comma separated (default: all)")
    seq.add_argument("--length", type=int, required=True, help="at least this many lines per stratum")
    seq.set_defaults(func=run_sequence)
    for name, help_text, func in (
        ("list", "your organisation's studies", run_list),
        ("analyse", "the analysis as JSON", run_analyse),
        ("export", "the analysis dataset (and its dictionary) as CSV", run_export),
        ("allocation", "the allocation list's check (its holder only)", run_allocation),
    ):
        parser = actions.add_parser(name, help=help_text)
        if name != "list":
            parser.add_argument("code", help="the study's code, e.g. TKS")
        if name in ("analyse", "export"):
            parser.add_argument("--population", choices=("itt", "per_protocol"), default="itt")
        if name == "export":
            parser.add_argument("--out", required=True, type=Path)
            parser.add_argument("--dictionary", type=Path)
        parser.add_argument(
            "--as", dest="as_email", required=True, metavar="EMAIL", help="act as this account"
        )
        parser.add_argument(
            "--org", type=int, metavar="ID", help="organisation id, when the account has several"
        )
        parser.set_defaults(func=func)


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 2


def run_sequence(args: argparse.Namespace) -> int:
    from kneadwell.evaluation.methods import allocation as alloc

    try:
        arms = []
        for pair in args.arms.split(","):
            code, _, ratio = pair.partition(":")
            arms.append(alloc.ArmSpec(code.strip(), int(ratio or 1)))
        blocks = [int(b) for b in args.blocks.split(",")]
    except ValueError:
        return _fail("--arms is code:ratio pairs and --blocks whole numbers, comma separated")
    problems = alloc.design_problems(arms, blocks, [], {})
    if problems:
        return _fail("; ".join(problems))
    try:
        slots = alloc.generate(
            seed=args.seed,
            arms=arms,
            block_sizes=blocks,
            stratum_keys=args.strata.split(","),
            length=args.length,
        )
    except alloc.AllocationError as exc:
        return _fail(str(exc))
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["stratum", "position", "block", "block_size", "arm"])
    for s in slots:
        writer.writerow([s.stratum, s.position, s.block, s.block_size, s.arm])
    return 0


def _with_actor(args: argparse.Namespace, body: Any) -> int:
    django_setup()
    from kneadwell.core.errors import DomainError, ValidationFailed
    from kneadwell.core.tenancy import organisation_scope
    from kneadwell.interop.cli import CliError, cli_actor

    try:
        actor = cli_actor(args.as_email, args.org)
        with organisation_scope(actor.organisation_id):
            return int(body(actor))
    except CliError as exc:
        return _fail(str(exc))
    except ValidationFailed as exc:
        return _fail("; ".join(m for ms in exc.errors.values() for m in ms))
    except DomainError as exc:
        return _fail(exc.message)


def _study(actor: Any, code: str, perm: Any = None) -> Any:
    from kneadwell.accounts.roles import Perm
    from kneadwell.evaluation.selectors.studies import study_by_code

    return study_by_code(actor=actor, code=code, perm=perm or Perm.STUDY_VIEW)


def run_list(args: argparse.Namespace) -> int:
    def body(actor: Any) -> int:
        from kneadwell.evaluation.selectors.studies import study_list

        for s in study_list(actor=actor):
            print(f"{s.code}\t{s.status}\t{s.title}")
        return 0

    return _with_actor(args, body)


def run_analyse(args: argparse.Namespace) -> int:
    def body(actor: Any) -> int:
        from kneadwell.api.evaluation_types import result_out
        from kneadwell.evaluation.selectors.results import analyse, study_data

        found = analyse(study_data(_study(actor, args.code)), population=args.population)
        out = {
            "population": args.population,
            "outcomes": [result_out(a.outcome, a.result).dict() for a in found],
        }
        print(json.dumps(out, indent=2))
        return 0

    return _with_actor(args, body)


def run_export(args: argparse.Namespace) -> int:
    def body(actor: Any) -> int:
        from kneadwell.accounts.roles import Perm
        from kneadwell.evaluation.services import dataset_export

        files = dataset_export(
            actor=actor, study=_study(actor, args.code, Perm.STUDY_MANAGE), population=args.population
        )
        args.out.write_text(files.data, encoding="utf-8")
        if args.dictionary:
            args.dictionary.write_text(files.dictionary, encoding="utf-8")
        print(
            f"Wrote {files.rows} rows to {args.out}"
            + (f" and the dictionary to {args.dictionary}" if args.dictionary else "")
        )
        return 0

    return _with_actor(args, body)


def run_allocation(args: argparse.Namespace) -> int:
    def body(actor: Any) -> int:
        from kneadwell.accounts.roles import Perm
        from kneadwell.evaluation.selectors.allocation import allocation_view

        view = allocation_view(actor=actor, study=_study(actor, args.code, Perm.ALLOCATION_VIEW))
        if view.listing is None:
            return _fail(f"study {args.code} has no allocation list yet")
        print(
            json.dumps(
                {
                    "method": view.listing.method,
                    "algorithm": view.listing.algorithm,
                    "lines": len(view.slots),
                    "used": sum(1 for s in view.slots if s.participant_id),
                    "reproduces_from_seed": view.reproduces,
                    "balance_problems": view.balance_problems,
                },
                indent=2,
            )
        )
        return 0 if view.reproduces is not False and not view.balance_problems else 1

    return _with_actor(args, body)
