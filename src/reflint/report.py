"""Render diagnostics as text (``path:line:col: CODE message``), JSON (schema version 1) or
GitHub Actions workflow commands; SARIF lives in ``reflint.sarif``.

Columns are 1-based and ``end_column`` is exclusive, as in ruff's JSON output.
"""

from __future__ import annotations

import json
from collections import Counter

import click

from reflint.fixer import applicable
from reflint.models import Applicability, Diagnostic, Document
from reflint.text import printable

SCHEMA_VERSION = 1
APPLICABILITY = {Applicability.SAFE: "safe", Applicability.UNSAFE: "unsafe", Applicability.DISPLAY: "display-only"}


def diagnostic_dict(diag: Diagnostic, doc: Document) -> dict:
    line, column = doc.position(diag.start)
    end_line, end_column = doc.position(diag.end)
    fix = None
    if diag.fix:
        fix = {
            "applicability": APPLICABILITY[diag.fix.applicability],
            "message": diag.fix.message,
            "edits": [
                {"start": list(doc.position(e.start)), "end": list(doc.position(e.end)), "content": e.content}
                for e in diag.fix.edits
            ],
        }
    return {
        "code": diag.code,
        "name": diag.name,
        "severity": diag.severity,
        "message": diag.message,
        "path": diag.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "data": diag.data,
        "fix": fix,
    }


def render_json(results, files: int, references: int, unknown: int = 0) -> str:
    """``results`` is an iterable of (Document, [Diagnostic])."""
    diagnostics = [diagnostic_dict(d, doc) for doc, diags in results for d in diags]
    return json.dumps(
        {
            "version": SCHEMA_VERSION,
            "diagnostics": diagnostics,
            "summary": {"files": files, "references": references, "diagnostics": len(diagnostics), "unknown": unknown},
        },
        indent=2,
        ensure_ascii=False,
    )


def _plain(text: str, **_style) -> str:
    return text


def render_text(results, fixed: int = 0, errors: int = 0, colour: bool = False, summary: bool = True) -> str:
    """One line per problem (``path:line:col: CODE [*] message``) and its fix, then a summary
    that never says "All checks passed." when an error kept some path from being checked."""
    style = click.style if colour else _plain
    lines = []
    total = safe = unsafe = 0
    for doc, diags in results:
        for d in diags:
            total += 1
            line, column = doc.position(d.start)
            marker = style(" [*]", fg="cyan") if applicable(d, unsafe=False) else ""
            lines.append(
                f"{style(printable(d.path), bold=True)}{style(f':{line}:{column}:', dim=True)} "
                f"{style(d.code, fg=_COLOUR[d.severity], bold=True)}{marker} {printable(d.message)}"
            )
            if d.fix:
                kind = APPLICABILITY[d.fix.applicability]
                lines.append(f"  {style(f'fix ({kind}):', fg=_FIX_COLOUR[kind])} {printable(d.fix.message)}")
                safe += applicable(d, unsafe=False)
                unsafe += d.fix.applicability == Applicability.UNSAFE
    if summary:
        lines.append(_summary(total, safe, unsafe, fixed, errors, style))
    return "\n".join(lines)


_COLOUR = {"error": "red", "warning": "yellow", "info": "blue"}
_FIX_COLOUR = {"safe": "green", "unsafe": "yellow", "display-only": None}


def _summary(total: int, safe: int, unsafe: int, fixed: int, errors: int = 0, style=_plain) -> str:
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} problem{'s' * (fixed != 1)}.")
    failed = (
        (f"{errors} error{'s' * (errors != 1)} kept reflint from checking everything " "(see above).") if errors else ""
    )
    if total == 0:
        if errors:
            parts.append(style("No problems found in what could be checked, but", fg="red", bold=True))
            parts.append(failed)
        else:
            parts.append(style("All checks passed." if not fixed else "No problems remain.", fg="green", bold=True))
        return " ".join(parts)
    parts.append(style(f"Found {total} problem{'s' * (total != 1)}.", bold=True))
    if safe:
        parts.append(f"{safe} fixable with `--fix`.")
    if unsafe:
        parts.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.")
    if errors:
        parts.append(failed)
    return " ".join(parts)


def statistics(results) -> list[dict]:
    """Problems counted by rule, most frequent first (``--statistics``)."""
    counts: Counter = Counter()
    fixable: set[str] = set()
    names: dict[str, str] = {}
    for _, diags in results:
        for d in diags:
            counts[d.code] += 1
            names[d.code] = d.name
            if applicable(d, unsafe=False):
                fixable.add(d.code)
    return [
        {"code": code, "name": names[code], "count": n, "fixable": code in fixable}
        for code, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]


def render_statistics(results, fmt: str = "text", colour: bool = False, summary: bool = True) -> str:
    """ruff's ``--statistics``: ``count  CODE  [*] name`` per rule, or a JSON list."""
    rows = statistics(results)
    if fmt == "json":
        return json.dumps(rows, indent=2)
    style = click.style if colour else _plain
    width = max((len(str(r["count"])) for r in rows), default=1)
    lines = [
        f"{r['count']:>{width}}\t{style(r['code'], bold=True)}\t"
        f"{style('[*]', fg='cyan') if r['fixable'] else '[ ]'} {r['name']}"
        for r in rows
    ]
    if summary:
        total = sum(r["count"] for r in rows)
        lines.append(
            style(f"Found {total} problem{'s' * (total != 1)}.", bold=True)
            if total
            else style("All checks passed.", fg="green", bold=True)
        )
    return "\n".join(lines)


def render_fixed(fixed: dict[str, Counter]) -> str:
    """``--show-fixes``: what ``--fix`` changed, per file and rule (ruff's layout)."""
    total = sum(sum(c.values()) for c in fixed.values())
    if not total:
        return "No problems fixed."
    lines = [f"Fixed {total} problem{'s' * (total != 1)}:"]
    for path, codes in sorted(fixed.items()):
        if codes:
            lines.append(f"- {path}:")
            lines.extend(f"    {n} \u00d7 {code}" for code, n in sorted(codes.items()))
    return "\n".join(lines)


_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def gh_data(value: str) -> str:
    """Escape a workflow-command message: GitHub would end it at a raw line break."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def gh_property(value: str) -> str:
    """Escape a workflow-command property, where `,` separates properties and `:` ends them."""
    return gh_data(value).replace(":", "%3A").replace(",", "%2C")


def render_github(results) -> str:
    """GitHub Actions workflow commands, one per diagnostic, which the runner turns into
    annotations on the pull request. Columns are sent only for one-line spans, the only
    ones GitHub annotates by column."""
    lines = []
    for doc, diags in results:
        for d in diags:
            line, column = doc.position(d.start)
            end_line, end_column = doc.position(d.end)
            one_line = end_line == line
            props = [
                ("file", d.path),
                ("line", line),
                ("col", column if one_line else None),
                ("endLine", end_line),
                ("endColumn", end_column if one_line else None),
                ("title", f"{d.code} ({d.name})"),
            ]
            joined = ",".join(f"{key}={gh_property(str(value))}" for key, value in props if value is not None)
            message = f"{d.message} (fix: {d.fix.message})" if d.fix else d.message
            lines.append(f"::{_GITHUB_COMMAND[d.severity]} {joined}::{gh_data(message)}")
    return "\n".join(lines)
