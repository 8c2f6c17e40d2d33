"""`kneadwell serve`: migrate, load the content library, optionally seed the demo, collect the static files
and serve with gunicorn.

How many workers and threads (`concurrency_for`): gunicorn's documentation ("Design: How many workers?")
recommends (2 × CPU cores) + 1 worker processes to start with and says 4-12 workers handle hundreds or
thousands of requests a second, so we take 2 × CPUs + 1, at most 12. The CPUs are the ones this process
may run on (a container's CPU set), not the machine's. Each worker runs 2 threads (gthread): a page spends
part of its time waiting for the database, and a second thread uses that wait, while the GIL makes more
threads than that add little for Python work. `--workers`/`WEB_CONCURRENCY` and `--threads`/`WEB_THREADS`
override either number (the flag wins). On PostgreSQL each thread may hold a connection: workers × threads
per app server.
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from typing import Any, Final

from kneadwell.core.bootstrap import django_setup

MAX_WORKERS: Final = 12
THREADS_PER_WORKER: Final = 2


@dataclass(frozen=True)
class Concurrency:
    workers: int
    threads: int


def concurrency_for(*, cpus: int, workers: int | None = None, threads: int | None = None) -> Concurrency:
    """The gunicorn workers and threads for a machine with `cpus` usable CPUs; `workers` and `threads`,
    when given, are what the person asked for and are kept. ValueError for a number below 1."""
    for name, value in (("workers", workers), ("threads", threads)):
        if value is not None and value < 1:
            raise ValueError(f"{name} must be at least 1, not {value}")
    chosen_workers = workers if workers is not None else min(2 * max(1, cpus) + 1, MAX_WORKERS)
    return Concurrency(chosen_workers, threads if threads is not None else THREADS_PER_WORKER)


def usable_cpus() -> int:
    """CPUs this process may run on (respects a container's or `taskset`'s CPU set where the OS says)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "serve", help="apply migrations, load the content library and serve the app"
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument("--demo", action="store_true", help="create a demo organisation and print its logins")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="gunicorn worker processes (default $WEB_CONCURRENCY, else 2 × CPUs + 1, at most 12)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads per worker (default $WEB_THREADS, else 2)",
    )
    parser.set_defaults(func=run)


def prepare(*, demo: bool) -> None:
    """Everything `serve` does before it listens; shared with tests and `kneadwell migrate`."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from kneadwell.core.setup import load_content

    for line in load_content():
        print(line)
    if demo:
        from kneadwell.core.demo import demo_create

        for line in demo_create():
            print(line)


def collect_static() -> None:
    """collectstatic into STATIC_ROOT: in production hashed names and .gz copies (settings.STORAGES).
    Before the app is loaded, so that whitenoise finds the files when it starts."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


def run(args: argparse.Namespace) -> int:
    django_setup()
    from kneadwell.core.env import env_int

    try:
        concurrency = concurrency_for(
            cpus=usable_cpus(),
            workers=args.workers if args.workers is not None else env_int("WEB_CONCURRENCY", 0) or None,
            threads=args.threads if args.threads is not None else env_int("WEB_THREADS", 0) or None,
        )
    except ValueError as exc:
        print(f"kneadwell serve: {exc}", file=sys.stderr)
        return 2
    prepare(demo=args.demo)
    collect_static()
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    from kneadwell.wsgi import application

    # Forked workers must not share the parent's database connections.
    connections.close_all()

    class Server(BaseApplication):
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return application

    print(
        f"Kneadwell is serving at http://{args.host}:{args.port}/ with {concurrency.workers} workers of "
        f"{concurrency.threads} threads (Ctrl+C stops it)",
        flush=True,
    )
    Server(
        {
            "bind": f"{args.host}:{args.port}",
            "workers": concurrency.workers,
            "worker_class": "gthread",
            "threads": concurrency.threads,
            "accesslog": "-" if os.environ.get("ACCESS_LOG") else None,
            "timeout": 60,
        }
    ).run()
    return 0
