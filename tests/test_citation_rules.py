"""Acceptance checks for the RL4xx family (issue 4): whole documents, exact outcomes.

The YAML cases in ``tests/rules/RL40*.yml`` pin single behaviours; these tests pin what a
writer sees on realistic pages, and that the example knowledge base stays quiet.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from reflint import documents
from reflint.config import DEFAULTS, Config
from reflint.linter import Linter
from reflint.rules import BY_CODE

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "citations"
RL4 = ("RL401", "RL402", "RL403", "RL404")


def rl4(path: Path, **settings) -> list:
    linter = Linter(Config({**DEFAULTS, **settings}))
    return [d for d in linter.lint_document(documents.load(path)).diagnostics if d.code in RL4]


def lines(doc_path: Path, diagnostics) -> list[int]:
    doc = documents.load(doc_path)
    return [doc.position(d.start)[0] for d in diagnostics]


def test_evidence_summary_without_reference_list():
    path = DATA / "evidence-summary.md"
    found = rl4(path)
    assert [d.code for d in found] == ["RL401", "RL401", "RL403", "RL403", "RL403"]
    citations = [d for d in found if d.code == "RL401"]
    assert [(d.data["authors"], d.data["year"]) for d in citations] == [(["Gattie"], "2017"), (["Cotchett"], "2014")]
    assert all("no reference list" in d.message for d in citations)
    assert [d.data["text"] for d in found if d.code == "RL403"] == [
        "(trigger-point review)",
        "(dry-needling review 2020)",
        "(safety review)",
    ]
    text = path.read_text("utf-8")
    ordinary_parentheses = (
        "(PRP)",
        "(24–48 hours)",
        "(the so-called trigger\npoint)",
        "(for example, a certified course)",
    )
    for ordinary in ordinary_parentheses:
        start = text.find(ordinary)
        assert start >= 0, ordinary
        assert not any(d.start < start + len(ordinary) and start < d.end for d in found), ordinary


def test_promotional_page_gets_one_rl404_per_claim():
    path = DATA / "promotional.md"
    found = rl4(path)
    assert {d.code for d in found} == {"RL404"}
    text = path.read_text("utf-8").splitlines()
    claims = [
        n
        for n, line in enumerate(text, 1)
        if any(
            p in line
            for p in (
                "research has confirmed",
                "Research from universities",
                "Clinical data consistently",
                "Studies show",
            )
        )
    ]
    assert len(claims) == 4
    assert lines(path, found) == claims
    assert [d.data["phrase"] for d in found][:2] == [
        "research has confirmed",
        "Research from universities around the world has shown",
    ]


def test_promotional_page_suppressed_line(tmp_path):
    source = (DATA / "promotional.md").read_text("utf-8")
    target = "Clinical data consistently shows"
    edited = source.replace(target, "<!-- reflint: ignore RL404 -->\n" + target)
    path = tmp_path / "promotional.md"
    path.write_text(edited, "utf-8")
    assert len(rl4(path)) == 3


def test_evidence_phrases_setting_replaces_the_defaults():
    path = DATA / "promotional.md"
    found = rl4(path, **{"evidence-phrases": ["most clients walk out"]})
    assert [d.data["phrase"] for d in found] == ["Most clients walk out"]


PLANTED = {"needling-clinic-faq.md": [("RL404", 8), ("RL403", 16), ("RL401", 19), ("RL402", 29)]}


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_file()))
def test_examples_report_only_the_planted_problems(name):
    """Every RL4xx hit on the example knowledge base was reviewed: only the planted ones."""
    path = ROOT / "examples" / name
    found = [(d.code, documents.load(path).position(d.start)[0]) for d in rl4(path)]
    assert found == PLANTED.get(name, [])


def test_rules_are_documented_with_examples():
    for code in RL4:
        rule = BY_CODE[code]
        assert "Bad:" in rule.doc and "Good:" in rule.doc, code
    assert "evidence-phrases" in DEFAULTS and DEFAULTS["evidence-phrases"] == []


@pytest.mark.parametrize("code", RL4)
def test_documented_examples_behave_as_documented(code):
    """The Bad: example fires the rule and the Good: example does not (``reflint rules CODE``)."""
    doc = BY_CODE[code].doc
    bad, good = (
        textwrap.dedent(part.split("\n\n", 1)[1].split("\nGood:")[0]).strip() + "\n"
        for part in (doc.split("Bad:")[1], doc.split("Good:")[1])
    )
    linter = Linter(Config({**DEFAULTS, "select": [code]}))
    fired = [
        len(linter.lint_document(documents.from_text(text, "doc.md", "markdown")).diagnostics) for text in (bad, good)
    ]
    assert fired[0] >= 1 and fired[1] == 0, (code, fired)


def test_large_input_stays_linear():
    """Floods of parentheses, claims and citations finish (the regexes are bounded)."""
    text = "(safety review) research on the studies show " * 20000 + "(Gattie et al. 2017). " * 5000
    doc = documents.from_text(text, "flood.md", "markdown")
    linter = Linter(Config({**DEFAULTS, "select": ["RL4"]}))
    assert linter.lint_document(doc).diagnostics


def test_the_paragraph_prefilter_finds_every_claim_the_phrases_find() -> None:
    """RL404 skips a paragraph its one combined pattern does not match (which opens with the
    letters the phrases start with, for speed); a phrase it missed would silently never fire.
    Every head and verb of the built-in phrases, in three casings, must pass it wherever a
    phrase of its own matches."""
    import itertools

    from reflint.rules.claims import _any_default, _phrases

    heads = (
        "research",
        "studies",
        "a study",
        "science",
        "evidence",
        "clinical data",
        "scientific data",
        "published data",
        "medical data",
        "trial data",
        "systematic reviews",
        "reviews",
        "meta-analyses",
        "metaanalysis",
        "trials",
        "RCTs",
        "experiments",
    )
    claims = [f"{h} {v}" for h, v in itertools.product(heads, ("has shown", "have proven", "confirms", "tells us"))]
    claims += ["it has been clinically proven", "scientifically validated", "medically proven"]
    claims += ["according to the latest research", "backed by solid science", "supported by clinical trials"]
    claims += ["proven by extensive studies"]
    checked = 0
    for claim in claims:
        for text in (claim, claim.capitalize(), claim.upper()):
            for sentence in (f"Our view: {text} that it works.", f"{text} that it works."):
                if any(p.search(sentence) for p in _phrases(())):
                    checked += 1
                    assert _any_default(sentence, 0, len(sentence)), sentence
    assert checked >= 6 * len(claims) - 6  # the phrases themselves match (nearly) all of them
    # a paragraph is searched in place: the character before it decides the phrase's left edge
    text = "Intro.\n\nResearch has shown it. Meta-research has shown it."
    assert _any_default(text, text.index("Research"), len(text))
    assert not _any_default(text, text.index("research"), len(text))  # "Meta-research"
    assert not _any_default(text, 0, text.index("Research"))
