"""``reflint audit``: lint a whole repository once and summarise it.

Three outputs of one summary (:func:`summarise`, JSON schema version 1):

- terminal tables (rich): problems by rule and by document, totals, the unknown count;
- ``--json``: ``{"version", "files", "rules", "diagnostics", "summary"}`` where ``diagnostics``
  are the same objects as ``reflint check --format json``;
- ``--html REPORT``: one self-contained page (:mod:`reflint.html_report`).

While the resolver works, a progress bar (stderr, only when it is a terminal) counts the
lookups that need the network: DOIs that neither the ``references/`` lock nor the cache
answer, and references that need a bibliographic search. The resolver may add follow-up
lookups (a DOI found broken is searched for); the total then grows rather than lie.

A document's **health** is ``100 × (1 − weighted problems / max(references + citations, 1))``,
floored at 0, where an error weighs 1, a warning 0.5 and an info 0.1: 100 is clean, 0 means
about one error per reference or citation. The repository's health is the same formula over
the totals.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from reflint.cli_options import RunOptions, error
from reflint.linter import Linter, Run
from reflint.report import SCHEMA_VERSION, diagnostic_dict
from reflint.resolve import Resolver
from reflint.rules import BY_CODE
from reflint.text import printable

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
SEVERITIES = ("error", "warning", "info")
RANK = {"error": 3, "warning": 2, "info": 1}
WEIGHT = {"error": 1.0, "warning": 0.5, "info": 0.1}
STYLE = {"error": "bold red", "warning": "yellow", "info": "blue"}


def health(severities: list[str], items: int) -> int:
    penalty = sum(WEIGHT.get(s, 1.0) for s in severities)
    return max(0, round(100 * (1 - penalty / max(items, 1))))


def worst(severities: list[str]) -> str | None:
    return max(severities, key=lambda s: RANK.get(s, 0)) if severities else None


# -- the summary (JSON schema version 1) ----------------------------------------------------------


def summarise(run: Run) -> dict:
    files: list[dict] = []
    diagnostics: list[dict] = []
    for result in sorted(run.files, key=lambda r: r.doc.path):
        diags = [diagnostic_dict(d, result.doc) for d in result.diagnostics]
        diagnostics.extend(diags)
        refs, cites = len(result.extraction.references), len(result.extraction.citations)
        severities = [d["severity"] for d in diags]
        files.append(
            {
                "path": result.doc.path,
                "references": refs,
                "citations": cites,
                "diagnostics": dict(sorted(Counter(d["code"] for d in diags).items())),
                "problems": len(diags),
                "worst_severity": worst(severities),
                "health": health(severities, refs + cites),
            }
        )
    severities = [d["severity"] for d in diagnostics]
    fixes = Counter(d["fix"]["applicability"] for d in diagnostics if d["fix"])
    references = sum(f["references"] for f in files)
    citations = sum(f["citations"] for f in files)
    return {
        "version": SCHEMA_VERSION,
        "files": files,
        "rules": dict(sorted(Counter(d["code"] for d in diagnostics).items())),
        "diagnostics": diagnostics,
        "summary": {
            "files": len(files),
            "files_with_problems": sum(bool(f["problems"]) for f in files),
            "references": references,
            "citations": citations,
            "diagnostics": len(diagnostics),
            **{s: severities.count(s) for s in SEVERITIES},
            "fixable": {"safe": fixes["safe"], "unsafe": fixes["unsafe"]},
            "unknown": run.resolution.unknown if run.resolution else 0,
            "health": health(severities, references + citations),
        },
    }


# -- progress -------------------------------------------------------------------------------------


class ProgressResolver:
    """Wraps a run's Resolver and shows a bar on ``console`` while it resolves."""

    def __init__(self, resolver: Resolver, console: Console):
        self.resolver, self.console = resolver, console

    def __getattr__(self, name):
        return getattr(self.resolver, name)

    def resolve(self, extractions):
        total = self.resolver.pending(extractions) or None  # None: indeterminate
        columns = (
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=self.console, transient=True) as bar:
            task = bar.add_task("Resolving DOIs and references", total=total)

            def advance(n: int) -> None:
                bar.advance(task, n)
                done, expected = bar.tasks[0].completed, bar.tasks[0].total
                if expected is not None and done > expected:  # follow-ups: a broken DOI's search
                    bar.update(task, total=done, description="Resolving follow-up lookups")

            previous, self.resolver.progress = self.resolver.progress, advance
            try:
                return self.resolver.resolve(extractions)
            finally:
                self.resolver.progress = previous


# -- terminal -------------------------------------------------------------------------------------


def _severity(text: str | None) -> str:
    return f"[{STYLE[text]}]{text}[/]" if text else "[dim]-[/]"


def _health(score: int) -> str:
    colour = "green" if score >= 90 else "yellow" if score >= 60 else "red"
    return f"[{colour}]{score}[/]"


def rules_table(report: dict) -> Table:
    table = Table(
        title="Problems by rule", box=box.SIMPLE_HEAD, show_footer=True, title_justify="left", title_style="bold"
    )
    table.add_column("Code", footer="Total", no_wrap=True)
    table.add_column("Name")
    table.add_column("Severity")
    table.add_column("Count", justify="right", footer=str(report["summary"]["diagnostics"]))
    table.add_column("Fixable")
    for code, count in report["rules"].items():
        rule = BY_CODE.get(code)
        table.add_row(
            code,
            rule.name if rule else "",
            _severity(rule.severity if rule else None),
            str(count),
            rule.fixable if rule and rule.fixable != "none" else "[dim]-[/]",
        )
    return table


def documents_table(report: dict) -> Table:
    summary = report["summary"]
    table = Table(
        title="Problems by document", box=box.SIMPLE_HEAD, show_footer=True, title_justify="left", title_style="bold"
    )
    files = summary["files"]
    table.add_column("Path", footer=f"{files} file{'s' * (files != 1)}", overflow="fold")
    table.add_column("Refs", justify="right", footer=str(summary["references"]))
    table.add_column("Cites", justify="right", footer=str(summary["citations"]))
    table.add_column("Problems", justify="right", footer=str(summary["diagnostics"]))
    table.add_column("Worst")
    table.add_column("Health", justify="right", footer=_health(summary["health"]))
    shown = sorted(
        (f for f in report["files"] if f["problems"]), key=lambda f: (f["health"], -f["problems"], f["path"])
    )
    for f in shown:
        table.add_row(
            escape(printable(f["path"])),
            str(f["references"]),
            str(f["citations"]),
            str(f["problems"]),
            _severity(f["worst_severity"]),
            _health(f["health"]),
        )
    if clean := files - len(shown):
        table.add_row(f"[dim]... {clean} file(s) without problems[/]", "", "", "", "", "")
    return table


def print_summary(report: dict, console: Console, errors: int = 0) -> None:
    s = report["summary"]
    if report["rules"]:
        console.print(rules_table(report))
    console.print(documents_table(report))
    if not s["diagnostics"] and errors:
        console.print(
            f"[red]No problems found in what could be checked[/], but {errors} error(s) kept "
            "reflint from checking everything (see above)."
        )
    elif not s["diagnostics"]:
        console.print(
            f"[green]All checks passed[/]: {s['files']} files, {s['references']} "
            f"references, {s['citations']} citations."
        )
    else:
        counts = ", ".join(f"{s[k]} {k}{'s' * (s[k] != 1 and k != 'info')}" for k in SEVERITIES if s[k])
        console.print(
            f"Found {s['diagnostics']} problems ({counts}) in {s['files_with_problems']} "
            f"of {s['files']} files. Health {_health(s['health'])}/100."
        )
        fix = s["fixable"]
        if fix["safe"] or fix["unsafe"]:
            console.print(
                f"{fix['safe']} fixable with `reflint check --fix`, {fix['unsafe']} more "
                "with `--fix --unsafe-fixes`."
            )
    if s["unknown"]:
        console.print(
            f"[yellow]{s['unknown']} unknown[/]: DOIs or references that could not be "
            "verified (offline, or the registry did not answer); neither valid nor broken."
        )


# -- the command ----------------------------------------------------------------------------------


def console_for(stream, colour: bool) -> Console:
    """Rich output to ``stream``: coloured as ``--color`` decided; a pipe or file gets lines as
    wide as their content (no folding at 80 columns), so paths stay whole for grep and diff."""
    terminal = hasattr(stream, "isatty") and stream.isatty()
    return Console(
        file=stream,
        highlight=False,
        force_terminal=colour,
        no_color=not colour,
        color_system="auto" if colour else None,
        width=None if terminal else PIPE_WIDTH,
        soft_wrap=not terminal,
    )


PIPE_WIDTH = 4096


def fix_excerpts(run: Run) -> list[list[str]]:
    """For each diagnostic of :func:`summarise` (same order), the text each fix edit replaces:
    the HTML report shows ``old -> new`` instead of offsets."""
    out = []
    for result in sorted(run.files, key=lambda r: r.doc.path):
        for d in result.diagnostics:
            out.append([result.doc.text[e.start : e.end] for e in d.fix.edits] if d.fix else [])
    return out


def wants_progress(linter: Linter, opts: RunOptions, stream) -> bool:
    """A bar only when lookups go online, on a terminal, and neither --no-progress nor -q."""
    online = linter.resolver is not None and linter.resolver.client is not None
    terminal = hasattr(stream, "isatty") and stream.isatty()
    return online and terminal and not (opts.no_progress or opts.quiet)


def run_audit(
    linter: Linter,
    paths: list[str],
    opts: RunOptions,
    keep=None,
    as_json: bool = False,
    html_path: str | None = None,
    scope: list[str] | None = None,
) -> int:
    """Lint ``paths``, print the summary (tables or JSON), write the HTML report; exit code.

    ``keep(doc, diagnostics)`` narrows what is reported (--changed-since, --baseline)."""
    if linter.resolver is not None and wants_progress(linter, opts, sys.stderr):
        err = Console(stderr=True, highlight=False)
        linter.resolver = ProgressResolver(linter.resolver, err)  # type: ignore[assignment]
    run = linter.lint_paths(paths)
    if keep is not None:
        for result in run.files:
            result.diagnostics = keep(result.doc, result.diagnostics)
    for note in run.notes:
        opts.note(note)
    for message in run.errors:
        error(message)
    report = summarise(run)
    failed = bool(run.errors)
    if html_path:
        from reflint.html_report import render_html

        try:
            page = render_html(report, scope or paths, fix_excerpts(run))
            Path(html_path).write_text(page, encoding="utf-8")
            if not opts.quiet:
                click.echo(f"Wrote the HTML report to {html_path}", err=True)
        except OSError as exc:
            error(f"{html_path}: cannot write the report ({exc.strerror})")
            failed = True
    if as_json:
        opts.echo(json.dumps(report, indent=2, ensure_ascii=False))
    else:
        print_summary(report, console_for(opts.stream, opts.colour), errors=len(run.errors))
    if failed:
        return EXIT_ERROR
    unknown = report["summary"]["unknown"]
    remaining = bool(report["diagnostics"]) or (opts.strict_network and unknown > 0)
    return EXIT_PROBLEMS if remaining and not opts.exit_zero else EXIT_CLEAN
