"""Which rules run: ruff's layered rule selection.

Selections are applied in order, the config file's first and the command line's last. In each
layer ``select`` (when given) starts over from its rules, ``extend-select`` adds rules, and
``ignore`` and ``extend-ignore`` remove them; within a layer the most specific selector wins
(a code beats a prefix, a longer prefix a shorter one, anything beats ``ALL``), so
``select = ["RL101"]`` with ``ignore = ["RL1"]`` keeps RL101. Hence ``--ignore`` on the command
line adds to the config's ignores instead of replacing them, while ``--select`` replaces the
config's selection, as in ruff.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from reflint import rules as registry
from reflint.rules import Rule, resolve_selector

KEYS = ("select", "extend-select", "ignore", "extend-ignore")


def specificity(selector: str) -> int:
    """``ALL`` 0, a prefix its length, a full code or a rule name the most."""
    sel = selector.strip()
    if sel.upper() == "ALL":
        return 0
    if sel in registry.BY_NAME:
        return 100
    return len(sel)


def _apply(chosen: set[str], layer: Mapping[str, Iterable[str]]) -> set[str]:
    select = list(layer.get("select") or [])
    positive = select + list(layer.get("extend-select") or [])
    negative = list(layer.get("ignore") or []) + list(layer.get("extend-ignore") or [])
    verdict: dict[str, tuple[int, bool]] = {}  # code -> (specificity, enabled)
    for selectors, enabled in ((positive, True), (negative, False)):
        for sel in selectors:
            rank = specificity(sel)
            for rule in resolve_selector(sel):
                best = verdict.get(rule.code)
                if best is None or rank > best[0] or (rank == best[0] and not enabled):
                    verdict[rule.code] = (rank, enabled)  # ties go to ignore
    result = set() if select else set(chosen)
    for code, (_, enabled) in verdict.items():
        if enabled:
            result.add(code)
        else:
            result.discard(code)
    return result


def select_layers(layers: Iterable[Mapping[str, Iterable[str]]]) -> list[Rule]:
    """The rules enabled by ``layers`` (dicts with the keys of :data:`KEYS`), in registry order,
    starting from the rules enabled by default."""
    chosen = {r.code for r in registry.RULES if r.enabled_by_default}
    for layer in layers:
        chosen = _apply(chosen, layer)
    return [r for r in registry.RULES if r.code in chosen]
