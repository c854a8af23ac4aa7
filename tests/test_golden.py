"""Golden files for text and JSON output on the bundled examples.

Regenerate after an intended change with ``REFLINT_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflint.cli import main

ROOT = Path(__file__).parent.parent
GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize(
    "name,args",
    [
        ("examples.txt", ["check", "examples"]),
        ("examples.json", ["check", "examples", "--format", "json"]),
        ("examples-refs.json", ["refs", "examples", "--format", "json"]),
    ],
)
def test_output_matches_golden_file(monkeypatch, name, args):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args)
    assert result.exit_code in (0, 1), result.output
    golden = GOLDEN / name
    if os.environ.get("REFLINT_UPDATE_GOLDEN"):
        golden.write_text(result.stdout, "utf-8")
    assert result.stdout == golden.read_text("utf-8")


def test_committed_library_is_up_to_date(monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["bib", "examples", "-o", "references", "--check"])
    assert result.exit_code == 0, result.output
