"""Resolve every DOI and DOI-less reference of a run in bulk, before any rule looks.

Order of answers: the ``references/`` lock, then the SQLite cache, then the network in
batches (``/works?filter=doi:...``, ~50 a request). A DOI missing from a batch answer is
asked of ``/works/{doi}/agency`` and the doi.org Handle API before it is called invalid.
Anything that could not be answered is *unknown*, never invalid.

A record is only believed for the DOI it names. Crossref answers an alias DOI with its
primary DOI's record: that is followed when Crossref's ``relation`` or doi.org's handle
says it is an alias (``DoiStatus.alias_of``); any other record for another DOI leaves the
DOI unknown. A registry that is not there is remembered for a few minutes (outage.py),
Crossref's and NCBI's each on its own.
"""

from __future__ import annotations

import datetime
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from reflint import outage
from reflint import pubmed
from reflint.cache import NullCache
from reflint.crossref import INVALID, UNKNOWN, VALID, CrossrefClient, Verdict, batchable
from reflint.cited_work import citation_match
from reflint.match import Match, best_match
from reflint.mismatch import doi_is_wrong
from reflint.preprints import find_published
from reflint.models import Citation, Extraction, Reference

BATCH_SIZE = 50
LOCK_MAX_AGE = datetime.timedelta(days=30)  # like the cache's age for positive answers


@dataclass(frozen=True)
class DoiStatus:
    verdict: str  # valid | invalid | unknown
    record: dict | None = None  # the Crossref message, when Crossref holds the DOI
    agency: str | None = None  # crossref, datacite, medra, ... when known
    alias_of: str | None = None  # the primary DOI whose record answers this alias DOI

    @property
    def verified(self) -> str | None:
        """When the library recorded this answer (``reflint-verified``), if it came from there."""
        return (self.record or {}).get("_verified")


UNKNOWN_STATUS = DoiStatus(UNKNOWN)


@dataclass(frozen=True)
class MatchResult:
    verdict: str  # valid (a validated match), invalid (no confident match), unknown
    match: Match | None = None


@dataclass
class Resolution:
    dois: dict[str, DoiStatus] = field(default_factory=dict)  # by lowercased DOI
    matches: dict[str, MatchResult] = field(default_factory=dict)  # by query key
    citations: dict[str, MatchResult] = field(default_factory=dict)  # by citation key
    notes: list[str] = field(default_factory=list)  # why some answers are unknown
    published: dict = field(default_factory=dict)  # preprint DOI -> preprints.PublishedVersion
    pubmed: dict = field(default_factory=dict)  # "pmid:123" / "pmcid:PMC1" -> pubmed.PubmedStatus

    def doi(self, doi: str | None) -> DoiStatus:
        return self.dois.get(doi.lower(), UNKNOWN_STATUS) if doi else UNKNOWN_STATUS

    def match(self, ref: Reference) -> MatchResult | None:
        return self.matches.get(query_key(ref.text))

    def citation(self, cit: Citation) -> MatchResult | None:
        return self.citations.get(citation_key(cit)) if cit.authors and cit.year else None

    @property
    def unknown(self) -> int:
        answers = [*self.dois.values(), *self.matches.values(), *self.citations.values(), *self.pubmed.values()]
        return sum(a.verdict == UNKNOWN for a in answers)


def query_key(text: str) -> str:
    return "query:" + hashlib.sha1(" ".join(text.split()).lower().encode()).hexdigest()


def citation_key(cit: Citation) -> str:
    """Cache key of an author-year lookup: who, when, and the sentence that cites it."""
    return query_key(f"cite|{cit.authors[0]}|{cit.year}|{cit.context}")


def doi_key(doi: str) -> str:
    return "doi:" + doi.lower()


def needs_lookup(ref: Reference) -> bool:
    """A bibliographic search is worth it: no usable DOI, and enough text to validate."""
    if getattr(ref, "searchable", False):
        return True  # a filework.CompactReference made for a search: known without decoding
    if ref.kind != "list-entry" or not ref.fields.title or not (ref.fields.authors or ref.fields.year):
        return False
    return not any(m.doi for m in ref.dois)


class Resolver:
    """Fetches what the rules need for a whole run; ``client=None`` means offline."""

    def __init__(
        self,
        client: CrossrefClient | None,
        cache=None,
        lock: dict | None = None,
        workers: int = 3,
        progress: Callable[[int], None] | None = None,
        ncbi=None,
    ):
        self.client = client
        self.cache = cache or NullCache()
        self.lock = lock or {}
        self.workers = workers
        self.progress = progress or (lambda n: None)
        self._notes: list[str] = []
        self.ncbi = ncbi  # reflint.ncbi.NcbiClient for PMIDs; None: PubMed IDs stay unknown
        self._crossref = outage.Watch(client)
        self._ncbi = outage.Watch(ncbi)

    @property
    def _live(self) -> bool:
        """Crossref is asked: online, and no outage of it is remembered."""
        return self._crossref.live

    def wanted(self, extractions: list[Extraction]):
        """What a run asks about: DOIs, DOI-less references and (in documents with no
        reference list) author-year citations, deduplicated by their keys."""
        dois = sorted({m.doi.lower() for ex in extractions for m in ex.dois if m.doi})
        refs = {query_key(r.text): r for ex in extractions for r in ex.references if needs_lookup(r)}
        cites = {
            citation_key(c): c
            for ex in extractions
            if not ex.has_reference_list
            for c in ex.citations
            if c.style == "author-year" and c.authors and c.year and c.context
        }
        return dois, refs, cites

    def pending(self, extractions: list[Extraction]) -> int:
        """How many lookups neither the library nor the cache answers (a progress total;
        follow-up searches for DOIs found broken come on top)."""
        dois, refs, cites = self.wanted(extractions)
        unanswered = sum(not (self._locked(d) or self._cached_doi(d)) for d in dois)
        return unanswered + sum(self.cache.lookup(k) is None for k in [*refs, *cites])

    def resolve(self, extractions: list[Extraction]) -> Resolution:
        dois, refs, cites = self.wanted(extractions)
        resolution = Resolution()
        self._notes = resolution.notes
        for watch in (self._crossref, self._ncbi):
            watch.recall(self.cache)
        resolution.dois = self._dois(dois)
        resolution.published = find_published(self, resolution)
        resolution.pubmed = pubmed.verify(self, extractions, self._ncbi)
        for ex in extractions:  # a DOI that does not exist, or names another work: look for the right one
            for ref in ex.references:  # (the DOIs first: most have none, and fields cost a decoding)
                if (
                    any(m.doi for m in ref.dois)
                    and ref.fields.title
                    and any(self._wrong_doi(ref, resolution.doi(m.doi)) for m in ref.dois)
                ):
                    refs.setdefault(query_key(ref.text), ref)
        resolution.matches = self._lookups(
            refs, self._search_reference, lambda ref, items: best_match(ref.fields, items)
        )
        resolution.citations = self._lookups(
            cites, self._search_citation, lambda c, items: citation_match(c.authors[0], c.year, c.context, items)
        )
        for watch in (self._crossref, self._ncbi):
            self._notes.extend(watch.notes(self.cache))
        return resolution

    @staticmethod
    def _wrong_doi(ref: Reference, status: DoiStatus) -> bool:
        return doi_is_wrong(ref.fields, status)

    # -- DOIs ------------------------------------------------------------------------------

    def _dois(self, dois: list[str]) -> dict[str, DoiStatus]:
        found: dict[str, DoiStatus] = {}
        for doi in dois:
            known = self._locked(doi) or self._cached_doi(doi)
            if known:
                found[doi] = known
        todo = [d for d in dois if d not in found]
        if not todo:
            return found
        if not self._live:
            self._crossref.skip()
            return found | {d: UNKNOWN_STATUS for d in todo}
        listable = [d for d in todo if batchable(d)]  # a comma cannot go into a filter
        batches = [listable[i : i + BATCH_SIZE] for i in range(0, len(listable), BATCH_SIZE)]
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
        return {d: _own_record(answer[d]) for d in dois if d in answer}

    def _single(self, doi: str) -> DoiStatus:
        """Not in a batch answer: registered elsewhere, or really absent?"""
        verdict, agency = self.client.agency(doi)
        if verdict == VALID and agency == "crossref":
            return self._crossref_work(doi)
        if verdict == VALID:
            return DoiStatus(VALID, None, agency)
        handle = self.client.handle(doi)
        if verdict == INVALID and handle == INVALID:
            return DoiStatus(INVALID)
        return DoiStatus(VALID) if handle == VALID else UNKNOWN_STATUS

    def _crossref_work(self, doi: str) -> DoiStatus:
        """Crossref registered ``doi``: its record, if the record is really for ``doi``.

        Registered means it exists, so a 404 from ``/works`` (an alias Crossref hides, or a
        record not yet indexed) is valid without a record, never invalid.
        """
        work = self.client.work(doi)
        if work.verdict == UNKNOWN:
            return UNKNOWN_STATUS
        record = work.message if work.verdict == VALID else None
        named = record.get("DOI") if record else None
        if isinstance(named, str) and named.lower() == doi:
            return _own_record(record)
        primary = self._alias_of(doi, record)
        if record is None:  # no record for the DOI itself: an alias's primary has one
            if primary is None:
                return DoiStatus(VALID, None, "crossref")
            work = self.client.work(primary)
            ok = work.verdict == VALID and str(work.message.get("DOI", "")).lower() == primary.lower()
            return DoiStatus(VALID, work.message if ok else None, "crossref", alias_of=primary)
        if primary is not None and isinstance(named, str) and primary.lower() == named.lower():
            return DoiStatus(VALID, record, "crossref", alias_of=named)
        self._notes.append(
            f"Crossref answered `{doi}` with the record of `{named}`, which is not "
            f"a known alias of it; `{doi}` is left unknown rather than compared "
            "with another work"
        )
        return UNKNOWN_STATUS

    def _alias_of(self, doi: str, record: dict | None) -> str | None:
        """The primary DOI ``doi`` is an alias of: the record's own DOI when its ``relation``
        lists ``doi`` under ``has-alias``, else what doi.org's handle says."""
        if record and doi in (d.lower() for d in _related(record, "has-alias")):
            return record["DOI"]
        verdict, target = self.client.alias_target(doi)
        return target if verdict == VALID else None

    def _locked(self, doi: str) -> DoiStatus | None:
        return self.locked(doi, self._live)

    def locked(self, key: str, live: bool):
        """The library's answer for a DOI (or a ``pmid:`` key); when its registry is ``live``,
        one verified too long ago is asked again, so a retraction published since is noticed
        (offline, the library always answers)."""
        status = self.lock.get(key)
        verified = status.verified if status else ""
        if status and live and verified:
            try:
                age = datetime.date.today() - datetime.date.fromisoformat(verified)
            except ValueError:
                return None
            if age > LOCK_MAX_AGE:
                return None
        return status

    def _cached_doi(self, doi: str) -> DoiStatus | None:
        """The cached answer; one of an unexpected shape (another version's) is a miss."""
        entry = self.cache.lookup(doi_key(doi))
        value = entry.value if entry is not None else None
        if not isinstance(value, dict) or value.get("verdict") not in (VALID, INVALID):
            return None
        record, agency, alias = value.get("record"), value.get("agency"), value.get("alias_of")
        if not (_optional(record, dict) and _optional(agency, str) and _optional(alias, str)):
            return None
        return DoiStatus(Verdict(value["verdict"]), record, agency, alias)

    def _store(self, statuses: dict[str, DoiStatus]) -> None:
        self.cache.put_many(
            [
                (
                    doi_key(doi),
                    {"verdict": s.verdict, "record": s.record, "agency": s.agency, "alias_of": s.alias_of},
                    s.verdict == VALID,
                )
                for doi, s in statuses.items()
                if s.verdict != UNKNOWN
            ]
        )

    # -- bibliographic matches -------------------------------------------------------------

    def _lookups(self, wanted: dict[str, object], search: Callable, validate: Callable) -> dict[str, MatchResult]:
        """Answer each wanted item from the cache or by ``search``, accepting only what
        ``validate`` confirms; the cache keeps the accepted record (or that there was none)."""
        found: dict[str, MatchResult] = {}
        for key, item in wanted.items():
            entry = self.cache.lookup(key)
            value = entry.value if entry is not None else None
            if isinstance(value, dict) and _optional(value.get("record"), dict):
                record = value.get("record")
                match = validate(item, [record]) if record else None
                found[key] = MatchResult(VALID, match) if match else MatchResult(INVALID)
        todo = [k for k in wanted if k not in found]
        if not self._live:
            if todo:
                self._crossref.skip()
            return found | {k: MatchResult(UNKNOWN) for k in todo}

        def lookup(key: str) -> MatchResult:
            items = search(wanted[key])
            self.progress(1)
            if items is None:
                return MatchResult(UNKNOWN)
            match = validate(wanted[key], items)
            return MatchResult(VALID, match) if match else MatchResult(INVALID)

        with ThreadPoolExecutor(self.workers) as pool:
            found.update(zip(todo, pool.map(lookup, todo)))
        self.cache.put_many(
            [
                (key, {"record": found[key].match.record if found[key].match else None}, found[key].match is not None)
                for key in todo
                if found[key].verdict != UNKNOWN
            ]
        )
        return found

    def _search_reference(self, ref: Reference) -> list[dict] | None:
        return self.client.search(ref.text, rows=5)

    def _search_citation(self, cit: Citation) -> list[dict] | None:
        year = int(cit.year[:4])
        return self.client.search(cit.context, rows=5, author=cit.authors[0], from_year=year, until_year=year)


def _own_record(record: dict) -> DoiStatus:
    """A DOI answered with its own record; an alias's own record names its primary."""
    primaries = _related(record, "is-alias-of")
    return DoiStatus(VALID, record, "crossref", alias_of=primaries[0] if primaries else None)


def _related(record: dict, kind: str) -> list[str]:
    """The DOIs a Crossref record's ``relation`` lists under ``kind``."""
    relation = record.get("relation")
    items = relation.get(kind) if isinstance(relation, dict) else None
    return (
        [str(item["id"]) for item in items if isinstance(item, dict) and item.get("id")]
        if isinstance(items, list)
        else []
    )


def _optional(value, kind: type) -> bool:
    return value is None or isinstance(value, kind)
