"""What a worker does with one file: read, extract (through the parse cache), check.

These functions run in pool workers (``reflint.pool``) or, with one job, in the main
process; their arguments and results cross the process boundary, so they stay small:
a scan returns only what the resolver needs from the file, and a check gets only the
registry answers about the file's own DOIs, references and citations.
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reflint import documents, pubmed, suppress
from reflint.bibtex import assign_keys
from reflint.config import ConfigTree
from reflint.extract import extract, fresh_many, parsed
from reflint.models import Document, DoiMention, Extraction, Fields, Reference
from reflint.bibliography import outside_state
from reflint.file_cache import FileCache, digest, fingerprint
from reflint.parse_cache import ParseCache
from reflint.resolve import Resolution, citation_key, needs_lookup, query_key

if TYPE_CHECKING:
    from reflint.linter import Linter


@dataclass
class Scan:
    """Phase one's answer about a file: notes, counts and what to look up."""

    path: Path
    notes: list[str] = field(default_factory=list)
    loaded: bool = False
    references: int = 0
    lookups: Extraction | None = None  # None: the file silences every rule, or did not load
    # references with a title and DOIs: searched for only when one of the DOIs does not exist
    followups: tuple[CompactReference, ...] = ()
    keys: tuple[frozenset, frozenset, frozenset] = (frozenset(), frozenset(), frozenset())
    pubmed_keys: frozenset = frozenset()  # "pmid:123" / "pmcid:PMC1": PubMed answers this file needs
    doc: Document | None = None  # kept when the run is not streamed: read once, checked as read


@dataclass
class _Worker:
    """This process's share of the run: built once by :func:`start`."""

    linter: Linter
    parse: ParseCache
    files: FileCache
    config_keys: dict[int, str] = field(default_factory=dict)


_worker: _Worker | None = None


def _state() -> _Worker:
    if _worker is None:
        raise RuntimeError("reflint.filework.start() was not called in this process")
    return _worker


def start(configs: ConfigTree, cache_path: str) -> None:
    """Pool initializer: this process's linter (rules only), parse cache and file cache."""
    global _worker
    from reflint.linter import Linter

    finish()
    # misses go through extract's own memo, so --fix rounds never parse a text twice
    _worker = _Worker(Linter(configs), ParseCache(cache_path, parsed, fresh_many), FileCache(cache_path))


def _config_key(doc: Document) -> str:
    """What of the configuration a file's diagnostics depend on: its closest config (its
    settings and the command line's selection) and the rules that apply to this file."""
    real = getattr(doc, "file", None) or doc.path
    config = _state().linter.configs.for_path(real)
    if id(config) not in _state().config_keys:
        _state().config_keys[id(config)] = digest(
            fingerprint(), str(config.directory), repr(sorted(config.values.items())), repr(sorted(config.cli.items()))
        )
    rules = ",".join(r.code for r in _state().linter.rules_for(doc.path, real))
    return digest(_state().config_keys[id(config)], rules)


def finish() -> None:
    global _worker
    if _worker is not None:
        _worker.parse.close()
        _worker.files.close()
    _worker = None


def _key(doc: Document) -> str:
    return digest(fingerprint(), doc.path, doc.kind, doc.text, outside_state(doc))


def _extraction(doc: Document, key: str) -> Extraction:
    """From the file cache, else extracted (and kept there)."""
    ex = _state().files.get("x:" + key)
    if ex is None:
        ex = _extract(doc)
        _state().files.put("x:" + key, ex)
    return ex


def _extract(doc: Document) -> Extraction:
    extraction = extract(doc, _state().parse)
    _state().parse.flush()
    assign_keys(extraction.references)
    return extraction


def all_scanned(paths: list[Path], cache_path: str) -> bool:
    """Is every file's first reading in the file cache (a warm run)? Then one process does
    the rest sooner than starting workers would. Stops at the first file that is not."""
    files = FileCache(cache_path)
    try:
        for path in paths:
            try:
                doc = documents.load(path)
            except documents.DocumentError:
                return False
            if not files.has("s:" + _key(doc)):
                return False
        return True
    finally:
        files.close()


def _load(path: Path, notes: list[str]) -> Document | None:
    try:
        return documents.load(path)
    except documents.DocumentError as exc:
        notes.append(str(exc))
        return None


def lint(path: Path):
    """Extract and check one file without registry answers: a FileResult, or the notes
    saying why the file was skipped."""
    result, notes = check((path, None))
    if result is not None:
        notes += [f"{result.doc.path}: {note}" for note in result.extraction.notes]
    return result, notes


def scan(path: Path, keep: bool = False) -> Scan:
    """Extract one file and keep what the resolver needs from it (and with ``keep`` the
    document itself, so phase two checks exactly what phase one read)."""
    notes: list[str] = []
    doc = _load(path, notes)
    if doc is None:
        return Scan(path, notes)
    key = _key(doc)
    found = _state().files.get("s:" + key)
    if found is None:
        found = _scan(doc, _extraction(doc, key))
        _state().files.put("s:" + key, found)
    found.path, found.doc = path, doc if keep else None
    return found


def _scan(doc: Document, ex: Extraction) -> Scan:
    found = Scan(Path(doc.path), loaded=True)
    found.notes += [f"{doc.path}: {note}" for note in ex.notes]
    found.references = len(ex.references)
    found.keys = (
        frozenset(m.doi.lower() for m in ex.dois if m.doi),
        frozenset(query_key(r.text) for r in ex.references),
        frozenset(citation_key(c) for c in ex.citations if c.authors and c.year),
    )
    found.pubmed_keys = frozenset(pubmed.key(i.kind, i.value) for i in ex.pubmed_ids)
    if suppress.parse(doc).file is not suppress.ALL:  # silenced files need no lookups
        refs: list = [CompactReference(r, searchable=True) for r in ex.references if needs_lookup(r)]  # duck-typed
        cites = [] if ex.has_reference_list else [c for c in ex.citations if c.style == "author-year"]
        found.lookups = Extraction(refs, cites, [], ex.has_reference_list)
        found.lookups.pubmed_ids = list(ex.pubmed_ids)  # verified in the same bulk pass
        found.followups = tuple(
            CompactReference(r) for r in ex.references if r.fields.title and r.dois and not needs_lookup(r)
        )
    return found


def mention(doi: str) -> DoiMention:
    """A DOI as the resolver needs it: the DOI, without where it was written."""
    return DoiMention(0, 0, 0, 0, doi, "bare", doi)


class CompactReference:
    """A reference as the resolver reads it (text, kind, fields, DOIs), its fields kept as
    JSON and rebuilt when asked for: a run holds one per reference until it is resolved,
    and most are only asked whether their DOI exists. ``searchable``: made for a search
    (``needs_lookup`` held when it was made)."""

    __slots__ = ("text", "kind", "_fields", "_dois", "_decoded", "searchable")
    _decoded: Fields | None

    def __init__(self, ref: Reference, searchable: bool = False):
        self.text, self.kind = ref.text, ref.kind
        self._fields = json.dumps(ref.fields.to_dict(), separators=(",", ":"))
        self._dois = tuple(m.doi for m in ref.dois)
        self._decoded = None
        self.searchable = searchable

    @property
    def fields(self) -> Fields:
        """Decoded when asked; kept only for a searched reference, which the resolver reads
        several times (kept for all, 80,000 references' fields cost some 60 MB at once)."""
        if self._decoded is not None:
            return self._decoded
        fields = Fields.from_dict(json.loads(self._fields))
        if self.searchable:
            self._decoded = fields
        return fields

    @property
    def dois(self) -> list[DoiMention]:
        return [mention(d) if d else DoiMention(0, 0, 0, 0, "", "bare", None) for d in self._dois]

    @property
    def doi_names(self) -> tuple[str | None, ...]:
        return self._dois

    def rebuilt(self) -> Reference:
        """The reference itself (no position), for the resolver's search."""
        return Reference(0, 0, self.text, self.kind, self.fields, self.dois)

    def __getstate__(self):
        return self.text, self.kind, self._fields, self._dois, self.searchable

    def __setstate__(self, state):
        self.text, self.kind, self._fields, self._dois, self.searchable = state
        self._decoded = None


def answers_for(scan: Scan, resolution: Resolution) -> Resolution:
    """The part of a run's resolution that concerns one file."""
    dois, refs, cites = scan.keys
    answers = Resolution(
        {k: resolution.dois[k] for k in sorted(dois) if k in resolution.dois},
        {k: resolution.matches[k] for k in sorted(refs) if k in resolution.matches},
        {k: resolution.citations[k] for k in sorted(cites) if k in resolution.citations},
    )
    answers.published = {k: resolution.published[k] for k in sorted(dois) if k in resolution.published}
    answers.pubmed = {k: resolution.pubmed[k] for k in sorted(scan.pubmed_keys) if k in resolution.pubmed}
    return answers


def check(task: tuple[Path | Document, Resolution | None]):
    """Phase two: extract the file again (its references now come from the parse cache)
    and run the rules with the registry's answers."""
    source, answers = task
    notes: list[str] = []
    doc = source if isinstance(source, Document) else _load(source, notes)
    if doc is None:
        return None, notes
    key = _key(doc)
    answered = "d:" + digest(key, _config_key(doc), pickle.dumps(answers, pickle.HIGHEST_PROTOCOL))
    diagnostics = _state().files.get(answered)
    packed = _state().files.get_packed("x:" + key) if diagnostics is not None else None
    if packed is not None:
        from reflint.linter import FileResult

        return FileResult(doc, None, diagnostics, packed), notes
    extraction = _extraction(doc, key)
    _state().linter.resolution = answers
    result = _state().linter.lint_document(doc, extraction)
    _state().files.put(answered, result.diagnostics)
    return result, notes
