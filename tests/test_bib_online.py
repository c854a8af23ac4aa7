"""`check` and `bib` agree: one resolution, one answer, online and later offline from the
library. Against the loopback fake Crossref only."""

from __future__ import annotations

import json

import bibtexparser
import pytest
from click.testing import CliRunner

from reflint.cli import main

# The second DOI is made up (Crossref's example prefix): no registry holds it.
PAGE = """# Notes

Needling eased pain for a few weeks (Gattie et al. 2017), and a later audit found the same
(Okafor et al. 2020).

## References

1. Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for musculoskeletal conditions by physical therapists: a systematic review and meta-analysis. J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:10.2519/jospt.2017.7096
2. Okafor N, Lindqvist B. An audit of needling outcomes in two clinics. J Clin Audit. 2020;4(2):10-19. doi:10.5555/reflint.no-such-work
"""


@pytest.fixture
def registry(online):
    return online()


def _check(*args) -> dict:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json", "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_bib_writes_what_check_says_and_the_library_keeps_saying_it_offline(registry, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.md").write_text(PAGE, "utf-8")
    report = _check("page.md", "--select", "RL2")
    assert [(d["code"], d["data"]["doi"]) for d in report["diagnostics"]] == [("RL201", "10.5555/reflint.no-such-work")]

    assert CliRunner().invoke(main, ["bib", "page.md", "--no-cache"]).exit_code == 0
    library = bibtexparser.parse_string((tmp_path / "references" / "page.bib").read_text("utf-8"))
    entries = {e.key: {f.key: f.value for f in e.fields} for e in library.entries}
    assert entries["gattie2017effectiveness"]["doi"] == "10.2519/jospt.2017.7096"
    assert entries["gattie2017effectiveness"]["reflint-status"] == "valid"
    unregistered = entries["okafor2020audit"]
    assert "doi" not in unregistered  # styles would print a link that check calls broken
    assert unregistered["reflint-doi"] == "10.5555/reflint.no-such-work"
    assert unregistered["reflint-status"] == "not-registered"

    seen = len(registry.requests)
    monkeypatch.setenv("REFLINT_OFFLINE", "1")
    offline = _check("page.md", "--select", "RL2")
    assert [(d["code"], d["data"]["doi"]) for d in offline["diagnostics"]] == [
        ("RL201", "10.5555/reflint.no-such-work")
    ]
    # (the search for the right work behind the broken DOI is the cache's to answer, not the library's)
    assert CliRunner().invoke(main, ["bib", "page.md", "--check", "--no-cache"]).exit_code == 0
    assert len(registry.requests) == seen
