"""False alarms per 100 references of ``reflint check --offline`` on real documents.

    python benchmarks/false_alarms.py [FOLDER] [--gold GOLD.jsonl] [--show false|true|all]

FOLDER defaults to ``../shared/data/documents/plos-articles`` (37 published PLOS articles,
CC BY 4.0), whose ``gold.jsonl`` holds every reference's labelled fields. A published
article is close to clean, so a diagnostic is counted *true* only where the gold and the
text prove the defect, independently of reflint's own code:

* RL402 on entry N: no bracket group of the text before ``## References`` names N, read
  generously (``[3]``, ``[3,4]``, ``[3–5]``, ``[3]–[5]``, ``(3–5)``);
* RL303 on an entry: an earlier entry of the same article has the same gold DOI, or the same
  first author, year and title;
* RL1xx on an entry: the DOI as written differs from the gold DOI (a space, glued pages).

Everything else is counted false. Recall is the share of those proven defects that reflint
reports. For a folder without a gold file (real documents kept back), every diagnostic is
listed per rule with no verdict, to be read by hand.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "documents" / "plos-articles"
_GROUP = re.compile(r"[\[(]([\d\s,–—-]{1,80})[\])]")
_CROSS = re.compile(r"\[(\d{1,4})\]\s*[–—-]\s*\[(\d{1,4})\]")
_ENTRY = re.compile(r"^(\d{1,4})\. ")
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def run_reflint(folder: Path) -> dict:
    cmd = [sys.executable, "-m", "reflint", "check", "--offline", "--no-cache", "--format", "json", str(folder)]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    if out.returncode not in (0, 1) or not out.stdout:
        sys.exit(f"reflint failed ({out.returncode}): {out.stderr[-2000:]}")
    return json.loads(out.stdout)


def cited_numbers(body: str, size: int) -> set[int]:
    """Every number a bracket or parenthesis group of ``body`` could cite, ranges expanded."""
    cited: set[int] = set()
    for a, b in _CROSS.findall(body):
        cited.update(range(int(a), int(b) + 1))
    for group in _GROUP.findall(body):
        for piece in group.split(","):
            ends = [int(x) for x in re.findall(r"\d+", piece)]
            if len(ends) == 2 and ends[0] <= ends[1] <= size:
                cited.update(range(ends[0], ends[1] + 1))
            else:
                cited.update(ends)
    return cited


def article_truth(path: Path, gold: list[dict]) -> set[tuple[str, int]]:
    """(code family, line) of every defect the gold and the text prove."""
    text = path.read_text(encoding="utf-8")
    body, _, _ = text.partition("\n## References")
    lines = text.split("\n")
    # The i-th gold row is the i-th entry as numbered in the document (gold labels can repeat).
    entries = [
        (int(m.group(1)), i + 1)
        for i, line in enumerate(lines)
        if (m := _ENTRY.match(line)) and i + 1 > body.count("\n") + 1
    ]
    cited = cited_numbers(body, len(gold))
    truth: set[tuple[str, int]] = set()
    seen_doi: dict[str, str] = {}
    seen_work: dict[tuple, str] = {}
    for g, (number, line) in zip(gold, entries):
        if number not in cited:
            truth.add(("RL402", line))
        f = g["fields"]
        first = (f.get("authors") or [{}])[0].get("family", "").lower()
        title = re.sub(r"\W+", " ", (f.get("article-title") or "").lower()).strip()
        work = (first, f.get("year"), title)
        doi = (g.get("doi") or "").lower()
        if (doi and doi in seen_doi) or (title and work in seen_work):
            truth.add(("RL303", line))
        if doi:
            seen_doi.setdefault(doi, g["label"])
        if title:
            seen_work.setdefault(work, g["label"])
        written = _DOI.search(g["text"])
        if doi and written and written.group().rstrip(".,;").lower() != doi:
            truth.add(("RL1", line))
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--gold", type=Path, help="gold.jsonl (default: FOLDER/gold.jsonl when present)")
    ap.add_argument("--show", choices=["false", "true", "all"], help="list diagnostics of that kind")
    args = ap.parse_args()
    if not args.folder.is_dir():
        sys.exit(f"{args.folder}: no such folder (give the folder of real documents to measure)")
    report = run_reflint(args.folder)
    refs = report["summary"]["references"]
    gold_path = args.gold or args.folder / "gold.jsonl"
    truth: set[tuple[str, str, int]] | None = None
    if gold_path.is_file():
        by_doc = collections.defaultdict(list)
        for row in map(json.loads, gold_path.read_text(encoding="utf-8").splitlines()):
            by_doc[row["citing_doi"]].append(row)
        truth = set()
        for doi, rows in by_doc.items():
            path = args.folder / (doi.replace("/", "_") + ".md")
            if path.is_file():
                truth |= {(path.name, code, line) for code, line in article_truth(path, rows)}
        refs = sum(len(rows) for rows in by_doc.values())

    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    found = set()
    for d in report["diagnostics"]:
        name, family = Path(d["path"]).name, d["code"] if d["code"][:3] != "RL1" else "RL1"
        verdict = "?" if truth is None else "true" if (name, family, d["line"]) in truth else "false"
        if verdict == "true":
            found.add((name, family, d["line"]))
        counts[d["code"]][(verdict, d["severity"])] += 1
        if args.show in (verdict, "all") or (args.show and truth is None):
            print(f"  [{verdict}] {name}:{d['line']}: {d['code']} {d['message'][:140]}")

    print(f"{args.folder}: {report['summary']['files']} documents, {refs} references")
    print(f"{'rule':6} {'severity':8} {'all':>5} {'true':>5} {'false':>5} {'false/100 refs':>15}")
    total_false = false_errors = 0
    for code in sorted(counts):
        for sev in ("error", "warning", "info"):
            n = {v: counts[code][(v, sev)] for v in ("true", "false", "?")}
            if not sum(n.values()):
                continue
            total_false += n["false"]
            false_errors += n["false"] if sev == "error" else 0
            print(
                f"{code:6} {sev:8} {sum(n.values()):5} {n['true']:5} {n['false']:5} "
                f"{100 * n['false'] / max(refs, 1):15.2f}"
            )
    if truth is None:
        print("no gold file: verdicts left to the reader (--show all)")
        return
    print(f"false alarms per 100 references: {100 * total_false / max(refs, 1):.2f}; " f"false errors: {false_errors}")
    for family in ("RL402", "RL303", "RL1"):
        known = {t for t in truth if t[1] == family}
        if known:
            print(f"recall {family:5}: {len(found & known)}/{len(known)} = {len(found & known) / len(known):.2f}")


if __name__ == "__main__":
    main()
