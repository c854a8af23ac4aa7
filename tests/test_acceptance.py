"""The documents users bring: seed-style articles in .txt, .md and .html (tests/data/seedlike)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import MISSING_PREFIX
from reflint.cli import main

DATA = Path(__file__).parent / "data" / "seedlike"
SOUND = [
    "10.2519/jospt.2017.7096",
    "10.1097/MD.0000000000011225",
    "10.1016/j.ctim.2017.06.003",
    "10.2519/jospt.2017.6698",
    "10.1097/JSM.0000000000000794",
]
SUFFIXES = ["txt", "md", "html"]


def check_json(path: Path, *args: str) -> tuple[int, dict]:
    result = CliRunner().invoke(main, ["check", str(path), "--format", "json", *args])
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_missing_prefix_article_gets_seven_rl101(suffix):
    code, report = check_json(DATA / f"missing-prefix.{suffix}")
    assert code == 1
    assert [d["code"] for d in report["diagnostics"]] == ["RL101"] * 7
    assert [d["data"]["suggested_doi"] for d in report["diagnostics"]] == MISSING_PREFIX
    assert [d["data"]["doi"] for d in report["diagnostics"]] == [d[3:] for d in MISSING_PREFIX]
    assert report["summary"]["references"] == 7


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_truncated_article_gets_one_rl102_and_nothing_on_sound_dois(suffix):
    code, report = check_json(DATA / f"truncated.{suffix}")
    assert code == 1
    assert [(d["code"], d["data"]["doi"]) for d in report["diagnostics"]] == [("RL102", "10.1016/")]
    assert report["summary"]["references"] == 6


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_fix_repairs_in_place_and_is_idempotent(tmp_path, suffix):
    path = tmp_path / f"missing-prefix.{suffix}"
    shutil.copy(DATA / path.name, path)
    original = path.read_bytes()
    result = CliRunner().invoke(main, ["check", str(path), "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    fixed = path.read_bytes()
    text = fixed.decode("utf-8")
    for doi in MISSING_PREFIX:
        assert doi in text
    assert len(fixed) == len(original) + 3 * 7  # only the seven `10.` prefixes were added
    assert fixed.count(b"\r\n") == original.count(b"\r\n")
    again = CliRunner().invoke(main, ["check", str(path), "--fix", "--unsafe-fixes"])
    assert again.exit_code == 0
    assert path.read_bytes() == fixed
