"""`kneadwell serve`: migrate, load the content library, optionally seed the demo, collect the static files
and serve with gunicorn."""

from __future__ import annotations

import argparse
import os
from typing import Any

from kneadwell.core.bootstrap import django_setup


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
        default=int(os.environ.get("WEB_CONCURRENCY", "2")),
        help="gunicorn worker processes (default $WEB_CONCURRENCY or 2)",
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

    print(f"Kneadwell is serving at http://{args.host}:{args.port}/ (Ctrl+C stops it)", flush=True)
    Server(
        {
            "bind": f"{args.host}:{args.port}",
            "workers": max(1, args.workers),
            "worker_class": "gthread",
            "threads": 4,
            "accesslog": "-" if os.environ.get("ACCESS_LOG") else None,
            "timeout": 60,
        }
    ).run()
    return 0
