"""How the RL4xx rules read a document's prose: blocks, headings, links, list markers.

Prose is read from ``doc.plain`` with code, comments and front matter blanked
(``reflint.extract``'s mask), in blank-line separated blocks; blocks that overlap a
reference entry are never prose, and neither are headings.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from reflint.extract import mask
from reflint.markdown import Structure, structure
from reflint.models import Citation
from reflint.rules.base import Context

_A_HREF = re.compile(r"<a\s[^<>]*href", re.I)
_A_CLOSE = re.compile(r"</a\b", re.I)
_BLOCK_SEP = re.compile(r"\n[ \t\r]*\n\s*")
_HTML_HEADING = re.compile(r"<h([1-6])\b[^<>]{0,200}>.{0,500}?</h\1\s*>", re.I | re.S)
LIST_MARKER = re.compile(r"[ \t]*(?:[-*+•‣◦▪●]|(?:\d{1,3}|1[0-8]\d\d)[.)])[ \t]+")
STUDY = (
    r"(?:reviews?|meta-?analys[ie]s|trials?|rcts?|stud(?:y|ies)|research|guidelines?|reports?|surveys?"
    r"|papers?|evidence)"
)


def pseudo(c: Citation) -> bool:
    """``(RCT, 2021)``, ``(Cochrane Review 2019)``: a study type where an author should be (RL403's)."""
    return any(re.fullmatch(STUDY, w, re.I) for name in c.authors for w in name.split())


def markdown_structure(ctx: Context) -> Structure:
    """The Markdown document's structure, as extraction found it (else parsed now)."""
    return ctx.extraction.markdown or structure(ctx.doc.text)


def linked(ctx: Context, start: int, end: int) -> bool:
    """The citation is the text of a hyperlink: the link is its reference."""
    doc = ctx.doc
    text = doc.text
    if doc.kind == "html":
        opens = list(_A_HREF.finditer(text, max(0, start - 2000), start))
        return bool(opens) and not _A_CLOSE.search(text, opens[-1].end(), start)
    if doc.kind == "markdown":
        return markdown_structure(ctx).link_at(start, end)
    bracket = text.rfind("[", text.rfind("\n", max(0, start - 300), start) + 1, start)
    close = text.find("]", end, end + 300)
    return bracket >= 0 and "]" not in text[bracket:start] and close >= 0 and text.startswith("(", close + 1)


def prose_blocks(ctx: Context):
    """(start, end) of each prose block in the masked plain text, with the masked text."""
    doc = ctx.doc
    _, text = mask(doc.plain, doc.kind, ctx.extraction.markdown)
    refs = sorted((r.start, r.end) for r in ctx.extraction.references)
    out, pos = [], 0
    for sep in [*_BLOCK_SEP.finditer(text), None]:
        s, e = pos, (sep.start() if sep else len(text))
        pos = sep.end() if sep else e
        while s < e and text[s].isspace():
            s += 1
        if doc.kind == "markdown" and text.startswith("#", s):
            s = text.find("\n", s, e) + 1 or e  # an ATX heading line is never prose
        src_s, src_e = doc.to_source(s, e) if s < e else (0, 0)
        i = bisect_left(refs, (src_e, 0))
        if s < e and not (i and refs[i - 1][1] > src_s) and not text.startswith(">", s):
            out.append((s, e))
    return text, out


def heading_spans(ctx: Context) -> list[tuple[int, int]]:
    """Source spans of the document's headings: titles, never prose or citations."""
    doc = ctx.doc
    if doc.kind == "markdown":
        return markdown_structure(ctx).headings
    if doc.kind == "html":
        return [m.span() for m in _HTML_HEADING.finditer(doc.text)]
    return []


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies within one of the sorted ``spans``."""
    i = bisect_left(spans, (start + 1, 0)) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]
