"""Small text helpers shared by extraction, matching and rules."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_ASCII_PUNCTUATION = re.compile(r"[^a-z0-9]+")


def fold(text: str | None) -> str:
    """Lowercase words with accents, entities and punctuation removed, single-spaced:
    the form in which two spellings of one name or title compare equal."""
    return _fold(text or "")


@lru_cache(maxsize=65536)  # rules fold the same names and titles again and again
def _fold(text: str) -> str:
    if text.isascii() and "&" not in text:  # most text: no accents, no entities
        return " ".join(_ASCII_PUNCTUATION.sub(" ", text.lower()).split())
    text = unicodedata.normalize("NFKD", html.unescape(text)).casefold()
    return " ".join(text.translate(_FOLD_CHARS).split())


class _FoldChars(dict):
    """``str.translate`` table, filled as characters are met: accents (combining marks) go,
    letters and digits stay, anything else becomes a space."""

    def __missing__(self, code: int) -> str | None:
        c = chr(code)
        self[code] = out = None if unicodedata.combining(c) else c if c.isalnum() else " "
        return out


_FOLD_CHARS = _FoldChars()


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span's characters replaced by spaces (line breaks kept), so that
    offsets found in the result are offsets in ``text``."""
    if not spans:
        return text
    parts, pos = [], 0
    for start, end in sorted(spans):
        start = max(start, pos)
        if start >= end:
            continue
        parts += [text[pos:start], "\n".join(" " * len(line) for line in text[start:end].split("\n"))]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


# C0 controls but tab, DEL, C1 controls, and the bidirectional overrides that reorder what is shown.
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` safe for a terminal: control characters written as ``\\x1b``-style escapes,
    so a document can neither ring, restyle or retitle the terminal nor hide what is shown."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if m.group() < "\u0100" else f"\\u{ord(m.group()):04x}", text
    )
