"""What ``reflint check`` does between reading the options and exiting: narrow the files
(--changed-since, --force-exclude, --baseline), read stdin, fix, and render the report."""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
from collections import Counter
from pathlib import Path

import click

from reflint import baseline, changes, documents
from reflint.bibtex import same_structure
from reflint.cli_options import Failure, RunOptions, error
from reflint.fixer import fix_until_stable
from reflint.linter import Linter, Run
from reflint.models import Document
from reflint.report import render_github, render_json, render_statistics, render_text
from reflint.sarif import render_sarif

EXIT_CLEAN, EXIT_ERROR = 0, 2


def _rebuild(doc: Document, text: str) -> Document:
    fresh = documents.from_text(text, doc.path, doc.kind)
    return dataclasses.replace(fresh, encoding=doc.encoding, bom=doc.bom, newline=doc.newline, file=doc.file)


def lint_stdin(linter: Linter, name: str, force_exclude: bool):
    """stdin as one document named ``name``: its suffix gives the type, its place the config."""
    data = sys.stdin.buffer.read()
    kind = documents.SUFFIXES.get(os.path.splitext(name)[1].lower(), "text")
    decoded = documents.decode(data, kind)
    if decoded is None:
        raise Failure(f"{name}: stdin is binary - pipe text")
    if force_exclude and os.path.isfile(name) and not linter.discover([name], force_exclude=True)[0]:
        return Run()  # excluded, as a file of that name would be
    text, encoding, bom = decoded
    doc = documents.from_text(text, Path(name).as_posix() if name != "-" else "-", kind)
    doc.encoding, doc.bom = encoding, bom
    return linter.lint_documents([doc])


def _emit(doc: Document, text: str) -> None:
    """Fixed stdin text back to stdout in the bytes it came in (encoding, BOM, line endings)."""
    sys.stdout.flush()
    sys.stdout.buffer.write(documents.encode(doc, text))
    sys.stdout.buffer.flush()


@dataclasses.dataclass
class FixResult:
    """What ``--fix``/``--diff`` did: the (document, remaining diagnostics) pairs, the number
    fixed, whether any text changed, whether a write failed, and the fixes by file and rule."""

    results: list
    fixed: int = 0
    changed: bool = False
    failed: bool = False
    by_file: dict = dataclasses.field(default_factory=dict)


def fix(linter: Linter, run, keep, unsafe: bool, diff: bool, to_stdout: bool = False) -> FixResult:
    """Fix every file until stable; write it back (print it with ``to_stdout``, the diff with
    ``diff``)."""
    out = FixResult([])
    for result in run.files:
        doc = result.doc
        before = keep(doc, result.diagnostics)
        outcome = fix_until_stable(doc, lambda d: keep(d, linter.lint_document(d).diagnostics), _rebuild, unsafe)
        printing = to_stdout and not diff
        if outcome.text == doc.text:
            if printing:
                _emit(doc, doc.text)
            out.results.append((doc, outcome.remaining))
            continue
        if doc.kind == "bibtex" and not same_structure(doc.text, outcome.text):
            error(
                f"{doc.path}: the fixes would change the BibTeX structure, so nothing was "
                "written - fix this file by hand (and please report it)"
            )
            if printing:
                _emit(doc, doc.text)
            out.failed = True
            out.results.append((doc, before))
            continue
        out.changed = True
        if diff:
            click.echo(_unified_diff(doc, outcome.text), nl=False)
            out.results.append((doc, before))
            continue
        if printing:
            _emit(doc, outcome.text)
        else:
            try:
                documents.write(doc, outcome.text)
            except documents.DocumentError as exc:
                error(str(exc))
                out.failed = True
                out.results.append((doc, before))
                continue
        out.fixed += outcome.fixed
        out.by_file[doc.path] = Counter(f"{d.code} ({d.name})" for d in before) - Counter(
            f"{d.code} ({d.name})" for d in outcome.remaining
        )
        out.results.append((outcome.document, outcome.remaining))
    return out


def render(opts: RunOptions, fmt: str, statistics: bool, results, run, unknown: int, fixed: int) -> None:
    colour, summary = opts.colour, not opts.quiet
    if statistics:
        opts.echo(render_statistics(results, "json" if fmt == "json" else "text", colour, summary))
    elif fmt == "json":
        opts.echo(render_json(results, run.file_count, run.references, unknown))
    elif fmt == "sarif":
        opts.echo(render_sarif(results, run.errors, unknown))
    elif fmt == "github":
        if text := render_github(results):  # nothing when clean: every line is a command
            opts.echo(text)
    else:
        text = render_text(results, fixed, len(run.errors), colour, summary)
        if text:
            opts.echo(text)


def narrow(linter: Linter, opts: RunOptions, targets: list[str], baseline_path: str | None):
    """--changed-since, --force-exclude, --baseline: the paths to lint, and ``keep(doc,
    diagnostics)``, the filter for what is reported and fixed (see changes.py, baseline.py)."""
    filters = []
    try:
        changed = changes.since(opts.changed_since) if opts.changed_since else None
        if changed is not None:
            filters.append(changed.keep)
        if baseline_path:
            filters.append(baseline.Baseline.load(baseline_path).keep)
        if targets and (changed is not None or opts.force_exclude):
            existing = [t for t in targets if os.path.exists(t)]
            found, notes = linter.discover(existing, force_exclude=opts.force_exclude)
            for note in notes:
                opts.note(note)
            targets = [t for t in targets if t not in existing] + [
                str(p) for p in found if changed is None or changed.touches(p)
            ]
    except (changes.ChangesError, baseline.BaselineError, documents.DocumentError) as exc:
        raise Failure(str(exc)) from None

    def keep(doc: Document, diagnostics: list) -> list:
        for narrow in filters:
            diagnostics = narrow(doc, diagnostics)
        return diagnostics

    return targets, keep


def write_baseline(path: str, run, keep) -> None:
    """--write-baseline: record what this run found (ignoring --baseline) and exit."""
    try:
        count = baseline.write([(r.doc, keep(r.doc, r.diagnostics)) for r in run.files], path)
    except baseline.BaselineError as exc:
        raise Failure(str(exc)) from None
    click.echo(f"Recorded {count} problem(s) in {path}; `--baseline {path}` hides them.")
    sys.exit(EXIT_ERROR if run.errors else EXIT_CLEAN)


def _unified_diff(doc: Document, new_text: str) -> str:
    return "".join(
        difflib.unified_diff(
            doc.text.splitlines(keepends=True),
            new_text.splitlines(keepends=True),
            fromfile=f"a/{doc.path}",
            tofile=f"b/{doc.path}",
        )
    )
