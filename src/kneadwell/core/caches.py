"""Which cache the workers share (settings.CACHES). It holds what is costly to make and the same for
everyone who asks: a protocol page's rendered content, chart drawings. Every key names all that its value
depends on (library/views.py protocol_body_key, outcomes/selectors/charts.py), so no entry is ever stale and
nothing of a client's record is decided from it.

Each worker's own memory (Django's default) was measured to miss most of the time under load: five workers
each rendered every protocol once for themselves and lost it all on a restart (docs/performance.md,
"A cache the workers share"). So the default is files under var/cache, shared by every worker of one
machine and kept across restarts; REDIS_URL names a Redis for several machines. Not the database cache:
on SQLite a miss would write a row, taking the write lock on a page view (issue 11 removed those writes).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Protocol bodies (a few dozen per language) and chart drawings: a thousand is room for them all with the
# files' listing on a miss (FileBasedCache culls by listing its folder) still quick.
MAX_ENTRIES = 1000


def cache_settings(*, redis_url: str, folder: Path) -> dict[str, dict[str, Any]]:
    """CACHES for Django: Redis when `redis_url` is set, else files in `folder`."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "kneadwell",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(folder),
            "OPTIONS": {"MAX_ENTRIES": MAX_ENTRIES},
        }
    }
