"""Visible text of an HTML document, with an exact map back to the source.

A hand-written scanner rather than ``html.parser``: it must give an exact source span for
every output character, run in linear time on hostile input, and never raise. Tags and
comments vanish, ``<script>``/``<style>``/``<title>``/``<template>`` contents vanish, block
tags become ``"\\n"`` (but for CSL's ``csl-right-inline`` box, which sits beside its number),
table cells ``" "``, and each entity becomes its decoded character(s), all mapped to the whole
tag or entity. Everything else, whitespace included, is copied as is.
"""

from __future__ import annotations

import html
import re
from array import array
from html.entities import html5

BLOCK_TAGS = frozenset(
    "p div li h1 h2 h3 h4 h5 h6 br tr ul ol table section article blockquote pre hr "
    "dl dt dd header footer nav aside main figure figcaption caption address details summary "
    "form fieldset thead tbody tfoot".split()
)
CELL_TAGS = frozenset({"td", "th"})
RAW_TAGS = frozenset({"script", "style", "title", "template"})

_SPECIAL = re.compile(r"[<&]")
_TAG_NAME = re.compile(r"<(/?)([A-Za-z][^\s/>]*)")
_SIMPLE_TAG = re.compile(r"""<(/?)([A-Za-z][^\s/>]*)[^<>"']*+>""")  # no quotes: ends at the first ">"
# Used only when a quote precedes the first ">": honours quoted attribute values such as
# title="a > b". Possessive quantifiers: no backtracking, so a failed match costs one pass.
_QUOTED_TAG = re.compile(r"""</?[A-Za-z][^\s/>]*+(?:[^>"'=]|=\s*+"[^"]*+"|=\s*+'[^']*+'|=)*+>""")
_RAW_CLOSE = {name: re.compile(rf"</{name}[\s/>]", re.IGNORECASE) for name in RAW_TAGS}
_ENTITY = re.compile(r"&(?:#([xX][0-9A-Fa-f]+|[0-9]+);?|([A-Za-z][A-Za-z0-9]*)(;?))")
_LEGACY_MAX = max(len(k) for k in html5 if not k.endswith(";"))
# citeproc's numbered entries: <div class="csl-left-margin">[1] </div><div class="csl-right-inline">
_CSL_INLINE = re.compile(r"""<div\b[^<>]*\bclass\s*=\s*["'][^"']*\bcsl-right-inline\b""", re.I)


def visible_text(text: str) -> tuple[str, array, array]:
    """Return ``(plain, starts, ends)``; plain char ``i`` came from ``text[starts[i]:ends[i]]``.

    The maps are ``array('q')`` (8 bytes per character instead of ~70 for a list of ints).
    """
    n = len(text)
    parts: list[str] = []
    starts = array("q")
    ends = array("q")
    missing: dict[str, int] = {}  # needle -> absent at or after this offset (keeps floods linear)

    def emit_text(i: int, j: int) -> None:
        parts.append(text[i:j])
        starts.extend(range(i, j))
        ends.extend(range(i + 1, j + 1))

    def emit(chars: str, i: int, j: int) -> None:
        parts.append(chars)
        starts.extend([i] * len(chars))
        ends.extend([j] * len(chars))

    def find(needle: str, j: int) -> int:
        if j >= missing.get(needle, n + 1):
            return -1
        k = text.find(needle, j)
        if k < 0:
            missing[needle] = j
        return k

    def raw_close(name: str, j: int) -> int:
        """Offset past the ``</name>`` closing a raw-text element opened before ``j``, or -1."""
        if j >= missing.get(name, n + 1):
            return -1
        m = _RAW_CLOSE[name].search(text, j)
        if m is None:
            missing[name] = j
            return -1
        g = find(">", m.start())
        return g + 1 if g >= 0 else -1

    def tag_end(j: int) -> int:
        """Offset just past the tag starting at ``j``, or -1 if it never closes."""
        g = find(">", j)
        if g < 0:
            return -1
        if text.find('"', j, g) < 0 and text.find("'", j, g) < 0:
            return g + 1
        # A quoted value may hide a ">"; look no further than the next "<" (keeps it linear).
        h = text.find("<", g)
        m = _QUOTED_TAG.match(text, j, n if h < 0 else h)
        return m.end() if m else g + 1

    i = 0
    while i < n:
        m = _SPECIAL.search(text, i)
        j = m.start() if m else n
        if j > i:
            emit_text(i, j)
        if m is None:
            break
        if text[j] == "&":
            i = _entity(text, j, emit, emit_text)
            continue
        if (tm := _SIMPLE_TAG.match(text, j)) is not None:  # the common case, in one step
            end = tm.end()
        elif text.startswith(("<!", "<?", "</"), j) and not _TAG_NAME.match(text, j):  # comment, doctype, "</ x>"
            close = find("-->", j + 4) if text.startswith("<!--", j) else -1
            g = close + 2 if close >= 0 else find(">", j)
            if g < 0:
                emit_text(j, j + 1)
                i = j + 1
            else:
                i = g + 1
            continue
        else:
            tm = _TAG_NAME.match(text, j)
            end = tag_end(j) if tm else -1
            if end < 0:  # "a < b", "<3", or a tag that never closes: plain text
                emit_text(j, j + 1)
                i = j + 1
                continue
        name = tm.group(2).lower()
        i = end
        if name == "div" and not tm.group(1) and _CSL_INLINE.match(text, j, end):
            _join_line(parts)  # CSL's "[1] " box and the entry beside it: one line
            emit(" ", j, end)
        elif name in BLOCK_TAGS:
            emit("\n", j, end)
        elif name in CELL_TAGS:
            emit(" ", j, end)
        elif name in RAW_TAGS and not tm.group(1) and text[end - 2] != "/":
            close = raw_close(name, end)
            if close >= 0:  # an unclosed raw element drops only its tag, keeps what follows
                i = close
    return "".join(parts), starts, ends


def _join_line(parts: list[str]) -> None:
    """Turn the line breaks that end ``parts`` (white space only, back to the last text) into
    spaces: same length, so the maps stay exact."""
    k = len(parts) - 1
    while k >= 0 and not parts[k].strip():
        parts[k] = parts[k].replace("\n", " ").replace("\r", " ")
        k -= 1


def _entity(text: str, j: int, emit, emit_text) -> int:
    """Decode the entity at ``j`` (a bare "&" stays text); return the offset after it."""
    m = _ENTITY.match(text, j)
    if m is None:
        emit_text(j, j + 1)
        return j + 1
    number, name = m.group(1), m.group(2)
    if number is not None:  # html.unescape applies the HTML5 rules (cp1252 remap, U+FFFD)
        end = m.end()
        digits = number.lstrip("xX").lstrip("0") or "0"
        value = int(digits, 16 if number[0] in "xX" else 10) if len(digits) <= 8 else 0x110000
        chars = html.unescape(f"&#{value};")
    elif m.group(3) and name + ";" in html5:
        end = m.end()
        chars = html5[name + ";"]
    else:  # legacy entity without ";" (e.g. "&copy 2020"): longest known prefix, exact span
        for k in range(min(len(name), _LEGACY_MAX), 1, -1):
            if name[:k] in html5:
                end = j + 1 + k
                chars = html5[name[:k]]
                break
        else:
            emit_text(j, j + 1)
            return j + 1
    emit(chars.replace("\xa0", " "), j, end)
    return end
