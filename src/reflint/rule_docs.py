"""A rule's docstring (reStructuredText-flavoured) as terminal text, Markdown and JSON.

One source, three readers: ``reflint rules RL101`` (terminal), the pages ``docs/rules/RL101.md``
that SARIF's ``helpUri`` points at and ``help.markdown`` carries, and ``rules --format json``.
``python -m reflint.rule_docs [docs/rules]`` rewrites the pages; a test checks they are current.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from reflint.crossref import PROJECT_URL
from reflint.rules import RULES, Rule

DOCS_URL = f"{PROJECT_URL}/blob/main/docs/rules"
_LITERAL = re.compile(r"``(.+?)``", re.S)
# The pages show bad examples on purpose: reflint itself must not report them.
_GENERATED = (
    "<!-- Generated from the rule's docstring by `python -m reflint.rule_docs`; do not edit. -->\n"
    "<!-- reflint: ignore-file -->"
)


def url(rule: Rule) -> str:
    return f"{DOCS_URL}/{rule.code}.md"


def inline(text: str) -> str:
    """reST ``literal`` -> Markdown `literal` (also what reflint's messages use)."""
    return _LITERAL.sub(lambda m: f"`{m.group(1)}`", text)


def terminal(rule: Rule) -> str:
    """What ``reflint rules CODE`` prints: the docstring with single backticks."""
    return f"{rule.code} ({rule.name}), {rule.severity}\n\n{inline(rule.doc)}\n\nDocs: {url(rule)}"


def markdown(doc: str) -> str:
    """A docstring as Markdown: inline literals and indented literal blocks (after a line
    ending in ``:``) become code spans and fenced blocks."""
    out: list[str] = []
    lines = doc.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("    ") and (not out or out[-1] == "") and _after_colon(out):
            block = []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                block.append(lines[i][4:])
                i += 1
            while block and not block[-1].strip():
                block.pop()
            out.extend(["```text", *block, "```", ""])
            continue
        out.append(inline(line.replace("::", ":") if line.rstrip().endswith("::") else line))
        i += 1
    while out and not out[-1].strip():
        out.pop()
    return "\n".join(out)


def _after_colon(out: list[str]) -> bool:
    text = [line for line in out if line.strip()]
    return bool(text) and text[-1].rstrip().endswith(":")


def markdown_page(rule: Rule) -> str:
    fix = {"none": "none", "safe": "safe", "unsafe": "unsafe (`--unsafe-fixes`)", "sometimes": "sometimes"}.get(
        rule.fixable, rule.fixable
    )
    default = "yes" if rule.enabled_by_default else f"no (enable with `--extend-select {rule.code}`)"
    return (
        f"{_GENERATED}\n\n# {rule.code}: {rule.name}\n\n"
        f"| severity | fix | enabled by default |\n|---|---|---|\n"
        f"| {rule.severity} | {fix} | {default} |\n\n"
        f"{markdown(rule.doc)}\n\n"
        f"Silence one occurrence with `<!-- reflint: ignore {rule.code} -->` on the line above "
        f"(`% reflint: ignore {rule.code}` in BibTeX), or everywhere with "
        f'`ignore = ["{rule.code}"]` in the config.\n'
    )


def index_page() -> str:
    rows = "".join(f"| [{r.code}]({r.code}.md) | {r.name} | {r.severity} | {inline(r.summary)} |\n" for r in RULES)
    return f"{_GENERATED}\n\n# reflint rules\n\n| code | name | severity | what |\n|---|---|---|---|\n" f"{rows}"


def as_dict(rule: Rule) -> dict:
    """``reflint rules --format json``: one object per rule."""
    return {
        "code": rule.code,
        "name": rule.name,
        "severity": rule.severity,
        "summary": inline(rule.summary),
        "fixable": rule.fixable,
        "enabled_by_default": rule.enabled_by_default,
        "url": url(rule),
        "explanation": markdown(rule.doc),
    }


def pages() -> dict[str, str]:
    """File name -> content of every page under docs/rules/."""
    return {"README.md": index_page(), **{f"{r.code}.md": markdown_page(r) for r in RULES}}


def write(directory: Path) -> list[str]:
    """Write the pages that differ (and remove pages of rules that are gone); the names changed."""
    directory.mkdir(parents=True, exist_ok=True)
    wanted, changed = pages(), []
    for name, text in wanted.items():
        path = directory / name
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8", newline="\n")
            changed.append(name)
    for stale in directory.glob("RL*.md"):
        if stale.name not in wanted:
            stale.unlink()
            changed.append(stale.name)
    return changed


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/rules")
    for name in write(target):
        print(f"wrote {target / name}")
