"""One table of reflint's cache file: the lookup answers (``reflint.cache``), the parsed
references (``reflint.parse_cache``) and the per-file results (``reflint.file_cache``).

Several processes share the file (``--jobs`` workers, a pre-commit hook beside an editor) and
a run's threads share a connection: it runs in WAL mode (readers never wait for a writer),
each write is one transaction under a lock, and a database that stays locked or breaks turns
the store off with one warning, because the cache is an optimisation and never a reason to fail.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable

log = logging.getLogger(__name__)


class Store:
    """``_schema`` creates the table; ``_timeout`` is how long a statement waits for another
    process's lock before the store gives up for the run."""

    _schema = ""
    _timeout = 60.0

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self._db: sqlite3.Connection | None = None
        self._lock = threading.RLock()
        self.disabled = False

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def _run(self, operation: Callable[[sqlite3.Connection], Any], write: bool = False) -> Any:
        """Run one statement under the lock (a write in one transaction, committed or rolled
        back); any database or file error turns the store off."""
        with self._lock:
            if self.disabled:
                return None
            try:
                db = self._connect()
                if not write:
                    return operation(db)
                with db:
                    return operation(db)
            except (sqlite3.Error, OSError) as exc:
                self._disable(exc)
                return None

    def _disable(self, exc: Exception) -> None:
        self.disabled = True
        self._forget()
        self.close()
        log.warning("cache %s unusable (%s); going on without it (`reflint cache clear` resets it)", self.path, exc)

    def _forget(self) -> None:
        """Drop writes not yet made (the store is off)."""

    def _prepare(self, db: sqlite3.Connection) -> None:
        """Make the table ready on a new connection."""
        db.execute(self._schema)
        db.commit()

    def _connect(self) -> sqlite3.Connection:
        if self._db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=self._timeout, check_same_thread=False)
            try:
                db.execute(f"PRAGMA busy_timeout = {int(self._timeout * 1000)}")
                if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # a cache: no fsync per transaction
                self._prepare(db)
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db
