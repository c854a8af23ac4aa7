"""RL0xx and RL3xx offline: reference entries that cannot be understood or repeat a work."""

from __future__ import annotations

from rapidfuzz import fuzz

from reflint.models import Reference
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
    """Same DOI, or same first author and year with near-identical titles."""
    doi_a, doi_b = a.fields.doi, b.fields.doi
    if doi_a and doi_b:
        return doi_a.lower() == doi_b.lower()
    fa, fb = a.fields, b.fields
    if not (fa.authors and fb.authors and fa.year and fa.year == fb.year and fa.title and fb.title):
        return False
    if fold(fa.authors[0].family).split() != fold(fb.authors[0].family).split():
        return False
    # token_set_ratio: a parser that glued the journal onto one title still matches.
    return fuzz.token_set_ratio(fold(fa.title), fold(fb.title)) >= 90


def duplicate_reference(ctx: Context):
    """The same work listed twice in one document.

    Duplicates inflate a reference list and usually mean one copy is stale (a different
    DOI, a typo). Matched on DOI, or on first author, year and a near-identical title.
    Keep one entry and point every citation at it.

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
