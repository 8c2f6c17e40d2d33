"""The cache the workers share (core/caches.py): files by default, Redis when REDIS_URL is set, and an
entry one process writes is found by another."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from kneadwell.core.caches import MAX_ENTRIES, cache_settings


def test_files_under_the_folder_by_default(tmp_path: Path) -> None:
    shipped = cache_settings(redis_url="", folder=tmp_path / "cache")["default"]
    assert shipped["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert shipped["LOCATION"] == str(tmp_path / "cache")
    assert shipped["OPTIONS"] == {"MAX_ENTRIES": MAX_ENTRIES}


def test_redis_when_a_url_is_given(tmp_path: Path) -> None:
    shipped = cache_settings(redis_url="redis://127.0.0.1:6379/3", folder=tmp_path)["default"]
    assert shipped["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert shipped["LOCATION"] == "redis://127.0.0.1:6379/3"


def test_the_settings_read_redis_url_from_the_environment(tmp_path: Path) -> None:
    """A fresh process with and without REDIS_URL: what settings.CACHES then names."""
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    env = {"DJANGO_SETTINGS_MODULE": "kneadwell.settings", "KNEADWELL_VAR_DIR": str(tmp_path), "PATH": ""}

    def backend(extra: dict[str, str]) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code], env={**env, **extra}, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert backend({}) == "django.core.cache.backends.filebased.FileBasedCache"
    assert backend({"REDIS_URL": "redis://127.0.0.1:6379/3"}) == "django.core.cache.backends.redis.RedisCache"


def test_what_one_process_keeps_another_finds(tmp_path: Path) -> None:
    """Two processes on the same folder, as two gunicorn workers are: one sets, the other reads."""
    script = (
        "import sys\n"
        "from django.core.cache.backends.filebased import FileBasedCache\n"
        "cache = FileBasedCache(sys.argv[1], {})\n"
        "if sys.argv[2] == 'set':\n"
        "    cache.set('protocol-body', {'html': 'kept'}, 60)\n"
        "else:\n"
        "    print(cache.get('protocol-body'))\n"
    )
    folder = str(cache_settings(redis_url="", folder=tmp_path / "cache")["default"]["LOCATION"])
    env = {"DJANGO_SETTINGS_MODULE": "kneadwell.settings", "KNEADWELL_VAR_DIR": str(tmp_path), "PATH": ""}

    def run(verb: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", script, folder, verb], env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    assert run("get") == "None"
    run("set")
    assert run("get") == "{'html': 'kept'}"


def test_the_tests_use_each_workers_memory() -> None:
    """The suite's own cache is in memory (tests/conftest.py): no test reads another run's files."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    assert isinstance(caches["default"], LocMemCache)


def test_a_redis_cache_keeps_and_finds(tmp_path: Path) -> None:
    """Django's RedisCache through the shipped settings, against the machine's Redis (skipped where none
    answers: a fresh machine has only SQLite)."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
    except OSError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    script = (
        "import uuid\n"
        "from django.core.cache import cache\n"
        "key = uuid.uuid4().hex\n"
        "cache.set(key, 'kept', 30)\n"
        "print(cache.get(key))\n"
        "cache.delete(key)\n"
    )
    env = {
        "DJANGO_SETTINGS_MODULE": "kneadwell.settings",
        "KNEADWELL_VAR_DIR": str(tmp_path),
        "PATH": "",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
    }
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "kept"
