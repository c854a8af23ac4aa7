"""What a rule is, and what it gets to look at.

A rule is a plain function ``check(ctx) -> Iterable[Diagnostic]`` whose docstring is the
user documentation shown by ``reflint rules CODE`` (yamllint style). Rules never do I/O:
everything they need is in the ``Context``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Iterable

from reflint.models import Applicability, Diagnostic, Document, Edit, Extraction, Fix, Reference

if TYPE_CHECKING:
    from reflint.resolve import Resolution


@dataclass
class Context:
    doc: Document
    extraction: Extraction
    settings: dict = field(default_factory=dict)
    resolution: Resolution | None = None  # None: offline, no registry answers at all

    def reference_at(self, offset: int) -> Reference | None:
        """The reference entry whose span holds ``offset`` (a DOI mention's start)."""
        return next((r for r in self.extraction.references if r.start <= offset < r.end), None)


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: str  # error | warning | info
    summary: str
    check: Callable[[Context], Iterable[Diagnostic]]
    enabled_by_default: bool = True
    fixable: str = "none"  # none | safe | unsafe | sometimes

    @property
    def doc(self) -> str:
        return _dedent(self.check.__doc__ or "")

    def diagnostic(
        self, ctx: Context, start: int, end: int, message: str, data: dict | None = None, fix: Fix | None = None
    ) -> Diagnostic:
        return Diagnostic(self.code, self.name, self.severity, message, ctx.doc.path, start, end, data or {}, fix)


def fix(message: str, applicability: Applicability, *edits: tuple[int, int, str]) -> Fix:
    """Shorthand: ``fix("Prepend 10.", Applicability.UNSAFE, (5, 5, "10."))``."""
    return Fix(tuple(Edit(s, e, c) for s, e, c in edits), applicability, message)


def _dedent(text: str) -> str:
    import inspect

    return inspect.cleandoc(text)
