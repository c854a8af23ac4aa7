"""The ``reflint`` command line: a thin layer over linter, fixer, report and bibtex.

Exit codes (ruff): 0 clean or everything fixed, 1 problems remain, 2 usage, config or
I/O error.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import sys
from pathlib import Path

import click

from reflint import __version__, baseline, changes, documents, references_dir
from reflint.bibtex import same_structure
from reflint.cache import Cache, NullCache
from reflint.config import ConfigError, load_config
from reflint.crossref import CrossrefClient
from reflint.lock import load_lock
from reflint.fixer import fix_until_stable
from reflint.linter import Linter
from reflint.models import Document
from reflint.resolve import Resolver
from reflint.report import render_github, render_json, render_text
from reflint.sarif import render_sarif
from reflint.rules import BY_CODE, BY_NAME, RULES, SelectorError, resolve_selector

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
CHECK_TIME_LIMIT = 60.0  # seconds for all lookups of a `check` when none is configured


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


def _linter(config_path: str | None, network: dict | None = None, default_time_limit=None,
            **overrides) -> Linter:
    """The configured linter; with ``network`` options, one that resolves online (or from
    the lock and cache when offline). ``time-limit = 0`` means no limit."""
    try:
        config = load_config(Path(config_path) if config_path else None)
        config = config.merged({**overrides, **(network or {})})
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    if network is None:
        return Linter(config)
    offline = config["offline"] or os.environ.get("REFLINT_OFFLINE", "") not in ("", "0")
    limit = default_time_limit if config["time-limit"] is None else config["time-limit"]
    client = None if offline else CrossrefClient(
        config["crossref-url"], config["doi-url"], config["mailto"],
        timeout=float(os.environ.get("REFLINT_TIMEOUT", config["timeout"])),
        time_limit=float(limit) if limit else None)
    cache = Cache() if config["cache"] else NullCache()
    lock = load_lock(Path(config["references-dir"]))
    return Linter(config, Resolver(client, cache, lock))


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


network_options = [
    click.option("--offline", is_flag=True, default=None,
                 help="Use only the references/ library and the cache; other lookups are unknown."),
    click.option("--no-cache", is_flag=True, default=None, help="Neither read nor write the lookup cache."),
    click.option("--mailto", help="Contact address for Crossref's polite pool (or REFLINT_MAILTO)."),
    click.option("--crossref-url", help="Crossref API base URL (or REFLINT_CROSSREF_URL)."),
    click.option("--doi-url", help="doi.org base URL (or REFLINT_DOI_URL)."),
    click.option("--time-limit", type=float,
                 help="Seconds for all lookups of the run; what is left after is unknown "
                      f"(check: {CHECK_TIME_LIMIT:g} by default; 0: no limit)."),
]


def _options(options):
    def decorate(func):
        for option in reversed(options):
            func = option(func)
        return func
    return decorate


with_selection = _options(selection)
with_network = _options(network_options)


def _network(offline, no_cache, mailto, crossref_url, doi_url, time_limit) -> dict:
    return {"offline": offline, "cache": False if no_cache else None, "mailto": mailto,
            "crossref-url": crossref_url, "doi-url": doi_url, "time-limit": time_limit}


def _report_unknown(run) -> int:
    unknown = run.resolution.unknown if run.resolution else 0
    if unknown:
        _note(f"{unknown} DOI(s) or reference(s) could not be verified (offline, or the registry "
              "did not answer); they are reported neither valid nor broken. Run again online.")
    for note in run.resolution.notes if run.resolution else []:
        _note(note)
    return unknown


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
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github", "sarif"]), default="text",
              show_default=True, help="github: Actions annotations; sarif: for code scanning upload.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when problems remain.")
@click.option("--strict-network", is_flag=True,
              help="Exit 1 when some DOI or reference could not be verified (unknown).")
@click.option("--changed-since", metavar="REF",
              help="Only files and lines changed since git REF (its merge base with HEAD), and untracked files.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Hide the problems recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record the current problems in a baseline file and exit 0.")
@click.option("--force-exclude", is_flag=True,
              help="Apply `exclude` to files named on the command line too (for pre-commit).")
@with_selection
@with_network
def check(paths, fix, unsafe_fixes, diff, fmt, exit_zero, strict_network, changed_since, baseline_path,
          write_baseline_path, force_exclude, select, extend_select, ignore, config_path, **network):
    """Lint PATHS (files or directories; default: the current directory).

    DOIs are verified with Crossref and doi.org unless --offline; answers come from the
    references/ library and the cache first. A lookup that fails is reported as unknown,
    never as a broken DOI.
    """
    linter = _linter(config_path, _network(**network), CHECK_TIME_LIMIT, select=_split(select), **{
        "extend-select": _split(extend_select), "ignore": _split(ignore)})
    if linter.resolver is not None and linter.resolver.client is not None and sys.stderr.isatty():
        from reflint.lookup_progress import DelayedProgress

        linter.resolver = DelayedProgress(linter.resolver)
    targets, keep = _narrow(linter, list(paths) or ["."], changed_since,
                            None if write_baseline_path else baseline_path, force_exclude)
    run = linter.lint_paths(targets)
    for note in run.notes:
        _note(note)
    for error in run.errors:
        _error(error)
    unknown = _report_unknown(run)
    if write_baseline_path:
        _write_baseline(write_baseline_path, run, keep, fix or diff)
    if fix or diff:
        results, fixed, changed, failed = _fix(linter, run, keep, unsafe_fixes, diff)
    else:
        results = [(r.doc, keep(r.doc, r.diagnostics)) for r in run.files]
        fixed, changed, failed = 0, False, False
    if diff:
        remaining = changed
    else:
        remaining = any(diags for _, diags in results)
        _render(fmt, results, run, unknown, fixed)
    if failed or run.errors:
        sys.exit(EXIT_ERROR)
    remaining = remaining or (strict_network and unknown > 0)
    sys.exit(EXIT_PROBLEMS if remaining and not exit_zero else EXIT_CLEAN)


def _fix(linter: Linter, run, keep, unsafe: bool, diff: bool):
    """Fix every file until stable; write it back (or print the diff). Returns the
    (document, remaining diagnostics) pairs, the number fixed, whether anything changed,
    and whether a write failed."""
    results, fixed, changed, failed = [], 0, False, False
    for result in run.files:
        doc = result.doc
        outcome = fix_until_stable(doc, lambda d: keep(d, linter.lint_document(d).diagnostics),
                                   _rebuild, unsafe)
        if outcome.text == doc.text:
            results.append((doc, outcome.remaining))
            continue
        if doc.kind == "bibtex" and not same_structure(doc.text, outcome.text):
            _error(f"{doc.path}: the fixes would change the BibTeX structure, so nothing was "
                   "written - fix this file by hand (and please report it)")
            failed = True
            results.append((doc, keep(doc, result.diagnostics)))
            continue
        changed = True
        if diff:
            click.echo(_unified_diff(doc, outcome.text), nl=False)
            results.append((doc, keep(doc, result.diagnostics)))
            continue
        try:
            documents.write(doc, outcome.text)
        except documents.DocumentError as exc:
            _error(str(exc))
            failed = True
            results.append((doc, keep(doc, result.diagnostics)))
            continue
        fixed += outcome.fixed
        results.append((outcome.document, outcome.remaining))
    return results, fixed, changed, failed


def _render(fmt: str, results, run, unknown: int, fixed: int) -> None:
    if fmt == "json":
        refs = sum(len(r.extraction.references) for r in run.files)
        click.echo(render_json(results, len(run.files), refs, unknown))
    elif fmt == "sarif":
        click.echo(render_sarif(results))
    elif fmt == "github":
        if any(diags for _, diags in results):  # nothing when clean: every line is a command
            click.echo(render_github(results))
    else:
        click.echo(render_text(results, fixed))


def _narrow(linter: Linter, targets: list[str], changed_since, baseline_path, force_exclude):
    """--changed-since, --force-exclude, --baseline: the paths to lint, and ``keep(doc,
    diagnostics)``, the filter for what is reported and fixed (see changes.py, baseline.py)."""
    filters = []
    try:
        changed = changes.since(changed_since) if changed_since else None
        if changed is not None:
            filters.append(changed.keep)
        if baseline_path:
            filters.append(baseline.Baseline.load(baseline_path).keep)
        if changed is not None or force_exclude:
            existing = [t for t in targets if os.path.exists(t)]
            c = linter.config
            found, notes = documents.discover(existing, c["include"], c["exclude"], c["respect-gitignore"],
                                              force_exclude=force_exclude)
            for note in notes:
                _note(note)
            targets = [t for t in targets if t not in existing] + [
                str(p) for p in found if changed is None or changed.touches(p)]
    except (changes.ChangesError, baseline.BaselineError, documents.DocumentError) as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)

    def keep(doc: Document, diagnostics: list) -> list:
        for narrow in filters:
            diagnostics = narrow(doc, diagnostics)
        return diagnostics
    return targets, keep


def _write_baseline(path: str, run, keep, fixing: bool) -> None:
    """--write-baseline: record what this run found (ignoring --baseline) and exit."""
    if fixing:
        raise click.UsageError("--write-baseline records problems; it cannot be combined with --fix or --diff")
    try:
        count = baseline.write([(r.doc, keep(r.doc, r.diagnostics)) for r in run.files], path)
    except baseline.BaselineError as exc:
        _error(str(exc))
        sys.exit(EXIT_ERROR)
    click.echo(f"Recorded {count} problem(s) in {path}; `--baseline {path}` hides them.")
    sys.exit(EXIT_ERROR if run.errors else EXIT_CLEAN)


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
@with_network
def bib(paths, output, check_only, config_path, **network):
    """Write the normalised BibTeX library: one .bib per document with references.

    Entries whose DOI the registry confirms are written with Crossref's metadata and
    their verification; later runs answer those DOIs from the library without network.
    """
    overrides = {"references-dir": output} if output else {}
    linter = _linter(config_path, _network(**network), **overrides)
    out = Path(linter.config["references-dir"])
    roots = list(paths) or ["."]
    run = linter.lint_paths(roots)
    for error in run.errors:
        _error(error)
    if run.errors:
        sys.exit(EXIT_ERROR)
    _report_unknown(run)
    plan = references_dir.plan(run.files, roots, out, run.resolution,
                               single=linter.config["bib-layout"] == "single")
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
    removed = f"; removed {written.removed} stale file(s)" if written.removed else ""
    click.echo(f"Wrote {written.written} file(s) to {out}/; {len(plan) - written.written} unchanged{removed}.")


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


@main.group()
def cache():
    """Inspect or empty the lookup cache (REFLINT_CACHE_DIR moves it)."""


@cache.command("info")
def cache_info():
    """Where the cache lives and what it holds."""
    info = Cache().info()
    click.echo(f"path: {info['path']}\nentries: {info['entries']} ({info['positive']} found, "
               f"{info['negative']} not found)\nsize: {info['size_bytes']} bytes")


@cache.command("clear")
def cache_clear():
    """Delete every cached answer."""
    click.echo(f"Removed {Cache().clear()} cached answer(s).")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the audit summary as JSON (schema version 1).")
@click.option("--html", "html_path", type=click.Path(dir_okay=False), metavar="REPORT",
              help="Also write a self-contained HTML report to REPORT.")
@with_selection
@with_network
def audit(paths, as_json, html_path, select, extend_select, ignore, config_path, **network):
    """Audit a whole repository: progress bar, summary by rule and by document, HTML report.

    Exit codes as for `check`: 0 no problems, 1 problems remain, 2 errors.
    """
    from reflint.audit import run_audit

    linter = _linter(config_path, _network(**network), select=_split(select), **{
        "extend-select": _split(extend_select), "ignore": _split(ignore)})
    sys.exit(run_audit(linter, list(paths) or ["."], as_json=as_json, html_path=html_path))
