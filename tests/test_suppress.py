"""Inline suppression comments silence exactly what they name, where they say."""

import pytest

from reflint import documents
from reflint.config import Config
from reflint.linter import Linter

BAD = "Meakins A. Br J Sports Med. 2017;51(6):484. doi:1136/bjsports-2016-096248"


def codes(text, kind="markdown"):
    doc = documents.from_text(text, "x.md" if kind == "markdown" else "x.bib", kind)
    return [d.code for d in Linter(Config()).lint_document(doc).diagnostics]


@pytest.mark.parametrize(
    "text,expected",
    [
        (f"{BAD}\n", ["RL101"]),
        (f"<!-- reflint: ignore RL101 -->\n{BAD}\n", []),
        (f"<!-- reflint: ignore doi-missing-prefix -->\n{BAD}\n", []),
        (f"<!-- reflint: ignore RL1 -->\n{BAD}\n", []),
        (f"<!-- reflint: ignore -->\n\n{BAD}\n", []),  # next non-blank line
        (f"<!-- reflint: ignore RL303 -->\n{BAD}\n", ["RL101"]),  # other code: no effect
        (f"<!-- reflint: ignore RL101 -->\nSomething else.\n{BAD}\n", ["RL101"]),  # only the next line
        (f"{BAD} <!-- reflint: ignore RL101 -->\n", []),  # trailing: own line
        (f"<!-- reflint: ignore-file -->\n\nText.\n\n{BAD}\n", []),
        (f"<!-- reflint: ignore-file RL303 -->\n{BAD}\n", ["RL101"]),
        (f"<!-- reflint: ignore RL9999 -->\n{BAD}\n", ["RL101"]),  # unknown code silences nothing
    ],
)
def test_markdown_directives(text, expected):
    assert codes(text) == expected


def test_bibtex_comment_directive():
    bib = "% reflint: ignore RL101\n@article{m, title={Acupuncture}, doi={1136/bjsports-2016-096248}}\n"
    assert "RL101" not in codes(bib, "bibtex")
