"""Rules over the CRF's labels that read a reference by its sentence-like blocks.

The author-date shape of PLOS, APA and Harvard, ``Names (2009) Title. Container 37:
289–297.``, is regular enough to trust over the labeller where the labeller stumbles:
corporate names before the year (``World Health Organization (2012) ...``), a title it
called a note or dropped, a title's last words (``..., South Africa.``, ``... Parvovirus
B19.``) or a container's last word (``Proc Natl Acad Sci USA``) on the wrong side of the
block break. Two more rules cover any style: a first block that is an organisation's name
is the author, and a reference with authors but no title has its title in the first block
after them (``Pullman P. The Subtle Knife. Alfred A. Knopf; 1996.``).

Each rule takes the tokens (text, start, end) and the CRF's labels and relabels in place.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from operator import itemgetter

from reflint.names import PARTICLES, is_corporate

# "Names (2009)", "Names (2009a).", "Names (in press)": names hold letters, separators and
# the periods of initials, "et al." and "U.S."; a suffix such as "3rd" is the only digit.
_AUTHOR_DATE = re.compile(
    r"(?P<names>[^\W\d_](?:[^\W\d_]|[\s,&'’-]|(?<=\b[^\W\d_])\.|(?<=\bal)\.|\b\d(?:st|nd|rd|th)\b)*?)"
    r"\s*\((?P<date>(?:1[5-9]|20)\d\d[a-z]?|[Ii]n [Pp]ress|n\.\s?d\.)\)\.?(?=\s|$)"
)
_PARENS_DATE = re.compile(r"\((?:(?:1[5-9]|20)\d\d[a-z]?|[Ii]n [Pp]ress|n\.\s?d\.)\)")  # what it needs, found fast
_YEAR_WORD = re.compile(r"(?:19|20)\d\d")
_NAME_WORDS = PARTICLES | {"and", "&", "et", "al", "of", "for", "on", "the", "in", "und"}
# " 37: 289–297", ". 12:686–702", " 7(3): e39315", "Sci Rep 2, 397" is left to the CRF
_VOLUME_PAGES = re.compile(
    r"\.?\s+(?P<volume>[A-Za-z]?\d+[A-Za-z]?)(?:\s*\((?P<issue>[^()]{1,20})\))?\s*:\s*"
    r"(?P<pages>[A-Za-z]{0,2}\d+(?:\s*[-‐–—]\s*[A-Za-z]{0,2}\d+)?)(?=[\s.;,]|$)"
)
# a block ends at ". ", "? " or "! ", but not after an initial ("Smith J. ", "U. S. ")
_BREAK = re.compile(r"[.?!](?<!\b[A-Z][.?!])(?=[\"”’']?(?:\s|$))")
_JOURNAL_ABBREV = re.compile(  # a "break" after these is inside an abbreviated journal name
    r"(?i)\b(?:j|jour|proc|natl|acad|sci|am|soc|phys|rev|lett|int|med|res|biol|chem|ann|"
    r"trans|bull|arch|eur|clin|assoc|nat|ser)\.$"
)
_CONTAINER_NOT = re.compile(r"(?:\bIn:?\s|\beds?\b|\beditors?\b|\bpp?\.\s)")
_START, _END = itemgetter(1), itemgetter(2)  # a token's start and end offsets


def _at(tokens: list, offset: int) -> int | None:
    """Index of the token that starts at ``offset``, if one does."""
    i = bisect_left(tokens, offset, key=_START)
    return i if i < len(tokens) and tokens[i][1] == offset else None


def _label(tokens: list, labels: list[str], start: int, end: int, label: str) -> None:
    """Label the tokens inside ``text[start:end]`` (tokens are in order and never overlap)."""
    i = bisect_left(tokens, start, key=_START)
    j = bisect_right(tokens, end, lo=i, key=_END)  # ends rise too: every token up to j ends by ``end``
    labels[i:j] = [label] * (j - i)


def _break_before(text: str, start: int, end: int) -> int | None:
    """Offset of the last block break in ``text[start:end]``."""
    cut = None
    for m in _BREAK.finditer(text, start, end):
        if m.end() < end:
            cut = m.start()
    return cut


def _first_break(text: str, start: int) -> int:
    m = _BREAK.search(text, start)
    return m.start() if m else len(text.rstrip())


def author_date(text: str, skip: int, tokens: list, labels: list[str]) -> bool:
    """``Names (Year) Title. Container Volume: Pages``; True when the shape was found."""
    m = _AUTHOR_DATE.match(text, skip) if _PARENS_DATE.search(text, skip) else None
    if (
        not m
        or len(m.group("names")) > 600
        or not all(w[0].isupper() or w.strip(".") in _NAME_WORDS for w in m.group("names").split())
    ):
        return False  # "A. Roe, Fractal concepts in growth, Cambridge (1995)" is not a name list
    _label(tokens, labels, m.start("names"), m.end("names"), "author")
    _label(tokens, labels, m.end("names"), m.end(), "other")
    _label(tokens, labels, m.start("date"), m.end("date"), "date")
    start = m.end() + len(text[m.end() :]) - len(text[m.end() :].lstrip())
    anchor = _VOLUME_PAGES.search(text, start)
    if anchor and _title_and_container(text, start, anchor, tokens, labels):
        return True
    if not any(lab == "title" for (_, a, _), lab in zip(tokens, labels) if a >= start):
        end = _first_break(text, start)
        note = re.search(r"\s*\([^()]*\)$", text[start:end])  # "(Unpublished doctoral dissertation)"
        if note:
            inside = {lab for (_, a, b), lab in zip(tokens, labels) if start + note.start() <= a and b <= end}
            if inside - {"other"} == {"note"}:
                end = start + note.start()
        _label(tokens, labels, start, end + (text[end : end + 1] in "?!"), "title")
    return True


def _title_and_container(text: str, start: int, anchor: re.Match, tokens: list, labels: list[str]) -> bool:
    """Title up to the last block break before ``Volume: Pages``, the container after it,
    when the CRF agrees a volume or pages sit there and the container reads as a journal."""
    volume, pages = (None if (i := _at(tokens, anchor.start(g))) is None else labels[i] for g in ("volume", "pages"))
    if not (volume == "volume" and pages in ("pages", None) or pages == "pages" and volume != "issue"):
        return False  # "Evrazii 44, no. 3: 93-100": the CRF saw an issue there
    cut = _break_before(text, start, anchor.start())
    if cut is None:
        return False
    container = text[cut + 1 : anchor.start()].strip()
    if (
        not container
        or "." in container
        or len(container.split()) > 12
        or _JOURNAL_ABBREV.search(text, max(0, cut - 8), cut + 1)  # it ends at cut: look only there
        or _CONTAINER_NOT.search(text, start, anchor.start())
    ):
        return False
    title_end = cut + (text[cut] in "?!")
    _label(tokens, labels, start, anchor.end(), "other")
    _label(tokens, labels, start, title_end, "title")
    _label(tokens, labels, cut + 1, anchor.start(), "container")
    for name in ("volume", "issue", "pages"):
        if anchor[name]:
            _label(tokens, labels, anchor.start(name), anchor.end(name), name)
    return True


def corporate_first_block(text: str, skip: int, tokens: list, labels: list[str]) -> None:
    """``Institute of Medicine. Public health implications ...``, ``GBD 2019 Diseases and
    Injuries Collaborators. Global burden ...``: a first block that is an organisation's name
    (a year may be part of it), which the CRF read as part of something else, is the author."""
    end = _first_break(text, skip)
    block = text[skip:end]
    if not is_corporate(block):  # (cached, and false for nearly every list: tested first)
        return
    words = [w for w in block.split() if not _YEAR_WORD.fullmatch(w)]
    if (
        len(words) > 12
        or re.search(r"[,:;?]", block)
        or any(c.isdigit() for w in words for c in w)
        or not all(w[0].isupper() or w in ("of", "for", "and", "the", "on", "in", "&") for w in words)
    ):
        return
    inside = [i for i, (_, a, b) in enumerate(tokens) if skip <= a and b <= end]
    if not inside or any(labels[i] == "author" for i in inside):
        return  # the CRF saw a person's name here ("Hebb D.O. The Organization of ...")
    crf = labels[inside[0]]
    for i in inside:
        labels[i] = "author"
    _label(tokens, labels, end, end + 1, "other")
    if crf == "title":  # what the CRF ran on past the block stays the title
        return
    # the block the CRF took for the title is the next one, when it did not see one
    if not any(lab == "title" for lab in labels):
        nxt = end + 1 + len(text[end + 1 :]) - len(text[end + 1 :].lstrip())
        _label(tokens, labels, nxt, _first_break(text, nxt), "title")


def title_after_authors(text: str, tokens: list, labels: list[str]) -> None:
    """Authors and no title: the first block after the authors (and a date right after
    them) is the title when the CRF gave it a label a title's place never has."""
    if "title" in labels or "author" not in labels:
        return
    i = labels.index("author")
    while i < len(tokens) and labels[i] in ("author", "other", "date"):
        i += 1
    if i >= len(tokens) or labels[i] not in ("publisher", "location", "note", "container"):
        return
    start = tokens[i][1]
    end = _first_break(text, start)
    after = [lab for (_, a, _), lab in zip(tokens, labels) if a > end and lab != "other"]
    if not after:
        return  # "Smith J. Nature." is a container with no title
    if labels[i] == "container" and (after[0] != "container" or {"volume", "issue", "pages"} & set(after)):
        return  # a container is a title only where the CRF ran it across the break into a book's publisher
    if any(lab != labels[i] for (_, a, b), lab in zip(tokens, labels) if start <= a and b <= end and lab != "other"):
        return
    _label(tokens, labels, start, end + (text[end : end + 1] in "?!"), "title")
