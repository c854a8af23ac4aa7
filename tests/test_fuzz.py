"""Property tests over generated documents and BibTeX (hypothesis, derandomised: every run
checks the same examples, so a failure is reproducible and CI never flakes).

Documents are built from fragments that reflint reacts to (damaged DOIs with junk and
markup around them, headings, reference entries, citations, entities, odd whitespace and
control characters) mixed with arbitrary text. What must hold for every one of them:

- no traceback, and an exit code of 0, 1 or 2;
- ``--fix`` is idempotent: a second run changes nothing;
- the bytes outside the fixes' spans are unchanged (encoding, BOM and line breaks too);
- safe fixes leave the markup as it was: emphasis, code, brackets, braces and tags.
"""

from __future__ import annotations

import codecs
import re

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from helpers import invoke
from reflint import documents
from reflint.config import DEFAULTS, Config
from reflint.fixer import applicable, apply_fixes, MAX_ROUNDS
from reflint.linter import Linter

SETTINGS = dict(
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

DOIS = [
    "10.1016/j.foo.2019.01.001",
    "1179/jmt.2006.14.4.70E",
    "10.2519/jospt.2017.7096",
    "10.1136/acupmed\u2010 2015\u2010010911",
    "10.1136/%20acupmed-2015-010911",
    "10.1016/",
    "10.1/x",
    "10.1097/MD.0000000000011225",
    "10.1002/(SICI)1097-0258(19980430)17:8<857::AID-SIM777>3.0.CO;2-E",
]
PREFIXES = ["doi:", "DOI: ", "https://doi.org/", "http://dx.doi.org/", "doi.org/", "", "(doi:", "<", "_", "**"]
JUNK = [
    "",
    ".",
    ").",
    ")",
    "_",
    "_.",
    "*",
    "**",
    "`",
    "}",
    ">",
    "</b>",
    "]",
    ",",
    ";",
    "\u200b",
    "'",
    '"',
    ".next",
    ")next",
    "}x",
    "\xa0",
    " .",
]
FRAGMENTS = [
    "# References\n\n",
    "## Sources\n",
    "<h2>References</h2>\n<ol>\n",
    "References:\n",
    "\n\n",
    "\n",
    "\r\n",
    "1. ",
    "2. ",
    "- ",
    "* ",
    "[1] ",
    "<li>",
    "</li>\n",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<p>",
    "</p>",
    "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling. "
    "J Orthop Sports Phys Ther. 2017;47(3):133-149. ",
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-6. ",
    "Smith, J. (2019). A title. Journal, 1(2), 3-4. ",
    "(Gattie et al. 2017)",
    "(Smith 2019)",
    "[1]",
    "[2-4]",
    "(shoulder pain review 2021)",
    "[@smith2019]",
    "Research has proven that it works. ",
    "Studies show ",
    "some words ",
    "and more, ",
    "(",
    ")",
    "&amp; ",
    "&ndash;",
    "&#x2010;",
    '<a href="https://doi.org/10.1/x).">link</a>',
    "`code doi:10.1/x`",
    "```\ndoi:1179/x\n```\n",
    "<!-- doi:1179/y -->",
    "<!-- reflint: ignore -->",
    "\t",
    "\xa0",
    "\u2010",
    "\x07",
    "\x1b[31m",
    "\ufeff",
    "é",
    "漢字",
]
SUFFIX = {"markdown": ".md", "text": ".txt", "html": ".html"}


@st.composite
def doi_mention(draw) -> str:
    return draw(st.sampled_from(PREFIXES)) + draw(st.sampled_from(DOIS)) + draw(st.sampled_from(JUNK))


piece = st.one_of(st.sampled_from(FRAGMENTS), doi_mention(), st.text(max_size=12))
prose = st.lists(piece, max_size=30).map("".join)


@st.composite
def bibtex(draw) -> str:
    entries = []
    for n in range(draw(st.integers(0, 4))):
        doi = draw(doi_mention())
        title = draw(
            st.text(alphabet=st.characters(blacklist_characters="{}@", blacklist_categories=("Cs",)), max_size=20)
        )
        year = draw(st.sampled_from(["2019", "20l9", "", "{2017}"]))
        entries.append(f"@article{{k{n},\n  title = {{{title}}},\n  year = {{{year}}},\n  doi = {{{doi}}}\n}}\n")
        entries.append(draw(st.sampled_from(["\n", "", "% a comment\n", "@comment{x}\n", "junk\n"])))
    return "".join(entries)


MARKDOWN = MarkdownIt("commonmark")
_TAG = re.compile(r"<(/?[A-Za-z][\w-]*)(?:\s[^<>]*)?/?>")


def markup(text: str, kind: str) -> list[str]:
    """The structure a reader sees: for Markdown the CommonMark parse (emphasis, code,
    links, blocks, inline tags by name), for HTML the sequence of tags, for BibTeX the
    brace depth. Plain text has none. A stray mark is not structure: removing a lone ``_``
    after a DOI changes nothing here, removing the ``_`` that closes emphasis does."""
    if kind == "markdown":
        seen = []
        for token in MARKDOWN.parse(text):
            seen.append(token.type)
            for child in token.children or ():
                if child.type == "html_inline":
                    seen += _TAG.findall(child.content)
                elif child.type not in ("text", "softbreak", "hardbreak"):
                    seen.append(child.type)
        return seen
    if kind == "html":
        return _TAG.findall(text)
    if kind == "bibtex":
        return [str(text.count("{") - text.count("}"))]
    return []


# --------------------------------------------------------------------------- fix rounds, in memory

LINTER = Linter(Config(dict(DEFAULTS)))


def fix_rounds(text: str, kind: str, unsafe: bool):
    """(old text, fixes, new text) for every round of fixing, as ``check --fix`` does it."""
    doc = documents.from_text(text, "fuzz" + SUFFIX.get(kind, ".bib"), kind)
    for _ in range(MAX_ROUNDS):
        fixes = [d.fix for d in LINTER.lint_document(doc).diagnostics if applicable(d, unsafe)]
        new, _count = apply_fixes(doc.text, fixes)
        if not fixes or new == doc.text:
            return
        yield doc.text, fixes, new
        doc = documents.from_text(new, doc.path, kind)
    raise AssertionError(f"--fix did not settle in {MAX_ROUNDS} rounds")


def outside_spans_unchanged(old: str, fixes, new: str) -> bool:
    """``new`` is ``old`` with the fixes spliced in that overlap no earlier one (in text
    order), every other character kept: the contract of ``--fix``, restated independently."""
    taken: list = []
    for fix in sorted(fixes, key=lambda f: min(e.start for e in f.edits)):
        if not any(
            e.start < b and a < e.end or e.start == e.end == a == b
            for e in fix.edits
            for a, b in ((t.start, t.end) for t in taken)
        ):
            taken += fix.edits
    pieces, cursor = [], 0
    for edit in sorted(taken, key=lambda e: (e.start, e.end)):
        pieces += [old[cursor : edit.start], edit.content]
        cursor = edit.end
    return "".join(pieces) + old[cursor:] == new


@pytest.mark.parametrize("kind", ["markdown", "text", "html"])
@settings(max_examples=120, **SETTINGS)
@given(text=prose, unsafe=st.booleans())
def test_fixes_touch_only_their_spans_and_settle(kind, text, unsafe):
    for old, fixes, new in fix_rounds(text, kind, unsafe):
        assert outside_spans_unchanged(old, fixes, new)


@settings(max_examples=80, **SETTINGS)
@given(text=bibtex(), unsafe=st.booleans())
def test_bibtex_fixes_touch_only_their_spans_and_settle(text, unsafe):
    for old, fixes, new in fix_rounds(text, "bibtex", unsafe):
        assert outside_spans_unchanged(old, fixes, new)


# --------------------------------------------------------------------------- safe fixes keep the markup


def breaks_markup(kind: str, text: str) -> tuple[str, str] | None:
    """The first round of safe fixes that changes the markup of ``text``, as (old, new)."""
    return next(
        ((old, new) for old, _fixes, new in fix_rounds(text, kind, False) if markup(new, kind) != markup(old, kind)),
        None,
    )


# Safe fixes this suite found breaking markup (RL104), kept as plain regression cases.
MARKUP_CASES = [
    pytest.param("markdown", "See _doi:10.1016/j.foo.2019.01.001_. for more.\n", id="issue12.4-closing-emphasis"),
    pytest.param("markdown", "Run `code doi:10.1/x` here.\n", id="issue12.4-closing-code-span"),
    pytest.param("markdown", "A <10.2519/jospt.2017.7096}x<h2>References</h2>\n", id="angle-opened-doi-eats-a-tag"),
    pytest.param(
        "bibtex", "@article{k0,\n  doi = {<10.1016/j.foo.2019.01.001}\n}\n", id="angle-opened-doi-eats-the-field-brace"
    ),
]


@pytest.mark.parametrize("kind, text", MARKUP_CASES)
def test_markup_cases(kind, text):
    assert breaks_markup(kind, text) is None


@pytest.mark.parametrize("kind", ["markdown", "html"])
@settings(max_examples=120, **SETTINGS)
@given(text=prose)
def test_safe_fixes_keep_the_markup(kind, text):
    assert breaks_markup(kind, text) is None


@settings(max_examples=80, **SETTINGS)
@given(text=bibtex())
def test_safe_bibtex_fixes_keep_the_braces(text):
    assert breaks_markup("bibtex", text) is None


# --------------------------------------------------------------------------- the command line, on disk

ENCODINGS = [("utf-8", False), ("utf-8", True), ("utf-16-le", True), ("cp1252", False)]


@settings(max_examples=80, **SETTINGS)
@given(
    text=st.one_of(prose, bibtex()),
    kind=st.sampled_from(["markdown", "text", "html", "bibtex"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    encoding=st.sampled_from(ENCODINGS),
    unsafe=st.booleans(),
)
def test_check_and_fix_on_disk(tmp_path_factory, text, kind, newline, encoding, unsafe):
    name, bom = encoding
    text = re.sub(r"\r\n|\r|\n", newline, text)
    try:
        data = text.encode(name)
    except UnicodeEncodeError:
        data = text.encode(name, errors="replace")
    data = (codecs.BOM_UTF8 if name == "utf-8" else codecs.BOM_UTF16_LE) + data if bom else data
    root = tmp_path_factory.mktemp("fuzz")
    path = root / ("doc" + SUFFIX.get(kind, ".bib"))
    path.write_bytes(data)
    fix = ["--fix", "--unsafe-fixes"] if unsafe else ["--fix"]
    for args in (["check", path.name], ["check", "--format", "json", path.name], ["check", *fix, path.name]):
        result = invoke(*args, cwd=root)
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
        assert result.exit_code in (0, 1, 2), (args, result.output)
    once = path.read_bytes()
    event("fixed on disk" if once != data else "unchanged on disk")
    if once != data:  # the original with the fixes spliced in, byte for byte: encoding, BOM, line breaks
        text, encoding, has_bom = documents.decode(data, kind)
        original = documents.from_text(text, path.name, kind)
        original.encoding, original.bom = encoding, has_bom
        rounds = list(fix_rounds(text, kind, unsafe))
        assert rounds and once == documents.encode(original, rounds[-1][2])
    again = invoke("check", *fix, path.name, cwd=root)
    assert again.exit_code in (0, 1, 2) and path.read_bytes() == once, again.output  # idempotent
