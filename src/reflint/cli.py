"""The ``reflint`` command line: a thin layer over linter, fixer, report and bibtex.

Exit codes (ruff): 0 clean or everything fixed, 1 problems remain, 2 usage, config or
I/O error, and 2 for an unexpected exception too (never 1, which CI reads as "problems").
Options shared by commands live in ``cli_options``; ``check``'s steps in ``cli_check``.
"""

from __future__ import annotations

import atexit
import gc
import json
import os
import sys
import threading
from pathlib import Path

import click

from reflint import __version__, cli_check, discovery, references_dir, rule_docs
from reflint.cache import Cache
from reflint.cli_options import (
    CHECK_TIME_LIMIT,
    CONFIG,
    NETWORK,
    JOBS,
    RunOptions,
    build_linter,
    network_settings,
    options,
    shared_options,
)
from reflint.cli_options import error as _error
from reflint.cli_options import note as _note
from reflint.linter import Reported
from reflint.report import render_fixed
from reflint.rules import BY_CODE, BY_NAME, RULES, SelectorError, resolve_selector

EXIT_CLEAN, EXIT_PROBLEMS, EXIT_ERROR = 0, 1, 2
ISSUES_URL = "https://github.com/reflint/reflint/issues"


def _report_unknown(run, opts: RunOptions | None = None) -> int:
    unknown = run.resolution.unknown if run.resolution else 0
    if unknown and not (opts and opts.quiet):
        _note(
            f"{unknown} DOI(s) or reference(s) could not be verified (offline, or the registry "
            "did not answer); they are reported neither valid nor broken. Run again online."
        )
    for note in run.resolution.notes if run.resolution else []:
        _note(note)
    return unknown


class ReflintGroup(click.Group):
    """Turns an unexpected exception into a short message and exit 2: exit 1 means "problems
    found" to CI, and a traceback helps nobody but us (REFLINT_DEBUG=1 shows it)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:  # `reflint check | head`: the reader left, nothing to say
            try:  # and nothing to flush at exit either
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            except (OSError, ValueError, AttributeError):
                pass
            ctx.exit(EXIT_ERROR)
        except Exception as exc:
            if os.environ.get("REFLINT_DEBUG"):
                raise
            _error(f"reflint {__version__} failed unexpectedly: {type(exc).__name__}: {exc}")
            click.echo(
                f"  This is a bug in reflint. Please report it at {ISSUES_URL} with the command "
                "you ran (REFLINT_DEBUG=1 shows the traceback).",
                err=True,
            )
            ctx.exit(EXIT_ERROR)


@click.group(cls=ReflintGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="reflint")
def main() -> None:
    """Find broken DOIs, unverifiable references and citations that lead nowhere.

    reflint reads Markdown, plain text, HTML and BibTeX. Start with `reflint check .`
    and `reflint rules` to see what each code means.
    """


def run() -> None:
    """The ``reflint`` command as a process: ``main``, then out without tearing the
    interpreter down. Freeing every object of a run costs 60-100 ms after the report is
    out (mypy skips it the same way); the exit handlers still run. Any thread still working,
    output that cannot be flushed, or a profiler or tracer (``python -m cProfile``, a
    debugger) takes the ordinary way out instead.

    The cyclic garbage collector runs rarely, as mypy sets it: a run keeps many objects
    alive (the parser's model, each file's extraction), and the default thresholds had it
    walk all of them again and again, about 5% of a cold ``check`` (``--jobs`` workers take
    the setting, forked or spawned; peak memory is unchanged, since a run makes few reference
    cycles)."""
    gc.set_threshold(200_000, 30, 30)
    try:
        main()
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    if (
        not isinstance(code, int | None)
        or sys.getprofile()
        or sys.gettrace()
        or any(t.is_alive() and not t.daemon and t is not threading.main_thread() for t in threading.enumerate())
    ):
        sys.exit(code)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)  # a closed pipe: let the interpreter report it as usual
    atexit._run_exitfuncs()
    os._exit(code or 0)


FORMATS = ["text", "json", "github", "sarif"]


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--fix", is_flag=True, help="Apply safe fixes in place.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Show the fixes as a unified diff; write nothing.")
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="github: Actions annotations; sarif: for code scanning upload.",
)
@click.option("--statistics", is_flag=True, help="Count problems by rule instead of listing them.")
@click.option("--show-fixes", is_flag=True, help="With --fix, list what was fixed, by file and rule.")
@click.option(
    "--stdin-filename",
    metavar="PATH",
    help="Lint the text on stdin as if it were PATH (its type, config and excludes); "
    "with --fix, print the fixed text.",
)
@click.option(
    "--write-baseline",
    "write_baseline_path",
    type=click.Path(dir_okay=False),
    help="Record the current problems in a baseline file and exit 0.",
)
@shared_options
def check(paths, fix, unsafe_fixes, diff, fmt, statistics, show_fixes, stdin_filename, write_baseline_path, **shared):
    """Lint PATHS (files or directories; default: the current directory; `-` reads stdin).

    DOIs are verified with Crossref and doi.org unless --offline; answers come from the
    references/ library and the cache first. A lookup that fails is reported as unknown,
    never as a broken DOI.
    """
    opts = RunOptions.take(shared)
    if write_baseline_path and (fix or diff):
        raise click.UsageError("--write-baseline records problems; it cannot be combined with --fix or --diff")
    from_stdin = stdin_filename is not None or list(paths) == ["-"]
    if from_stdin and opts.changed_since:
        raise click.UsageError("--changed-since needs files in a git repository, not stdin")
    linter = opts.linter(default_time_limit=CHECK_TIME_LIMIT)
    if (
        linter.resolver is not None
        and linter.resolver.client is not None
        and sys.stderr.isatty()
        and not opts.no_progress
    ):
        from reflint.lookup_progress import DelayedProgress

        linter.resolver = DelayedProgress(linter.resolver)
    if from_stdin:
        _, keep = cli_check.narrow(linter, opts, [], None if write_baseline_path else opts.baseline_path)
        run = cli_check.lint_stdin(linter, stdin_filename or "-", opts.force_exclude)
        if fix and not opts.output_file:
            opts.use_stream(sys.stderr)  # stdout carries the fixed text
    else:
        targets, keep = cli_check.narrow(
            linter, opts, list(paths) or ["."], None if write_baseline_path else opts.baseline_path
        )
        run = linter.lint_paths(targets, stream=not (fix or diff or write_baseline_path))
    for note in run.notes:
        opts.note(note)
    for error in run.errors:
        _error(error)
    unknown = _report_unknown(run, opts)
    if write_baseline_path:
        cli_check.write_baseline(write_baseline_path, run, keep)
    if fix or diff:
        outcome = cli_check.fix(linter, run, keep, unsafe_fixes, diff, to_stdout=from_stdin and fix)
    else:
        outcome = cli_check.FixResult(Reported((r.doc, keep(r.doc, r.diagnostics)) for r in run.files))
    results = outcome.results
    if diff:
        remaining = outcome.changed
    else:
        results = results if isinstance(results, Reported) else Reported(results)  # read once
        cli_check.render(opts, fmt, statistics, results, run, unknown, outcome.fixed)
        remaining = results.remaining
    if show_fixes and fix:
        plain = fmt == "text" and not statistics and opts.stream is not sys.stderr
        click.echo(render_fixed(outcome.by_file), file=opts.stream if plain else sys.stderr)
    opts.close()
    if outcome.failed or run.errors:
        sys.exit(EXIT_ERROR)
    remaining = remaining or (opts.strict_network and unknown > 0)
    sys.exit(EXIT_PROBLEMS if remaining and not opts.exit_zero else EXIT_CLEAN)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False),
    default=None,
    help="Library directory (default: the `references-dir` setting, `references`).",
)
@click.option("--check", "check_only", is_flag=True, help="Write nothing; exit 1 when the library is stale.")
@options(CONFIG, NETWORK, JOBS)
def bib(paths, output, check_only, config_path, jobs, **network):
    """Write the normalised BibTeX library: one .bib per document with references.

    Entries whose DOI the registry confirms are written with Crossref's metadata and
    their verification, and PMIDs with PubMed's answer; later runs answer those DOIs and
    PMIDs from the library without network.
    """
    overrides = {"references-dir": output} if output else {}
    linter = build_linter(config_path, network_settings(network), jobs=jobs, **overrides)
    out = Path(linter.config["references-dir"])
    roots = list(paths) or ["."]
    run = linter.lint_paths(roots)
    library = os.path.abspath(out)  # the library is output: a .bib kept in it is never a source
    run.files = [r for r in run.files if not discovery.inside(os.path.abspath(r.doc.file or r.doc.path), library)]
    for error in run.errors:
        _error(error)
    if run.errors:
        sys.exit(EXIT_ERROR)
    _report_unknown(run)
    plan = references_dir.plan(run.files, roots, out, run.resolution, single=linter.config["bib-layout"] == "single")
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
@click.option(
    "--output-format", "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@options(CONFIG, JOBS)
def refs(paths, fmt, config_path, jobs):
    """List the references reflint extracted, with parsed fields and BibTeX."""
    from reflint.listing import render_refs

    run = build_linter(config_path, jobs=jobs).lint_paths(list(paths) or ["."])
    for note in run.notes:
        _note(note)
    for error in run.errors:
        _error(error)
    click.echo(render_refs(run.files, fmt))
    sys.exit(EXIT_ERROR if run.errors else EXIT_CLEAN)


@main.command()
@click.argument("rule", required=False)
@click.option(
    "--output-format",
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    show_default=True,
    help="json: for tools; markdown: the rule's documentation page.",
)
def rules(rule, fmt):
    """List all rules, or explain RULE (a code, prefix or name) with bad and good examples."""
    if rule is None:
        chosen = list(RULES)
    elif (found := BY_CODE.get(rule.upper()) or BY_NAME.get(rule)) is not None:
        chosen = [found]
    else:
        try:
            chosen = resolve_selector(rule)
        except SelectorError as exc:
            raise click.UsageError(str(exc)) from None
    if fmt == "json":
        click.echo(json.dumps([rule_docs.as_dict(r) for r in chosen], indent=2, ensure_ascii=False))
    elif fmt == "markdown":
        click.echo("\n".join(rule_docs.markdown_page(r) for r in chosen), nl=False)
    elif len(chosen) == 1 and rule is not None:
        click.echo(rule_docs.terminal(chosen[0]))
    else:
        for r in chosen:
            default = "" if r.enabled_by_default else " (off by default)"
            fixable = "" if r.fixable == "none" else f" [fix: {r.fixable}]"
            click.echo(f"{r.code}  {r.name:<30} {r.summary}{fixable}{default}")


@main.group()
def cache():
    """Inspect or empty the lookup cache (REFLINT_CACHE_DIR moves it)."""


@cache.command("info")
def cache_info():
    """Where the cache lives and what it holds."""
    from reflint.outage import count_all

    cache = Cache()
    info, outages = cache.info(), count_all(cache)  # an outage is kept as a negative entry
    click.echo(
        f"path: {info['path']}\nregistry answers: {info['entries'] - outages} ({info['positive']} found, "
        f"{info['negative'] - outages} not found)\nremembered outages: {outages}\nparsed references: "
        f"{info['parsed']}\nchecked files: {info['files']}\nsize: {info['size_bytes']} bytes"
    )


@cache.command("clear")
@click.option(
    "--outages", is_flag=True, help="Forget only remembered registry outages (ask a registry that is back now)."
)
def cache_clear(outages):
    """Empty the cache: registry answers, parsed references and checked files."""
    if outages:
        from reflint.outage import forget_all

        click.echo(f"Forgot {forget_all(Cache())} remembered outage(s).")
    else:
        click.echo(f"Removed {Cache().clear()} cached answer(s), with the parsed references and checked files.")


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--json", "as_json", is_flag=True, help="Print the audit summary as JSON (schema version 1).")
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False),
    metavar="REPORT",
    help="Also write a self-contained HTML report to REPORT.",
)
@shared_options
def audit(paths, as_json, html_path, **shared):
    """Audit a whole repository: progress bar, summary by rule and by document, HTML report.

    Takes `check`'s selection, network, scope and output options. Exit codes as for `check`:
    0 no problems, 1 problems remain, 2 errors.
    """
    from reflint.audit import run_audit

    opts = RunOptions.take(shared)
    linter = opts.linter()
    targets, keep = cli_check.narrow(linter, opts, list(paths) or ["."], opts.baseline_path)
    code = run_audit(linter, targets, opts, keep, as_json=as_json, html_path=html_path, scope=list(paths) or ["."])
    opts.close()
    sys.exit(code)
