"""Verify N distinct DOIs against the loopback fake Crossref with polite-pool limits enforced.

Prints requests made, 429s, wall time and the ratio to the floor those limits allow:
with 50-DOI batches and 3 list requests/s, N DOIs need ceil(N/50) list requests, so the
floor is ceil(N/50) / 3 seconds. A second, warm run must make no request at all.
Then the same list end to end, as the user sees it: ``reflint check`` in a fresh process
with an empty cache, parsing and all (its DOI batches go out while references are parsed).

    python benchmarks/verify_throughput.py [--dois 1000]

Measures only; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fake_crossref import FakeCrossref  # noqa: E402

from reflint.cache import Cache  # noqa: E402
from reflint.crossref import CrossrefClient  # noqa: E402
from reflint.documents import from_text  # noqa: E402
from reflint.extract import extract  # noqa: E402
from reflint.resolve import BATCH_SIZE, Resolver  # noqa: E402

LIST_RATE, SINGLE_RATE, CONCURRENCY = 3, 10, 3


def records(n: int) -> list[dict]:
    return [
        {
            "DOI": f"10.5555/bench.{i}",
            "type": "journal-article",
            "title": [f"Benchmark work number {i}"],
            "author": [{"family": f"Author{i}", "given": "A."}],
            "container-title": ["Journal of Benchmarks"],
            "issued": {"date-parts": [[2000 + i % 25]]},
        }
        for i in range(n)
    ]


def dois_text(n: int) -> str:
    """A Markdown list of ``n`` DOIs of ``records(n)``."""
    return "\n".join(f"- Work {i}. doi:10.5555/bench.{i}" for i in range(n)) + "\n"


def limited_server(n: int) -> FakeCrossref:
    """The fake Crossref serving ``records(n)`` with the polite pool's limits enforced."""
    return FakeCrossref(
        records(n),
        {},
        enforce_limits=True,
        single_limit=SINGLE_RATE,
        list_limit=LIST_RATE,
        concurrency_limit=CONCURRENCY,
    )


def run(server: FakeCrossref, text: str, cache_dir: str) -> tuple[float, int, dict]:
    client = CrossrefClient(server.url, server.url, mailto="bench@example.org")
    resolver = Resolver(client, Cache(Path(cache_dir) / "cache.sqlite3"))
    extraction = extract(from_text(text, "bench.md", "markdown"))
    before = len(server.requests)
    started = time.perf_counter()
    resolution = resolver.resolve([extraction])
    elapsed = time.perf_counter() - started
    return elapsed, len(server.requests) - before, {"unknown": resolution.unknown, **client.stats}


def end_to_end(
    server: FakeCrossref, text: str, tmp: str, python: str = sys.executable, src: Path | None = ROOT / "src"
) -> tuple[float, int, float, float]:
    """Wall time and requests of a cold ``reflint check`` of ``text`` in a new process of
    ``python`` (importing reflint from ``src``, else as installed there), and when (from the
    process's start) its first and last requests reached the server. Bytecode is cached, as
    for a user."""
    path = Path(tmp) / "dois.md"
    path.write_text(text, "utf-8")
    env = {
        **os.environ,
        "REFLINT_CROSSREF_URL": server.url,
        "REFLINT_DOI_URL": server.url,
        "REFLINT_MAILTO": "bench@example.org",
        "REFLINT_CACHE_DIR": str(Path(tmp) / "e2e-cache"),
    }
    if src is not None:
        env["PYTHONPATH"] = str(src)
    else:
        env.pop("PYTHONPATH", None)
    for name in ("REFLINT_OFFLINE", "PYTHONDONTWRITEBYTECODE"):
        env.pop(name, None)
    before = len(server.requests)
    started, clock = time.perf_counter(), time.monotonic()  # the fake server records monotonic times
    subprocess.run(
        [python, "-m", "reflint", "check", str(path), "--format", "json"],
        env=env,
        capture_output=True,
        check=False,
    )
    wall = time.perf_counter() - started
    arrivals = [request[3] - clock for request in server.requests[before:]] or [float("nan")]
    return wall, len(server.requests) - before, arrivals[0], arrivals[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dois", type=int, default=1000)
    args = parser.parse_args()
    text = dois_text(args.dois)
    floor = math.ceil(args.dois / BATCH_SIZE) / LIST_RATE
    with limited_server(args.dois) as server, tempfile.TemporaryDirectory() as cache_dir:
        os.environ.pop("REFLINT_OFFLINE", None)
        cold, cold_requests, stats = run(server, text, cache_dir)
        warm, warm_requests, _ = run(server, text, cache_dir)
        print(f"DOIs verified:            {args.dois} ({stats['unknown']} unknown)")
        print(
            f"limits enforced:          {LIST_RATE} list req/s, {SINGLE_RATE} single req/s, "
            f"{CONCURRENCY} concurrent; batches of {BATCH_SIZE}"
        )
        print(f"cold run: requests        {cold_requests} (429s answered: {server.count_429})")
        print(f"cold run: wall time       {cold:.2f} s; floor {floor:.2f} s; ratio {cold / floor:.2f}x")
        print(
            f"warm run: requests        {warm_requests}; wall time {warm:.3f} s "
            f"({cold / max(warm, 1e-9):.0f}x faster than cold)"
        )
        server.count_429 = 0
        wall, requests, first, last = end_to_end(server, text, cache_dir)
        print(
            f"end to end (reflint check, cold, new process): {requests} requests "
            f"(429s: {server.count_429}), wall {wall:.2f} s; ratio to floor {wall / floor:.2f}x"
        )
        print(
            f"  first request {first:.2f} s after the start, last {last - first:.2f} s after the first "
            f"(paced: {(math.ceil(args.dois / BATCH_SIZE) - 1) / LIST_RATE:.2f} s), exit {wall - last:.2f} s after it"
        )


if __name__ == "__main__":
    main()
