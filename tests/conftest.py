"""Shared pytest fixtures."""

import pytest

from fake_crossref import DEFAULT_RECORDS, FakeCrossref, load_records
from fake_ncbi import FakeNcbi


# -- fake Crossref + doi.org server (tests/fake_crossref.py) ----------------------------------------
@pytest.fixture
def fake_crossref_factory():
    """Build and start a FakeCrossref: ``make(records=None, other_agencies=None, **knobs)``.

    ``records=None`` means the default records (tests/data/crossref/works.jsonl) and
    ``other_agencies=None`` the default ``{"10.5281/zenodo.123": "datacite"}`` (pass ``{}`` for none).
    All servers stop at teardown.
    """
    servers = []

    def make(records=None, other_agencies=None, **knobs):
        server = FakeCrossref(records, other_agencies, **knobs).start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.stop()


@pytest.fixture
def fake_crossref(fake_crossref_factory):
    """A started FakeCrossref over the default records, no limits enforced, no faults; ``.url`` is its base."""
    return fake_crossref_factory()


@pytest.fixture
def online(monkeypatch, fake_crossref_factory):
    """``start(extra=(), **knobs)``: a fake Crossref with the default records (plus extras),
    and reflint pointed at it (online, with a mailto)."""

    def start(extra=(), **knobs):
        server = fake_crossref_factory(load_records(DEFAULT_RECORDS) + list(extra), **knobs)
        monkeypatch.delenv("REFLINT_OFFLINE", raising=False)
        monkeypatch.setenv("REFLINT_CROSSREF_URL", server.url)
        monkeypatch.setenv("REFLINT_DOI_URL", server.url)
        monkeypatch.setenv("REFLINT_MAILTO", "tests@example.org")
        return server

    return start


# -- fake NCBI E-utilities server (tests/fake_ncbi.py) ----------------------------------------------
@pytest.fixture
def ncbi(monkeypatch):
    """A fake ESummary over tests/data/pubmed/ids.jsonl (real PMIDs), reflint pointed at it."""
    servers = []

    def start(records=None, **knobs):
        server = FakeNcbi(records, **knobs).start()
        servers.append(server)
        monkeypatch.setenv("REFLINT_NCBI_URL", server.url)
        monkeypatch.delenv("NCBI_API_KEY", raising=False)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture(autouse=True)
def offline_and_private_cache(monkeypatch, tmp_path_factory):
    """No test reaches the internet or the user's cache: online tests opt in explicitly
    by deleting REFLINT_OFFLINE and pointing REFLINT_CROSSREF_URL at the fake server."""
    monkeypatch.setenv("REFLINT_OFFLINE", "1")
    monkeypatch.setenv("REFLINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    for name in ("REFLINT_CROSSREF_URL", "REFLINT_DOI_URL", "REFLINT_MAILTO"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def own_git_environment(monkeypatch):
    """Tests run inside a git hook still get their own temporary repositories."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
