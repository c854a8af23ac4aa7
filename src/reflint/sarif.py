"""Render diagnostics as SARIF 2.1.0, the format GitHub code scanning ingests.

Kept apart from ``report.py`` because SARIF needs the whole rule registry (code scanning
shows a rule's description and help next to each alert) and fingerprints of its own.
Output is deterministic: no timestamps, no absolute paths unless the input had them,
and every list in a fixed order, so two runs over the same files give the same bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from pathlib import PurePosixPath
from urllib.parse import quote

from reflint import __version__, rule_docs
from reflint.crossref import PROJECT_URL
from reflint.models import Diagnostic, Document, Fix
from reflint.baseline import reference
from reflint.report import APPLICABILITY
from reflint.rules import RULES

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
# Our own key: GitHub reserves `primaryLocationLineHash` and recomputes it on upload,
# warning when a tool's value differs from its own.
FINGERPRINT_KEY = "reflintFingerprint/v1"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def sarif_rule_name(kebab: str) -> str:
    """``doi-missing-prefix`` -> ``DoiMissingPrefix``: SARIF asks for a Pascal-case friendly name."""
    return "".join(part.capitalize() for part in kebab.split("-"))


def _rule(rule) -> dict:
    text = rule_docs.inline(rule.doc)
    return {
        "id": rule.code,
        "name": sarif_rule_name(rule.name),
        "shortDescription": {"text": rule_docs.inline(rule.summary)},
        "fullDescription": {"text": text},
        "helpUri": rule_docs.url(rule),
        "help": {"text": text, "markdown": rule_docs.markdown(rule.doc)},
        "defaultConfiguration": {"level": _LEVEL[rule.severity], "enabled": rule.enabled_by_default},
        "properties": {"tags": [rule.name]},
    }


def _artifact(path: str) -> dict:
    """Relative paths resolve against %SRCROOT% (the checkout), so alerts land on repository
    files; a path outside the working directory can only be given as a file:// URI."""
    posix = PurePosixPath(path)
    if posix.is_absolute():
        return {"uri": posix.as_uri()}
    return {"uri": quote(path, safe="/"), "uriBaseId": SRCROOT}


def _region(doc: Document, start: int, end: int) -> dict:
    """1-based lines and columns, ``endColumn`` exclusive: SARIF's convention and our JSON's."""
    line, column = doc.position(start)
    end_line, end_column = doc.position(end)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def fingerprint(diag: Diagnostic, doc: Document) -> str:
    """What identifies a problem across commits: rule, file and the DOI (or the text) at
    fault, never its line, so inserting lines above it does not turn it into a new alert."""
    key = reference(diag, doc)  # the same identity a baseline records
    return hashlib.sha256("\0".join((diag.code, diag.path, key)).encode("utf-8")).hexdigest()[:32]


def _fix(diag: Diagnostic, fix: Fix, doc: Document, artifact: dict) -> dict:
    replacements = [
        {"deletedRegion": _region(doc, e.start, e.end), "insertedContent": {"text": e.content}} for e in fix.edits
    ]
    return {
        "description": {"text": fix.message},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": APPLICABILITY[fix.applicability]},
    }


def _results(results) -> list[dict]:
    index = {r.code: i for i, r in enumerate(RULES)}
    seen: Counter = Counter()
    out = []
    for doc, diags in results:
        for d in diags:
            artifact = _artifact(d.path)
            # The same DOI broken twice in one file: number the repeats (in document
            # order, which survives edits elsewhere) so each keeps an alert of its own.
            fp = fingerprint(d, doc)
            seen[fp] += 1
            result = {
                "ruleId": d.code,
                "level": _LEVEL[d.severity],
                "message": {"text": d.message},
                "locations": [
                    {"physicalLocation": {"artifactLocation": artifact, "region": _region(doc, d.start, d.end)}}
                ],
                "partialFingerprints": {FINGERPRINT_KEY: f"{fp}:{seen[fp]}"},
            }
            if d.code in index:
                result["ruleIndex"] = index[d.code]
            if d.fix is not None:
                result["fixes"] = [_fix(d, d.fix, doc, artifact)]
            out.append(result)
    return out


def _invocation(errors: list[str]) -> dict:
    """Whether the run could check everything: code scanning shows a failed run's
    notifications (a missing path, an unreadable file) instead of reading it as clean."""
    invocation: dict = {"executionSuccessful": not errors}
    if errors:
        invocation["toolExecutionNotifications"] = [{"level": "error", "message": {"text": error}} for error in errors]
    return invocation


def render_sarif(results, errors: list[str] | None = None, unknown: int = 0) -> str:
    """``results`` is an iterable of (Document, [Diagnostic]), as for the other renderers;
    ``errors`` are what kept the run from checking everything; ``unknown`` the lookups that
    could not be verified (``runs[0].properties.unknown``, read by the job summary)."""
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "reflint",
                        "version": __version__,
                        "informationUri": PROJECT_URL,
                        "rules": [_rule(r) for r in RULES],
                    }
                },
                "invocations": [_invocation(list(errors or []))],
                "columnKind": "unicodeCodePoints",  # columns count Python str characters
                "results": _results(results),
                "properties": {"unknown": unknown},
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)
