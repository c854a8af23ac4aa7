"""One YAML case file per rule code (sqlfluff style), run by one parametrised test.

Each case has ``pass_str`` (the rule must stay silent) or ``fail_str`` (it must fire,
``count`` times when given), optionally ``fix_str`` (the text after fixing with only this
rule, unsafe fixes included when ``unsafe: true``), ``data`` (a subset of the first
diagnostic's data), ``kind`` (markdown by default) and ``settings``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from reflint import documents
from reflint.config import Config, DEFAULTS
from reflint.fixer import fix_until_stable
from reflint.linter import Linter
from reflint.rules import RULES

CASE_DIR = Path(__file__).parent / "rules"
SUFFIX = {"markdown": ".md", "text": ".txt", "html": ".html", "bibtex": ".bib"}


def load_cases():
    for path in sorted(CASE_DIR.glob("*.yml")):
        spec = yaml.safe_load(path.read_text("utf-8"))
        code = spec.pop("rule")
        for name, case in spec.items():
            yield pytest.param(code, case, id=f"{code}-{name}")


def linter_for(code: str, settings: dict | None = None) -> Linter:
    return Linter(Config({**DEFAULTS, "select": [code], **(settings or {})}))


@pytest.mark.parametrize("code,case", list(load_cases()))
def test_rule_case(code, case):
    kind = case.get("kind", "markdown")
    source = case.get("fail_str", case.get("pass_str"))
    doc = documents.from_text(source, f"case{SUFFIX[kind]}", kind)
    linter = linter_for(code, case.get("settings"))
    found = [d for d in linter.lint_document(doc).diagnostics if d.code == code]
    if "pass_str" in case:
        assert found == [], [d.message for d in found]
        return
    assert found, f"{code} did not fire"
    if "count" in case:
        assert len(found) == case["count"], [d.message for d in found]
    for key, value in case.get("data", {}).items():
        assert found[0].data.get(key) == value
    if "fix_str" in case:
        outcome = fix_until_stable(doc, lambda d: linter.lint_document(d).diagnostics,
                                   lambda d, t: documents.from_text(t, d.path, d.kind),
                                   unsafe=case.get("unsafe", False))
        assert outcome.text == case["fix_str"]


def test_every_rule_has_pass_and_fail_cases():
    cases = {}
    for param in load_cases():
        code, case = param.values
        cases.setdefault(code, set()).update(k for k in ("pass_str", "fail_str") if k in case)
    missing = [r.code for r in RULES if cases.get(r.code) != {"pass_str", "fail_str"}]
    assert not missing, f"rules without pass and fail cases: {missing}"
