"""RL106: a BibTeX ``doi`` field that holds more than the DOI. Offline.

Damage inside the DOI itself (spaces, line breaks, a lost ``10.``) is RL101-RL104's, exactly
as in prose; this rule owns what surrounds it in the field, which only BibTeX has.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from reflint.bibfile import doi_field_spans
from reflint.models import Applicability
from reflint.rules.base import Context, Rule, fix


_last: list = [None, []]  # (extraction, its doi field spans): RL105 asks once per mention


def _spans(ctx: Context) -> list[tuple[int, int]]:
    if _last[0] is not ctx.extraction:
        _last[:] = [ctx.extraction, doi_field_spans(ctx.doc, ctx.extraction.references)]
    return _last[1]


def in_doi_field(ctx: Context, offset: int) -> bool:
    """Does ``offset`` lie inside a BibTeX ``doi`` field (where RL106, not RL105, speaks)?"""
    if ctx.doc.kind != "bibtex":
        return False
    spans = _spans(ctx)
    i = bisect_right(spans, (offset, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def doi_field_not_bare(ctx: Context):
    """A BibTeX ``doi`` field holds a URL, a ``doi:`` label or spaces around the DOI.

    Styles and pandoc put ``https://doi.org/`` in front of the field, so a URL there is
    printed as ``https://doi.org/https://doi.org/10...``, a link that goes nowhere. The fix
    leaves the bare DOI and touches nothing else in the entry.

    Bad:

        @article{ward2022transmission,
          doi = {http://dx.doi.org/10.1136/bmj-2022-073153}
        }

    Good:

        @article{ward2022transmission,
          doi = {10.1136/bmj-2022-073153}
        }
    """
    if ctx.doc.kind != "bibtex":
        return
    text = ctx.doc.text
    mentions = sorted(ctx.extraction.dois, key=lambda m: m.start)
    starts = [m.start for m in mentions]
    for start, end in _spans(ctx):
        i = bisect_left(starts, start)
        if i == len(starts) or starts[i] >= end:
            continue
        m = mentions[i]
        lead, tail = text[start : m.doi_start], text[m.doi_end : end]
        if not lead and not tail:
            continue
        if tail.strip():  # something after the DOI that is not junk RL104 knows: leave it be
            continue
        edits = [(start, m.doi_start, "")] if lead else []
        edits += [(m.doi_end, end, "")] if tail else []
        what = f"`{lead.strip()}`" if lead.strip() else "spaces"
        doi = m.doi or text[m.doi_start : m.junk_start]
        yield RL106.diagnostic(
            ctx,
            start,
            end,
            f"BibTeX `doi` field holds {what} as well as the DOI",
            {"doi": m.raw, "suggested_doi": doi},
            fix("Keep only the DOI in the field", Applicability.SAFE, *edits),
        )


RL106 = Rule(
    "RL106",
    "doi-field-not-bare",
    "error",
    "a BibTeX `doi` field holds a URL, a `doi:` label or spaces",
    doi_field_not_bare,
    fixable="safe",
)
