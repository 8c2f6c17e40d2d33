"""The seeded database the page benchmarks share, and the app served on it (a helper, not a benchmark).

SQLite (the default): one file per seed under var/bench/ (or $KNEADWELL_BENCH_DIR), named by the seed's
fingerprint (the seeder's code, the migrations, the scale and the random seed: `seed.fingerprint`), so a
changed migration or seeder gives a fresh file and an unchanged one is reused. Older files of the same
scale are removed (about 2 GB each at scale 1).

PostgreSQL: set BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/kneadwell_bench). The
database is created when missing, and DROPPED and created again when it holds another seed, so its name
must contain "bench" (a guard against pointing it at a real database).
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import seed

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEED_SCRIPT = HERE / "seed.py"
HELD_ANOTHER_SEED = 3  # seed.py's exit code when the database holds a different seed


def bench_dir() -> Path:
    path = Path(os.environ.get("KNEADWELL_BENCH_DIR", str(ROOT / "var" / "bench")))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _env(url: str, var_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "KNEADWELL_VAR_DIR": str(var_dir),
            "SECRET_KEY": "benchmark-only-not-secret-" + "x" * 30,
            "ALLOWED_HOSTS": "127.0.0.1",
            "DEBUG": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    env.pop("ACCESS_LOG", None)
    return env


def _seed(url: str, scale: float) -> int:
    """Run the seeder on `url` (it migrates first); its exit code."""
    with tempfile.TemporaryDirectory(prefix="kneadwell-seed-") as var:
        return subprocess.call(  # noqa: S603 - our own script
            [sys.executable, str(SEED_SCRIPT), "--scale", f"{scale:g}", "--if-missing"],
            env=_env(url, Path(var)),
        )


def database_url(scale: float) -> str:
    """A database holding the seed of this scale: BENCH_DATABASE_URL's (PostgreSQL) or a cached SQLite
    file. Seeds it first when needed (minutes at scale 1)."""
    postgres = os.environ.get("BENCH_DATABASE_URL", "")
    if postgres:
        return _postgres(postgres, scale)
    return _sqlite(scale)


def _sqlite(scale: float) -> str:
    key = seed.fingerprint(scale)
    folder = bench_dir()
    path = folder / f"seed-{key}.sqlite3"
    if path.exists():
        return f"sqlite:///{path}"
    for old in folder.glob(f"seed-*-s{scale:g}-*.sqlite3*"):
        old.unlink()
    partial = folder / f"seed-{key}.partial.sqlite3"
    for leftover in folder.glob(partial.name + "*"):
        leftover.unlink()
    print(f"Seeding a new SQLite database at scale {scale:g} (minutes at scale 1): {path}", flush=True)
    started = time.perf_counter()
    code = _seed(f"sqlite:///{partial}", scale)
    if code != 0:
        raise SystemExit(f"Seeding failed (exit {code}).")
    for suffix in ("-wal", "-shm"):
        Path(str(partial) + suffix).unlink(missing_ok=True)  # the seeder checkpointed and closed it
    partial.rename(path)
    print(f"Seeded in {time.perf_counter() - started:.0f} s.", flush=True)
    return f"sqlite:///{path}"


def _postgres(url: str, scale: float) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"BENCH_DATABASE_URL names the database {name!r}; it is dropped and re-created when it holds "
            "another seed, so its name must contain 'bench'."
        )
    admin = urlunsplit(parts._replace(path="/postgres"))
    import psycopg

    def recreate(drop: bool) -> None:
        with psycopg.connect(admin, autocommit=True) as conn:
            if drop:
                print(f"Dropping {name} (it holds another seed).", flush=True)
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{name}"')

    recreate(drop=False)
    code = _seed(url, scale)
    if code == HELD_ANOTHER_SEED:
        recreate(drop=True)
        code = _seed(url, scale)
    if code != 0:
        raise SystemExit(f"Seeding failed (exit {code}).")
    return url


def targets(url: str, count: int = 40) -> dict[str, Any]:
    """Client, plan and session ids to request (see `seed.targets`)."""
    with tempfile.TemporaryDirectory(prefix="kneadwell-targets-") as var:
        out = subprocess.run(  # noqa: S603 - our own script
            [sys.executable, str(SEED_SCRIPT), "--targets", str(count)],
            env=_env(url, Path(var)),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    found: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return found


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


_serving: dict[str, int] = {}


def serving_group(base: str) -> int:
    """The process group of the server `served` started at `base` (its master and workers)."""
    return _serving[base]


@contextmanager
def served(
    url: str, *, workers: int | None = None, threads: int | None = None, log: Path | None = None
) -> Iterator[str]:
    """`kneadwell serve` on a free loopback port, on the database `url`, with the worker and thread
    counts it picks for this machine (as shipped: `commands/serve.py`) unless `workers` or `threads` is
    given; yields its base address and stops it afterwards."""
    with tempfile.TemporaryDirectory(prefix="kneadwell-serve-") as var:
        port = free_port()
        env = _env(url, Path(var))
        for name in ("WEB_CONCURRENCY", "WEB_THREADS"):
            env.pop(name, None)
        if workers is not None:
            env["WEB_CONCURRENCY"] = str(workers)
        if threads is not None:
            env["WEB_THREADS"] = str(threads)
        out = log.open("w") if log else subprocess.DEVNULL
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "kneadwell", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopping it stops its workers
        )
        base = f"http://127.0.0.1:{port}"
        _serving[base] = proc.pid  # start_new_session: the group's id is the master's pid
        try:
            deadline = time.monotonic() + 180
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"kneadwell serve exited with {proc.returncode} (log: {log}).")
                try:
                    with urllib.request.urlopen(base + "/healthz", timeout=5) as answer:  # noqa: S310
                        if answer.status == 200:
                            break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("kneadwell serve did not answer /healthz within 180 s.")
                time.sleep(0.5)
            yield base
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
            _serving.pop(base, None)
            if log:
                out.close()  # type: ignore[union-attr]
