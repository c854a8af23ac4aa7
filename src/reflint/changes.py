"""Which files and lines changed since a git revision (``reflint check --changed-since REF``).

Why: a knowledge base that adopts reflint, or a pull request that touches three lines of a
long article, should hear about the problems it introduces, not the ones that were already
there. So reflint lints only the files that changed and keeps only the diagnostics whose span
touches a changed line.

"Changed" means: tracked files that differ between the merge base of REF and HEAD and the
working tree (committed, staged or not), plus untracked files that are not ignored (a new
article is changed everywhere). The merge base, not REF itself, so that commits landed on the
base branch since the branch was cut do not count as yours (what a pull request diff shows).
Pure deletions change no line that is left, so they keep nothing.

The parser is a pure function over ``git diff -U0`` output; :func:`since` is the thin git call.
Line numbers are git's (``\\n``-terminated lines), which match reflint's for LF and CRLF files.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

Ranges = tuple[tuple[int, int], ...]  # inclusive, 1-based line ranges of the new side

_HUNK = re.compile(r"@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}
FETCH_HINT = "is it fetched? A shallow clone lacks it: in GitHub Actions check out with " "`fetch-depth: 0`"


class ChangesError(Exception):
    """Not a git repository, git missing, or a REF that names no commit; ``str()`` says what to do."""


def unquote(path: str) -> str:
    """A path as git prints it in diff headers: C-quoted (``"b/\\303\\251.md"``) when it holds
    special or non-ASCII characters, otherwise verbatim."""
    if not (len(path) >= 2 and path[0] == path[-1] == '"'):
        return path
    out, i, body = bytearray(), 0, path[1:-1]
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 == len(body):
            out += ch.encode("utf-8")
            i += 1
        elif body[i + 1] in "01234567":
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        else:
            out.append(_ESCAPES.get(body[i + 1], ord(body[i + 1])))
            i += 2
    return out.decode("utf-8", "surrogateescape")


def _new_path(header: str) -> str | None:
    """The file named by a ``+++ `` line, without its ``b/`` prefix; None for ``/dev/null``."""
    name = header[4:]
    if name.endswith("\t"):  # git appends a tab when the name contains a space
        name = name[:-1]
    name = unquote(name)
    if name == "/dev/null":
        return None
    return name[2:] if name.startswith("b/") else name


def parse_hunks(diff: str) -> dict[str, Ranges]:
    """Changed line ranges of the new side, per path, from ``git diff -U0`` output.

    A file header runs from ``diff --git`` to its first ``@@``; inside hunks every line
    starts with ``+``, ``-``, a space or ``\\``, so an added line reading ``+++ x`` is never
    taken for a header. Files without hunks (pure renames, mode changes, binaries) and
    deleted files have no entry.
    """
    changed: dict[str, list[tuple[int, int]]] = {}
    path, in_header = None, False
    for line in diff.split("\n"):
        if line.startswith("diff --git "):
            path, in_header = None, True
        elif in_header and line.startswith("+++ "):
            path = _new_path(line)
        elif line.startswith("@@"):
            in_header = False
            match = _HUNK.match(line)
            if match and path is not None:
                start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
                if count:
                    changed.setdefault(path, []).append((start, start + count - 1))
    return {p: tuple(r) for p, r in changed.items()}


@dataclass(frozen=True)
class Changes:
    """Changed lines per file, keyed by real absolute path; ``None`` means the whole file."""

    lines: dict[str, Ranges | None]

    def touches(self, path: str | os.PathLike) -> bool:
        return os.path.realpath(path) in self.lines

    def keep(self, doc, diagnostics: list) -> list:
        """The diagnostics of ``doc`` whose span (start line to last line) meets a changed line."""
        ranges = self.lines.get(os.path.realpath(doc.file or doc.path), ())
        if ranges is None:
            return list(diagnostics)
        kept = []
        for d in diagnostics:
            first = doc.position(d.start)[0]
            last = doc.position(max(d.start, d.end - 1))[0]  # the end is exclusive
            if any(lo <= last and first <= hi for lo, hi in ranges):
                kept.append(d)
        return kept


def _git(args: list[str], cwd: str) -> str:
    try:
        proc = subprocess.run(
            ["git", "-c", "core.quotePath=false", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="surrogateescape",
        )
    except FileNotFoundError:
        raise ChangesError("git is not installed - --changed-since needs git") from None
    if proc.returncode:
        raise ChangesError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"git {args[0]} failed")
    return proc.stdout


def _resolves(ref: str, top: str) -> bool:
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
        return True
    except ChangesError:
        return False


def _hint(top: str) -> str:
    """What to do about a revision git does not know: fetch it, or deepen a shallow clone."""
    try:
        shallow = _git(["rev-parse", "--is-shallow-repository"], top).strip() == "true"
    except ChangesError:
        shallow = False
    if shallow:
        return FETCH_HINT
    return "check the name (`git branch -a` lists branches); a remote branch needs `git fetch` first"


def since(ref: str, cwd: str | os.PathLike | None = None) -> Changes:
    """What changed between the merge base of ``ref`` and HEAD and the working tree of the
    repository containing ``cwd`` (default: the current directory)."""
    cwd = os.fspath(cwd if cwd is not None else os.getcwd())
    if not ref or ref.startswith("-"):
        raise ChangesError(f"--changed-since {ref!r}: expected a git revision such as origin/main")
    try:
        top = _git(["rev-parse", "--show-toplevel"], cwd).strip()
    except ChangesError:
        raise ChangesError(f"{cwd}: not inside a git repository - --changed-since needs one") from None
    if not _resolves("HEAD", top):
        raise ChangesError(
            f"--changed-since {ref}: {top} has no commits yet, so nothing to compare "
            "with - commit once, or run without --changed-since"
        )
    if not _resolves(ref, top):
        raise ChangesError(f"--changed-since {ref}: no such commit in {top} ({_hint(top)})")
    commit = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top).strip()
    try:
        base = _git(["merge-base", commit, "HEAD"], top).strip()
    except ChangesError:
        raise ChangesError(f"--changed-since {ref}: no common history with HEAD ({_hint(top)})") from None
    diff = _git(
        [
            "diff",
            "-U0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
            "--src-prefix=a/",
            "--dst-prefix=b/",
            base,
            "--",
        ],
        top,
    )
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], top)
    lines: dict[str, Ranges | None] = {os.path.realpath(os.path.join(top, p)): r for p, r in parse_hunks(diff).items()}
    lines.update((os.path.realpath(os.path.join(top, p)), None) for p in untracked.split("\0") if p)
    return Changes(lines)
