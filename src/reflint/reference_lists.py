"""Where a document's reference lists are, and how each splits into its entries.

Works on plain text (``doc.plain`` with code and comments blanked): headings, list markers
(``1.``, ``[1]``, ``-``, a footnote's ``[^1]:``, an HTML ``<li>``), paragraphs, and plain lines
that wrap or hang. Every pattern is anchored or bounded, so huge lines stay linear.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import Sequence

from reflint.models import Document

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
_MARKER = re.compile(  # ("[1], 2006" is a wrapped line's start, no marker)
    r"[ \t\xa0]*(?:(?:[-*+•‣◦▪●]|(\d{1,3}|1[0-8]\d\d)[.)])[ \t\xa0]+|\[(\d{1,4})\](?![,;:])[ \t\xa0]*"
    r"|\[\^([^\]\s]{1,40})\]:[ \t\xa0]*)(?=\S)"
)
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
# Hard-wrapped, unmarked entries: a new one starts a line with a name, and has a year not in a DOI.
_LINE_YEAR = re.compile(r"(?<![\d./])(?:19|20)\d\d(?![\d/])")
_NAME_START = re.compile(r"[\"'“‘(\[]?[A-ZÀ-Þ][^\W\d_]")
# A line that runs on: it ends mid-list ("...,", "... and", "In E. Gottheil, K."), or with the
# year an author list closes on ("... (2009)").
_MID_SENTENCE = re.compile(r"(?:[,;:&(–-]|\band|\bet|\((?:19|20)\d\d[a-z]?\)|, [A-Z]\.)[ \t]*$")
# A line that goes on an entry: "Available: http://...", "Accessed 2 May 2015", "In: Smith J, editor."
_RUN_ON = re.compile(
    r"(?:Available|Accessed|Retrieved|Cited|URL|Epub|PMID|PubMed|PMCID|Published|Updated|In(?! [A-Z]{1,2},))\b"
)  # "In J. Doe (Ed.)," goes on; "In G, Ahn NG," is the surname In
_YEAR_OR_LINK = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)|10\.\d{4,9}/|https?://|www\.", re.I)
_ENDS_ENTRY = re.compile(r"(?:[.)\]>\d]|\S*[./]\S*)[ \t]*$")  # a full stop, pages, a URL or DOI
_OLD_YEAR = re.compile(r"(?<!\d)(?:1[6-9]|20)\d\d(?!\d)")
_OPENERS = "\"'“‘[(*_"  # what may open an entry's names or title
_URL = re.compile(r"https?://|www\.", re.I)
_UP = "A-ZÀ-ÖØ-Þ"
# "Gattie E," "Gattie, E." "Hall, ML," "Hu, H-T." "Dunning, J., et al.": a family name and initials.
_INITIALS = re.compile(
    rf"(?<![^\W\d_])[{_UP}][^\W\d_]*(?:['’-][^\W\d_]+)*,?[ \t]+"
    rf"[{_UP}](?:[-.]?[ \t]?[{_UP}]){{0,2}}\.?(?=[,;&]|\.|[ \t]+(?:&|and|et[ \t]+al)\b)"
)
# "J. Reif and", "J.M. Wing,", "C.-K. Chiu,", "A. C. Yao.": initials, then a family name (IEEE, physics)
_GIVEN_FIRST = re.compile(rf"(?:[{_UP}]\.-?[ \t]?){{1,3}}[{_UP}][^\W\d_]+(?:[-'’][^\W\d_]+)?(?=,|\.|[ \t]+and\b)")
# "———. Lost in the Funhouse." (Chicago), "---. Title." (MLA), "--, A. W. Robertson" (AMS): the
# authors of the entry before
DITTO = re.compile(r"(?:[—―–-]{1,6}|_{2,12}) ?[.,]")
_ETAL_START = re.compile(r"[^\W\d_][\w'’-]*(?:,?[ \t]+[^\W\d_][\w'’-]*){0,3},?[ \t]+et[ \t]+al\b")
# "World Health Organization." "Cochrane Collaboration (": a corporate author.
_ORG_START = re.compile(
    rf"[{_UP}][\w'’&-]*(?:[ \t]+(?:(?:of|for|and|the|on|in|&)[ \t]+)?[{_UP}][\w'’&-]*)" r"{0,7}[ \t]*[.,(:]"
)
_NARRATIVE = re.compile(r"et al\.?,? \((?:19|20)\d\d[a-z]?\) [a-z]")
_LI = re.compile(r"<li[\s>/]", re.I)
# a bibliography's element, headed or not: pandoc's and Quarto's ``<div id="refs" class="references
# csl-bib-body">``, citeproc-js's ``csl-bib-body``, jekyll-scholar's ``<ol class="bibliography">``
_BIBLIOGRAPHY = re.compile(
    r"""<(?:div|section|ol|ul|dl)\b[^<>]*?(?:\bclass\s*=\s*["'][^"']*?(?<![\w-])"""
    r"""(?:csl-bib-body|references|bibliography|kcite-bibliography)(?![\w-])"""
    r"""|\bid\s*=\s*["'](?:refs|references|bibliography)["']|\brole\s*=\s*["']doc-bibliography["'])""",
    re.I,
)


# a footnotes section: Hugo's and kramdown's <div class="footnotes">, pandoc's <section
# class="footnotes" role="doc-endnotes">, markdown-it's <section class="footnotes">
_NOTES = re.compile(
    r"""<(?:div|section|aside|ol)\b[^<>]*?(?:\bclass\s*=\s*["'][^"']*?(?<![\w-])footnotes(?![\w-])"""
    r"""|\brole\s*=\s*["']doc-endnotes["'])""",
    re.I,
)
_LIST_END = re.compile(r"</ol\s*>", re.I)


def html_notes(doc: Document) -> list[tuple[int, int]]:
    """Spans in ``doc.plain`` of each footnotes section, up to the end of its list: notes, not
    prose, so a reference in one is not read as a citation."""
    if doc.kind != "html" or doc.source_starts is None:
        return []
    starts, out = doc.source_starts, []
    for m in _NOTES.finditer(doc.text):
        if end := _LIST_END.search(doc.text, m.end()):
            out.append((bisect_left(starts, m.start()), bisect_left(starts, end.end())))
    return out


def html_list_items(doc: Document) -> list[int]:
    """Offsets in ``doc.plain`` of the line break each HTML ``<li>`` became, in order."""
    return _plain_offsets(doc, _LI)


def html_bibliographies(doc: Document) -> list[int]:
    """Offsets in ``doc.plain`` of the line break each bibliography element became: a
    reference heading, which pandoc's output without a "References" heading lacks."""
    return _plain_offsets(doc, _BIBLIOGRAPHY)


def _plain_offsets(doc: Document, tag: re.Pattern) -> list[int]:
    if doc.kind != "html" or doc.source_starts is None:
        return []
    starts, out = doc.source_starts, []
    for m in tag.finditer(doc.text):
        i = bisect_left(starts, m.start())
        if i < len(starts) and starts[i] == m.start():
            out.append(i)
    return out


def reference_entries(
    text: str,
    doi_starts: list[int],
    list_items: Sequence[int] = (),
    bibliographies: Sequence[int] = (),
    notes: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int, str | None]]:
    """(start, end, label) of each entry of the reference lists, as offsets into ``text``.

    Under a reference heading an entry needs little to qualify (a year, DOI, URL or initials)
    and the list runs until a heading or the first paragraph that is not a reference. An
    entry that opens an HTML ``<li>`` (``list_items``) qualifies as a Markdown list item does:
    "Fischer von Waldheim G (1813) Zoognosia..." has no year after 1900 and no initials first,
    but it is item 64 of the list. With no heading only a run of clearly reference-like
    entries near the end counts, so prose that cites "Gattie et al. (2017)" is never mistaken
    for a reference list; and footnote definitions that read as references, wherever they stand
    (Markdown's ``[^1]:``, or an item in an HTML footnotes section's span in ``notes``).
    """
    items = _items(text)
    if list_items:
        items = [_as_list_item(text, item, list_items) for item in items]
    if bibliographies:  # an HTML bibliography's element heads its entries
        items = sorted(items + [("ref-heading", b, b, None) for b in bibliographies], key=lambda item: item[1])

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
            elif accepted and text.count("\n", accepted[-1][1], s) == 1:
                accepted[-1] = (accepted[-1][0], e, accepted[-1][2])  # the same paragraph: a wrapped line
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
            if (label and label[0] == "^") or any(a <= s < b for a, b in notes):
                footnotes.append((s, e, label))
        elif (
            kind == "entry"
            and runs[-1]
            and label is runs[-1][-1][2] is None
            and text.count("\n", runs[-1][-1][1], s) == 1
        ):
            runs[-1][-1] = (runs[-1][-1][0], e, runs[-1][-1][2])  # the same paragraph: a wrapped line
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
    return bool(
        _INITIALS.search(head)
        or _ETAL_START.match(head)
        or _GIVEN_FIRST.match(head)
        or (has_doi and _ORG_START.match(entry))
    )


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
    """Entries of one paragraph: one per list marker (the lines after one continue it), or as
    :func:`_unmarked_entries` finds them."""
    if not block:
        return []
    marks = _list_markers(text, block)
    first = next((k for k, m in enumerate(marks) if m), None)
    if first is not None and first > 2:  # unmarked entries before the first marker: no lead-in
        if sum(map(bool, marks)) > 1:
            return _split_block(text, block[:first]) + _split_block(text, block[first:])
        first = None  # one stray "•" among unmarked entries: no list marker at all
    if first is None:
        entries = _unmarked_entries(text, block)
    else:
        entries = []
        for (s, e), m in zip(block, marks):
            if m:
                entries.append([m.end(), e, _label(m)])
            elif entries:
                entries[-1][1] = e
            else:
                entries.append([s, e, None])  # lead-in text before the list
    out = []
    for s, e, label in entries:
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append(("entry", s, e, label))
    return out


def _unmarked_entries(text: str, block: list[tuple[int, int]]) -> list[list]:
    """[start, end, None] of each entry of a paragraph with no list markers: one per line when
    each line is a reference of its own; other lines (indented, or not starting with a name)
    continue one. With hanging indents each outdented line starts an entry; in hard-wrapped
    text a line starts one only after a line that ends one, once the entry before has its
    year; in lines not wrapped, a finished entry's line break ends it."""
    entries: list[list] = []
    indents = [len(text[s:e]) - len(text[s:e].lstrip()) for s, e in block]
    wrapped = max(e - s for s, e in block) <= 100  # hard-wrapped: an entry ends a line
    one_per_line = (len(block) > 2 or not wrapped) and all(  # (two wrapped lines: one entry)
        _LINE_YEAR.search(text, s, e) and _NAME_START.match(text, s + ind, e)
        for (s, e), ind in zip(block, indents)
        if ind <= indents[0]
    )
    hanging = max(indents) > indents[0]  # APA's hanging indent: each outdented line starts one
    for k, ((s, e), ind) in enumerate(zip(block, indents)):
        new = bool(one_per_line or _INITIALS.match(text, s + ind, e) or _ETAL_START.match(text, s + ind, e))
        if hanging:
            new = new or ind <= indents[0]
        elif (
            not (new or wrapped)
            and k
            and (
                _NAME_START.match(text, s + ind, e)
                or _GIVEN_FIRST.match(text, s + ind, e)
                or DITTO.match(text, s + ind, e)
            )
        ):
            # lines not wrapped (an HTML <br> list): a finished entry's line break ends it
            new = bool(
                _ENDS_ENTRY.search(text, *block[k - 1])
                and not _RUN_ON.match(text, s + ind, e)
                and _YEAR_OR_LINK.search(text, entries[-1][0], s)
            )
        elif new and k and (_continues(text, *block[k - 1], wrapped) or _RUN_ON.match(text, s + ind, e)):
            new = False  # "..., May CR," or "... Santos" / "C, Fondevila M, et al.": one author list
        elif new and k and wrapped and not _YEAR_OR_LINK.search(text, entries[-1][0], s):
            new = False  # "...simulations." / "Biophys J. 2012;102": the entry so far has no year
        elif new and k == len(block) - 1 and wrapped and not _YEAR_OR_LINK.search(text, s, e):
            new = False  # "Washington, D. C." closing a wrapped entry: a place, no entry of its own
        if entries and (ind > indents[0] or not new):
            entries[-1][1] = e
        else:
            entries.append([s + ind, e, None])
    return entries


def _label(marker: re.Match) -> str:
    """An entry's label from its marker: "3" for ``3.`` or ``[3]``, "^gattie" for a footnote's
    ``[^gattie]:``, "" for a bullet."""
    number, note = marker.group(1) or marker.group(2), marker.group(3)
    return number or (f"^{note}" if note else "")


def _continues(text: str, s: int, e: int, wrapped: bool) -> bool:
    """Whether the line ``text[s:e]`` runs on into the next: it ends mid-list (a comma, "and"),
    or, in hard-wrapped text, with anything but a full stop, pages, a URL or a DOI."""
    return bool(_MID_SENTENCE.search(text, s, e) or (wrapped and not _ENDS_ENTRY.search(text, s, e)))


def _list_markers(text: str, block: list[tuple[int, int]]) -> list[re.Match | None]:
    """The list marker of each line, or None; a line that wrapped to start like one has none:
    "31. 4972033" or "10. 236 p." (a volume or page count; in a numbered list, out of turn),
    "- e358." (the end of a page range; indented, in a numbered list), and "1780. Birmingham:
    Pearson." after entry 35 (out of turn, and indented or followed by entry 36: as
    CommonMark reads it, a nested list that does not start at 1 cannot break a paragraph)."""
    found = [_MARKER.match(text, s, e) for s, e in block]
    numbers = [int(n) if m and (n := m.group(1) or m.group(2)) else None for m in found]
    later: list[int | None] = [None] * len(found)  # the number of the next numbered line
    for k in range(len(found) - 2, -1, -1):
        later[k] = numbers[k + 1] if numbers[k + 1] is not None else later[k + 1]
    marks: list[re.Match | None] = []
    previous: str | None = None  # the label of the last marker kept
    indent = 0  # and the indent of its line
    for k, ((s, _), m) in enumerate(zip(block, found)):
        if m:
            number, after = numbers[k], text[m.end()]
            if previous is None:  # a hard-wrapped entry with no marker of its own, or a list's start
                wrapped = bool(marks) and (
                    (number is not None and number != 1 and later[k] != number + 1)  # "31. 4972033", "[18]"
                    or (number is None and not (after.isupper() or after in _OPENERS))  # "ef" / "- fect"
                    or _indent(text, s) >= _indent(text, block[0][0]) + 4  # a hanging indent's line
                )
            elif m.group(3):
                wrapped = False  # a footnote
            elif not previous.isdigit():  # a bulleted list: "4. (Jul.", "- photon", "March" / "- December"
                wrapped = _indent(text, s) > indent and (
                    number not in (None, 1)
                    or not (after.isupper() or after in _OPENERS)
                    or not _ENDS_ENTRY.search(text, *block[k - 1])
                )
            elif number is None:  # a bullet in a numbered list: indented, or "- 353." / "- yses"
                wrapped = text[s] in " \t" or not (after.isupper() or after in _OPENERS)
            elif after.isupper() or after in _OPENERS:  # a name or title follows
                expected = int(previous) + 1  # (or a repeat: "1." for every item)
                wrapped = number not in (expected, expected - 1) and (_indent(text, s) > indent or later[k] == expected)
            else:
                wrapped = number != int(previous) + 1
            if wrapped:
                m = None
            else:
                previous, indent = _label(m), _indent(text, s)
        marks.append(m)
    return marks


def _indent(text: str, s: int) -> int:
    """White space at the start of the line at ``s``."""
    i = s
    while i < len(text) and text[i] in " \t\xa0":
        i += 1
    return i - s
