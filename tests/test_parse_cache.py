"""The parse cache: each reference string is parsed once per parser version, shared
safely by several processes, and never used with --no-cache."""

from __future__ import annotations

import multiprocessing
import sqlite3
from pathlib import Path


from helpers import invoke
from reflint import parse_cache
from reflint.parse import parse_reference
from reflint.parse_cache import ParseCache

ROOT = Path(__file__).parent.parent
REFERENCES = [
    "Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for "
    "musculoskeletal conditions by physical therapists. J Orthop Sports Phys Ther. "
    "2017;47(3):133-149. doi:10.2519/jospt.2017.7096",
    "Dunning, J., Butts, R., Mourad, F., et al. (2014). Dry needling: a literature review with "
    "implications for clinical practice guidelines. Physical Therapy Reviews, 19(4), 252-265.",
    "World Health Organization. Guidelines on basic training and safety in acupuncture. Geneva: WHO; 1999.",
]


class CountingParser:
    def __init__(self):
        self.calls = 0

    def __call__(self, text):
        self.calls += 1
        return parse_reference(text)


def test_second_reading_parses_nothing_and_gives_the_same_fields(tmp_path):
    path = tmp_path / "cache.sqlite3"
    first = ParseCache(path, CountingParser())
    fields = [first(t) for t in REFERENCES]
    first.close()
    assert first._parse.calls == 3
    again = ParseCache(path, CountingParser())
    assert [again(t) for t in REFERENCES] == fields == [parse_reference(t) for t in REFERENCES]
    assert again._parse.calls == 0 and again.hits == 3


def test_a_documents_list_is_parsed_in_one_batch_and_read_back_from_the_cache(tmp_path):
    """Extraction hands the cache a document's whole list: what is not cached is parsed in
    one call; a second reading parses nothing; a repeated entry gets fields of its own."""
    from reflint.parse import parse_references

    batches = []

    def parse_many(texts):
        batches.append(list(texts))
        return parse_references(texts)

    path = tmp_path / "cache.sqlite3"
    first = ParseCache(path, CountingParser(), parse_many)
    texts = [REFERENCES[0], REFERENCES[1], REFERENCES[0]]
    fields = first.many(texts)
    first.close()
    assert batches == [REFERENCES[:2]] and first._parse.calls == 0
    assert fields == [parse_reference(t) for t in texts] and fields[0] is not fields[2]
    again = ParseCache(path, CountingParser(), parse_many)
    assert again.many(texts) == fields and batches == [REFERENCES[:2]] and again.hits == 3


def test_a_new_parser_version_parses_again(tmp_path, monkeypatch):
    path = tmp_path / "cache.sqlite3"
    cache = ParseCache(path, CountingParser())
    cache(REFERENCES[0])
    cache.close()
    monkeypatch.setattr(parse_cache, "fingerprint", lambda: "retrained-model")
    newer = ParseCache(path, CountingParser())
    newer(REFERENCES[0])
    assert newer._parse.calls == 1


def test_fingerprint_covers_the_model_and_the_parser_modules(monkeypatch, tmp_path):
    before = parse_cache.fingerprint()
    package = tmp_path / "reflint"
    (package / "data").mkdir(parents=True)
    for source in parse_cache._PACKAGE.iterdir():
        if source.name.endswith(".py"):
            (package / source.name).write_bytes(source.read_bytes())
    (package / "data" / "parser.crfsuite").write_bytes((parse_cache._PACKAGE / "data" / "parser.crfsuite").read_bytes())
    monkeypatch.setattr(parse_cache, "_PACKAGE", package)
    parse_cache.fingerprint.cache_clear()
    try:
        assert parse_cache.fingerprint() == before  # same files, same fingerprint
        (package / "crf.py").write_text((package / "crf.py").read_text() + "\n# tuned\n")
        parse_cache.fingerprint.cache_clear()
        edited = parse_cache.fingerprint()
        (package / "data" / "parser.crfsuite").write_bytes(b"another model")
        parse_cache.fingerprint.cache_clear()
        assert len({before, edited, parse_cache.fingerprint()}) == 3
    finally:
        parse_cache.fingerprint.cache_clear()


def _fill(path: str, start: int, errors) -> None:
    import logging

    logging.basicConfig()
    cache = ParseCache(path, lambda text: parse_reference(text))
    for i in range(start, start + 40):
        cache(f"{REFERENCES[i % 3]} Note {i}.")
        if i % 5 == 0:
            cache.flush()
    cache.close()
    errors.put(cache.disabled)


def test_processes_sharing_one_cache_get_no_lock_errors(tmp_path):
    path = str(tmp_path / "cache.sqlite3")
    ctx = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    errors = ctx.Queue()
    workers = [ctx.Process(target=_fill, args=(path, k * 20, errors)) for k in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [errors.get(timeout=5) for _ in workers] == [False] * 4  # none had to turn it off
    rows = sqlite3.connect(path).execute("SELECT COUNT(*) FROM parsed").fetchone()[0]
    assert rows == 100  # 4 × 40 strings, 100 of them distinct


def test_check_fills_the_cache_and_no_cache_leaves_it_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path / "cache"))
    db = tmp_path / "cache" / "cache.sqlite3"
    result = invoke("check", str(ROOT / "examples"), "--no-cache", "--jobs", "1")
    assert result.exit_code == 1
    assert (
        not db.exists()
        or not sqlite3.connect(db).execute("SELECT name FROM sqlite_master WHERE name = 'parsed'").fetchone()
    )
    cold = invoke("check", str(ROOT / "examples"), "--jobs", "1")
    rows = sqlite3.connect(db).execute("SELECT COUNT(*) FROM parsed").fetchone()[0]
    assert rows >= 25  # every reference entry of the examples
    warm = invoke("check", str(ROOT / "examples"), "--jobs", "1")
    assert warm.stdout == cold.stdout == result.stdout
