"""Helpers several test modules share: git in a temporary repository, the CLI in a directory."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner

from reflint.cli import main


def git(cwd, *args, env: dict | None = None) -> str:
    """Run git with a throwaway identity, so tests need no global git config (``env``: the
    whole environment, when the caller needs a clean one)."""
    return subprocess.run(
        [
            "git",
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
            *args,
        ],
        cwd=cwd,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def invoke(*args: str, cwd: Path | None = None):
    """``reflint ARGS`` through click's runner, from ``cwd`` when given."""
    if cwd is None:
        return CliRunner().invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
