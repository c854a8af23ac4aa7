"""Reference strings parsed per CPU second in one process: in lists of 50 by
``reflint.parse.parse_references``, as extraction passes a document's list (a checkout without
it, such as v0.1, is measured one string at a time by ``parse_reference``).

    python benchmarks/parse_speed.py [DATA_DIR] [--baseline CHECKOUT] [--repeat N]
                                     [--write-snapshot PATH | --check-snapshot PATH]

Corpus (fixed, in this order, each string once): the references of the 37 PLOS articles
(``documents/plos-articles/gold.jsonl``), AnyStyle's gold strings (``anystyle-gold.jsonl``) and
GROBID's evaluation split (``grobid-citations.jsonl``) from DATA_DIR (default ../shared/data,
then /work/shared/data); without them, the 450 labelled strings in ``tests/data/parse/``.

The time is ``time.process_time`` around one pass over the corpus in a fresh process, after
the model is loaded (one string outside the corpus is parsed first). ``--baseline`` runs the
same measurement against another checkout's ``src/`` (e.g. ``git worktree add /tmp/parser-base
main``) in a subprocess of the same run, alternating the two ``--repeat`` times, and prints the
ratio of the medians. ``--write-snapshot`` stores every string's fields and segments as JSON;
``--check-snapshot`` compares this checkout's output with such a file and lists differences;
``--instructions N`` counts machine instructions per string over the first N strings with
valgrind's callgrind instead (slow, but the same on a busy machine as on an idle one);
``--tests-corpus --write-snapshot tests/data/parse/parser-snapshot.json`` regenerates the
snapshot ``tests/test_parse.py`` holds the parser to (after a deliberate change only).
Benchmarks measure and print; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def corpus(data_dir: Path | None, tests_only: bool = False) -> tuple[str, list[str]]:
    """(description, strings): the real corpus when the data is there, else tests/data."""
    dirs = () if tests_only else (data_dir, REPO.parent / "shared" / "data", Path("/work/shared/data"))
    for d in filter(None, dirs):
        plos = d / "documents" / "plos-articles" / "gold.jsonl"
        if plos.exists() and (d / "anystyle-gold.jsonl").exists():
            texts = [json.loads(line)["text"] for line in open(plos, encoding="utf-8")]
            n_plos = len(texts)
            texts += [json.loads(line)["text"] for line in open(d / "anystyle-gold.jsonl", encoding="utf-8")]
            n_any = len(texts) - n_plos
            grobid = d / "grobid-citations.jsonl"
            if grobid.exists():
                texts += [
                    r["text"] for r in map(json.loads, open(grobid, encoding="utf-8")) if r.get("split") == "evaluation"
                ]
            return (
                f"{d}: {n_plos} PLOS + {n_any} AnyStyle + {len(texts) - n_plos - n_any} " f"GROBID-evaluation strings",
                texts,
            )
    files = sorted((REPO / "tests" / "data" / "parse").glob("*.jsonl"))
    texts = [json.loads(line)["text"] for f in files for line in open(f, encoding="utf-8")]
    return f"tests/data/parse ({len(texts)} strings)", texts


LIST = 50  # references per call where the parser takes a document's list at once


def measure(texts: list[str]) -> float:
    """References per CPU second over one pass (the model loaded beforehand): in lists of
    ``LIST`` through ``parse_references`` as extraction calls it, or one by one through
    ``parse_reference`` in a checkout that has no list form (v0.1)."""
    import time

    import reflint.parse

    reflint.parse.parse_reference("Warm A. Loading the model. J Load. 2001;1:1-2.")
    many = getattr(reflint.parse, "parse_references", None)
    t0 = time.process_time()
    if many is None:
        for text in texts:
            reflint.parse.parse_reference(text)
    else:
        for k in range(0, len(texts), LIST):
            many(texts[k : k + LIST])
    return len(texts) / (time.process_time() - t0)


def outputs(texts: list[str]) -> list[dict]:
    from reflint.parse import parse_references, segment_many

    return [
        {"text": t, "fields": f.to_dict(), "segments": [[s.label, s.start, s.end] for s in segs]}
        for t, f, segs in zip(texts, parse_references(texts), segment_many(texts))
    ]


def _child(src: Path, data_dir: str | None) -> float:
    """Measure in a fresh interpreter importing ``reflint`` from ``src``."""
    code = (
        "import sys, json; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
        "import parse_speed as p; from pathlib import Path;"
        "_, texts = p.corpus(Path(sys.argv[3]) if sys.argv[3] else None);"
        "import reflint; assert reflint.__file__.startswith(sys.argv[1]), reflint.__file__;"
        "print(json.dumps(p.measure(texts)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(src), str(REPO / "benchmarks"), data_dir or ""],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)


_PARSE_FIRST = """
import sys
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2])
import parse_speed as p
from pathlib import Path
_, texts = p.corpus(Path(sys.argv[3]) if sys.argv[3] else None)
import reflint.parse
reflint.parse.parse_reference("Warm A. Loading the model. J Load. 2001;1:1-2.")
texts = texts[: int(sys.argv[4])]
many = getattr(reflint.parse, "parse_references", None)
if many is None:
    for text in texts:
        reflint.parse.parse_reference(text)
else:
    for k in range(0, len(texts), p.LIST):
        many(texts[k : k + p.LIST])
"""


def _instructions(src: Path, data_dir: str | None, count: int) -> float:
    """Machine instructions per reference string (valgrind's callgrind counts them; unlike CPU
    seconds they do not vary with the load of a shared machine): a run that parses the first
    ``count`` strings less one that only loads the model."""

    def total(n: int) -> int:
        done = subprocess.run(
            ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, "-c", _PARSE_FIRST]
            + [str(src), str(REPO / "benchmarks"), data_dir or "", str(n)],
            capture_output=True,
            text=True,
            check=True,
        )
        return int(re.search(r"Collected : (\d+)", done.stderr).group(1))

    return (total(count) - total(0)) / count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("data_dir", nargs="?")
    ap.add_argument("--baseline", metavar="CHECKOUT", help="another checkout to measure beside this one")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each (default 1)")
    ap.add_argument(
        "--tests-corpus",
        action="store_true",
        help="use the 450 strings of tests/data/parse (what tests/test_parse.py snapshots)",
    )
    ap.add_argument(
        "--instructions",
        type=int,
        metavar="N",
        help="count machine instructions (valgrind) for the first N strings instead of timing",
    )
    ap.add_argument("--write-snapshot", metavar="PATH")
    ap.add_argument("--check-snapshot", metavar="PATH")
    args = ap.parse_args()
    name, texts = corpus(Path(args.data_dir) if args.data_dir else None, args.tests_corpus)
    print(f"corpus: {name}")
    if args.write_snapshot or args.check_snapshot:
        sys.path.insert(0, str(REPO / "src"))
        got = outputs(texts)
        if args.write_snapshot:
            Path(args.write_snapshot).write_text(json.dumps(got, ensure_ascii=False, indent=0) + "\n", "utf-8")
            print(f"wrote {len(got)} parses to {args.write_snapshot}")
            return
        want = json.loads(Path(args.check_snapshot).read_text("utf-8"))
        diff = [(w, g) for w, g in zip(want, got) if w != g]
        print(f"{len(want) - len(diff)} of {len(want)} parses identical to {args.check_snapshot}")
        for w, g in diff[:20]:
            print(f"  {w['text'][:120]}\n    was {w['fields']}\n    now {g['fields']}")
        return
    if args.instructions:
        trees = {"this checkout": REPO / "src"}
        if args.baseline:
            trees[f"baseline {args.baseline}"] = Path(args.baseline).resolve() / "src"
        per = {label: _instructions(src, args.data_dir, args.instructions) for label, src in trees.items()}
        for label, n in per.items():
            print(f"{label}: {n / 1e6:.3f} million instructions per reference (first {args.instructions} strings)")
        if args.baseline:
            this, base = per.values()
            print(f"ratio: {base / this:.2f}x fewer instructions per reference than the baseline")
        return
    runs: dict[str, list[float]] = {"this checkout": []}
    if args.baseline:
        runs[f"baseline {args.baseline}"] = []
    for _ in range(args.repeat):
        runs["this checkout"].append(_child(REPO / "src", args.data_dir))
        if args.baseline:
            runs[f"baseline {args.baseline}"].append(_child(Path(args.baseline).resolve() / "src", args.data_dir))
    for label, rates in runs.items():
        print(
            f"{label}: {statistics.median(rates):,.0f} references per CPU second "
            f"(median of {len(rates)}: {', '.join(f'{r:,.0f}' for r in rates)})"
        )
    if args.baseline:
        this, base = (statistics.median(r) for r in runs.values())
        print(f"ratio: {this / base:.2f}x the baseline's references per CPU second")


if __name__ == "__main__":
    main()
