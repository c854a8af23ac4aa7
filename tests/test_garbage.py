"""Garbage in, diagnostics or notes out: never a traceback, never a hang."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from reflint.cli import main


@pytest.fixture
def garbage(tmp_path):
    (tmp_path / "binary.md").write_bytes(bytes(range(256)) * 64)
    (tmp_path / "invalid-utf8.md").write_bytes(
        b"Caf\xe9 au lait (Smith 2019) \xff\xfe broken doi:10.1016/ bytes\n")
    (tmp_path / "one-line.txt").write_text(
        ("Dry needling (Gattie et al. 2017) doi:1179/x " * 120_000)[:5_000_000], "utf-8")
    (tmp_path / "nested.md").write_text("(" * 10_000 + "Smith 2019" + ")" * 10_000 + "\n", "utf-8")
    (tmp_path / "brackets.md").write_text("[" * 10_000 + "1" + "]" * 10_000 + "\n", "utf-8")
    (tmp_path / "broken.bib").write_text(
        "@article{ok, title={Fine}, year={2017}, doi={10.2519/jospt.2017.7096}}\n\n"
        "@article{bad, title={Unclosed, year={2018}\n", "utf-8")
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
    doc.write_text("# Notes\n\nAs research shows (review 2021\x07).\n\n## References\n\n"
                   f"1. Smith J. Title{ESCAPES} here. J Foo. 2019;1:2. doi:10.1234/abc{chr(7)}\n", "utf-8")
    for args in (["refs", str(tmp_path)], ["check", str(tmp_path)], ["check", str(doc), "--select", "RL"]):
        result = CliRunner().invoke(main, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        shown = result.stdout + result.stderr
        assert not set(shown) & CONTROLS, (args, shown)
        assert "\\x1b" in shown  # escaped where it was, not dropped: the reader sees what is there
    refs = CliRunner().invoke(main, ["refs", str(tmp_path)])
    assert "Title\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m\\u202e here" in refs.stdout
