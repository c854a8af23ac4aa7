"""Baselines: `--write-baseline` records today's problems, `--baseline` hides exactly those,
by code, path and reference, never by line."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from helpers import invoke
from reflint import baseline, documents
from reflint.models import Diagnostic

OLD = "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. doi:1093/rheumatology/ken161"
NEW = "See also doi:1179/jmt.2006.14.4.70E for the manual therapy view."


@pytest.fixture
def kb(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text(f"# Needling\n\n{OLD}\n\nEnd.\n", "utf-8")
    result = invoke("check", "--write-baseline", "reflint-baseline.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "Recorded 1 problem(s)" in result.output
    return tmp_path


def check(kb, *args):
    return invoke("check", "--baseline", "reflint-baseline.json", *args, cwd=kb)


def test_written_baseline_is_versioned_sorted_and_relative(kb):
    data = json.loads((kb / "reflint-baseline.json").read_text("utf-8"))
    assert data == {
        "version": 1,
        "entries": [{"path": "docs/a.md", "code": "RL101", "reference": "1093/rheumatology/ken161", "count": 1}],
    }
    before = (kb / "reflint-baseline.json").read_bytes()
    assert invoke("check", "--write-baseline", "reflint-baseline.json", cwd=kb).exit_code == 0
    assert (kb / "reflint-baseline.json").read_bytes() == before  # stable


def test_baselined_problem_is_hidden(kb):
    assert invoke("check", cwd=kb).exit_code == 1
    result = check(kb)
    assert result.exit_code == 0, result.output
    assert "All checks passed." in result.output


def test_still_hidden_after_inserting_lines_above(kb):
    path = kb / "docs" / "a.md"
    path.write_text("Intro.\n\nMore intro.\n\n" + path.read_text("utf-8"), "utf-8")
    assert check(kb).exit_code == 0


def test_works_from_another_directory(kb):
    result = invoke("check", "--baseline", "../reflint-baseline.json", ".", cwd=kb / "docs")
    assert result.exit_code == 0, result.output


def test_new_problem_is_reported(kb):
    path = kb / "docs" / "a.md"
    path.write_text(path.read_text("utf-8").replace("End.", NEW), "utf-8")
    result = check(kb)
    assert result.exit_code == 1
    assert "docs/a.md:5:" in result.output and "1179/jmt.2006.14.4.70E" in result.output
    assert "1093/rheumatology/ken161` is missing" not in result.output


def test_same_problem_in_another_file_is_new(kb):
    (kb / "docs" / "b.md").write_text(OLD + "\n", "utf-8")
    result = check(kb)
    assert result.exit_code == 1 and "docs/b.md:1:" in result.output


def test_duplicates_are_counted(kb):
    path = kb / "docs" / "a.md"
    path.write_text(path.read_text("utf-8") + "\nAgain doi:1093/rheumatology/ken161 here.\n", "utf-8")
    result = check(kb)
    assert result.exit_code == 1
    assert result.output.count("1093/rheumatology/ken161` is missing") == 1


def test_fixed_problem_leaves_a_harmless_stale_entry(kb):
    result = invoke("check", "--fix", "--unsafe-fixes", cwd=kb)
    assert result.exit_code == 0, result.output
    assert "doi:10.1093/rheumatology/ken161" in (kb / "docs" / "a.md").read_text("utf-8")
    result = check(kb)
    assert result.exit_code == 0 and "All checks passed." in result.output


def test_baselined_problems_are_not_fixed(kb):
    result = check(kb, "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    assert "doi:1093/rheumatology/ken161" in (kb / "docs" / "a.md").read_text("utf-8")


def test_write_baseline_ignores_the_old_baseline(kb):
    (kb / "docs" / "b.md").write_text(NEW + "\n", "utf-8")
    result = check(kb, "--write-baseline", "reflint-baseline.json")
    assert result.exit_code == 0 and "Recorded 2 problem(s)" in result.output


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "no such baseline - create it with --write-baseline"),
        ("{not json", "not a reflint baseline"),
        ('{"version": 99, "entries": []}', "unsupported baseline version"),
        ('{"version": 1, "entries": [{"path": "a.md"}]}', "malformed entry"),
    ],
)
def test_unusable_baseline_exits_2(tmp_path, content, message):
    (tmp_path / "a.md").write_text("Fine.\n", "utf-8")
    if content is not None:
        (tmp_path / "reflint-baseline.json").write_text(content, "utf-8")
    result = invoke("check", "--baseline", "reflint-baseline.json", cwd=tmp_path)
    assert result.exit_code == 2 and message in result.output


def test_write_baseline_with_fix_is_a_usage_error(kb):
    result = invoke("check", "--fix", "--write-baseline", "other.json", cwd=kb)
    assert result.exit_code == 2 and not (kb / "other.json").exists()


def test_reference_falls_back_to_normalised_source_text(tmp_path):
    doc = documents.from_text("A  badly\n  spaced   entry.\n", str(tmp_path / "x.md"))
    without_doi = Diagnostic("RL001", "unparseable-reference", "warning", "m", doc.path, 0, len(doc.text))
    with_doi = Diagnostic("RL101", "doi-missing-prefix", "error", "m", doc.path, 3, 8, data={"doi": "1/x"})
    assert baseline.reference(without_doi, doc) == "A badly spaced entry."
    assert baseline.reference(with_doi, doc) == "1/x"
    recorded = baseline.Baseline(Counter({("x.md", "RL001", "A badly spaced entry."): 1}), str(tmp_path))
    assert recorded.keep(doc, [without_doi, with_doi]) == [with_doi]
    assert recorded.keep(doc, [without_doi]) == []  # stateless: the count is not used up
