"""Regular expressions from the user's config, time-boxed so that none can stall a run.

Python's ``re`` cannot be interrupted: a pattern such as ``(a|aa)+$`` backtracks for
minutes on a 30-character line. The ``regex`` package takes a timeout per search; a pattern
that exceeds it is dropped for the rest of the run with one note on stderr, so the whole
cost of a bad pattern is about one timeout.
"""

from __future__ import annotations

import re
from typing import Iterator

import click

TIMEOUT = 0.1  # seconds per search; the regex engine checks the clock coarsely (~3x late)


class UserPattern:
    """A compiled user pattern with ``re.Pattern``'s ``finditer``/``search``, time-boxed."""

    def __init__(self, source: str, flags: int = 0, what: str = "") -> None:
        import regex  # here: most runs have no user pattern, and the package takes ~10 ms to load

        try:
            self._pattern = regex.compile(source, flags)
        except regex.error as exc:
            raise re.error(str(exc), source) from None  # callers handle re.error already
        self.pattern = source
        self.what = what or f"pattern `{source}`"
        self.stalled = False

    def _stall(self) -> None:
        if not self.stalled:
            self.stalled = True
            click.echo(
                f"note: {self.what} took longer than {TIMEOUT} s on one "
                "sentence and is not used for the rest of this run - it backtracks catastrophically; "
                "simplify it (avoid nested repeats such as `(a|aa)+`)",
                err=True,
            )

    def finditer(self, text: str, pos: int = 0, endpos: int | None = None) -> Iterator:
        if self.stalled:
            return
        matches = self._pattern.finditer(text, pos, len(text) if endpos is None else endpos, timeout=TIMEOUT)
        while True:
            try:
                found = next(matches)
            except StopIteration:
                return
            except TimeoutError:
                self._stall()
                return
            yield found

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return next(self.finditer(text, pos, endpos), None)


def compile_user(source: str, flags: int = 0, what: str = "") -> UserPattern:
    """Compile a pattern the user wrote (``re`` syntax); ``re.error`` if it is invalid.
    ``what`` names it in the note, e.g. "evidence-phrases pattern `(a|aa)+$`"."""
    return UserPattern(source, flags, what)
