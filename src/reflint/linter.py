"""Run the pipeline over files: load, extract, name, check, filter.

Pure with respect to the network and the file system's contents beyond reading:
fixing and reporting are the caller's business.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from reflint import documents, suppress
from reflint.bibtex import assign_keys
from reflint.config import Config
from reflint.extract import extract
from reflint.models import Diagnostic, Document, Extraction
from reflint.resolve import Resolution, Resolver
from reflint.rules import Context, Rule, resolve_selector, select_rules


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

    def __init__(self, config: Config, resolver: Resolver | None = None):
        self.config = config
        self.resolver = resolver
        self.resolution: Resolution | None = None
        self.rules: list[Rule] = select_rules(config["select"], config["extend-select"],
                                              config["ignore"])
        self.per_file = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]),
             {r.code for sel in codes for r in resolve_selector(sel)})
            for pattern, codes in config["per-file-ignores"].items()
        ]

    def rules_for(self, path: str) -> list[Rule]:
        ignored = set().union(*(codes for spec, codes in self.per_file if spec.match_file(path)))
        return [r for r in self.rules if r.code not in ignored]

    def lint_document(self, doc: Document, extraction: Extraction | None = None) -> FileResult:
        if extraction is None:
            extraction = extract(doc)
            assign_keys(extraction.references)
        ctx = Context(doc, extraction, self.config.values, self.resolution)
        hidden = suppress.parse(doc)
        diagnostics = [
            d for rule in self.rules_for(doc.path) for d in rule.check(ctx)
            if not hidden.hides(d, doc)
        ]
        diagnostics.sort(key=lambda d: (d.start, d.code))
        return FileResult(doc, extraction, diagnostics)

    def lint_paths(self, paths: list[str]) -> Run:
        run = Run()
        missing = [p for p in paths if not Path(p).exists()]
        run.errors.extend(f"{p}: no such file or directory - check the path" for p in missing)
        files, run.notes = documents.discover([p for p in paths if p not in missing],
                                              self.config["include"], self.config["exclude"],
                                              self.config["respect-gitignore"])
        loaded = []
        for path in files:
            try:
                doc = documents.load(path)
            except documents.DocumentError as exc:
                run.notes.append(str(exc))
                continue
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
