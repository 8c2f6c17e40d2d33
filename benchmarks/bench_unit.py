"""Unit dashboard on the seeded clinic: the adherence page over every active plan, against the 1 s budget.

    uv run python benchmarks/bench_unit.py [--scale 1.0] [--runs 7]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kneadwell_bench \
        uv run python benchmarks/bench_unit.py

ARCHITECTURE.md, "Performance budgets": "a unit dashboard over 1,000,000 measurements in under 1 s". The
unit-wide page the app has is /care/adherence/ (adherence and fidelity of the active plans of every
client the member can see, the first 500 by name; no page of the outcomes area reads across clients).
The organisation's home page ("due today" over every plan, recent clients) is timed beside it.

On the database of `seeded.database_url` (the clinic of 5,000 clients, 100,000 sessions and 1,000,000
measurements at scale 1; SQLite, or PostgreSQL with BENCH_DATABASE_URL), in a process of its own,
Django's test client requests each page once to warm up and then `--runs` times as an administrator,
and prints the median and slowest wall time, the median CPU time of the thread, the SQL query count and
time, and the median as a ratio to /healthz in the same process (the baseline). Exits 1 when the
adherence page's median is 1 s or more. The machine is shared: absolute times move with its load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

BUDGET_SECONDS = 1.0
PAGES = (
    ("unit adherence", "/care/adherence/"),
    ("home (due today)", "/"),
    ("healthz (baseline)", "/healthz"),
)


def measure_here(runs: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kneadwell.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext
    from seed import MAIN_ORG, login_email

    from kneadwell.accounts.models import User
    from kneadwell.care.models import Plan
    from kneadwell.outcomes.models import Measurement

    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.force_login(User.objects.get(email=login_email("admin")))
    active = Plan.objects.filter(organisation__name=MAIN_ORG, status="active").count()
    measured = Measurement.objects.count()
    print(f"unit dashboard: {active:,} active plans, {measured:,} measurements in the database")
    heads = ("median ms", "max ms", "cpu ms", "queries", "sql ms", "ratio")
    print(f"  {'page':<20} " + " ".join(f"{h:>9}" for h in heads))
    medians: dict[str, float] = {}
    lines = []
    for name, path in PAGES:
        http.get(path)
        wall, cpu = [], []
        queries = sql = 0.0
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started, clock = time.perf_counter(), time.thread_time()
                answer = http.get(path)
                wall.append(time.perf_counter() - started)
                cpu.append(time.thread_time() - clock)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
            queries = len(captured.captured_queries)
            sql = sum(float(q["time"]) for q in captured.captured_queries)
        medians[name] = statistics.median(wall)
        lines.append((name, statistics.median(wall), max(wall), statistics.median(cpu), queries, sql))
    baseline = medians["healthz (baseline)"]
    for name, median, slowest, clock, queries, sql in lines:
        print(
            f"  {name:<20} {median * 1000:>9.1f} {slowest * 1000:>9.1f} {clock * 1000:>9.1f} "
            f"{queries:>9.0f} {sql * 1000:>9.1f} {median / baseline:>8.0f}x"
        )
    if medians["unit adherence"] >= BUDGET_SECONDS:
        print(f"FAIL: the adherence page took {medians['unit adherence']:.2f} s (budget {BUDGET_SECONDS} s)")
        return 1
    print("OK")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seeded clinic size (1.0 = the budgets')")
    parser.add_argument("--runs", type=int, default=7, help="timed requests per page (default 7)")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.here:
        return measure_here(args.runs)
    import seeded

    url = seeded.database_url(args.scale)
    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    print(f"{engine}, scale {args.scale:g}, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1"})
    return subprocess.call(  # noqa: S603 - our own script
        [sys.executable, str(Path(__file__).resolve()), "--here", "--runs", str(args.runs)], env=env
    )


if __name__ == "__main__":
    sys.exit(main())
