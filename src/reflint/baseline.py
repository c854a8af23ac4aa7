"""Baselines: adopt reflint on a knowledge base full of old problems and fail only on new ones.

``reflint check --write-baseline FILE`` records every current diagnostic; ``--baseline FILE``
then hides the recorded ones. Why this identity: an entry is (path, code, reference) with a
count, where the reference is the DOI as written (``data.doi``) or else the source text of the
diagnostic's span with whitespace collapsed. Never the line number: editing elsewhere in the
file must not resurface an old problem. The count handles the same problem written twice: a
third copy is new. Fixing a recorded problem just leaves a stale entry, which hides nothing.

Paths are stored relative to the baseline file's directory (posix slashes), so the file works
from any working directory and on any machine. The JSON is versioned, sorted and indented:
rewriting an unchanged baseline gives the same bytes and diffs stay readable in review.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

VERSION = 1
Key = tuple[str, str, str]  # (path, code, reference)


class BaselineError(Exception):
    """A baseline that cannot be read or written; ``str()`` names the file and what to do."""


def reference(diag, doc) -> str:
    """What the problem is about, independent of where in the file it sits."""
    doi = diag.data.get("doi") if diag.data else None
    if isinstance(doi, str) and doi:
        return doi
    return " ".join(doc.text[diag.start : diag.end].split())


def _relpath(doc, root: str) -> str:
    return Path(os.path.relpath(os.path.realpath(doc.file or doc.path), root)).as_posix()


def _key(diag, doc, root: str) -> Key:
    return _relpath(doc, root), diag.code, reference(diag, doc)


def _root(path: str | os.PathLike) -> str:
    return os.path.dirname(os.path.realpath(path))


def dumps(results, path: str | os.PathLike) -> str:
    """The baseline for ``results`` (pairs of document and diagnostics) stored at ``path``."""
    root = _root(path)
    counts = Counter(_key(d, doc, root) for doc, diags in results for d in diags)
    entries = [{"path": p, "code": c, "reference": r, "count": n} for (p, c, r), n in sorted(counts.items())]
    return json.dumps({"version": VERSION, "entries": entries}, indent=2, ensure_ascii=False) + "\n"


def write(results, path: str | os.PathLike) -> int:
    """Write the baseline file; returns the number of problems recorded."""
    text = dumps(results, path)
    try:
        Path(path).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline ({exc.strerror}) - check the path") from None
    return sum(len(diags) for _, diags in results)


class Baseline:
    """Recorded problems; :meth:`keep` filters one document's diagnostics against them."""

    def __init__(self, counts: Counter, root: str):
        self.counts, self.root = counts, root

    @classmethod
    def load(cls, path: str | os.PathLike) -> "Baseline":
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline - create it with --write-baseline {path}") from None
        except OSError as exc:
            raise BaselineError(f"{path}: cannot read the baseline ({exc.strerror})") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise BaselineError(f"{path}: not a reflint baseline ({exc}) - rewrite it with --write-baseline") from None
        if not isinstance(data, dict) or data.get("version") != VERSION:
            raise BaselineError(
                f"{path}: unsupported baseline version (expected {VERSION}) - " "rewrite it with --write-baseline"
            )
        counts: Counter = Counter()
        try:
            for e in data.get("entries", []):
                counts[(str(e["path"]), str(e["code"]), str(e["reference"]))] += int(e.get("count", 1))
        except (TypeError, KeyError, ValueError) as exc:
            raise BaselineError(f"{path}: malformed entry ({exc!r}) - rewrite it with --write-baseline") from None
        return cls(counts, _root(path))

    def keep(self, doc, diagnostics: list) -> list:
        """The diagnostics not recorded; each entry hides at most ``count`` of them.

        Stateless between calls, so the fixer may re-check a document as often as it likes.
        """
        left = Counter()
        kept = []
        for d in diagnostics:
            key = _key(d, doc, self.root)
            if left[key] < self.counts.get(key, 0):
                left[key] += 1
            else:
                kept.append(d)
        return kept
