"""RL0xx and RL3xx offline: reference entries that cannot be understood or repeat a work."""

from __future__ import annotations

import re

from rapidfuzz import fuzz

from reflint.models import Author, Reference
from reflint.rules.base import Context, Rule
from reflint.text import fold


def understood(ref: Reference) -> bool:
    """Enough to find the work again: a link, or who or what plus when or an identifier."""
    f = ref.fields
    if f.url:  # a web page cited by its address can be found, whatever the parser made of it
        return True
    return bool((f.authors or f.title) and (f.year or f.doi or ref.dois))


def unparseable_reference(ctx: Context):
    """A reference entry whose author, year or title cannot be found.

    reflint reports entries it cannot understand instead of dropping them: a reader
    cannot find the work either. Rewrite the entry as a full reference, or remove it.

    Bad:

        - Ibid.
        - Personal communication, see our website

    Good:

        - Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
    """
    for ref in ctx.extraction.references:
        if ref.kind == "list-entry" and not understood(ref):
            yield RL001.diagnostic(ctx, ref.start, ref.end,
                                   "Reference entry has no recognisable author, year or title",
                                   {"text": ref.text})


def same_work(a: Reference, b: Reference) -> bool:
    """Do two entries name one work? They must agree on its identity, not just look alike.

    Two DOIs decide alone. Otherwise the authors (in any order, one list possibly cut by
    "et al."), the year with its letter (``2002a`` and ``2002b`` are two works), the volume
    and the first page must not disagree, and the titles must be the same words, or one
    the other's beginning (a subtitle or journal glued on by the parser). Titles merely
    alike ("Female ..." / "Male ...") count only when the first pages agree as well.
    """
    fa, fb = a.fields, b.fields
    if fa.doi and fb.doi:
        return fa.doi.lower() == fb.doi.lower()
    if not (fa.year and fa.year == fb.year and fa.title and fb.title):
        return False
    if _year_letter(a) != _year_letter(b) or not _same_authors(fa.authors, fb.authors):
        return False
    if _disagree(fa.volume, fb.volume, _number) or _disagree(fa.pages, fb.pages, _first_page):
        return False
    ta, tb = fold(fa.title).split(), fold(fb.title).split()
    short, long = sorted((ta, tb), key=len)
    if short and short == long[: len(short)] and len(short) >= min(len(long), 4):
        return True
    pages_agree = fa.pages and fb.pages and _first_page(fa.pages) == _first_page(fb.pages)
    return bool(pages_agree) and fuzz.ratio(" ".join(ta), " ".join(tb)) >= 90


_YEAR_LETTER = re.compile(r"\b(1[5-9]\d\d|20\d\d)([a-z])\b")


def _year_letter(ref: Reference) -> str | None:
    """The letter of ``2002a``, which tells an author's works of one year apart."""
    m = next((m for m in _YEAR_LETTER.finditer(ref.text) if m.group(1) == ref.fields.year), None)
    return m.group(2) if m else None


def _same_authors(a: list[Author], b: list[Author]) -> bool:
    """One list of people, however ordered or cut short by "et al.": the shorter list's
    family names appear among the other's names (family or given, as a parser may swap
    them); of three or more, one may be missing (a group author added in front)."""
    if not (a and b):
        return False
    short, long = sorted((a, b), key=len)
    names = {w for x in long for w in fold(f"{x.family} {x.given}").split()}
    found = sum(bool(fold(x.family)) and set(fold(x.family).split()) <= names for x in short)
    return found == len(short) or (found >= 3 and found == len(short) - 1)


def _number(value: str) -> str:
    return fold(value).lstrip("0")


def _first_page(pages: str) -> str:
    """``1132`` of ``1132-1136``, ``e1001373`` of itself, ``236`` of ``236 pp``: what two
    citations of a work share."""
    first = re.search(r"[^\W_]+", pages)
    return first.group().lower().lstrip("0") if first else ""


def _disagree(x: str | None, y: str | None, key) -> bool:
    return bool(x and y and key(x) != key(y))


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
    seen: list[Reference] = []
    for ref in ctx.extraction.references:
        first = next((s for s in seen if same_work(s, ref)), None)
        if first is None:
            seen.append(ref)
            continue
        line, _ = ctx.doc.position(first.start)
        yield RL303.diagnostic(ctx, ref.start, ref.end,
                               f"Duplicate reference: same work as the entry on line {line}",
                               {"duplicate_of_line": line, "doi": ref.fields.doi})


RL001 = Rule("RL001", "unparseable-reference", "warning",
             "reference entry without recognisable author, year or title", unparseable_reference)
RL303 = Rule("RL303", "duplicate-reference", "warning", "the same work twice in one document",
             duplicate_reference)
