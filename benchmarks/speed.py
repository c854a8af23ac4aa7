"""Speed and memory of ``reflint check --offline``, side by side with a baseline commit.

Builds the baseline in a temporary git worktree with a venv of its own (its dependencies
may differ), a corpus of varied PLOS articles (benchmarks/corpus.py), and
measures, each in a fresh process with its own empty cache directory:

- references per CPU second, cold (empty cache; the median of the one-process cold runs)
  and warm (the same run again, the median of three);
- wall time per ``--jobs`` value, the median of three cold runs alternated (a baseline
  without ``--jobs``, such as v0.1, runs in one process: its one-process runs stand for
  every value), and beside their ratio the machine's own ceiling: a pure-Python loop shared
  out to as many processes;
- peak RSS of the largest process;
- the CPU time of checking one small file again, as most pre-commit hook runs do (start-up);
- a cold ``check`` of 1,000 DOIs against the rate-limited fake Crossref, as a ratio to the
  floor its list limit allows (benchmarks/verify_throughput.py);
- the hanging-registry latencies, by benchmarks/dead_registry.py when it exists.

    python benchmarks/speed.py --baseline main [--files 150] [--jobs 1 2]

Measures and prints ratios; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from corpus import build  # noqa: E402
from verify_throughput import LIST_RATE, dois_text, end_to_end, limited_server  # noqa: E402
from reflint.resolve import BATCH_SIZE  # noqa: E402

DOIS = 1000

_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
summary = json.loads(done.stdout or b"{}").get("summary", {})
print(json.dumps({"wall": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime,
                  "rss_mb": usage.ru_maxrss / 1024, "references": summary.get("references"),
                  "diagnostics": summary.get("diagnostics"), "code": done.returncode}))
"""


def measure(python: str, corpus: Path, cache: Path, jobs: int | None) -> dict:
    """One ``check --offline --format json`` in its own process tree."""
    env = {**os.environ, "REFLINT_CACHE_DIR": str(cache), "REFLINT_OFFLINE": "1"}
    env.pop("PYTHONPATH", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: bytecode cached, not compiled each run
    command = [python, "-m", "reflint", "check", "--offline", "--format", "json", str(corpus)]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    out = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def takes_jobs(python: str) -> bool:
    """Does this reflint take ``--jobs``? (v0.1 does not: it runs in one process.)"""
    out = subprocess.run([python, "-m", "reflint", "check", "--help"], capture_output=True, text=True)
    return "--jobs" in out.stdout


ROUNDS = 3  # cold runs per --jobs value (alternated) and warm runs, for medians: one busy moment moves one run


def suite(python: str, corpus: Path, jobs: list[int], parallel: bool) -> dict:
    """Cold and warm runs in one process, and the wall time per ``--jobs`` value. The cold
    figure is the run of median CPU among every cold one-process run (one busy moment moves
    one run); a tree without ``--jobs`` has only one-process runs, which stand for every value."""
    with tempfile.TemporaryDirectory() as tmp:
        first = measure(python, corpus, Path(tmp) / "c", 1 if parallel else None)
        warms = [measure(python, corpus, Path(tmp) / "c", 1 if parallel else None) for _ in range(ROUNDS)]
        runs: dict[int, list[dict]] = {j: [] for j in jobs}
        for k in range(ROUNDS):
            for j in jobs if parallel else jobs[:1]:
                runs[j].append(measure(python, corpus, Path(tmp) / f"j{j}-{k}", j if parallel else None))
    if not parallel:  # one process whatever --jobs says
        runs = {j: runs[jobs[0]] for j in jobs}
    one_process = [first] + (runs.get(1, []) if parallel else runs[jobs[0]])
    cold = sorted(one_process, key=lambda r: r["cpu"])[len(one_process) // 2]
    warm = sorted(warms, key=lambda r: r["cpu"])[len(warms) // 2]  # a warm run is short: noisy alone
    walls = {j: statistics.median(r["wall"] for r in runs[j]) for j in jobs}
    return {"cold": cold, "warm": warm, "walls": walls}


_SPIN = "import sys\nfor i in range(int(sys.argv[1])): pass"


def ceiling(jobs: int, base: int = 1, steps: int = 40_000_000) -> float:
    """The machine's own best ``--jobs N`` ratio: the wall time of a pure-Python loop shared
    out to ``jobs`` processes, over the same loop shared out to ``base``. ``base/jobs`` on
    idle, independent cores; a virtual machine's cores that share hardware, or a busy host,
    give more."""
    import time

    def wall(n: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", _SPIN, str(steps // n)]) for _ in range(n)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start

    walls = [(wall(jobs), wall(base)) for _ in range(3)]  # alternated: a busy moment hits both
    return statistics.median(w for w, _ in walls) / statistics.median(b for _, b in walls)


def doi_list(python: str) -> float:
    """Wall seconds of a cold ``reflint check`` of a list of DOIS DOIs (fresh cache), with
    reflint as installed for ``python``."""
    with limited_server(DOIS) as server, tempfile.TemporaryDirectory() as tmp:
        return end_to_end(server, dois_text(DOIS), tmp, python, src=None)[0]


_SMALL = (
    "# Heel pain\n\nNeedling eased heel pain for a month (Cotchett et al. 2014).\n\n## References\n\n"
    "1. Cotchett MP, Munteanu SE, Landorf KB. Effectiveness of trigger point dry needling for plantar heel "
    "pain: a randomized controlled trial. Phys Ther. 2014;94(8):1083-1094. doi:10.2522/ptj.20130255\n"
)


def small_file(pythons: dict[str, str], rounds: int = 9) -> dict[str, float]:
    """Median CPU seconds of ``check --offline`` on one small file checked before (its
    answers and fields cached): what most pre-commit hook runs cost, start-up above all.
    The trees alternate, so a busy moment of the host hits both."""
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "heel-pain.md"
        doc.write_text(_SMALL, encoding="utf-8")
        cpu: dict[str, list[float]] = {name: [] for name in pythons}
        for k in range(rounds + 1):
            for name, python in pythons.items():
                run = measure(python, doc, Path(tmp) / name, None)
                if k:  # the first run of each fills its cache
                    cpu[name].append(run["cpu"])
    return {name: statistics.median(values) for name, values in cpu.items()}


def dead_registry(python: str, tree: Path) -> str | None:
    script = ROOT / "benchmarks" / "dead_registry.py"
    if not script.exists():
        return None
    done = subprocess.run([python, str(script)], cwd=tree, capture_output=True, text=True)
    return done.stdout.strip() or done.stderr.strip()[-500:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main", help="commit to compare with (default: main)")
    parser.add_argument("--files", type=int, default=150, help="articles in the corpus (37 distinct)")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tmp / "base"), args.baseline],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            subprocess.run([sys.executable, "-m", "venv", str(tmp / "venv")], check=True)
            python = str(tmp / "venv" / "bin" / "python")
            subprocess.run([python, "-m", "pip", "install", "-q", str(tmp / "base")], check=True, capture_output=True)
            build(tmp / "corpus", args.files)
            # pip compiled the baseline's bytecode when installing it; this tree's is compiled
            # here, so neither pays for compiling its source in the runs measured
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src")], check=True)
            base = suite(python, tmp / "corpus", args.jobs, parallel=takes_jobs(python))
            ours = suite(sys.executable, tmp / "corpus", args.jobs, parallel=True)
            dois = {"baseline": doi_list(python), "this tree": doi_list(sys.executable)}
            small = small_file({"baseline": python, "this tree": sys.executable})
            dead = {"baseline": dead_registry(python, tmp / "base"), "this tree": dead_registry(sys.executable, ROOT)}
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "base")], cwd=ROOT, capture_output=True)
    refs = ours["cold"]["references"]
    print(f"corpus: {args.files} articles, {refs} references; baseline {args.baseline}; " f"{os.cpu_count()} cores")
    if base["cold"]["diagnostics"] != ours["cold"]["diagnostics"]:
        print(
            f"NOTE: diagnostics differ: baseline {base['cold']['diagnostics']}, "
            f"this tree {ours['cold']['diagnostics']}"
        )
    print(f"{'measure':<34}{'baseline':>12}{'this tree':>12}{'ratio':>9}")

    def row(name, b, o, unit, better_high=False, digits=1):
        ratio = (o / b if better_high else b / o) if b and o else float("nan")
        print(f"{name:<34}{b:>10.{digits}f}{unit:<2}{o:>10.{digits}f}{unit:<2}{ratio:>8.2f}x")

    for kind in ("cold", "warm"):
        row(
            f"references per CPU second, {kind}",
            refs / base[kind]["cpu"],
            refs / ours[kind]["cpu"],
            "",
            better_high=True,
        )
    row(
        "warm here vs the baseline's cold", refs / base["cold"]["cpu"], refs / ours["warm"]["cpu"], "", better_high=True
    )
    for j in args.jobs:
        row(f"wall time, --jobs {j} (cold, median)", base["walls"][j], ours["walls"][j], "s")
    for j in args.jobs[1:]:
        print(
            f"  --jobs {j} / --jobs {args.jobs[0]}, this tree: {ours['walls'][j] / ours['walls'][args.jobs[0]]:.2f}; "
            f"the machine's own ceiling (a pure-Python loop shared out): {ceiling(j, args.jobs[0]):.2f}"
        )
    row("peak RSS, cold, one process", base["cold"]["rss_mb"], ours["cold"]["rss_mb"], "MB")
    row("one small file checked again, CPU", small["baseline"], small["this tree"], "s", digits=3)
    floor = -(-DOIS // BATCH_SIZE) / LIST_RATE
    row(f"{DOIS} DOIs cold, wall", dois["baseline"], dois["this tree"], "s")
    print(
        f"{'  as a multiple of the floor':<34}{dois['baseline'] / floor:>10.2f}x "
        f"{dois['this tree'] / floor:>10.2f}x   (floor {floor:.2f} s)"
    )
    for name, text in dead.items():
        print(f"hanging registry ({name}): {text or 'benchmarks/dead_registry.py not present'}")


if __name__ == "__main__":
    main()
