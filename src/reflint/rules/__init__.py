"""The explicit rule registry (yamllint style): a rule exists when it is listed here."""

from __future__ import annotations

from reflint.rules.base import Context, Rule
from reflint.rules.bib_fields import RL106
from reflint.rules.citations import RL401, RL402
from reflint.rules.claims import RL403, RL404
from reflint.rules.doi_syntax import RL101, RL102, RL103, RL104, RL105
from reflint.rules.metadata import RL301, RL302
from reflint.rules.preprints import RL206
from reflint.rules.pubmed import RL207, RL208
from reflint.rules.references import RL001, RL303
from reflint.rules.registry import RL201, RL202, RL203, RL204, RL205

RULES: list[Rule] = [
    RL001,
    RL101,
    RL102,
    RL103,
    RL104,
    RL105,
    RL106,
    RL201,
    RL202,
    RL203,
    RL204,
    RL205,
    RL206,
    RL207,
    RL208,
    RL301,
    RL302,
    RL303,
    RL401,
    RL402,
    RL403,
    RL404,
]
BY_CODE: dict[str, Rule] = {r.code: r for r in RULES}
BY_NAME: dict[str, Rule] = {r.name: r for r in RULES}


class SelectorError(ValueError):
    pass


def resolve_selector(selector: str) -> list[Rule]:
    """Rules named by a code (``RL101``), a prefix (``RL1``), a name or ``ALL``."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return list(RULES)
    if sel in BY_NAME:
        return [BY_NAME[sel]]
    matched = [r for r in RULES if r.code.startswith(sel.upper())]
    if not matched or not sel.upper().startswith("RL"):
        raise SelectorError(f"unknown rule selector `{selector}` (see `reflint rules`)")
    return matched


def select_rules(select=None, extend_select=(), ignore=()) -> list[Rule]:
    """Default rules, or ``select``; plus ``extend_select``; minus ``ignore`` (ruff semantics)."""
    if select:
        chosen = {r.code for s in select for r in resolve_selector(s)}
    else:
        chosen = {r.code for r in RULES if r.enabled_by_default}
    chosen |= {r.code for s in extend_select for r in resolve_selector(s)}
    chosen -= {r.code for s in ignore for r in resolve_selector(s)}
    return [r for r in RULES if r.code in chosen]


__all__ = ["RULES", "BY_CODE", "BY_NAME", "Context", "Rule", "SelectorError", "resolve_selector", "select_rules"]
