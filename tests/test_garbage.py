"""Garbage in, diagnostics or notes out: never a traceback, never a hang."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reflint.cli import main


@pytest.fixture
def garbage(tmp_path):
    (tmp_path / "binary.md").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "invalid-utf8.md").write_bytes(b"Caf\xe9 au lait (Smith 2019) \xff\xfe broken doi:10.1016/ bytes\n")
    (tmp_path / "one-line.txt").write_text(
        ("Dry needling (Gattie et al. 2017) doi:1179/x " * 120_000)[:5_000_000], "utf-8"
    )
    (tmp_path / "nested.md").write_text("(" * 10_000 + "Smith 2019" + ")" * 10_000 + "\n", "utf-8")
    (tmp_path / "brackets.md").write_text("[" * 10_000 + "1" + "]" * 10_000 + "\n", "utf-8")
    (tmp_path / "broken.bib").write_text(
        "@article{ok, title={Fine}, year={2017}, doi={10.2519/jospt.2017.7096}}\n\n"
        "@article{bad, title={Unclosed, year={2018}\n",
        "utf-8",
    )
    return tmp_path


def test_garbage_corpus_gives_notes_and_diagnostics_not_tracebacks(garbage):
    result = CliRunner().invoke(main, ["check", str(garbage), "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1)
    report = json.loads(result.stdout)
    assert report["summary"]["files"] == 5  # everything but the binary file was linted
    assert "binary.md" in result.stderr and "binary" in result.stderr
    assert "broken.bib" in result.stderr and "line 3" in result.stderr
    paths = {d["path"].rsplit("/", 1)[-1] for d in report["diagnostics"]}
    assert {"invalid-utf8.md", "one-line.txt"} <= paths  # damage is still found in bad files


# --------------------------------------------------------------------------- terminal injection

ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m\u202e"
CONTROLS = set("\x07\x1b\x9b\u202e\r")


def test_text_output_never_passes_control_characters_to_the_terminal(tmp_path):
    doc = tmp_path / f"odd{chr(0x1b)}[31mname.md"
    doc.write_text(
        "# Notes\n\nAs research shows (review 2021\x07).\n\n## References\n\n"
        f"1. Smith J. Title{ESCAPES} here. J Foo. 2019;1:2. doi:10.1234/abc{chr(7)}\n",
        "utf-8",
    )
    for args in (
        ["refs", str(tmp_path)],
        ["check", str(tmp_path)],
        ["check", str(doc), "--select", "RL"],
        ["audit", str(tmp_path)],
    ):
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        shown = result.stdout + result.stderr
        assert not set(shown) & CONTROLS, (args, shown)
        assert "\\x1b" in shown  # escaped where it was, not dropped: the reader sees what is there
    refs = CliRunner().invoke(main, ["refs", str(tmp_path)])
    assert "Title\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e here" in refs.stdout


# --------------------------------------------------------------------------- slow pathological input


def count_parses(monkeypatch) -> list[str]:
    """The reference texts handed to the CRF parser in this test."""
    from reflint import extract

    seen: list[str] = []
    real = extract.parse_references

    def counted(texts, **kwargs):
        seen.extend(texts)
        return real(texts, **kwargs)

    monkeypatch.setattr(extract, "parse_references", counted)
    monkeypatch.setattr(extract, "_memo", {})
    return seen


def test_an_overlong_reference_is_reported_not_parsed(tmp_path, monkeypatch):
    parsed = count_parses(monkeypatch)
    doc = tmp_path / "parens.md"
    doc.write_text(
        "# Notes\n\n## References\n\n1. Smith J. A title. J Foo. 2019;1:2.\n2. " + "(" * 1_000_000 + "\n", "utf-8"
    )
    result = CliRunner().invoke(main, ["check", str(doc), "--format", "json", "--select", "RL001"])
    assert result.exit_code == 1, result.output
    [diag] = json.loads(result.stdout)["diagnostics"]
    assert diag["line"] == 6 and diag["message"] == (
        "Reference entry is 1,000,000 characters long, more than the 3,000 read as one reference: "
        "split or shorten it"
    )
    assert parsed == ["Smith J. A title. J Foo. 2019;1:2."]  # the million brackets never reach the parser


def test_fix_rounds_parse_only_what_changed(tmp_path, monkeypatch):
    parsed = count_parses(monkeypatch)
    entries = [
        f"{n}. Author{chr(65 + n)} J. Title number {n}. J Foo. 2019;{n}:2. doi:10.1234/abc{n}" for n in range(1, 6)
    ]
    entries[0] += ")."  # junk after one DOI: one entry changes under --fix
    doc = tmp_path / "refs.md"
    doc.write_text("# Notes\n\n## References\n\n" + "\n".join(entries) + "\n", "utf-8")
    result = CliRunner().invoke(main, ["check", "--fix", str(doc)])
    assert "Fixed 1 problem" in result.output, result.output
    assert len(parsed) == len(set(parsed)) == 6  # five entries, then the one the fix changed


def test_a_catastrophic_user_pattern_cannot_stall_a_run(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.reflint]\nevidence-phrases = ["(x|xx)+y", "studies show"]\nselect = ["RL404"]\n', "utf-8"
    )
    (tmp_path / "claims.md").write_text(
        "# Notes\n\n"
        + "".join(f"Line {n}: {'x' * 60} and more.\n\n" for n in range(20))
        + "Studies show that stretching works.\n",
        "utf-8",
    )
    from helpers import invoke

    result = invoke("check", "claims.md", cwd=tmp_path)  # with `re`: the first line alone runs for hours
    assert result.exit_code == 1
    assert "claims.md:43:1: RL404" in result.stdout  # the other patterns still work
    assert result.stderr.count("evidence-phrases pattern `(x|xx)+y` took longer than") == 1
