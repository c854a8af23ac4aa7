"""The ``references/`` library as a lock: verified entries answer later runs offline.

A verified entry carries its registry metadata (authoritative, from Crossref) and
``reflint-agency``, ``reflint-status``, ``reflint-updates`` and ``reflint-verified`` fields.
A DOI the registries do not know is not written as ``doi`` (``check`` reports it, RL201);
the entry keeps it as ``reflint-doi`` with ``reflint-status = {not-registered}``.
A PMID PubMed confirmed for the cited work gets ``reflint-pmid-status = {valid}``, PubMed's
DOI for it (``reflint-pmid-doi``) and ``reflint-pmid-verified``; one PubMed does not have is
kept as ``reflint-pmid`` with ``reflint-pmid-status = {not-found}`` (``check``'s RL207).
Reading them back gives the same answers the network gave, so pre-commit runs need no
network for known references and ``reflint bib --check`` is deterministic in CI. A library
written before PMIDs were locked simply has no PMID answers: those are asked as before.
"""

from __future__ import annotations

import datetime
import logging
import re
from pathlib import Path

import bibtexparser

from reflint.crossref import INVALID, VALID
from reflint.pubmed import PubmedStatus, key as pubmed_key
from reflint.resolve import DoiStatus
from reflint.texencode import decode

log = logging.getLogger(__name__)
STATUS_FIELDS = ("reflint-agency", "reflint-status", "reflint-updates", "reflint-verified")
_TYPES = {
    "article": "journal-article",
    "incollection": "book-chapter",
    "inproceedings": "proceedings-article",
    "book": "book",
    "thesis": "dissertation",
    "report": "report",
}
_RETRACTIONS = {"retraction", "removal"}


def status_fields(status: DoiStatus) -> list[tuple[str, str]]:
    """The lock fields for a verified DOI, in a stable order."""
    record = status.record or {}
    notices = [f"{u.get('type')} {u.get('DOI')}" for u in record.get("updated-by", [])]
    kinds = {u.get("type") for u in record.get("updated-by", [])}
    state = "retracted" if kinds & _RETRACTIONS else "updated" if notices else "valid"
    verified = record.get("_verified") or datetime.date.today().isoformat()
    return [
        ("reflint-agency", status.agency or ""),
        ("reflint-status", state),
        ("reflint-updates", "; ".join(notices)),
        ("reflint-verified", verified),
    ]


def split_top(value: str, sep: str) -> list[str]:
    """``value`` split at ``sep`` outside braces (BibTeX's grouping), parts stripped."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"[{}]|" + sep, value):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            parts.append(value[start : m.start()].strip())
            start = m.end()
    return [p for p in [*parts, value[start:].strip()] if p]


def unregistered_fields(doi: str, status: DoiStatus) -> list[tuple[str, str]]:
    """The lock fields for a DOI that no registry holds (the answer behind RL201)."""
    verified = (status.record or {}).get("_verified") or datetime.date.today().isoformat()
    return [("reflint-doi", doi), ("reflint-status", "not-registered"), ("reflint-verified", verified)]


def pmid_fields(pmid: str, status: PubmedStatus) -> list[tuple[str, str]]:
    """The lock fields for a PMID PubMed answered: found (with PubMed's DOI for it), or not."""
    verified = status.verified or datetime.date.today().isoformat()
    if status.verdict == INVALID:
        return [("reflint-pmid", pmid), ("reflint-pmid-status", "not-found"), ("reflint-pmid-verified", verified)]
    return [
        ("reflint-pmid-status", "valid"),
        ("reflint-pmid-doi", status.doi or ""),
        ("reflint-pmid-verified", verified),
    ]


def _authors(value: str) -> list[dict]:
    """Crossref-shaped authors from a field reflint wrote (``Last, Jr., F. M. and {Org}``)."""
    authors = []
    for name in split_top(value, r"\s+and\s+"):
        if name.lower() == "others":
            continue
        parts = [decode(p) for p in split_top(name, ",")]
        author = {"family": parts[0]}
        if len(parts) > 1:
            author["given"] = parts[-1]
        if len(parts) > 2:
            author["suffix"] = parts[1]
        authors.append(author)
    return authors


def _plain(value: str | None) -> str | None:
    return decode(value) if value and ("\\" in value or "{" in value) else value


def _record(entry) -> dict:
    """A Crossref-shaped record rebuilt from a verified entry."""
    fields = {f.key.lower(): f.value for f in entry.fields}
    authors = _authors(fields.get("author", ""))
    container = fields.get("journal") or fields.get("booktitle")
    record = {
        "DOI": fields.get("doi"),
        "type": _TYPES.get(entry.entry_type, "other"),
        "title": [decode(fields["title"])] if fields.get("title") else [],
        "author": authors,
        "container-title": [decode(container)] if container else [],
        "issued": {"date-parts": [[int(fields["year"])]]} if fields.get("year", "").isdigit() else {},
        "volume": _plain(fields.get("volume")),
        "issue": _plain(fields.get("number")),
        "page": fields.get("pages", "").replace("--", "-") or None,
        "updated-by": [
            {"type": kind, "DOI": doi}
            for kind, _, doi in (n.strip().partition(" ") for n in fields.get("reflint-updates", "").split(";"))
            if kind
        ],
        "_verified": fields.get("reflint-verified"),
    }
    return {k: v for k, v in record.items() if v not in (None, [], {})}


def _summary(entry, doi: str | None, verified: str | None) -> dict:
    """An ESummary-shaped summary rebuilt from a PMID's entry: the entry's own metadata
    (the cited work, as it was confirmed) with PubMed's DOI for the PMID."""
    record = _record(entry)
    year = record.get("issued", {}).get("date-parts", [[""]])[0][0]
    return {
        "title": (record.get("title") or [""])[0],
        "authors": [{"name": a["family"], "authtype": "Author"} for a in record.get("author", [])],
        "pubdate": str(year),
        "fulljournalname": (record.get("container-title") or [""])[0],
        "volume": record.get("volume") or "",
        "pages": record.get("page") or "",
        "articleids": [{"idtype": "doi", "value": doi}] if doi else [],
        "_verified": verified,
    }


def _pmid_answer(entry, fields: dict[str, str]) -> tuple[str, PubmedStatus] | None:
    """The lock's answer for the entry's PMID, keyed as the resolver keys it."""
    state, verified = fields.get("reflint-pmid-status"), fields.get("reflint-pmid-verified")
    if state == "not-found" and fields.get("reflint-pmid"):
        return pubmed_key("pmid", fields["reflint-pmid"]), PubmedStatus(INVALID, {"_verified": verified})
    if state == "valid" and fields.get("pmid"):
        return pubmed_key("pmid", fields["pmid"]), PubmedStatus(
            VALID, _summary(entry, fields.get("reflint-pmid-doi"), verified)
        )
    return None


def load_lock(directory: Path) -> dict[str, DoiStatus | PubmedStatus]:
    """Verified DOIs (by DOI) and PMIDs (``pmid:123``) from every ``.bib`` under ``directory``
    (missing directory: empty lock)."""
    lock: dict[str, DoiStatus | PubmedStatus] = {}
    if not directory.is_dir():
        return lock
    for path in sorted(directory.rglob("*.bib")):
        try:
            library = bibtexparser.parse_string(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s: cannot read the reference library (%s)", path, exc)
            continue
        for entry in library.entries:
            fields = {f.key.lower(): f.value for f in entry.fields}
            if fields.get("reflint-status") == "not-registered" and fields.get("reflint-doi"):
                verified = fields.get("reflint-verified")
                lock[fields["reflint-doi"].lower()] = DoiStatus(INVALID, {"_verified": verified} if verified else None)
            elif fields.get("reflint-status") and fields.get("doi"):
                agency = fields.get("reflint-agency") or None
                record = _record(entry) if agency == "crossref" else None
                lock[fields["doi"].lower()] = DoiStatus(VALID, record, agency)
            pmid = _pmid_answer(entry, fields)
            if pmid:
                lock[pmid[0]] = pmid[1]
    return lock
