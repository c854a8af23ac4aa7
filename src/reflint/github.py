"""GitHub Actions glue: annotations and a job summary from the SARIF file of one reflint run.

Why from SARIF: a workflow runs reflint once (``--output-format sarif --output-file F``) and
gets code scanning alerts, pull-request annotations and the job summary from the same results,
with no second lookup pass. Used by ``action.yml``:

    python -m reflint.github reflint.sarif [--prefix DIR] [--summary $GITHUB_STEP_SUMMARY]

prints one workflow command per result (like ``--format github``), rewrites the SARIF's
relative paths to start at DIR (reflint ran in that subdirectory of the repository), and
appends a Markdown summary with the counts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

from reflint.report import gh_data, gh_property

_COMMAND = {"error": "error", "warning": "warning", "note": "notice", "none": "notice"}


def _location(result: dict) -> tuple[str, dict]:
    physical = result["locations"][0]["physicalLocation"]
    return unquote(physical["artifactLocation"]["uri"]), physical.get("region", {})


def workflow_commands(log: dict) -> list[str]:
    """``::error file=...,line=...::message`` for each result; columns only on one-line spans."""
    lines = []
    run = log["runs"][0]
    names = {r["id"]: r.get("properties", {}).get("tags", [""])[0] for r in run["tool"]["driver"]["rules"]}
    for result in run.get("results", []):
        path, region = _location(result)
        one_line = region.get("endLine", region.get("startLine")) == region.get("startLine")
        props = [
            ("file", path),
            ("line", region.get("startLine")),
            ("col", region.get("startColumn") if one_line else None),
            ("endLine", region.get("endLine")),
            ("endColumn", region.get("endColumn") if one_line else None),
            ("title", f"{result['ruleId']} ({names.get(result['ruleId'], '')})"),
        ]
        joined = ",".join(f"{key}={gh_property(str(value))}" for key, value in props if value is not None)
        message = result["message"]["text"]
        fixes = result.get("fixes") or []
        if fixes:
            message += f" (fix: {fixes[0]['description']['text']})"
        lines.append(f"::{_COMMAND[result.get('level', 'warning')]} {joined}::{gh_data(message)}")
    for invocation in run.get("invocations", []):
        for note in invocation.get("toolExecutionNotifications", []):
            lines.append(f"::error title=reflint could not check everything::{gh_data(note['message']['text'])}")
    return lines


def summary(log: dict) -> str:
    """The job summary: totals, problems by rule, and whether everything could be checked."""
    run = log["runs"][0]
    results = run.get("results", [])
    levels = Counter(r.get("level", "warning") for r in results)
    files = {_location(r)[0] for r in results}
    unknown = run.get("properties", {}).get("unknown", 0)
    ok = all(i.get("executionSuccessful", True) for i in run.get("invocations", []))
    names = {r["id"]: r.get("properties", {}).get("tags", [""])[0] for r in run["tool"]["driver"]["rules"]}
    head = "### reflint\n\n"
    if not results:
        head += "No problems found." if ok else "No problems found in what could be checked."
    else:
        counts = ", ".join(
            f"{levels[k]} {label}"
            for k, label in (("error", "errors"), ("warning", "warnings"), ("note", "infos"))
            if levels[k]
        )
        head += (
            f"**{len(results)} problem{'s' * (len(results) != 1)}** ({counts}) in {len(files)} "
            f"file{'s' * (len(files) != 1)}."
        )
    if unknown:
        head += f" {unknown} DOI(s) or reference(s) could not be verified (unknown)."
    if not ok:
        head += "\n\n**Some paths could not be checked**: see the errors in the log."
    if results:
        by_rule = Counter(r["ruleId"] for r in results)
        head += "\n\n| rule | name | problems |\n|---|---|---:|\n" + "".join(
            f"| {code} | {names.get(code, '')} | {n} |\n" for code, n in sorted(by_rule.items())
        )
    return head + "\n"


def prefix_paths(log: dict, prefix: str) -> None:
    """Relative artifact URIs start at ``prefix`` (reflint ran in that directory)."""
    prefix = prefix.strip("/")
    if not prefix or prefix == ".":
        return

    def walk(node):
        if isinstance(node, dict):
            if "uri" in node and node.get("uriBaseId") == "%SRCROOT%":
                node["uri"] = f"{prefix}/{node['uri']}"
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(log)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m reflint.github", description=__doc__.split("\n")[0])
    parser.add_argument("sarif", type=Path)
    parser.add_argument("--prefix", default="", help="directory reflint ran in, relative to the repository")
    parser.add_argument("--summary", type=Path, help="append the Markdown summary to this file")
    args = parser.parse_args(argv)
    log = json.loads(args.sarif.read_text("utf-8"))
    if args.prefix:
        prefix_paths(log, args.prefix)
        args.sarif.write_text(json.dumps(log, indent=2, ensure_ascii=False), "utf-8")
    for line in workflow_commands(log):
        print(line)
    if args.summary:
        with args.summary.open("a", encoding="utf-8") as fh:
            fh.write(summary(log))
    return 0


if __name__ == "__main__":
    sys.exit(main())
