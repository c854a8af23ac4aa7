"""A pull request run, simulated locally: a clone of an upstream repository, a branch that edits
a document with old problems and adds a new one, and the check step of action.yml run with
bash as GitHub runs it. Annotations must appear for the changed lines only."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import git

ROOT = Path(__file__).resolve().parents[1]
BASE_DOC = """# Dry needling

Dry needling is popular [1].

## References

1. Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. doi:1093/rheumatology/ken161
2. Gattie E, Cleland JA. Title one. J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:10.1016/
3. Kalichman L, Vulfsons S. Dry needling in the management of musculoskeletal pain. J Am Board Fam Med. 2010;23(5):640-646. doi:10.3122/jabfm.2010.05.090296
"""
# The branch: entry 2 keeps its truncated DOI but its title changes (a changed line with an old
# problem), entry 3 gets a DOI without its `10.` (new problem); entry 1 is untouched.
BRANCH_DOC = (BASE_DOC.replace("Title one.", "Title one, revised.")
              .replace("doi:10.3122/jabfm.2010.05.090296", "doi:3122/jabfm.2010.05.090296"))
ANNOTATION = re.compile(r"::(error|warning|notice) file=([^,]+),line=(\d+),")


@pytest.fixture
def workspace(tmp_path):
    """GITHUB_WORKSPACE after actions/checkout with fetch-depth: 0 of the PR branch."""
    upstream = tmp_path / "upstream"
    (upstream / "docs").mkdir(parents=True)
    (upstream / "docs" / "needling.md").write_text(BASE_DOC, "utf-8")
    (upstream / "docs" / "other.md").write_text("Nothing cited.\n", "utf-8")
    git(upstream, "init", "-q")
    git(upstream, "add", ".")
    git(upstream, "commit", "-qm", "base")
    ws = tmp_path / "workspace"
    git(tmp_path, "clone", "-q", str(upstream), str(ws))
    git(ws, "checkout", "-qb", "feature")
    (ws / "docs" / "needling.md").write_text(BRANCH_DOC, "utf-8")
    git(ws, "commit", "-qam", "revise references")
    # main moves on after the branch was cut: its changes are not the pull request's
    (upstream / "docs" / "other.md").write_text("doi:10.1016/\n", "utf-8")
    git(upstream, "commit", "-qam", "meanwhile on main")
    git(ws, "fetch", "-q", "origin")
    return ws


def action_step(name: str) -> dict:
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    return next(s for s in action["runs"]["steps"] if s.get("name") == name)


def run_check_step(ws: Path, tmp_path: Path, base_ref: str, paths: str = "docs/") -> subprocess.CompletedProcess:
    """The action's check step, with its env as GitHub would fill it in and the installed
    reflint standing in for the action's own virtualenv."""
    runner_temp = tmp_path / "runner-temp"
    bin_dir = runner_temp / "reflint-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    if not (bin_dir / "reflint").exists():
        (bin_dir / "reflint").symlink_to(Path(sys.executable).parent / "reflint")
    env = {**os.environ, "GITHUB_ACTIONS": "true", "RUNNER_TEMP": str(runner_temp),
           "REFLINT_CACHE_DIR": str(runner_temp / "reflint-cache"), "REFLINT_MAILTO": "",
           "BASE_REF": base_ref, "PATHS": paths, "ARGS": ""}
    script = action_step("reflint check")["run"]
    return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          cwd=ws, env=env, capture_output=True, text=True)


def test_pull_request_annotates_only_changed_lines(workspace, tmp_path):
    result = run_check_step(workspace, tmp_path, base_ref="main")
    assert result.returncode == 1, result.stdout + result.stderr
    found = ANNOTATION.findall(result.stdout)
    assert {(path, int(line)) for _, path, line in found} == {("docs/needling.md", 8), ("docs/needling.md", 9)}
    assert "3122/jabfm.2010.05.090296" in result.stdout  # the new problem
    assert "1093/rheumatology/ken161" not in result.stdout  # old problem on an untouched line
    assert all(line.startswith("::") for line in result.stdout.splitlines() if line)


def test_push_event_checks_everything(workspace, tmp_path):
    """No base ref (a push): the whole of `paths`, old problems included."""
    git(workspace, "merge", "-q", "origin/main")
    result = run_check_step(workspace, tmp_path, base_ref="")
    lines = {(path, int(line)) for _, path, line in ANNOTATION.findall(result.stdout)}
    assert result.returncode == 1
    assert {("docs/needling.md", 7), ("docs/needling.md", 8), ("docs/needling.md", 9),
            ("docs/other.md", 1)} <= lines


def test_pull_request_without_problems_passes(workspace, tmp_path):
    (workspace / "docs" / "needling.md").write_text(BASE_DOC.replace("popular [1]", "common [1]"), "utf-8")
    git(workspace, "commit", "-qam", "wording only")
    result = run_check_step(workspace, tmp_path, base_ref="main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout


def test_shallow_checkout_fails_with_a_hint(workspace, tmp_path):
    result = run_check_step(workspace, tmp_path, base_ref="no-such-base")
    assert result.returncode == 2
    assert "fetch-depth: 0" in result.stderr


def test_action_definition():
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {"paths", "args", "mailto"}
    steps = action["runs"]["steps"]
    install = action_step("Install reflint")
    assert "${{ github.action_path }}" in install["env"].values()
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert "hashFiles('references/**')" in cache["with"]["key"]
    check = action_step("reflint check")
    assert check["env"]["REFLINT_CACHE_DIR"] == cache["with"]["path"]
    assert '--changed-since "origin/$BASE_REF"' in check["run"] and "--format github" in check["run"]
