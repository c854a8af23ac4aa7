"""SQLite cache of Crossref / doi.org answers (DESIGN §5).

Positive answers (a DOI exists, a record, a match) change rarely and keep for 30 days;
negative ones (not found, no match) keep for a day, because a DOI deposited this morning
must not stay "broken" for a month. The cache is an optimisation only: when the file is
corrupt, locked or unwritable, it degrades to a no-op with one warning and the run goes on.

The answers' schema is versioned (``ANSWERS_SCHEMA`` in the ``meta`` table): a file written by
a version of reflint that stored answers in another shape is emptied of them on first use,
and a row that still does not fit reads as a miss, never as a crash.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterable, NamedTuple

import platformdirs

from reflint.sqlite_store import Store

FILENAME = "cache.sqlite3"
POSITIVE_TTL = timedelta(days=30)
NEGATIVE_TTL = timedelta(days=1)
ANSWERS_SCHEMA = "2"  # bump when the stored answers change shape (2: alias_of, outages)
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
    "positive INTEGER NOT NULL, stored_at REAL NOT NULL)"
)
_SHARED_TABLES = ("parsed", "files")  # parse_cache.py and file_cache.py keep theirs in this file
_META = "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"


class CacheEntry(NamedTuple):
    value: Any
    positive: bool


def default_path() -> Path:
    """``$REFLINT_CACHE_DIR/cache.sqlite3``, else the platform's user cache directory."""
    directory = os.environ.get("REFLINT_CACHE_DIR") or platformdirs.user_cache_dir("reflint")
    return Path(directory) / FILENAME


def doi_key(doi: str) -> str:
    """DOIs are case-insensitive, so one entry serves every spelling."""
    return "doi:" + doi.lower()


def query_key(text: str) -> str:
    """Search queries by hash: references are long, and whitespace runs do not matter."""
    return "query:" + hashlib.sha1(" ".join(text.split()).encode("utf-8")).hexdigest()


def _seconds(ttl: float | timedelta) -> float:
    return ttl.total_seconds() if isinstance(ttl, timedelta) else float(ttl)


class Cache(Store):
    """Key -> JSON value with an age limit per kind; safe to share between threads."""

    _timeout = 5.0  # a lookup can be asked again; a run should not wait long for the cache

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        positive_ttl: float | timedelta = POSITIVE_TTL,
        negative_ttl: float | timedelta = NEGATIVE_TTL,
        clock: Callable[[], float] = time.time,
    ):
        super().__init__(path if path is not None else default_path())
        self.positive_ttl, self.negative_ttl = _seconds(positive_ttl), _seconds(negative_ttl)
        self._clock = clock
        self._corrupt = False

    def get(self, key: str) -> Any:
        """The value if present and young enough for its kind, else None."""
        entry = self.lookup(key)
        return entry.value if entry else None

    def lookup(self, key: str) -> CacheEntry | None:
        """Like ``get`` but says whether the stored answer was positive."""
        row = self._run(
            lambda db: db.execute("SELECT value, positive, stored_at FROM entries WHERE key = ?", (key,)).fetchone()
        )
        if not row:
            return None
        value, positive, stored_at = row
        ttl = self.positive_ttl if positive else self.negative_ttl
        try:
            if self._clock() - float(stored_at) > ttl:
                return None
            return CacheEntry(json.loads(value), bool(positive))
        except (TypeError, ValueError):  # a row that does not fit is a miss
            return None

    def put(self, key: str, value: Any, positive: bool) -> None:
        self.put_many([(key, value, positive)])

    def put_many(self, items: Iterable[tuple[str, Any, bool]]) -> None:
        """Store (key, value, positive) triples in one transaction. A None value would read
        back as a miss, so negative answers store something like ``{"verdict": "invalid"}``."""
        now = self._clock()
        rows = []
        for key, value, positive in items:
            if value is None:
                raise ValueError(f"cache value for {key!r} is None; store a non-None marker")
            rows.append((key, json.dumps(value, separators=(",", ":")), int(bool(positive)), now))
        if rows:
            self._run(lambda db: db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?, ?, ?)", rows), write=True)

    def info(self) -> dict:
        """path, entries, positive, negative, size_bytes (expired entries included), and the
        rows of the parse and file caches that share the file (``parsed``, ``files``)."""
        counts = None
        if self.path.exists():
            counts = self._run(
                lambda db: db.execute("SELECT COUNT(*), COALESCE(SUM(positive), 0) FROM entries").fetchone()
            )
        entries, positive = counts or (0, 0)
        size = self.path.stat().st_size if self.path.is_file() else 0
        return {
            "path": str(self.path),
            "entries": entries,
            "positive": positive,
            "negative": entries - positive,
            "size_bytes": size,
            **{table: self._table_rows(table) for table in _SHARED_TABLES},
        }

    def _table_rows(self, table: str) -> int:
        if not self.path.exists():
            return 0
        found = self._run(
            lambda db: db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).fetchone()
        )
        return (self._run(lambda db: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()) or (0,))[0] if found else 0

    def count(self, prefix: str) -> int:
        """How many entries (fresh or expired) have a key that starts with ``prefix``."""
        if not self.path.exists():
            return 0
        statement = "SELECT COUNT(*) FROM entries WHERE substr(key, 1, ?) = ?"
        return (self._run(lambda db: db.execute(statement, (len(prefix), prefix)).fetchone()) or (0,))[0]

    def forget(self, prefix: str) -> int:
        """Delete the entries whose key starts with ``prefix``; return how many there were."""
        if not self.path.exists():
            return 0
        statement = "DELETE FROM entries WHERE substr(key, 1, ?) = ?"
        return self._run(lambda db: db.execute(statement, (len(prefix), prefix)).rowcount, write=True) or 0

    def clear(self) -> int:
        """Delete every registry answer (and the parse and file caches' rows) and return how
        many answers there were. A corrupt file is removed."""
        if not self.path.exists():
            return 0
        for table in [t for t in _SHARED_TABLES if self._table_rows(t)]:
            statement = f"DELETE FROM {table}"
            self._run(lambda db: db.execute(statement), write=True)  # noqa: B023 - run at once
        count = self._run(lambda db: db.execute("DELETE FROM entries").rowcount, write=True)
        if self._corrupt:
            with self._lock:
                try:
                    self.path.unlink()
                    self.disabled = self._corrupt = False
                except OSError:
                    pass
            return 0
        if count:
            self._run(lambda db: db.execute("VACUUM"))
        return count or 0

    def __enter__(self) -> "Cache":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _prepare(self, db: sqlite3.Connection) -> None:
        _migrate(db)

    def _disable(self, exc: Exception) -> None:
        # "not a database" / "malformed" are plain DatabaseErrors; locks and permissions are
        # OperationalErrors, after which the file must be left alone.
        self._corrupt = type(exc) is sqlite3.DatabaseError
        super()._disable(exc)


def _answers_schema(db: sqlite3.Connection) -> str | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE name = 'answers-schema'").fetchone()
    except sqlite3.OperationalError:  # no meta table: written before the schema had a version
        return None
    return row[0] if row else None


def _migrate(db: sqlite3.Connection) -> None:
    """Make the answers table current: answers of another schema version are dropped
    (under a write lock, so concurrent runs migrate once)."""
    if _answers_schema(db) == ANSWERS_SCHEMA:
        db.execute(_SCHEMA)
        db.commit()
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(_META)
        if _answers_schema(db) != ANSWERS_SCHEMA:
            db.execute("DROP TABLE IF EXISTS entries")
            db.execute(_SCHEMA)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('answers-schema', ?)", (ANSWERS_SCHEMA,))
        db.commit()
    except sqlite3.Error:
        db.rollback()
        raise


class NullCache:
    """The ``--no-cache`` stand-in: remembers nothing, same API as ``Cache``."""

    path = None
    disabled = True

    def get(self, key: str) -> Any:
        return None

    def lookup(self, key: str) -> CacheEntry | None:
        return None

    def put(self, key: str, value: Any, positive: bool) -> None:
        pass

    def put_many(self, items: Iterable[tuple[str, Any, bool]]) -> None:
        pass

    def info(self) -> dict:
        return {"path": None, "entries": 0, "positive": 0, "negative": 0, "size_bytes": 0, "parsed": 0, "files": 0}

    def count(self, prefix: str) -> int:
        return 0

    def forget(self, prefix: str) -> int:
        return 0

    def clear(self) -> int:
        return 0

    def close(self) -> None:
        pass

    def __enter__(self) -> "NullCache":
        return self

    def __exit__(self, *exc) -> None:
        pass
