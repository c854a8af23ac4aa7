"""Does a Crossref record describe the cited work? Field-by-field validation of search hits.

A wrong DOI suggestion is worse than none: it puts a false identifier into a manuscript. So a
candidate is accepted only on independent evidence (title plus first author and/or year; or
author, year, volume and first page), never on one field, and an ambiguous result is no result.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from reflint.models import Author, Fields
from reflint.text import fold

_TYPES = {
    "journal-article": "article",
    "book-chapter": "incollection",
    "proceedings-article": "inproceedings",
    "book": "book",
    "monograph": "book",
    "dissertation": "thesis",
    "report": "report",
}  # else misc
_TAG = re.compile(r"<(/?)([a-zA-Z][\w:.-]*)[^<>]*>")
_PARTICLES = set("de del della der di da das do dos du la las le les los van von den ten ter y e the".split())
_STOP = set("the of and for in on de la le des der und du".split())  # ignored in journal names
_INITIALS = re.compile(r"(?:\s+[A-Z](?:[-.]{0,2}[A-Z]){0,3}\.?)+$")  # "Hu H-T": Vancouver initials
# A notice carries the title of the work it concerns, yet is another work with another DOI.
_NOTICE = re.compile(
    r"^(?:(?:correction|corrigendum|erratum|retraction(?: notice)?|notice of retraction"
    r"|(?:editorial )?expression of concern|withdrawal|withdrawn|in reply|reply|response to"
    r"|author response|decision letter|review for|comment on)\b\s*)*"
)
_RETRACTED = re.compile(r"^retracted\b\s*")  # Elsevier retitles the retracted article itself
_WEIGHTS = {"author": 0.2, "year": 0.1, "volume": 0.1, "first_page": 0.1, "issue": 0.025, "container": 0.025}


def _strip_html(text: str) -> str:
    """Drop inline markup Crossref keeps in titles (``of<i>Anthocephalus</i>Root``): a formatting
    tag becomes a space (it often stands for one), a sub/superscript tag nothing (H2O)."""
    text = _TAG.sub(lambda m: "" if m.group(2).lower() in ("sub", "sup") else " ", text)
    return re.sub(r"\s+([,.;:!?)])", r"\1", " ".join(html.unescape(text).split()))


def _years(record: dict) -> list[int]:
    """Years of the record's dates, issued (the earlier of print and online) first."""
    parts = [
        ((record.get(k) or {}).get("date-parts") or [[None]])[0]
        for k in ("issued", "published-print", "published-online", "published")
    ]
    return [p[0] for p in parts if p and isinstance(p[0], int)]


def _containers(record: dict) -> list[str]:
    return [n for key in ("container-title", "short-container-title") for n in record.get(key) or [] if n]


def record_fields(record: dict) -> Fields:
    """A Crossref ``message`` as reflint's :class:`Fields` (an org author becomes a family name)."""
    authors = [
        Author(a["family"], a.get("given", "")) if a.get("family") else Author(a["name"])
        for a in record.get("author") or []
        if a.get("family") or a.get("name")
    ]
    years, titles = _years(record), [t for t in record.get("title") or [] if t]
    containers = [c for c in record.get("container-title") or [] if c]
    return Fields(
        authors=authors,
        year=str(years[0]) if years else None,
        title=_strip_html(titles[0]) if titles else None,
        container=_strip_html(containers[0]) if containers else None,
        volume=record.get("volume"),
        issue=record.get("issue"),
        pages=record.get("page"),
        doi=record.get("DOI"),
        type=_TYPES.get(record.get("type", ""), "misc"),
    )


@dataclass(frozen=True)
class Comparison:
    """Agreement per field; None when either side lacks the field (no evidence either way)."""

    author: bool | None
    year: bool | None
    title: float | None
    volume: bool | None
    issue: bool | None
    first_page: bool | None
    container: bool | None
    year_exact: bool | None = None  # False: the year agrees only by ±1 with every record date


def _same_family(a: str, b: str) -> bool:
    """Equal ignoring accents, case, hyphens and spaces, or one compound holds the other's
    significant parts ("Mayoral" / "Mayoral Del Moral", "Pluijm" / "van der Pluijm"). Vancouver
    initials a parser left on the family name ("Hu H-T") are dropped first."""
    tokens = [fold(_INITIALS.sub("", family)).split() for family in (a, b)]
    if "".join(tokens[0]) == "".join(tokens[1]):
        return bool(tokens[0])
    sa, sb = ({t for t in ts if t not in _PARTICLES} for ts in tokens)
    return bool(sa and sb) and (sa <= sb or sb <= sa)


def _similarity(a: str, b: str) -> float:
    """token_sort_ratio: blind to case, punctuation and word order, but every extra or missing
    word costs, so another work sharing a topic phrase scores low. partial_ratio (the shorter
    string against its best window in the longer) forgives a journal or subtitle the parser glued
    on; it counts only when the shorter string is long and at least half the longer, because a
    short phrase ("dry needling") sits inside many unrelated titles."""
    score = fuzz.token_sort_ratio(a, b)
    short, long = sorted((a, b), key=len)
    if len(short) >= 30 and len(short) * 2 >= len(long):
        score = max(score, fuzz.partial_ratio(short, long))
    return score


def _title_score(cited: str, record: dict) -> float:
    """Best similarity over the record's title, title + separate ``subtitle``, and main title
    alone (citations drop subtitles), and over the cited title with a glued-on journal removed."""
    title = _strip_html(record["title"][0] or "")
    subtitle = next(iter(record.get("subtitle") or []), "")
    main = re.split(r"[:?]\s|\s[-\u2013\u2014]\s", title)[0]
    variants = [
        _RETRACTED.sub("", fold(v))
        for v in (title, subtitle and f"{title}: {subtitle}", len(main.split()) >= 3 and main)
        if v
    ]
    a = _RETRACTED.sub("", fold(_strip_html(cited)))
    if not a or not variants:
        return 0.0
    forms = [a] + [
        a[: -len(j) - 1] for j in map(fold, _containers(record)) if j and a.endswith(" " + j)
    ]  # "Demystifying acupuncture. Rheumatology"
    score = max(_similarity(x, v) for x in forms for v in variants)
    marks = {(_NOTICE.match(t).group().strip(), t.endswith("reply")) for t in (a, variants[0])}
    if len(marks) > 1:  # "Correction: <title>" is not <title>, nor is "<title>—Reply"
        score = min(score, 50.0)
    return score


def _is_abbreviation(abbr: list[str], full: list[str]) -> bool:
    """ISO 4 style: each word a prefix of the full name's word, in order ("J Orthop" / "Journal
    of Orthopaedic"; from 4 letters it may skip letters, "Natl"), or initials ("JPR", "JAMA")."""
    if len(abbr) == 1 and len(full) > 1 and abbr[0] == "".join(w[0] for w in full):
        return True
    return len(abbr) == len(full) and all(  # folded words are alphanumeric: safe as a pattern
        f.startswith(s) or (len(s) >= 4 and re.match(".*?".join(s), f)) for s, f in zip(abbr, full)
    )


def _same_container(cited: str, record: dict) -> bool:
    """The cited journal against the record's full and short titles, either side abbreviated;
    fuzz.ratio >= 92 on whole names admits spelling variants ("Orthopaedic"/"Orthopedic")."""

    def forms(name: str) -> list[list[str]]:
        plain = re.sub(r"\([^)]*\)", " ", name)  # "Medicine (Baltimore)"
        return [[w for w in fold(n).split() if w not in _STOP] for n in {name, plain}]

    return any(
        a
        and b
        and (a == b or _is_abbreviation(a, b) or _is_abbreviation(b, a) or fuzz.ratio(" ".join(a), " ".join(b)) >= 92)
        for a in forms(cited)
        for name in _containers(record)
        for b in forms(name)
    )


def _number(value) -> str:
    text = re.sub(r"^(?:vol(?:ume)?|no|nr|issue)\s*", "", fold(str(value)))
    return re.sub(r"\b0+(\d)", r"\1", text).replace(" ", "")


def _same_first_page(cited: str, record: dict) -> bool:
    """Equal first pages ("133-149"/"133", "70E-87E", "xii"), the same digits ("e2"/"2"), or the
    article number that journals paginating every article "1-8" put in the DOI (Hindawi)."""
    a, b = (
        _number(re.sub(r"^pp?\.?\s*", "", re.split(r"\s*[-\u2010-\u2015,]\s*", p.strip())[0], flags=re.I))
        for p in (cited, record.get("page") or "")
    )
    digits = re.sub(r"\D", "", a)
    if a and b and (a == b or (digits and digits == re.sub(r"\D", "", b))):
        return True
    tail = re.search(r"(\d+)$", record.get("article-number") or record.get("DOI") or "")
    return len(digits) >= 4 and tail is not None and tail.group(1).lstrip("0") == digits.lstrip("0")


def _agree(cited, registered, same) -> bool | None:
    return None if not cited or not registered else same(cited, registered)


def compare(fields: Fields, record: dict) -> Comparison:
    """Field-by-field agreement of a citation's parsed fields with a Crossref record."""
    authors = record.get("author") or []
    first = next((a for a in authors if a.get("sequence") == "first"), authors[0] if authors else {})
    cited_year = int(m.group()) if (m := re.search(r"\d{4}", fields.year or "")) else None
    return Comparison(
        author=_agree(
            fields.authors[0].family if fields.authors else None, first.get("family") or first.get("name"), _same_family
        ),
        # ±1: print versus online-first year; Crossref's "issued" is the earlier of the two.
        year=_agree(cited_year, _years(record), lambda y, ys: any(abs(y - r) <= 1 for r in ys)),
        year_exact=_agree(cited_year, _years(record), lambda y, ys: y in ys),
        title=_agree(fields.title, record.get("title"), lambda t, _: _title_score(t, record)),
        volume=_agree(fields.volume, record.get("volume"), lambda a, b: _number(a) == _number(b)),
        issue=_agree(fields.issue, record.get("issue"), lambda a, b: _number(a) == _number(b)),
        first_page=_agree(
            fields.pages, record.get("page") or record.get("article-number"), lambda p, _: _same_first_page(p, record)
        ),
        container=_agree(fields.container, _containers(record), lambda j, _: _same_container(j, record)),
    )


def same_work(c: Comparison) -> bool:
    """The record is the cited work: a near-identical title not contradicted by author or year,
    or, without titles to compare, author, year, volume and first page all agreeing."""
    if c.title is not None:
        return c.title >= 85 and c.author is not False and c.year is not False
    return all(v is True for v in (c.author, c.year, c.volume, c.first_page))


def disagreements(c: Comparison) -> list[str]:
    """Details of a matched work that differ from the record (RL302). A year that is off by one
    from every date the record has (issued, print, online) counts as a disagreement."""
    fields = {
        "year": c.year and c.year_exact,
        "volume": c.volume,
        "issue": c.issue,
        "pages": c.first_page,
        "container": c.container,
    }
    return [name for name, agrees in fields.items() if agrees is False]


@dataclass(frozen=True)
class Match:
    """A validated candidate: the record, its DOI, 0-1 confidence and the evidence."""

    record: dict
    doi: str
    confidence: float
    comparison: Comparison


def _confidence(c: Comparison) -> float:
    """0-1: title similarity carries 0.45, independent fields the rest; disagreement subtracts."""
    score = 0.45 * (c.title or 0) / 100 + sum(
        w * {True: 1, False: -1}.get(getattr(c, name), 0) for name, w in _WEIGHTS.items()
    )
    return max(0.0, min(1.0, score))


def _validated(fields: Fields, record: dict, c: Comparison) -> bool:
    """same_work plus enough independent evidence that the agreement is no coincidence. A preprint
    (the article's title and authors, another DOI) only fits a citation without a volume and with
    the preprint's own year: ±1 is for print versus online-first, not preprint versus article."""
    if not same_work(c) or (c.volume is False and c.first_page is False):
        return False
    kind = record.get("type")  # a peer review is titled and dated like the work it reviews
    if kind == "peer-review" or (kind == "posted-content" and (fields.volume or c.year_exact is not True)):
        return False
    if c.title is None:
        return True  # same_work demanded author, year, volume and first page
    if len(fold(fields.title).split()) < 4:  # "Dry needling": generic, needs more than a year
        return c.year is True and (c.author is True or (c.volume is True and c.first_page is True))
    return (c.title >= 90 and (c.author is True or c.year is True)) or (c.author is True and c.year is True)


def best_match(fields: Fields, candidates: list[dict], tie_margin: float = 0.1) -> Match | None:
    """The one candidate that validated as the cited work, or None: none did, or the best two
    (different DOIs) are within ``tie_margin`` confidence of each other and the choice is a guess."""
    passing: dict[str, Match] = {}
    for record in candidates:
        doi, c = (record.get("DOI") or "").lower(), compare(fields, record)
        best = getattr(passing.get(doi), "confidence", -1.0)  # one DOI listed twice is no tie
        if doi and _validated(fields, record, c) and _confidence(c) > best:
            passing[doi] = Match(record, record["DOI"], _confidence(c), c)
    ranked = sorted(passing.values(), key=lambda m: m.confidence, reverse=True)
    tie = len(ranked) > 1 and ranked[0].confidence - ranked[1].confidence < tie_margin
    return None if not ranked or tie else ranked[0]
