"""Read ``.bib`` documents: every entry as a reference with its exact span and fields.

Fields are decoded from LaTeX (pylatexenc); malformed blocks become notes with their line,
never exceptions. Writing BibTeX is ``reflint.bibtex``'s job.
"""

from __future__ import annotations

import logging
import re

import bibtexparser
from bibtexparser import model as bib
from reflint.doi import normalise
from reflint.models import Author, Document, Fields, Reference
from reflint.texencode import decode

# bibtexparser logs every malformed block; reflint reports them as notes instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())

_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
_DOI_FIELD = re.compile(r"(?<![\w-])doi\s*=\s*([{\"])", re.I)

_FAILED = {
    bib.DuplicateBlockKeyBlock: "duplicate BibTeX key '{key}' - rename or remove one of the entries",
    bib.DuplicateFieldKeyBlock: "BibTeX entry '{key}' repeats a field - keep only one",
    bib.ParsingFailedBlock: "malformed BibTeX entry (unbalanced braces?) - fix or remove it",
}


def read_entries(doc: Document) -> tuple[list[Reference], list[str]]:
    """Each entry as a reference with its exact span, and a note per broken block."""
    text, references, notes = doc.text, [], []
    try:
        library = bibtexparser.parse_string(text)
    except Exception as exc:  # noqa: BLE001 - a linter reports bad input, it does not crash on it
        return [], [f"could not read BibTeX ({exc}) - check the file's syntax"]
    for block in library.blocks:
        entry = block if isinstance(block, bib.Entry) else getattr(block, "ignore_error_block", None)
        if isinstance(block, bib.ParsingFailedBlock):
            key = getattr(entry, "key", "?")
            message = next(m for cls, m in _FAILED.items() if isinstance(block, cls))
            notes.append(f"line {(block.start_line or 0) + 1}: {message.format(key=key)}")
        if not isinstance(entry, bib.Entry):
            continue
        start, end = _block_span(doc, block)
        raw = " ".join(text[start:end].split())
        references.append(Reference(start, end, raw, "bibtex-entry", _bib_fields(entry), key=entry.key))
    return references, notes


def _block_span(doc: Document, block: bib.Block) -> tuple[int, int]:
    """The block's span in ``doc.text``, from its start line and raw text."""
    starts = doc.line_starts
    base = starts[min(block.start_line or 0, len(starts) - 1)]
    raw = (block.raw or "").rstrip()
    at = doc.text.find(raw, base, base + len(raw) + 1000) if raw else -1
    if at < 0:
        at = base
    return at, min(len(doc.text), at + len(raw))


def _latex(value: str) -> str:
    return decode(value)


def doi_field_spans(doc: Document, references: list[Reference]) -> list[tuple[int, int]]:
    """The value of each entry's ``doi`` field, inside its braces or quotes, as a span of
    ``doc.text``: what a field holds beyond the DOI itself is a defect of its own (RL106)."""
    spans = []
    for ref in references:
        if ref.kind != "bibtex-entry":
            continue
        m = _DOI_FIELD.search(doc.text, ref.start, ref.end)
        if not m:
            continue
        start, depth, quote = m.end(), 1, m.group(1) == '"'
        for i in range(start, ref.end):
            ch = doc.text[i]
            if ch == "{" and doc.text[i - 1] != "\\":
                depth += 1
            elif ch == "}" and doc.text[i - 1] != "\\":
                depth -= 1
                if depth == 0 and not quote:
                    spans.append((start, i))
                    break
            elif ch == '"' and quote and depth == 1:
                spans.append((start, i))
                break
    return spans


def _bib_fields(entry: bib.Entry) -> Fields:
    values = {f.key.lower(): str(f.value).strip() for f in entry.fields}
    get = values.get
    kind = entry.entry_type.lower()
    container = get("journal") or get("journaltitle") or get("booktitle")
    if not container and kind not in ("article", "incollection", "inproceedings"):
        container = get("publisher") or get("howpublished")
    year = get("year") or (m.group() if (m := _YEAR.search(get("date") or "")) else None)
    doi = get("doi")
    doi = (normalise(doi) or doi) if doi else None
    return Fields(
        authors=_bib_authors(get("author") or get("editor") or ""),
        year=year,
        title=_latex(get("title")) if get("title") else None,
        container=_latex(container) if container else None,
        volume=get("volume"),
        issue=get("number") or get("issue"),
        pages=re.sub(r"\s*(?:--|–|—)\s*", "-", get("pages")) if get("pages") else None,
        doi=doi or None,
        pmid=get("pmid"),
        url=get("url"),
        type=kind,
    )


def _bib_authors(value: str) -> list[Author]:
    """``Family, Given and {World Health Organization} and Given von Family``."""
    names, depth, start = [], 0, 0
    for m in re.finditer(r"[{}]|\s+and\s+", value, re.I):
        if m.group() == "{":
            depth += 1
        elif m.group() == "}":
            depth = max(0, depth - 1)
        elif depth == 0:
            names.append(value[start : m.start()])
            start = m.end()
    names.append(value[start:])
    authors = []
    for name in (n.strip() for n in names):
        if not name or name.lower() == "others":
            continue
        if name.startswith("{") and name.endswith("}") and name.count("{") == 1:
            authors.append(Author(_latex(name)))  # a corporate author, kept whole
            continue
        parts = [_latex(p) for p in name.split(",")]
        if len(parts) > 2:  # "Last, Jr., First": the suffix stays with the family name
            authors.append(Author(f"{parts[0]} {parts[1]}".strip(), parts[-1]))
            continue
        if len(parts) > 1:
            authors.append(Author(parts[0], parts[-1]))
            continue
        words = parts[0].split()
        first = next((i for i, w in enumerate(words[:-1]) if i and w[:1].islower()), len(words) - 1)
        authors.append(Author(" ".join(words[first:]), " ".join(words[:first])))
    return authors
