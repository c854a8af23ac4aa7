"""The ``reflint`` command line: a thin layer over linter, fixer, report and bibtex.

Exit codes (ruff): 0 clean or everything fixed, 1 problems remain, 2 usage, config or
I/O error.
"""

from __future__ import annotations

import dataclasses
import difflib
import sys
from pathlib import Path

import click

from reflint import __version__, documents, references_dir
from reflint.config import ConfigError, load_config
from reflint.fixer import fix_until_stable
from reflint.linter import Linter
from reflint.models import Document
from reflint.report import render_json, render_text
from reflint.rules import BY_CODE, BY_NAME, RULES, SelectorError, resolve_selector

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _linter(config_path: str | None, **overrides) -> Linter:
    try:
        config = load_config(Path(config_path) if config_path else None)
        return Linter(config.merged(overrides))
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


def _error(message: str) -> None:
    click.echo(f"error: {message}", err=True)


def _rebuild(doc: Document, text: str) -> Document:
    fresh = documents.from_text(text, doc.path, doc.kind)
    return dataclasses.replace(fresh, encoding=doc.encoding, bom=doc.bom, newline=doc.newline)


selection = [
    click.option("--select", multiple=True, help="Rules to check (codes, prefixes or names; comma-separated). Replaces the default set."),
    click.option("--extend-select", multiple=True, help="Rules to check in addition to the selection."),
    click.option("--ignore", multiple=True, help="Rules to skip (codes, prefixes or names)."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Config file (default: nearest reflint.toml or pyproject.toml with [tool.reflint])."),
]


def with_selection(func):
    for option in reversed(selection):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reflint")
def main() -> None:
    """Find broken DOIs, unverifiable references and citations that lead nowhere.

    reflint reads Markdown, plain text, HTML and BibTeX. Start with `reflint check .`
    and `reflint rules` to see what each code means.
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems remain.")
@with_selection
def check(paths, fix, unsafe_fixes, diff, fmt, exit_zero, select, extend_select, ignore, config_path):
    """Lint PATHS (files or directories; default: the current directory)."""
    linter = _linter(config_path, select=_split(select), **{
        "extend-select": _split(extend_select), "ignore": _split(ignore)})
    run = linter.lint_paths(list(paths) or ["."])
    for note in run.notes:
        _note(note)
    for error in run.errors:
        _error(error)
    fixed, failed, changed = 0, bool(run.errors), False
    results = []
    for result in run.files:
        doc, diags = result.doc, result.diagnostics
        if fix or diff:
            outcome = fix_until_stable(doc, lambda d: linter.lint_document(d).diagnostics,
                                       _rebuild, unsafe_fixes)
            if outcome.text != doc.text:
                changed = True
                if diff:
                    click.echo(_unified_diff(doc, outcome.text), nl=False)
                else:
                    try:
                        documents.write(doc, outcome.text)
                    except documents.DocumentError as exc:
                        _error(str(exc))
                        failed = True
                        results.append((doc, diags))
                        continue
                    fixed += outcome.fixed
                    doc, diags = outcome.document, outcome.remaining
        results.append((doc, diags))
    if diff:
        remaining = changed
    else:
        remaining = any(diags for _, diags in results)
        if fmt == "json":
            refs = sum(len(r.extraction.references) for r in run.files)
            click.echo(render_json(results, len(run.files), refs))
        else:
            click.echo(render_text(results, fixed))
    if failed:
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_PROBLEMS if remaining and not exit_zero else EXIT_CLEAN)


def _unified_diff(doc: Document, new_text: str) -> str:
    return "".join(difflib.unified_diff(doc.text.splitlines(keepends=True),
                                        new_text.splitlines(keepends=True),
                                        fromfile=f"a/{doc.path}", tofile=f"b/{doc.path}"))


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("-o", "--output", "output", type=click.Path(file_okay=False), default=None,
              help="Library directory (default: the `references-dir` setting, `references`).")
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when the library is stale.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def bib(paths, output, check_only, config_path):
    """Write the normalised BibTeX library: one .bib per document with references."""
    linter = _linter(config_path)
    out = Path(output or linter.config["references-dir"])
    roots = list(paths) or ["."]
    run = linter.lint_paths(roots)
    for error in run.errors:
        _error(error)
    if run.errors:
        sys.exit(EXIT_ERROR)
    plan = references_dir.plan(run.files, roots, out)
    if check_only:
        stale = references_dir.stale(plan, out)
        for line in stale:
            click.echo(line)
        click.echo(f"{len(stale)} file(s) would change in {out}/." if stale else f"{out}/ is up to date.")
        sys.exit(EXIT_PROBLEMS if stale else EXIT_CLEAN)
    try:
        written = references_dir.write(plan, out)
    except OSError as exc:
        _error(f"{out}: cannot write the library ({exc.strerror}) - check permissions")
        sys.exit(EXIT_ERROR)
    click.echo(f"Wrote {written} file(s) to {out}/; {len(plan) - written} unchanged.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--config", "config_path", type=click.Path(dir_okay=False))
def refs(paths, fmt, config_path):
    """List the references reflint extracted, with parsed fields and BibTeX."""
    from reflint.listing import render_refs

    run = _linter(config_path).lint_paths(list(paths) or ["."])
    for note in run.notes:
        _note(note)
    for error in run.errors:
        _error(error)
    click.echo(render_refs(run.files, fmt))
    sys.exit(EXIT_ERROR if run.errors else EXIT_CLEAN)


@main.command()
@click.argument("rule", required=False)
def rules(rule):
    """List all rules, or explain RULE (a code or name) with bad and good examples."""
    if rule is None:
        for r in RULES:
            default = "" if r.enabled_by_default else " (off by default)"
            fixable = "" if r.fixable == "none" else f" [fix: {r.fixable}]"
            click.echo(f"{r.code}  {r.name:<30} {r.summary}{fixable}{default}")
        return
    found = BY_CODE.get(rule.upper()) or BY_NAME.get(rule)
    if found is None:
        try:
            matches = resolve_selector(rule)
        except SelectorError as exc:
            raise click.UsageError(str(exc)) from None
        for r in matches:
            click.echo(f"{r.code}  {r.name:<30} {r.summary}")
        return
    click.echo(f"{found.code} ({found.name}), {found.severity}\n\n{found.doc}")
