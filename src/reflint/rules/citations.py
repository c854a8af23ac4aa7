"""RL401, RL402: citations and reference entries that do not meet (Recite-style cross-checks).

Offline and precision first: every heuristic below errs towards silence. A bracket group is a
citation only where it fits the reference list and the document's citation style; an
author-year form in a document that cites by number is at most a warning.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from functools import lru_cache

from reflint.bibtex import record_bibtex
from reflint.citations import FOOTNOTE_DEFINITION, SMALL_WORDS
from reflint.models import Citation, Reference
from reflint.names import is_corporate
from reflint.rules.base import Context, Rule
from reflint.rules.prose import LIST_MARKER, linked, pseudo
from reflint.text import blank, fold

_PARTICLES = set("van von de der den del della da di du dos das la las los le ten ter st y e al el bin ibn".split())
_YEAR = re.compile(r"(?<!\d)((?:1[6-9]|20)\d\d)(?!\d)")
_LIST_HEAD = re.compile(
    r"(?im)^[ \t]*(?:#{1,6}[ \t]*|<h[1-6][^<>]*>[ \t]*)?[*_<]*[ \t]*"
    r"((?:further|additional|recommended)[ \t]+reading|reading[ \t]+list|bibliography"
    r"|references?|works[ \t]+cited|sources|literature)\b"
)


def _words(name: str) -> frozenset[str]:
    """A name's words without its particles, unless it is nothing else: the surnames Das, Le,
    Du and De are names, not the particles of "Mayoral Del Moral" or "van der Pluijm"."""
    words = fold(name).split()
    return frozenset([w for w in words if w not in _PARTICLES] or words)


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


def _first_authors(ref: Reference) -> list[str]:
    """The family names a citation may lead with: the first author's, and after a group
    among the first three (``STAR Collaboration, J. Adams et al.``, cited "Adams et al."),
    the person named next."""
    authors = ref.fields.authors
    names = [authors[0].family] if authors else [""]
    group = max((i for i, a in enumerate(authors[:3]) if is_corporate(f"{a.given} {a.family}")), default=None)
    if group is not None and group + 1 < len(authors):
        names.append(authors[group + 1].family)
    return names


def _matches(c: Citation, ref: Reference) -> bool:
    """First author (any of the cited names, to tolerate odd parses) and year (2017a ~ 2017)."""
    years, head = _ref_facts(ref.text, ref.fields.year)
    if not c.year or c.year[:4] not in years:
        return False
    firsts = _first_authors(ref)
    for name in c.authors:
        folded = " ".join(fold(name).split())
        if any(_same_name(name, first) for first in firsts) or (folded and head.startswith(folded + " ")):
            return True
        if name.isupper() and 1 < len(name) < 7:
            if re.search(rf"\b{re.escape(name)}\b", ref.text[:200]):
                return True  # (WHO 2020) ~ "World Health Organization (WHO). ..."
            if any(is_corporate(first) and _initials_hold(name, first) for first in firsts):
                return True  # (WHO 2012) ~ "World Health Organization. Guideline ..."
    return False


def _initials_hold(acronym: str, name: str) -> bool:
    """``WHO`` of World Health Organization, ``CDC`` of Centers for Disease Control and
    Prevention, ``FDA`` of US Food and Drug Administration: the letters, in order, among the
    initials of the name's capitalised words."""
    initials = iter(w[0] for w in re.findall(r"[^\W\d_]+", name) if w[0].isupper())
    return all(letter in initials for letter in acronym)


# Quarto cross-references share the @ syntax: @fig-growth, @tbl-doses, @sec-methods, @eq-model.
_QUARTO_REF = re.compile(r"(?:fig|tbl|sec|eq|lst|thm|lem|cor|prp|cnj|def|exm|exr|sol|rem)-", re.I)
# A narrative @key counts only when it looks like one (an author and a year): not @param, @v0.
_CITEKEY = re.compile(r"[^\W\d_][\w:.-]*(?:19|20)\d\d[\w:.-]*")


def _personal(c: Citation) -> bool:
    """Unmistakably people: ``Smith et al.``, ``Smith and Jones``; not ``Stata``, ``GBD``, ``FMNH PR``."""
    return (bool(re.search(r"\bet\s+al\b", c.text)) or len(c.authors) > 1) and all(
        not n.isupper() and not any(ch.isdigit() for ch in n) for n in c.authors
    )


def _key_match(key: str, ref: Reference) -> bool:
    k = key.lower()
    if ref.key and (ref.key.lower() == k or ref.key.lower().startswith(k)):
        return True
    m = re.fullmatch(r"([^\W\d_]+)[_:-]?((?:19|20)\d\d)[a-z]?.*", k)
    return bool(
        m
        and ref.fields.authors
        and ref.fields.year == m.group(2)
        and fold(ref.fields.authors[0].family).replace(" ", "") == m.group(1)
    )


def _numbering(ctx: Context) -> dict[int, Reference] | None:
    """Number -> entry when the list is numbered (``1.``/``[1]`` labels, or an HTML ``<ol>``)."""
    refs = ctx.extraction.references
    labels = {int(r.label): r for r in refs if r.label and r.label.isdigit()}
    if len(labels) == len(refs) or ctx.doc.kind != "html":
        return labels or None
    # an <ol> numbers its items itself; a "[26]" left at the start of one is no label
    text = ctx.doc.text.lower()
    ol = text.rfind("<ol", 0, refs[0].start)
    items = text.count("<li", ol, refs[-1].end)  # every item was understood: positions are numbers
    if ol > text.rfind("<ul", 0, refs[0].start) and items == len(refs):
        return {i + 1: r for i, r in enumerate(refs)}
    return labels or None


def _form(c: Citation) -> str:
    """How a numeric citation is written: ``[`` brackets, ``(`` parentheses, ``^`` superscript
    markup, ``¹`` Unicode superscript digits (which units share: ``m²``)."""
    if c.text[0] in "[(":
        return c.text[0]
    return "¹" if c.text[0] in "¹²³⁴⁵⁶⁷⁸⁹⁰" else "^"


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


def _line_heads(doc) -> dict[str, list[tuple[str, int, int]]]:
    """Reference-like lines anywhere (entries the extractor missed), keyed by first folded word."""
    heads: dict[str, list[tuple[str, int, int]]] = {}
    pos = 0
    for line in doc.plain.split("\n"):
        m = LIST_MARKER.match(line)
        folded = " ".join(fold(line[m.end() if m else 0 :][:300]).split())
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
    citation: the reader cannot find the work. A footnote mark (``[^9]``) with no
    ``[^9]: ...`` definition, in a document that defines footnotes, is one too: GFM and Pandoc
    print it as text. Citations that are links are never reported.

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
    notes = {m.group(1).lower() for m in FOOTNOTE_DEFINITION.finditer(doc.text)}  # GFM: case-blind
    notes_cite = any(c.style == "footnote" and c.keys[0].lower() in notes for c in x.citations)
    refs = _by_year(x.references, _ref_years)
    bib = re.match(r"---[ \t]*\r?\n(?:.*\n){0,60}?bibliography:", doc.text) is not None
    for c in x.citations:
        if linked(ctx, c.start, c.end) or pseudo(c):
            continue
        if c.style == "author-year" and (style or notes_cite) and not _personal(c):
            continue  # "(Stata 2009)", "(GBD 2010)" in a numbered or footnoted document: software, data, studies
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
            why = (
                "matches no entry of the reference list"
                if x.references
                else "has no reference: the document has no reference list"
            )
            seen[work] = RL401.diagnostic(
                ctx,
                c.start,
                c.end,
                f"Citation `{c.text}` {why}",
                {"authors": c.authors, "year": c.year, "occurrences": 1, **_suggestion(ctx, c)},
            )
            if style or notes_cite:  # it cites by number or note: an author-year form is a hint
                seen[work].severity = "warning"
        elif (
            c.style == "numeric" and numbered and _form(c) == style not in ("(", "¹") and _cites_list(c, len(numbered))
        ):
            missing = [n for n in c.numbers if n not in numbered]
            if missing:
                yield RL401.diagnostic(
                    ctx,
                    c.start,
                    c.end,
                    f"Citation `{c.text}`: the reference list has no entry " f"{', '.join(map(str, missing))}",
                    {"numbers": missing},
                )
        elif c.style == "pandoc" and x.bibliography and x.bibliography.readable:
            files = ", ".join(sorted(set(x.bibliography.keys.values()))) or "the bibliography"
            missing = [
                k
                for k in c.keys
                if k not in x.bibliography.keys
                and not _QUARTO_REF.match(k)
                and (c.text.startswith("[") or _CITEKEY.fullmatch(k))
                and not any(_key_match(k, r) for r in x.references)
            ]
            if missing:
                yield RL401.diagnostic(
                    ctx,
                    c.start,
                    c.end,
                    f"Citation `{c.text}`: no entry with key " f"{', '.join(missing)} in {files}",
                    {"keys": missing},
                )
        elif c.style == "pandoc" and x.references and c.text.startswith("[") and not bib:
            missing = [k for k in c.keys if not any(_key_match(k, r) for r in x.references)]
            if missing:
                yield RL401.diagnostic(
                    ctx,
                    c.start,
                    c.end,
                    f"Citation `{c.text}`: no reference with key " f"{', '.join(missing)}",
                    {"keys": missing},
                )
        elif c.style == "footnote" and notes and c.keys[0].lower() not in notes:
            yield RL401.diagnostic(
                ctx,
                c.start,
                c.end,
                f"Footnote mark `{c.text}` has no definition: the page shows it as text",
                {"keys": c.keys},
            )
    yield from seen.values()  # one per cited work, at its first occurrence


def reference_not_cited(ctx: Context):
    """A reference entry that no in-text citation points to.

    Only in documents that cite in-text (author-year, numbered, ``[@key]`` or footnotes): a page
    that ends with a plain list of sources, or a BibTeX library, is left alone, and so
    are entries under a "Further reading" or "Bibliography" heading. An entry counts as
    cited when a citation matches it, a DOI link in the text names it, or the prose
    mentions its first author by name. Ranges count whole, however written: ``[2–4]``,
    ``[2]–[4]``, ``(2–4)``, ``<sup>2-4</sup>``. A Pandoc/Quarto page that owns its bibliography
    (the file sits in the page's folder and no other page lives there) gets one diagnostic per
    entry it never cites, unless ``nocite`` lists it. In HTML a link to the entry's element
    (``<a href="#ref-cori2013">``, a footnote's ``<a href="#fn:1">``) cites it. A footnote
    that reads as a reference (``[^4]: Zhou K, ... 2015.``) and that no ``[^4]`` mark uses is
    one too: GFM and Pandoc leave it off the page. Cite the entry where it supports a claim,
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
    marks = {k.lower() for c in x.citations if c.style == "footnote" for k in c.keys}  # GFM: case-blind
    anchors = {k for c in x.citations if c.style == "anchor" for k in c.keys}  # HTML: <a href="#ref-x">
    if not (author_year or keys or (numbered and cited_numbers) or marks or anchors):
        return
    named: set[str] | None = None  # the words of capitalised words in the prose, when first needed
    attached = {id(m) for r in x.references for m in r.dois}
    linked = {m.doi.lower() for m in x.dois if m.doi and id(m) not in attached}  # DOIs in the prose
    distinct = {(tuple(c.authors), c.year): c for c in author_year}
    cites = _by_year(distinct.values(), lambda c: [(c.year or "")[:4]])
    heads = [(m.start(), m.group(1).lower()) for m in _LIST_HEAD.finditer(doc.text)]
    for ref in x.references:
        f = ref.fields
        i = bisect_left(heads, (ref.start, "")) - 1
        if not (f.authors or f.year) or (i >= 0 and re.search(r"reading|bibliograph", heads[i][1])):
            continue
        if ref.label and ref.label[0] == "^":  # a footnote: cited by its mark, or never shown
            if ref.label[1:].lower() not in marks:
                yield RL402.diagnostic(
                    ctx, ref.start, ref.end, f"Footnote `[{ref.label}]` is never marked in the text", {"key": ref.key}
                )
            continue
        if ref.anchor in anchors:
            continue  # a link in the prose goes to it
        if not (author_year or keys or id(ref) in numbers):
            continue  # no citation family in use can point at this entry
        if (
            any(_matches(c, ref) for y in _ref_years(ref) for c in cites.get(y, ()))
            or numbers.get(id(ref)) in cited_numbers
            or any(_key_match(k, ref) for k in keys)
            or (f.doi and f.doi.lower() in linked)
        ):
            continue
        if f.authors and (family := _words(f.authors[0].family)):
            family = family - SMALL_WORDS or family  # "In G", a Korean surname, is all name
            if named is None:
                spans = [(r.start, r.end) for r in x.references] + [(c.start, c.end) for c in x.citations]
                named = _named(doc.text, spans, entities=doc.kind == "html")
            if family <= named:
                continue  # the prose names the first author: "Smith", "the Centers for Disease Control and Prevention"
        who = " ".join(filter(None, [f.authors[0].family if f.authors else ref.text[:40], f.year]))
        yield RL402.diagnostic(
            ctx, ref.start, ref.end, f"Reference `{who}` is never cited in the text", {"key": ref.key}
        )


_CAPITALISED = re.compile(r"\b[A-ZÀ-Þ][\w'’-]+")


def _named(text: str, spans: list[tuple[int, int]], entities: bool = False) -> set[str]:
    """The folded words of every capitalised word in ``text`` outside ``spans`` (references
    and citations): a name the prose mentions. HTML's ``O&#x27;Gorman`` is read decoded."""
    prose = blank(text, spans)
    if entities:
        prose = html.unescape(prose)
    return {w for word in set(_CAPITALISED.findall(prose)) for w in fold(word).split()}


def _uncited_bibliography(ctx: Context):
    """Entries of a bibliography only this page uses (a Quarto post's own ``index.bib``) that
    the page never cites, reported at the front matter's ``bibliography:`` line."""
    bib = ctx.extraction.bibliography
    if not (bib and bib.readable and bib.owned) or "*" in bib.nocite:
        return
    cited = {k for c in ctx.extraction.citations if c.style == "pandoc" for k in c.keys} | bib.nocite
    for key, name in bib.keys.items():
        if key not in cited:
            yield RL402.diagnostic(
                ctx,
                *bib.span,
                f"Entry `{key}` of {name} is never cited in the text",
                {"key": key, "bibliography": name},
            )


RL401 = Rule(
    "RL401",
    "citation-without-reference",
    "error",
    "in-text citation with no matching reference entry",
    citation_without_reference,
)
RL402 = Rule(
    "RL402",
    "reference-not-cited",
    "warning",
    "reference entry never cited, in a document that cites in-text",
    reference_not_cited,
)
