"""Normalise references to BibTeX entries with stable citekeys.

A citekey is ``<first author family><year><first title word>``, ASCII and lowercase
(``gattie2017effectiveness``). Within one document a repeated key gets ``b``, ``c``, ...
so adding a later duplicate never renames an earlier entry.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Callable

import bibtexparser
from bibtexparser.model import Entry, Field

from reflint.lock import status_fields
from reflint.match import record_fields
from reflint.models import Fields, Reference

if TYPE_CHECKING:
    from reflint.resolve import DoiStatus

_SKIP_WORDS = {"a", "an", "the", "on", "of", "in", "is", "are", "do", "does", "what", "how",
               "why", "to", "for", "and", "at", "by", "with", "from"}
_FORMAT = bibtexparser.BibtexFormat()
_FORMAT.indent = "  "
_FORMAT.block_separator = "\n"


def ascii_word(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def citekey(fields: Fields) -> str:
    family = ascii_word(fields.authors[0].family) if fields.authors else ""
    words = [ascii_word(w) for w in (fields.title or "").split()]
    first = next((w for w in words if w and w not in _SKIP_WORDS), "")
    return f"{family or 'anon'}{fields.year or 'nd'}{first}"


def assign_keys(references: list[Reference]) -> None:
    """Give every reference without a key (BibTeX entries keep theirs) a unique citekey."""
    taken = {r.key for r in references if r.key}
    for ref in references:
        if ref.key:
            continue
        base = citekey(ref.fields)
        key, suffix = base, ord("b")
        while key in taken:
            key, suffix = f"{base}{chr(suffix)}", suffix + 1
        taken.add(key)
        ref.key = key


def tex(text: str | None) -> str | None:
    """Escape LaTeX specials in prose fields; drop braces so the entry always balances."""
    if not text:
        return text
    text = text.replace("{", "").replace("}", "")
    return re.sub(r"(?<!\\)([&%$#])", r"\\\1", text)


def _bibtex_authors(fields: Fields) -> str:
    return " and ".join(f"{a.family}, {a.given}" if a.given else a.family for a in fields.authors)


_CONTAINER_FIELD = {"article": "journal", "incollection": "booktitle", "inproceedings": "booktitle"}


def to_entry(ref: Reference, verified: DoiStatus | None = None) -> Entry:
    """The entry for ``ref``; a verified DOI's registry metadata wins over parsed fields."""
    f = ref.fields
    if verified and verified.record:
        f = record_fields(verified.record)
    values = [
        ("author", tex(_bibtex_authors(f))),
        ("title", tex(f.title)),
        (_CONTAINER_FIELD.get(f.type, "howpublished" if f.type == "misc" else "publisher"),
         tex(f.container)),
        ("year", f.year),
        ("volume", f.volume),
        ("number", f.issue),
        ("pages", f.pages.replace("-", "--") if f.pages else None),
        ("doi", f.doi),
        ("pmid", f.pmid),
        ("url", f.url),
        ("note", None if f.title else tex(ref.text)),  # never lose an entry we could not parse
        *(status_fields(verified) if verified else []),
    ]
    return Entry(f.type or "misc", ref.key or citekey(f),
                 [Field(k, v) for k, v in values if v])


def to_bibtex(references: list[Reference], verified: Callable[[Reference], DoiStatus | None]
              = lambda ref: None) -> str:
    library = bibtexparser.Library()
    for ref in references:
        library.add(to_entry(ref, verified(ref)))
    return bibtexparser.write_string(library, bibtex_format=_FORMAT)


def record_bibtex(record: dict) -> str:
    """A ready BibTeX entry for a registry record, for writers adding a missing reference."""
    fields = record_fields(record)
    return to_bibtex([Reference(0, 0, "", "list-entry", fields, key=citekey(fields))]).strip()


def same_structure(before: str, after: str) -> bool:
    """Would a fixed .bib still hold the same entries and no new broken blocks? A guard so
    that no fix, however wrong, can cost a user a bibliography entry."""
    old, new = bibtexparser.parse_string(before), bibtexparser.parse_string(after)
    return ([e.key for e in old.entries] == [e.key for e in new.entries]
            and len(new.failed_blocks) <= len(old.failed_blocks))
