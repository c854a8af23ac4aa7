"""Resolve every DOI and DOI-less reference of a run in bulk, before any rule looks.

Order of answers: the ``references/`` lock, then the SQLite cache, then the network in
batches (``/works?filter=doi:...``, ~50 a request). A DOI missing from a batch answer is
asked of ``/works/{doi}/agency`` and the doi.org Handle API before it is called invalid.
Anything that could not be answered is *unknown*, never invalid.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from reflint.cache import NullCache
from reflint.crossref import INVALID, UNKNOWN, VALID, CrossrefClient, batchable
from reflint.match import Match, best_match
from reflint.models import Extraction, Reference

BATCH_SIZE = 50


@dataclass(frozen=True)
class DoiStatus:
    verdict: str  # valid | invalid | unknown
    record: dict | None = None  # the Crossref message, when Crossref holds the DOI
    agency: str | None = None  # crossref, datacite, medra, ... when known


UNKNOWN_STATUS = DoiStatus(UNKNOWN)


@dataclass(frozen=True)
class MatchResult:
    verdict: str  # valid (a validated match), invalid (no confident match), unknown
    match: Match | None = None


@dataclass
class Resolution:
    dois: dict[str, DoiStatus] = field(default_factory=dict)  # by lowercased DOI
    matches: dict[str, MatchResult] = field(default_factory=dict)  # by query key

    def doi(self, doi: str | None) -> DoiStatus:
        return self.dois.get(doi.lower(), UNKNOWN_STATUS) if doi else UNKNOWN_STATUS

    def match(self, ref: Reference) -> MatchResult | None:
        return self.matches.get(query_key(ref.text))

    @property
    def unknown(self) -> int:
        return (sum(s.verdict == UNKNOWN for s in self.dois.values())
                + sum(m.verdict == UNKNOWN for m in self.matches.values()))


def query_key(text: str) -> str:
    return "query:" + hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def doi_key(doi: str) -> str:
    return "doi:" + doi.lower()


def needs_lookup(ref: Reference) -> bool:
    """A bibliographic search is worth it: no usable DOI, and enough text to validate."""
    if ref.kind != "list-entry" or not ref.fields.title or not (ref.fields.authors or ref.fields.year):
        return False
    return not any(m.doi for m in ref.dois)


class Resolver:
    """Fetches what the rules need for a whole run; ``client=None`` means offline."""

    def __init__(self, client: CrossrefClient | None, cache=None, lock: dict | None = None,
                 workers: int = 3, progress: Callable[[int], None] | None = None):
        self.client = client
        self.cache = cache or NullCache()
        self.lock = lock or {}
        self.workers = workers
        self.progress = progress or (lambda n: None)

    def resolve(self, extractions: list[Extraction]) -> Resolution:
        dois = sorted({m.doi.lower() for ex in extractions for m in ex.dois if m.doi})
        refs = {query_key(r.text): r for ex in extractions for r in ex.references if needs_lookup(r)}
        resolution = Resolution()
        resolution.dois = self._dois(dois)
        for ex in extractions:  # a DOI that does not exist: look for the right one
            for ref in ex.references:
                if ref.fields.title and any(resolution.doi(m.doi).verdict == INVALID for m in ref.dois):
                    refs.setdefault(query_key(ref.text), ref)
        resolution.matches = self._matches(refs)
        return resolution

    # -- DOIs ------------------------------------------------------------------------------

    def _dois(self, dois: list[str]) -> dict[str, DoiStatus]:
        found: dict[str, DoiStatus] = {}
        for doi in dois:
            known = self.lock.get(doi) or self._cached_doi(doi)
            if known:
                found[doi] = known
        todo = [d for d in dois if d not in found]
        if not todo:
            return found
        if self.client is None:
            return found | {d: UNKNOWN_STATUS for d in todo}
        listable = [d for d in todo if batchable(d)]  # a comma cannot go into a filter
        batches = [listable[i:i + BATCH_SIZE] for i in range(0, len(listable), BATCH_SIZE)]
        with ThreadPoolExecutor(self.workers) as pool:
            for statuses in pool.map(self._batch, batches):
                found.update(statuses)
            missing = [d for d in todo if d not in found]
            for doi, status in zip(missing, pool.map(self._single, missing)):
                found[doi] = status
        self._store({doi: found[doi] for doi in todo})
        return found

    def _batch(self, dois: list[str]) -> dict[str, DoiStatus]:
        answer = self.client.works_by_dois(dois)
        self.progress(len(dois))
        if answer is None:
            return {d: UNKNOWN_STATUS for d in dois}
        return {d: DoiStatus(VALID, answer[d], "crossref") for d in dois if d in answer}

    def _single(self, doi: str) -> DoiStatus:
        """Not in a batch answer: registered elsewhere, or really absent?"""
        verdict, agency = self.client.agency(doi)
        if verdict == VALID and agency == "crossref":
            work = self.client.work(doi)
            return DoiStatus(work.verdict, work.message, "crossref")
        if verdict == VALID:
            return DoiStatus(VALID, None, agency)
        handle = self.client.handle(doi)
        if verdict == INVALID and handle == INVALID:
            return DoiStatus(INVALID)
        return DoiStatus(VALID) if handle == VALID else UNKNOWN_STATUS

    def _cached_doi(self, doi: str) -> DoiStatus | None:
        entry = self.cache.lookup(doi_key(doi))
        if entry is None:
            return None
        return DoiStatus(entry.value["verdict"], entry.value.get("record"), entry.value.get("agency"))

    def _store(self, statuses: dict[str, DoiStatus]) -> None:
        self.cache.put_many([
            (doi_key(doi), {"verdict": s.verdict, "record": s.record, "agency": s.agency},
             s.verdict == VALID)
            for doi, s in statuses.items() if s.verdict != UNKNOWN
        ])

    # -- bibliographic matches -------------------------------------------------------------

    def _matches(self, refs: dict[str, Reference]) -> dict[str, MatchResult]:
        found: dict[str, MatchResult] = {}
        for key in refs:
            entry = self.cache.lookup(key)
            if entry is not None:
                record = entry.value.get("record")
                match = best_match(refs[key].fields, [record]) if record else None
                found[key] = MatchResult(VALID, match) if match else MatchResult(INVALID)
        todo = [k for k in refs if k not in found]
        if self.client is None:
            return found | {k: MatchResult(UNKNOWN) for k in todo}
        with ThreadPoolExecutor(self.workers) as pool:
            for key, result in zip(todo, pool.map(lambda k: self._search(refs[k]), todo)):
                found[key] = result
        self.cache.put_many([
            (key, {"record": r.match.record if r.match else None}, r.match is not None)
            for key, r in found.items() if key in todo and r.verdict != UNKNOWN
        ])
        return found

    def _search(self, ref: Reference) -> MatchResult:
        items = self.client.search(ref.text, rows=5)
        self.progress(1)
        if items is None:
            return MatchResult(UNKNOWN)
        match = best_match(ref.fields, items)
        return MatchResult(VALID, match) if match else MatchResult(INVALID)
