"""Normalise references to BibTeX entries a LaTeX or pandoc writer would keep.

Keys follow Better BibTeX (``reflint.citekeys``); values are LaTeX-encoded with capitals
protected and names in BibTeX's ``Last, Jr., F. M.`` form (``reflint.texencode``). A reference
that could not be parsed becomes ``@misc`` with its text as ``note``: reflint never invents
an ``@article`` it cannot fill. A DOI is written only when it is complete and clean, so the
library passes ``reflint check`` itself.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Callable

import bibtexparser
from bibtexparser.middlewares.parsestack import default_unparse_stack
from bibtexparser.model import Entry, Field

from reflint import texencode
from reflint.citekeys import assign_keys, citekey  # noqa: F401 - the public names of key assignment
from reflint.crossref import INVALID, VALID
from reflint.doi import is_valid, normalise
from reflint.lock import pmid_fields, status_fields, unregistered_fields
from reflint.match import record_fields
from reflint.models import Fields, Reference

if TYPE_CHECKING:
    from reflint.resolve import DoiStatus
    from reflint.pubmed import PubmedStatus

_FORMAT = bibtexparser.BibtexFormat()
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"
_CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}
_ET_AL = re.compile(r"\bet\.?\s*al\b|\band\s+others\b", re.I)


def tex(text: str | None) -> str | None:
    """Plain text as a BibTeX value (LaTeX specials escaped, non-ASCII as LaTeX commands)."""
    return texencode.encode(text) if text else text


def parsed(ref: Reference) -> bool:
    """Enough was understood to describe a work: a title, and an author or a year."""
    f = ref.fields
    return bool(f.title and (f.authors or f.year))


def clean_doi(doi: str | None) -> str | None:
    """The DOI as a ``doi`` field holds it: complete and bare, or nothing at all."""
    if not doi:
        return None
    doi = doi if is_valid(doi) else normalise(doi)
    return doi if doi and is_valid(doi) else None


def _verbatim(value: str | None) -> str | None:
    """``url``/``doi`` are verbatim for BibTeX styles and pandoc; only braces must not break."""
    return value.replace("{", "%7B").replace("}", "%7D") if value else value


def _cut_short(ref: Reference) -> bool:
    """The source listed only the first authors ("et al.", ``and others``)."""
    head = ref.text
    if ref.fields.title and ref.fields.title[:20] in head:
        head = head[: head.index(ref.fields.title[:20])]
    return bool(_ET_AL.search(head if ref.kind == "list-entry" else ref.text))


def _title(ref: Reference, title: str) -> str:
    """The title with Better BibTeX's protection, and any the source gave: ``{UK}`` in a
    BibTeX entry, or braces copied into a Markdown reference, stay protected."""
    protected = _source_protected(ref)
    if "{" in title and title.count("{") == title.count("}"):
        protected |= texencode.protected_words(title)
        title = " ".join(title.replace("{", "").replace("}", "").split())
    return texencode.title(title, protected)


def _source_protected(ref: Reference) -> frozenset[str]:
    if ref.kind != "bibtex-entry" or "{" not in ref.text:
        return frozenset()
    try:
        entries = bibtexparser.parse_string(ref.text).entries
    except Exception:  # noqa: BLE001 - the entry was read once already; this is a nicety
        return frozenset()
    raw = entries[0].fields_dict.get("title") if entries else None
    return texencode.protected_words(str(raw.value)) if raw else frozenset()


def _record_suffixes(record: dict) -> list[str]:
    """Name suffixes (``Jr.``) of a Crossref record's authors, aligned with record_fields."""
    return [a.get("suffix", "") for a in record.get("author") or [] if a.get("family") or a.get("name")]


def _pages(pages: str | None) -> str | None:
    return re.sub(r"\s*(?:-+|\u2013|\u2014)\s*", "--", pages) if pages else None


def to_entry(ref: Reference, verified: DoiStatus | None = None, pmid_status: PubmedStatus | None = None) -> Entry:
    """The entry for ``ref``; a verified DOI's registry metadata wins over parsed fields,
    and a DOI the registries call not registered (``check``'s RL201) is not written; nor
    is a PMID PubMed does not have (RL207), which the lock keeps as ``reflint-pmid``."""
    key = ref.key or citekey(ref.fields, ref.text)
    pmid = ref.fields.pmid
    pmid_locked = pmid_fields(pmid, pmid_status) if pmid and pmid_status else []
    if pmid_status is not None and pmid_status.verdict == INVALID:
        pmid = None
    unregistered = verified if verified is not None and verified.verdict == INVALID else None
    verified = verified if verified is not None and verified.verdict == VALID else None
    record = verified.record if verified else None
    if not record and not parsed(ref):
        given = ref.fields
        notes = [
            ("note", tex(" ".join(ref.text.split()))),
            ("doi", None if unregistered else clean_doi(given.doi)),
            ("pmid", pmid),
            ("url", _verbatim(given.url)),
            *pmid_locked,
        ]
        return Entry("misc", key, [Field(k, v) for k, v in notes if v])
    f: Fields = record_fields(record) if record else ref.fields
    doi = clean_doi(f.doi)
    suffixes = _record_suffixes(record) if record else None
    kind = f.type or "misc"
    if kind == "article" and not f.container:
        kind = "misc"
    values = [
        (
            "author",
            texencode.names(
                f.authors if record else texencode.mend(f.authors), suffixes, others=not record and _cut_short(ref)
            ),
        ),
        ("title", _title(ref, f.title) if f.title else None),
        (_CONTAINER_FIELD.get(kind, "howpublished" if kind == "misc" else "publisher"), tex(f.container)),
        ("year", f.year),
        ("volume", tex(f.volume)),
        ("number", tex(f.issue)),
        ("pages", tex(_pages(f.pages))),
        ("doi", None if unregistered else doi),
        ("pmid", pmid),  # the cited PMID: a registry record has none
        ("url", _verbatim(f.url)),
        *(status_fields(verified) if verified else []),
        *(unregistered_fields(doi, unregistered) if unregistered and doi else []),
        *pmid_locked,
    ]
    return Entry(kind, key, [Field(k, v) for k, v in values if v])


def to_bibtex(
    references: list[Reference],
    verified: Callable[[Reference], DoiStatus | None] = lambda ref: None,
    pmid_status: Callable[[Reference], PubmedStatus | None] = lambda ref: None,
) -> str:
    """The entries of ``references``, each work once (the same key is the same work); the
    callables give the registries' answers for a reference's DOI and PMID, for the lock."""
    library, seen = bibtexparser.Library(), set()
    for ref in references:
        key = ref.key or citekey(ref.fields, ref.text)
        if key in seen:
            continue
        seen.add(key)
        library.add(to_entry(ref, verified(ref), pmid_status(ref)))
    # the library is ours alone, so the writer may edit it in place instead of deep-copying
    # every entry first (which was most of the time ``reflint refs`` spent writing BibTeX)
    return bibtexparser.write_string(
        library, unparse_stack=default_unparse_stack(allow_inplace_modification=True), bibtex_format=_FORMAT
    )


def record_bibtex(record: dict) -> str:
    """A ready BibTeX entry for a registry record, for writers adding a missing reference."""
    fields = record_fields(record)
    return to_bibtex([Reference(0, 0, "", "list-entry", fields, key=citekey(fields))]).strip()


def same_structure(before: str, after: str) -> bool:
    """Would a fixed .bib still hold the same entries and no new broken blocks? A guard so
    that no fix, however wrong, can cost a user a bibliography entry."""
    old, new = bibtexparser.parse_string(before), bibtexparser.parse_string(after)
    return [e.key for e in old.entries] == [e.key for e in new.entries] and len(new.failed_blocks) <= len(
        old.failed_blocks
    )
