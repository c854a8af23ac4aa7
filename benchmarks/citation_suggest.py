"""Precision and recall of RL401's suggestions for author-year citations with no reference list.

    python benchmarks/citation_suggest.py [--split held-out|tune|all] [--verbose]

Cases come from benchmarks/data/citation-set.jsonl (written by make_citation_set.py from real
Crossref records: a paragraph about a work's topic, closed by an author-year citation). Each
paragraph becomes a Markdown page with no reference list and goes through the real pipeline:
extraction (the citation and its paragraph), the resolver's author-year lookup and the matcher.
The registry holds every record except the ``absent`` ones; its search is the fake Crossref's
ranking (tests/fake_crossref.py: idf-weighted token overlap with ``query.author`` and the year
filter), asked in-process rather than over HTTP, since the measure is of the matcher.

A suggestion equal to the case's truth is a true positive, any other suggestion a false positive.
precision = TP / (TP + FP); recall = TP / cases whose work is registered (``present``).
The matcher was tuned on ``tune``; the headline figure is ``held-out``. Measures only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))

from fake_crossref import FakeCrossref  # noqa: E402

from reflint.documents import from_text  # noqa: E402
from reflint.extract import extract  # noqa: E402
from reflint.resolve import Resolver  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


class LocalSearch:
    """The client interface the resolver's author-year lookup uses, over the fake's ranking."""

    def __init__(self, fake: FakeCrossref):
        self.fake = fake

    def search(self, reference, rows=5, *, author=None, from_year=None, until_year=None):
        hits = self.fake.search(reference, author or "", from_year, until_year)[:rows]
        return [dict(self.fake.records[doi], score=score) for score, doi in hits]


def measure(cases: list[dict], fake: FakeCrossref, verbose: bool = False) -> dict:
    docs = [from_text(c["paragraph"] + "\n", f"case{i}.md", "markdown") for i, c in enumerate(cases)]
    extractions = [extract(d) for d in docs]
    resolution = Resolver(LocalSearch(fake), workers=1).resolve(extractions)
    tp = fp = positives = unparsed = 0
    for case, ex in zip(cases, extractions):
        cited = [c for c in ex.citations if c.style == "author-year" and c.authors and c.year]
        result = resolution.citation(cited[-1]) if cited else None
        suggested = result.match.doi.lower() if result and result.match else None
        truth = case["truth"].lower() if case["truth"] else None
        positives += truth is not None
        unparsed += not cited
        if suggested and suggested == truth:
            tp += 1
        elif suggested:
            fp += 1
            if verbose:
                print(f"FP {case['kind']}: {suggested} for {case['paragraph']}")
        elif truth and verbose:
            print(f"miss: {truth} {case['paragraph']}")
    return {
        "cases": len(cases),
        "present": positives,
        "tp": tp,
        "fp": fp,
        "unparsed": unparsed,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "recall": tp / positives if positives else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="held-out", choices=["held-out", "tune", "all"])
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()
    cases = [json.loads(line) for line in (DATA / "citation-set.jsonl").open(encoding="utf-8")]
    excluded = {c["registry_excludes"].lower() for c in cases if c["registry_excludes"]}
    records = [json.loads(line)["message"] for line in (DATA / "citation-works.jsonl").open(encoding="utf-8")]
    fake = FakeCrossref([r for r in records if r["DOI"].lower() not in excluded], {})
    chosen = [c for c in cases if args.split == "all" or c["split"] == args.split]
    figures = measure(chosen, fake, args.verbose)
    kinds = {k: sum(c["kind"] == k for c in chosen) for k in ("present", "absent", "other-topic")}
    print(
        f"RL401 suggestions, split {args.split}: {figures['cases']} cases "
        f"({kinds['present']} present, {kinds['absent']} absent, {kinds['other-topic']} other-topic)"
    )
    print(f"  precision {figures['precision']:.3f} ({figures['tp']} right, {figures['fp']} wrong)")
    print(f"  recall    {figures['recall']:.3f} ({figures['tp']} of {figures['present']})")
    print(f"  citations not recognised: {figures['unparsed']}")


if __name__ == "__main__":
    main()
