"""What a registry that is not there costs: wall time of `reflint check` on one small document.

Three cases, each a fresh `reflint check` process (as a pre-commit hook runs it):

1. a hanging registry (the loopback fake accepts connections and never answers), first run;
2. the same, a second run right after (the outage is remembered in the cache);
3. no DNS: the registry's host name does not resolve (``reflint-no-such-host.invalid``).

Each line also says whether the run reported a false RL201/RL202 (it must not) and how many
lookups it left unknown. Targets (issue 9): first run <= 10 s, second <= 2 s, no DNS <= 1.5 s.

    python benchmarks/dead_registry.py

Measures and prints; asserts nothing about time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_crossref import FakeCrossref  # noqa: E402

DOCUMENT = """# Dry needling notes

Dry needling is debated [1], and acupuncture has its critics [2]. A mistyped DOI follows [3].

## References

1. Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for
   musculoskeletal conditions by physical therapists. J Orthop Sports Phys Ther. 2017;47(3):133-149.
   doi:10.2519/jospt.2017.7096
2. Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136.
   doi:10.1093/rheumatology/ken161
3. Zhou K, Ma Y, Brogan MS. Dry needling versus acupuncture: the ongoing debate. Acupunct Med.
   2015;33(6):485-490. doi:10.1136/acupmed-2015-010911x
"""
UNRESOLVABLE = "http://reflint-no-such-host.invalid"


def run_check(path: Path, registry: str, cache_dir: str) -> tuple[float, dict]:
    """One `reflint check` process against ``registry``: its wall time and JSON report."""
    env = {
        **os.environ,
        "REFLINT_CROSSREF_URL": registry,
        "REFLINT_DOI_URL": registry,
        "REFLINT_CACHE_DIR": cache_dir,
        "REFLINT_MAILTO": "bench@example.org",
    }
    env.pop("REFLINT_OFFLINE", None)
    command = [sys.executable, "-m", "reflint", "check", str(path), "--format", "json"]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    try:
        report = json.loads(done.stdout)
    except ValueError:
        report = {"diagnostics": [], "summary": {"unknown": f"? (exit {done.returncode})"}}
    return elapsed, report


def describe(label: str, elapsed: float, target: float, report: dict) -> str:
    false_alarms = sum(d["code"] in ("RL201", "RL202") for d in report["diagnostics"])
    return (
        f"{label:<34} {elapsed:6.2f} s  (target <= {target:g} s)  "
        f"unknown {report['summary']['unknown']}, false RL201/RL202 {false_alarms}"
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as work, FakeCrossref(hang_rate=1.0, hang_seconds=600) as hanging:
        path = Path(work) / "notes.md"
        path.write_text(DOCUMENT, "utf-8")
        cache = str(Path(work) / "cache-hanging")
        first, report1 = run_check(path, hanging.url, cache)
        second, report2 = run_check(path, hanging.url, cache)
        requests_seen = len(hanging.requests)
        no_dns, report3 = run_check(path, UNRESOLVABLE, str(Path(work) / "cache-nodns"))
    print(describe("hanging registry, first run", first, 10, report1))
    print(describe("hanging registry, second run", second, 2, report2))
    print(describe("no DNS (unresolvable host)", no_dns, 1.5, report3))
    print(f"requests the hanging registry received over both runs: {requests_seen}")


if __name__ == "__main__":
    main()
