"""Finding the right work, end to end against the loopback fake servers (issue 13):
mismatched DOIs repaired, preprints with a published version, PubMed identifiers.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from fake_crossref import DEFAULT_RECORDS, load_records
from reflint.cli import main


@pytest.fixture
def online(monkeypatch, fake_crossref_factory):
    """A fake Crossref with the default records (plus extras), reflint pointed at it."""

    def start(extra=(), **knobs):
        server = fake_crossref_factory(load_records(DEFAULT_RECORDS) + list(extra), **knobs)
        monkeypatch.delenv("REFLINT_OFFLINE", raising=False)
        monkeypatch.setenv("REFLINT_CROSSREF_URL", server.url)
        monkeypatch.setenv("REFLINT_DOI_URL", server.url)
        monkeypatch.setenv("REFLINT_MAILTO", "tests@example.org")
        return server

    return start


def check(*args) -> dict:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_mismatched_doi_gets_the_right_doi_as_unsafe_fix(online, tmp_path):
    online()
    page = tmp_path / "acupuncture.md"
    page.write_text("## References\n\n- Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. "
                    "2008;47(8):1132-1136. doi:10.2519/jospt.2017.7096\n", encoding="utf-8")
    report = check(str(page), "--select", "RL202")
    [diag] = report["diagnostics"]
    assert diag["data"]["suggested_doi"].lower() == "10.1093/rheumatology/ken161"
    assert diag["fix"]["applicability"] == "unsafe"
    result = CliRunner().invoke(main, ["check", str(page), "--select", "RL202", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    assert "doi:10.1093/rheumatology/ken161\n" in page.read_text("utf-8")
