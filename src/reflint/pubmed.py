"""Verify the PubMed identifiers of a run in bulk (ESummary, 200 IDs a request), like DOIs.

Order of answers: the ``references/`` lock, the cache, then NCBI. Verdicts are three-valued:
a record PubMed returned is *valid*, a per-record error in a successful answer is *invalid*,
and anything else (offline, timeouts, 429, 5xx, an ID the answer left out, an NCBI outage
remembered from an earlier run) is *unknown*.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reflint.crossref import INVALID, UNKNOWN, VALID
from reflint.mismatch import names_another_work
from reflint.match import compare, record_fields
from reflint.models import Extraction, Reference
from reflint.ncbi import BATCH_SIZE

if TYPE_CHECKING:
    from reflint.outage import Watch
    from reflint.resolve import Resolution, Resolver


@dataclass(frozen=True)
class PubmedStatus:
    verdict: str  # valid | invalid | unknown
    summary: dict | None = None  # the ESummary document summary, when valid

    @property
    def doi(self) -> str | None:
        """The DOI among the record's ``articleids`` (PubMed has none for many older works)."""
        ids = (self.summary or {}).get("articleids") or []
        return next(
            (
                i["value"]
                for i in ids
                if isinstance(i, dict)
                and i.get("idtype") == "doi"
                and isinstance(i.get("value"), str)
                and i["value"].startswith("10.")
            ),
            None,
        )

    @property
    def title(self) -> str:
        return (self.summary or {}).get("title") or ""

    @property
    def verified(self) -> str | None:
        """When the library recorded this answer (``reflint-pmid-verified``), if it came from there."""
        return (self.summary or {}).get("_verified")


UNKNOWN_PUBMED = PubmedStatus(UNKNOWN)


def key(kind: str, value: str) -> str:
    """Resolution and cache key: ``pmid:123`` or ``pmcid:PMC123``."""
    return f"{kind}:{value}"


def as_record(summary: dict) -> dict:
    """An ESummary record in the shape of a Crossref message, so reflint.match can compare it
    ("Dexter DL" is family name and initials; the year is the first of ``pubdate``)."""
    authors = [
        {"family": re.sub(r"\s+[A-Z]{1,4}$", "", a.get("name", "")).strip()}
        for a in summary.get("authors") or []
        if a.get("authtype", "Author") == "Author" and a.get("name")
    ]
    year = re.search(r"\b(1[89]|20)\d\d\b", summary.get("pubdate") or summary.get("epubdate") or "")
    return {
        "title": [(summary.get("title") or "").rstrip(".")],
        "author": authors,
        "issued": {"date-parts": [[int(year.group())]]} if year else {},
        "container-title": [summary.get("fulljournalname") or summary.get("source") or ""],
        "volume": summary.get("volume") or None,
        "page": summary.get("pages") or None,
    }


def verify(resolver: Resolver, extractions: list[Extraction], watch: Watch) -> dict[str, PubmedStatus]:
    """Statuses of every PMID and PMCID of the run, by :func:`key`; ``watch`` is NCBI's
    outage memory (while an outage is remembered, NCBI is not asked)."""
    wanted = sorted({key(i.kind, i.value) for ex in extractions for i in ex.pubmed_ids})
    found: dict[str, PubmedStatus] = {}
    for k in wanted:
        known = resolver.locked(k, watch.live) or _cached(resolver.cache, k)
        if known is not None:
            found[k] = known
    todo = [k for k in wanted if k not in found]
    if not todo:
        return found
    if not watch.live:
        watch.skip()
        return found | {k: UNKNOWN_PUBMED for k in todo}
    esummary = resolver.ncbi.esummary
    batches = [
        (db, chunk)
        for db, prefix in (("pubmed", "pmid:"), ("pmc", "pmcid:"))
        for ids in [[k for k in todo if k.startswith(prefix)]]
        for chunk in (ids[i : i + BATCH_SIZE] for i in range(0, len(ids), BATCH_SIZE))
    ]

    def ask(batch: tuple[str, list[str]]) -> dict[str, PubmedStatus]:
        db, keys = batch
        ids = {k.split(":", 1)[1].removeprefix("PMC"): k for k in keys}
        answer = esummary(list(ids), db=db)
        resolver.progress(len(keys))
        if answer is None:
            return {k: UNKNOWN_PUBMED for k in keys}
        return {
            k: (PubmedStatus(VALID, answer[i]) if answer[i] else PubmedStatus(INVALID))
            if i in answer
            else UNKNOWN_PUBMED
            for i, k in ids.items()
        }

    with ThreadPoolExecutor(2) as pool:
        for statuses in pool.map(ask, batches):
            found.update(statuses)
    resolver.cache.put_many(
        [
            (k, {"verdict": found[k].verdict, "summary": found[k].summary}, found[k].verdict == VALID)
            for k in todo
            if found[k].verdict != UNKNOWN
        ]
    )
    return found


def _cached(cache, k: str) -> PubmedStatus | None:
    """The cached answer; one of another shape (another version's) is a miss."""
    entry = cache.lookup(k)
    value = entry.value if entry is not None else None
    if not isinstance(value, dict) or value.get("verdict") not in (VALID, INVALID):
        return None
    summary = value.get("summary")
    return PubmedStatus(value["verdict"], summary if isinstance(summary, dict) else None)


def status_of(resolution: Resolution | None, kind: str, value: str) -> PubmedStatus:
    table = getattr(resolution, "pubmed", None) or {}
    return table.get(key(kind, value), UNKNOWN_PUBMED)


def doi_from_pmid(resolution: Resolution | None, ref: Reference) -> str | None:
    """The DOI PubMed records for the reference's PMID, when the record is the cited work (or
    the reference has too little to tell): RL301 offers it for a reference without a DOI."""
    if not ref.fields.pmid:
        return None
    status = status_of(resolution, "pmid", ref.fields.pmid)
    if status.verdict != VALID or not status.doi:
        return None
    if names_another_work(ref.fields, as_record(status.summary or {})):
        return None
    return status.doi


def lockable(resolution: Resolution | None, ref: Reference) -> PubmedStatus | None:
    """PubMed's answer for the reference's PMID as ``check`` reads it, for the library:
    not found (RL207), or found and the cited work (no RL208, and the record is the work
    RL301 would take a DOI from). None: unknown, or the PMID names another work."""
    if not ref.fields.pmid:
        return None
    status = status_of(resolution, "pmid", ref.fields.pmid)
    if status.verdict != VALID:
        return status if status.verdict == INVALID else None
    doi = next((m.doi for m in ref.dois if m.doi), None)
    if doi and resolution is not None:
        doi_status = resolution.doi(doi)
        if doi_status.verdict != INVALID and different_works(status, doi, doi_status.record):
            return None
    elif names_another_work(ref.fields, as_record(status.summary or {})):
        return None
    return status


def different_works(status: PubmedStatus, doi: str, doi_record: dict | None) -> bool:
    """The PMID and the DOI of one reference name different works (RL208)?

    PubMed's own DOI for the PMID decides when it has one, unless Crossref's record of the
    cited DOI carries the same title (an alias DOI of the same article). Without a DOI at
    PubMed, the two records are compared as RL202 compares a reference with its DOI.
    """
    record = as_record(status.summary or {})
    if status.doi:
        if status.doi.lower() == doi.lower():
            return False
        return not (doi_record and (compare(record_fields(record), doi_record).title or 0) >= 85)
    return bool(doi_record) and names_another_work(record_fields(record), doi_record)
