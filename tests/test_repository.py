"""The repository's habits, checked: versions agree, the README names the release tag, the
architecture page lists every module, and this repository's hooks pin the ruff CI uses."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from reflint import __version__

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))


def test_package_version_and_readme_tags_agree():
    assert PYPROJECT["project"]["version"] == __version__
    readme = (ROOT / "README.md").read_text("utf-8")
    tag = f"v{__version__}"
    assert re.findall(r"^\s*rev: (\S+)", readme, re.M) == [tag]  # the pre-commit example
    assert set(re.findall(r"reflint/reflint@(\S+)", readme)) == {tag}  # the action examples
    assert f"reflint/reflint@{tag}" in (ROOT / "action.yml").read_text("utf-8")


def test_architecture_page_names_every_module():
    page = (ROOT / "docs" / "architecture.md").read_text("utf-8")
    package = ROOT / "src" / "reflint"
    modules = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py") if p.name != "__init__.py")
    missing = [m for m in modules if f"`{m}`" not in page]
    assert missing == [], "add one line per new module to docs/architecture.md: " + ", ".join(missing)


def test_pre_commit_config_uses_the_pinned_ruff_mypy_and_reflint():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    pinned = dict(
        re.match(r"([\w-]+)==([\w.]+)", dep).groups()
        for dep in PYPROJECT["project"]["optional-dependencies"]["test"]
        if "==" in dep
    )
    ruff = next(r for r in config["repos"] if r["repo"].endswith("ruff-pre-commit"))
    assert ruff["rev"] == f"v{pinned['ruff']}"
    hooks = {h["id"] for r in config["repos"] for h in r["hooks"]}
    assert {"ruff", "ruff-format", "mypy", "reflint"} <= hooks
    assert "mypy" in pinned


def test_ci_runs_lint_types_and_tests():
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    for step in ("ruff check", "ruff format --check", "mypy", "pytest"):
        assert step in script
    assert "bash .ci/install-tools chromium" in script
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text("utf-8"))
    assert any(step.get("run") == "bash .ci/run" for step in workflow["jobs"]["test"]["steps"])


def _fake_tools(tmp_path: Path, uid: int, sudo: bool) -> tuple[dict, Path]:
    """A PATH with a fake id, apt-get (and sudo), each logging how it was called."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    tools = {"id": f"echo {uid}", "apt-get": f'echo "apt-get $*" >> "{log}"'}
    if sudo:
        tools["sudo"] = f'echo "sudo $1" >> "{log}"; "$@"'
    for name, body in tools.items():
        (bin_dir / name).write_text(f"#!/bin/sh\n{body}\n", "utf-8")
        (bin_dir / name).chmod(0o755)
    for name in ("env", "bash", "sh"):
        real = next(Path(d) / name for d in os.environ["PATH"].split(":") if (Path(d) / name).exists())
        (bin_dir / name).symlink_to(real)
    return {"PATH": str(bin_dir)}, log


@pytest.mark.parametrize(
    "uid,sudo,expected",
    [
        (1001, True, ["sudo apt-get", "apt-get update -qq", "sudo env", "apt-get install -y -qq chromium"]),
        (0, False, ["apt-get update -qq", "apt-get install -y -qq chromium"]),
        (1001, False, []),
    ],
)
def test_chromium_install_uses_sudo_only_when_not_root(tmp_path, uid, sudo, expected):
    env, log = _fake_tools(tmp_path, uid, sudo)
    result = subprocess.run(
        [env["PATH"] + "/bash", str(ROOT / ".ci" / "install-tools"), "chromium"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    calls = log.read_text("utf-8").splitlines() if log.exists() else []
    assert calls == expected
