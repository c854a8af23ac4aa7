"""The resolver batches, paces, caches and never turns a failure into a verdict."""

from __future__ import annotations

import io
import time

import pytest
import responses

from fake_ncbi import FakeNcbi

from reflint import outage
from reflint.cache import Cache, NullCache
from reflint.crossref import CrossrefClient
from reflint.documents import from_text
from reflint.extract import extract
from reflint.ncbi import NcbiClient
from reflint.prefetch import Prefetch, RunCache
from reflint.resolve import DoiStatus, Resolver

API = "https://api.test"


@pytest.fixture
def mock_registry():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def instant() -> dict:
    """``sleep`` and ``clock`` for a client whose pacing and backoff take no real time."""
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    return {"sleep": sleep, "clock": lambda: now[0]}


def works(n: int) -> list[dict]:
    return [
        {
            "DOI": f"10.5555/r.{i}",
            "title": [f"Resolver work {i}"],
            "author": [{"family": f"Writer{i}"}],
            "issued": {"date-parts": [[2020]]},
        }
        for i in range(n)
    ]


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
    assert (resolution.doi("10.5281/zenodo.9").verdict, resolution.doi("10.5281/zenodo.9").agency) == (
        "valid",
        "datacite",
    )
    assert resolution.doi("10.5555/absent").verdict == "invalid"
    paths = [r[1] for r in server.requests]
    assert "/works/10.5555/absent/agency" in paths and "/api/handles/10.5555/absent" in paths


def test_failed_lookups_are_unknown_and_not_cached(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(works(2), fail_rate=1.0)
    cache = Cache(tmp_path / "c.sqlite3")
    client = CrossrefClient(server.url, server.url, "t@example.org", max_retries=1, **instant())
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


# -- records for other DOIs, aliases ------------------------------------------------------------

GATTIE = "10.2519/jospt.2017.7096"
PYNE = "10.1093/rheumatology/ken161"


def test_an_alias_named_by_doi_org_is_followed_to_its_primary(fake_crossref_factory):
    server = fake_crossref_factory(aliases={"10.5555/alias.gattie": GATTIE})
    client = CrossrefClient(server.url, server.url, "t@example.org")
    status = Resolver(client).resolve([extraction_with(["10.5555/alias.gattie"])]).doi("10.5555/alias.gattie")
    assert (status.verdict, status.alias_of, status.record["DOI"]) == ("valid", GATTIE, GATTIE)


def test_an_alias_named_by_crossrefs_relation_needs_no_handle_lookup(fake_crossref_factory):
    from fake_crossref import load_records

    records = load_records()
    for record in records:
        if record["DOI"] == GATTIE:
            record["relation"] = {
                "has-alias": [{"id-type": "doi", "id": "10.5555/ALIAS.gattie", "asserted-by": "subject"}]
            }
    server = fake_crossref_factory(records, aliases={"10.5555/alias.gattie": GATTIE})
    client = CrossrefClient(server.url, server.url, "t@example.org")
    status = Resolver(client).resolve([extraction_with(["10.5555/alias.gattie"])]).doi("10.5555/alias.gattie")
    assert status.alias_of == GATTIE
    assert not any(path.startswith("/api/handles/") for _, path, _, _ in server.requests)


def test_a_record_for_another_doi_is_unknown_and_not_cached(fake_crossref_factory, tmp_path):
    """Crossref answering 10.1093/...ken161 with Gattie's record is not a mismatch: unknown."""
    server = fake_crossref_factory(wrong_records={PYNE: GATTIE})
    cache = Cache(tmp_path / "c.sqlite3")
    client = CrossrefClient(server.url, server.url, "t@example.org")
    resolution = Resolver(client, cache).resolve([extraction_with([PYNE])])
    assert resolution.doi(PYNE) == DoiStatus("unknown")
    assert any(PYNE in note and GATTIE in note for note in resolution.notes)
    assert cache.get("doi:" + PYNE) is None


def test_registered_at_crossref_but_no_record_is_valid_never_invalid(mock_registry):
    """The agency says Crossref registered it; /works has no record (not yet indexed)."""
    mock_registry.get(f"{API}/works", json={"message": {"items": []}})
    mock_registry.get(f"{API}/works/10.1000/fresh/agency", json={"message": {"agency": {"id": "crossref"}}})
    mock_registry.get(f"{API}/works/10.1000/fresh", status=404)
    mock_registry.get(
        f"{API}/api/handles/10.1000/fresh",
        json={"responseCode": 1, "values": [{"type": "URL", "data": {"value": "https://x.example/"}}]},
    )
    client = CrossrefClient(API, API, "t@example.org", **instant())
    status = Resolver(client).resolve([extraction_with(["10.1000/fresh"])]).doi("10.1000/fresh")
    assert (status.verdict, status.record, status.agency) == ("valid", None, "crossref")


# -- a registry that is not there -----------------------------------------------------------------


def test_an_outage_is_remembered_and_the_next_run_waits_for_nothing(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(hang_rate=1.0, hang_seconds=60)
    cache = Cache(tmp_path / "c.sqlite3")
    ex = extraction_with([GATTIE, PYNE])

    def client():
        return CrossrefClient(server.url, server.url, "t@example.org", timeout=0.3)

    first = Resolver(client(), cache).resolve([ex])
    assert {s.verdict for s in first.dois.values()} == {"unknown"}
    assert any("did not answer" in note and "reflint cache clear" in note for note in first.notes)
    asked = len(server.requests)
    second = Resolver(client(), cache).resolve([ex])
    assert len(server.requests) == asked  # not asked at all
    assert second.unknown == 2
    assert any("asked again from" in note for note in second.notes)
    lock = {GATTIE: DoiStatus("valid", {"DOI": GATTIE}, "crossref")}  # nothing left to ask
    third = Resolver(CrossrefClient(server.url, server.url, "t@example.org"), cache, lock)
    assert third.resolve([extraction_with([GATTIE])]).notes == []


def test_an_outage_is_forgotten_after_a_few_minutes_and_by_cache_clear(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(works(1), {})
    cache = Cache(tmp_path / "c.sqlite3")
    client = CrossrefClient(server.url, server.url, "t@example.org")
    ex = extraction_with(["10.5555/r.0"])
    outage.remember(cache, client.registry, "no answer", now=time.time() - outage.OUTAGE_TTL - 1)
    assert Resolver(client, cache).resolve([ex]).doi("10.5555/r.0").verdict == "valid"
    outage.remember(cache, client.registry, "no answer")
    cache.clear()
    fresh = CrossrefClient(server.url, server.url, "t@example.org")
    assert Resolver(fresh, NullCache()).resolve([extraction_with(["10.5555/r.0"])]).unknown == 0
    assert Resolver(fresh, cache).resolve([extraction_with(["10.5555/r.0"])]).unknown == 0


def test_a_spent_time_limit_is_not_an_outage(fake_crossref_factory, tmp_path):
    server = fake_crossref_factory(works(1), {})
    cache = Cache(tmp_path / "c.sqlite3")
    client = CrossrefClient(server.url, server.url, "t@example.org", time_limit=1e-9)
    resolution = Resolver(client, cache).resolve([extraction_with(["10.5555/r.0"])])
    assert resolution.unknown == 1 and resolution.notes == []
    assert outage.recall(cache, client.registry) is None


def cited(doi: str, pmid: str):
    return extract(from_text(f"- Nowell PC. Clonal evolution. 1976. PMID: {pmid}. doi:{doi}\n", "r.md", "markdown"))


def test_an_ncbi_outage_is_remembered_apart_from_crossref(fake_crossref_factory, tmp_path):
    crossref = fake_crossref_factory(works(2), {})
    cache = Cache(tmp_path / "c.sqlite3")
    with FakeNcbi(hang_seconds=60) as hanging:

        def run(doi, pmid):
            ncbi = NcbiClient(hanging.url, timeout=0.3)
            return Resolver(CrossrefClient(crossref.url, crossref.url, "t@example.org"), cache, ncbi=ncbi).resolve(
                [cited(doi, pmid)]
            )

        first = run("10.5555/r.0", "959840")
        assert first.pubmed["pmid:959840"].verdict == "unknown" and first.doi("10.5555/r.0").verdict == "valid"
        assert outage.recall(cache, hanging.url) is not None
        assert outage.recall(cache, crossref.url) is None
        ncbi_asked, crossref_asked = len(hanging.requests), len(crossref.requests)
        second = run("10.5555/r.1", "887927")  # new IDs for both registries
        assert len(hanging.requests) == ncbi_asked  # NCBI's outage is remembered...
        assert len(crossref.requests) > crossref_asked  # ...and does not keep Crossref from being asked
        assert second.doi("10.5555/r.1").verdict == "valid" and second.pubmed["pmid:887927"].verdict == "unknown"
        assert [n for n in second.notes if "asked again from" in n and hanging.url in n]


def test_a_crossref_outage_does_not_keep_ncbi_from_being_asked(fake_crossref_factory, tmp_path):
    hanging = fake_crossref_factory(hang_rate=1.0, hang_seconds=60)
    cache = Cache(tmp_path / "c.sqlite3")
    with FakeNcbi() as ncbi_server:

        def run(doi, pmid):
            client = CrossrefClient(hanging.url, hanging.url, "t@example.org", timeout=0.3)
            return Resolver(client, cache, ncbi=NcbiClient(ncbi_server.url)).resolve([cited(doi, pmid)])

        first = run("10.5555/r.0", "959840")
        assert first.doi("10.5555/r.0").verdict == "unknown" and first.pubmed["pmid:959840"].verdict == "valid"
        asked = len(hanging.requests)
        second = run("10.5555/r.1", "887927")
        assert len(hanging.requests) == asked and second.doi("10.5555/r.1").verdict == "unknown"
        assert second.pubmed["pmid:887927"].verdict == "valid" and len(ncbi_server.requests) == 2
        assert outage.recall(cache, ncbi_server.url) is None


# -- cache entries of another version ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        [1, 2],
        "valid",
        {"verdict": 3},
        {"record": {}},
        {"verdict": "valid", "record": "text"},
        {"verdict": "valid", "agency": ["crossref"]},
    ],
)
def test_a_cached_answer_of_an_unexpected_shape_is_a_miss(fake_crossref_factory, tmp_path, value):
    server = fake_crossref_factory(works(1), {})
    cache = Cache(tmp_path / "c.sqlite3")
    cache.put("doi:10.5555/r.0", value, positive=True)
    offline = Resolver(None, cache).resolve([extraction_with(["10.5555/r.0"])])
    assert offline.doi("10.5555/r.0").verdict == "unknown"
    online = Resolver(CrossrefClient(server.url, server.url, "t@example.org"), cache)
    assert online.resolve([extraction_with(["10.5555/r.0"])]).doi("10.5555/r.0").verdict == "valid"
    assert cache.get("doi:10.5555/r.0")["verdict"] == "valid"  # and the bad entry is replaced


# -- progress on a terminal ----------------------------------------------------------------------


class SlowResolver:
    def __init__(self, seconds):
        self.seconds, self.progress = seconds, None

    def pending(self, extractions):
        return 3

    def resolve(self, extractions):
        for _ in range(3):
            time.sleep(self.seconds / 3)
            self.progress(1)
        return "resolution"


@pytest.mark.parametrize("seconds, shown", [(0.0, False), (0.6, True)])
def test_progress_appears_only_when_lookups_take_a_while(seconds, shown):
    from rich.console import Console

    from reflint.lookup_progress import DelayedProgress

    out = io.StringIO()
    wrapped = DelayedProgress(SlowResolver(seconds), Console(file=out, force_terminal=True), delay=0.2)
    assert wrapped.resolve([]) == "resolution"
    assert wrapped.shown is shown
    assert ("Looking up" in out.getvalue()) is shown


def test_an_alias_answered_with_its_own_record_says_which_doi_is_primary(fake_crossref_factory):
    alias = {
        "DOI": "10.5555/old.gattie",
        "title": ["Trigger point dry needling: a review"],
        "relation": {"is-alias-of": [{"id-type": "doi", "id": GATTIE, "asserted-by": "subject"}]},
    }
    server = fake_crossref_factory([alias], {})
    client = CrossrefClient(server.url, server.url, "t@example.org")
    status = Resolver(client).resolve([extraction_with(["10.5555/old.gattie"])]).doi("10.5555/old.gattie")
    assert (status.verdict, status.alias_of) == ("valid", GATTIE)


def test_with_a_head_start_the_first_batch_is_out_before_parsing_begins(fake_crossref_factory, tmp_path):
    """Parsing in this process waits for the first batch (every later request is paced
    from the first), and for nothing when there is no batch to send."""
    server = fake_crossref_factory(works(60), {})
    path = tmp_path / "refs.md"
    path.write_text("".join(f"- Work {i}. doi:10.5555/r.{i}\n" for i in range(60)), "utf-8")
    resolver = Resolver(CrossrefClient(server.url, server.url, "t@example.org"))
    overlay = RunCache.install(resolver)
    with Prefetch(resolver, [path], overlay, head_start=True) as prefetch:
        assert len(prefetch._futures) == 1  # submitted before the block's body runs
    assert sum(overlay.lookup(f"doi:10.5555/r.{i}") is not None for i in range(60)) == 50
    with Prefetch(resolver, [], overlay, head_start=True) as prefetch:
        assert prefetch._futures == []
