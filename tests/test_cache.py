"""The SQLite answer cache: ages by kind, housekeeping, location, and never a crash."""

import logging
import os
import sqlite3
import threading

import pytest

from reflint.cache import ANSWERS_SCHEMA, FILENAME, Cache, NullCache, default_path, doi_key, query_key

DAY = 86400.0


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(tmp_path, clock):
    with Cache(tmp_path / FILENAME, clock=clock) as c:
        yield c


def test_put_get_roundtrip(cache):
    record = {"DOI": "10.1/x", "title": ["Ü"], "page": "1-2"}
    cache.put(doi_key("10.1/X"), record, positive=True)
    assert cache.get("doi:10.1/x") == record
    assert cache.lookup("doi:10.1/x") == (record, True)
    assert cache.get("doi:10.1/other") is None


def test_put_replaces(cache):
    cache.put("k", {"verdict": "invalid"}, positive=False)
    cache.put("k", {"verdict": "valid"}, positive=True)
    assert cache.lookup("k") == ({"verdict": "valid"}, True)


def test_put_many_and_none_values(cache):
    cache.put_many([("a", 1, True), ("b", [2], False)])
    assert (cache.get("a"), cache.get("b")) == (1, [2])
    with pytest.raises(ValueError):
        cache.put("c", None, positive=False)


def test_ttls_by_kind(tmp_path, clock):
    cache = Cache(tmp_path / FILENAME, positive_ttl=30 * DAY, negative_ttl=DAY, clock=clock)
    cache.put("pos", {"ok": True}, positive=True)
    cache.put("neg", {"verdict": "invalid"}, positive=False)
    clock.now += DAY - 1
    assert cache.get("pos") and cache.get("neg")
    clock.now += 2
    assert cache.get("pos") and cache.get("neg") is None
    clock.now += 29 * DAY
    assert cache.get("pos") is None


def test_info_and_clear(cache, tmp_path):
    assert cache.info()["entries"] == 0
    cache.put_many([("a", 1, True), ("b", 2, True), ("c", 3, False)])
    info = cache.info()
    assert info["path"] == str(tmp_path / FILENAME)
    assert (info["entries"], info["positive"], info["negative"]) == (3, 2, 1)
    assert info["size_bytes"] > 0
    assert cache.clear() == 3
    assert cache.info()["entries"] == 0 and cache.get("a") is None


def test_clearing_outages_keeps_the_answers(cache):
    """The outage note says ``reflint cache clear --outages``: a registry that is back is asked
    again at once, without asking again everything it already answered."""
    from reflint.outage import forget_all

    cache.put_many([("doi:10.1/a", {"verdict": "valid"}, True), ("outage:https://api.crossref.org", {"at": 1}, False)])
    assert forget_all(cache) == 1
    assert cache.get("doi:10.1/a") is not None and cache.get("outage:https://api.crossref.org") is None


def test_cache_info_counts_a_remembered_outage_apart_from_the_answers(tmp_path, monkeypatch):
    """An outage is kept as a negative entry; ``cache info`` must not call it a DOI not found."""
    from click.testing import CliRunner

    from reflint.cli import main
    from reflint.outage import remember

    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path))
    with Cache(tmp_path / FILENAME) as cache:
        cache.put("doi:10.1/a", {"verdict": "valid"}, True)
        remember(cache, "https://api.crossref.org", "timed out")
    out = CliRunner().invoke(main, ["cache", "info"]).output
    assert "registry answers: 1 (1 found, 0 not found)" in out and "remembered outages: 1" in out


def test_clear_also_empties_the_parse_and_file_caches(tmp_path):
    """``reflint cache clear`` empties the whole file, as ``ruff clean`` does: parsed
    references and checked files too, and ``cache info`` counts them."""
    from reflint.file_cache import FileCache
    from reflint.models import Fields
    from reflint.parse_cache import ParseCache

    path = tmp_path / FILENAME
    parsed = ParseCache(path, lambda text: Fields(title=text))
    parsed("Smith J. A title. 2020.")
    parsed.close()
    files = FileCache(path)
    files.put("x:key", ["anything"])
    files.close()
    cache = Cache(path)
    cache.put("doi:10.1/a", {"verdict": "valid"}, True)
    info = cache.info()
    assert (info["entries"], info["parsed"], info["files"]) == (1, 1, 1)
    assert cache.clear() == 1
    info = cache.info()
    assert (info["entries"], info["parsed"], info["files"]) == (0, 0, 0)


def test_info_does_not_create_a_missing_cache(tmp_path):
    cache = Cache(tmp_path / "sub" / FILENAME)
    assert cache.info() == {
        "path": str(tmp_path / "sub" / FILENAME),
        "entries": 0,
        "positive": 0,
        "negative": 0,
        "size_bytes": 0,
        "parsed": 0,
        "files": 0,
    }
    assert cache.clear() == 0
    assert not (tmp_path / "sub").exists()


def test_keys():
    assert doi_key("10.1002/ABC") == "doi:10.1002/abc"
    assert query_key("Smith  J.\nA study") == query_key("Smith J. A study")
    assert query_key("a").startswith("query:") and len(query_key("a")) == 6 + 40


def test_reflint_cache_dir_is_honoured(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert default_path() == tmp_path / "elsewhere" / FILENAME
    cache = Cache()
    cache.put("k", "v", positive=True)
    cache.close()
    assert (tmp_path / "elsewhere" / FILENAME).is_file()


def test_default_path_without_env(monkeypatch):
    monkeypatch.delenv("REFLINT_CACHE_DIR", raising=False)
    assert default_path().name == FILENAME and "reflint" in str(default_path())


def test_corrupt_file_degrades_to_no_op_with_one_warning(tmp_path, caplog):
    path = tmp_path / FILENAME
    path.write_bytes(b"this is not a database, not at all, really not" * 20)
    cache = Cache(path)
    with caplog.at_level(logging.WARNING, logger="reflint.cache"):
        assert cache.get("k") is None
        cache.put("k", 1, positive=True)
        assert cache.get("k") is None
        assert cache.info()["entries"] == 0
    assert cache.disabled
    assert len(caplog.records) == 1 and "unusable" in caplog.records[0].getMessage()
    assert cache.clear() == 0  # resets: the corrupt file is removed ...
    assert not path.exists()
    cache.put("k", 1, positive=True)  # ... and the cache works again
    assert cache.get("k") == 1


def test_impossible_location_degrades(tmp_path, caplog):
    (tmp_path / "file").write_text("x")
    cache = Cache(tmp_path / "file" / "sub" / FILENAME)  # a directory under a regular file
    with caplog.at_level(logging.WARNING, logger="reflint.cache"):
        cache.put("k", 1, positive=True)
        assert cache.get("k") is None
    assert cache.disabled and len(caplog.records) == 1


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions")
def test_unwritable_directory_degrades(tmp_path, caplog):
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    cache = Cache(locked / "sub" / FILENAME)
    with caplog.at_level(logging.WARNING, logger="reflint.cache"):
        cache.put("k", 1, positive=True)
        assert cache.get("k") is None
    assert cache.disabled and len(caplog.records) == 1


def test_locked_database_is_left_alone(tmp_path):
    path = tmp_path / FILENAME
    Cache(path).put("k", 1, positive=True)
    cache = Cache(path)
    cache._disable(sqlite3.OperationalError("database is locked"))
    assert cache.clear() == 0 and path.exists()


def test_threads_share_a_cache(cache):
    def work(n):
        for i in range(50):
            cache.put(f"{n}:{i}", i, positive=True)
            assert cache.get(f"{n}:{i}") == i

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.info()["entries"] == 200


def test_null_cache_has_the_same_api():
    null = NullCache()
    null.put("k", 1, positive=True)
    null.put_many([("a", 1, True)])
    assert null.get("k") is None and null.lookup("k") is None
    assert null.info()["entries"] == 0 and null.clear() == 0
    public = {name for name in dir(Cache) if not name.startswith("_")}
    assert public <= set(dir(NullCache))


# -- another version's cache ----------------------------------------------------------------------


def old_version_file(path):
    """A cache as the unversioned releases wrote it: answers of another shape, no meta table."""
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, "
        "positive INTEGER NOT NULL, stored_at REAL NOT NULL)"
    )
    db.execute("INSERT INTO entries VALUES ('doi:10.1/x', '[\"valid\", null]', 1, 1000000.0)")
    db.commit()
    db.close()


def test_answers_of_an_older_schema_are_dropped_once(tmp_path, clock):
    path = tmp_path / FILENAME
    old_version_file(path)
    with Cache(path, clock=clock) as cache:
        assert cache.get("doi:10.1/x") is None and cache.info()["entries"] == 0
        cache.put("doi:10.1/y", {"verdict": "valid"}, positive=True)
    with Cache(path, clock=clock) as again:  # the current schema is kept from now on
        assert again.get("doi:10.1/y") == {"verdict": "valid"}
    db = sqlite3.connect(path)
    assert db.execute("SELECT value FROM meta WHERE name = 'answers-schema'").fetchone() == (ANSWERS_SCHEMA,)
    db.close()


def test_a_row_that_does_not_fit_reads_as_a_miss(cache):
    cache.put("k", {"verdict": "valid"}, positive=True)
    cache._run(lambda db: db.execute("INSERT INTO entries VALUES ('bad-age', '1', 1, 'yesterday')"), write=True)
    cache._run(
        lambda db: db.execute("INSERT INTO entries VALUES ('bad-json', '{oops', 1, ?)", (cache._clock(),)), write=True
    )
    assert cache.get("bad-age") is None and cache.get("bad-json") is None
    assert cache.get("k") == {"verdict": "valid"} and not cache.disabled
