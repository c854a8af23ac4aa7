"""Render diagnostics as text (``path:line:col: CODE message``), JSON (schema version 1) or
GitHub Actions workflow commands; SARIF lives in ``reflint.sarif``.

Columns are 1-based and ``end_column`` is exclusive, as in ruff's JSON output.
"""

from __future__ import annotations

import json

from reflint.fixer import applicable
from reflint.models import Applicability, Diagnostic, Document

SCHEMA_VERSION = 1
APPLICABILITY = {Applicability.SAFE: "safe", Applicability.UNSAFE: "unsafe",
                  Applicability.DISPLAY: "display-only"}


def diagnostic_dict(diag: Diagnostic, doc: Document) -> dict:
    line, column = doc.position(diag.start)
    end_line, end_column = doc.position(diag.end)
    fix = None
    if diag.fix:
        fix = {
            "applicability": APPLICABILITY[diag.fix.applicability],
            "message": diag.fix.message,
            "edits": [{"start": list(doc.position(e.start)), "end": list(doc.position(e.end)),
                       "content": e.content} for e in diag.fix.edits],
        }
    return {"code": diag.code, "name": diag.name, "severity": diag.severity,
            "message": diag.message, "path": diag.path, "line": line, "column": column,
            "end_line": end_line, "end_column": end_column, "data": diag.data, "fix": fix}


def render_json(results, files: int, references: int, unknown: int = 0) -> str:
    """``results`` is an iterable of (Document, [Diagnostic])."""
    diagnostics = [diagnostic_dict(d, doc) for doc, diags in results for d in diags]
    return json.dumps({
        "version": SCHEMA_VERSION,
        "diagnostics": diagnostics,
        "summary": {"files": files, "references": references,
                    "diagnostics": len(diagnostics), "unknown": unknown},
    }, indent=2, ensure_ascii=False)


def render_text(results, fixed: int = 0) -> str:
    lines = []
    total = safe = unsafe = 0
    for doc, diags in results:
        for d in diags:
            total += 1
            line, column = doc.position(d.start)
            marker = " [*]" if applicable(d, unsafe=False) else ""
            lines.append(f"{d.path}:{line}:{column}: {d.code}{marker} {d.message}")
            if d.fix:
                kind = APPLICABILITY[d.fix.applicability]
                lines.append(f"  fix ({kind}): {d.fix.message}")
                safe += applicable(d, unsafe=False)
                unsafe += d.fix.applicability == Applicability.UNSAFE
    lines.append(_summary(total, safe, unsafe, fixed))
    return "\n".join(lines)


def _summary(total: int, safe: int, unsafe: int, fixed: int) -> str:
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} problem{'s' * (fixed != 1)}.")
    if total == 0:
        parts.append("All checks passed." if not fixed else "No problems remain.")
        return " ".join(parts)
    parts.append(f"Found {total} problem{'s' * (total != 1)}.")
    if safe:
        parts.append(f"{safe} fixable with `--fix`.")
    if unsafe:
        parts.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.")
    return " ".join(parts)


_GITHUB_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(value: str) -> str:
    """Escape a workflow-command message: GitHub would end it at a raw line break."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(value: str) -> str:
    """Escape a workflow-command property, where `,` separates properties and `:` ends them."""
    return _gh_data(value).replace(":", "%3A").replace(",", "%2C")


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
            props = [("file", d.path), ("line", line), ("col", column if one_line else None),
                     ("endLine", end_line), ("endColumn", end_column if one_line else None),
                     ("title", f"{d.code} ({d.name})")]
            joined = ",".join(f"{key}={_gh_property(str(value))}" for key, value in props
                              if value is not None)
            message = f"{d.message} (fix: {d.fix.message})" if d.fix else d.message
            lines.append(f"::{_GITHUB_COMMAND[d.severity]} {joined}::{_gh_data(message)}")
    return "\n".join(lines)
