"""Find what a document cites: reference lists, BibTeX entries, DOI mentions, in-text citations.

Everything is found in ``doc.plain`` with code, comments and front matter blanked out (same
length, so offsets survive) and mapped back to ``doc.text`` at the end. Patterns are anchored
or bounded, so huge lines and deep nesting stay linear.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from typing import Callable, Sequence


from reflint import pubmed_ids
from reflint.bibfile import read_entries
from reflint.bibliography import named_bibliography
from reflint.citations import find_citations, html_superscripts
from reflint.doi import find_dois
from reflint.markdown import Structure, structure
from reflint.models import Author, Citation, Document, DoiMention, Extraction, Fields, Reference
from reflint.parse import parse_references
from reflint.text import blank

_REF_HEADING = re.compile(
    r"(?:\#{1,6}[ \t]*)?(?:<h[1-6][^<>]{0,100}>)?(?:\*\*|__|\*|_)?[ \t]*<?[ \t]*(?:\d{1,2}\.?[ \t]+)?"
    r"(?:(?:selected|key)[ \t]+)?(?:references?|reference[ \t]+list|bibliography|sources|works[ \t]+cited"
    r"|literature(?:[ \t]+cited)?|cited[ \t]+literature|further[ \t]+reading|notes[ \t]+and[ \t]+references)"
    r"(?:[ \t]+and[ \t]+(?:further[ \t]+reading|notes|sources))?"
    r"[ \t]*>?[ \t]*:?[ \t]*(?:\*\*|__|\*|_)?[ \t]*:?(?:</h[1-6]>)?[ \t]*\#*",
    re.I,
)
_OTHER_HEADING = re.compile(r"\#{1,6}(?:[ \t]|$)|<h[1-6][\s>]|(\*\*|__)[^*_]{1,120}\1:?$|<[^<>/]{1,80}>$", re.I)
_SEPARATOR = re.compile(r"[=\-_*]{3,}[ \t]*")
# List numbers run to 1899: a four-digit number from 1900 on starting a line is a year.
# A footnote's definition "[^gattie]: Gattie E, ..." (GFM, Pandoc) is an entry labelled "^gattie".
_MARKER = re.compile(
    r"[ \t\xa0]*(?:(?:[-*+•‣◦▪●]|(\d{1,3}|1[0-8]\d\d)[.)])[ \t\xa0]+|\[(\d{1,4})\][ \t\xa0]*"
    r"|\[\^([^\]\s]{1,40})\]:[ \t\xa0]*)(?=\S)"
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# Hard-wrapped, unmarked entries: a new one starts a line with a name, and has a year not in a DOI.
_LINE_YEAR = re.compile(r"(?<![\d./])(?:19|20)\d\d(?![\d/])")
_NAME_START = re.compile(r"[\"'“‘(\[]?[A-ZÀ-Þ][^\W\d_]")
# A line that runs on: it ends mid-list, or with the year an author list closes on ("... (2009)").
_MID_SENTENCE = re.compile(r"(?:[,;:&(–-]|\band|\bet|\((?:19|20)\d\d[a-z]?\))[ \t]*$")
# A line that goes on an entry: "Available: http://...", "Accessed 2 May 2015", "In: Smith J, editor."
_RUN_ON = re.compile(
    r"(?:Available|Accessed|Retrieved|Cited|URL|Epub|PMID|PubMed|PMCID|Published|Updated|In(?! [A-Z]{1,2},))\b"
)  # "In J. Doe (Ed.)," goes on; "In G, Ahn NG," is the surname In
_YEAR_OR_LINK = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|10\.\d{4,9}/|https?://|www\.", re.I)
_ENDS_ENTRY = re.compile(r"(?:[.)\]>\d]|\S*[./]\S*)[ \t]*$")  # a full stop, pages, a URL or DOI
_OLD_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)")
_PAGE_LIKE = re.compile(r"\d|[a-z]{1,3}\d|pp?\.[ \t]?\d")  # "4972033", "e358", "p. 12"
_URL = re.compile(r"https?://|www\.", re.I)
_UP = "A-ZÀ-ÖØ-Þ"
# "Gattie E," "Gattie, E." "Hall, ML," "Hu, H-T." "Dunning, J., et al.": a family name and initials.
_INITIALS = re.compile(
    rf"(?<![^\W\d_])[{_UP}][^\W\d_]*(?:['’-][^\W\d_]+)*,?[ \t]+"
    rf"[{_UP}](?:[-.]?[ \t]?[{_UP}]){{0,2}}\.?(?=[,;&]|\.|[ \t]+(?:&|and|et[ \t]+al)\b)"
)
_ETAL_START = re.compile(r"[^\W\d_][\w'’-]*(?:,?[ \t]+[^\W\d_][\w'’-]*){0,3},?[ \t]+et[ \t]+al\b")
# "World Health Organization." "Cochrane Collaboration (": a corporate author.
_ORG_START = re.compile(
    rf"[{_UP}][\w'’&-]*(?:[ \t]+(?:(?:of|for|and|the|on|in|&)[ \t]+)?[{_UP}][\w'’&-]*)" r"{0,7}[ \t]*[.,(:]"
)
_NARRATIVE = re.compile(r"et al\.?,? \((?:19|20)\d\d[a-z]?\) [a-z]")
_HREF = re.compile(r"""\bhref[ \t\r\n]*=[ \t\r\n]*(?:"([^"<>]*)"|'([^'<>]*)')""", re.I)
_DOI_URL = re.compile(r"\s*(?:https?:)?//(?:www\.|dx\.)?doi\.org/", re.I)
_CLOSE_A = re.compile(r"</a\s*>", re.I)
_WEB_URL = re.compile(r"\s*https?://", re.I)
_LI = re.compile(r"<li[\s>/]", re.I)


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
    entries = _reference_entries(masked, sorted(m.start for m in found), _html_list_items(doc))
    texts = [" ".join(plain[start:end].split()) for start, end, _ in entries]
    if doc.kind == "markdown":
        texts = [text.replace("*", "") for text in texts]  # emphasis markers only confuse the parser
    references = []
    for (start, end, label), text, fields in zip(entries, texts, parsed_many(texts, parse)):
        src_start, src_end = doc.to_source(start, end)
        references.append(Reference(src_start, src_end, text, "list-entry", fields, label=label or None))
    _inherit_ditto_authors(references)
    prose = blank(masked, [(masked.rfind("\n", 0, s) + 1, e) for s, e, _ in entries])  # with markers
    citations = [
        replace(c, context=paragraph_around(prose, c.start, c.end)) if c.style == "author-year" else c
        for c in find_citations(prose, bare_keys=doc.kind == "markdown", links=markdown)
    ]
    if doc.source_starts is not None:
        citations = [replace(c, start=a, end=b) for c in citations for a, b in [doc.to_source(c.start, c.end)]]
    spans = [(r.start, r.end) for r in references]
    if doc.kind == "html":
        # An entry's tags count as its own: <li><a href="https://doi.org/...">Gattie E, ...</a>
        spans = [(_after_previous_text(doc, s), r.end) for (s, _, _), r in zip(entries, references)]
        extra, links = _html_doi_links(doc, dois, spans)
        dois = sorted(dois + extra, key=lambda m: m.start)
        sups = [c for c in html_superscripts(mask(doc.text, "text")[0]) if not _inside(spans, c.start)]
        citations = sorted(citations + links + sups, key=lambda c: (c.start, c.end))
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


# "———. Title." (Chicago), "---. Title." (MLA), "______. Title.": by the authors of the entry before
_DITTO = re.compile(r"(?:[—―–-]{1,6}|_{2,12}) ?[.,]")


def _inherit_ditto_authors(references: list[Reference]) -> None:
    """An entry that opens with a ditto mark has the authors of the entry before it: without
    them it reads as anonymous (RL001), and a citation of it by author matches nothing."""
    for before, ref in zip(references, references[1:]):
        if not ref.fields.authors and before.fields.authors and _DITTO.match(ref.text):
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


def _after_previous_text(doc: Document, plain_start: int) -> int:
    """Where the source after the visible character before ``plain_start`` begins: an HTML
    entry's opening tags (a link around it) lie between the two."""
    return doc.to_source(plain_start - 1, plain_start)[1] if plain_start > 0 else 0


def _html_doi_links(doc: Document, dois: list[DoiMention], ref_spans: list[tuple[int, int]]):
    """DOIs only in ``href`` attributes (link text that is not the DOI), and the links in prose.

    A link to doi.org, or to a publisher's page whose URL holds the DOI
    (``https://journals.asm.org/doi/pdf/10.1128/iai.05661-11``)."""
    text = mask(doc.text, "text")[0]  # hide HTML comments
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


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    """Whether ``offset`` falls in one of the sorted, disjoint ``spans``."""
    k = bisect_right(spans, (offset, float("inf")))
    return k > 0 and spans[k - 1][0] <= offset < spans[k - 1][1]


# --- reference lists -------------------------------------------------------------------------


def _html_list_items(doc: Document) -> list[int]:
    """Offsets in ``doc.plain`` of the line break each HTML ``<li>`` became, in order."""
    if doc.kind != "html" or doc.source_starts is None:
        return []
    starts, out = doc.source_starts, []
    for m in _LI.finditer(doc.text):
        i = bisect_left(starts, m.start())
        if i < len(starts) and starts[i] == m.start():
            out.append(i)
    return out


def _reference_entries(
    text: str, doi_starts: list[int], list_items: Sequence[int] = ()
) -> list[tuple[int, int, str | None]]:
    """(start, end, label) of each entry of the reference lists, as offsets into ``text``.

    Under a reference heading an entry needs little to qualify (a year, DOI, URL or initials)
    and the list runs until a heading or the first paragraph that is not a reference. An
    entry that opens an HTML ``<li>`` (``list_items``) qualifies as a Markdown list item does:
    "Fischer von Waldheim G (1813) Zoognosia..." has no year after 1900 and no initials first,
    but it is item 64 of the list. With no heading only a run of clearly reference-like
    entries near the end counts, so prose that cites "Gattie et al. (2017)" is never mistaken
    for a reference list.
    """
    items = _items(text)
    if list_items:
        items = [_as_list_item(text, item, list_items) for item in items]

    def has_doi(s: int, e: int) -> bool:
        i = bisect_left(doi_starts, s)
        return i < len(doi_starts) and doi_starts[i] < e

    heads = [i for i, item in enumerate(items) if item[0] == "ref-heading"]
    found: list[tuple[int, int, str | None]] = []
    for h in heads:
        accepted, skipped = [], 0
        for j in range(h + 1, len(items)):
            kind, s, e, label = items[j]
            if kind != "entry":
                break
            if label is not None or _lenient(text[s:e], has_doi(s, e)):
                accepted.append((s, e, label))
            elif accepted or skipped:
                break  # the list has ended: an author bio, a closing remark
            else:
                skipped += 1  # one line of introduction: "Sources consulted:"
        found += accepted
    if heads:
        return found
    runs: list[list[tuple[int, int, str | None]]] = [[]]
    footnotes: list[tuple[int, int, str | None]] = []  # a reference wherever it stands
    for kind, s, e, label in items:
        if kind == "entry" and _strict(text[s:e], has_doi(s, e)):
            runs[-1].append((s, e, label))
            if label and label[0] == "^":
                footnotes.append((s, e, label))
        elif runs[-1]:
            runs.append([])
    for run in reversed(runs):  # the last run that is a list: two entries, or one clear one
        if len(run) > 1 or (run and has_doi(*run[0][:2]) and _INITIALS.match(text, run[0][0])):
            tail = text[run[-1][1] :]
            if len(tail) - tail.count(" ") - tail.count("\n") > max(2000, len(text) // 4):
                break  # not trailing: more text follows than an author note or footer
            return sorted(set(run + footnotes))
    return footnotes


def _as_list_item(
    text: str, item: tuple[str, int, int, str | None], list_items: Sequence[int]
) -> tuple[str, int, int, str | None]:
    """An unlabelled entry right after an ``<li>`` is labelled like a bullet (``""``)."""
    kind, s, e, label = item
    i = bisect_left(list_items, s) - 1
    if kind == "entry" and label is None and i >= 0 and not text[list_items[i] : s].strip():
        return kind, s, e, ""
    return item


def _lenient(entry: str, has_doi: bool) -> bool:
    """Reference-like enough under a reference heading: a few words and a year (an old work's
    too: "Fischer von Waldheim G (1813) Zoognosia ..."), a DOI, a URL or initials first."""
    return len(entry.split()) >= 3 and bool(
        has_doi or _OLD_YEAR.search(entry) or _URL.search(entry) or _INITIALS.match(entry)
    )


def _strict(entry: str, has_doi: bool) -> bool:
    """Reference-like: a year, a DOI or author initials near the start, and a few words."""
    if len(entry) > 1500 or len(entry.split()) < 4 or not _YEAR.search(entry):
        return False
    head = entry[:100]
    if _NARRATIVE.search(head):
        return False
    return bool(_INITIALS.search(head) or _ETAL_START.match(head) or (has_doi and _ORG_START.match(entry)))


def _items(text: str) -> list[tuple[str, int, int, str | None]]:
    """The text as a sequence of headings and entry candidates (kind, start, end, label).

    A label is the list number ("1" for "1." or "[1]"), "" for a bullet, None for no marker.
    """
    items: list[tuple[str, int, int, str | None]] = []
    block: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        s, e = pos, pos + len(line)
        pos = e + 1
        stripped = line.strip()
        if not stripped or _SEPARATOR.fullmatch(stripped):
            items += _split_block(text, block)
            block = []
        elif _REF_HEADING.fullmatch(stripped) or _OTHER_HEADING.match(stripped):
            items += _split_block(text, block)
            block = []
            kind = "ref-heading" if _REF_HEADING.fullmatch(stripped) else "heading"
            items.append((kind, s, e, None))
        else:
            block.append((s, e))
    return items + _split_block(text, block)


def _split_block(text: str, block: list[tuple[int, int]]) -> list[tuple[str, int, int, str | None]]:
    """Entries of one paragraph: one per list marker, or per line when each line is a
    reference of its own; other lines (indented, or not starting with a name) continue one."""
    if not block:
        return []
    marks = _list_markers(text, block)
    entries: list[list] = []
    if any(marks):
        for (s, e), m in zip(block, marks):
            if m:
                entries.append([m.end(), e, m.group(1) or m.group(2) or ("^" + m.group(3) if m.group(3) else "")])
            elif entries:
                entries[-1][1] = e
            else:
                entries.append([s, e, None])  # lead-in text before the list
    else:
        indents = [len(text[s:e]) - len(text[s:e].lstrip()) for s, e in block]
        one_per_line = all(
            _LINE_YEAR.search(text, s, e) and _NAME_START.match(text, s + ind, e)
            for (s, e), ind in zip(block, indents)
            if ind <= indents[0]
        )
        wrapped = max(e - s for s, e in block) <= 100  # hard-wrapped: an entry ends a line
        hanging = max(indents) > indents[0]  # APA's hanging indent: each outdented line starts one
        for k, ((s, e), ind) in enumerate(zip(block, indents)):
            new = one_per_line or _INITIALS.match(text, s + ind, e) or _ETAL_START.match(text, s + ind, e)
            if hanging:
                new = new or ind <= indents[0]
            elif new and k and (_continues(text, *block[k - 1], wrapped) or _RUN_ON.match(text, s + ind, e)):
                new = None  # "..., May CR," or "... Santos" / "C, Fondevila M, et al.": one author list
            elif new and k and wrapped and not _YEAR_OR_LINK.search(text, entries[-1][0], s):
                new = None  # "...simulations." / "Biophys J. 2012;102": the entry so far has no year
            if entries and (ind > indents[0] or not new):
                entries[-1][1] = e
            else:
                entries.append([s + ind, e, None])
    out = []
    for s, e, label in entries:
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(("entry", s, e, label))
    return out


def _continues(text: str, s: int, e: int, wrapped: bool) -> bool:
    """Whether the line ``text[s:e]`` runs on into the next: it ends mid-list (a comma, "and"),
    or, in hard-wrapped text, with anything but a full stop, pages, a URL or a DOI."""
    return bool(_MID_SENTENCE.search(text, s, e) or (wrapped and not _ENDS_ENTRY.search(text, s, e)))


def _list_markers(text: str, block: list[tuple[int, int]]) -> list[re.Match | None]:
    """The list marker of each line, or None; a line that wrapped to start like one, with no
    name or title after it, has none: "31. 4972033" or "10. 236 p." (a volume or page count;
    in a numbered list, out of turn), "- e358." (the end of a page range; indented, in a
    numbered list)."""
    marks: list[re.Match | None] = []
    previous: str | None = None  # the label of the last marker kept
    for s, e in block:
        m = _MARKER.match(text, s, e)
        if m:
            number, after = m.group(1) or m.group(2), text[m.end()]
            if previous is None:  # a hard-wrapped entry with no marker of its own, or a list's start
                wrapped = bool(marks) and bool(_PAGE_LIKE.match(text, m.end())) and number != "1"
            elif not previous.isdigit() or after.isupper() or after in "\"'“‘[(*_":
                wrapped = False
            else:
                wrapped = int(number) != int(previous) + 1 if number else text[s] in " \t"
            if wrapped:
                m = None
            else:
                previous = number or ("^" if m.group(3) else "")
        marks.append(m)
    return marks


def _extract_bibtex(doc: Document) -> Extraction:
    """Each entry becomes a reference with its exact span; a broken block becomes a note."""
    references, notes = read_entries(doc)
    out = Extraction(references, [], [_map_mention(doc, m) for m in find_dois(doc.text)], bool(references), notes)
    _attach_dois(out.references, out.dois, [(r.start, r.end) for r in out.references])
    out.pubmed_ids = pubmed_ids.find_ids(doc.text)
    pubmed_ids.attach(out.references, out.pubmed_ids)
    return out
