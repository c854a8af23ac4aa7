"""PubMed identifiers in documents (reflint.pubmed_ids) and the ESummary client (reflint.ncbi)."""

from __future__ import annotations

import json
from pathlib import Path

import responses

from fake_ncbi import FakeNcbi, load_ids
from reflint import documents
from reflint.extract import extract
from reflint.ncbi import NcbiClient
from reflint.pubmed_ids import find_ids


def values(text):
    return [(i.kind, i.value) for i in find_ids(text)]


def test_written_forms_of_pmids_and_pmcids():
    text = (
        "PMID: 31234567. PMCID: PMC6543210; https://pubmed.ncbi.nlm.nih.gov/29876543/ "
        "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7654321/ PubMed ID 555 pmid:00123"
    )
    assert values(text) == [
        ("pmid", "31234567"),
        ("pmcid", "PMC6543210"),
        ("pmid", "29876543"),
        ("pmcid", "PMC7654321"),
        ("pmid", "555"),
        ("pmid", "123"),
    ]


def test_numbers_that_are_no_pmids():
    assert values("We searched PubMed 2019-2023; PMID 12.5 is a version; 31234567 alone.") == []


def test_span_covers_the_number_and_reference_gets_its_pmid():
    doc = documents.from_text(
        "## References\n\n1. Dexter DL. Heterogeneity of tumor cells. 1978. PMID: 210930\n", "a.md", "markdown"
    )
    ex = extract(doc)
    [item] = ex.pubmed_ids
    assert doc.text[item.id_start : item.id_end] == "210930"
    assert ex.references[0].fields.pmid == "210930"


def test_html_spans_map_to_the_source():
    html = "<p>See <b>PMID:</b> <a href='x'>210930</a>.</p>"
    doc = documents.from_text(html, "a.html", "html")
    [item] = extract(doc).pubmed_ids
    assert doc.text[item.id_start : item.id_end] == "210930"


def test_esummary_batches_and_verdicts():
    records = load_ids()
    with FakeNcbi(records) as fake:
        client = NcbiClient(fake.url, email="t@example.org")
        answer = client.esummary(["210930", "1854480", "99999999"])
    assert answer["210930"]["title"].startswith("Heterogeneity of tumor cells")
    assert any(i["value"] == "10.1016/0955-0674(91)90162-R" for i in answer["1854480"]["articleids"])
    assert answer["99999999"] is None  # PubMed's per-record error: not found


def test_esummary_failure_is_none_not_not_found():
    with FakeNcbi(fail_rate=1.0) as fake:
        client = NcbiClient(fake.url, max_retries=1, sleep=lambda s: None)
        assert client.esummary(["210930"]) is None


def test_pacing_keeps_under_three_requests_a_second_without_a_key(monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    with FakeNcbi(enforce_limits=True) as fake:
        client = NcbiClient(fake.url)
        answers = [client.esummary([str(100000 + i)]) for i in range(7)]
    assert all(a is not None for a in answers) and fake.count_429 == 0


RECORDED_MISSING = Path(__file__).parent / "data" / "pubmed" / "esummary-missing-pmid.json"


def test_a_missing_pmid_as_ncbi_really_answers_it_is_not_found():
    body = RECORDED_MISSING.read_text("utf-8")
    with responses.RequestsMock() as rsps:
        rsps.get("https://ncbi.test/esummary.fcgi", body=body, content_type="application/json")
        client = NcbiClient("https://ncbi.test", sleep=lambda s: None)
        assert client.esummary(["40482261"]) == {"40482261": None}
    # the fake answers an ID it does not hold in exactly that shape
    assert FakeNcbi([]).answer("pubmed", ["40482261"]) == json.loads(body)
