"""Charts: drawing on the server (today, matplotlib SVG), a shared cache of the drawing, or data for the
browser to draw. Issue 11 asks for both options to be measured before one is chosen.

    uv run python benchmarks/bench_charts.py [--runs 15]

Sets Django up on a throwaway SQLite database (as bench_report.py, whose seed it reuses: a baby born at
30+2 weeks a year ago with 365 daily weights, monthly lengths and head circumferences, NIPS pain scores).
Every figure is the median of `--runs` in this process, printed in ms and as a ratio to a trivial request
measured in the same run (GET /healthz through Django's test client: middleware, session and one query),
so a run on a busy machine can be read against its own baseline.

- series: reading the points (growth_series / instrument_trend), which every option needs;
- draw: today's drawing (growth_chart_svg / trend_chart_svg), the cost of a cache miss;
- json: building the chart data for the browser (growth_chart_data / trend_chart_data) and json.dumps;
- shared cache: Django's DatabaseCache on this SQLite file (a table of its own, as `createcachetable`
  makes): the first request (draw + set) and a hit (get), the key hashed from the series as the pages
  did; Redis too when REDIS_URL is set and redis-py is installed;
- request: the whole request of the chart-data endpoints (the pages' path since issue 11);
- browser: when Chromium is at /usr/bin/chromium (or KNEADWELL_CHROMIUM), the same JSON drawn by
  static/js/charts.js with uPlot at 390 px in headless Chromium (the time the script reports for drawing,
  median of `--runs` page loads): what the browser option moves to the phone;
- synthetic trend: 500 administrations (TREND_LIMIT), drawn as today and built as JSON (pure functions).

Budget (exit 1 when missed): each chart-data request's median under 100 ms (ARCHITECTURE.md: pages and
API p95 under 100 ms) for this year of daily weights. A benchmark to run by hand or in `make bench`,
never a timed test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_report

BUDGET_MS = 100.0


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm: imports, first-use caches
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def database_cache() -> Any:
    from django.core.cache.backends.db import DatabaseCache
    from django.core.management.commands.createcachetable import Command

    command = Command()
    command.verbosity = 0
    command.create_table("default", "kneadwell_bench_cache", dry_run=False)
    return DatabaseCache("kneadwell_bench_cache", {"TIMEOUT": 24 * 3600})


def redis_cache() -> Any | None:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        return None
    try:
        import redis  # noqa: F401
    except ImportError:
        print("REDIS_URL is set but redis-py is not installed: Redis left out.")
        return None
    from django.core.cache.backends.redis import RedisCache

    return RedisCache(url, {"TIMEOUT": 24 * 3600})


def browser_draw_ms(payloads: dict[str, str], runs: int) -> dict[str, float]:
    """Median drawing time reported by charts.js in headless Chromium, per payload (JSON text)."""
    import functools
    import http.server
    import shutil
    import threading

    chromium = os.environ.get("KNEADWELL_CHROMIUM", "/usr/bin/chromium")
    if not Path(chromium).exists():
        print(f"No Chromium at {chromium}: browser drawing left out.")
        return {}
    from playwright.sync_api import sync_playwright

    static = Path(__file__).resolve().parents[1] / "src" / "kneadwell" / "static"
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="kneadwell-bench-browser-") as site:
        root = Path(site)
        shutil.copytree(static / "vendor", root / "vendor")
        shutil.copytree(static / "js", root / "js")
        for name, text in payloads.items():
            (root / f"{name}.json").write_text(text)
            (root / f"{name}.html").write_text(
                '<!doctype html><meta charset="utf-8">'
                '<link rel="stylesheet" href="vendor/uplot/uPlot.min.css">'
                f'<div class="chart-draw" data-chart="{name}.json"></div>'
                '<script src="vendor/uplot/uPlot.iife.min.js"></script><script src="js/charts.js"></script>'
            )
        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

        handler = functools.partial(Quiet, directory=site)
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"], headless=True)
                page = browser.new_page(viewport={"width": 390, "height": 844})
                for name in payloads:
                    times = []
                    for _ in range(runs + 1):
                        page.goto(f"{base}/{name}.html")
                        page.wait_for_selector(".chart-draw[data-draw-ms]")
                        times.append(float(page.get_attribute(".chart-draw", "data-draw-ms") or "nan"))
                    out[name] = statistics.median(times[1:])
                browser.close()
        finally:
            server.shutdown()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kneadwell-bench-charts-") as tmp:
        bench_report.setup_django(Path(tmp))
        from django.test import Client as HttpClient
        from django.urls import reverse

        from kneadwell.accounts.models import User
        from kneadwell.clients.models import Client
        from kneadwell.outcomes import selectors
        from kneadwell.outcomes.growth.chart_svg import growth_chart_svg

        _actor, client_id = bench_report.seed()
        client = Client.objects.get(pk=client_id)
        http = HttpClient(HTTP_HOST="127.0.0.1")
        http.force_login(User.objects.get(email="nurse@bench.test"))
        runs = args.runs
        rows: list[tuple[str, float]] = []

        def measure(name: str, fn: Callable[[], Any]) -> float:
            ms = median_ms(fn, runs)
            rows.append((name, ms))
            return ms

        baseline = measure("trivial request (GET /healthz, baseline)", lambda: http.get("/healthz"))

        points = selectors.growth_series(client=client, instrument_id="weight")
        trend = selectors.instrument_trend(client=client, instrument_id="nips")
        plotted = selectors.charts._plotted(client, points)

        def draw_growth() -> str:
            return growth_chart_svg("uk-who", "weight", client.sex, plotted, width_in=4.6, height_in=4.0)

        sizes = {
            "growth svg": len(draw_growth()),
            "growth json": len(json.dumps(selectors.growth_chart_data(client=client, points=points))),
            "trend svg": len(trend.chart_svg()),
            "trend json": len(json.dumps(selectors.trend_chart_data(trend))),
        }
        print(f"{len(points)} weights, {len(trend.rows)} NIPS scores; payload bytes: {sizes}")

        measure("growth: series (read + SDS)", lambda: selectors.growth_series(client=client))
        growth_draw = measure("growth: draw SVG (today, cache miss)", draw_growth)
        growth_json = measure(
            "growth: build JSON",
            lambda: json.dumps(selectors.growth_chart_data(client=client, points=points)),
        )
        measure("trend: series (read)", lambda: selectors.instrument_trend(
            client=client, instrument_id="nips"
        ))
        trend_draw = measure("trend: draw SVG (today, cache miss)", trend.chart_svg)
        trend_json = measure("trend: build JSON", lambda: json.dumps(selectors.trend_chart_data(trend)))

        def key_of() -> str:
            source = repr(("growth", client.sex, client.birth_date, [(p.date, p.value) for p in points]))
            return "outcomes:growth:" + hashlib.sha256(source.encode()).hexdigest()

        shared = [("DatabaseCache", database_cache())]
        redis = redis_cache()
        if redis is not None:
            shared.append(("Redis", redis))
        svg = draw_growth()
        for name, backend in shared:

            def first(backend: Any = backend) -> None:
                backend.delete(key_of())
                backend.set(key_of(), draw_growth())

            measure(f"growth: {name} first request (draw + set)", first)
            backend.set(key_of(), svg)
            measure(f"growth: {name} hit (key + get)", lambda backend=backend: backend.get(key_of()))

        # A heavy trend: 500 administrations of a 0-7 score (the most a trend shows), pure functions.
        import datetime as dt

        from kneadwell.outcomes.charts import Series, trend_chart_data, trend_chart_svg

        start = dt.date(2025, 1, 1)
        heavy = [Series("Total", tuple((start + dt.timedelta(days=k), float(k % 8)) for k in range(500)))]
        measure(
            "trend, 500 scores: draw SVG (today)",
            lambda: trend_chart_svg(title="NIPS", series=heavy, y_label="Total score", y_range=(0, 7)),
        )
        measure(
            "trend, 500 scores: build JSON",
            lambda: json.dumps(
                trend_chart_data(title="NIPS", series=heavy, y_label="Total score", y_range=(0, 7))
            ),
        )

        requests: dict[str, float] = {}
        for kind, url in (
            ("growth", reverse("outcomes:growth_chart", args=[client_id])),
            ("trend", reverse("outcomes:trend_chart", args=[client_id, "nips"])),
        ):
            answer = http.get(url)
            if answer.status_code != 200 or answer["Content-Type"] != "application/json":
                print(f"{url}: {answer.status_code} {answer['Content-Type']}")
                return 1
            requests[kind] = measure(f"{kind}: chart-data request (whole)", lambda url=url: http.get(url))

        drawn = browser_draw_ms(
            {
                "growth": json.dumps(selectors.growth_chart_data(client=client, points=points)),
                "trend": json.dumps(
                    trend_chart_data(title="NIPS", series=heavy, y_label="Total score", y_range=(0, 7))
                ),
            },
            runs,
        )

    print(f"median of {runs} runs; ratio to the trivial request in the same run (machine shared):")
    print(f"  {'':<48} {'ms':>8} {'ratio':>7}")
    for name, ms in rows:
        print(f"  {name:<48} {ms:>8.2f} {ms / baseline:>6.1f}x")
    for name, ms in drawn.items():
        label = "growth (this client)" if name == "growth" else "trend (500 scores)"
        print(f"  in Chromium at 390 px, charts.js drawing {label}: {ms:.1f} ms (in the browser)")
    growth_times, trend_times = growth_draw / growth_json, trend_draw / trend_json
    print(f"drawing / building JSON: growth {growth_times:.0f}x, trend {trend_times:.0f}x")
    over = {k: round(v, 1) for k, v in requests.items() if v >= BUDGET_MS}
    if over:
        print(f"FAIL: chart-data requests at or over {BUDGET_MS:g} ms: {over}")
        return 1
    print(f"OK: chart-data requests under {BUDGET_MS:g} ms, no chart drawn on the server for a page")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
