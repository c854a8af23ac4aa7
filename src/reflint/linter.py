"""Run the pipeline over files: load, extract, name, check, filter.

Pure with respect to the network and the file system's contents beyond reading:
fixing and reporting are the caller's business.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pathspec

from reflint import documents, suppress
from reflint.bibtex import assign_keys
from reflint.config import Config, ConfigTree
from reflint.extract import extract
from reflint.models import Diagnostic, Document, Extraction
from reflint.resolve import Resolution, Resolver
from reflint.rules import Context, Rule, resolve_selector


@dataclass
class FileResult:
    doc: Document
    extraction: Extraction
    diagnostics: list[Diagnostic]


@dataclass
class Run:
    files: list[FileResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # skipped files and the like: never fail a run
    errors: list[str] = field(default_factory=list)  # missing paths: exit 2
    resolution: Resolution | None = None

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for f in self.files for d in f.diagnostics]


class Linter:
    """Holds the selected rules, per-file ignores and registry answers for one run.

    ``resolver`` is None offline; otherwise ``lint_paths`` resolves every DOI and reference
    of the run in one bulk pass before any rule runs.
    """

    def __init__(self, config: Config | ConfigTree, resolver: Resolver | None = None):
        self.configs = config if isinstance(config, ConfigTree) else ConfigTree(config, fixed=True)
        self.config = self.configs.root  # the run's settings: network, cache, library
        self.resolver = resolver
        self.resolution: Resolution | None = None
        self.rules: list[Rule] = self.config.rules()
        self._selected: dict[int, tuple[list[Rule], list]] = {}

    def _selection(self, config: Config) -> tuple[list[Rule], list]:
        """A config's rules and its compiled per-file ignores, computed once per config."""
        if id(config) not in self._selected:
            per_file = [(pathspec.GitIgnoreSpec.from_lines([pattern]),
                         {r.code for sel in codes for r in resolve_selector(sel)})
                        for pattern, codes in config["per-file-ignores"].items()]
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
            d for rule in self.rules_for(doc.path, real) for d in rule.check(ctx)
            if not hidden.hides(d, doc)
        ]
        diagnostics.sort(key=lambda d: (d.start, d.code))
        return FileResult(doc, extraction, diagnostics)

    def discover(self, paths: list[str], force_exclude: bool = False) -> tuple[list[Path], list[str]]:
        """The files to lint under ``paths``: the run config's include/exclude (relative to its
        directory), then the include/exclude of a closer config of each file (ruff's rule:
        files named on the command line are taken unless ``force_exclude``)."""
        c = self.config
        files, notes = documents.discover(paths, c["include"], c["exclude"], c["respect-gitignore"],
                                          root=c.directory, force_exclude=force_exclude)
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
            top = None if force_exclude else next((d for d in named_dirs if documents.inside(str(path), d)), None)
            include = _spec(own["include"])
            exclude = documents.unexcluded(own["exclude"], top, str(own.directory)) if top else _spec(own["exclude"])
            if (exclude and exclude.match_file(rel)) or (include and not include.match_file(rel)):
                continue
            kept.append(path)
        return kept, notes

    def lint_paths(self, paths: list[str]) -> Run:
        run = Run()
        missing = [p for p in paths if not Path(p).exists()]
        run.errors.extend(f"{p}: no such file or directory - check the path" for p in missing)
        files, run.notes = self.discover([p for p in paths if p not in missing])
        docs = []
        for path in files:
            try:
                docs.append(documents.load(path))
            except documents.DocumentError as exc:
                run.notes.append(str(exc))
        return self.lint_documents(docs, run)

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
                [ex for doc, ex in loaded if suppress.parse(doc).file is not suppress.ALL])
        run.resolution = self.resolution
        run.files = [self.lint_document(doc, ex) for doc, ex in loaded]
        return run


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
