"""Verify DOIs while references are still being parsed.

DOIs are found by a regular grammar (``reflint.doi``), not by the parser, so a thread can
read every file, collect the DOIs that neither the library nor the cache answers, and
send them to the registry in full batches while the process pool parses. Whatever is
left (the last partial batch, DOIs only the full extraction finds, bibliographic
searches) goes out in the run's one bulk resolve, which finds the prefetched answers in
a run-scoped overlay over the cache: also with ``--no-cache``, and also answers that
were *unknown* (so a registry that failed is not asked twice in one run).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterable

from reflint import documents, suppress
from reflint.cache import CacheEntry
from reflint.doi import find_dois
from reflint.extract import mask
from reflint.models import DoiMention, Extraction
from reflint.resolve import BATCH_SIZE, VALID, Resolver, doi_key


def unwrapped(resolver) -> Resolver:
    """The resolver inside progress-bar wrappers (they keep it as ``.resolver``)."""
    while not isinstance(resolver, Resolver):
        resolver = resolver.resolver
    return resolver


class RunCache:
    """The resolver's cache with this run's DOI answers in front of it."""

    def __init__(self, cache, resolver=None):
        self.cache, self._resolver = cache, resolver
        self._answers: dict[str, CacheEntry] = {}
        self._lock = threading.Lock()

    @classmethod
    def install(cls, resolver) -> "RunCache":
        """Put an overlay in front of ``resolver``'s cache until :meth:`uninstall`."""
        resolver = unwrapped(resolver)
        overlay = cls(resolver.cache, resolver)
        resolver.cache = overlay
        return overlay

    def uninstall(self) -> None:
        if self._resolver is not None:
            self._resolver.cache = self.cache

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cache, name)

    def lookup(self, key: str) -> CacheEntry | None:
        with self._lock:
            entry = self._answers.get(key)
        return entry if entry is not None else self.cache.lookup(key)

    def get(self, key: str) -> Any:
        entry = self.lookup(key)
        return entry.value if entry else None

    def remember(self, statuses: dict) -> None:
        with self._lock:
            for doi, s in statuses.items():
                value = {"verdict": s.verdict, "record": s.record, "agency": s.agency}
                self._answers[doi_key(doi)] = CacheEntry(value, s.verdict == VALID)


def _mentions(path: Path) -> list[DoiMention]:
    try:
        doc = documents.load(path)
    except documents.DocumentError:
        return []  # the extraction reports it
    if suppress.parse(doc).file is suppress.ALL:
        return []
    text = doc.text if doc.kind == "bibtex" else mask(doc.plain or "", doc.kind)[0]
    return [m for m in find_dois(text) if m.doi]


class Prefetch:
    """``with Prefetch(resolver, files, overlay): parse...``: full batches go out meanwhile;
    leaving the block waits for them; their answers wait in ``overlay`` for the run's resolve.

    With ``head_start`` (parsing in this process, where it would share the interpreter
    lock with the reader), entering waits until the first batch is on its way or every
    file is read: the first request, which every later one is paced from, goes out without
    waiting for the parser, and parsing costs no more in all (the reader's Markdown
    structure is memoised for it)."""

    def __init__(
        self,
        resolver: Resolver,
        files: Iterable[Path],
        overlay: RunCache,
        batch: int = BATCH_SIZE,
        head_start: bool = False,
    ):
        resolver = unwrapped(resolver)
        self.resolver, self.files, self.batch, self.overlay = resolver, list(files), batch, overlay
        self.head_start = head_start
        self._pool = ThreadPoolExecutor(max(1, getattr(resolver, "workers", 3)), thread_name_prefix="reflint-prefetch")
        self._futures: list[Future] = []
        self._reader = threading.Thread(target=self._read, name="reflint-prefetch-reader", daemon=True)
        self._started = threading.Event()  # the first batch is out, or there is none

    def __enter__(self) -> "Prefetch":
        self._reader.start()
        if self.head_start:
            self._started.wait()
        return self

    def __exit__(self, *exc) -> None:
        self._reader.join()
        for future in self._futures:
            future.exception()  # a failed batch stays unanswered: the bulk resolve asks again
        self._pool.shutdown()

    def _read(self) -> None:
        try:
            self._find()
        finally:
            self._started.set()

    def _find(self) -> None:
        seen: set[str] = set()
        waiting: list[DoiMention] = []
        for path in self.files:
            for m in _mentions(path):
                doi = (m.doi or "").lower()
                if doi in seen:
                    continue
                seen.add(doi)
                if self.resolver.pending([Extraction(dois=[m], has_reference_list=True)]):
                    waiting.append(m)
                if len(waiting) == self.batch:
                    self._futures.append(self._pool.submit(self._resolve, waiting))
                    self._started.set()
                    waiting = []

    def _resolve(self, mentions: list[DoiMention]) -> None:
        resolution = self.resolver.resolve([Extraction(dois=mentions, has_reference_list=True)])
        self.overlay.remember(resolution.dois)
