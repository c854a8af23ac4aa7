"""Parse each reference string once per parser version: fields kept in SQLite.

The table ``parsed`` lives in the lookup cache's file (``reflint.cache.default_path``) beside
the registry answers, but has its own connection and schema, so either can change alone.
A key is the hash of the parser's fingerprint and the string: the fingerprint covers the
model file and the source of every reflint module the parser imports, so retraining or
editing the parser invalidates everything it parsed before, and nothing else is needed.

Several processes share the file (``reflint.sqlite_store``): writes go in one transaction
per document, and a database that stays locked or breaks only turns the cache off (one
warning); parsing then goes on uncached.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Callable

from reflint.models import Fields
from reflint.sqlite_store import Store

_SCHEMA = "CREATE TABLE IF NOT EXISTS parsed (key TEXT PRIMARY KEY, fields TEXT NOT NULL)"
_IMPORT = re.compile(
    r"^\s*(?:from\s+reflint\.(\w+)\s+import|import\s+reflint\.(\w+)"
    r"|from\s+reflint\s+import\s+(\([^)]*\)|[\w \t,]+))",
    re.M,
)
_PACKAGE = resources.files("reflint")


@lru_cache(maxsize=1)
def fingerprint() -> str:
    """Hash of the model file and of the source of ``reflint.parse`` and every reflint
    module it imports (directly or not): computed once per process."""
    digest = hashlib.sha256((_PACKAGE / "data" / "parser.crfsuite").read_bytes())
    seen, todo = set(), ["parse"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = (_PACKAGE / f"{name}.py").read_bytes()
        digest.update(name.encode() + b"\0" + source + b"\0")
        for a, b, names in _IMPORT.findall(source.decode("utf-8")):
            for module in [a or b] if a or b else re.findall(r"\w+", names):
                if (_PACKAGE / f"{module}.py").is_file():
                    todo.append(module)
    return digest.hexdigest()[:32]


def _key(text: str) -> str:
    return hashlib.sha1(f"{fingerprint()}\0{text}".encode()).hexdigest()


class ParseCache(Store):
    """``parse(text) -> Fields`` backed by a SQLite table; call :meth:`flush` to store what
    was parsed since the last flush (one transaction)."""

    _schema = _SCHEMA

    def __init__(
        self,
        path: str | Path,
        parse: Callable[[str], Fields] | None = None,
        parse_many: Callable[[list[str]], list[Fields]] | None = None,
    ):
        super().__init__(path)
        self._parse = parse
        self._parse_many = parse_many
        self._pending: dict[str, str] = {}
        self.hits = self.misses = 0

    def __call__(self, text: str) -> Fields:
        key = _key(text)
        stored = self._pending.get(key) or self._get(key)
        if stored is not None:
            self.hits += 1
            return Fields.from_dict(json.loads(stored))
        self.misses += 1
        fields = self._parser()(text)
        if not self.disabled:
            self._pending[key] = json.dumps(fields.to_dict(), separators=(",", ":"))
        return fields

    def many(self, texts: list[str]) -> list[Fields]:
        """``[self(t) for t in texts]``, with the texts not in the cache parsed in one batch."""
        keys = [_key(t) for t in texts]
        stored = [self._pending.get(k) or self._get(k) for k in keys]
        missing = list(dict.fromkeys(t for t, s in zip(texts, stored) if s is None))
        parse_many = self._parse_many or (lambda batch: [self._parser()(t) for t in batch])
        fresh = dict(zip(missing, parse_many(missing))) if missing else {}
        self.hits += len(texts) - len(missing)
        self.misses += len(missing)
        if not self.disabled:
            key_of = dict(zip(texts, keys))
            for text, fields in fresh.items():
                self._pending[key_of[text]] = json.dumps(fields.to_dict(), separators=(",", ":"))
        out: list[Fields] = []
        given: dict[str, Fields] = {}  # parsed just now: a repeated text's first gets the fields, the others a copy
        for text, found in zip(texts, stored):
            if found is not None:
                out.append(Fields.from_dict(json.loads(found)))
            elif text in given:
                out.append(given[text].copy())
            else:
                out.append(given.setdefault(text, fresh[text]))
        return out

    def flush(self) -> None:
        """Write the fields parsed since the last flush."""
        rows, self._pending = list(self._pending.items()), {}
        if rows:
            self._run(lambda db: db.executemany("INSERT OR REPLACE INTO parsed VALUES (?, ?)", rows), write=True)

    def close(self) -> None:
        self.flush()
        super().close()

    def _forget(self) -> None:
        self._pending = {}

    def _parser(self) -> Callable[[str], Fields]:
        if self._parse is None:
            from reflint.parse import parse_reference

            self._parse = parse_reference
        return self._parse

    def _get(self, key: str) -> str | None:
        row = self._run(lambda db: db.execute("SELECT fields FROM parsed WHERE key = ?", (key,)).fetchone())
        return row[0] if row else None
