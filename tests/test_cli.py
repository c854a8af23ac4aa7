"""The command line through click's runner: output formats, fixes, exit codes, errors."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from reflint import documents
from reflint.cli import main

MISSING = (
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. " "doi:1093/rheumatology/ken161"
)
JUNK = "Read the [review](https://doi.org/10.2519/jospt.2017.7096.,) first."
CLEAN = "Stretching before running is a common habit.\n"


def run(*args, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def kb(tmp_path):
    (tmp_path / "bad.md").write_text(f"# Needling\n\n{MISSING}\n\n{JUNK}\n", "utf-8")
    (tmp_path / "clean.md").write_text(CLEAN, "utf-8")
    return tmp_path


def test_clean_file_exits_zero(kb):
    result = run("check", str(kb / "clean.md"))
    assert result.exit_code == 0, result.output
    assert "All checks passed." in result.output


def test_text_output_lines_and_hints(kb):
    result = run("check", "bad.md", cwd=kb)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert "bad.md:3:87: RL101 DOI `1093/rheumatology/ken161` is missing the `10.` prefix" in lines
    assert any(re.fullmatch(r"bad\.md:5:\d+: RL104 \[\*\] DOI .*trailing junk.*", l) for l in lines)
    assert "  fix (unsafe): Prepend `10.`: `10.1093/rheumatology/ken161`" in lines
    assert lines[-1] == "Found 2 problems. 1 fixable with `--fix`. 1 more fixable with `--fix --unsafe-fixes`."


def test_json_output_schema(kb):
    result = run("check", "bad.md", "--format", "json", cwd=kb)
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["version"] == 1
    # tests run offline: both DOIs are unverified, so "unknown", never broken
    assert report["summary"] == {
        "files": 1,
        "references": report["summary"]["references"],
        "diagnostics": 2,
        "unknown": 2,
    }
    first = report["diagnostics"][0]
    assert set(first) == {
        "code",
        "name",
        "severity",
        "message",
        "path",
        "line",
        "column",
        "end_line",
        "end_column",
        "data",
        "fix",
    }
    assert (first["code"], first["name"], first["path"], first["line"]) == ("RL101", "doi-missing-prefix", "bad.md", 3)
    assert first["data"] == {"doi": "1093/rheumatology/ken161", "suggested_doi": "10.1093/rheumatology/ken161"}
    assert first["fix"]["applicability"] == "unsafe"
    edit = first["fix"]["edits"][0]
    assert edit == {
        "start": [3, first["column"]],
        "end": [3, first["end_column"]],
        "content": "10.1093/rheumatology/ken161",
    }


def test_fix_applies_safe_fixes_only_and_reports_the_rest(kb):
    result = run("check", "bad.md", "--fix", cwd=kb)
    assert result.exit_code == 1
    text = (kb / "bad.md").read_text("utf-8")
    assert "https://doi.org/10.2519/jospt.2017.7096)" in text
    assert "doi:1093/rheumatology" in text
    assert "Fixed 1 problem." in result.output


def test_unsafe_fixes_then_second_run_changes_nothing(kb):
    result = run("check", "bad.md", "--fix", "--unsafe-fixes", cwd=kb)
    assert result.exit_code == 0, result.output
    once = (kb / "bad.md").read_bytes()
    assert b"doi:10.1093/rheumatology/ken161" in once
    again = run("check", "bad.md", "--fix", "--unsafe-fixes", cwd=kb)
    assert again.exit_code == 0
    assert (kb / "bad.md").read_bytes() == once


@pytest.mark.parametrize(
    "encoding,bom,newline",
    [
        ("utf-8", False, "\r\n"),
        ("utf-8", True, "\n"),
        ("utf-8", True, "\r\n"),
        ("cp1252", False, "\r\n"),
    ],
)
def test_fix_keeps_encoding_bom_and_line_endings(tmp_path, encoding, bom, newline):
    body = f"# Dry needling – an overview{newline}{newline}{MISSING}{newline}"
    raw = (b"\xef\xbb\xbf" if bom else b"") + body.encode(encoding)
    path = tmp_path / "article.md"
    path.write_bytes(raw)
    result = run("check", str(path), "--fix", "--unsafe-fixes")
    assert result.exit_code == 0, result.output
    expected = raw.replace(b"doi:1093/", b"doi:10.1093/")
    assert path.read_bytes() == expected


def test_diff_shows_changes_and_writes_nothing(kb):
    before = (kb / "bad.md").read_bytes()
    result = run("check", "bad.md", "--diff", "--unsafe-fixes", cwd=kb)
    assert result.exit_code == 1
    assert "--- a/bad.md" in result.output and "+++ b/bad.md" in result.output
    assert "+Pyne D" in result.output and "doi:10.1093/rheumatology/ken161" in result.output
    assert (kb / "bad.md").read_bytes() == before


def test_read_only_file_under_fix_is_an_error_and_untouched(kb, monkeypatch):
    target = kb / "bad.md"
    before = target.read_bytes()
    real_access = os.access
    monkeypatch.setattr(
        os,
        "access",
        lambda p, mode, **kw: False if Path(p) == target and mode == os.W_OK else real_access(p, mode, **kw),
    )
    target.chmod(0o444)
    result = run("check", "bad.md", "--fix", "--unsafe-fixes", cwd=kb)
    assert result.exit_code == 2
    assert "bad.md" in result.output and "error:" in result.output
    assert target.read_bytes() == before
    assert [p.name for p in kb.iterdir() if p.name.startswith(".")] == []  # no temp file left


def test_vanished_file_under_fix_is_an_error(kb, monkeypatch):
    real_load = documents.load

    def load_then_vanish(path, *args, **kwargs):
        doc = real_load(path, *args, **kwargs)
        Path(path).unlink()
        return doc

    monkeypatch.setattr(documents, "load", load_then_vanish)
    result = run("check", "bad.md", "--fix", cwd=kb)
    assert result.exit_code == 2
    assert "bad.md" in result.output
    assert not (kb / "bad.md").exists()


def test_missing_path_is_a_usage_error(kb):
    result = run("check", "nope.md", cwd=kb)
    assert result.exit_code == 2
    assert "nope.md: no such file or directory" in result.output


@pytest.mark.parametrize("args", [["--select", "RL999"], ["--ignore", "not-a-rule"]])
def test_unknown_rule_selector_exits_2(kb, args):
    result = run("check", "bad.md", *args, cwd=kb)
    assert result.exit_code == 2
    assert f"{args[0]}: unknown rule selector `{args[1]}`" in result.output  # the option named once


@pytest.mark.parametrize(
    "args,codes",
    [
        (["--select", "RL104"], ["RL104"]),
        (["--ignore", "doi-trailing-junk"], ["RL101"]),
        (["--select", "RL1", "--ignore", "RL101,RL104"], []),
    ],
)
def test_selection_flags(kb, args, codes):
    result = run("check", "bad.md", "--format", "json", *args, cwd=kb)
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == codes


def test_config_file_and_per_file_ignores(kb):
    (kb / "reflint.toml").write_text('[per-file-ignores]\n"bad.md" = ["RL101"]\n')
    result = run("check", "bad.md", "--format", "json", cwd=kb)
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["RL104"]


def test_binary_file_is_skipped_with_a_note(tmp_path):
    (tmp_path / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = run("check", str(tmp_path))
    assert result.exit_code == 0
    assert "image.md" in result.output and "binary" in result.output


def test_rules_lists_every_rule_and_explains_one():
    listing = run("rules")
    assert listing.exit_code == 0
    for code in ("RL001", "RL101", "RL102", "RL103", "RL104", "RL105", "RL303"):
        assert code in listing.output
    assert "(off by default)" in listing.output
    explained = run("rules", "doi-missing-prefix")
    assert explained.exit_code == 0
    assert explained.output.startswith("RL101 (doi-missing-prefix)")
    assert "Bad:" in explained.output and "Good:" in explained.output
    assert run("rules", "RL999").exit_code == 2


def test_refs_json_lists_entries_with_fields_and_bibtex(tmp_path):
    (tmp_path / "a.md").write_text(
        "Acupuncture is debated (Pyne 2008).\n\n## References\n\n- " + MISSING + "\n", "utf-8"
    )
    result = run("refs", "a.md", "--format", "json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    refs = json.loads(result.stdout)["references"]
    entry = next(r for r in refs if r["kind"] == "list-entry")
    assert (entry["path"], entry["line"], entry["column"]) == ("a.md", 5, 3)
    assert entry["fields"]["authors"][0] == {"family": "Pyne", "given": "D"}
    assert entry["fields"]["year"] == "2008"
    assert entry["key"] == "pyne2008demystifying"
    assert entry["bibtex"].startswith("@article{pyne2008demystifying,")
    cited = next(r for r in refs if r["kind"] == "in-text")
    assert cited["fields"]["authors"][0]["family"] == "Pyne"


def test_bib_writes_library_and_check_detects_staleness(tmp_path):
    docs = tmp_path / "kb"
    docs.mkdir()
    (docs / "a.md").write_text("## References\n\n- " + MISSING + "\n", "utf-8")
    (docs / "faq.md").write_text(CLEAN, "utf-8")
    out = tmp_path / "references"
    assert run("bib", "kb", "-o", "references", "--check", cwd=tmp_path).exit_code == 1
    written = run("bib", "kb", "-o", "references", cwd=tmp_path)
    assert written.exit_code == 0, written.output
    assert sorted(p.name for p in out.iterdir()) == ["a.bib"]
    assert "@article{pyne2008demystifying," in (out / "a.bib").read_text("utf-8")
    assert run("bib", "kb", "-o", "references", "--check", cwd=tmp_path).exit_code == 0
    (docs / "a.md").write_text("## References\n\n- " + MISSING.replace("2008", "2009") + "\n", "utf-8")
    stale = run("bib", "kb", "-o", "references", "--check", cwd=tmp_path)
    assert stale.exit_code == 1
    assert "would update" in stale.output
    (docs / "a.md").unlink()
    assert "would remove" in run("bib", "kb", "-o", "references", "--check", cwd=tmp_path).output


def test_quick_start_command_runs_the_installed_script_on_the_examples():
    """The README's first command, as a user runs it (offline here): planted problems, exit 1."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "reflint"
    root = Path(__file__).parent.parent
    env = {**os.environ, "REFLINT_OFFLINE": "1"}
    result = subprocess.run(
        [str(script), "check", "examples/"], cwd=root, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 1, result.stderr
    assert "examples/dry-needling.md:39:119: RL101" in result.stdout
    assert result.stdout.rstrip().endswith("more fixable with `--fix --unsafe-fixes`.")
    module = subprocess.run([sys.executable, "-m", "reflint", "--version"], capture_output=True, text=True, timeout=60)
    assert module.stdout.startswith("reflint, version ")
    # the process skips the interpreter's teardown (cli.run): exit codes and output are kept
    missing = subprocess.run(
        [sys.executable, "-m", "reflint", "check", "no-such.md"], cwd=root, env=env, capture_output=True, text=True
    )
    assert missing.returncode == 2 and "no-such.md: no such file or directory" in missing.stderr


def test_a_fix_that_would_break_a_bib_file_is_refused(tmp_path, monkeypatch):
    """Belt and braces: whatever a rule proposes, a .bib never loses an entry to --fix."""
    import dataclasses

    from reflint import rules
    from reflint.models import Applicability, Edit, Fix

    bib = tmp_path / "refs.bib"
    original = "@article{a, title={A}, doi={10.1/x.}}\n\n@article{b, title={B}}\n"
    bib.write_text(original, "utf-8")
    honest = rules.BY_CODE["RL104"]

    def greedy(ctx):  # a broken rule: deletes the closing braces along with the junk
        for d in honest.check(ctx):
            edit = d.fix.edits[0]
            yield dataclasses.replace(d, fix=Fix((Edit(edit.start, edit.end + 2, ""),), Applicability.SAFE, "greedy"))

    broken = dataclasses.replace(honest, check=greedy)
    monkeypatch.setattr(rules, "RULES", [broken if r is honest else r for r in rules.RULES])
    result = run("check", str(bib), "--fix")
    assert result.exit_code == 2
    assert "would change the BibTeX structure" in result.output
    assert bib.read_text("utf-8") == original


def test_single_library_layout_merges_documents(tmp_path):
    docs = tmp_path / "kb"
    docs.mkdir()
    entry = "## References\n\n- " + MISSING + "\n"
    (docs / "a.md").write_text(entry, "utf-8")
    (docs / "b.md").write_text(
        entry + "- Meakins A. Acupuncture: what's the point? Br J Sports Med. "
        "2017;51(6):484-484. doi:10.1136/bjsports-2016-096248\n",
        "utf-8",
    )
    (tmp_path / "reflint.toml").write_text('bib-layout = "single"\n')
    assert run("bib", "kb", cwd=tmp_path).exit_code == 0
    assert [p.name for p in (tmp_path / "references").iterdir()] == ["library.bib"]
    text = (tmp_path / "references" / "library.bib").read_text("utf-8")
    assert text.count("@article{pyne2008demystifying,") == 1  # cited in both documents
    assert "@article{meakins2017acupuncture," in text
    assert run("bib", "kb", "--check", cwd=tmp_path).exit_code == 0


# -- issue 10: behave like the linters users know --------------------------------------------------


def test_missing_path_never_says_all_checks_passed(kb):
    result = run("check", "clean.md", "nope/", cwd=kb)
    assert result.exit_code == 2
    assert "error: nope/: no such file or directory" in result.output
    assert "All checks passed" not in result.output
    assert result.stdout.splitlines()[-1].startswith("No problems found in what could be checked, but 1 error")


@pytest.mark.parametrize(
    "content,expected",
    [
        ('timeout = "fast"\n', 'reflint.toml: timeout = "fast" is not valid: expected a positive number of seconds'),
        ('offline = "no"\n', 'reflint.toml: offline = "no" is not valid: expected true or false'),
        ('select = "RL1"\n', 'reflint.toml: select = "RL1" is not valid: expected a list of rule codes'),
        ("time-limit = -5\n", "reflint.toml: time-limit = -5 is not valid"),
        (
            'bib-layout = "flat"\n',
            'reflint.toml: bib-layout = "flat" is not valid: expected "per-document" or "single"',
        ),
        ('[per-file-ignores]\n"a.md" = "RL1"\n', "reflint.toml: per-file-ignores"),
        ('crossref-url = "api.crossref.org"\n', "expected an http(s) URL"),
        ('select = ["RL1"\n', "reflint.toml: invalid TOML"),
    ],
)
def test_config_errors_name_file_key_and_value_and_exit_2(kb, content, expected):
    (kb / "reflint.toml").write_text(content, "utf-8")
    result = run("check", "bad.md", cwd=kb)
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Traceback" not in result.output and "Usage:" not in result.output


def test_an_invalid_pyproject_is_an_error_not_skipped(kb):
    (kb / "pyproject.toml").write_text('[tool.reflint]\nignore = ["RL101"\n', "utf-8")
    result = run("check", "bad.md", cwd=kb)
    assert result.exit_code == 2
    assert "pyproject.toml: invalid TOML" in result.output


@pytest.mark.parametrize(
    "name,value,expected",
    [
        ("REFLINT_TIMEOUT", "abc", "REFLINT_TIMEOUT=abc is not valid: expected a positive number of seconds"),
        ("REFLINT_OFFLINE", "maybe", "REFLINT_OFFLINE=maybe is not valid"),
    ],
)
def test_bad_environment_values_exit_2(kb, monkeypatch, name, value, expected):
    monkeypatch.setenv(name, value)
    result = run("check", "bad.md", cwd=kb)
    assert result.exit_code == 2
    assert expected in result.output and "Traceback" not in result.output


def test_an_unexpected_exception_exits_2_with_a_hint_to_report_it(kb, monkeypatch):
    from reflint import linter

    def explode(self, paths, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(linter.Linter, "lint_paths", explode)
    result = run("check", "bad.md", cwd=kb)
    assert result.exit_code == 2
    assert "failed unexpectedly: KeyError: 'boom'" in result.output
    assert "github.com/reflint/reflint/issues" in result.output
    assert "Traceback" not in result.output


def test_cli_ignore_adds_to_the_config_ignores(kb):
    (kb / "reflint.toml").write_text('ignore = ["RL101"]\n', "utf-8")
    codes = lambda *args: [
        d["code"] for d in json.loads(run("check", "bad.md", "--format", "json", *args, cwd=kb).stdout)["diagnostics"]
    ]
    assert codes() == ["RL104"]
    assert codes("--ignore", "RL303") == ["RL104"]  # RL101 stays ignored
    assert codes("--extend-ignore", "RL104") == []
    assert codes("--select", "RL101") == ["RL101"]  # --select replaces the config's selection
    assert codes("--extend-select", "RL101") == ["RL101", "RL104"]  # a later layer may re-enable


def test_extend_ignore_in_config_and_specific_selectors_win(kb):
    (kb / "reflint.toml").write_text('select = ["RL101"]\nextend-ignore = ["RL1"]\n', "utf-8")
    result = run("check", "bad.md", "--format", "json", cwd=kb)
    assert [d["code"] for d in json.loads(result.stdout)["diagnostics"]] == ["RL101"]


def test_each_file_gets_the_closest_config(tmp_path):
    (tmp_path / "reflint.toml").write_text('ignore = ["RL104"]\n', "utf-8")
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "pyproject.toml").write_text(
        '[tool.reflint]\nignore = ["RL101"]\nexclude = ["drafts/"]\n'
        '[tool.reflint.per-file-ignores]\n"faq.md" = ["RL104"]\n',
        "utf-8",
    )
    for where in (tmp_path, notes):
        (where / "a.md").write_text(f"{MISSING}\n\n{JUNK}\n", "utf-8")
    (notes / "faq.md").write_text(f"{JUNK}\n", "utf-8")
    (notes / "drafts").mkdir()
    (notes / "drafts" / "d.md").write_text(f"{MISSING}\n", "utf-8")
    result = run("check", ".", "--format", "json", cwd=tmp_path)
    found = sorted((d["path"], d["code"]) for d in json.loads(result.stdout)["diagnostics"])
    assert found == [("a.md", "RL101"), ("notes/a.md", "RL104")]
    # the same from inside notes/, and with --config one file rules everything
    inside = json.loads(run("check", "--format", "json", cwd=notes).stdout)["diagnostics"]
    assert sorted((d["path"], d["code"]) for d in inside) == [("a.md", "RL104")]
    fixed = json.loads(run("check", ".", "--format", "json", "--config", "reflint.toml", cwd=tmp_path).stdout)
    assert ("notes/drafts/d.md", "RL101") in {(d["path"], d["code"]) for d in fixed["diagnostics"]}


def test_quiet_prints_only_the_problems(kb):
    result = run("check", "bad.md", "-q", cwd=kb)
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("bad.md:3:87: RL101")
    assert "Found 2 problems" not in result.stdout and "note:" not in result.output
    clean = run("check", "clean.md", "--quiet", cwd=kb)
    assert clean.exit_code == 0 and clean.output == ""


def test_output_file_holds_the_report(kb):
    result = run("check", "bad.md", "--output-format", "json", "--output-file", "out/report.json", cwd=kb)
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads((kb / "out" / "report.json").read_text("utf-8"))["summary"]["diagnostics"] == 2


def test_statistics_counts_by_rule(kb):
    (kb / "more.md").write_text(f"{MISSING}\n", "utf-8")
    result = run("check", ".", "--statistics", cwd=kb)
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "2\tRL101\t[ ] doi-missing-prefix",
        "1\tRL104\t[*] doi-trailing-junk",
        "Found 3 problems.",
    ]
    as_json = json.loads(run("check", ".", "--statistics", "--format", "json", cwd=kb).stdout)
    assert as_json[0] == {"code": "RL101", "name": "doi-missing-prefix", "count": 2, "fixable": False}


def test_show_fixes_lists_what_was_fixed(kb):
    result = run("check", "bad.md", "--fix", "--unsafe-fixes", "--show-fixes", cwd=kb)
    assert result.exit_code == 0, result.output
    assert (
        "Fixed 2 problems:\n- bad.md:\n    1 \u00d7 RL101 (doi-missing-prefix)\n"
        "    1 \u00d7 RL104 (doi-trailing-junk)" in result.output
    )


@pytest.mark.parametrize(
    "args,env,coloured",
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),  # an explicit flag beats the environment
        ([], {"FORCE_COLOR": "1"}, True),
        (["--color", "auto"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_flag_and_the_environment(kb, monkeypatch, args, env, coloured):
    for name in ("NO_COLOR", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)
    plain = run("check", str(kb / "bad.md")).stdout
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(main, ["check", str(kb / "bad.md"), *args], color=True)
    assert ("\x1b[" in result.stdout) is coloured
    assert re.sub(r"\x1b\[[0-9;]*m", "", result.stdout) == plain


def test_stdin_is_linted_as_the_named_file(kb):
    (kb / "docs").mkdir()
    (kb / "docs" / "reflint.toml").write_text('ignore = ["RL104"]\n', "utf-8")
    text = f"{MISSING}\n\n{JUNK}\n"
    result = CliRunner().invoke(main, ["check", "--stdin-filename", "docs/new.md"], input=text.encode())
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("docs/new.md:1:87: RL101")
    old = os.getcwd()
    os.chdir(kb)
    try:
        scoped = CliRunner().invoke(
            main, ["check", "--stdin-filename", "docs/new.md", "--format", "json"], input=text.encode()
        )
        fixed = CliRunner().invoke(main, ["check", "-", "--fix", "--unsafe-fixes"], input=text.encode())
    finally:
        os.chdir(old)
    assert [d["code"] for d in json.loads(scoped.stdout)["diagnostics"]] == ["RL101"]  # docs/ config
    assert fixed.exit_code == 0
    assert fixed.stdout == text.replace("doi:1093/", "doi:10.1093/").replace("7096.,)", "7096)")


def test_output_format_is_the_ruff_spelling_of_format(kb):
    assert run("check", "bad.md", "--output-format", "github", cwd=kb).stdout.startswith("::error file=bad.md")


def test_changed_since_in_a_repository_without_commits(tmp_path):
    from helpers import git

    git(tmp_path, "init", "-q")
    (tmp_path / "a.md").write_text("doi:1093/rheumatology/ken161\n", "utf-8")
    result = run("check", "--changed-since", "HEAD", cwd=tmp_path)
    assert result.exit_code == 2
    assert "has no commits yet" in result.output
    assert "fetch-depth" not in result.output and "shallow" not in result.output


def test_fixed_stdin_keeps_its_encoding_and_line_endings(tmp_path):
    raw = f"# Dry needling – an overview\r\n\r\n{MISSING}\r\n".encode("cp1252")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(main, ["check", "--stdin-filename", "a.md", "--fix", "--unsafe-fixes"], input=raw)
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == raw.replace(b"doi:1093/", b"doi:10.1093/")


def test_a_run_with_no_lookup_to_make_loads_no_http_stack(tmp_path):
    """requests, urllib3 and the transport load with the first registry request; regex with a
    user's pattern; snowballstemmer with online author-year matching. A pre-commit hook run
    whose answers are all cached (here: offline) starts about a quarter faster without them."""
    import subprocess
    import sys

    doc = tmp_path / "note.md"
    doc.write_text("Needling helps (Gattie et al. 2017). doi:1179/jmt.2006.14.4.70E\n", encoding="utf-8")
    env = {**os.environ, "REFLINT_CACHE_DIR": str(tmp_path / "cache")}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "reflint", "check", "--offline", str(doc)],
        capture_output=True,
        text=True,
        env=env,
    )
    loaded = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert done.returncode == 1 and "RL101" in done.stdout  # the check ran
    assert {"reflint.rules", "reflint.extract"} <= loaded  # (and the import log was read)
    assert not loaded & {"requests", "urllib3", "reflint.transport", "regex", "snowballstemmer"}
