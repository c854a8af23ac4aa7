"""Cited preprints that have a peer-reviewed version (RL206).

Crossref links the two: the preprint's record has ``relation.is-preprint-of``, the article's
``relation.has-preprint``. Either side may be missing, so a preprint without the forward link
is looked up the other way (``/works?filter=relation.type:has-preprint,relation.object:DOI``).

arXiv DOIs (10.48550) are registered with DataCite: Crossref holds no record for them and
DataCite's arXiv records carry no link to a journal version. What can be known is only what a
publisher deposited with Crossref: an article whose ``has-preprint`` names the arXiv DOI. A
journal version whose publisher did not declare the preprint stays unknown to reflint (arXiv's
own journal reference is not consulted).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reflint.crossref import INVALID, VALID

if TYPE_CHECKING:
    from reflint.resolve import DoiStatus, Resolution, Resolver

# Prefix -> server, for DOIs whose record does not name its server (or has no Crossref record).
SERVERS = {"10.1101": "bioRxiv/medRxiv", "10.48550": "arXiv", "10.2139": "SSRN", "10.21203": "Research Square"}
_NAMED = ("medRxiv", "bioRxiv", "Research Square", "SSRN", "arXiv")
# 10.1101 is also Cold Spring Harbor's journals (10.1101/gr.123.4): only bioRxiv/medRxiv's
# numeric suffixes (10.1101/014852, 10.1101/2020.06.17.20133843) are taken for preprints.
_CSHL_PREPRINT = re.compile(r"^10\.1101/(?:\d{6}|\d{4}\.\d\d\.\d\d\.\d+)(?:v\d+)?$")


@dataclass(frozen=True)
class PublishedVersion:
    """The peer-reviewed version of a cited preprint."""

    preprint: str  # the preprint's DOI
    server: str  # medRxiv, bioRxiv, arXiv, SSRN, Research Square
    doi: str  # the published version's DOI
    venue: str | None  # its journal, when the registry says
    year: int | None


def preprint_server(doi: str, status: DoiStatus) -> str | None:
    """The preprint server a DOI belongs to, or None when it is no preprint of the servers
    RL206 knows (a posted-content record of another server still counts, by its institution)."""
    record = status.record or {}
    names = [i.get("name", "") for i in record.get("institution") or [] if isinstance(i, dict)]
    named = next((n for n in _NAMED for name in names if n.lower() == name.lower()), None)
    prefix = doi.split("/", 1)[0]
    if prefix == "10.1101" and not _CSHL_PREPRINT.match(doi) and record.get("type") != "posted-content":
        return None
    if prefix in SERVERS:
        return named or SERVERS[prefix]
    if record.get("type") == "posted-content" and named:
        return named
    return None


def forward_links(record: dict | None) -> list[str]:
    """DOIs the preprint's own record says it became (``is-preprint-of``)."""
    links = ((record or {}).get("relation") or {}).get("is-preprint-of") or []
    return list(
        dict.fromkeys(
            r["id"] for r in links if isinstance(r, dict) and r.get("id-type") == "doi" and isinstance(r.get("id"), str)
        )
    )


def _year(record: dict) -> int | None:
    for key in ("issued", "published-print", "published-online"):
        parts = ((record.get(key) or {}).get("date-parts") or [[None]])[0]
        if parts and isinstance(parts[0], int):
            return parts[0]
    return None


def _version(preprint: str, server: str, doi: str, record: dict | None) -> PublishedVersion:
    venue = next(iter((record or {}).get("container-title") or []), None)
    return PublishedVersion(preprint, server, doi, venue or None, _year(record) if record else None)


def reverse_key(doi: str) -> str:
    return "has-preprint:" + doi.lower()


def find_published(resolver: Resolver, resolution: Resolution) -> dict[str, PublishedVersion]:
    """For every cited preprint, its one published version, by lowercased preprint DOI.

    A preprint linked to several works, or found claimed by several articles, gets none: a
    guess is no fix. Unanswered lookups (offline, failures) simply leave the preprint out.
    """
    preprints = {
        doi: server
        for doi, status in resolution.dois.items()
        if status.verdict == VALID and (server := preprint_server(doi, status))
    }
    forward = {doi: forward_links(resolution.dois[doi].record) for doi in preprints}
    targets = sorted({t.lower() for links in forward.values() for t in links if t.lower() not in resolution.dois})
    if targets:
        resolution.dois.update(resolver._dois(targets))
    found: dict[str, PublishedVersion] = {}
    for doi, links in forward.items():
        if len(links) == 1:
            status = resolution.dois.get(links[0].lower())
            if status is None or status.verdict != INVALID:
                found[doi] = _version(doi, preprints[doi], links[0], status.record if status else None)
    for doi in preprints:
        if not forward[doi]:
            articles = _claimed_by(resolver, doi)
            if len(articles) == 1:
                found[doi] = _version(doi, preprints[doi], articles[0]["DOI"], articles[0])
    return found


def _claimed_by(resolver: Resolver, doi: str) -> list[dict]:
    """Articles whose ``has-preprint`` names ``doi`` (cached like searches; [] if unanswered)."""
    entry = resolver.cache.lookup(reverse_key(doi))
    if entry is not None:
        return entry.value.get("records") or []
    if resolver.client is None or not getattr(resolver, "_live", True):
        return []  # offline, or Crossref's outage is remembered: nothing known
    items = resolver.client.related_works("has-preprint", doi)
    if items is None:
        return []
    records = list(
        {
            i["DOI"].lower(): i for i in items if isinstance(i.get("DOI"), str) and i.get("type") != "posted-content"
        }.values()
    )
    resolver.cache.put_many([(reverse_key(doi), {"records": records}, bool(records))])
    return records
