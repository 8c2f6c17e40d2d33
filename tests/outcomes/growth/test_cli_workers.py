"""`kneadwell growth` with worker processes writes the same text as in one process (issue 11): the plain
blocks of a large file are computed in forked workers and written back in order; quoted stretches, bad
rows, rows of the wrong width and extra or replaced columns come out byte for byte the same."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kneadwell.outcomes.growth import cli
from kneadwell.outcomes.growth.cli import growth_file

HEADER = "sex,birth_date,observation_date,gestation_weeks,gestation_days,measurement_method,observation_value"

GOOD = st.builds(
    "{},2025-{:02d}-10,2026-{:02d}-{:02d},{},{},{},{}".format,
    st.sampled_from(["male", "female", "Female "]),
    st.integers(1, 12),
    st.integers(1, 12),
    st.integers(1, 28),
    st.sampled_from(["", "30", "36", "40"]),
    st.sampled_from(["", "0", "3"]),
    st.sampled_from(["weight", "height", "ofc", "bmi"]),
    st.sampled_from(["3.1", "55", "41.5", "15.25", "7", "0", "-1", "x"]),
)
BAD = st.sampled_from(
    [
        "boy,2026-01-01,2026-03-01,,,weight,4.0",
        "male,2026-02-30,2026-03-01,,,weight,4.0",
        "male,2026-01-01,2026-03-01,,,weight,4,5",  # a field too many
        "male,2026-01-01",  # too few
        "",  # a blank line
        'male,2026-01-01,2026-03-01,,,"weight",4.0',  # a quote: the csv module reads the rest
        "male,2026-01-01,2026-03-01,,,weight,4.0\r",  # with the CR LF ending this makes CR CR LF
    ]
)


def _file(tmp_path: Path, name: str, header: str, lines: list[str], ending: str) -> Path:
    path = tmp_path / name
    path.write_bytes((ending.join([header, *lines]) + ending).encode("utf-8"))
    return path


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    lines=st.lists(st.one_of(GOOD, GOOD, GOOD, BAD), min_size=0, max_size=40),
    ending=st.sampled_from(["\n", "\r\n"]),
    header=st.sampled_from([HEADER, "client," + HEADER, HEADER + ",corrected_sds,error"]),
    block_chars=st.integers(30, 400),
    workers=st.integers(2, 3),
)
def test_workers_write_the_same_bytes_as_one_process(
    tmp_path: Path, lines: list[str], ending: str, header: str, block_chars: int, workers: int
) -> None:
    extra = header.count(",") - HEADER.count(",")
    if header.startswith("client,"):
        lines = [f"c{i}," + line if line else line for i, line in enumerate(lines)]
    elif extra:
        lines = [line + ",old,old" if line else line for line in lines]
    source = _file(tmp_path, "in.csv", header, lines, ending)
    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    growth_file(str(source), str(one), workers=1, block_chars=block_chars)
    growth_file(str(source), str(many), workers=workers, block_chars=block_chars)
    assert many.read_bytes() == one.read_bytes()


def _rows(n: int) -> list[str]:
    return [f"female,2025-01-10,2025-03-{1 + i % 28:02d},34,{i % 7},weight,{2 + i / 100}" for i in range(n)]


def test_a_large_file_is_computed_in_workers_from_its_first_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[int] = []
    real_pool = cli._worker_pool

    def pool(workers: int, job: cli._GrowthJob) -> object:
        started.append(workers)
        return real_pool(workers, job)

    monkeypatch.setattr(cli, "_worker_pool", pool)
    source = _file(tmp_path, "in.csv", HEADER, _rows(300), "\n")
    growth_file(str(source), str(tmp_path / "many.csv"), workers=2, block_chars=1000)
    growth_file(str(source), str(tmp_path / "one.csv"), workers=1, block_chars=1000)
    assert started == [2]
    assert (tmp_path / "many.csv").read_bytes() == (tmp_path / "one.csv").read_bytes()


def test_a_one_block_file_never_starts_a_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pool(workers: int, job: cli._GrowthJob) -> object:
        raise AssertionError("a worker pool was started for a small file")

    monkeypatch.setattr(cli, "_worker_pool", no_pool)
    source = _file(tmp_path, "in.csv", HEADER, _rows(20), "\n")
    growth_file(str(source), str(tmp_path / "out.csv"), workers=4)
    assert len((tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()) == 21


@pytest.mark.parametrize(
    ("cpus", "load", "workers"),
    [(2, 0.0, 2), (2, 0.4, 2), (2, 0.9, 1), (2, 1.2, 1), (2, 7.5, 1), (8, 0.0, 4), (8, 5.0, 3), (1, 0.0, 1)],
)
def test_the_default_is_one_worker_per_idle_cpu_at_most_four(
    monkeypatch: pytest.MonkeyPatch, cpus: int, load: float, workers: int
) -> None:
    monkeypatch.setattr(cli.os, "sched_getaffinity", lambda pid: set(range(cpus)))
    monkeypatch.setattr(cli.os, "getloadavg", lambda: (load, load, load))
    assert cli.default_workers() == workers
