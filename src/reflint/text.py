"""Small text helpers shared by extraction, matching and rules."""

from __future__ import annotations

import html
import re
import unicodedata


def fold(text: str | None) -> str:
    """Lowercase words with accents, entities and punctuation removed, single-spaced:
    the form in which two spellings of one name or title compare equal."""
    text = unicodedata.normalize("NFKD", html.unescape(text or "")).casefold()
    return " ".join("".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c)).split())


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
        parts += [text[pos:start], re.sub(r"[^\n]", " ", text[start:end])]
        pos = end
    parts.append(text[pos:])
    return "".join(parts)
