"""The data that flows through the pipeline: documents, extracted items, diagnostics, fixes.

Character offsets into ``Document.text`` are the truth; line and column are derived
from them (proselint's approach), so every diagnostic and every edit is exact.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from copy import copy as shallow_copy
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reflint.bibliography import Bibliography
    from reflint.markdown import Structure

_LINE_BREAK = re.compile(r"\r\n?|\n")


@dataclass
class Document:
    """One input file, decoded.

    ``text`` is the file's text exactly as decoded (BOM removed, line endings kept).
    ``plain`` is what extraction reads: for HTML the visible text with tags dropped and
    entities decoded, for everything else ``text`` itself. ``source_starts[i]`` /
    ``source_ends[i]`` map plain character ``i`` back to its source span in ``text``.
    """

    path: str
    text: str
    kind: str = "text"  # markdown | text | html | bibtex
    encoding: str = "utf-8"
    bom: bool = False
    newline: str = "\n"
    plain: str | None = None
    source_starts: Sequence[int] | None = None  # array('q') for HTML: compact
    source_ends: Sequence[int] | None = None
    file: str | None = None  # absolute path on disk, for writing fixes back

    def __post_init__(self) -> None:
        if self.plain is None:
            self.plain = self.text

    def to_source(self, start: int, end: int) -> tuple[int, int]:
        """Map a span of ``plain`` to the span of ``text`` it came from."""
        if self.source_starts is None:
            return start, end
        if start >= len(self.plain):
            return len(self.text), len(self.text)
        src_start = self.source_starts[start]
        src_end = self.source_ends[end - 1] if end > start else src_start
        return src_start, src_end

    @cached_property
    def line_starts(self) -> list[int]:
        """Offsets where lines begin; CRLF, LF and a lone CR (old Mac) all end a line."""
        return [0, *(m.end() for m in _LINE_BREAK.finditer(self.text))]

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset into ``text``."""
        line = bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def offset(self, line: int, column: int) -> int:
        """Inverse of :meth:`position`."""
        return self.line_starts[line - 1] + column - 1


@dataclass
class Author:
    family: str
    given: str = ""

    def to_dict(self) -> dict:
        return {"family": self.family, "given": self.given}


@dataclass
class Fields:
    """Bibliographic fields parsed from one reference string (None when not found)."""

    authors: list[Author] = field(default_factory=list)
    year: str | None = None
    title: str | None = None
    container: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    url: str | None = None
    type: str = "article"  # article | book | incollection | inproceedings | misc | ...

    def to_dict(self) -> dict:
        return {
            "authors": [a.to_dict() for a in self.authors],
            "year": self.year,
            "title": self.title,
            "container": self.container,
            "volume": self.volume,
            "issue": self.issue,
            "pages": self.pages,
            "doi": self.doi,
            "pmid": self.pmid,
            "url": self.url,
            "type": self.type,
        }

    def copy(self) -> Fields:
        """An independent copy (a rule may edit its reference's fields)."""
        copied = shallow_copy(self)  # the strings are immutable; only the author list is shared
        copied.authors = [Author(a.family, a.given) for a in self.authors]
        return copied

    @classmethod
    def from_dict(cls, data: dict) -> "Fields":
        """Inverse of :meth:`to_dict` (the parse cache stores fields that way)."""
        return cls(**{**data, "authors": [Author(**a) for a in data["authors"]]})


@dataclass
class DoiMention:
    """One DOI as written in a document, sound or damaged.

    ``start``/``end`` cover the whole written form (``doi:10.1/x``, ``https://doi.org/10.1/x``
    or a bare ``10.1/x``); ``doi_start``/``doi_end`` only the DOI part as written, including
    any trailing junk, which begins at ``junk_start`` (== ``doi_end`` when there is none).
    ``doi`` is the cleaned, unambiguous DOI when one can be derived offline, else None.
    ``problems`` uses the vocabulary of ``reflint.doi.PROBLEMS``.
    All offsets index ``Document.text``.
    """

    start: int
    end: int
    doi_start: int
    doi_end: int
    raw: str
    form: str  # label | url | bare
    doi: str | None
    problems: tuple[str, ...] = ()
    junk_start: int | None = None
    url_prefix: str | None = None  # e.g. "http://dx.doi.org/" when form == "url"

    def __post_init__(self) -> None:
        if self.junk_start is None:
            self.junk_start = self.doi_end


@dataclass
class Reference:
    """One reference: a reference-list entry, or a BibTeX entry.

    ``start``/``end`` index ``Document.text``; ``text`` is the entry's text with markup
    and line breaks collapsed, as given to the parser.
    """

    start: int
    end: int
    text: str
    kind: str  # list-entry | bibtex-entry
    fields: Fields
    dois: list[DoiMention] = field(default_factory=list)
    key: str | None = None  # citekey, assigned by reflint.bibtex
    label: str | None = None  # "[3]" / "3." numbering as written, if any
    anchor: str | None = None  # the id of the HTML element around it: "ref-cori2013", "fn:1"


@dataclass
class Citation:
    """An in-text citation: ``(Gattie et al. 2017)``, ``[2-4]``, ``[@key]``, a DOI link."""

    start: int
    end: int
    text: str
    style: str  # author-year | numeric | pandoc | footnote | anchor | doi-link
    authors: list[str] = field(default_factory=list)  # family names as written
    year: str | None = None  # "2017" or "2017a"
    numbers: list[int] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    context: str = ""  # the paragraph around an author-year citation, for online lookups


@dataclass
class Extraction:
    """Everything found in one document."""

    references: list[Reference] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    dois: list[DoiMention] = field(default_factory=list)  # every DOI mention in the document
    has_reference_list: bool = False
    notes: list[str] = field(default_factory=list)  # e.g. malformed BibTeX, with line
    bibliography: Bibliography | None = None  # the files a Pandoc/Quarto front matter names
    pubmed_ids: list = field(default_factory=list)  # pubmed_ids.PubmedId: PMIDs and PMCIDs
    # markdown.Structure of a Markdown document, kept so the rules, run in a later phase
    # (or from the file cache), need not parse the Markdown again
    markdown: Structure | None = None


class Applicability(IntEnum):
    """How trustworthy a fix is (ruff): only safe fixes apply without ``--unsafe-fixes``."""

    DISPLAY = 0
    UNSAFE = 1
    SAFE = 2


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``content`` (offsets into ``Document.text``)."""

    start: int
    end: int
    content: str


@dataclass(frozen=True)
class Fix:
    edits: tuple[Edit, ...]
    applicability: Applicability
    message: str


@dataclass
class Diagnostic:
    code: str
    name: str
    severity: str  # error | warning | info
    message: str
    path: str
    start: int
    end: int
    data: dict = field(default_factory=dict)
    fix: Fix | None = None
