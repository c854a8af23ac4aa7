"""Labelled segments -> :class:`Fields`: the parser's post-processing.

Author lists split in both ``Family I,`` (Vancouver) and ``Family, I.,`` (APA/Harvard)
orders (``reflint.names``), years without their ``a``/``b`` suffix, pages with a plain
hyphen, an AMA ``Publisher; 2015:155-158`` read as year and pages, a trailing edition
("2nd ed.") dropped from a title. DOIs come from ``reflint.doi`` so there is one DOI
grammar in the project; PMIDs and URLs are regexes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from reflint.crf import clean
from reflint.models import Fields
from reflint.names import split_authors


@dataclass(slots=True)  # a list holds tens of thousands: slots make them cheaper to build
class Segment:
    """A run of tokens with one label: offsets into the reference string, and its text."""

    label: str
    start: int
    end: int
    text: str


def run_span(segs: list[Segment], label: str) -> tuple[int, int] | None:
    """The first run of ``label`` segments, even when the labeller leaves an "&", "and"
    or comma between them as "other" (``Smith, J. & Jones, K.``)."""
    run = []
    for s in segs:
        if s.label == label:
            run.append(s)
        elif s.label != "other" and run:
            break
    return (run[0].start, run[-1].end) if run else None


# (patterns open with a literal or a lookahead on their first character where they can:
# the regex engine then skips to it instead of trying the pattern at every character)
_HYPHEN_BREAK = re.compile(r"-(?<=[a-z]-) (?=[a-z]{2,})(?!(?:and|or|to|und|et)\b)")
_SPACE_PUNCT = re.compile(r" (?=[,.;:?!])")  # white space is single spaces by then
_LEADING_QUOTES, _TRAILING_QUOTES = "\"“”‘'« ", "\"“”’'» ,;:/"  # white space is single spaces by then
_VOLUME_PREFIX = re.compile(r"(?i)^(?:vol(?:ume)?|no|nr|issue|n°|v)\.?\s*")
_PAGES_PREFIX = re.compile(r"(?i)^(?:pp?|pages?)\.?\s*")
_DASHES = re.compile(r"\s*[-‐‑‒–—−]+\s*")
_THESIS = re.compile(r"\b(?:thesis|dissertation|doctoral|phd)\b")
_REPORT = re.compile(r"\b(?:technical report|tech\. rep|report no|working paper)\b")
_IN_AT_START = re.compile(r"(?i)in:?\s")  # a chapter "In: ..." (or after ". "/", ", below)
_IN_AFTER_BREAK = re.compile(r"(?i)[.,]\sin:?\s")
_PROC_CONTAINER = re.compile(r"(?i)\b(?:proc\b|proceedings|conference|symposium|workshop|congress)")
_IN_PREFIX = re.compile(r"(?i)^in:?\s+")


def _tidy(s: str, abbrev: bool = False) -> str:
    """Collapse whitespace, undo ligatures and hyphenation breaks, drop edge punctuation.

    ``abbrev`` keeps the final period of dotted abbreviations ("J. Am. Chem. Soc.").
    """
    s = " ".join(clean(s).split())
    if "- " in s:
        s = _HYPHEN_BREAK.sub("", s)
    s = _SPACE_PUNCT.sub("", s)  # "meta-analysis ." -> "meta-analysis."
    s = s.lstrip(_LEADING_QUOTES).rstrip(_TRAILING_QUOTES)
    for opener, closer in (("(", ")"), ("[", "]")):  # drop unbalanced edge brackets only
        if s.endswith(closer) and s.count(closer) > s.count(opener):
            s = s[:-1]
        if s.startswith(opener) and s.count(opener) > s.count(closer):
            s = s[1:]
    if s.endswith(".") and not (abbrev and re.search(r"\.\s\S+\.$", s) and re.search(r"\b\w{1,5}\.$", s)):
        s = s[:-1]
    return s.strip(" ,;:")


YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_VOLUME_YEAR = re.compile(r"19\d\d|20\d\d")  # a "volume" that is a plausible year
_EDITION = re.compile(  # "Dialectology. 2nd edition", "The Eleventh Commandment. Rev. ed"
    r"[.,]\s+(?:\d{1,2}(?:st|nd|rd|th|e|\.)?|rev(?:ised)?\.?|new|second|third)\s*"
    r"(?:ed|edn|edition|éd|édition|aufl|auflage)\.?$",
    re.I,
)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b")
_URL = re.compile(r"https?://[^\s<>\"]+")


def _number(s: str) -> str:
    """``Vol. 12`` -> ``12``; ``(3)`` / ``no. 3`` -> ``3``."""
    s = _VOLUME_PREFIX.sub("", _tidy(s))
    return s.strip("() ")


def _pages(s: str) -> str:
    s = _PAGES_PREFIX.sub("", _tidy(s))
    return _DASHES.sub("-", s)


def _doi(text: str) -> str | None:
    if "/" not in text:
        return None  # every DOI, however damaged, has its prefix/suffix slash
    from reflint.doi import find_dois  # lazily: doi.py and parse.py load independently

    return next((m.doi for m in find_dois(text) if m.doi), None)


def _entry_type(text: str, segs: dict[str, str], container: str | None) -> str:
    low = text.lower()
    if any(w in low for w in ("thesis", "dissertation", "doctoral", "phd")) and _THESIS.search(low):
        return "thesis"
    if any(w in low for w in ("report", "tech. rep", "working paper")) and _REPORT.search(low):
        return "report"
    if container and _PROC_CONTAINER.search(container):
        return "inproceedings"
    if container and ("editor" in segs or _IN_AT_START.match(text) or _IN_AFTER_BREAK.search(text)):
        return "incollection"
    if container:
        return "article"
    if "publisher" in segs:
        return "book"
    return "misc"


def to_fields(text: str, segs: list[Segment]) -> Fields:
    """The fields of one reference from its segments: the first of each label, and author,
    title and container across "other" gaps (:func:`run_span`)."""
    first: dict[str, str] = {}
    for s in segs:
        first.setdefault(s.label, s.text)
    for name in ("author", "title", "container"):
        if span := run_span(segs, name):
            first[name] = text[span[0] : span[1]]
    fields = Fields()
    fields.authors = split_authors(first["author"]) if "author" in first else []
    for name in ("title", "container"):
        if name in first:
            value = _tidy(first[name], abbrev=name == "container")
            if name == "container":
                value = _IN_PREFIX.sub("", value)
            else:
                value = _EDITION.sub("", value)
            setattr(fields, name, value or None)
    date = YEAR.search(first.get("date", ""))
    fields.year = date.group(1) if date else None
    if "volume" in first:
        fields.volume = _number(first["volume"]) or None
    if "issue" in first:
        fields.issue = _number(first["issue"]) or None
    if "pages" in first:
        fields.pages = _pages(first["pages"]) or None
    volume = next((s for s in segs if s.label == "volume"), None)
    if (
        fields.year is None
        and volume
        and fields.volume
        and _VOLUME_YEAR.fullmatch(fields.volume)
        and re.match(r"\s*:\s*\w", text[volume.end :])
    ):
        # AMA books and chapters: "Springer Berlin Heidelberg; 2015:155-158." has no volume;
        # the number the CRF read as one is the year, followed by the pages
        fields.year, fields.volume = fields.volume, None
    fields.doi = _doi(text)
    pmid = _PMID.search(text) if "PMID" in text else None
    fields.pmid = pmid.group(1) if pmid else None
    url = next((u for u in _URL.findall(text) if "doi.org/" not in u.lower()), None)
    fields.url = url.rstrip(".,;)") if url else None
    fields.type = _entry_type(text, first, fields.container)
    return fields
