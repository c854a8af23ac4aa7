"""RL0xx and RL3xx offline: reference entries that cannot be understood or repeat a work."""

from __future__ import annotations

import re
from typing import NamedTuple

from rapidfuzz import fuzz

from reflint.extract import MAX_REFERENCE
from reflint.models import Reference
from reflint.rules.base import Context, Rule
from reflint.text import fold


# identifiers that find a work as a DOI does: arXiv ids (``arXiv:1601.01536``, old-style
# ``hep-th/9503124`` alone), and standards (``ISO 14155:2020``, ``3GPP TS 23.179``, ``RFC 7231``)
_IDENTIFIER = re.compile(
    r"(?i)\barxiv(?:\.org)?:\s?(?:\d{4}\.\d{4,5}|[a-z-]+(?:\.[a-z]{2})?\s?/\d{7})"
    r"|\b(?:hep|astro|gr|nucl|quant|cond|math|physics)(?:-[a-z]{2,4})?(?:\.[a-z]{2})?/\d{7}\b"
    r"|\b(?:ISO(?:/IEC)?|IEC|3GPP\s+T[SR]|RFC|IEEE\s+Std|ASTM\s+[A-Z]|ANSI|CLSI)\s?\d"
)


def missing_fields(ref: Reference) -> list[str]:
    """What keeps the work from being found again; empty when it can be.

    A link; an author and a title; an author or a title with a year or an identifier (a
    DOI, PMID, arXiv id or standard's number: "in press", a corporate author, an undated
    title, physics' ``E. Witten, arXiv:hep-th/9503124`` and a standard all qualify); a
    title with its journal and volume or pages (an unsigned notice); or a journal with
    volume and pages, which locate an article by themselves (``Rev. Mod. Phys. 24, 258
    (1952)``, as physics and chemistry lists cite).
    """
    f = ref.fields
    has_year = bool(f.year or f.doi or ref.dois or f.pmid or _IDENTIFIER.search(ref.text))
    if (
        f.url
        or (f.authors and f.title)
        or ((f.authors or f.title) and has_year)
        or (f.title and f.container and (f.volume or f.pages))
        or (f.container and f.volume and f.pages)
    ):
        return []
    return [name for name, present in (("author", f.authors), ("year", has_year), ("title", f.title)) if not present]


def _either(names: list[str]) -> str:
    """``author, year or title``"""
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def understood(ref: Reference) -> bool:
    """Enough to find the work again (see :func:`missing_fields`)."""
    return not missing_fields(ref)


def unparseable_reference(ctx: Context):
    """A reference entry whose author, year or title cannot be found.

    reflint reports entries it cannot understand instead of dropping them: a reader
    cannot find the work either. The message names what is missing. An entry with an
    author and a title is never reported, nor one with a link, nor an author or title with
    a year or an identifier (DOI, PMID, arXiv id, a standard's number), nor a journal with
    volume and pages. An entry that opens with a ditto mark (``———.``, ``---.``) has the
    authors of the entry before it. An entry longer than 3,000 characters (a list run
    together, a pasted page) is reported without being parsed: split it into its references.

    Bad:

        - Ibid.
        - Personal communication, see our website

    Good:

        - Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
        - World Health Organization (2012) Global tuberculosis report. Geneva: WHO.
    """
    for ref in ctx.extraction.references:
        if ref.kind == "list-entry" and len(ref.text) > MAX_REFERENCE:
            yield RL001.diagnostic(
                ctx,
                ref.start,
                ref.end,
                f"Reference entry is {len(ref.text):,} characters long, "
                f"more than the {MAX_REFERENCE:,} read as one reference: split or shorten it",
                {"text": ref.text[:MAX_REFERENCE], "length": len(ref.text)},
            )
            continue
        missing = missing_fields(ref) if ref.kind == "list-entry" else []
        if missing:
            yield RL001.diagnostic(
                ctx,
                ref.start,
                ref.end,
                f"Reference entry has no recognisable {_either(missing)}",
                {"text": ref.text, "missing": missing},
            )


class _Identity(NamedTuple):
    """What tells one work from another, read once per entry."""

    doi: str | None
    year: str | None
    letter: str | None  # the "a" of 2002a
    families: list[set[str]]
    names: set[str]
    volume: str | None
    first_page: str | None
    title: list[str]


def identity(ref: Reference) -> _Identity:
    """What names a work, read once per entry: compare identities with ``same_identity``."""
    f = ref.fields
    letter = next((m.group(2) for m in _YEAR_LETTER.finditer(ref.text) if m.group(1) == f.year), None)
    families = [set(fold(a.family).split()) for a in f.authors]
    names = {w for a in f.authors for w in fold(f"{a.family} {a.given}").split()}
    return _Identity(
        f.doi.lower() if f.doi else None,
        f.year,
        letter,
        families,
        names,
        fold(f.volume).lstrip("0") or None,
        _first_page(f.pages),
        fold(f.title).split(),
    )


def same_work(a: Reference, b: Reference) -> bool:
    """Do two entries name one work? They must agree on its identity, not just look alike.

    Two DOIs decide alone. Otherwise the authors (in any order, one list possibly cut by
    "et al."), the year with its letter (``2002a`` and ``2002b`` are two works), the volume
    and the first page must not disagree, and the titles must be the same words, or one
    the other's beginning (a subtitle or journal glued on by the parser). Titles merely
    alike ("Female ..." / "Male ...") count only when the first pages agree as well.
    """
    return same_identity(identity(a), identity(b))


def same_identity(a: _Identity, b: _Identity) -> bool:
    if a.doi and b.doi:
        return a.doi == b.doi
    if not (a.year and a.year == b.year and a.title and b.title and a.letter == b.letter):
        return False
    if a.title[0] != b.title[0] and not (a.first_page and a.first_page == b.first_page):
        return False  # neither title can begin the other, nor pages vouch for alike ones
    if not _same_authors(a, b) or _disagree(a.volume, b.volume) or _disagree(a.first_page, b.first_page):
        return False
    short, long = sorted((a.title, b.title), key=len)
    # a one-word title of four letters or fewer is more often a parser's "Proc" than a work's
    meaningful = len(short) > 1 or len(short[0]) > 4
    if short == long[: len(short)] and len(short) >= min(len(long), 4) and meaningful:
        return True
    return bool(
        a.first_page and a.first_page == b.first_page and fuzz.ratio(" ".join(a.title), " ".join(b.title)) >= 90
    )


_YEAR_LETTER = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z])\b")


def _same_authors(a: _Identity, b: _Identity) -> bool:
    """One list of people, however ordered or cut short by "et al.": the shorter list's
    family names appear among the other's names (family or given, as a parser may swap
    them); of three or more, one may be missing (a group author added in front)."""
    if not (a.families and b.families):
        return False
    short, long = sorted((a, b), key=lambda x: len(x.families))
    found = sum(bool(family) and family <= long.names for family in short.families)
    return found == len(short.families) or (found >= 3 and found == len(short.families) - 1)


def _first_page(pages: str | None) -> str | None:
    """``1132`` of ``1132-1136``, ``e1001373`` of itself, ``236`` of ``236 pp``: what two
    citations of a work share."""
    first = re.search(r"[^\W_]+", pages or "")
    return first.group().lower().lstrip("0") or None if first else None


def _disagree(x: str | None, y: str | None) -> bool:
    return bool(x and y and x != y)


def duplicate_reference(ctx: Context):
    """The same work listed twice in one document.

    Duplicates inflate a reference list and usually mean one copy is stale (a different
    DOI, a typo). Matched on the DOI, or on authors, year and title with nothing in the
    volume or pages that disagrees: a book and a chapter of it, volumes 1 and 2 of a
    series, or an author's ``2002a`` and ``2002b`` are different works. Keep one entry
    and point every citation at it.

    Bad:

        1. Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-6.
        2. Pyne, D. & Shenker, N.G. (2008) Demystifying acupuncture. Rheumatology, 47(8).

    Good:

        1. Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-6.
    """
    by_doi: dict[str, Reference] = {}
    by_year: dict[str | None, list[tuple[_Identity, Reference]]] = {}
    for ref in ctx.extraction.references:
        this = identity(ref)
        first = by_doi.get(this.doi) if this.doi else None
        if first is None and this.year:  # only entries of one year can agree without DOIs
            first = next((r for other, r in by_year.get(this.year, ()) if same_identity(other, this)), None)
        if first is None:
            if this.doi:
                by_doi.setdefault(this.doi, ref)
            by_year.setdefault(this.year, []).append((this, ref))
            continue
        line, _ = ctx.doc.position(first.start)
        yield RL303.diagnostic(
            ctx,
            ref.start,
            ref.end,
            f"Duplicate reference: same work as the entry on line {line}",
            {"duplicate_of_line": line, "doi": ref.fields.doi},
        )


RL001 = Rule(
    "RL001",
    "unparseable-reference",
    "warning",
    "reference entry without recognisable author, year or title",
    unparseable_reference,
)
RL303 = Rule("RL303", "duplicate-reference", "warning", "the same work twice in one document", duplicate_reference)
