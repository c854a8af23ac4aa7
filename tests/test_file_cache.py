"""The file cache: a warm run reports exactly what a cold one does, and a file is checked
again when anything its diagnostics depend on changes."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from helpers import invoke
from reflint.cache import Cache

ROOT = Path(__file__).parent.parent


def _rows(db: Path) -> int:
    return sqlite3.connect(db).execute("SELECT COUNT(*) FROM files").fetchone()[0]


def test_warm_run_same_output_and_new_answers_check_again(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path / "cache"))
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "examples", kb)
    cold = invoke("check", ".", "--format", "json", "-j", "1", cwd=kb)
    db = tmp_path / "cache" / "cache.sqlite3"
    stored = _rows(db)
    assert stored > 10
    warm = invoke("check", ".", "--format", "json", "-j", "1", cwd=kb)
    assert warm.stdout == cold.stdout and _rows(db) == stored  # nothing new to keep

    # The registry now says a cited DOI does not exist: the files citing it are checked again.
    with Cache() as cache:
        cache.put("doi:10.2519/jospt.2017.7096", {"verdict": "invalid", "record": None, "agency": None}, False)
    answered = invoke("check", ".", "--format", "json", "-j", "1", cwd=kb)
    assert answered.stdout != cold.stdout
    assert '"RL201"' in answered.stdout and "10.2519/jospt.2017.7096" in answered.stdout
    sqlite3.connect(db).execute("DELETE FROM files").connection.commit()
    assert invoke("check", ".", "--format", "json", "-j", "1", cwd=kb).stdout == answered.stdout

    # An edited file and another selection of rules are checked afresh too.
    page = kb / "dry-needling.md"
    page.write_text(page.read_text("utf-8") + "\nMore text, doi:10.1179/\n", "utf-8")
    edited = invoke("check", ".", "--format", "json", "-j", "1", cwd=kb)
    assert "10.1179/" in edited.stdout and edited.stdout != answered.stdout
    selected = invoke("check", ".", "--format", "json", "-j", "1", "--select", "RL1", cwd=kb)
    assert '"RL201"' not in selected.stdout and '"RL102"' in selected.stdout
