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


# -- PMIDs in the library ------------------------------------------------------------------------
# Real PMIDs of tests/data/pubmed/ids.jsonl: 210930 (no DOI at PubMed), 1854480 (PubMed has a
# DOI, the reference has none: RL301), 8879270 (a digit too many: RL207), 1741523 with the DOI of
# another work (RL208: not confirmed, so not locked).
PMID_PAGE = """## References

1. Dexter DL, et al. Heterogeneity of tumor cells from a single mouse mammary tumor. Cancer Res. 1978. PMID: 210930
2. Fidler IJ, Kripke ML. Metastasis results from preexisting variant cells within a malignant tumor. Science. 1977. PMID: 8879270
3. Wang YL. Dynamics of the cytoskeleton in live cells. Curr Opin Cell Biol. 1991. https://pubmed.ncbi.nlm.nih.gov/1854480/
4. Victor JD. Asymptotic approach of generalized orthogonal functional expansions to Wiener kernels. 1991. PMID: 1741523. doi:10.1093/rheumatology/ken161
"""


def _pubmed_codes(report) -> list[tuple]:
    return [(d["code"], d["line"], d["data"]) for d in report["diagnostics"]]


def test_bib_locks_the_pmids_pubmed_answered_and_check_reads_them_without_ncbi(registry, ncbi, tmp_path, monkeypatch):
    server = ncbi()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.md").write_text(PMID_PAGE, "utf-8")
    online = _check("page.md", "--select", "RL207,RL208,RL301")
    assert [d["code"] for d in online["diagnostics"]] == ["RL207", "RL301", "RL208"]

    assert CliRunner().invoke(main, ["bib", "page.md", "--no-cache"]).exit_code == 0
    library = bibtexparser.parse_string((tmp_path / "references" / "page.bib").read_text("utf-8"))
    entries = {f["title"][:12]: f for f in ({f.key: f.value for f in e.fields} for e in library.entries)}
    dexter, fidler, wang, victor = (
        entries[t] for t in ("Heterogeneit", "Metastasis r", "Dynamics of ", "Asymptotic a")
    )
    assert (dexter["pmid"], dexter["reflint-pmid-status"]) == ("210930", "valid")
    assert "reflint-pmid-doi" not in dexter and dexter["reflint-pmid-verified"]
    assert (wang["pmid"], wang["reflint-pmid-doi"]) == ("1854480", "10.1016/0955-0674(91)90162-R")
    assert "pmid" not in fidler  # styles would print an ID check calls not found
    assert (fidler["reflint-pmid"], fidler["reflint-pmid-status"]) == ("8879270", "not-found")
    assert victor["pmid"] == "1741523" and "reflint-pmid-status" not in victor

    seen = len(server.requests)
    again = _check("page.md", "--select", "RL207,RL208,RL301")  # online: only the unlocked PMID is asked
    assert _pubmed_codes(again) == _pubmed_codes(online)
    [(_, query, _)] = server.requests[seen:]
    assert query["id"] == "1741523"

    server.stop()
    monkeypatch.setenv("REFLINT_OFFLINE", "1")
    offline = _check("page.md", "--select", "RL207,RL208,RL301")
    assert _pubmed_codes(offline) == [c for c in _pubmed_codes(online) if c[0] != "RL208"]
    assert CliRunner().invoke(main, ["bib", "page.md", "--check", "--no-cache"]).exit_code == 0
