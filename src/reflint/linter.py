"""Run the pipeline over files: load, extract, name, check, filter.

Pure with respect to the network and the file system's contents beyond reading:
fixing and reporting are the caller's business.
"""

from __future__ import annotations

import functools
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pathspec

from reflint import discovery, filework, suppress
from reflint.bibtex import assign_keys
from reflint.cache import default_path
from reflint.config import Config, ConfigTree
from reflint.extract import extract
from reflint.file_cache import FileCache
from reflint.mismatch import doi_is_wrong
from reflint.models import Diagnostic, Document, Extraction
from reflint.pool import FilePool, default_jobs
from reflint.prefetch import Prefetch, RunCache
from reflint.resolve import Resolution, Resolver
from reflint.rules import Context, Rule, resolve_selector


class FileResult:
    """A file's document, what it cites and its diagnostics. From the file cache the
    extraction stays pickled until someone asks for it (``check`` never does)."""

    def __init__(
        self, doc: Document, extraction: Extraction | None, diagnostics: list[Diagnostic], packed: bytes | None = None
    ):
        self.doc, self.diagnostics = doc, diagnostics
        self._extraction, self._packed = extraction, packed

    @property
    def extraction(self) -> Extraction:
        if self._extraction is None:
            assert self._packed is not None  # one of the two is always set
            self._extraction, self._packed = pickle.loads(self._packed), None
        return self._extraction

    def __getstate__(self):
        """From a worker the extraction travels packed: the main process, which prints the
        diagnostics, unpacks it only if asked (``audit``)."""
        packed = self._packed if self._extraction is None else pickle.dumps(self._extraction, pickle.HIGHEST_PROTOCOL)
        return self.doc, self.diagnostics, packed

    def __setstate__(self, state):
        self.doc, self.diagnostics, self._packed = state
        self._extraction = None


@dataclass
class Run:
    """One run's results. ``files`` is a list, or with ``stream=True`` a one-pass iterator
    that checks each file as it is consumed, so a file's document and diagnostics are gone
    once reported; ``file_count`` and ``references`` are known before it starts."""

    files: list[FileResult] | Iterator[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped files and the like: never fail a run
    errors: list[str] = field(default_factory=list)  # missing paths: exit 2
    resolution: Resolution | None = None
    file_count: int = 0
    references: int = 0

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]


class Reported:
    """(document, diagnostics) pairs on their way to a renderer, which reads them once;
    ``remaining`` says, once they are read, whether any file still has a problem."""

    def __init__(self, pairs):
        self._pairs = pairs
        self.remaining = False

    def __iter__(self):
        for doc, diagnostics in self._pairs:
            self.remaining = self.remaining or bool(diagnostics)
            yield doc, diagnostics


class Linter:
    """Holds the selected rules, per-file ignores and registry answers for one run.

    ``resolver`` is None offline; otherwise ``lint_paths`` resolves every DOI and reference
    of the run in one bulk pass before any rule runs.
    """

    def __init__(self, config: Config | ConfigTree, resolver: Resolver | None = None, jobs: int | None = None):
        self.configs = config if isinstance(config, ConfigTree) else ConfigTree(config, fixed=True)
        self.jobs = jobs  # processes for lint_paths; None: every core
        self.config = self.configs.root  # the run's settings: network, cache, library
        self.resolver = resolver
        self.resolution: Resolution | None = None
        self.rules: list[Rule] = self.config.rules()
        self._selected: dict[int, tuple[list[Rule], list]] = {}

    def _selection(self, config: Config) -> tuple[list[Rule], list]:
        """A config's rules and its compiled per-file ignores, computed once per config."""
        if id(config) not in self._selected:
            per_file = [
                (pathspec.GitIgnoreSpec.from_lines([pattern]), {r.code for sel in codes for r in resolve_selector(sel)})
                for pattern, codes in config["per-file-ignores"].items()
            ]
            self._selected[id(config)] = (config.rules(), per_file)
        return self._selected[id(config)]

    def rules_for(self, path: str, real_path: str | None = None) -> list[Rule]:
        """The rules of the config closest to the file; per-file-ignores globs are relative to
        that config's directory (the path as shown for a file outside it)."""
        config = self.configs.for_path(real_path or path)
        rules, per_file = self._selection(config)
        shown = _relative(real_path or path, config.directory) or path
        ignored = set().union(*(codes for spec, codes in per_file if spec.match_file(shown)))
        return [r for r in rules if r.code not in ignored]

    def lint_document(self, doc: Document, extraction: Extraction | None = None) -> FileResult:
        if extraction is None:
            extraction = extract(doc)
            assign_keys(extraction.references)
        real = getattr(doc, "file", None) or doc.path
        ctx = Context(doc, extraction, self.configs.for_path(real).values, self.resolution)
        hidden = suppress.parse(doc)
        diagnostics = [
            d for rule in self.rules_for(doc.path, real) for d in rule.check(ctx) if not hidden.hides(d, doc)
        ]
        diagnostics.sort(key=lambda d: (d.start, d.code))
        return FileResult(doc, extraction, diagnostics)

    def discover(self, paths: list[str], force_exclude: bool = False) -> tuple[list[Path], list[str]]:
        """The files to lint under ``paths``: the run config's include/exclude (relative to its
        directory), then the include/exclude of a closer config of each file (ruff's rule:
        files named on the command line are taken unless ``force_exclude``)."""
        c = self.config
        files, notes = discovery.discover(
            paths, c["include"], c["exclude"], c["respect-gitignore"], root=c.directory, force_exclude=force_exclude
        )
        named = {os.path.abspath(p) for p in paths if os.path.isfile(p)}
        named_dirs = sorted((os.path.abspath(p) for p in paths if os.path.isdir(p)), key=len, reverse=True)
        kept = []
        for path in files:
            own = self.configs.for_path(path)
            if own is c or (str(path) in named and not force_exclude) or own.directory is None:
                kept.append(path)
                continue
            rel = _relative(path, own.directory) or path.as_posix()
            # a directory named on the command line is linted even if this config excludes it
            top = None if force_exclude else next((d for d in named_dirs if discovery.inside(str(path), d)), None)
            include = _spec(own["include"])
            exclude = discovery.unexcluded(own["exclude"], top, str(own.directory)) if top else _spec(own["exclude"])
            if (exclude and exclude.match_file(rel)) or (include and not include.match_file(rel)):
                continue
            kept.append(path)
        return kept, notes

    def lint_paths(self, paths: list[str], stream: bool = False, jobs: int | None = None) -> Run:
        """Lint ``paths`` on ``jobs`` processes (default: every core); results in path order.

        With a resolver, files are read twice: first to learn what to look up, which the
        resolver answers for the whole run at once (DOIs already while files are being
        parsed, see ``reflint.prefetch``), then to run the rules. The second reading takes
        its parsed references from the parse cache.
        """
        run = Run()
        missing = [p for p in paths if not Path(p).exists()]
        run.errors.extend(f"{p}: no such file or directory - check the path" for p in missing)
        files, run.notes = self.discover([p for p in paths if p not in missing])
        scratch = None if self.config["cache"] else tempfile.TemporaryDirectory(prefix="reflint-")
        cache_path = str(Path(scratch.name) / "cache.sqlite3") if scratch else str(default_path())
        jobs = jobs or self.jobs
        if (jobs or default_jobs()) > 1 and len(files) > 1 and not scratch and filework.all_scanned(files, cache_path):
            jobs = 1  # a warm run: nothing to share out
        pool = FilePool(jobs, len(files), filework.start, (self.configs, cache_path))
        try:
            resolver = self.resolver
            if resolver is None and not stream:
                done: list[FileResult] = []
                for result, notes in pool.map(filework.lint, files):
                    run.notes.extend(notes)
                    if result is not None:
                        done.append(result)
                run.files, run.file_count = done, len(done)
                run.references = sum(len(r.extraction.references) for r in done)
                _close(pool, scratch, cache_path)
                return run
            overlay = RunCache.install(resolver) if resolver is not None else None
            scan = functools.partial(filework.scan, keep=not stream)
            try:
                if resolver is not None and overlay is not None and resolver.client is not None:
                    with Prefetch(resolver, files, overlay, head_start=pool.jobs == 1):  # DOIs go out while parsing
                        scans = list(pool.map(scan, files))
                else:
                    scans = list(pool.map(scan, files))
                for found in scans:
                    run.notes.extend(found.notes)
                scans = [s for s in scans if s.loaded]
                run.file_count, run.references = len(scans), sum(s.references for s in scans)
                if resolver is not None and overlay is not None:
                    self.resolution = self._resolve(resolver, scans, overlay)
            finally:
                if overlay is not None:
                    overlay.uninstall()
            run.resolution = self.resolution
        except BaseException:
            _close(pool, scratch, cache_path)
            raise
        checked = self._check(scans, pool, scratch, cache_path)
        run.files = checked if stream else list(checked)
        return run

    @staticmethod
    def _resolve(resolver: Resolver, scans: list[filework.Scan], overlay: RunCache) -> Resolution:
        """The run's bulk resolve: every DOI, search and citation at once; then searches for
        the references whose DOI turned out not to exist (their fields are rebuilt only now,
        which keeps a large run small)."""
        wanted = [s for s in scans if s.lookups is not None]
        dois = sorted({d for s in wanted for d in s.keys[0]})
        resolution = resolver.resolve(
            [Extraction(dois=[filework.mention(d) for d in dois], has_reference_list=True)]
            + [s.lookups for s in wanted if s.lookups is not None]
        )
        broken = [
            r
            for s in wanted
            for r in s.followups  # DOI not registered, or another work's
            if any(doi_is_wrong(r.fields, resolution.doi(d)) for d in r.doi_names if d)
        ]
        for s in scans:
            s.lookups, s.followups = None, ()  # phase two needs only the keys
        if broken:
            overlay.remember(resolution.dois)
            refs = [r.rebuilt() for r in broken]
            more = resolver.resolve([Extraction(refs, [], [m for r in refs for m in r.dois], True)])
            resolution.matches.update(more.matches)
        return resolution

    def _check(self, scans, pool: FilePool, scratch, cache_path: str) -> Iterator[FileResult]:
        resolution = self.resolution
        try:
            tasks = ((s.doc or s.path, filework.answers_for(s, resolution) if resolution else None) for s in scans)
            for result, _ in pool.map(filework.check, tasks):
                if result is not None:
                    yield result
        finally:
            _close(pool, scratch, cache_path)

    def lint_documents(self, docs: list[Document], run: Run | None = None) -> Run:
        """Extract, resolve (in one bulk pass) and check documents already loaded (or read
        from stdin)."""
        run = run if run is not None else Run()
        loaded = []
        for doc in docs:
            extraction = extract(doc)
            assign_keys(extraction.references)
            run.notes.extend(f"{doc.path}: {note}" for note in extraction.notes)
            loaded.append((doc, extraction))
        if self.resolver is not None:  # a file that silences every rule needs no lookups
            self.resolution = self.resolver.resolve(
                [ex for doc, ex in loaded if suppress.parse(doc).file is not suppress.ALL]
            )
        run.resolution = self.resolution
        run.files = [self.lint_document(doc, ex) for doc, ex in loaded]
        run.file_count, run.references = len(loaded), sum(len(ex.references) for _, ex in loaded)
        return run


def _close(pool: FilePool, scratch, cache_path: str) -> None:
    pool.close()
    filework.finish()  # with one job the worker state lives in this process
    if scratch is not None:
        scratch.cleanup()
    else:
        with closing(FileCache(cache_path)) as files:
            files.prune()


def _relative(path: str | os.PathLike, directory: Path | None) -> str | None:
    """``path`` relative to ``directory`` in posix form; None when it lies outside."""
    if directory is None:
        return None
    rel = os.path.relpath(os.path.realpath(path), os.path.realpath(directory))  # symlinks alike
    return None if rel == os.pardir or rel.startswith(os.pardir + os.sep) else rel.replace(os.sep, "/")


@lru_cache(maxsize=64)
def _compiled(patterns: tuple[str, ...]) -> pathspec.PathSpec:
    return pathspec.GitIgnoreSpec.from_lines(list(patterns))


def _spec(patterns: list[str]) -> pathspec.PathSpec | None:
    return _compiled(tuple(patterns)) if patterns else None
