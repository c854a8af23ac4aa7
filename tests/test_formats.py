"""`reflint check --format github|sarif`: GitHub annotations and SARIF for code scanning."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft4Validator

from reflint import __version__, documents, github, rule_docs
from reflint.cli import main
from reflint.config import DEFAULTS, Config
from reflint.linter import Linter
from reflint.models import Applicability, Diagnostic, Edit, Fix
from reflint.report import render_github
from reflint.rules import RULES
from reflint.sarif import FINGERPRINT_KEY, render_sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text("utf-8"))
MISSING = (
    "Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. " "doi:1093/rheumatology/ken161"
)
JUNK = "Read the [review](https://doi.org/10.2519/jospt.2017.7096.,) first."
BAD = f"# Needling\n\n{MISSING}\n\n{JUNK}\n"


def check(tmp_path, monkeypatch, *args):
    monkeypatch.chdir(tmp_path)
    return CliRunner().invoke(main, ["check", *args])


def lint(text: str, path: str = "kb/bad.md"):
    doc = documents.from_text(text, path)
    return [(doc, Linter(Config(dict(DEFAULTS))).lint_document(doc).diagnostics)]


def sarif_of(results) -> dict:
    log = json.loads(render_sarif(results))
    Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER).validate(log)
    return log


# -- GitHub workflow commands ---------------------------------------------------------------------
def test_github_lines_for_a_real_document(tmp_path, monkeypatch):
    (tmp_path / "bad.md").write_text(BAD, "utf-8")
    result = check(tmp_path, monkeypatch, "bad.md", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "::error file=bad.md,line=3,col=87,endLine=3,endColumn=111,title=RL101 (doi-missing-prefix)"
        "::DOI `1093/rheumatology/ken161` is missing the `10.` prefix"
        " (fix: Prepend `10.`: `10.1093/rheumatology/ken161`)",
        "::error file=bad.md,line=5,col=35,endLine=5,endColumn=60,title=RL104 (doi-trailing-junk)"
        "::DOI `10.2519/jospt.2017.7096` has trailing junk `.,` (fix: Remove `.,`)",
    ]


def test_github_escapes_the_path_property(tmp_path, monkeypatch):
    (tmp_path / "notes, 100%: draft.md").write_text(BAD, "utf-8")
    result = check(tmp_path, monkeypatch, ".", "--format", "github")
    assert result.stdout.splitlines()[0].startswith("::error file=notes%2C 100%25%3A draft.md,line=3,col=87,")


def test_github_escapes_message_and_maps_severity():
    doc = documents.from_text("one\ntwo\nthree\n", "a.md")
    diags = [
        Diagnostic("RL205", "doi-other-agency", "info", "50% done: a, b\r\nnext", "a.md", 0, 3),
        Diagnostic(
            "RL303",
            "duplicate-reference",
            "warning",
            "twice",
            "a.md",
            4,
            10,
            fix=Fix((Edit(4, 10, ""),), Applicability.DISPLAY, "Drop 100%"),
        ),
    ]
    assert render_github([(doc, diags)]).splitlines() == [
        # in the message only %, CR and LF are escaped; `:` and `,` stay readable
        "::notice file=a.md,line=1,col=1,endLine=1,endColumn=4,title=RL205 (doi-other-agency)"
        "::50%25 done: a, b%0D%0Anext",
        # a span over two lines: no columns, which GitHub only honours on one line
        "::warning file=a.md,line=2,endLine=3,title=RL303 (duplicate-reference)" "::twice (fix: Drop 100%25)",
    ]


def test_github_prints_nothing_when_clean(tmp_path, monkeypatch):
    (tmp_path / "clean.md").write_text("Stretching before running is a common habit.\n", "utf-8")
    result = check(tmp_path, monkeypatch, "clean.md", "--format", "github")
    assert result.exit_code == 0 and result.stdout == ""


# -- SARIF ------------------------------------------------------------------------------------------
def test_sarif_from_the_cli_is_valid_and_complete(tmp_path, monkeypatch):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "bad.md").write_text(BAD, "utf-8")
    result = check(tmp_path, monkeypatch, "kb", "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER).validate(log)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("reflint", __version__)
    assert driver["informationUri"].startswith("https://")
    first = run["results"][0]
    assert first["ruleId"] == "RL101" and first["level"] == "error"
    assert driver["rules"][first["ruleIndex"]]["id"] == "RL101"
    assert first["message"]["text"] == "DOI `1093/rheumatology/ken161` is missing the `10.` prefix"
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "kb/bad.md", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 87, "endLine": 3, "endColumn": 111},
    }
    assert [r["ruleId"] for r in run["results"]] == ["RL101", "RL104"]


def test_sarif_clean_run_is_valid(tmp_path, monkeypatch):
    (tmp_path / "clean.md").write_text("Stretching before running is a common habit.\n", "utf-8")
    result = check(tmp_path, monkeypatch, "clean.md", "--format", "sarif")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    Draft4Validator(SCHEMA).validate(log)
    assert log["runs"][0]["results"] == []


def test_every_registered_rule_is_described():
    rules = sarif_of(lint(BAD))["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in RULES]
    by_id = {r["id"]: r for r in rules}
    assert by_id["RL101"]["name"] == "DoiMissingPrefix"
    assert by_id["RL101"]["shortDescription"]["text"] == next(r.summary for r in RULES if r.code == "RL101")
    assert "doi:10.1136/bjsports-2016-096248" in by_id["RL101"]["help"]["text"]
    assert by_id["RL105"]["defaultConfiguration"] == {"level": "note", "enabled": False}
    assert by_id["RL001"]["defaultConfiguration"] == {"level": "warning", "enabled": True}
    for rule in RULES:
        described = by_id[rule.code]
        assert described["fullDescription"]["text"] == rule_docs.inline(rule.doc) != ""
        assert "``" not in described["fullDescription"]["text"] + described["help"]["text"]
        assert described["helpUri"] == f"https://github.com/reflint/reflint/blob/main/docs/rules/{rule.code}.md"
        assert described["help"]["markdown"] == rule_docs.markdown(rule.doc)


def fingerprints(log: dict) -> list[str]:
    return [r["partialFingerprints"][FINGERPRINT_KEY] for r in log["runs"][0]["results"]]


def test_fingerprints_survive_lines_inserted_above():
    before = sarif_of(lint(BAD))
    after = sarif_of(lint("An introduction.\n\nAnd a second paragraph.\n\n" + BAD))
    lines = [
        r["locations"][0]["physicalLocation"]["region"]["startLine"]
        for log in (before, after)
        for r in log["runs"][0]["results"]
    ]
    assert lines == [3, 5, 7, 9]
    assert fingerprints(before) == fingerprints(after)
    assert len(set(fingerprints(before))) == 2


def test_fingerprints_differ_by_path_and_number_repeats():
    twice = f"{BAD}\nAgain: {JUNK}\n"
    prints = fingerprints(sarif_of(lint(twice)))
    assert len(prints) == len(set(prints)) == 3
    assert prints[1].rsplit(":", 1) == [prints[2].rsplit(":", 1)[0], "1"]
    assert prints[2].endswith(":2")
    assert fingerprints(sarif_of(lint(BAD, "kb/other.md")))[0] != prints[0]


def test_fixes_map_to_the_right_regions():
    results = lint(BAD)
    doc = results[0][0]
    log = sarif_of(results)

    def text_of(region) -> str:
        start = doc.offset(region["startLine"], region["startColumn"])
        return doc.text[start : doc.offset(region["endLine"], region["endColumn"])]

    changes = []
    for result in log["runs"][0]["results"]:
        (fix,) = result["fixes"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": "kb/bad.md", "uriBaseId": "%SRCROOT%"}
        (replacement,) = change["replacements"]
        changes.append(
            (
                fix["description"]["text"],
                fix["properties"]["applicability"],
                text_of(replacement["deletedRegion"]),
                replacement["insertedContent"]["text"],
            )
        )
    assert changes == [
        (
            "Prepend `10.`: `10.1093/rheumatology/ken161`",
            "unsafe",
            "1093/rheumatology/ken161",
            "10.1093/rheumatology/ken161",
        ),
        ("Remove `.,`", "safe", ".,", ""),
    ]


def test_results_without_fix_have_no_fixes_and_uris_are_encoded():
    doc = documents.from_text("x\n", "my notes/a#1.md")
    diag = Diagnostic("RL001", "unparseable-reference", "warning", "unreadable", doc.path, 0, 1)
    absolute = documents.from_text("x\n", "/abs/dir/b.md")
    diag_abs = Diagnostic("RL001", "unparseable-reference", "warning", "unreadable", absolute.path, 0, 1)
    results = sarif_of([(doc, [diag]), (absolute, [diag_abs])])["runs"][0]["results"]
    assert "fixes" not in results[0]
    locations = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in results]
    assert locations == [{"uri": "my%20notes/a%231.md", "uriBaseId": "%SRCROOT%"}, {"uri": "file:///abs/dir/b.md"}]


def test_sarif_is_deterministic():
    assert render_sarif(lint(BAD)) == render_sarif(lint(BAD))


@pytest.mark.parametrize("severity, level", [("error", "error"), ("warning", "warning"), ("info", "note")])
def test_sarif_levels(severity, level):
    doc = documents.from_text("x\n", "a.md")
    diag = Diagnostic("RL205", "doi-other-agency", severity, "m", "a.md", 0, 1)
    assert sarif_of([(doc, [diag])])["runs"][0]["results"][0]["level"] == level


def test_the_schema_check_has_teeth():
    """Guards the validation above: a log with a 0 line number must be rejected."""
    log = json.loads(render_sarif(lint(BAD)))
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(Exception, match="less than the minimum"):
        Draft4Validator(SCHEMA).validate(log)


# -- a run that could not check everything ---------------------------------------------------------
def test_sarif_of_a_run_with_a_missing_path_says_it_failed(tmp_path, monkeypatch):
    (tmp_path / "clean.md").write_text("Stretching before running is a common habit.\n", "utf-8")
    result = check(tmp_path, monkeypatch, "clean.md", "nope/", "--output-format", "sarif")
    assert result.exit_code == 2
    log = sarif_of_text(result.stdout)
    [invocation] = log["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    assert "nope/: no such file or directory" in invocation["toolExecutionNotifications"][0]["message"]["text"]
    clean = sarif_of_text(check(tmp_path, monkeypatch, "clean.md", "--format", "sarif").stdout)
    assert clean["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def sarif_of_text(text: str) -> dict:
    log = json.loads(text)
    Draft4Validator(SCHEMA, format_checker=Draft4Validator.FORMAT_CHECKER).validate(log)
    return log


# -- rule documentation -----------------------------------------------------------------------------
def test_rule_pages_are_up_to_date():
    """docs/rules/ is generated from the docstrings: `python -m reflint.rule_docs` rewrites it."""
    directory = Path(__file__).resolve().parents[1] / "docs" / "rules"
    stale = [
        name
        for name, text in rule_docs.pages().items()
        if not (directory / name).exists() or (directory / name).read_text("utf-8") != text
    ]
    assert stale == [], "run `python -m reflint.rule_docs` to regenerate " + ", ".join(stale)
    assert sorted(p.name for p in directory.glob("RL*.md")) == sorted(f"{r.code}.md" for r in RULES)


def test_rule_markdown_has_fenced_examples_and_no_rst():
    page = rule_docs.markdown_page(next(r for r in RULES if r.code == "RL101"))
    assert "``" not in page.replace("```", "")
    assert "A DOI that lost its `10.` prefix" in page
    assert "Bad:\n\n```text\nMeakins A." in page and "doi:10.1136/bjsports-2016-096248\n```" in page


def test_rules_command_prints_markdown_and_json():
    explained = CliRunner().invoke(main, ["rules", "RL101"])
    assert "``" not in explained.output and "its `10.` prefix" in explained.output
    assert "docs/rules/RL101.md" in explained.output
    page = CliRunner().invoke(main, ["rules", "RL101", "--format", "markdown"])
    assert page.output == rule_docs.markdown_page(next(r for r in RULES if r.code == "RL101"))
    listed = json.loads(CliRunner().invoke(main, ["rules", "--format", "json"]).output)
    assert [r["code"] for r in listed] == [r.code for r in RULES]
    assert listed[1]["url"].endswith("/docs/rules/RL101.md") and listed[1]["fixable"] == "unsafe"


# -- GitHub glue: annotations and the job summary from one SARIF file -------------------------------
def test_annotations_from_sarif_match_the_github_format(tmp_path, monkeypatch):
    (tmp_path / "kb").mkdir()
    (tmp_path / "kb" / "bad.md").write_text(BAD, "utf-8")
    direct = check(tmp_path, monkeypatch, "kb", "--format", "github").stdout.splitlines()
    check(tmp_path, monkeypatch, "kb", "--output-format", "sarif", "--output-file", "out.sarif")
    summary = tmp_path / "summary.md"
    monkeypatch.setattr("sys.argv", ["x"])
    import contextlib
    import io

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        github.main([str(tmp_path / "out.sarif"), "--summary", str(summary)])
    assert buffer.getvalue().splitlines() == direct
    text = summary.read_text("utf-8")
    assert "**2 problems** (2 errors) in 1 file. 2 DOI(s) or reference(s) could not be verified" in text
    assert "| RL101 | doi-missing-prefix | 1 |" in text


def test_sarif_paths_get_the_working_directory_prefix():
    log = sarif_of(lint(BAD, "bad.md"))
    github.prefix_paths(log, "site/content/")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]}
    assert uris == {"site/content/bad.md"}
