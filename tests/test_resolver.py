"""The resolver batches, paces, caches and never turns a failure into a verdict."""

from __future__ import annotations

from reflint.cache import Cache
from reflint.crossref import CrossrefClient
from reflint.documents import from_text
from reflint.extract import extract
from reflint.resolve import Resolver


def works(n: int) -> list[dict]:
    return [{"DOI": f"10.5555/r.{i}", "title": [f"Resolver work {i}"],
             "author": [{"family": f"Writer{i}"}], "issued": {"date-parts": [[2020]]}} for i in range(n)]


def extraction_with(dois: list[str]):
    text = "\n".join(f"- Item. doi:{d}" for d in dois) + "\n"
    return extract(from_text(text, "r.md", "markdown"))


def test_batches_of_fifty_within_the_limits_and_a_warm_run_asks_nothing(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(works(120), {}, enforce_limits=True)
    ex = extraction_with([f"10.5555/r.{i}" for i in range(120)] + ["10.5555/R.7"])  # a duplicate
    cache = Cache(tmp_path / "c.sqlite3")
    resolution = Resolver(CrossrefClient(server.url, server.url, "t@example.org"), cache).resolve([ex])
    lists = [r for r in server.requests if r[1] == "/works" and "filter" in r[2]]
    assert len(lists) == 3 and len(server.requests) == 3  # 50 + 50 + 20, duplicates folded
    assert server.count_429 == 0
    assert {s.verdict for s in resolution.dois.values()} == {"valid"}
    Resolver(CrossrefClient(server.url, server.url, "t@example.org"), cache).resolve([ex])
    assert len(server.requests) == 3


def test_missing_from_batch_is_confirmed_before_it_is_called_invalid(fake_crossref_factory):
    server = fake_crossref_factory(works(1), {"10.5281/zenodo.9": "datacite"})
    ex = extraction_with(["10.5555/r.0", "10.5281/zenodo.9", "10.5555/absent"])
    resolution = Resolver(CrossrefClient(server.url, server.url, "t@example.org")).resolve([ex])
    assert resolution.doi("10.5555/r.0").verdict == "valid"
    assert (resolution.doi("10.5281/zenodo.9").verdict, resolution.doi("10.5281/zenodo.9").agency) == \
        ("valid", "datacite")
    assert resolution.doi("10.5555/absent").verdict == "invalid"
    paths = [r[1] for r in server.requests]
    assert "/works/10.5555/absent/agency" in paths and "/api/handles/10.5555/absent" in paths


def test_failed_lookups_are_unknown_and_not_cached(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(works(2), fail_rate=1.0)
    cache = Cache(tmp_path / "c.sqlite3")
    client = CrossrefClient(server.url, server.url, "t@example.org", max_retries=1,
                            sleep=lambda s: None)
    resolution = Resolver(client, cache).resolve([extraction_with(["10.5555/r.0", "10.5555/r.1"])])
    assert {s.verdict for s in resolution.dois.values()} == {"unknown"}
    assert resolution.unknown == 2
    assert cache.info()["entries"] == 0


def test_offline_resolver_answers_from_the_lock_only():
    from reflint.resolve import DoiStatus

    lock = {"10.5555/r.0": DoiStatus("valid", {"DOI": "10.5555/r.0"}, "crossref")}
    resolution = Resolver(None, lock=lock).resolve([extraction_with(["10.5555/r.0", "10.5555/r.1"])])
    assert resolution.doi("10.5555/r.0").verdict == "valid"
    assert resolution.doi("10.5555/r.1").verdict == "unknown"


def test_library_answers_go_stale_online_but_never_offline(fake_crossref_factory):
    import datetime

    from reflint.resolve import DoiStatus

    server = fake_crossref_factory(works(1), {})
    old = (datetime.date.today() - datetime.timedelta(days=45)).isoformat()
    fresh = datetime.date.today().isoformat()
    ex = extraction_with(["10.5555/r.0"])
    for verified, requests_made in ((fresh, 0), (old, 1)):
        lock = {"10.5555/r.0": DoiStatus("valid", {"DOI": "10.5555/r.0", "_verified": verified}, "crossref")}
        before = len(server.requests)
        Resolver(CrossrefClient(server.url, server.url, "t@example.org"), lock=lock).resolve([ex])
        assert len(server.requests) - before == requests_made
    lock = {"10.5555/r.0": DoiStatus("valid", {"DOI": "10.5555/r.0", "_verified": old}, "crossref")}
    assert Resolver(None, lock=lock).resolve([ex]).doi("10.5555/r.0").verdict == "valid"
