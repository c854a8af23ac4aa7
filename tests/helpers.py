"""Helpers several test modules share: git in a temporary repository, the CLI in a directory,
the seed-like documents' restored DOIs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from click.testing import CliRunner

from reflint.cli import main

# The DOIs of the seed-like documents (tests/data/seedlike) that lost their "10." prefix, with it
# restored: what RL101 suggests, offline and online alike.
MISSING_PREFIX = [
    "10.1179/jmt.2006.14.4.70E",
    "10.1179/106698111X13129729552065",
    "10.1136/bjsports-2016-096248",
    "10.1093/rheumatology/ken161",
    "10.1179/108331913X13844245102034",
    "10.1136/acupmed-2015-010911",
    "10.2147/JPR.S154728",
]


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
