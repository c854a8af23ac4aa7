"""DOI syntax: find every DOI mention in a text, sound or damaged, and normalise it.

The one module that knows what a DOI looks like, so extraction, rules and BibTeX agree.
Scanning is linear (bounded regexes, runs capped at ``_MAX_LEN``, prose state carried
forward), so megabyte lines or deep parentheses cannot stall a lint run.

Where a DOI ends (the trailing-junk rule):

* The DOI runs to whitespace, a quote, a backtick, an HTML tag or a closing bracket not
  opened inside it, so ``10.1016/S0140-6736(20)30183-5`` keeps its parentheses.
  Trailing ``. , ; : ! ? ' * _ ~`` and the punctuation and closers glued after it form
  the *tail*.
* Link targets (``](...)``, ``<...>``, ``{...}``, ``="..."``, a URL directly inside
  ``(...)``): the whole tail up to the closing markup is junk, the writer put it into
  the link. The closing markup itself is neither DOI nor junk.
* Running text: the tail is read from the right. A closer that closes a bracket, quote
  or emphasis opened before the mention is prose, and so is one sentence mark at the
  end or right before such a closer; what remains is junk. So ``doi:10.1/abc.`` and
  ``(see doi:10.1/abc).`` have none, ``doi:10.1/abc.,`` has ``.`` and
  ``10.1234/abc).`` with no ``(`` open has ``)``.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

from reflint.doi_urls import QUERY_STOP, in_url, page_start, url_doi_end
from reflint.models import DoiMention

PROBLEMS = ("missing-prefix", "truncated", "malformed", "trailing-junk", "noncanonical")
CANONICAL_URL = "https://doi.org/"

_MAX_LEN = 400  # far beyond any registered DOI; a longer run is not one
_SP = r"[ \t\u00a0]"
_HEAD = re.compile(  # the lookahead lets the regex engine skip ahead fast
    r"(?=[hdw1])(?:(?P<url>(?<![\w.+/@-])(?:https?://)?(?:(?:www|dx)\.)?doi\.org/)"
    rf"|(?P<label>(?<![^\W_])doi(?:{_SP}{{0,8}}[:=](?:{_SP}{{0,8}}\r?\n{_SP}{{0,40}}|{_SP}{{0,8}})[{{\"]?|{_SP}{{1,8}}))"
    r"|(?P<bare>(?<![^\W_]|\.)10\.\d{4,9}(?:\.\d{1,9}){0,3}/))",
    re.IGNORECASE,
)
_START = re.compile(r"10\.|\d{4,9}(?:\.\d{1,9}){0,3}/")  # what may follow a label or URL
_SOUND = re.compile(r"10\.\d+(?:\.\d+)*/\S+")
_NO_PREFIX = re.compile(r"\d{4,9}(?:\.\d+)*/\S+")
_TRUNCATED = re.compile(r"10\.(?:\d+(?:\.\d+)*/?)?")

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2212"
_DASH_TO_HYPHEN = str.maketrans(_DASHES, "-" * len(_DASHES))
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# an invisible character before another DOI, URL or label (past emphasis marks) separates two
# mentions, where one inside a DOI is copy-paste damage: "10.1016/\u200b*10.1234/abcd*"
_INVISIBLE_BREAK = re.compile(
    _INVISIBLE.pattern + r"+(?=[*_~]*(?:10\.\d{4,9}(?:\.\d{1,9}){0,3}/|doi[:=]|https?://))", re.I
)
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}")
_PLAIN = re.compile(rf"[^\s\"`<>()\[\]{{}}{_DASHES}]+")  # run characters needing no thought
_PAIRS = {"(": ")", "[": "]", "{": "}", "<": ">"}
_TRAIL = ".,;:!?'*_~"
_TAIL = re.compile(r"[.,;:!?'\"*_~`)\]}>]{1,50}")
_SENTENCE = ".,;:!?"
# a DOI broken by a space, or by a line break where text was hard-wrapped at that space
_GAP = r"(?:[ \t\u00a0]{1,3}|[ \t]{0,40}\r?\n[ \t]{0,40})"
_JOIN_PREFIX = re.compile(_GAP + r"(?=\d{1,9}(?:\.\d{1,9}){0,3}/\S)")  # "10. 1103/PhysRevD.10.2445"
_JOIN_SUFFIX = re.compile(_GAP + r"(?=\S)")  # "10.1136/ bmj-2022-073153"
_PREFIX_ONLY = re.compile(r"10\.\d{4,9}(?:\.\d{1,9}){0,3}")
_JOIN_SLASH = re.compile(_GAP + r"(?=/[^\W_])")  # "10.1038 /nature11247", PDF damage
_PROSE_MARKS = re.compile(r"[()\[\]{}\"]")
# "10.1371/journal." with no digit after the slash is no whole DOI; cut at that dot, it may
# continue only with a lowercase suffix part such as "pbio.0060118", or APS's volume and
# article number ("PhysRevLett. 113.091601"); a new sentence, a PMID or an NCT number after
# a complete DOI starts otherwise
_CUT_AT_DOT = re.compile(r"10\.\d+(?:\.\d+)*/[^\d\s]+\.")
_ARTICLE_NUMBER = re.compile(r"\d{1,4}\.\d{3,9}")
_DOT_CONTINUATION = re.compile(r"[a-z][a-z0-9]*[._-]|" + _ARTICLE_NUMBER.pattern)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # a backslash before ASCII punctuation
_DELIMS = re.compile(r"[*_~]+")
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")
_LOOKALIKE_HYPHENS = str.maketrans("\u2010\u2011", "--")  # drawn exactly as "-"


def _run_end(text: str, i: int) -> int | None:
    """End of the unbroken DOI-like run at ``i``, brackets balanced; None if absurdly long."""
    limit = min(len(text), i + _MAX_LEN)
    closers: list[str] = []
    while i < limit:
        if m := _PLAIN.match(text, i, limit):
            if cut := _INVISIBLE_BREAK.search(text, i, m.end()):
                return cut.start()
            i = m.end()
            continue
        c, nxt = text[i], text[i + 1 : i + 2]
        if c in _DASHES:  # a dash glued to prose ("abc—it") is not part of the DOI
            if not (nxt.isdigit() or (c != "\u2014" and nxt.isalnum())):
                break
        elif c in _PAIRS:
            if c == "<" and (nxt == "/" or nxt.isalpha()):  # an HTML tag, not SICI "<415::"
                break
            closers.append(_PAIRS[c])
        elif closers and c == closers[-1]:
            closers.pop()
        else:
            break
        i += 1
    return None if i == limit < len(text) else i


def _suffix_like(tok: str) -> bool:
    """Could ``tok`` only be the rest of a DOI suffix, never an ordinary next word?"""
    return (
        tok[:1].isalnum()
        and sum(c.isdigit() for c in tok) >= 3
        and any(c.isalpha() for c in tok)
        and "://" not in tok
        and not _HEAD.match(tok)
    )


def _join(text: str, p: int, end: int) -> int:
    """Extend a run cut by a space or line break where the DOI evidently continues."""
    if _PREFIX_ONLY.fullmatch(text, p, end) and (slash := _JOIN_SLASH.match(text, end)):
        after = _run_end(text, slash.end())
        if after is None:
            return end
        end = after  # the suffix may itself be cut at a dot ("/PhysRevLett. 113.091601")
    piece = "".join(text[p:end].split())
    if piece == "10.":
        gap = _JOIN_PREFIX.match(text, end)
    elif piece.endswith("/"):
        gap = _JOIN_SUFFIX.match(text, end)
    elif _CUT_AT_DOT.fullmatch(piece):
        gap = _JOIN_SUFFIX.match(text, end)
        if gap and not _DOT_CONTINUATION.match(text, gap.end()):
            return end
    else:
        return end
    if gap is None or (more := _run_end(text, gap.end())) is None:
        return end
    rest = text[gap.end() : more].rstrip(_TRAIL)
    if piece != "10." and not (_suffix_like(rest) or _ARTICLE_NUMBER.fullmatch(rest)):
        return end
    return more


class _Prose:
    """Brackets, quotes and emphasis left open in the running text, carried forward through it."""

    def __init__(self, text: str) -> None:
        self.text, self.pos = text, 0
        self.open = {")": 0, "]": 0, "}": 0, '"': 0}
        self.emphasis = {"*": 0, "_": 0, "~": 0}

    def advance(self, upto: int) -> None:
        t, a = self.text, max(self.pos, upto - 2000)  # older openers do not matter
        brk = max(t.rfind("\n\n", a, upto), t.rfind("\n\r\n", a, upto))  # paragraph
        if a > self.pos or brk >= 0:
            self.open = {")": 0, "]": 0, "}": 0, '"': 0}
            self.emphasis = {"*": 0, "_": 0, "~": 0}
            a = max(a, brk)
        for m in _PROSE_MARKS.finditer(t, a, upto):
            c = m.group()
            if c == '"':
                self.open['"'] ^= 1
            elif c in "([{":
                self.open[_PAIRS[c]] += 1
            elif self.open[c]:
                self.open[c] -= 1
        for m in _DELIMS.finditer(t, a, upto):
            self._delimiter_run(m.start(), m.end())
        self.pos = max(self.pos, upto)

    def _delimiter_run(self, start: int, end: int) -> None:
        """Read a run of ``*``, ``_`` or ``~`` as CommonMark does, by what flanks it: a run
        before a word opens emphasis, one after a word closes it, one inside a word
        (``snake_case``) does neither."""
        t = self.text
        c, n = t[start], end - start
        if t[start:end].strip(c):
            return
        before = t[start - 1] if start else " "
        after = t[end] if end < len(t) else " "
        opens = not after.isspace() and not before.isalnum()
        closes = not before.isspace() and not after.isalnum()
        if closes and self.emphasis[c]:
            self.emphasis[c] = max(self.emphasis[c] - n, 0)
        elif opens:
            self.emphasis[c] += n


def _junk_len(text: str, head: re.Match, e: int, prose: _Prose) -> int:
    """How much of what follows the DOI at ``e`` is junk (see the module docstring)."""
    start, form = head.start(), head.lastgroup
    if head.group()[-1] in '{"':  # bibtex or attribute value: doi = {...}, doi="..."
        opener, link = head.group()[-1], True
    else:
        before, opener = text[max(start - 2, 0) : start].rjust(2)
        link = (
            opener in "<{"
            or (opener == "(" and (form == "url" or before == "]"))
            or (opener in "'\"" and before == "=")
        )
    if link:
        closer = _PAIRS.get(opener, opener)
        for k in range(e, min(len(text), e + 100)):
            if text[k] == closer:
                return k - e
            if text[k].isspace():
                break
    tail = m.group() if (m := _TAIL.match(text, e)) else ""
    if link:
        return len(tail)
    avail = dict(prose.open)
    k = start
    while k > max(start - 8, 0) and text[k - 1] in "*_'~`([{<\"":  # emphasis wrapping the mention
        avail[text[k - 1]] = avail.get(text[k - 1], 0) + (text[k - 1] in "*_'~`")
        k -= 1
    for c in "*_~":  # emphasis opened further back in the paragraph
        if c in tail and prose.emphasis[c] > avail.get(c, 0):
            avail[c] = prose.emphasis[c]
    i, after_closer = len(tail), True
    while i:
        c = tail[i - 1]
        if avail.get(c, 0) > 0:
            avail[c] -= 1
            after_closer = True
        elif after_closer and c in _SENTENCE:
            after_closer = False
        else:
            break
        i -= 1
    return i


def _clean(written: str) -> str:
    """Drop whitespace and invisible characters; Unicode dashes become ``-``."""
    return _INVISIBLE.sub("", "".join(written.split())).translate(_DASH_TO_HYPHEN)


def _mention(text: str, head: re.Match, prose: _Prose) -> tuple[DoiMention | None, int]:
    """The mention starting at ``head`` (or None) and where scanning resumes."""
    form = head.lastgroup
    start = head.start()
    p = start if form == "bare" else head.end()
    if form != "bare" and not _START.match(text, p):
        return None, head.end()
    end = _run_end(text, p)
    if end is None:
        return None, p + _MAX_LEN
    end = e = _join(text, p, end)
    query = False  # a URL's query, fragment or page view follows the DOI: the URL goes on
    if form == "url" or (
        (QUERY_STOP.search(text, p, end) or page_start(text, p, end) is not None) and in_url(text, start)
    ):  # (the cheap tests first: most DOIs have no query and no page view)
        cut = url_doi_end(text, p, end)
        if form == "bare" and (page := page_start(text, p, cut)) is not None:
            cut = page  # a publisher's page for the DOI, not a part of it
        query, end, e = cut < end, cut, cut
    while e > p and text[e - 1] in _TRAIL and text[p:e] != "10.":
        e -= 1
    written = text[p:e]
    if "\\" in written:  # Markdown's escapes (\( \_ \)) show as the bare character: no damage
        written = _MARKDOWN_ESCAPE.sub(r"\1", written)
    doi: str | None = _clean(written)
    problems = {"malformed"} if doi != written else set()
    if _PERCENT.search(doi):
        decoded = unquote(doi)
        doi = _clean(decoded)
        # in a URL escapes are how a DOI is written; in a DOI name they are damage, and
        # they never hide a space
        if doi != decoded or not (form == "url" or in_url(text, start)):
            problems.add("malformed")
    if _SOUND.fullmatch(doi):
        pass  # sound, or repaired by the cleaning above
    elif form != "bare" and _NO_PREFIX.fullmatch(doi):
        doi = "10." + doi
        problems.add("missing-prefix")
    elif form != "bare" and _TRUNCATED.fullmatch(doi):
        doi = None
        problems.add("truncated")
    else:
        return None, end
    junk_end = e if query else e + _junk_len(text, head, e, prose)
    if junk_end > e:
        problems.add("trailing-junk")
    url_prefix = head.group() if form == "url" else None
    if url_prefix and url_prefix.lower() != CANONICAL_URL:
        problems.add("noncanonical")
    return DoiMention(
        start=start,
        end=junk_end,
        doi_start=p,
        doi_end=junk_end,
        raw=text[p:junk_end],
        form=form,
        doi=doi,
        problems=tuple(x for x in PROBLEMS if x in problems),
        junk_start=e,
        url_prefix=url_prefix,
    ), junk_end


def invisible_repair(written: str, doi: str) -> bool:
    """Does normalising ``written`` into ``doi`` change only what a reader cannot see?

    Spaces and line breaks where a DOI was cut (only joined where the join is unambiguous),
    zero-width characters, hyphens drawn exactly as ``-`` and escapes of such characters
    qualify: such a fix is safe offline. Decoding a visible escape, or a dash that may be a
    page range glued to the DOI (``.1001373–1104``), changes what the text says: unsafe
    unless the registry confirms the result.
    """

    def drop_invisible_escape(m: re.Match) -> str:
        return "" if not _clean(unquote(m.group())) else m.group()

    written = re.sub(r"(?:%[0-9A-Fa-f]{2})+", drop_invisible_escape, written)
    return _INVISIBLE.sub("", "".join(written.split())).translate(_LOOKALIKE_HYPHENS) == doi


def junk_removal_joins(text: str, doi_start: int, junk_start: int, junk_end: int) -> bool:
    """Would removing ``text[junk_start:junk_end]`` glue what follows onto the DOI?

    ``10.1/x).next`` without its ``)`` reads ``10.1/x.next``: another DOI. HTML tags
    after the junk are skipped, as a reader does not see them (``10.1/x).<b>next``).
    """
    doi = text[doi_start:junk_start].split()
    after = _HTML_TAG.sub("", text[junk_end : junk_end + _MAX_LEN])
    last = doi[-1] if doi else ""
    joined = last + after
    end = _run_end(joined, 0)
    if end is None:
        return True
    while end > len(last) and joined[end - 1] in _TRAIL:
        end -= 1
    return end > len(last)


def find_dois(text: str) -> list[DoiMention]:
    """Every DOI mention in ``text``, in order, with its damage diagnosed."""
    found: list[DoiMention] = []
    prose, pos = _Prose(text), 0
    while head := _HEAD.search(text, pos):
        prose.advance(head.start())
        mention, pos = _mention(text, head, prose)
        if mention:
            found.append(mention)
            prose.pos = mention.end  # brackets inside the DOI are not prose
    return found


def normalise(raw: str) -> str | None:
    """The clean DOI in a string known to hold one (a field value, a mention's raw).

    Because the string is known to be a DOI, a bare ``1179/x`` counts as missing its
    ``10.`` here. None when no DOI can be derived (e.g. truncated).
    """
    s = raw.strip()
    if not (head := _HEAD.match(s)) or head.lastgroup == "bare":
        s = "doi:" + s
    found = find_dois(s)
    return found[0].doi if found and found[0].start == 0 else None


def is_valid(doi: str) -> bool:
    """True for a complete DOI with nothing to repair: what a sound mention reports."""
    found = find_dois("doi:" + doi)
    return len(found) == 1 and not found[0].problems and found[0].doi == doi and found[0].end == len(doi) + 4


_URL_ESCAPES = {"%": "%25", '"': "%22", "#": "%23", " ": "%20", "?": "%3F"}


def canonical(doi: str, style: str = CANONICAL_URL) -> str:
    """The form RL105 rewrites to: ``style`` + DOI, with the escapes the DOI Handbook
    makes mandatory in URLs (``%"# ?``) when ``style`` is a URL."""
    if "://" in style:
        doi = "".join(_URL_ESCAPES.get(c, c) for c in doi)
    return style + doi
