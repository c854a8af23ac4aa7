"""PubMed identifiers as written in documents: ``PMID: 12345678``, PubMed URLs, ``PMCID: PMC1234567``.

Found the way DOIs are found (in the masked plain text, mapped back to ``Document.text``), so
RL207/RL208 point at the exact identifier. A PMID is 1-8 digits (PubMed passed 39 million
records in 2025); a PMCID is ``PMC`` and digits. A bare number is never taken for a PMID: only
a label or a PubMed URL says it is one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from bisect import bisect_left

from reflint.models import Document, Reference

# Each pattern opens with a lookahead on its possible first letters: without it the regex
# engine tries every alternative, lookbehinds first, at every character of a long page.
_PMID = re.compile(
    r"(?=[hwpn])(?:"
    r"(?<![\w/])(?:PMID|PubMed[ \t]+ID)[ \t]*[:#]?[ \t]*(\d{1,8})(?![\d.]*\d)"
    r"|(?:https?://)?(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/)(\d{1,8})\b)",
    re.I,
)
_PMCID = re.compile(
    r"(?=[hwpn])(?:(?<![\w/])PMCID[ \t]*:?[ \t]*(PMC\d{1,9})\b"
    r"|(?:https?://)?(?:www\.)?(?:pmc\.ncbi\.nlm\.nih\.gov/articles/|ncbi\.nlm\.nih\.gov/pmc/articles/)"
    r"(PMC\d{1,9})\b"
    r"|(?<![\w/])(PMC\d{5,9})\b)",
    re.I,
)


@dataclass(frozen=True)
class PubmedId:
    """One PMID or PMCID as written: ``start``/``end`` cover the label or URL too,
    ``id_start``/``id_end`` the number alone (offsets into ``Document.text``)."""

    start: int
    end: int
    id_start: int
    id_end: int
    kind: str  # pmid | pmcid
    value: str  # "12345678" or "PMC1234567" (upper case)


def find_ids(text: str) -> list[PubmedId]:
    """Every PMID and PMCID in ``text``, in order; a PMCID inside a PMC URL is one mention."""
    found = []
    low = text.lower()  # a page without these words has no PMID or PMCID: skip the scan
    for kind, pattern, words in (("pmid", _PMID, ("pmid", "pubmed")), ("pmcid", _PMCID, ("pmc",))):
        if not any(w in low for w in words):
            continue
        for m in pattern.finditer(text):
            group = next(g for g in range(1, (pattern.groups or 0) + 1) if m.group(g))
            value = m.group(group).upper() if kind == "pmcid" else m.group(group).lstrip("0") or "0"
            if value != "0":
                found.append(PubmedId(m.start(), m.end(), m.start(group), m.end(group), kind, value))
    found.sort(key=lambda i: i.start)
    kept: list[PubmedId] = []
    for item in found:  # overlapping forms: the first (longest start) wins
        if not kept or item.start >= kept[-1].end:
            kept.append(item)
    return kept


def to_source(doc: Document, item: PubmedId) -> PubmedId:
    """Map a mention found in ``doc.plain`` to ``doc.text`` (as DOI mentions are mapped)."""
    if doc.source_starts is None:
        return item
    start, _ = doc.to_source(item.start, item.start + 1)
    _, end = doc.to_source(item.end - 1, item.end)
    id_start, _ = doc.to_source(item.id_start, item.id_start + 1)
    _, id_end = doc.to_source(item.id_end - 1, item.id_end)
    return replace(item, start=start, end=max(start, end), id_start=id_start, id_end=max(id_start, id_end))


def attach(references: list[Reference], ids: list[PubmedId]) -> None:
    """Set ``fields.pmid`` of each reference from the first PMID written inside it."""
    starts = [i.start for i in ids]
    for ref in references:
        inside = ids[bisect_left(starts, ref.start) : bisect_left(starts, ref.end)]
        pmid = next((i.value for i in inside if i.kind == "pmid"), None)
        if pmid:
            ref.fields.pmid = pmid


def in_reference(ref: Reference, ids: list[PubmedId], kind: str = "pmid") -> list[PubmedId]:
    return [i for i in ids if ref.start <= i.start < ref.end and i.kind == kind]
