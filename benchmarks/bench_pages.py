"""Pages and API under load on the seeded clinic, and SQL queries per request at two data sizes.

    uv run python benchmarks/bench_pages.py [--scale 1.0] [--users 8] [--requests 2000] [--seconds 300]
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/kneadwell_bench \
        uv run python benchmarks/bench_pages.py

1. Load (ARCHITECTURE.md, "Performance budgets": p95 under 100 ms at 8 concurrent users on a clinic of
   5,000 clients, 100,000 sessions and 1,000,000 measurements). The seeded database comes from
   `seeded.database_url` (a cached SQLite file by default; PostgreSQL when BENCH_DATABASE_URL is set).
   `kneadwell serve` (gunicorn with the workers and threads it picks for the machine, as shipped:
   2 × CPUs + 1 workers of 2 threads, `commands/serve.py`) is started on a free port on
   127.0.0.1 only. `--users` threads each log in as an administrator (sessions and CSRF as a browser
   does) and then send requests back to back, with no think time (the strictest reading of "8
   concurrent users": 8 requests always in flight), drawn in turn from every page and API operation of
   the list below with ids picked at random from the seeded clinic (plus its heaviest clients). The run
   stops after `--requests` requests or `--seconds` seconds. Each kind is requested once by every user
   before timing starts (templates compiled, the content library loaded in every worker).

   Printed per kind: count, p50, p95 and max in ms, and p50 as a ratio to /healthz measured in the same
   run (the baseline: the same server, middleware and database connection with no page work), so a run
   on a busy machine can be read against its own baseline. Exit 1 when any kind's p95, or the p95 over
   all requests, is 100 ms or more, or when any request fails.

2. Query counts (the budget: "the number of SQL queries per request does not grow with the data").
   In a separate process, on a fresh test database (in memory for SQLite; `test_<name>` on PostgreSQL),
   Django's test client counts the queries of every page and operation (after one warm-up request) for
   clients with 10 sessions, 10 daily weights and 10 scores, then again, after 40 more clients were
   added, for clients with 200 of each. Exit 1 when any count is higher the second time.

The machine is shared (other processes may be running): absolute times move with its load; the ratios
to the baseline move less. Run with `--no-load` or `--no-queries` to do one part only, or `--cpu-only` for
the one-user CPU-per-request table alone (no load test, no query counts: a quick before/after check).
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

HERE = Path(__file__).resolve().parent
BUDGET_MS = 100.0
BASELINE = "healthz (baseline)"

Target = dict[str, Any]
# kind -> how to build a path from one seeded client (None: this client has nothing for it).
PAGES: dict[str, Callable[[Target, dict[str, Any], random.Random], str | None]] = {
    "dashboard": lambda t, all_, rng: "/",
    "client list": lambda t, all_, rng: "/clients/",
    "client search": lambda t, all_, rng: f"/clients/?q={rng.choice(all_['families'])}",
    "client page": lambda t, all_, rng: f"/clients/{t['client']}/",
    "plan page": lambda t, all_, rng: f"/clients/{t['client']}/plans/{t['plan']}/" if t["plan"] else None,
    "player": lambda t, all_, rng: f"/sessions/{t['session']}/" if t["session"] else None,
    "growth page": lambda t, all_, rng: f"/clients/{t['client']}/growth/" if t["growth"] else None,
    "growth chart": lambda t, all_, rng: (
        f"/clients/{t['client']}/growth/chart-data/" if t["growth"] else None
    ),
    "trend page": lambda t, all_, rng: (
        f"/clients/{t['client']}/trends/{t['instrument']}/" if t["instrument"] else None
    ),
    "trend chart": lambda t, all_, rng: (
        f"/clients/{t['client']}/trends/{t['instrument']}/chart-data/" if t["instrument"] else None
    ),
    "measurement list": lambda t, all_, rng: f"/clients/{t['client']}/measurements/",
    "protocol page": lambda t, all_, rng: f"/library/protocols/{rng.choice(all_['protocols'])}/",
    "audit log": lambda t, all_, rng: "/audit/",
    "api clients": lambda t, all_, rng: "/api/v1/clients",
    "api client": lambda t, all_, rng: f"/api/v1/clients/{t['client']}",
    "api plans": lambda t, all_, rng: f"/api/v1/clients/{t['client']}/plans",
    "api plan measurements": lambda t, all_, rng: (
        f"/api/v1/clients/{t['client']}/plans/{t['plan']}/measurements" if t["plan"] else None
    ),
    "api session": lambda t, all_, rng: f"/api/v1/sessions/{t['session']}" if t["session"] else None,
}
# Pages about the organisation rather than one client (query counts compare them once, not per client).
ORG_WIDE = {"dashboard", "client list", "client search", "protocol page", "audit log", "api clients"}
# The pages' script (static/js/charts.js) fetches each chart's data as JSON and draws it in the browser;
# the benchmark asks for the same JSON (nothing is drawn on the server).
CHART_DATA = {"growth chart", "trend chart"}


# --- load ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    kind: str
    path: str
    ms: float
    status: int
    user: int = 0


def log_in(base: str, email: str, password: str) -> requests.Session:
    http = requests.Session()
    http.get(f"{base}/accounts/login/", timeout=30).raise_for_status()
    answer = http.post(
        f"{base}/accounts/login/",
        data={
            "username": email,
            "password": password,
            "csrfmiddlewaretoken": http.cookies.get("csrftoken", ""),
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )
    if answer.status_code != 302:
        raise SystemExit(f"Logging in as {email} failed ({answer.status_code}).")
    return http


def plan_requests(found: dict[str, Any], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """`count` requests: every kind in turn (the baseline among them), each with a random client."""
    kinds = [*PAGES, BASELINE]
    jobs: list[tuple[str, str]] = []
    clients = found["clients"]
    while len(jobs) < count:
        for kind in kinds:
            if kind == BASELINE:
                jobs.append((kind, "/healthz"))
                continue
            for _ in range(50):
                path = PAGES[kind](rng.choice(clients), found, rng)
                if path:
                    jobs.append((kind, path))
                    break
    jobs = jobs[:count]
    rng.shuffle(jobs)
    return jobs


def drive(
    base: str,
    found: dict[str, Any],
    *,
    users: int,
    count: int,
    seconds: float,
    seed_: int,
    think_ms: float = 0.0,
    sample: Callable[[], Any] = lambda: None,
) -> tuple[list[Result], float, tuple[Any, Any]]:
    """Send the requests; `sample` is called just before and just after the timed part."""
    from seed import BENCH_PASSWORD

    rng = random.Random(seed_)
    admins = [found["login"].replace("admin1@", f"admin{k}@") for k in (1, 2, 3)]
    sessions = [log_in(base, admins[u % len(admins)], BENCH_PASSWORD) for u in range(users)]
    warm = plan_requests(found, len(PAGES) + 1, rng)
    jobs = plan_requests(found, count, rng)
    lock = threading.Lock()
    results: list[Result] = []
    position = 0
    deadline = 0.0

    def get(http: requests.Session, kind: str, path: str) -> Result:
        headers = {"Accept": "application/json"} if kind in CHART_DATA else {}
        started = time.perf_counter()
        answer = http.get(base + path, headers=headers, timeout=60, allow_redirects=False)
        _ = answer.content
        return Result(kind, path, (time.perf_counter() - started) * 1000, answer.status_code)

    def user(number: int, http: requests.Session, pause: random.Random) -> None:
        nonlocal position
        for kind, path in warm:
            get(http, kind, path)
        warmed.wait()
        start.wait()  # the deadline is set by then
        while True:
            with lock:
                if position >= len(jobs) or time.monotonic() > deadline:
                    return
                kind, path = jobs[position]
                position += 1
            result = get(http, kind, path)
            with lock:
                results.append(dataclasses.replace(result, user=number))
            if think_ms:
                time.sleep(pause.uniform(0, 2 * think_ms) / 1000)

    warmed = threading.Barrier(users + 1)
    start = threading.Event()
    threads = [
        threading.Thread(target=user, args=(k, s, random.Random(seed_ + k)), daemon=True)
        for k, s in enumerate(sessions)
    ]
    for thread in threads:
        thread.start()
    warmed.wait()
    first = sample()
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return results, elapsed, (first, sample())


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def report(results: list[Result], elapsed: float) -> list[str]:
    """Print the table; return the failures."""
    by_kind: dict[str, list[float]] = defaultdict(list)
    failures = []
    for r in results:
        by_kind[r.kind].append(r.ms)
        if r.status != 200:
            failures.append(f"{r.path} answered {r.status}")
    base = statistics.median(by_kind[BASELINE]) if by_kind.get(BASELINE) else float("nan")
    per_user = [sum(1 for r in results if r.user == u) for u in sorted({r.user for r in results})]
    print(
        f"  {len(results):,} requests in {elapsed:.1f} s ({len(results) / elapsed:.1f}/s) from "
        f"{len(per_user)} users ({min(per_user, default=0)} to {max(per_user, default=0)} requests each)"
    )
    print(f"  {'kind':<20} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p50/baseline':>13}")
    measured: list[float] = []
    for kind in [*PAGES, BASELINE]:
        values = by_kind.get(kind, [])
        if not values:
            failures.append(f"{kind}: no requests were made")
            continue
        p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
        flag = ""
        if kind != BASELINE:
            measured += values
            if p95 >= BUDGET_MS:
                failures.append(f"{kind}: p95 {p95:.0f} ms")
                flag = "  over budget"
        print(
            f"  {kind:<20} {len(values):>5} {p50:>8.1f} {p95:>8.1f} {max(values):>8.1f} "
            f"{p50 / base:>12.1f}x{flag}"
        )
    if measured:
        p50_all, p95_all = percentile(measured, 0.5), percentile(measured, 0.95)
        print(f"  {'all pages and API':<20} {len(measured):>5} {p50_all:>8.1f} {p95_all:>8.1f}")
        if p95_all >= BUDGET_MS:
            failures.append(f"p95 over every page and operation {p95_all:.0f} ms")
    return failures[:20]


def run_load(args: argparse.Namespace) -> list[str]:
    import seeded

    engine = "PostgreSQL" if os.environ.get("BENCH_DATABASE_URL") else "SQLite"
    url = seeded.database_url(args.scale)
    found = seeded.targets(url)
    if not args.no_cpu:
        cpu_costs(url, found)
    from kneadwell.commands.serve import concurrency_for, usable_cpus

    shipped = concurrency_for(cpus=usable_cpus(), workers=args.workers, threads=args.threads)
    how = "as asked" if args.workers or args.threads else "as shipped"
    print(f"server {how}: {shipped.workers} workers × {shipped.threads} threads", flush=True)
    think = f"think time {args.think_ms:g} ms on average" if args.think_ms else "no think time"
    print(
        f"load: {engine}, scale {args.scale:g}, {args.users} users ({think}), up to {args.requests:,} "
        f"requests or {args.seconds:g} s, {len(found['clients'])} clients picked ({os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f})",
        flush=True,
    )
    log = seeded.bench_dir() / "serve.log"
    with seeded.served(url, workers=args.workers, threads=args.threads, log=log) as base:
        server_group = seeded.serving_group(base)
        results, elapsed, (before, after) = drive(
            base,
            found,
            users=args.users,
            count=args.requests,
            seconds=args.seconds,
            seed_=args.seed,
            think_ms=args.think_ms,
            sample=lambda: cpu_split(server_group),
        )
    print(f"  load average after the run: {os.getloadavg()[0]:.1f}")
    failures = report(results, elapsed)
    print_cpu_split(before, after, len(results))
    return failures


@dataclasses.dataclass(frozen=True)
class CpuSplit:
    """CPU seconds so far: the server's processes, this load generator, the whole machine (busy, idle)."""

    server: float
    generator: float
    machine_busy: float
    machine_idle: float


def cpu_split(server_group: int) -> CpuSplit:
    """Where the machine's CPU goes during the run (Linux /proc; the server is every process of its
    process group, the master and its workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        # After the command's closing bracket: state, ppid, pgrp, ..., utime (12th), stime (13th).
        if int(fields[2]) == server_group:
            server += (int(fields[11]) + int(fields[12])) / tick
    usage = os.times()
    machine = [int(v) / tick for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = machine[3] + machine[4]  # idle and iowait
    return CpuSplit(server, usage.user + usage.system, sum(machine) - idle, idle)


def print_cpu_split(before: CpuSplit, after: CpuSplit, requests_made: int) -> None:
    if not requests_made:
        return
    per = 1000 / requests_made
    busy = after.machine_busy - before.machine_busy
    idle = after.machine_idle - before.machine_idle
    server = after.server - before.server
    generator = after.generator - before.generator
    print(
        f"  CPU per request during the timed part: server {server * per:.1f} ms, load generator "
        f"{generator * per:.1f} ms, everything else {(busy - server - generator) * per:.1f} ms; "
        f"the machine's CPUs were idle {100 * idle / (busy + idle):.0f}% of the time"
    )


# --- CPU per request ------------------------------------------------------------------------------


def cpu_costs(url: str, found: dict[str, Any]) -> None:
    """One user, in a process of its own on the seeded database: each kind's CPU time per request (the
    thread's CPU clock, so waiting for a busy machine's cores is left out) and its wall time."""
    import json

    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1", "BENCH_TARGETS": json.dumps(found)})
    subprocess.call([sys.executable, str(Path(__file__).resolve()), "--cpu-here"], env=env)  # noqa: S603


# The CPU table only (not the load mix): the base frame around next to nothing, what every page pays for
# its frame (navigation, language chooser, messages) on top of /healthz's middleware.
CPU_ONLY_PAGES: dict[str, Callable[[Target, dict[str, Any], random.Random], str | None]] = {
    "trivial page": lambda t, all_, rng: "/accounts/password-reset/sent/",
}


def cpu_kinds() -> list[tuple[str, Callable[[Target, dict[str, Any], random.Random], str | None]]]:
    return [*PAGES.items(), *CPU_ONLY_PAGES.items(), (BASELINE, lambda t, a, r: "/healthz")]


class CpuProbe:
    """One signed-in test client in this process (Django set up on $DATABASE_URL), asking each kind's paths
    (the same ones on every call: the seeded targets, a fixed random seed) and timing the thread's CPU."""

    def __init__(self, found: dict[str, Any], requests_per_kind: int = 12) -> None:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kneadwell.settings")
        import django

        django.setup()
        from django.test import Client as HttpClient

        from kneadwell.accounts.models import User

        self.http = HttpClient(HTTP_HOST="127.0.0.1")
        self.http.force_login(User.objects.get(email=found["login"]))
        self.paths: dict[str, list[str]] = {}
        for kind, build in cpu_kinds():
            rng = random.Random(3)
            found_paths = [p for p in (build(t, found, rng) for t in found["clients"]) if p]
            self.paths[kind] = found_paths[:requests_per_kind]

    def get(self, kind: str, path: str) -> Any:
        headers = {"Accept": "application/json"} if kind in CHART_DATA else {}
        return self.http.get(path, headers=headers)

    def measure(self, kind: str) -> tuple[float, float]:
        """Median CPU and wall ms of the kind's requests (after one warm-up request)."""
        paths = self.paths[kind]
        self.get(kind, paths[0])  # warm
        cpu, wall = [], []
        for path in paths:
            started, clock = time.perf_counter(), time.thread_time()
            answer = self.get(kind, path)
            cpu.append((time.thread_time() - clock) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
        return statistics.median(cpu), statistics.median(wall)

    def dump(self, folder: Path) -> None:
        """Each kind's first page as this tree answers it (for comparing two trees' HTML)."""
        folder.mkdir(parents=True, exist_ok=True)
        for kind, paths in self.paths.items():
            for number, path in enumerate(paths[:3]):
                body = self.get(kind, path).content
                (folder / f"{kind.replace(' ', '_')}-{number}.html").write_bytes(body)


def cpu_costs_here(requests_per_kind: int = 12) -> int:
    import json

    probe = CpuProbe(json.loads(os.environ["BENCH_TARGETS"]), requests_per_kind)
    print(f"CPU per request (one user, in-process, {requests_per_kind} requests per kind, median):")
    print(f"  {'kind':<20} {'cpu ms':>8} {'wall ms':>8}")
    for kind in probe.paths:
        cpu, wall = probe.measure(kind)
        print(f"  {kind:<20} {cpu:>8.1f} {wall:>8.1f}", flush=True)
    return 0


def cpu_serve_here() -> int:
    """A long-lived probe for `--compare`: reads one JSON command a line on stdin ({"kind": ...} or
    {"dump": folder}) and answers one JSON line on stdout."""
    import json

    probe = CpuProbe(json.loads(os.environ["BENCH_TARGETS"]))
    print(json.dumps({"ready": list(probe.paths)}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if "dump" in command:
            probe.dump(Path(command["dump"]))
            print(json.dumps({"dumped": command["dump"]}), flush=True)
        else:
            cpu, wall = probe.measure(command["kind"])
            print(json.dumps({"cpu": cpu, "wall": wall}), flush=True)
    return 0


def compare_trees(
    url: str,
    found: dict[str, Any],
    other: Path,
    *,
    rounds: int,
    dump: Path | None,
    skip: tuple[str, ...] = (),
) -> int:
    """This tree against `other` (another checkout's root; its src/ is put first on the import path), both
    on the same seeded database, in two long-lived processes asked in turn, kind by kind, `rounds` times;
    the fastest round of each kind kept (on a shared machine the load moves during a run: taking turns and
    keeping the minimum keep the comparison fair). With `dump`, each tree's pages are written to
    dump/this and dump/other first (compare them with `diff -r`, the CSRF tokens and newest reads aside)."""
    import json

    env = dict(os.environ)
    env.update({"DATABASE_URL": url, "ALLOWED_HOSTS": "127.0.0.1", "BENCH_TARGETS": json.dumps(found)})
    env.pop("PYTHONPATH", None)
    here_src = str(HERE.parent / "src")
    trees = {"this": here_src, "other": str(other.resolve() / "src")}
    probes: dict[str, subprocess.Popen[str]] = {}
    for name, src in trees.items():
        probes[name] = subprocess.Popen(  # noqa: S603 - our own script
            [sys.executable, str(Path(__file__).resolve()), "--cpu-serve", *(f"--skip={k}" for k in skip)],
            env={**env, "PYTHONPATH": src},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(name: str, command: dict[str, Any]) -> dict[str, Any]:
        probe = probes[name]
        assert probe.stdin is not None
        assert probe.stdout is not None
        probe.stdin.write(json.dumps(command) + "\n")
        probe.stdin.flush()
        answer: dict[str, Any] = json.loads(probe.stdout.readline())
        return answer

    kinds: list[str] = []
    for probe in probes.values():
        assert probe.stdout is not None
        kinds = json.loads(probe.stdout.readline())["ready"]
    if dump:
        for name in probes:
            ask(name, {"dump": str(dump / name)})
    best: dict[str, dict[str, float]] = {name: {} for name in probes}
    loads = [os.getloadavg()[0]]
    for number in range(rounds):
        order = list(probes) if number % 2 == 0 else list(reversed(probes))
        for kind in kinds:
            for name in order:
                cpu = ask(name, {"kind": kind})["cpu"]
                best[name][kind] = min(cpu, best[name].get(kind, math.inf))
        loads.append(os.getloadavg()[0])
        print(f"  round {number + 1} of {rounds} (load average {loads[-1]:.1f})", flush=True)
    for probe in probes.values():
        assert probe.stdin is not None
        probe.stdin.close()
        probe.wait()
    print(
        f"CPU ms per request, in-process, fastest of {rounds} rounds of 12 requests' medians "
        f"(load average {min(loads):.1f} to {max(loads):.1f}); other = {other}"
    )
    print(f"  {'kind':<22} {'other':>8} {'×':>6} {'this':>8} {'×':>6} {'this/other':>11}")
    base = {name: best[name][BASELINE] for name in probes}
    for kind in kinds:
        a, b = best["other"][kind], best["this"][kind]
        print(
            f"  {kind:<22} {a:>8.1f} {a / base['other']:>5.1f}x {b:>8.1f} {b / base['this']:>5.1f}x "
            f"{b / a:>11.2f}"
        )
    pages = [k for k in kinds if k != BASELINE and k not in CPU_ONLY_PAGES]
    mean_a = statistics.fmean(best["other"][k] for k in [*pages, BASELINE])
    mean_b = statistics.fmean(best["this"][k] for k in [*pages, BASELINE])
    label = "mean (load-mix kinds)"
    print(f"  {label:<22} {mean_a:>8.1f} {'':>6} {mean_b:>8.1f} {'':>6} {mean_b / mean_a:>11.2f}")
    return 0


# --- the page frame -----------------------------------------------------------------------------------

# base.html with parts of the frame taken out (in one process, the compiled base.html swapped in Django's
# cached template loader between measurements), to time what each part costs on every page.
_OFFLINE_TAGS = ("{% offline_head %}", "{% offline_status %}")


def _no_offline(source: str) -> str:
    for tag in _OFFLINE_TAGS:
        source = source.replace(tag, "")
    return source


def _no_chooser(source: str) -> str:
    import re

    return re.sub(r'<form class="languages".*?</form>', "", source, flags=re.S)


def _no_translate(source: str) -> str:
    """The frame's words as English literals (what the frame was before issue 14's lookups)."""
    import re

    return re.sub(r'{% translate "([^"]*)"(?: context "[^"]*")? %}', r"\1", source)


def _bare(source: str) -> str:
    return (
        "{% block title %}{% endblock %}{% block head %}{% endblock %}{% block content %}{% endblock %}"
        + ("{% block scripts %}{% endblock %}")
    )


FRAME_VARIANTS: dict[str, Callable[[str], str]] = {
    "as is": lambda source: source,
    "no offline line": _no_offline,
    "no chooser": _no_chooser,
    "no translated words": _no_translate,
    "none of the three": lambda source: _no_translate(_no_chooser(_no_offline(source))),
    "no frame at all": _bare,
}


def _base_template_installer() -> Callable[[str], None]:
    """A function that makes Django's cached loader serve base.html built by the named variant."""
    from django.template import engines
    from django.template.base import Origin, Template

    engine = engines["django"].engine  # type: ignore[attr-defined]
    loader = engine.template_loaders[0]
    if not hasattr(loader, "get_template_cache"):
        raise SystemExit("the frame benchmark needs Django's cached template loader (DEBUG off)")
    original = engine.get_template("base.html")
    source = Path(original.origin.name).read_text(encoding="utf-8")
    built: dict[str, Any] = {}
    for name, make in FRAME_VARIANTS.items():
        text = make(source)
        if name != "as is" and text == source:
            raise SystemExit(f"frame variant {name!r} changed nothing in base.html")
        origin = Origin(original.origin.name, template_name="base.html", loader=original.origin.loader)
        built[name] = original if name == "as is" else Template(text, origin, "base.html", engine)

    def install(name: str) -> None:
        loader.get_template_cache["base.html"] = built[name]

    return install


def frame_costs_here(rounds: int) -> int:
    """Each kind's CPU with every frame variant, interleaved, the fastest round's median kept."""
    import json

    probe = CpuProbe(json.loads(os.environ["BENCH_TARGETS"]))
    install = _base_template_installer()
    kinds = [k for k in probe.paths if k not in CHART_DATA and not k.startswith("api ") and k != BASELINE]
    kinds.append(BASELINE)
    best: dict[str, dict[str, float]] = {v: {} for v in FRAME_VARIANTS}
    loads = [os.getloadavg()[0]]
    for number in range(rounds):
        variants = list(FRAME_VARIANTS) if number % 2 == 0 else list(reversed(FRAME_VARIANTS))
        for kind in kinds:
            for variant in variants:
                install(variant)
                cpu = probe.measure(kind)[0]
                best[variant][kind] = min(cpu, best[variant].get(kind, math.inf))
        install("as is")
        loads.append(os.getloadavg()[0])
        print(f"  round {number + 1} of {rounds} (load average {loads[-1]:.1f})", flush=True)
    print(
        f"The page frame's cost, CPU ms per request in-process, fastest of {rounds} rounds of 12 requests' "
        f"medians (load average {min(loads):.1f} to {max(loads):.1f}): the page as is, then what each "
        "part of base.html costs (as is less the page without it)"
    )
    others = [v for v in FRAME_VARIANTS if v != "as is"]
    print(f"  {'kind':<20} {'as is':>7} " + " ".join(f"{v:>20}" for v in others))
    for kind in kinds:
        whole = best["as is"][kind]
        cells = []
        for variant in others:
            saved = whole - best[variant][kind]
            cells.append(f"{saved:>7.2f} ms ({saved / whole:>5.0%})")
        print(f"  {kind:<20} {whole:>7.1f} " + " ".join(f"{c:>20}" for c in cells))
    return 0


# --- query counts -----------------------------------------------------------------------------------


def query_counts() -> int:
    """In this process: a fresh test database, the same pages at two data sizes (see the docstring)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kneadwell.settings")
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1"
    import django

    django.setup()
    import seed
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from kneadwell.core.setup import load_content

        load_content()
        shapes = seed.learn_shapes()
        seeder = seed.Seeder(scale=0.01, seed=1, progress=lambda _line: None)
        seeder.use(shapes)
        seeder.start_org(seed.MAIN_ORG)
        ages = {"preterm_infant": 120, "infant": 300}
        small = [seeder.spec(p, sessions=10, growth_days=10, scores=10) for p in seed.POPULATIONS]
        seeder.write_specs(small)
        seeder.finish()
        first = _count_pages(seeder, small)
        rng = random.Random(5)
        large = [
            seeder.spec(p, sessions=200, growth_days=200, scores=200, age_days=ages.get(p))
            for p in seed.POPULATIONS
        ]
        filler = [
            seeder.spec(rng.choice(list(seed.POPULATIONS)), sessions=20, growth_days=20, scores=20)
            for _ in range(40)
        ]
        seeder.write_specs(large + filler)
        seeder.finish()
        second = _count_pages(seeder, large)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(f"query counts ({connection.vendor}): 10 vs 200 sessions, weights and scores per client")
    grown = []
    for key in first:
        a, b = first[key], second.get(key)
        mark = ""
        if b is None or b > a:
            grown.append(key)
            mark = "  GROWS"
        print(f"  {key:<40} {a:>4} {b if b is not None else '-':>4}{mark}")
    if grown:
        print("FAIL: query counts grow with the data: " + ", ".join(grown))
        return 1
    print("OK: no page or operation runs more queries with more data")
    return 0


def _count_pages(seeder: Any, specs: list[Any]) -> dict[str, int]:
    from django.db import connection
    from django.test import Client as HttpClient
    from django.test.utils import CaptureQueriesContext

    from kneadwell.accounts.models import User
    from kneadwell.care.models import Plan, Session
    from kneadwell.outcomes.models import Measurement

    http = HttpClient(HTTP_HOST="127.0.0.1")
    http.force_login(User.objects.get(pk=seeder.staff["admin"][0].pk))
    found: dict[str, Any] = {"families": ["Test"], "protocols": ["preterm_tks_10d"]}
    counts: dict[str, int] = {}
    for spec in specs:
        plan = Plan.objects.filter(client_id=spec.pk).order_by("status", "-starts_at").first()
        session = Session.objects.filter(client_id=spec.pk).order_by("-started_at").first()
        scores = (
            Measurement.objects.filter(client_id=spec.pk, value__isnull=True)
            .values_list("instrument_id", flat=True)
            .first()
        )
        target = {
            "client": spec.pk,
            "plan": plan.pk if plan else None,
            "session": session.pk if session else None,
            "instrument": scores,
            "growth": spec.growth_days > 0,
        }
        for kind, build in PAGES.items():
            path = build(target, found, random.Random(0))
            if path is None:
                continue
            key = kind if kind in ORG_WIDE else f"{kind} ({spec.population})"
            if key in counts:
                continue
            headers = {"Accept": "application/json"} if kind in CHART_DATA else {}
            http.get(path, headers=headers)  # warm: one-time loads (content library, caches)
            with CaptureQueriesContext(connection) as queries:
                answer = http.get(path, headers=headers)
            if answer.status_code != 200:
                raise SystemExit(f"{path} answered {answer.status_code}")
            counts[key] = len(queries.captured_queries)
    return counts


def run_queries() -> list[str]:
    env = dict(os.environ)
    postgres = env.get("BENCH_DATABASE_URL", "")
    env["DATABASE_URL"] = postgres or "sqlite:///" + str(Path(os.devnull))
    code = subprocess.call([sys.executable, str(Path(__file__).resolve()), "--query-counts-here"], env=env)  # noqa: S603
    return [] if code == 0 else ["query counts grow with the data (see above)"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="seeded clinic size (1.0 = the budgets')")
    parser.add_argument("--users", type=int, default=8, help="concurrent users (default 8)")
    parser.add_argument("--requests", type=int, default=2000, help="requests to time (default 2000)")
    parser.add_argument("--seconds", type=float, default=300, help="time limit of the timed part (300)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the request mix")
    parser.add_argument("--no-load", action="store_true", help="only count queries")
    parser.add_argument("--no-queries", action="store_true", help="only the load test")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="each user waits 0 to twice this many ms between requests (default 0: back to back)",
    )
    parser.add_argument("--no-cpu", action="store_true", help="skip the CPU-per-request table")
    parser.add_argument("--workers", type=int, help="server workers (default: as serve picks)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: as serve picks)")
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the one-user CPU table (no load, no queries)"
    )
    parser.add_argument(
        "--skip", action="append", default=[], metavar="KIND", help="leave a kind out (repeatable)"
    )
    parser.add_argument("--query-counts-here", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cpu-here", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--cpu-serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--frame-here", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--frame",
        action="store_true",
        help="only the page frame's parts, timed apart in-process on every page (see frame_costs_here)",
    )
    parser.add_argument(
        "--compare",
        type=Path,
        metavar="TREE",
        help="with --cpu-only: this tree against another checkout's root, interleaved (see compare_trees)",
    )
    parser.add_argument("--rounds", type=int, default=7, help="--compare's rounds (default 7)")
    parser.add_argument("--dump", type=Path, metavar="DIR", help="--compare: write both trees' pages here")
    args = parser.parse_args(argv)
    for kind in args.skip:
        if kind not in PAGES:
            parser.error(f"unknown kind {kind!r}; the kinds: {', '.join(PAGES)}")
        del PAGES[kind]
    if args.query_counts_here:
        return query_counts()
    if args.cpu_here:
        return cpu_costs_here()
    if args.cpu_serve:
        return cpu_serve_here()
    if args.frame_here:
        return frame_costs_here(args.rounds)
    if not 1 <= args.users <= 64 or not 1 <= args.requests <= 100_000:
        parser.error("--users 1 to 64, --requests 1 to 100,000")
    if args.frame:
        import json

        import seeded

        url = seeded.database_url(args.scale)
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": url,
                "ALLOWED_HOSTS": "127.0.0.1",
                "BENCH_TARGETS": json.dumps(seeded.targets(url)),
            }
        )
        return subprocess.call(  # noqa: S603 - our own script
            [
                sys.executable,
                str(Path(__file__).resolve()),
                "--frame-here",
                "--rounds",
                str(args.rounds),
                *(f"--skip={k}" for k in args.skip),
            ],
            env=env,
        )
    if args.cpu_only:
        import seeded

        url = seeded.database_url(args.scale)
        if args.compare:
            return compare_trees(
                url,
                seeded.targets(url),
                args.compare,
                rounds=args.rounds,
                dump=args.dump,
                skip=tuple(args.skip),
            )
        cpu_costs(url, seeded.targets(url))
        return 0
    failures: list[str] = []
    if not args.no_queries:
        failures += run_queries()
    if not args.no_load:
        failures += run_load(args)
    if failures:
        print("FAIL: " + "; ".join(failures))
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
