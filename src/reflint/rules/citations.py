"""RL4xx: citations that lead nowhere (Recite-style cross-checks, Wikipedia's "citation needed").

Offline and precision first: every heuristic below errs towards silence. Prose is read from
``doc.plain`` with code, comments and front matter blanked (``reflint.extract``'s mask), in
blank-line separated blocks; blocks that overlap a reference entry are never prose.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache
from itertools import takewhile

from reflint.extract import mask
from reflint.markdown import structure
from reflint.models import Citation, Reference
from reflint.bibtex import record_bibtex
from reflint.rules.base import Context, Rule
from reflint.text import blank, fold

_PARTICLES = set("van von de der den del della da di du dos das la las los le ten ter st y e al el bin ibn"
                 .split())
_YEAR = re.compile(r"(?<!\d)((?:1[6-9]|20)\d\d)(?!\d)")
_A_HREF = re.compile(r"<a\s[^<>]*href", re.I)
_A_CLOSE = re.compile(r"</a\b", re.I)
_LIST_HEAD = re.compile(r"(?im)^[ \t]*(?:#{1,6}[ \t]*|<h[1-6][^<>]*>[ \t]*)?[*_<]*[ \t]*"
                        r"((?:further|additional|recommended)[ \t]+reading|reading[ \t]+list|bibliography"
                        r"|references?|works[ \t]+cited|sources|literature)\b")
_BLOCK_SEP = re.compile(r"\n[ \t\r]*\n\s*")
_MARKER = re.compile(r"[ \t]*(?:[-*+•‣◦▪●]|(?:\d{1,3}|1[0-8]\d\d)[.)])[ \t]+")


def _words(name: str) -> frozenset[str]:
    return frozenset(w for w in fold(name).split() if w not in _PARTICLES)


def _same_name(cited: str, family: str) -> bool:
    """``Gattie`` ~ ``GATTIE``, ``Fernández-de-las-Peñas`` ~ ``Fernandez de las Penas``,
    ``Singh Chawla`` ~ ``Chawla``."""
    a, b = _words(cited), _words(family)
    return bool(a and b) and (a <= b or b <= a)


@lru_cache(maxsize=4096)
def _ref_facts(text: str, year: str | None) -> tuple[frozenset, str]:
    """Every year in the entry (parsers miss some) and its folded opening."""
    years = frozenset(_YEAR.findall(text)) | ({year[:4]} if year else frozenset())
    return years, " ".join(fold(text[:200]).split()) + " "


def _by_year(items, years) -> dict[str, list]:
    index: dict[str, list] = {}
    for item in items:
        for year in years(item):
            index.setdefault(year, []).append(item)
    return index


def _ref_years(ref: Reference) -> frozenset:
    return _ref_facts(ref.text, ref.fields.year)[0]


def _matches(c: Citation, ref: Reference) -> bool:
    """First author (any of the cited names, to tolerate odd parses) and year (2017a ~ 2017)."""
    first = ref.fields.authors[0].family if ref.fields.authors else ""
    years, head = _ref_facts(ref.text, ref.fields.year)
    if not c.year or c.year[:4] not in years:
        return False
    for name in c.authors:
        folded = " ".join(fold(name).split())
        if _same_name(name, first) or (folded and head.startswith(folded + " ")):
            return True
        if name.isupper() and 1 < len(name) < 7 and re.search(rf"\b{re.escape(name)}\b", ref.text[:200]):
            return True  # (WHO 2020) ~ "World Health Organization (WHO). ..."
    return False


# Quarto cross-references share the @ syntax: @fig-growth, @tbl-doses, @sec-methods, @eq-model.
_QUARTO_REF = re.compile(r"(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem)-", re.I)
# A narrative @key counts only when it looks like one (an author and a year): not @param, @v0.
_CITEKEY = re.compile(r"[^\W\d_][\w:.-]*(?:19|20)\d\d[\w:.-]*")


def _personal(c: Citation) -> bool:
    """Unmistakably people: ``Smith et al.``, ``Smith and Jones``; not ``Stata``, ``GBD``, ``FMNH PR``."""
    return (bool(re.search(r"\bet\s+al\b", c.text)) or len(c.authors) > 1) and all(
        not n.isupper() and not any(ch.isdigit() for ch in n) for n in c.authors)


def _pseudo(c: Citation) -> bool:
    """``(RCT, 2021)``, ``(Cochrane Review 2019)``: a study type where an author should be (RL403's)."""
    return any(re.fullmatch(_STUDY, w, re.I) for name in c.authors for w in name.split())


def _key_match(key: str, ref: Reference) -> bool:
    k = key.lower()
    if ref.key and (ref.key.lower() == k or ref.key.lower().startswith(k)):
        return True
    m = re.fullmatch(r"([^\W\d_]+)[_:-]?((?:19|20)\d\d)[a-z]?.*", k)
    return bool(m and ref.fields.authors and ref.fields.year == m.group(2)
                and fold(ref.fields.authors[0].family).replace(" ", "") == m.group(1))


def _numbering(ctx: Context) -> dict[int, Reference] | None:
    """Number -> entry when the list is numbered (``1.``/``[1]`` labels, or an HTML ``<ol>``)."""
    refs = ctx.extraction.references
    labels = {int(r.label): r for r in refs if r.label and r.label.isdigit()}
    if labels or not refs or ctx.doc.kind != "html":
        return labels or None
    text = ctx.doc.text.lower()
    ol = text.rfind("<ol", 0, refs[0].start)
    items = text.count("<li", ol, refs[-1].end)  # every item was understood: positions are numbers
    return {i + 1: r for i, r in enumerate(refs)} if ol > text.rfind("<ul", 0, refs[0].start) \
        and items == len(refs) else None


def _form(c: Citation) -> str:
    """How a numeric citation is written: ``[`` brackets, ``(`` parentheses, ``^`` superscript."""
    return c.text[0] if c.text[0] in "[(" else "^"


def _numeric_style(citations: list[Citation], numbered: dict[int, Reference] | None) -> str | None:
    """The form the document cites its numbered list in: the one whose groups fit the list most."""
    fits: dict[str, int] = {}
    for c in citations:
        if c.style == "numeric" and numbered and all(n in numbered for n in c.numbers):
            fits[_form(c)] = fits.get(_form(c), 0) + 1
    if not fits:  # nothing fits: a short list cited past its end, "[1-3]" beside two entries
        for c in citations:
            if c.style == "numeric" and numbered and _cites_list(c, len(numbered)):
                fits[_form(c)] = fits.get(_form(c), 0) + 1
    if fits.get("[", 0) >= 3:
        return "["  # equation numbers "(12)" outnumber citations in mathematical papers
    return max(fits, key=lambda f: (fits[f], f == "[")) if fits else None


def _cites_list(c: Citation, size: int) -> bool:
    """A bracket group is a citation only where its numbers fit the list: ``[0, 1]``,
    ``[1, 0, 0]`` or ``[5, 80]`` beside a 53-entry list are intervals and vectors."""
    slack = max(3, size // 10)
    missing = [n for n in c.numbers if n > size]
    if 0 in c.numbers or any(n > size + slack for n in missing):
        return False
    return not missing or len(c.numbers) == 1 or "," not in c.text  # "[12]", "[10–12]"


def _linked(doc, start: int, end: int) -> bool:
    """The citation is the text of a hyperlink: the link is its reference."""
    text = doc.text
    if doc.kind == "html":
        opens = list(_A_HREF.finditer(text, max(0, start - 2000), start))
        return bool(opens) and not _A_CLOSE.search(text, opens[-1].end(), start)
    bracket = text.rfind("[", text.rfind("\n", max(0, start - 300), start) + 1, start)
    close = text.find("]", end, end + 300)
    return bracket >= 0 and "]" not in text[bracket:start] and close >= 0 and text.startswith("(", close + 1)


def _line_heads(doc) -> dict[str, list[tuple[str, int, int]]]:
    """Reference-like lines anywhere (entries the extractor missed), keyed by first folded word."""
    heads: dict[str, list[tuple[str, int, int]]] = {}
    pos = 0
    for line in doc.plain.split("\n"):
        m = _MARKER.match(line)
        folded = " ".join(fold(line[m.end() if m else 0:][:300]).split())
        if folded:
            heads.setdefault(folded.split()[0], []).append((folded + " ", pos, pos + len(line)))
        pos += len(line) + 1
    return heads


def _listed(doc, heads, cited: list[int], c: Citation) -> bool:
    """A line without citations that starts with the cited name and holds the year: an entry the
    list finder missed, ``Schachner, E.R., ... 2009.``"""
    name = " ".join(fold(c.authors[0]).split()) if c.authors else ""
    for folded, s, e in heads.get(name.split()[0] if name else "", []):
        a, b = doc.to_source(s, e)
        i = bisect_left(cited, a)
        if folded.startswith(name + " ") and c.year[:4] in folded and not (i < len(cited) and cited[i] < b):
            return True
    return False


def _suggestion(ctx: Context, c) -> dict:
    """The validated registry match for a citation with no reference, ready to paste."""
    found = ctx.resolution.citation(c) if ctx.resolution else None
    if not (found and found.match):
        return {}
    return {"suggested_doi": found.match.doi, "bibtex": record_bibtex(found.match.record)}


def citation_without_reference(ctx: Context):
    """An in-text citation that matches no entry of the document's reference list.

    Author-year citations match on the first author's family name (accents, case,
    particles and hyphens ignored; ``et al.`` aware) and the year (``2017a`` matches a
    2017 entry); numeric citations on the list's numbers
    (only bracket groups that fit the list: ``[0, 1]`` is an interval); Pandoc ``[@key]`` on
    citekeys, checked against the bibliography files the front matter names
    (``bibliography: refs.bib``) when there are any. In a document that cites by number, an
    author-year form is at most a warning (``(GBD 2010)`` is a study, not an author).
    A document with no reference list at all still gets one diagnostic per author-year
    citation: the reader cannot find the work. Citations that are links are never reported.

    Bad:

        Needling eased pain for a few weeks (Gattie et al. 2017).

        ## References

        1. Cotchett MP, Munteanu SE, Landorf KB. Effectiveness of trigger point dry needling ... 2014.

    Good:

        Needling eased pain for a few weeks (Gattie et al. 2017).

        ## References

        1. Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling ... 2017.
    """
    doc, x = ctx.doc, ctx.extraction
    numbered, heads, seen = _numbering(ctx), None, {}
    style = _numeric_style(x.citations, numbered)
    refs = _by_year(x.references, _ref_years)
    bib = re.match(r"---[ \t]*\r?\n(?:.*\n){0,60}?bibliography:", doc.text) is not None
    for c in x.citations:
        if _linked(doc, c.start, c.end) or _pseudo(c):
            continue
        if c.style == "author-year" and style and not _personal(c):
            continue  # "(Stata 2009)", "(GBD 2010)" in a numbered document: software, data, studies
        if c.style == "author-year":
            work = (" ".join(fold(c.authors[0]).split()), c.year)
            if work in seen:
                seen[work].data["occurrences"] += 1
                continue
            if any(_matches(c, r) for r in refs.get((c.year or "")[:4], ())):
                continue
            heads = heads or (_line_heads(doc), sorted(d.start for d in x.citations))
            if _listed(doc, *heads, c):
                continue
            why = "matches no entry of the reference list" if x.references else \
                "has no reference: the document has no reference list"
            seen[work] = RL401.diagnostic(ctx, c.start, c.end, f"Citation `{c.text}` {why}",
                                          {"authors": c.authors, "year": c.year, "occurrences": 1,
                                           **_suggestion(ctx, c)})
            if style:  # the document cites by number: an author-year form is a hint, not a failure
                seen[work].severity = "warning"
        elif c.style == "numeric" and numbered and _form(c) == style != "(" and _cites_list(c, len(numbered)):
            missing = [n for n in c.numbers if n not in numbered]
            if missing:
                yield RL401.diagnostic(ctx, c.start, c.end, f"Citation `{c.text}`: the reference list has no entry "
                                       f"{', '.join(map(str, missing))}", {"numbers": missing})
        elif c.style == "pandoc" and x.bibliography and x.bibliography.readable:
            files = ", ".join(sorted(set(x.bibliography.keys.values()))) or "the bibliography"
            missing = [k for k in c.keys if k not in x.bibliography.keys and not _QUARTO_REF.match(k)
                       and (c.text.startswith("[") or _CITEKEY.fullmatch(k))
                       and not any(_key_match(k, r) for r in x.references)]
            if missing:
                yield RL401.diagnostic(ctx, c.start, c.end, f"Citation `{c.text}`: no entry with key "
                                       f"{', '.join(missing)} in {files}", {"keys": missing})
        elif c.style == "pandoc" and x.references and c.text.startswith("[") and not bib:
            missing = [k for k in c.keys if not any(_key_match(k, r) for r in x.references)]
            if missing:
                yield RL401.diagnostic(ctx, c.start, c.end, f"Citation `{c.text}`: no reference with key "
                                       f"{', '.join(missing)}", {"keys": missing})
    yield from seen.values()  # one per cited work, at its first occurrence


def reference_not_cited(ctx: Context):
    """A reference entry that no in-text citation points to.

    Only in documents that cite in-text (author-year, numbered or ``[@key]``): a page
    that ends with a plain list of sources, or a BibTeX library, is left alone, and so
    are entries under a "Further reading" or "Bibliography" heading. An entry counts as
    cited when a citation matches it, a DOI link in the text names it, or the prose
    mentions its first author by name. Ranges count whole, however written: ``[2–4]``,
    ``[2]–[4]``, ``(2–4)``, ``<sup>2-4</sup>``. A Pandoc/Quarto page that owns its bibliography
    (the file sits in the page's folder and no other page lives there) gets one diagnostic per
    entry it never cites, unless ``nocite`` lists it. Cite the entry where it supports a claim,
    or drop it.

    Bad:

        Needling eased pain for a few weeks (Gattie et al. 2017).

        ## References

        - Gattie E, Cleland JA, Snodgrass S. The effectiveness of ... 2017.
        - Zhou K, Ma Y, Brogan MS. Dry needling versus acupuncture: the ongoing debate. 2015.

    Good:

        Needling eased pain for a few weeks (Gattie et al. 2017); whether it is acupuncture
        by another name is still argued (Zhou et al. 2015).

        ## References

        - Gattie E, Cleland JA, Snodgrass S. The effectiveness of ... 2017.
        - Zhou K, Ma Y, Brogan MS. Dry needling versus acupuncture: the ongoing debate. 2015.
    """
    doc, x = ctx.doc, ctx.extraction
    yield from _uncited_bibliography(ctx)
    if doc.kind == "bibtex" or not x.references:
        return
    author_year = [c for c in x.citations if c.style == "author-year"]
    numbered = _numbering(ctx) or {}
    numbers = {id(r): n for n, r in numbered.items()}
    cited_numbers = {n for c in x.citations if c.style == "numeric" for n in c.numbers}
    keys = [k for c in x.citations if c.style == "pandoc" and c.text.startswith("[") for k in c.keys]
    if not (author_year or keys or (numbered and cited_numbers)):
        return
    spans = [(r.start, r.end) for r in x.references] + [(c.start, c.end) for c in x.citations]
    prose = blank(doc.text, spans)
    named = {w for m in re.finditer(r"\b[A-ZÀ-Þ][\w'’-]+", prose) for w in fold(m.group()).split()}
    starts = [r.start for r in x.references]
    linked = {m.doi.lower() for m in x.dois
              if m.doi and not ((i := bisect_left(starts, m.start + 1) - 1) >= 0 and m.start < x.references[i].end)}
    distinct = {(tuple(c.authors), c.year): c for c in author_year}
    cites = _by_year(distinct.values(), lambda c: [(c.year or "")[:4]])
    heads = [(m.start(), m.group(1).lower()) for m in _LIST_HEAD.finditer(doc.text)]
    for ref in x.references:
        f = ref.fields
        i = bisect_left(heads, (ref.start, "")) - 1
        if not (f.authors or f.year) or (i >= 0 and re.search(r"reading|bibliograph", heads[i][1])):
            continue
        if not (author_year or keys or id(ref) in numbers):
            continue  # no citation family in use can point at this entry
        if (any(_matches(c, ref) for y in _ref_years(ref) for c in cites.get(y, ()))
                or numbers.get(id(ref)) in cited_numbers
                or any(_key_match(k, ref) for k in keys) or (f.doi and f.doi.lower() in linked)
                or (f.authors and _words(f.authors[0].family) and _words(f.authors[0].family) <= named)):
            continue
        who = " ".join(filter(None, [f.authors[0].family if f.authors else ref.text[:40], f.year]))
        yield RL402.diagnostic(ctx, ref.start, ref.end, f"Reference `{who}` is never cited in the text",
                               {"key": ref.key})


def _uncited_bibliography(ctx: Context):
    """Entries of a bibliography only this page uses (a Quarto post's own ``index.bib``) that
    the page never cites, reported at the front matter's ``bibliography:`` line."""
    bib = ctx.extraction.bibliography
    if not (bib and bib.readable and bib.owned) or "*" in bib.nocite:
        return
    cited = {k for c in ctx.extraction.citations if c.style == "pandoc" for k in c.keys} | bib.nocite
    for key, name in bib.keys.items():
        if key not in cited:
            yield RL402.diagnostic(ctx, *bib.span, f"Entry `{key}` of {name} is never cited in the text",
                                   {"key": key, "bibliography": name})


# --- prose: blocks, sentences, vague parentheticals ---------------------------------------------

def _blocks(ctx: Context):
    """(start, end) of each prose block in the masked plain text, with the masked text."""
    doc = ctx.doc
    _, text = mask(doc.plain, doc.kind)
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


_STUDY = (r"(?:reviews?|meta-?analys[ie]s|trials?|rcts?|stud(?:y|ies)|research|guidelines?|reports?|surveys?"
          r"|papers?|evidence)")
_VAGUE_PAREN = re.compile(r"(?<![\]\w])\(([^()]{3,80})\)")
_DESIGN = set("""systematic randomised randomized controlled clinical cohort observational case-control
    cross-sectional pilot double-blind placebo-controlled blinded qualitative quantitative narrative umbrella
    scoping crossover prospective retrospective longitudinal literature scientific medical published
    peer-reviewed primary original empirical experimental comparative open-label long-term short-term follow-up
    mixed-methods multicentre multicenter population-based cluster-randomised non-randomised and & or""".split())
_NOT_CITING = set("""peer medication drug code performance annual yearly time free self case market desk own
    home progress incident school white anecdotal low moderate high very weak strong limited good poor
    insufficient quality certainty level grade further more future ongoing pending planned under in of for by
    with on to as from at see about after before during per via than is are was were be not no the this that
    these those our my your their its his her same which who above below earlier later here day week month
    session hour""".split())


def _vague(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """Parentheticals in ``text[s:e]`` that stand where a citation should: ``(safety review)``."""
    found = []
    for m in _VAGUE_PAREN.finditer(text, s, e):
        words = m.group(1).replace(",", " ").split()
        line = text[max(s, m.start() - 200):m.start()].rsplit("\n", 1)[-1]
        if len(words) > 6 or m.start() == s or _MARKER.fullmatch(line) \
                or re.search(r"[;:=<>%/@]", m.group(1)):
            continue
        core = [w for w in words if not _YEAR.fullmatch(w.rstrip("ab"))]
        head, mods = (core[-1], core[:-1]) if core else ("", [])
        if not re.fullmatch(_STUDY, head, re.I) or len(core) >= 3 and all(w[0].isupper() for w in core):
            continue
        parts = [p.lower() for w in mods for p in w.split("-")]
        if (any(p in _NOT_CITING or p.isdigit() for p in parts)
                or any(w.isupper() and len(w) > 1 and w.upper() != "RCT" for w in mods)
                or re.search(r"\b[A-Z]{2,6}s?\s*$", text[max(0, m.start() - 12):m.start()])):
            continue  # a process, a quality grade, a named trial or body, a gloss of "SR"
        topical = [w for w in mods if w.lower() not in _DESIGN | {"a", "an"} and not re.fullmatch(_STUDY, w, re.I)]
        if topical or len(core) < len(words):  # a topic, a source, "recent", or a year
            found.append((m.start(), m.end()))
    return found


_HTML_HEADING = re.compile(r"<h([1-6])\b[^<>]{0,200}>.{0,500}?</h\1\s*>", re.I | re.S)


def _headings(doc) -> list[tuple[int, int]]:
    """Source spans of the document's headings: titles, never prose or citations."""
    if doc.kind == "markdown":
        return structure(doc.text).headings
    if doc.kind == "html":
        return [m.span() for m in _HTML_HEADING.finditer(doc.text)]
    return []


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    i = bisect_left(spans, (start + 1, 0)) - 1
    return i >= 0 and spans[i][0] <= start and end <= spans[i][1]


def vague_citation(ctx: Context):
    """A parenthetical that stands where a citation should but names no findable work.

    ``(trigger-point review)``, ``(a 2019 meta-analysis)``, ``(recent RCT)``: a short
    descriptive phrase whose head is a study-type noun, with a topic, source or year but
    no author. The reader cannot find the work. Ordinary parentheses, abbreviations
    (``(RCTs)``), study-design glosses (``(systematic review)``) and certainty grades
    (``(low-quality evidence)``) are left alone. Replace the phrase with a real citation.

    Bad:

        Needling eased heel pain for about a month (plantar heel pain review).

    Good:

        Needling eased heel pain for about a month (Cotchett et al. 2014).
    """
    text, blocks = _blocks(ctx)
    cited = sorted((c.start, c.end) for c in ctx.extraction.citations if not _pseudo(c))
    headings = _headings(ctx.doc)
    for s, e in blocks:
        for ps, pe in _vague(text, s, e):
            a, b = ctx.doc.to_source(ps, pe)
            i = bisect_left(cited, (b, 0))
            if (i and cited[i - 1][1] > a) or _linked(ctx.doc, a, b) or _inside(headings, a, b):
                continue
            phrase = " ".join(text[ps:pe].split())
            yield RL403.diagnostic(ctx, a, b, f"Vague citation `{phrase}`: name the work (author and year) "
                                   "and list it in the references", {"text": phrase})


# --- RL404 ---------------------------------------------------------------------------------------

_ADV = (r"(?:also|now|consistently|clearly|repeatedly|conclusively|overwhelmingly|even|already|long|generally"
        r"|increasingly|indeed|firmly|strongly|convincingly|definitively|unequivocally)")
_NOUN = (r"(?:research|stud(?:y|ies)|science|evidence"
         r"|(?:clinical|scientific|research|trial|published|medical)\s+data"
         r"|(?:systematic\s+)?reviews?|meta-?analys[ie]s|trials?|RCTs?|experiments?)")
_GAP = r"(?:\s+(?:on|into|in|from|at|by|of|across|with|involving|including|conducted|published|over|among)\b" \
       r"(?:(?!\b(?:which|who|whom|that|where|when|but|and|or|while|because|as)\b)[^.,;:!?()\n\"“”]){1,60}?)?"
_VERB = (r"(?:(?:has|have)(?:\s+" + _ADV + r"){0,2}\s+(?:been\s+)?(?:shown|proven|proved|confirmed|demonstrated|"
         r"established|concluded|found|revealed|suggested|indicated|documented)|shows?|showed|proves?|proved|"
         r"confirms?|confirmed|demonstrates?|demonstrated|finds|found|suggests?|suggested|indicates?|indicated|"
         r"concludes?|concluded|says|say|reveals?|revealed|supports?|is\s+clear|tells\s+us)")
DEFAULT_PHRASES = [
    rf"{_NOUN}{_GAP}(?:\s+{_ADV}){{0,2}}\s+{_VERB}",
    r"it\s+(?:has|had)\s+been\s+(?:(?:scientifically|clinically|medically)\s+)?"
    r"(?:proven|shown|demonstrated|established)",
    r"(?:scientifically|clinically|medically)\s+(?:proven|validated)",
    r"according\s+to\s+(?:the\s+)?(?:(?:latest|recent|new|current|medical|scientific|clinical)\s+)*"
    r"(?:research|studies|science|evidence|data)",
    r"(?:backed|supported|proven)\s+by\s+(?:(?:scientific|clinical|medical|solid|strong|extensive)\s+)*"
    r"(?:research|science|studies|evidence|trials)",
]
_NEG = re.compile(r"\b(?:no|not|never|nor|neither|without|little|few|none|hardly|barely|scarcely|lack\w*|"
                  r"insufficient|any|nothing|cannot|if|whether|unless|until|when)\b|n['’]t\b", re.I)
_REPORTED = re.compile(r"\b(?:claim|say|said|argue|insist|believe|allege|promise|tell|told|advertise|boast|assert|"
                       r"swear|swore)(?:s|d|ed)?\b", re.I)
_QUESTION = re.compile(r"\s*(?:[-*+•]\s+)?[\"“‘(*_]*(?:does|do|did|has|have|is|are|can|could|would|will"
                       r"|what|how|why|which|who)\b", re.I)
_STOP = set("""a an the this that these those such its their his her our my your whose which same one another
    some many most more several numerous all both each every of in on at by for from with to as than and or but
    if""".split())
_OWNED = set("this these those such its their his her our my your whose which same".split())
_SINGULAR = re.compile(r"(?:study|review|trial|meta-?analysis|rct|experiment)\b", re.I)
_SUPPORT = re.compile(r"https?://|www\.|\[\^|<sup|[¹²³⁴⁵⁶⁷⁸⁹⁰]", re.I)
_POINTER = re.compile(r"\bsee\s+(?:the\s+)?(?:references?|sources|bibliography|reference\s+list)\b|"
                      r"\b(?:references?|sources)\s+(?:below|above)\b", re.I)
_BOUNDARY = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s)|\n(?=[ \t]*(?:[-*+•‣◦▪●]|(?:\d{1,3}|1[0-8]\d\d)[.)])[ \t])")
_ABBREV = set("al e.g i.e dr mr mrs ms prof vs fig no approx ca cf st vol pp".split())


@lru_cache(maxsize=32)
def _phrases(custom: tuple[str, ...]) -> list[re.Pattern]:
    out = []
    for phrase in custom or DEFAULT_PHRASES:
        body = phrase if not custom else re.sub(r" +", r"\\s+", phrase)
        try:
            out.append(re.compile(rf"(?<![\w-]){body}(?![\w-])", re.I))
        except re.error:
            out.append(re.compile(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", re.I))
    return out


def _sentences(text: str, s: int, e: int):
    for m in _BOUNDARY.finditer(text, s, e):
        word = re.search(r"([\w.]*)$", text[max(s, m.start() - 12):m.start()]).group(1).lower()
        if m.group().startswith(".") and m.group() == "." and (word in _ABBREV or len(word) == 1):
            continue
        yield s, m.end()
        s = m.end()
    if text[s:e].strip():
        yield s, e


def _claim(text: str, block: int, s: int, e: int, patterns) -> re.Match | None:
    """The first evidence claim in sentence ``text[s:e]`` that is asserted, not asked or denied."""
    sentence = text[s:e].strip()
    if sentence.rstrip("\"”’)*_ ").endswith("?") or _QUESTION.match(sentence):
        return None
    for pattern in patterns:
        for m in pattern.finditer(text, s, e):
            before = text[max(s, m.start() - 300):m.start()]  # bounded: long sentences stay linear
            prev = re.findall(r"[\w'’-]+|[^\w\s]", before)[::-1]
            walk = [w for w in prev[:5] if w.isalnum() or "-" in w or "'" in w or "’" in w]
            det = next((w.lower() for w in prev[:4] if w.lower() in _STOP or not re.match(r"[\w-]", w)), "")
            lead = text[max(block, m.start() - 1000):m.start()]
            quoted = lead.count("“") > lead.count("”") or lead.count('"') % 2
            clause = list(takewhile(lambda w: re.match(r"[\w-]", w), prev[:5]))  # back to the last comma
            if (_NEG.search(" ".join(clause[::-1]) + " " + m.group()) or _REPORTED.search(before) or quoted
                    or _object_of_preposition(clause) or _own_result(m.group(), walk)
                    or re.match(_NOUN, m.group(), re.I) and (  # whose research? which study?
                        any(re.search(r"['’]s$", w) for w in walk[:3]) or det in _OWNED
                        or det in ("the", "that") and _SINGULAR.match(m.group()))
                    or re.search(r"\b(?:online|customer|patient|client|google|user|product)\s*$", before, re.I)):
                continue
            return m
    return None


_PREPOSITION = set("""of in on for from with at by about than to between among across after before during per
    into over under within without through like unlike versus vs""".split())


_QUANTITY = set("""decades years lots plenty body wealth number majority host series couple dozens hundreds
    thousands most many some all several handful range mountain mountains volume volumes weight amount
    growing number pile piles""".split())


def _object_of_preposition(clause: list[str]) -> bool:
    """``... of the last 5 trials in a block``: the noun is no subject, so nothing is claimed.
    ``clause`` holds the words before the match, nearest first, back to the last comma."""
    for i, word in enumerate(clause[:5]):
        if word.lower() == "of" and i + 1 < len(clause) and clause[i + 1].lower() in _QUANTITY:
            return False  # "decades of research", "a growing body of evidence": still the subject
        if word.lower() in _PREPOSITION:
            return True
        if word[:1].isupper() or word.lower() in _STOP - {"of", "in", "on", "at", "by", "for", "from", "with", "to"}:
            return False  # a determiner or the sentence's first word: the noun phrase starts here
    return False


_OTHER_HEAD = re.compile(r"(?m)^[ \t]*(?:#{1,6}[ \t]|<h[1-6])")
_OTHERS = set("previous prior earlier recent other many several numerous published past existing independent "
              "clinical randomised randomized controlled large".split())


def _own_result(claim: str, before: list[str]) -> bool:
    """``Control experiments showed that ...``: a paper reporting its own results in the past
    tense cites nobody; ``previous experiments showed`` and ``trials have shown`` do."""
    return bool(re.match(r"(?:experiments?|trials?|analys[ie]s)\s+(?:(?!ha(?:s|ve|d)\b)\w+\s+)?(?:showed|found|revealed|indicated|"
                         r"demonstrated|confirmed|suggested|proved)\b", claim, re.I)) \
        and not any(w.lower() in _OTHERS for w in before[:3])


_SUMMARY_HEAD = re.compile(r"(?im)^[ \t]*(?:#{1,6}[ \t]*|<h[1-6][^<>]*>[ \t]*)?[*_]*[ \t]*"
                           r"(?:abstract|summary|author[ \t]+summary|synopsis|key[ \t]+points|highlights)"
                           r"\b[^\n]{0,40}$")


def _lead_end(ctx: Context) -> int:
    """Where an article's abstract ends: scholarly abstracts state findings without citing.

    In a document that cites its reference list throughout (five citations or more), the
    blocks before the first citation are its abstract; so is a block under an "Abstract" or
    "Summary" heading (returned as -1 when there is none)."""
    x = ctx.extraction
    cites = [c.start for c in x.citations if c.style in ("numeric", "author-year")]
    return min(cites) if x.has_reference_list and len(cites) >= 5 else -1


def unsupported_claim(ctx: Context):
    """An evidence claim ("research has shown", "studies confirm") with no citation nearby.

    Fires when neither the sentence nor its paragraph holds a citation, a DOI or a link,
    and the paragraph does not point to the reference list ("see references below").
    Questions, negations ("no research has shown"), conditionals, claims reported from
    others ("people claim studies show") and quotations are left alone. The phrases are
    the ``evidence-phrases`` setting (regexes or plain phrases; empty: the built-in list).

    Bad:

        High-quality research has confirmed that dry needling relieves back pain.

    Good:

        Pooled trials suggest short-term pain relief (Gattie et al. 2017).
    """
    doc, x = ctx.doc, ctx.extraction
    patterns = _phrases(tuple(ctx.settings.get("evidence-phrases") or ()))
    text, blocks = _blocks(ctx)
    cited = sorted([(c.start, c.end) for c in x.citations] + [(m.start, m.end) for m in x.dois])
    lead_end, headings = _lead_end(ctx), _headings(doc)
    summaries = [m.end() for m in _SUMMARY_HEAD.finditer(text)]
    for n, (s, e) in enumerate(blocks):
        if doc.to_source(s, e)[1] <= lead_end or (
                (i := bisect_left(summaries, s)) and not _OTHER_HEAD.search(text, summaries[i - 1], s)):
            continue  # an abstract or summary: its findings are cited in the body
        first_line = text[s:e].split("\n")[0].strip()
        if "\n" not in text[s:e].strip() and len(first_line.split()) <= 12 and not _MARKER.match(first_line) \
                and not re.search(r"[.!?:;,…)\]\"”]$", first_line):
            continue  # a heading
        end = blocks[n + 1][1] if text[s:e].rstrip().endswith(":") and n + 1 < len(blocks) else e
        a, b = doc.to_source(s, end)
        i = bisect_left(cited, (b, 0))
        if (i and cited[i - 1][1] > a) or _SUPPORT.search(doc.text, a, b) or _vague(text, s, e) \
                or (x.has_reference_list and _POINTER.search(doc.text, a, b)):
            continue
        for ss, se in _sentences(text, s, e):
            m = _claim(text, s, ss, se, patterns)
            if m and not _inside(headings, *doc.to_source(m.start(), m.end())):
                phrase = " ".join(m.group().split())
                a, b = doc.to_source(m.start(), m.end())
                yield RL404.diagnostic(ctx, a, b, f"Evidence claim `{phrase}` has no citation in its sentence or "
                                       "paragraph", {"phrase": phrase, "sentence": " ".join(text[ss:se].split())})


RL401 = Rule("RL401", "citation-without-reference", "error",
             "in-text citation with no matching reference entry", citation_without_reference)
RL402 = Rule("RL402", "reference-not-cited", "warning",
             "reference entry never cited, in a document that cites in-text", reference_not_cited)
RL403 = Rule("RL403", "vague-citation", "warning",
             "a parenthetical that poses as a citation but names no findable work", vague_citation)
RL404 = Rule("RL404", "unsupported-claim", "warning",
             "an evidence claim with no citation nearby", unsupported_claim)
