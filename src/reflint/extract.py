"""Find what a document cites: reference lists, BibTeX entries, DOI mentions, in-text citations.

Everything is found in ``doc.plain`` with code, comments and front matter blanked out (same
length, so offsets survive) and mapped back to ``doc.text`` at the end. Patterns are anchored
or bounded, so huge lines and deep nesting stay linear.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import Callable


from reflint import pubmed_ids
from reflint.bibfile import read_entries
from reflint.bibliography import named_bibliography
from reflint.citations import FOOTNOTE_DEFINITION, find_citations, html_superscripts
from reflint.doi import find_dois
from reflint.markdown import Structure, structure
from reflint.models import Author, Citation, Document, DoiMention, Extraction, Fields, Reference
from reflint.parse import parse_references
from reflint.reference_lists import DITTO, html_bibliographies, html_list_items, html_notes, reference_entries
from reflint.text import blank

_HREF = re.compile(r"""\bhref[ \t\r\n]*=[ \t\r\n]*(?:"([^"<>]*)"|'([^'<>]*)')""", re.I)
_DOI_URL = re.compile(r"\s*(?:https?:)?//(?:www\.|dx\.)?doi\.org/", re.I)
_CLOSE_A = re.compile(r"</a\s*>", re.I)
_WEB_URL = re.compile(r"\s*https?://", re.I)
_ELEMENT_ID = re.compile(r"""<[A-Za-z][^<>]*?\sid[ \t\r\n]*=[ \t\r\n]*(?:"([^"<>]+)"|'([^'<>]+)')""")
_ANCHOR_LINK = re.compile(r"""<a\s[^<>]*?\bhref[ \t\r\n]*=[ \t\r\n]*(?:"#([^"<>]+)"|'#([^'<>]+)')[^<>]*>""", re.I)


def extract(doc: Document, parse: Callable[[str], Fields] | None = None) -> Extraction:
    """Everything ``doc`` cites, with spans into ``doc.text``; ``parse`` reads each reference
    entry (``reflint.parse_cache`` passes a cached parser)."""
    if doc.kind == "bibtex":
        return _extract_bibtex(doc)
    plain = doc.plain
    markdown = structure(plain) if doc.kind == "markdown" else None
    doi_text, masked = mask(plain, doc.kind, markdown)
    found = find_dois(doi_text)
    dois = [_map_mention(doc, m) for m in found]
    html_note_spans = html_notes(doc)
    entries = reference_entries(
        masked, sorted(m.start for m in found), html_list_items(doc), html_bibliographies(doc), html_note_spans
    )
    texts = [" ".join(plain[start:end].split()) for start, end, _ in entries]
    if doc.kind == "markdown":
        texts = [text.replace("*", "") for text in texts]  # emphasis markers only confuse the parser
    references = []
    for (start, end, label), text, fields in zip(entries, texts, parsed_many(texts, parse)):
        src_start, src_end = doc.to_source(start, end)
        references.append(Reference(src_start, src_end, text, "list-entry", fields, label=label or None))
    _inherit_ditto_authors(references)
    # entries with their markers, and footnotes' definitions: notes, not prose that cites
    notes = [(m.start(), m.end()) for m in FOOTNOTE_DEFINITION.finditer(masked)] + html_note_spans
    prose = blank(masked, [(masked.rfind("\n", 0, s) + 1, e) for s, e, _ in entries] + notes)
    citations = [
        replace(c, context=paragraph_around(prose, c.start, c.end)) if c.style == "author-year" else c
        for c in find_citations(prose, bare_keys=doc.kind == "markdown", links=markdown)
    ]
    if doc.source_starts is not None:
        citations = [replace(c, start=a, end=b) for c in citations for a, b in [doc.to_source(c.start, c.end)]]
    spans = [(r.start, r.end) for r in references]
    if doc.kind == "html":
        dois, links, spans = _html_links(doc, entries, references, dois)
        citations = sorted(citations + links, key=lambda c: (c.start, c.end))
    _attach_dois(references, dois, spans)
    for ref in references:  # a DOI only in the link around an entry is still the entry's
        if not ref.fields.doi and (linked := next((m.doi for m in ref.dois if m.doi and m.start < ref.start), None)):
            ref.fields = replace(ref.fields, doi=linked)
    out = Extraction(references, citations, dois, bool(references), markdown=markdown)
    out.pubmed_ids = [pubmed_ids.to_source(doc, i) for i in pubmed_ids.find_ids(doi_text)]
    pubmed_ids.attach(references, out.pubmed_ids)
    if doc.kind == "markdown" and (bib := named_bibliography(doc)):
        out.bibliography, out.notes = bib, bib.notes
    return out


def _inherit_ditto_authors(references: list[Reference]) -> None:
    """An entry that opens with a ditto mark has the authors of the entry before it: without
    them it reads as anonymous (RL001), and a citation of it by author matches nothing."""
    for before, ref in zip(references, references[1:]):
        if not ref.fields.authors and before.fields.authors and DITTO.match(ref.text):
            ref.fields.authors = [Author(a.family, a.given) for a in before.fields.authors]


MAX_REFERENCE = 3000  # characters; real entries stay under ~1,600, and a parse costs ~50 µs a character


def parsed(text: str, parse: Callable[[str], Fields] | None = None) -> Fields:
    """``parse_reference(text)``, once per distinct text in a run (``--fix`` re-lints every
    round), or ``parse(text)`` (the parse cache's); a text longer than ``MAX_REFERENCE`` is not
    parsed at all (RL001 says why)."""
    if len(text) > MAX_REFERENCE:
        return Fields()
    return parse(text) if parse is not None else fresh_many([text])[0]


def parsed_many(texts: list[str], parse: Callable[[str], Fields] | None = None) -> list[Fields]:
    """``parsed`` of each text; what is not yet known is parsed in one batch (a document's
    list at once, which the tagger does much faster than one by one). ``parse`` may be the
    parse cache, whose ``many`` does the same."""
    if parse is not None:
        many = getattr(parse, "many", None)
        return many(texts) if many is not None else [parsed(t, parse) for t in texts]
    return fresh_many(texts)


def fresh_many(texts: list[str]) -> list[Fields]:
    """Parse ``texts`` without the parse cache: memoised, overlong ones not parsed at all."""
    todo = [t for t in dict.fromkeys(texts) if len(t) <= MAX_REFERENCE and t not in _memo]
    for text, fields in zip(todo, parse_references(todo)):
        if len(_memo) >= 4096:
            _memo.pop(next(iter(_memo)))
        _memo[text] = fields
    return [_memo[t].copy() if len(t) <= MAX_REFERENCE else Fields() for t in texts]


_memo: dict[str, Fields] = {}  # text -> fields, the last 4,096 parsed in this process


_SENTENCE_END = re.compile(r"[.!?](?=\s)|\n[ \t]*\n")


_PARAGRAPH_END = re.compile(r"\n[ \t]*\n")


def paragraph_around(text: str, start: int, end: int, before: int = 700, after: int = 300) -> str:
    """The paragraph holding ``text[start:end]`` (blank lines end it), at most ``before`` /
    ``after`` characters either side, cut at a sentence end: a citation closing a paragraph
    often names its topic a sentence or two earlier."""
    left = max(start - before, 0)
    breaks = [m.end() for m in _PARAGRAPH_END.finditer(text, left, start)]
    if breaks:
        left = breaks[-1]
    elif left > 0:
        cut = _SENTENCE_END.search(text, left, start)
        left = cut.end() if cut else left
    stop = _PARAGRAPH_END.search(text, end, min(end + after, len(text)))
    right = stop.start() if stop else min(end + after, len(text))
    if not stop and right < len(text):
        ends = [m.end() for m in _SENTENCE_END.finditer(text, end, right)]
        right = ends[-1] if ends else right
    return " ".join(text[left:right].split())


def mask(text: str, kind: str, found: Structure | None = None) -> tuple[str, str]:
    """(text to search for DOIs, text to search for references and citations).

    Comments and fenced code hide from both; front matter and inline code only from the
    second, so the front matter's own ``doi:`` is still checked. ``found`` is the Markdown
    ``text``'s structure when the caller has it already.
    """
    spans = []
    if kind in ("markdown", "text"):
        pos, closes = 0, True
        while (start := text.find("<!--", pos)) >= 0:
            close = text.find("-->", start + 4) if closes else -1
            closes = close >= 0  # once none is left, stop looking (keeps "<!--" floods linear)
            end = close + 3 if closes else text.find("\n", start)  # unclosed: hide its line only
            end = len(text) if end < 0 else end
            spans.append((start, end))
            pos = end
    if kind != "markdown":
        doi_text = blank(text, spans)
        return doi_text, doi_text
    found = found or structure(text)
    doi_text = blank(text, spans + found.code_blocks)
    return doi_text, blank(doi_text, found.code_spans + ([found.front_matter] if found.front_matter else []))


def _map_mention(doc: Document, m: DoiMention) -> DoiMention:
    """Map a mention found in ``doc.plain`` to ``doc.text``: starts to the start of their
    character, ends to the end of the character before them (so tags between stay outside)."""
    if doc.source_starts is None:
        return m

    def start(i: int) -> int:
        return doc.to_source(i, i + 1)[0]

    def end(i: int) -> int:
        return doc.to_source(i - 1, i)[1] if i > 0 else 0

    s, doi_s = start(m.start), start(m.doi_start)
    e, doi_e = max(s, end(m.end)), max(doi_s, end(m.doi_end))
    junk = start(m.junk_start) if m.junk_start < m.doi_end else doi_e
    return replace(
        m, start=s, end=e, doi_start=doi_s, doi_end=doi_e, junk_start=min(junk, doi_e), raw=doc.text[doi_s:doi_e]
    )


def _attach_dois(references: list[Reference], dois: list[DoiMention], spans: list[tuple[int, int]]) -> None:
    """Each reference gets the DOIs written in its span of ``doc.text``."""
    starts = [m.start for m in dois]
    for ref, (start, end) in zip(references, spans):
        i = bisect_left(starts, start)
        j = bisect_left(starts, end, i)
        ref.dois = dois[i:j]


def _after_previous_text(doc: Document, plain_start: int, blank: bool = False) -> int:
    """Where the source after the character before ``plain_start`` ends: an HTML entry's
    opening tags (a link around it) lie in between. With ``blank``, skip back over blank
    characters too, to the text before the entry's element (``<li id="fn:1">``)."""
    k = plain_start
    while blank and k > 0 and doc.plain[k - 1].isspace():
        k -= 1
    return doc.to_source(k - 1, k)[1] if k > 0 else 0


def _html_links(
    doc: Document, entries: list[tuple[int, int, str | None]], references: list[Reference], dois: list[DoiMention]
) -> tuple[list[DoiMention], list[Citation], list[tuple[int, int]]]:
    """What only HTML's tags hold: DOIs in links, citations that are links (to a DOI, to an
    entry's element) or ``<sup>`` numbers, and each entry's element id. Returns all DOIs,
    those citations, and each entry's span with its opening tags, which count as its own
    (``<li><a href="https://doi.org/...">Gattie E, ...``)."""
    source = mask(doc.text, "text")[0]  # HTML comments hidden
    spans = [(_after_previous_text(doc, s), r.end) for (s, _, _), r in zip(entries, references)]
    for ref, (start, _, _) in zip(references, entries):
        line = doc.plain.rfind("\n", 0, start) + 1  # before a marker in the text: "[3]K. G. Wilson"
        ref.anchor = _element_id(source, _after_previous_text(doc, line, blank=True), ref.start)
    extra, links = _html_doi_links(source, dois, spans)
    anchors = {r.anchor for r in references if r.anchor}
    links += [c for c in _anchor_links(source) if c.keys[0] in anchors and not _inside(spans, c.start)]
    links += [c for c in html_superscripts(source) if not _inside(spans, c.start)]
    return sorted(dois + extra, key=lambda m: m.start), links, spans


def _html_doi_links(text: str, dois: list[DoiMention], ref_spans: list[tuple[int, int]]):
    """DOIs only in ``href`` attributes (link text that is not the DOI), and the links in prose.

    A link to doi.org, or to a publisher's page whose URL holds the DOI
    (``https://journals.asm.org/doi/pdf/10.1128/iai.05661-11``)."""
    starts = [m.start for m in dois]
    extra: list[DoiMention] = []
    links: list[Citation] = []
    for h in _HREF.finditer(text):
        group = 1 if h.group(1) is not None else 2
        value, base = h.group(group), h.start(group)
        if not (_DOI_URL.match(value) or (_WEB_URL.match(value) and "/10." in value)):
            continue
        close = _CLOSE_A.search(text, h.end(), h.end() + 5000)
        i = bisect_left(starts, close.start() if close else h.end()) - 1
        if i < 0 or dois[i].end <= h.end():  # the link text does not repeat the DOI
            # Quoted as in the source, so a "." or ")" left inside the attribute counts as junk.
            shift = base - 2
            extra += [
                replace(
                    m,
                    start=m.start + shift,
                    end=m.end + shift,
                    doi_start=m.doi_start + shift,
                    doi_end=m.doi_end + shift,
                    junk_start=m.junk_start + shift,
                    raw=text[m.doi_start + shift : m.doi_end + shift],
                )
                for m in find_dois(f'="{value}"')
            ]
        tag = text.rfind("<", max(0, h.start() - 2000), h.start())
        if close and tag >= 0 and re.match(r"<a\s", text[tag : tag + 3], re.I) and not _inside(ref_spans, tag):
            links.append(Citation(tag, close.end(), " ".join(text[tag : close.end()].split()), "doi-link"))
    return extra, links


def _element_id(text: str, start: int, end: int) -> str | None:
    """The id of the innermost element opened in ``text[start:end]``, the tags before an
    entry's text: ``<div id="ref-cori2013" class="csl-entry">``, ``<li id="fn:1"><p>``."""
    ids = _ELEMENT_ID.findall(text, start, end)
    return html.unescape(ids[-1][0] or ids[-1][1]) if ids else None


def _anchor_links(text: str) -> list[Citation]:
    """Links to a place in the page, ``<a href="#ref-cori2013">Cori et al. 2013</a>`` or a
    footnote's ``<a href="#fn:1">1</a>``: one to a reference entry's element cites it."""
    return [
        Citation(m.start(), m.end(), " ".join(m.group().split()), "anchor", keys=[html.unescape(m[1] or m[2])])
        for m in _ANCHOR_LINK.finditer(text)
    ]


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of the sorted, disjoint ``spans``."""
    k = bisect_right(spans, (offset, float("inf")))
    return k > 0 and spans[k - 1][0] <= offset < spans[k - 1][1]


def _extract_bibtex(doc: Document) -> Extraction:
    """Each entry becomes a reference with its exact span; a broken block becomes a note."""
    references, notes = read_entries(doc)
    out = Extraction(references, [], [_map_mention(doc, m) for m in find_dois(doc.text)], bool(references), notes)
    _attach_dois(out.references, out.dois, [(r.start, r.end) for r in out.references])
    out.pubmed_ids = pubmed_ids.find_ids(doc.text)
    pubmed_ids.attach(out.references, out.pubmed_ids)
    return out
