"""The database's own refusal to rewrite the audit log, and the one way round it.

PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE of audit rows. SQLite: triggers refuse UPDATE and
DELETE. Emptying the log is allowed only inside `maintenance()` — used by `kneadwell restore --force`
(which then records the restore in the log) and by the test suite's table flush. On PostgreSQL it sets a
session variable the trigger reads; on SQLite a function Kneadwell registers on its own connections (any
other program, e.g. the sqlite3 shell, lacks the function, so its DELETE fails too). Someone holding the
database owner's password can still drop a trigger: the hash chain (audit/chain.py) and signed backups
are what show that afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

_state = threading.local()
SETTING = "kneadwell.audit_maintenance"
SQLITE_FUNCTION = "kneadwell_audit_maintenance"


def _allowed() -> int:
    return 1 if getattr(_state, "maintenance", 0) > 0 else 0


def register_sqlite_function(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """connection_created receiver: give SQLite connections the function the triggers ask."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 0, _allowed)


@contextmanager
def maintenance(connection: BaseDatabaseWrapper) -> Iterator[None]:
    """Allow DELETE and TRUNCATE of audit rows (never UPDATE) on this connection for the block."""
    _state.maintenance = getattr(_state, "maintenance", 0) + 1
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', false)", [SETTING])
        yield
    finally:
        _state.maintenance -= 1
        if connection.vendor == "postgresql" and _state.maintenance == 0:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', false)", [SETTING])
