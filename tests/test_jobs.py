"""--jobs: a process pool over files prints exactly what one process prints, in order;
check streams its results, so a file's document is gone once it is reported."""

from __future__ import annotations

import gc
import json
import shutil
import weakref
from pathlib import Path

import pytest

from fake_crossref import DEFAULT_RECORDS, load_records
from helpers import invoke
from reflint.config import load_config
from reflint.linter import Linter
from reflint.resolve import Resolver

ROOT = Path(__file__).parent.parent
SEEDLIKE = Path(__file__).parent / "data" / "seedlike"


@pytest.fixture
def corpus(tmp_path):
    """The examples and the seed-like documents in one tree: many files, every format."""
    shutil.copytree(ROOT / "examples", tmp_path / "kb" / "examples")
    shutil.copytree(SEEDLIKE, tmp_path / "kb" / "seedlike")
    return tmp_path / "kb"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "--format", "json"],
        ["check"],
        ["check", "--format", "sarif"],
        ["refs", "--format", "json"],
        ["audit", "--json"],
    ],
)
def test_jobs_print_the_same_bytes_as_one_process(corpus, args, tmp_path, monkeypatch):
    one = invoke(*args, ".", "--jobs", "1", cwd=corpus)
    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path / "cold"))  # else a warm run: one process
    two = invoke(*args, ".", "-j", "2", cwd=corpus)
    assert one.exit_code == two.exit_code and one.exit_code in (0, 1), one.output
    assert two.stdout == one.stdout
    assert len(one.stdout) > 1000  # it really reported something


def test_a_warm_run_starts_no_workers(corpus, monkeypatch):
    """When every file's reading is in the file cache, one process does the rest: starting
    workers would cost more than it saves (a pre-commit hook on unchanged files)."""
    import reflint.linter

    started = []
    real = reflint.linter.FilePool

    def recorded(jobs, *args):
        started.append(jobs)
        return real(jobs, *args)

    monkeypatch.setattr(reflint.linter, "FilePool", recorded)
    cold = invoke("check", ".", "--format", "json", "-j", "2", cwd=corpus)
    warm = invoke("check", ".", "--format", "json", "-j", "2", cwd=corpus)
    assert started == [2, 1]
    assert warm.stdout == cold.stdout
    (corpus / "examples" / "new.md").write_text("A new page.\n", "utf-8")
    invoke("check", ".", "--format", "json", "-j", "2", cwd=corpus)
    assert started[-1] == 2  # one file to read: workers again


def test_jobs_online_same_answers_and_requests(corpus, monkeypatch, fake_crossref_factory):
    server = fake_crossref_factory(load_records(DEFAULT_RECORDS))
    monkeypatch.delenv("REFLINT_OFFLINE", raising=False)
    monkeypatch.setenv("REFLINT_CROSSREF_URL", server.url)
    monkeypatch.setenv("REFLINT_DOI_URL", server.url)
    monkeypatch.setenv("REFLINT_MAILTO", "tests@example.org")
    outputs, requests = [], []
    for jobs in ("1", "2"):
        before = len(server.requests)
        result = invoke("check", ".", "--format", "json", "--no-cache", "--jobs", jobs, cwd=corpus)
        assert result.exit_code == 1, result.output
        outputs.append(result.stdout)
        requests.append(sorted((method, path) for method, path, *_ in server.requests[before:]))
    assert outputs[0] == outputs[1]
    assert requests[0] == requests[1]
    assert json.loads(outputs[0])["summary"]["unknown"] == 0


def test_check_releases_each_document_once_reported(corpus):
    linter = Linter(load_config(None).merged({"offline": True}), Resolver(None), jobs=1)
    run = linter.lint_paths([str(corpus)], stream=True)
    assert run.file_count > 5 and run.references > 20  # known before any file is checked
    alive = []
    for result in run.files:
        alive.append(weakref.ref(result.doc))
        del result
        gc.collect()
        assert sum(ref() is not None for ref in alive) <= 1  # only the one in hand, at most
    assert len(alive) == run.file_count


def test_a_reference_whose_doi_does_not_exist_is_searched_for(tmp_path, monkeypatch, fake_crossref_factory):
    """The search for the right work behind a DOI that does not exist happens after the
    run's DOIs are answered, with one process or several."""
    from test_online import HALL

    server = fake_crossref_factory(load_records(DEFAULT_RECORDS) + [HALL])
    monkeypatch.delenv("REFLINT_OFFLINE", raising=False)
    monkeypatch.setenv("REFLINT_CROSSREF_URL", server.url)
    monkeypatch.setenv("REFLINT_DOI_URL", server.url)
    monkeypatch.setenv("REFLINT_MAILTO", "tests@example.org")
    for i in range(3):
        (tmp_path / f"note{i}.md").write_text(
            "# Shoulder\n\nNeedling helps some shoulders [1].\n\n## References\n\n"
            "1. Hall ML, Mackie AC, Cury Ribeiro D. Effects of dry needling trigger point therapy in "
            "the shoulder region on patients with upper extremity pain and dysfunction: a systematic "
            "review with meta-analysis. Physiotherapy. 2018;104(2):167-177. "
            f"doi:10.5555/no.such.work.{i}\n",
            "utf-8",
        )
    reports = []
    for jobs in ("1", "2"):
        result = invoke("check", ".", "--format", "json", "--no-cache", "-j", jobs, cwd=tmp_path)
        reports.append(result.stdout)
        found = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "RL201"]
        assert [d["data"].get("suggested_doi") for d in found] == ["10.5555/synthetic.hall.2018"] * 3
    assert reports[0] == reports[1]


def test_a_run_keeps_decoded_fields_only_for_references_it_searches():
    """A run holds a compact form of every reference until the registry has answered;
    decoding and keeping all their fields cost ~60 MB on 80,000 references. Only the
    references that are searched for keep theirs (the search reads them several times)."""
    from reflint.filework import CompactReference
    from reflint.models import Author, Fields, Reference
    from reflint.resolve import needs_lookup

    fields = Fields(authors=[Author("Gattie", "E")], year="2017", title="Dry needling for pain")
    ref = Reference(0, 10, "Gattie E. Dry needling for pain. 2017.", "list-entry", fields)
    followup, searched = CompactReference(ref), CompactReference(ref, searchable=True)
    assert followup.fields == fields and followup.fields is not followup.fields
    assert searched.fields == fields and searched.fields is searched.fields
    assert needs_lookup(searched) and needs_lookup(ref)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_take_the_collector_thresholds_of_the_run(monkeypatch, method):
    """reflint sets rare collections for a run (cli.run); a spawned worker (macOS, Windows)
    starts a new interpreter, which would collect at Python's default pace, several times slower."""
    import multiprocessing
    import operator

    import reflint.pool

    monkeypatch.setattr(reflint.pool, "_context", lambda: multiprocessing.get_context(method))
    before = gc.get_threshold()
    gc.set_threshold(123_456, 7, 8)
    try:
        with reflint.pool.FilePool(2, 2, int, ()) as pool:  # int(): an initializer that does nothing
            seen = list(pool.map(operator.call, [gc.get_threshold, gc.get_threshold]))
    finally:
        gc.set_threshold(*before)
    assert seen == [(123_456, 7, 8)] * 2
