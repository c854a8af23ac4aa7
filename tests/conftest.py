"""Shared pytest fixtures."""
import pytest

from fake_crossref import FakeCrossref


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
