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
BRANCH_DOC = BASE_DOC.replace("Title one.", "Title one, revised.").replace(
    "doi:10.3122/jabfm.2010.05.090296", "doi:3122/jabfm.2010.05.090296"
)
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


def run_step(name: str, ws: Path, tmp_path: Path, **env_values) -> subprocess.CompletedProcess:
    """One step of action.yml, with its env as GitHub would fill it in and the installed
    reflint standing in for the action's own virtualenv."""
    runner_temp = tmp_path / "runner-temp"
    bin_dir = runner_temp / "reflint-venv" / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool, real in (("reflint", Path(sys.executable).parent / "reflint"), ("python", Path(sys.executable))):
        if not (bin_dir / tool).exists():  # a wrapper: a symlinked python would leave its venv
            (bin_dir / tool).write_text(f'#!/bin/sh\nexec "{real}" "$@"\n', "utf-8")
            (bin_dir / tool).chmod(0o755)
    step = action_step(name)
    env = {
        **os.environ,
        "GITHUB_ACTIONS": "true",
        "RUNNER_TEMP": str(runner_temp),
        "GITHUB_OUTPUT": str(tmp_path / "github-output"),
        "GITHUB_WORKSPACE": str(ws),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "REFLINT_CACHE_DIR": str(runner_temp / "reflint-cache"),
        "REFLINT_MAILTO": "",
        **env_values,
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=ws,
        env=env,
        capture_output=True,
        text=True,
    )


def outputs(tmp_path: Path) -> dict:
    lines = (tmp_path / "github-output").read_text("utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines)


def run_check_step(
    ws: Path,
    tmp_path: Path,
    base_ref: str,
    paths: str = "docs/",
    fail: str = "true",
) -> subprocess.CompletedProcess:
    """The action's fetch, check and result steps in a row, as a pull_request event runs them."""
    if base_ref:
        fetched = run_step("Fetch the base branch", ws, tmp_path, BASE_REF=base_ref)
        if fetched.returncode:
            return fetched
    check = run_step(
        "reflint check", ws, tmp_path, BASE_REF=base_ref, PATHS=paths, ARGS="", CHANGED_ONLY="true", PREFIX="."
    )
    assert check.returncode == 0, check.stderr  # the check step records the status, the result step fails
    result = run_step("Result", ws, tmp_path, STATUS=outputs(tmp_path)["exit-code"], FAIL_ON_PROBLEMS=fail)
    return subprocess.CompletedProcess(
        check.args, result.returncode, check.stdout + result.stdout, check.stderr + result.stderr
    )


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
    assert {("docs/needling.md", 7), ("docs/needling.md", 8), ("docs/needling.md", 9), ("docs/other.md", 1)} <= lines


def test_pull_request_without_problems_passes(workspace, tmp_path):
    (workspace / "docs" / "needling.md").write_text(BASE_DOC.replace("popular [1]", "common [1]"), "utf-8")
    git(workspace, "commit", "-qam", "wording only")
    result = run_check_step(workspace, tmp_path, base_ref="main")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "::error" not in result.stdout


def test_a_base_branch_that_cannot_be_fetched_fails_with_its_name(workspace, tmp_path):
    result = run_check_step(workspace, tmp_path, base_ref="no-such-base")
    assert result.returncode == 2
    assert "cannot fetch the base branch 'no-such-base'" in result.stdout


def test_the_action_deepens_a_shallow_checkout_itself(workspace, tmp_path):
    """actions/checkout's default is a one-commit clone: the action fetches the base branch and
    enough history for the merge base, so --changed-since works without fetch-depth: 0."""
    upstream = tmp_path / "upstream"
    git(upstream, "checkout", "-qb", "feature-upstream", "HEAD~1")
    (upstream / "docs" / "needling.md").write_text(BRANCH_DOC, "utf-8")
    git(upstream, "commit", "-qam", "revise references")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature-upstream", upstream.as_uri(), str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository") == "true"
    result = run_check_step(shallow, tmp_path, base_ref="main")
    assert result.returncode == 1, result.stdout + result.stderr
    found = {(path, int(line)) for _, path, line in ANNOTATION.findall(result.stdout)}
    assert found == {("docs/needling.md", 8), ("docs/needling.md", 9)}


def test_fail_on_problems_false_reports_but_passes(workspace, tmp_path):
    result = run_check_step(workspace, tmp_path, base_ref="main", fail="false")
    assert result.returncode == 0
    annotations = ANNOTATION.findall(result.stdout)
    errors = sum(kind == "error" for kind, _, _ in annotations)
    summary = (tmp_path / "summary.md").read_text("utf-8")
    assert f"**{len(annotations)} problems** ({errors} errors, " in summary and "in 1 file." in summary
    assert "| RL101 | doi-missing-prefix | 1 |" in summary


def test_paths_with_spaces_one_per_line(workspace, tmp_path):
    spaced = workspace / "my notes"
    spaced.mkdir()
    (spaced / "a b.md").write_text("See doi:1093/rheumatology/ken161.\n", "utf-8")
    result = run_check_step(workspace, tmp_path, base_ref="", paths="my notes\ndocs/other.md\n")
    assert result.returncode == 1, result.stdout + result.stderr
    assert {path for _, path, _ in ANNOTATION.findall(result.stdout)} == {"my notes/a b.md"}


def test_action_definition():
    action = yaml.safe_load((ROOT / "action.yml").read_text("utf-8"))
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) == {
        "paths",
        "args",
        "mailto",
        "version",
        "format",
        "working-directory",
        "fail-on-problems",
        "changed-lines-only",
    }
    steps = action["runs"]["steps"]
    install = action_step("Install reflint")
    assert "${{ github.action_path }}" in install["env"].values()
    cache = next(s for s in steps if s.get("uses", "").startswith("actions/cache@"))
    assert "steps.library.outputs.dir" in cache["with"]["key"]  # follows references-dir
    check = action_step("reflint check")
    assert check["env"]["REFLINT_CACHE_DIR"] == cache["with"]["path"]
    assert '--changed-since "origin/$BASE_REF"' in check["run"]
    assert "--output-format sarif" in check["run"] and check["run"].count('reflint" check') == 1
    upload = next(s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@"))
    assert "inputs.format == 'sarif'" in upload["if"]


def test_library_step_follows_the_configured_references_dir(tmp_path):
    (tmp_path / "reflint.toml").write_text('references-dir = "bib/library"\n', "utf-8")
    result = run_step("Locate the references library", tmp_path, tmp_path)
    assert result.returncode == 0, result.stderr
    assert outputs(tmp_path)["dir"] == "bib/library"
