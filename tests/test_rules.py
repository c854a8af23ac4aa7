"""One YAML case file per rule code (sqlfluff style), run by one parametrised test.

Each case has ``pass_str`` (the rule must stay silent) or ``fail_str`` (it must fire,
``count`` times when given), optionally ``fix_str`` (the text after fixing with only this
rule, unsafe fixes included when ``unsafe: true``), ``data`` (a subset of the first
diagnostic's data), ``severity`` (the first diagnostic's), ``kind`` (markdown by default), ``settings``, and ``registry`` (the
Crossref ``records`` and ``other_agencies`` the registry holds, and the ``pubmed`` records NCBI holds;
without it the case runs offline).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fake_ncbi import summary
from reflint import documents
from reflint.bibtex import assign_keys
from reflint.config import Config, DEFAULTS
from reflint.crossref import INVALID, VALID, AgencyResult, WorkResult
from reflint.extract import extract
from reflint.fixer import fix_until_stable
from reflint.linter import Linter
from reflint.resolve import Resolver
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


class MemoryRegistry:
    """The client interface over a case's records: search returns every record, so the
    matcher's validation (not a ranking) decides. End-to-end runs use the fake server."""

    def __init__(self, records, other_agencies):
        self.records = {r["DOI"].lower(): r for r in records}
        self.other = {k.lower(): v for k, v in other_agencies.items()}

    def works_by_dois(self, dois):
        return {d: self.records[d] for d in dois if d in self.records}

    def agency(self, doi):
        if doi.lower() in self.records:
            return AgencyResult(VALID, "crossref")
        return (
            AgencyResult(VALID, self.other[doi.lower()]) if doi.lower() in self.other else AgencyResult(INVALID, None)
        )

    def work(self, doi):
        record = self.records.get(doi.lower())
        return WorkResult(VALID, record) if record else WorkResult(INVALID, None)

    def handle(self, doi):
        return VALID if doi.lower() in self.records or doi.lower() in self.other else INVALID

    def search(self, reference, rows=5, **filters):
        return list(self.records.values())[:rows]

    def related_works(self, relation, doi, rows=5):
        return [
            r
            for r in self.records.values()
            if any(link.get("id", "").lower() == doi.lower() for link in (r.get("relation") or {}).get(relation, []))
        ][:rows]


class MemoryPubmed:
    """ESummary over a case's ``pubmed`` records (the facts of tests/fake_ncbi.py's records)."""

    def __init__(self, records):
        self.records = {str(r["pmid"]): r for r in records}

    def esummary(self, ids, db="pubmed"):
        return {i: summary(self.records[i], i) if i in self.records else None for i in ids}


def lint_case(linter, doc, registry):
    extraction = extract(doc)
    assign_keys(extraction.references)
    if registry is not None:
        client = MemoryRegistry(registry.get("records", []), registry.get("other_agencies", {}))
        pubmed = MemoryPubmed(registry["pubmed"]) if "pubmed" in registry else None
        linter.resolution = Resolver(client, ncbi=pubmed).resolve([extraction])
    return linter.lint_document(doc, extraction).diagnostics


@pytest.mark.parametrize("code,case", list(load_cases()))
def test_rule_case(code, case):
    kind = case.get("kind", "markdown")
    source = case.get("fail_str", case.get("pass_str"))
    doc = documents.from_text(source, f"case{SUFFIX[kind]}", kind)
    linter = linter_for(code, case.get("settings"))
    found = [d for d in lint_case(linter, doc, case.get("registry")) if d.code == code]
    if "pass_str" in case:
        assert found == [], [d.message for d in found]
        return
    assert found, f"{code} did not fire"
    if "count" in case:
        assert len(found) == case["count"], [d.message for d in found]
    for key, value in case.get("data", {}).items():
        assert found[0].data.get(key) == value
    if "severity" in case:
        assert found[0].severity == case["severity"]
    if "fix_str" in case:
        outcome = fix_until_stable(
            doc,
            lambda d: linter.lint_document(d).diagnostics,
            lambda d, t: documents.from_text(t, d.path, d.kind),
            unsafe=case.get("unsafe", False),
        )
        assert outcome.text == case["fix_str"]


def test_every_rule_has_pass_and_fail_cases():
    cases = {}
    for param in load_cases():
        code, case = param.values
        cases.setdefault(code, set()).update(k for k in ("pass_str", "fail_str") if k in case)
    missing = [r.code for r in RULES if cases.get(r.code) != {"pass_str", "fail_str"}]
    assert not missing, f"rules without pass and fail cases: {missing}"
