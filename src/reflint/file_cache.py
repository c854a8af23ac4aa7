"""Per-file results kept between runs, as ruff keeps its diagnostics: an unchanged file is
neither extracted nor checked again.

Two kinds of entry in the table ``files`` of the cache file (``reflint.sqlite_store``):

- ``extraction``: what a file cites (pickled ``Extraction``) and what the resolver needs from
  it, keyed on reflint's source fingerprint, the file's path, kind and text;
- ``diagnostics``: a file's diagnostics, keyed on the extraction key, the configuration and
  the registry's answers about the file's own DOIs, references and citations, so a new
  answer (a lock entry, a cache entry that expired, a DOI registered since) checks it again.

reflint's fingerprint covers every module and data file of the package, so a new version
of any rule, the extractor or the parser starts afresh. Entries unused for 30 days go.
Within one run the extraction entry also spares the second reading of each file (the
resolver needs every file's DOIs before any file can be checked); with ``--no-cache`` the
run uses a scratch file for that.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import zlib
from functools import lru_cache
from importlib import resources

from reflint.sqlite_store import Store

MAX_AGE = 30 * 86400
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, used_at REAL NOT NULL, " "value BLOB NOT NULL)"
)  # the age before the blob: pruning reads no blob


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of every file of the installed reflint package (sources, model, data)."""
    digest = hashlib.sha256()
    todo = [resources.files("reflint")]
    while todo:
        folder = todo.pop()
        for entry in sorted(folder.iterdir(), key=lambda e: e.name):
            if entry.is_dir():
                if entry.name != "__pycache__":
                    todo.append(entry)
            elif not entry.name.endswith((".pyc", ".pyo")):
                digest.update(entry.name.encode() + b"\0" + entry.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def digest(*parts: str | bytes) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part)
        h.update(b"\0")
    return h.hexdigest()


class FileCache(Store):
    """Pickled values by key; ``get`` returns None when absent or unreadable."""

    _schema = _SCHEMA

    def get(self, key: str):
        packed = self.get_packed(key)
        try:
            return None if packed is None else pickle.loads(packed)
        except Exception:  # written by another Python, or damaged: compute it again
            return None

    def has(self, key: str) -> bool:
        return self._run(lambda db: db.execute("SELECT 1 FROM files WHERE key = ?", (key,)).fetchone()) is not None

    def get_packed(self, key: str) -> bytes | None:
        """The pickled value (stored compressed: a file's extraction is ~10x smaller so)."""
        row = self._run(lambda db: db.execute("SELECT value FROM files WHERE key = ?", (key,)).fetchone())
        try:
            return zlib.decompress(row[0]) if row else None
        except zlib.error:
            return None

    def put(self, key: str, value) -> None:
        blob = zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)
        self._run(
            lambda db: db.execute("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", (key, time.time(), blob)), write=True
        )

    def prune(self) -> None:
        """Forget entries older than MAX_AGE (a file edited since, an old reflint)."""
        self._run(lambda db: db.execute("DELETE FROM files WHERE used_at < ?", (time.time() - MAX_AGE,)), write=True)
