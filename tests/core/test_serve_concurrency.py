"""`kneadwell serve` chooses its gunicorn workers and threads from the machine (commands/serve.py)."""

from __future__ import annotations

import os

import pytest

from kneadwell.cli import build_parser
from kneadwell.commands.serve import MAX_WORKERS, Concurrency, concurrency_for, usable_cpus


@pytest.mark.parametrize(
    ("cpus", "workers"),
    [(1, 3), (2, 5), (4, 9), (5, 11), (6, MAX_WORKERS), (64, MAX_WORKERS)],
)
def test_workers_are_twice_the_cpus_plus_one_up_to_the_ceiling(cpus: int, workers: int) -> None:
    assert concurrency_for(cpus=cpus) == Concurrency(workers=workers, threads=2)


def test_a_machine_that_reports_no_cpus_still_gets_workers() -> None:
    assert concurrency_for(cpus=0) == Concurrency(workers=3, threads=2)


def test_numbers_asked_for_are_kept_even_past_the_ceiling() -> None:
    assert concurrency_for(cpus=2, workers=1) == Concurrency(workers=1, threads=2)
    assert concurrency_for(cpus=2, workers=20, threads=8) == Concurrency(workers=20, threads=8)
    assert concurrency_for(cpus=8, threads=1) == Concurrency(workers=MAX_WORKERS, threads=1)


@pytest.mark.parametrize(("workers", "threads", "words"), [(0, None, "workers"), (None, -1, "threads")])
def test_fewer_than_one_is_refused_with_the_name(
    workers: int | None, threads: int | None, words: str
) -> None:
    with pytest.raises(ValueError, match=f"{words} must be at least 1"):
        concurrency_for(cpus=2, workers=workers, threads=threads)


def test_the_usable_cpus_are_this_process_s_cpu_set() -> None:
    expected = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert usable_cpus() == expected >= 1


def test_a_bad_web_concurrency_does_not_break_other_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    # The variable is read when `serve` runs, not when the parser is built for every command.
    monkeypatch.setenv("WEB_CONCURRENCY", "lots")
    args = build_parser().parse_args(["serve", "--threads", "3"])
    assert (args.workers, args.threads) == (None, 3)
