"""Apply fixes (ruff's model): sort edits, skip overlaps, splice, re-check until stable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from reflint.models import Applicability, Diagnostic, Document, Edit, Fix

MAX_ROUNDS = 10


def applicable(diag: Diagnostic, unsafe: bool) -> bool:
    threshold = Applicability.UNSAFE if unsafe else Applicability.SAFE
    return diag.fix is not None and diag.fix.applicability >= threshold


def apply_fixes(text: str, fixes: list[Fix]) -> tuple[str, int]:
    """Splice every fix whose edits overlap no earlier accepted edit; return text and count."""
    accepted: list[Edit] = []
    count = 0
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        if any(_overlaps(e, a) for e in fix.edits for a in accepted):
            continue
        accepted.extend(fix.edits)
        count += 1
    pieces, cursor = [], 0
    for edit in sorted(accepted, key=lambda e: (e.start, e.end)):
        pieces.append(text[cursor : edit.start])
        pieces.append(edit.content)
        cursor = edit.end
    pieces.append(text[cursor:])
    return "".join(pieces), count


def _overlaps(a: Edit, b: Edit) -> bool:
    if a.start == a.end == b.start == b.end:
        return True  # two insertions at one point: order would be arbitrary
    return a.start < b.end and b.start < a.end


@dataclass
class FixOutcome:
    text: str
    fixed: int
    remaining: list[Diagnostic]
    document: Document


def fix_until_stable(
    doc: Document,
    lint: Callable[[Document], list[Diagnostic]],
    rebuild: Callable[[Document, str], Document],
    unsafe: bool,
) -> FixOutcome:
    """Fix, re-lint the result, and repeat until nothing applicable is left."""
    fixed = 0
    diagnostics = lint(doc)
    for _ in range(MAX_ROUNDS):
        fixes = [d.fix for d in diagnostics if applicable(d, unsafe)]
        if not fixes:
            break
        text, count = apply_fixes(doc.text, fixes)
        if text == doc.text:
            break
        fixed += count
        doc = rebuild(doc, text)
        diagnostics = lint(doc)
    return FixOutcome(doc.text, fixed, diagnostics, doc)
