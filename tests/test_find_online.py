"""Finding the right work, end to end against the loopback fake servers (issue 13):
mismatched DOIs repaired, preprints with a published version, PubMed identifiers.
"""

from __future__ import annotations

import json
import time

from click.testing import CliRunner

from reflint.cli import main


def check(*args) -> dict:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def test_mismatched_doi_gets_the_right_doi_as_unsafe_fix(online, tmp_path):
    online()
    page = tmp_path / "acupuncture.md"
    page.write_text(
        "## References\n\n- Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. "
        "2008;47(8):1132-1136. doi:10.2519/jospt.2017.7096\n",
        encoding="utf-8",
    )
    report = check(str(page), "--select", "RL202")
    [diag] = report["diagnostics"]
    assert diag["data"]["suggested_doi"].lower() == "10.1093/rheumatology/ken161"
    assert diag["fix"]["applicability"] == "unsafe"
    result = CliRunner().invoke(main, ["check", str(page), "--select", "RL202", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    assert "doi:10.1093/rheumatology/ken161\n" in page.read_text("utf-8")


# -- RL206: preprints with a published version ---------------------------------------------------
MEDRXIV = "10.1101/2024.07.14.24310389"  # the real PLOS record 10.1371/journal.pgen.1011490 has-preprint it
TITLE = "GWAS and 3D chromatin mapping identifies multicancer risk genes associated with " "hormone-dependent cancers"


def preprint_record(doi, server, relation=None):
    """A posted-content record as Crossref serves a preprint, written from the article's facts."""
    record = {
        "DOI": doi,
        "type": "posted-content",
        "subtype": "preprint",
        "institution": [{"name": server}],
        "title": [TITLE],
        "author": [{"family": "Rivera", "given": "Isela Sarahi", "sequence": "first"}],
        "issued": {"date-parts": [[2024, 7, 16]]},
    }
    if relation:
        record["relation"] = relation
    return record


def test_preprint_found_through_the_articles_has_preprint(online, tmp_path):
    online(extra=[preprint_record(MEDRXIV, "medRxiv")])  # the preprint's record has no link
    page = tmp_path / "cancer.md"
    page.write_text(f"## References\n\n1. Rivera IS, et al. {TITLE}. medRxiv. 2024. doi:{MEDRXIV}\n", encoding="utf-8")
    report = check(str(page), "--select", "RL206")
    [diag] = report["diagnostics"]
    assert diag["severity"] == "warning"
    assert diag["data"]["suggested_doi"] == "10.1371/journal.pgen.1011490"
    assert diag["data"]["venue"] == "PLOS Genetics"
    assert MEDRXIV in diag["message"] and "PLOS Genetics" in diag["message"]
    assert diag["fix"]["applicability"] == "unsafe"
    result = CliRunner().invoke(main, ["check", str(page), "--select", "RL206", "--fix", "--unsafe-fixes"])
    assert result.exit_code == 0, result.output
    assert "doi:10.1371/journal.pgen.1011490" in page.read_text("utf-8")


def test_preprint_found_through_its_own_is_preprint_of(online, tmp_path):
    link = {"is-preprint-of": [{"id-type": "doi", "id": "10.1371/journal.pgen.1011490", "asserted-by": "subject"}]}
    server = online(extra=[preprint_record(MEDRXIV, "medRxiv", link)])
    page = tmp_path / "cancer.md"
    page.write_text(f"## References\n\n1. Rivera IS, et al. {TITLE}. medRxiv. 2024. doi:{MEDRXIV}\n", encoding="utf-8")
    [diag] = check(str(page), "--select", "RL206")["diagnostics"]
    assert (diag["data"]["suggested_doi"], diag["data"]["server"]) == ("10.1371/journal.pgen.1011490", "medRxiv")
    assert diag["data"]["year"] == 2024
    # the forward link sufficed: no reverse query was needed
    assert not any("relation.object" in query.get("filter", "") for _, _, query, _ in server.requests)


ARXIV = "10.48550/arXiv.2101.00001"  # synthetic arXiv id; 10.5555 is Crossref's example prefix
GAIT = {
    "DOI": "10.5555/gait.2022.7",
    "type": "journal-article",
    "title": ["Sparse models of gait recovery"],
    "author": [{"family": "Chen", "given": "L.", "sequence": "first"}],
    "container-title": ["Gait & Posture"],
    "issued": {"date-parts": [[2022]]},
    "relation": {"has-preprint": [{"id-type": "doi", "id": ARXIV, "asserted-by": "object"}]},
}


def test_datacite_arxiv_preprint_with_a_declared_article(online, tmp_path):
    online(extra=[GAIT], other_agencies={ARXIV.lower(): "datacite", "10.48550/arxiv.2101.00002": "datacite"})
    page = tmp_path / "gait.txt"
    page.write_text(
        f"References\n\nChen L. Sparse models of gait recovery. arXiv. 2021. https://doi.org/{ARXIV}\n\n"
        "Chen L. Dense models of gait. arXiv. 2021. https://doi.org/10.48550/arXiv.2101.00002\n",
        encoding="utf-8",
    )
    report = check(str(page), "--select", "RL206,RL205")
    rl206 = [d for d in report["diagnostics"] if d["code"] == "RL206"]
    assert [d["data"]["suggested_doi"] for d in rl206] == ["10.5555/gait.2022.7"]  # the other: nothing known
    assert rl206[0]["data"]["server"] == "arXiv" and rl206[0]["data"]["venue"] == "Gait & Posture"
    assert sorted(d["code"] for d in report["diagnostics"]) == ["RL205", "RL205", "RL206"]
    assert report["summary"]["unknown"] == 0


# -- PubMed identifiers: RL207, RL208, RL301 from a PMID ------------------------------------------
PUBMED_PAGE = """## References

1. Dexter DL, et al. Heterogeneity of tumor cells from a single mouse mammary tumor. Cancer Res. 1978. PMID: 210930
2. Fidler IJ, Kripke ML. Metastasis results from preexisting variant cells within a malignant tumor. Science. 1977. PMID: 8879270
3. Wang YL. Dynamics of the cytoskeleton in live cells. Curr Opin Cell Biol. 1991. https://pubmed.ncbi.nlm.nih.gov/1854480/
4. Victor JD. Asymptotic approach of generalized orthogonal functional expansions to Wiener kernels. 1991. PMID: 1741523. doi:10.1093/rheumatology/ken161
"""


def test_pubmed_ids_verified_in_one_batch(online, ncbi, tmp_path):
    online()
    server = ncbi()
    page = tmp_path / "tumours.md"
    page.write_text(PUBMED_PAGE, encoding="utf-8")
    report = check(str(page), "--select", "RL207,RL208,RL301")
    by_code = {d["code"]: d for d in report["diagnostics"]}
    assert sorted(by_code) == ["RL207", "RL208", "RL301"], report["diagnostics"]
    assert by_code["RL207"]["data"] == {"pmid": "8879270"}  # a digit too many: not in PubMed
    assert by_code["RL208"]["data"]["pmid_doi"] == "10.1007/BF02584317"  # PubMed's DOI for 1741523
    assert by_code["RL301"]["data"]["suggested_doi"] == "10.1016/0955-0674(91)90162-R"
    # the PMID of entry 1 has no DOI at PubMed: nothing to suggest, and it is no error
    assert all(d["line"] != 3 for d in report["diagnostics"])
    [(path, query, _)] = server.requests  # four PMIDs, one ESummary request
    assert path == "/esummary.fcgi" and query["db"] == "pubmed" and query["retmode"] == "json"
    assert sorted(query["id"].split(",")) == ["1741523", "1854480", "210930", "8879270"]
    assert query["tool"] == "reflint" and query["email"] == "tests@example.org"


def test_pubmed_outage_is_unknown_never_not_found(online, ncbi, tmp_path):
    online()
    ncbi(fail_rate=1.0)
    page = tmp_path / "tumours.md"
    page.write_text(PUBMED_PAGE, encoding="utf-8")
    report = check(str(page), "--select", "RL207,RL208")
    assert report["diagnostics"] == []
    assert report["summary"]["unknown"] >= 4


def test_pubmed_answers_are_cached(online, ncbi, tmp_path):
    online()
    server = ncbi()
    page = tmp_path / "tumours.md"
    page.write_text(PUBMED_PAGE, encoding="utf-8")
    first = check(str(page), "--select", "RL207")
    second = check(str(page), "--select", "RL207")
    assert first["diagnostics"] == second["diagnostics"] and len(first["diagnostics"]) == 1
    assert len(server.requests) == 1


def test_pmc_id_verified_against_pmc(online, ncbi, tmp_path):
    online()
    # a synthetic PMC record: the shared data has no PMC IDs
    ncbi(
        records=[
            {
                "pmid": "959840",
                "pmcid": "PMC1234567",
                "doi": None,
                "first_author": "Nowell",
                "year": "1976",
                "title": "The clonal evolution of tumor cell populations",
            }
        ]
    )
    page = tmp_path / "clonal.md"
    page.write_text("Nowell's paper (PMCID: PMC1234567) and another (PMCID: PMC7654321).\n", encoding="utf-8")
    report = check(str(page), "--select", "RL207")
    assert [d["data"] for d in report["diagnostics"]] == [{"pmcid": "PMC7654321"}]


# -- RL401: a page with no reference list -----------------------------------------------------
def test_author_year_citation_closing_a_paragraph_gets_the_work(online, tmp_path):
    online()
    page = tmp_path / "needling.md"
    page.write_text(
        "# Dry needling\n\nPhysical therapists use trigger point dry needling for musculoskeletal "
        "conditions. In the short term it seems effective (Gattie et al., 2017).\n",
        encoding="utf-8",
    )
    report = check(str(page), "--select", "RL401")
    [diag] = report["diagnostics"]
    assert diag["data"]["suggested_doi"].lower() == "10.2519/jospt.2017.7096"


def test_a_hanging_ncbi_leaves_pmids_unknown_and_the_next_run_does_not_wait(online, ncbi, tmp_path, monkeypatch):
    online()
    server = ncbi(hang_seconds=60)
    monkeypatch.setenv("REFLINT_TIMEOUT", "0.5")
    page = tmp_path / "tumours.md"
    page.write_text(PUBMED_PAGE, encoding="utf-8")
    args = ["check", str(page), "--select", "RL207,RL208", "--format", "json"]
    first = CliRunner().invoke(main, args)
    report = json.loads(first.stdout)
    assert report["diagnostics"] == [] and report["summary"]["unknown"] >= 4  # never RL207
    assert f"NCBI E-utilities ({server.url}) did not answer" in first.stderr
    asked = len(server.requests)
    started = time.monotonic()
    second = CliRunner().invoke(main, args)
    elapsed = time.monotonic() - started
    assert len(server.requests) == asked and elapsed < 2.0  # NCBI not asked: nothing to wait for
    assert json.loads(second.stdout)["diagnostics"] == []
    assert "asked again from" in second.stderr and server.url in second.stderr
