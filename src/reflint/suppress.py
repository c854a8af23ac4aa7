"""Inline suppression: ``<!-- reflint: ignore RL203 -->`` and ``<!-- reflint: ignore-file -->``.

A directive on a line of its own applies to the next non-blank line; one after content
applies to its own line. Without codes it silences every rule. ``% reflint: ...`` is the
same directive in a BibTeX comment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reflint.models import Diagnostic, Document
from reflint.rules import SelectorError, resolve_selector

_DIRECTIVE = re.compile(r"(?:<!--|%)[ \t]*reflint:[ \t]*(ignore-file|ignore)\b([^\n]*?)[ \t]*(?:-->|$)", re.M)
ALL = frozenset({"*"})


@dataclass
class Suppressions:
    file: frozenset[str] | None = None  # codes silenced in the whole file; ALL for every code
    lines: dict[int, frozenset[str]] = field(default_factory=dict)

    def hides(self, diag: Diagnostic, doc: Document) -> bool:
        if _covers(self.file, diag.code):
            return True
        first, _ = doc.position(diag.start)
        last, _ = doc.position(max(diag.start, diag.end - 1))
        return any(_covers(self.lines.get(n), diag.code) for n in range(first, last + 1))


def _covers(codes: frozenset[str] | None, code: str) -> bool:
    return codes is not None and (codes is ALL or code in codes)


def _codes(spec: str) -> frozenset[str]:
    words = [w for w in re.split(r"[\s,]+", spec) if w]
    if not words:
        return ALL
    codes = set()
    for word in words:
        try:
            codes |= {r.code for r in resolve_selector(word)}
        except SelectorError:
            continue  # an unknown code silences nothing rather than everything
    return frozenset(codes)


def parse(doc: Document) -> Suppressions:
    found = Suppressions()
    text = doc.text
    for match in _DIRECTIVE.finditer(text):
        codes = _codes(match.group(2))
        if match.group(1) == "ignore-file":
            found.file = ALL if codes is ALL or found.file is ALL else (found.file or frozenset()) | codes
            continue
        line, _ = doc.position(match.start())
        line_start = doc.line_starts[line - 1]
        own_line = not text[line_start : match.start()].strip()
        target = _next_content_line(doc, line) if own_line else line
        if target:
            previous = found.lines.get(target, frozenset())
            found.lines[target] = ALL if ALL in (codes, previous) else previous | codes
    return found


def _next_content_line(doc: Document, line: int) -> int | None:
    starts = doc.line_starts
    for n in range(line + 1, len(starts) + 1):
        end = starts[n] if n < len(starts) else len(doc.text)
        if doc.text[starts[n - 1] : end].strip():
            return n
    return None
