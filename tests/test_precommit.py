"""The pre-commit hooks for real: pre-commit installs this working tree (as a temporary git
repository, so uncommitted files count) into its own virtualenv and runs it on a user's repo.

Slow (pre-commit pip-installs reflint and its dependencies from PyPI, once for the module);
deselect with ``-m "not slow"``. Offline for reflint itself: REFLINT_OFFLINE=1.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

import helpers

ROOT = Path(__file__).resolve().parents[1]
BROKEN = (
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. " "doi:1179/jmt.2006.14.4.70E\n"
)
JUNK = "Read the [review](https://doi.org/10.2519/jospt.2017.7096.,) first.\n"
VERIFIABLE = (
    "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for "
    "musculoskeletal conditions. J Orthop Sports Phys Ther. 2017;47(3):133-149. "
    "doi:10.2519/jospt.2017.7096\n"
)
CLEAN = "Stretching before running is a common habit.\n"
SKIP = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", ".pytest_cache", "build", "dist")


CLEAN_ENV = {
    k: v for k, v in os.environ.items() if k not in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "VIRTUAL_ENV")
}


def git(cwd, *args) -> str:
    return helpers.git(cwd, *args, env=CLEAN_ENV)


def copy_project(dest: Path) -> str:
    """This checkout's working tree (tracked and untracked, not ignored) as a one-commit git
    repository; returns the commit for ``rev:``."""
    dest.mkdir()
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        for name in filter(None, listed.split("\0")):
            if (ROOT / name).is_file():
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / name, dest / name)
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (an unpacked sdist)
        shutil.rmtree(dest)
        shutil.copytree(ROOT, dest, ignore=SKIP)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-qm", "reflint under test")
    return git(dest, "rev-parse", "HEAD")


@pytest.fixture(scope="module")
def hooked(tmp_path_factory):
    """A user repository whose .pre-commit-config.yaml uses both hooks, environments installed.
    Yields (repo, env, pre_commit): the command runs pre-commit with the test's Python."""
    base = tmp_path_factory.mktemp("precommit")
    rev = copy_project(base / "reflint-hooks")
    repo = base / "kb"
    repo.mkdir()
    git(repo, "init", "-q")
    config = {
        "repos": [
            {
                "repo": str(base / "reflint-hooks"),
                "rev": rev,
                "hooks": [{"id": "reflint"}, {"id": "reflint-fix", "stages": ["manual"]}],
            }
        ]
    }
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), "utf-8")
    env = {
        **CLEAN_ENV,
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "REFLINT_OFFLINE": "1",
        "REFLINT_CACHE_DIR": str(base / "cache"),
        "PRE_COMMIT_COLOR": "never",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    pre_commit = [sys.executable, "-m", "pre_commit"]
    installed = subprocess.run([*pre_commit, "install-hooks"], cwd=repo, env=env, capture_output=True, text=True)
    assert installed.returncode == 0, (
        "pre-commit could not build the hook environment "
        "(needs `pip install -e .[test]` and PyPI):\n" + installed.stdout + installed.stderr
    )
    subprocess.run([*pre_commit, "install"], cwd=repo, env=env, check=True, capture_output=True)
    yield repo, env, pre_commit


def test_hooks_take_every_file_type_reflint_reads_and_nothing_else():
    """Not slow. The hooks pick files by suffix: identify has no tag for R Markdown, and
    Quarto's ``quarto`` tag would have to be added by hand (and older pre-commit rejects it)."""
    import re

    from reflint.documents import SUFFIXES

    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text("utf-8"))
    for hook in hooks:
        files = re.compile(hook["files"])
        for suffix in SUFFIXES:
            for name in (f"docs/post{suffix}", f"POST{suffix.upper()}", f"a/b/index{suffix.title()}"):
                assert files.search(name), (hook["id"], name)
        for name in ("setup.py", "data.json", "notes.md.bak", "page.xhtml", "bib", "README"):
            assert not files.search(name), (hook["id"], name)


@pytest.mark.slow
def test_hooks_reject_broken_dois_and_accept_clean_files(hooked):
    repo, env, pre_commit = hooked

    def run(*args):
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)

    (repo / "bad.md").write_text(f"# Needling\n\n{BROKEN}", "utf-8")
    (repo / "clean.md").write_text(CLEAN, "utf-8")
    (repo / "refs.bib").write_text("@article{a, title={T}, doi={10.1016/}}\n", "utf-8")
    git(repo, "add", ".pre-commit-config.yaml", "bad.md", "clean.md", "refs.bib")

    rejected = run(*pre_commit, "run", "reflint", "--files", "bad.md")
    assert rejected.returncode != 0
    assert "bad.md:3:" in rejected.stdout and "RL101" in rejected.stdout

    bib = run(*pre_commit, "run", "reflint", "--files", "refs.bib")
    assert bib.returncode != 0 and "RL102" in bib.stdout
    for name in ("post.qmd", "analysis.Rmd"):  # Quarto and R Markdown, which identify does not tag `markdown`
        (repo / name).write_text(f"---\ntitle: T\n---\n\n{BROKEN}", "utf-8")
        git(repo, "add", name)
        found = run(*pre_commit, "run", "reflint", "--files", name)
        assert found.returncode != 0 and f"{name}:5:" in found.stdout and "RL101" in found.stdout, found.stdout
        git(repo, "rm", "-q", "--cached", name)

    accepted = run(*pre_commit, "run", "reflint", "--files", "clean.md")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr

    (repo / "online.md").write_text(VERIFIABLE, "utf-8")
    unreachable = {**env, "REFLINT_CROSSREF_URL": "http://127.0.0.1:9", "REFLINT_DOI_URL": "http://127.0.0.1:9"}
    del unreachable["REFLINT_OFFLINE"]
    started = time.monotonic()
    offline = subprocess.run(
        [*pre_commit, "run", "reflint", "--files", "online.md"],
        cwd=repo,
        env=unreachable,
        capture_output=True,
        text=True,
    )
    assert offline.returncode == 0, offline.stdout + offline.stderr  # unknown, not broken
    assert time.monotonic() - started < 60

    commit = run("git", "commit", "-qm", "broken DOI")  # through the installed git hook
    assert commit.returncode != 0 and "RL101" in commit.stdout + commit.stderr
    git(repo, "rm", "-q", "--cached", "bad.md", "refs.bib")
    commit = run("git", "commit", "-qm", "clean")
    assert commit.returncode == 0, commit.stdout + commit.stderr

    (repo / "junk.md").write_text(JUNK, "utf-8")
    git(repo, "add", "junk.md")  # pre-commit notices modifications through `git diff`
    fixed = run(*pre_commit, "run", "reflint-fix", "--hook-stage", "manual", "--files", "junk.md")
    assert fixed.returncode != 0 and "files were modified by this hook" in fixed.stdout
    assert "https://doi.org/10.2519/jospt.2017.7096)" in (repo / "junk.md").read_text("utf-8")
    again = run(*pre_commit, "run", "reflint-fix", "--hook-stage", "manual", "--files", "junk.md")
    assert again.returncode == 0, again.stdout
