"""In-text citations: ``(Gattie et al. 2017)``, ``Smith (2019a)``, ``[2-4]``, ``[@key]``, DOI links.

Works on one string (the prose, with code and the reference list blanked out) and returns
offsets into it; :mod:`reflint.extract` maps them to the source. Every scan is a bounded or
anchored pattern, so deep nesting and multi-megabyte lines stay linear: parentheses are only
read when they hold at most 400 characters and no other parenthesis.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right

from reflint.markdown import Structure
from reflint.models import Citation

_PAREN = re.compile(r"\(([^()]{1,400})\)")
# A group may wrap onto the next line after a comma or dash: "[10, 11,\n12]" in hard-wrapped text.
_AFTER = r"[ \t]*(?:\n[ \t]*)?"
_NUMBERS = (
    rf"\d{{1,4}}(?:[ \t]*[-–—‐‑−]{_AFTER}\d{{1,4}})?(?:[ \t]*,{_AFTER}\d{{1,4}}(?:[ \t]*[-–—‐‑−]{_AFTER}\d{{1,4}})?)*"
)
_NUMERIC = re.compile(rf"\[({_NUMBERS})\]")
# Lookbehinds follow the first literal, so the regex engine can skip to it (much faster).
_PAREN_NUMERIC = re.compile(
    rf"\((?<![\w(]\()(\d{{1,3}}(?:[ \t]*[-–—‐‑−]{_AFTER}\d{{1,3}})?"
    rf"(?:[ \t]*,{_AFTER}\d{{1,3}}(?:[ \t]*[-–—‐‑−]{_AFTER}\d{{1,3}})?)*)\)"
)
_CARET_SUPERSCRIPT = re.compile(rf"\^(?<![\^\[]\^)\[?({_NUMBERS})\]?\^")  # Pandoc's ^3^
# A <sup> element of HTML source, with any tags inside it (a footnote link): its digits.
_HTML_SUP = re.compile(r"<sup\b[^<>]{0,300}>((?:[^<]|<(?!/?sup\b)[^<>]{0,300}>){0,300}?)</sup\s*>", re.I)
_TAG = re.compile(r"<[^<>]*>")
_LINK_BEFORE = re.compile(r"<a\b[^<>]*>\s*$", re.I)
_BLOCK_START = re.compile(r"(?:^|<(?:p|li|div|dd|dt|td|br|h[1-6])\b[^<>]*>)\s*$", re.I)  # a note's own label
_FOOTNOTE = re.compile(r"foot|noteref|[#\"']fn|javascript:", re.I)  # Pandoc's and WordPress plugins' markers
_BARE_NUMBERS = re.compile(rf"\s*({_NUMBERS})\s*")
# What a power follows: a number ("10<sup>6</sup>"), or a unit squared or cubed ("cm<sup>2</sup>", "kg/m<sup>2</sup>").
_POWER_BASE = re.compile(r"(\d)$|(?:(?<![^\W\d_])[cmkdnµμ]?m|/[^\W\d_]{1,3})$")
# After a letter ("shown¹²"), or one or two marks after a letter or digit ("shown.¹²",
# "(n = 120).⁴", "(e.g.,¹¹"); never right after a digit, where it is a power ("10⁶").
_UNICODE_SUP = re.compile(
    r"[¹²³⁴⁵⁶⁷⁸⁹⁰](?:(?<=[^\W\d_].)|(?<=[^\W_][.,;:)\]’\"”].)|(?<=[^\W_][.,;:)\]’\"”][.,;:)\]’\"”].))"
    r"[¹²³⁴⁵⁶⁷⁸⁹⁰]*(?:[⁻,–-][¹²³⁴⁵⁶⁷⁸⁹⁰]+)*"
)
_SUP_DIGITS = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰⁻", "1234567890-")
_RANGE_DASH = re.compile(r"[ \t]*[-–—‐‑−][ \t]*")
_FOOTNOTE_REF = re.compile(r"\[\^([^\]\s]{1,40})\]")
FOOTNOTE_DEFINITION = re.compile(r"^[ \t]*\[\^([^\]\s]{1,40})\]:.*$", re.M)  # a line "[^2]: Zhou K, ..."
_BRACKET = re.compile(r"\[([^\[\]\n]{1,500})\]")
_KEY = r"[\w](?:[\w:.#$%&+?<>~/-]*\w)?"
_BRACKET_KEY = re.compile(rf"(?:^|(?<=[\s;\[-]))@({_KEY})")
_BARE_KEY = re.compile(rf"@(?<![\w@.\[/:;-]@)({_KEY})")
_MD_DOI_LINK = re.compile(
    r"\[[^\[\]\n]{1,300}\]\(\s*<?(?:https?:)?//(?:dx\.|www\.)?doi\.org/"
    r"(?:[^\s()<>]|\([^\s()<>]*\))+>?(?:[ \t]+\"[^\"\n]*\")?\s*\)",
    re.I,
)

_LEAD = re.compile(
    r"\s*(?:(?:see(?:[ \t]+also)?|e\.g\.,?|i\.e\.,?|cf\.|compare|for[ \t]+example,?"
    r"|reviewed[ \t]+in|as[ \t]+in|also)\s+)*",
    re.I,
)
_YEAR = re.compile(r"(?<![\w/.-])((?:19|20)\d\d[a-z]?)(?![\w/-])")
_MORE_YEAR = re.compile(r"\s*,\s*((?:19|20)\d\d[a-z]?)(?![\w/-])")
_LOCATOR = re.compile(
    r"\s*(?:,?\s*(?:(?:p|pp|para|ch|chap|fig|sec|s)\.|§|pages?|chapter|table|figure)"
    r"\s*[\w–-]+(?:\s*[-–,]\s*\w+)*|:\s*\d+(?:\s*[-–,]\s*\d+)*)\s*",
    re.I,
)
_ETAL = re.compile(r"\s*,?\s*\bet\s+al\b\.?\s*$")
_AUTHOR_SEP = re.compile(r"\s*,\s*(?:(?:&|and)\s+)?|\s+(?:&|and)\s+|\s*&\s*")
_PARTICLES = {
    "van",
    "von",
    "de",
    "der",
    "den",
    "del",
    "della",
    "da",
    "di",
    "du",
    "dos",
    "das",
    "la",
    "le",
    "ten",
    "ter",
    "st.",
    "al",
    "el",
    "bin",
    "ibn",
}
_WORD = r"[^\W\d_](?:[^\W\d_]|['’.-])*"
_NAME = re.compile(
    rf"(?:(?:{'|'.join(re.escape(p) for p in _PARTICLES)})\s+){{0,3}}{_WORD}" rf"(?:\s+{_WORD}){{0,3}}", re.I
)
_TOKEN = re.compile(rf"{_WORD}|[&,]")
# Capitalised words joined by a few small ones: "U.S. Department of Health and Human Services".
SMALL_WORDS = frozenset("of for and the on in".split())  # lower case inside an organisation's name
_SMALL = "|".join(sorted(SMALL_WORDS))
_CAPITALISED = r"[A-ZÀ-ÖØ-Þ][\w.'’-]*"
_ORGANISATION = re.compile(rf"{_CAPITALISED}(?:\s+(?:(?:{_SMALL})\s+){{0,2}}{_CAPITALISED}){{1,9}}")
_JOINER = re.compile(rf"\s(?:{_SMALL})\s")
# Capitalised words that precede a year without being anyone's name: "(March 2020)".
_NOT_AUTHORS = set(
    """january february march april may june july august september october
    november december jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn
    fall winter in on at by since from until till before after during circa ca updated
    published accessed retrieved revised copyright version figure fig table see also the
    this that these those year years fiscal fy phase step day week month vol volume issue
    no edition ed est founded recently later earlier between around about approximately
    and or of for however moreover furthermore indeed similarly likewise thus therefore hence
    notably here there today overall finally first second third then while when as although
    but yet so according our their its his her we they it a an""".split()
)


def find_citations(text: str, *, bare_keys: bool = False, links: Structure | None = None) -> list[Citation]:
    """Every in-text citation in ``text``, sorted; ``bare_keys`` enables Pandoc ``@key`` prose.

    ``links`` is the Markdown structure of ``text``: a bracket that CommonMark reads as a
    link's text, or a parenthesis it reads as a link's destination, is link syntax, not a
    citation (``[1](https://x.org)``, but not ``[1–3](see Discussion)``). Without it, a
    bracket before ``(`` or a parenthesis after ``]`` is taken for a link.
    """

    def syntax(c: Citation) -> bool:
        if c.style == "doi-link":
            return False
        if links is not None:
            return links.link_starts(c.start) or (text[c.end - 1] == ")" and links.link_ends(c.end))
        return text.startswith("(", c.end) or (c.start > 0 and text[c.start - 1] == "]")

    found = [c for c in _author_year(text) + _numeric(text) + _doi_links(text) if not syntax(c)]
    found += _footnote_refs(text)
    brackets = [c for c in _pandoc(text) if not syntax(c)]
    found += brackets
    if bare_keys:
        starts = [c.start for c in brackets]  # sorted, and brackets never overlap
        found += [
            c for c in _bare_keys(text) if not (i := bisect_right(starts, c.start)) or brackets[i - 1].end <= c.start
        ]
    return sorted(found, key=lambda c: (c.start, c.end))


def _cite(text: str, start: int, end: int, style: str, **kw) -> Citation:
    return Citation(start, end, " ".join(text[start:end].split()), style, **kw)


def _author_year(text: str) -> list[Citation]:
    out: list[Citation] = []
    for m in _PAREN.finditer(text):
        content, base = m.group(1), m.start(1)
        if "\n\n" in content:
            continue  # spans a paragraph break
        years = _years_only(content)
        if years is not None:
            out += _narrative(text, m.start(), m.end(), [(base + s, base + e, y) for s, e, y in years])
            continue
        offset = 0
        for part in content.split(";"):
            out += _parenthetical(text, part, base + offset)
            offset += len(part) + 1
    return out


def _years_only(content: str) -> list[tuple[int, int, str]] | None:
    """``2017``, ``2019a, 2020``, ``2017, p. 5``: the year list of a narrative citation."""
    m = re.match(r"\s*", content)
    return _year_list(content, m.end())


def _year_list(s: str, pos: int) -> list[tuple[int, int, str]] | None:
    """Years from ``pos`` to the end of ``s`` (an optional page locator may follow)."""
    y = _YEAR.match(s, pos)
    if not y:
        return None
    years = [(y.start(1), y.end(1), y.group(1))]
    pos = y.end()
    while more := _MORE_YEAR.match(s, pos):
        years.append((more.start(1), more.end(1), more.group(1)))
        pos = more.end()
    loc = _LOCATOR.match(s, pos)
    if loc:
        pos = loc.end()
    return years if not s[pos:].strip() else None


def _parenthetical(text: str, part: str, base: int) -> list[Citation]:
    """One ``;``-separated part of a parenthesis: ``[see ]Authors[,] Year[, Year][, p. 5]``."""
    lead = _LEAD.match(part).end()
    y = _YEAR.search(part, lead)
    if not y:
        return []
    years = _year_list(part, y.start())
    authors = _authors(part[lead : y.start()])
    if not years or not authors:
        return []
    first = base + lead
    return [
        _cite(text, first if i == 0 else base + s, base + e, "author-year", authors=authors, year=yr)
        for i, (s, e, yr) in enumerate(years)
    ]


def _authors(s: str) -> list[str] | None:
    """Family names from ``Smith, Jones & Lee`` / ``Gattie et al.``, or one organisation's
    name (``Centers for Disease Control and Prevention``); None if not all names."""
    s = _ETAL.sub("", s.strip().rstrip(",").rstrip())
    names = [n for n in _AUTHOR_SEP.split(s) if n]
    if names and len(names) <= 6 and all(_is_name(n) for n in names):
        return names
    if _ORGANISATION.fullmatch(s) and _JOINER.search(s) and s.split()[0].lower() not in _NOT_AUTHORS:
        return [s]
    return None


def _is_name(name: str) -> bool:
    if not _NAME.fullmatch(name):
        return False
    words = [w for w in name.split() if w.lower() not in _PARTICLES] or name.split()
    return (
        all(w[0].isupper() for w in words)
        and len(words[-1].rstrip(".")) > 1
        and words[0].lower().rstrip(".") not in _NOT_AUTHORS
    )


def _narrative(text: str, open_: int, close: int, years: list[tuple[int, int, str]]) -> list[Citation]:
    """``Gattie et al. (2017)``: read the names right before the parenthesis, backwards."""
    if open_ < 2 or not (text[open_ - 1] == " " and (text[open_ - 2] == "." or text[open_ - 2].isalpha())):
        return []  # names end right before: "Smith (2019)", "Gattie et al. (2017)"
    window_start = max(0, open_ - 160)
    window = text[window_start:open_]
    stripped = window[:-1]
    toks = [(t.group(), t.start(), t.end()) for t in _TOKEN.finditer(stripped)]
    if not toks or toks[-1][2] != len(stripped):
        return []

    def tok(j: int) -> str:  # token j if only whitespace separates it from token j + 1
        if j < 0 or (j + 1 < len(toks) and stripped[toks[j][2] : toks[j + 1][1]].strip()):
            return ""
        return toks[j][0]

    i = len(toks) - 1
    if re.sub(r"['’]s$", "", tok(i).lower()) in ("al.", "al") and tok(i - 1).lower() == "et":  # "et al.'s"
        i -= 3 if tok(i - 2) == "," else 2
    names: list[str] = []
    start = first = 0
    joined = False  # a list of names must end in "and"/"&": "Smith, Jones and Lee (2019)"
    while (word := tok(i)) and word[0].isupper() and word.lower().rstrip(".") not in _NOT_AUTHORS:
        first = i
        while tok(first - 1).lower() in _PARTICLES:
            first -= 1
        start = toks[first][1]
        names.append(re.sub(r"['’]s$", "", stripped[start : toks[i][2]]))
        i = first - 1
        if tok(i) in ("&", "and"):
            joined = True
            i -= 2 if tok(i - 1) == "," else 1
        elif tok(i) == "," and joined:
            i -= 1
        else:
            break
    before = tok(first - 1)  # "Lancet Global Health (2020)" is a title, not a citation
    if before[:1].isupper() and before.lower().rstrip(".") not in _NOT_AUTHORS:
        return []
    if not names or not all(_is_name(n) for n in names):
        return []
    names.reverse()
    begin = window_start + start
    if len(years) == 1:
        return [_cite(text, begin, close, "author-year", authors=names, year=years[0][2])]
    return [
        _cite(text, begin if k == 0 else s, e, "author-year", authors=names, year=y)
        for k, (s, e, y) in enumerate(years)
    ]


def _numeric(text: str) -> list[Citation]:
    """``[3]``, ``[3,4]``, ``[3–5]``, ``[3]–[5]``, ``(3–5)``, ``<sup>3,4</sup>``, ``^3^``, ``³⁻⁵``.

    The form is kept in the citation's text (its first character), so the rules can tell
    the document's own citation style from look-alikes such as ``(2–3)`` days.
    """
    out: list[Citation] = []
    for m in _NUMERIC.finditer(text):
        before = text[m.start() - 1] if m.start() else "\n"
        after = text[m.end()] if m.end() < len(text) else ""
        if before in "!^\\" or after == "[":
            continue  # image, footnote, escaped bracket, reference-style link
        if after == ":" and before == "\n":
            continue  # footnote or link definition "[1]: https://..."
        prev = out[-1] if out else None
        if (
            prev
            and prev.text[0] == "["
            and len(prev.numbers) == 1
            and "," not in m.group(1)
            and _RANGE_DASH.fullmatch(text, prev.end, m.start())
        ):
            first, last = prev.numbers[0], _expand(m.group(1))[-1]  # "[1]–[3]": a range over brackets
            out[-1] = _cite(text, prev.start, m.end(), "numeric", numbers=_expand(f"{first}-{last}"))
            continue
        out.append(_cite(text, m.start(), m.end(), "numeric", numbers=_expand(m.group(1))))
    out += [
        _cite(text, m.start(), m.end(), "numeric", numbers=_expand(m.group(1))) for m in _PAREN_NUMERIC.finditer(text)
    ]
    out += [
        _cite(text, m.start(), m.end(), "numeric", numbers=_expand(m.group(1)))
        for m in _CARET_SUPERSCRIPT.finditer(text)
    ]
    out += html_superscripts(text)
    out += [
        _cite(text, m.start(), m.end(), "numeric", numbers=_expand(m.group().translate(_SUP_DIGITS)))
        for m in _UNICODE_SUP.finditer(text)
    ]
    return out


def html_superscripts(source: str) -> list[Citation]:
    """Numbers set in ``<sup>`` in HTML source, with spans into it: ``claim.<sup>3</sup>``,
    ``<sup><a href="#r3">3,4</a></sup>``.

    The page's visible text glues them to the word before ("claim.3"), so they are found in
    the source. A power is not a citation: ``10<sup>6</sup>``, ``kg/m<sup>2</sup>``; but
    ``60 kb<sup>88</sup>`` is one. Neither is a footnote's marker.
    """
    out: list[Citation] = []
    for m in _HTML_SUP.finditer(source):
        found = _BARE_NUMBERS.fullmatch(html.unescape(_TAG.sub("", m.group(1))))
        if not found:
            continue
        numbers = " ".join(found.group(1).split())
        power = _POWER_BASE.search(_TAG.sub("", source[max(0, m.start() - 40) : m.start()]))
        if (power and (power.group(1) or numbers in ("2", "3"))) or _footnote(source, m):
            continue
        start = m.start()
        prev = out[-1] if out else None
        if prev and len(prev.numbers) == 1 and numbers.isdigit() and _RANGE_DASH.fullmatch(source, prev.end, start):
            numbers, start = f"{prev.numbers[0]}-{numbers}", out.pop().start  # "<sup>3</sup>–<sup>5</sup>"
        out.append(Citation(start, m.end(), f"<sup>{numbers}</sup>", "numeric", numbers=_expand(numbers)))
    return out


def _footnote(source: str, sup: re.Match) -> bool:
    """A footnote's number, not a citation: the ``<sup>`` or a link just around it says so,
    or it opens a paragraph (the note's own label)."""
    start = max(0, sup.start() - 300)
    link = _LINK_BEFORE.search(source, start, sup.start())
    return bool(
        _FOOTNOTE.search(sup.group())
        or (link and _FOOTNOTE.search(link.group()))
        or _BLOCK_START.search(source, start, sup.start())
    )


def _expand(spec: str) -> list[int]:
    """``1,3-5`` -> [1, 3, 4, 5]; an implausible range keeps just its ends."""
    numbers: list[int] = []
    for piece in spec.split(","):
        ends = [int(x) for x in re.split(r"[-–—‐‑−]", piece)]
        lo, hi = ends[0], ends[-1]
        numbers += list(range(lo, hi + 1)) if lo <= hi <= lo + 200 else [lo, hi][: len(ends)]
    return numbers


def _pandoc(text: str) -> list[Citation]:
    out = []
    for m in _BRACKET.finditer(text):
        if "@" not in m.group(1):
            continue
        keys = [k.group(1) for k in _BRACKET_KEY.finditer(m.group(1))]
        if keys:
            out.append(_cite(text, m.start(), m.end(), "pandoc", keys=keys))
    return out


def _footnote_refs(text: str) -> list[Citation]:
    """A footnote's mark in the prose, ``claim[^gattie]`` (GFM, Pandoc): it cites the entry
    its definition holds. A definition (``[^gattie]: ...`` opening a line) is not a mark;
    ``discriminant [^27]: a formula`` in a sentence is."""
    return [
        _cite(text, m.start(), m.end(), "footnote", keys=[m.group(1)])
        for m in _FOOTNOTE_REF.finditer(text)
        if not (text.startswith(":", m.end()) and not text[text.rfind("\n", 0, m.start()) + 1 : m.start()].strip())
    ]


def _bare_keys(text: str) -> list[Citation]:
    """Pandoc's narrative form: ``@gattie2017 says``."""
    return [_cite(text, m.start(), m.end(), "pandoc", keys=[m.group(1)]) for m in _BARE_KEY.finditer(text)]


def _doi_links(text: str) -> list[Citation]:
    return [_cite(text, m.start(), m.end(), "doi-link") for m in _MD_DOI_LINK.finditer(text)]
