"""Markdown structure comes from a CommonMark parser, with exact offsets into the source."""

from __future__ import annotations

import pytest

from reflint.citations import find_citations
from reflint.documents import from_text
from reflint.extract import extract
from reflint.markdown import structure

DOC = """---
title: Needling
---
A claim [1–3](see Discussion) with [a link](https://x.org) and `code [2]`.
> quoted [b](http://y) text

    indented code [7]

```
fenced [9]
```
Heading (with a remark)
=======================
"""


def spans(text, found):
    return [text[a:b] for a, b in found]


def test_structure_offsets_point_at_the_source():
    s = structure(DOC)
    assert spans(DOC, s.links) == ["[a link](https://x.org)", "[b](http://y)"]
    assert spans(DOC, s.code_spans) == ["`code [2]`"]
    assert spans(DOC, s.code_blocks) == ["    indented code [7]\n", "```\nfenced [9]\n```\n"]
    assert spans(DOC, [s.front_matter]) == ["---\ntitle: Needling\n---\n"]
    assert spans(DOC, s.headings) == ["Heading (with a remark)\n=======================\n"]


def test_crlf_and_indented_lines_keep_their_offsets():
    text = "Intro\r\n\r\n- item with [a](https://x.org)\r\n  and `code`\r\n"
    s = structure(text)
    assert spans(text, s.links) == ["[a](https://x.org)"] and spans(text, s.code_spans) == ["`code`"]


@pytest.mark.parametrize(
    "text,numbers",
    [
        ("in wide use [1–3](see Discussion).", [[1, 2, 3]]),
        ("a link [1](https://example.org) here", []),
        ("a reference link [1] here\n\n[1]: https://example.org\n", []),
        ("code `[4]` is not cited, [5] is", [[5]]),
    ],
)
def test_only_commonmark_links_and_code_hide_citations(text, numbers):
    doc = from_text(text, "x.md", "markdown")
    assert [c.numbers for c in extract(doc).citations if c.style == "numeric"] == numbers


def test_without_structure_a_following_parenthesis_is_taken_for_a_link():
    assert find_citations("a link [1](https://example.org)") == []
