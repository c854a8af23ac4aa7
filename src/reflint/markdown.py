"""Where a Markdown document's code, links and front matter are, read by a CommonMark parser.

Regexes cannot tell ``[1–3](see Discussion)`` (a citation and a remark: no link, since a
destination has no spaces) from ``[1](https://x.org)`` (a link), nor a code span from
backticks in prose. markdown-it-py can, but its inline tokens carry no offsets: this module
records them by wrapping the inline rules it cares about, and maps each inline run back to
the source through the block token's line map. Everything is returned as character offsets
into the text given, the same offsets ``Document.text`` uses.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.front_matter import front_matter_plugin

_LINE_BREAK = re.compile(r"\r\n?|\n")
_MAX = 2_000_000  # past this a document is read without structure (garbage, not prose)
_MARKERS = re.compile(r"[`\[<]")  # an inline run with none of these has no code span, link or autolink


@dataclass
class Structure:
    code_blocks: list[tuple[int, int]] = field(default_factory=list)  # fenced and indented, whole lines
    code_spans: list[tuple[int, int]] = field(default_factory=list)  # inline `code`
    links: list[tuple[int, int]] = field(default_factory=list)  # links, images and autolinks, whole
    headings: list[tuple[int, int]] = field(default_factory=list)  # ATX and setext, whole lines
    front_matter: tuple[int, int] | None = None

    def link_starts(self, offset: int) -> bool:
        """Whether a link's ``[`` stands at ``offset``."""
        i = bisect_left(self.links, (offset, 0))
        return i < len(self.links) and self.links[i][0] == offset

    def link_ends(self, offset: int) -> bool:
        """Whether a link's closing ``)`` ends at ``offset``."""
        return offset in self._ends

    @cached_property
    def _ends(self) -> set[int]:
        return {e for _, e in self.links}

    def link_at(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside a link (its text is the link's, not a citation)."""
        i = bisect_right(self.links, (start, float("inf"))) - 1
        return i >= 0 and self.links[i][0] <= start and end <= self.links[i][1]


class _Recorder:
    """Offsets of the inline constructs met while markdown-it parses one inline run."""

    def __init__(self) -> None:
        self.base: list[int] = []  # source offset of each line of the current inline run
        self.starts: list[int] = []  # offset of each line within the run's content
        self.found: dict[str, list[tuple[int, int]]] = {"code": [], "links": []}

    def to_source(self, pos: int) -> int:
        k = bisect_right(self.starts, pos) - 1
        return self.base[k] + pos - self.starts[k]

    def wrap(self, rule, kind: str):
        def recorded(state, silent: bool) -> bool:
            start = state.pos
            ok = rule(state, silent)
            if ok and not silent and self.base:
                self.found[kind].append((self.to_source(start), self.to_source(state.pos - 1) + 1))
            return ok

        return recorded


@lru_cache(maxsize=64)
def structure(text: str) -> Structure:
    """The code, links and front matter of Markdown ``text`` (extraction and rules share it)."""
    if len(text) > _MAX:
        return Structure()
    recorder = _Recorder()
    md = MarkdownIt("commonmark").use(front_matter_plugin)
    for name, kind in (("backticks", "code"), ("link", "links"), ("image", "links"), ("autolink", "links")):
        rule = next(r for r in md.inline.ruler.__rules__ if r.name == name)
        rule.fn = recorder.wrap(rule.fn, kind)
    md.inline.ruler.__compile__()
    # emphasis only pairs delimiters (in silent mode, as link labels are skipped, it does nothing)
    md.inline.ruler.disable(["emphasis", "strikethrough"])
    md.inline.ruler2.disable([r.name for r in md.inline.ruler2.__rules__])
    md.core.ruler.disable("inline")  # inline runs are parsed below, one by one, with their offsets
    line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def span(lines: list[int]) -> tuple[int, int]:
        end = line_starts[lines[1]] if lines[1] < len(line_starts) else len(text)
        return line_starts[lines[0]], end

    env: dict = {}
    tokens = md.parse(text, env)
    out = Structure()
    for token in tokens:
        if token.type in ("fence", "code_block") and token.map:
            out.code_blocks.append(span(token.map))
        elif token.type == "heading_open" and token.map:
            out.headings.append(span(token.map))
        elif token.type == "front_matter" and token.map:
            out.front_matter = span(token.map)
        elif token.type == "inline" and token.map and _MARKERS.search(token.content):
            recorder.base, recorder.starts = _locate(text, line_starts, token.map[0], token.content)
            md.inline.parse(token.content, md, env, [])
    out.code_spans = sorted(recorder.found["code"])
    out.links = sorted(recorder.found["links"])
    return out


def _locate(text: str, line_starts: list[int], first: int, content: str) -> tuple[list[int], list[int]]:
    """Source offset of each line of an inline run (its block markers and indent stripped)."""
    base, starts, pos = [], [], 0
    for k, line in enumerate(content.split("\n")):
        n = first + k
        src_start = line_starts[n] if n < len(line_starts) else len(text)
        src_end = line_starts[n + 1] if n + 1 < len(line_starts) else len(text)
        at = text.find(line, src_start, src_end) if line else -1
        base.append(at if at >= 0 else src_start)
        starts.append(pos)
        pos += len(line) + 1
    return base, starts
