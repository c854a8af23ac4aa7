"""End to end against the loopback fake Crossref: verified repairs, registry rules, faults.

Every request goes to 127.0.0.1; REFLINT_OFFLINE is lifted only inside these tests.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import MISSING_PREFIX
from reflint.cli import main

DATA = Path(__file__).parent / "data"
SEEDLIKE = DATA / "seedlike"
# A stand-in record for the Hall 2018 review, whose full DOI the seed lost: synthetic DOI
# under Crossref's 10.5555 example prefix, facts as printed in the seed.
HALL = {
    "DOI": "10.5555/synthetic.hall.2018",
    "type": "journal-article",
    "title": [
        "Effects of dry needling trigger point therapy in the shoulder region on patients "
        "with upper extremity pain and dysfunction: a systematic review with meta-analysis"
    ],
    "author": [
        {"family": "Hall", "given": "M. L."},
        {"family": "Mackie", "given": "A. C."},
        {"family": "Cury Ribeiro", "given": "D."},
    ],
    "container-title": ["Physiotherapy"],
    "issued": {"date-parts": [[2018]]},
    "volume": "104",
    "page": "167-177",
}


def check(*args) -> tuple[int, dict, str]:
    result = CliRunner().invoke(main, ["check", *args, "--format", "json"])
    return result.exit_code, json.loads(result.stdout), result.stderr


def codes(report) -> list[str]:
    return [d["code"] for d in report["diagnostics"]]


@pytest.mark.parametrize("suffix", ["txt", "md", "html"])
def test_missing_prefix_dois_get_verified_safe_fixes(online, suffix):
    online()
    _, report, _ = check(str(SEEDLIKE / f"missing-prefix.{suffix}"))
    assert codes(report) == ["RL101"] * 7
    assert [d["fix"]["applicability"] for d in report["diagnostics"]] == ["safe"] * 7
    assert [d["fix"]["edits"][0]["content"] for d in report["diagnostics"]] == MISSING_PREFIX
    assert report["summary"]["unknown"] == 0


def test_safe_fix_applies_without_unsafe_flag_online(online, tmp_path):
    online()
    path = tmp_path / "article.md"
    shutil.copy(SEEDLIKE / "missing-prefix.md", path)
    result = CliRunner().invoke(main, ["check", str(path), "--fix"])
    assert result.exit_code == 0, result.output
    text = path.read_text("utf-8")
    assert all(doi in text for doi in MISSING_PREFIX)


def test_truncated_doi_gets_the_matching_work(online):
    online(extra=[HALL])
    _, report, _ = check(str(SEEDLIKE / "truncated.txt"))
    assert codes(report) == ["RL102"]
    diag = report["diagnostics"][0]
    assert diag["data"] == {"doi": "10.1016/", "suggested_doi": "10.5555/synthetic.hall.2018"}
    assert diag["fix"]["applicability"] == "unsafe"


def test_truncated_doi_without_a_validated_match_gets_no_suggestion(online):
    online()  # Hall 2018 is not registered: similar dry-needling reviews must not be offered
    _, report, _ = check(str(SEEDLIKE / "truncated.txt"))
    assert codes(report) == ["RL102"]
    assert "suggested_doi" not in report["diagnostics"][0]["data"]


def write(tmp_path, text) -> str:
    path = tmp_path / "page.md"
    path.write_text(text, "utf-8")
    return str(path)


def test_retracted_other_agency_and_unregistered_dois(online, tmp_path):
    online()
    page = write(
        tmp_path,
        """# Notes

A trial was retracted (doi:10.5555/synthetic.retracted.1).
The data set is archived at doi:10.5281/zenodo.123 for reuse.
A mistyped DOI: doi:10.1093/rheumatology/ken1611 never existed.
""",
    )
    _, report, _ = check(page, "--select", "RL2")
    found = {(d["code"], d["data"]["doi"]) for d in report["diagnostics"]}
    assert found == {
        ("RL203", "10.5555/synthetic.retracted.1"),
        ("RL205", "10.5281/zenodo.123"),
        ("RL201", "10.1093/rheumatology/ken1611"),
    }


def test_dois_missing_only_where_the_match_validates(online, tmp_path):
    online()
    page = write(
        tmp_path,
        """Low back pain limits daily function [1]; pain scores help clinics [2].
Dry needling has its critics [3], and motivation matters [4].

## References

1. Lin JD, Lin LP, Su SF, et al. The interference of low back pain on everyday functions of life in care workers for persons with intellectual, autistic, and associated multiple disabilities. Res Autism Spectr Disord. 2014;8(6):692-700.
2. Pace MC, et al. An objective pain score for chronic pain clinic patients. Pain Res Manag. 2021;2021:6695741.
3. Dommerholt J. Dry needling - peripheral and central considerations. J Man Manip Ther. 2011;19(4):223-227.
4. Keller T, Novak R. Motivation in long-term rehabilitation: a qualitative interview study. J Rehabil Psychol. 2019;12(2):40-51.
""",
    )
    _, report, _ = check(page, "--select", "RL301")
    suggested = [d["data"]["suggested_doi"] for d in report["diagnostics"]]
    assert suggested == ["10.1016/j.rasd.2014.03.011", "10.1155/2021/6695741", "10.1179/106698111X13129729552065"]


def test_wrong_work_and_wrong_details(online, tmp_path):
    online()
    page = write(
        tmp_path,
        """## References

- Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. doi:10.2519/jospt.2017.7096
- Meakins A. Acupuncture: what's the point? Br J Sports Med. 2015;51(6):484-484. doi:10.1136/bjsports-2016-096248
- Zhou K, Ma Y, Brogan MS. Dry needling versus acupuncture: the ongoing debate. Acupunct Med. 2015;33(6):485-490. doi:10.1136/acupmed-2015-010911
""",
    )
    _, report, _ = check(page, "--select", "RL202,RL302")
    assert codes(report) == ["RL202", "RL302"]
    mismatch, details = report["diagnostics"]
    assert mismatch["data"]["doi"] == "10.2519/jospt.2017.7096"
    assert details["data"]["fields"] == ["year"]
    assert details["data"]["registered"] == {"year": "2017"}


def test_a_failing_registry_never_produces_false_alarms(online, tmp_path, monkeypatch):
    """30% 503s and 5% hangs: the run completes, and only adds unknowns."""
    docs = tmp_path / "kb"
    docs.mkdir()
    for name in ("missing-prefix.md", "truncated.md"):
        shutil.copy(SEEDLIKE / name, docs / name)
    (docs / "extra.md").write_text("A mistyped DOI: doi:10.1093/rheumatology/ken1611.\n", "utf-8")
    calm = online()
    _, healthy, _ = check(str(docs), "--no-cache")
    assert healthy["summary"]["unknown"] == 0
    stormy = online(fail_rate=0.3, hang_rate=0.05, hang_seconds=3, seed=7)
    monkeypatch.setenv("REFLINT_TIMEOUT", "0.5")
    code, faulty, stderr = check(str(docs), "--no-cache")
    broken = {"RL201", "RL202"}
    healthy_broken = {(d["path"], d["line"], d["code"]) for d in healthy["diagnostics"] if d["code"] in broken}
    faulty_broken = {(d["path"], d["line"], d["code"]) for d in faulty["diagnostics"] if d["code"] in broken}
    assert faulty_broken <= healthy_broken
    assert code in (0, 1)
    assert len(stormy.requests) > len(calm.requests)  # the faults really happened (retries)


def test_offline_run_reports_unknown_once_and_passes(tmp_path):
    page = write(tmp_path, "See doi:10.1093/rheumatology/ken161 for details.\n")
    code, report, stderr = check(page, "--offline")
    assert code == 0
    assert report["summary"]["unknown"] == 1
    assert stderr.count("could not be verified") == 1
    strict = CliRunner().invoke(main, ["check", page, "--offline", "--strict-network"])
    assert strict.exit_code == 1


def test_warm_second_run_makes_no_requests(online, tmp_path):
    server = online()
    page = write(tmp_path, (SEEDLIKE / "missing-prefix.md").read_text("utf-8"))
    check(page)
    first = len(server.requests)
    assert first > 0
    check(page)
    assert len(server.requests) == first


def test_library_answers_later_runs_without_network(online, tmp_path, monkeypatch):
    server = online()
    monkeypatch.chdir(tmp_path)
    shutil.copy(SEEDLIKE / "missing-prefix.md", tmp_path / "article.md")
    assert CliRunner().invoke(main, ["check", "article.md", "--fix"]).exit_code == 0
    written = CliRunner().invoke(main, ["bib", "article.md", "--no-cache"])
    assert written.exit_code == 0, written.output
    library = (tmp_path / "references" / "article.bib").read_text("utf-8")
    assert library.count("reflint-status = {valid}") == 7
    seen = len(server.requests)
    monkeypatch.setenv("REFLINT_OFFLINE", "1")
    code, report, _ = check("article.md", "--no-cache")
    assert report["summary"]["unknown"] == 0 and code == 0
    assert CliRunner().invoke(main, ["bib", "article.md", "--check", "--no-cache"]).exit_code == 0
    assert len(server.requests) == seen


def test_a_dead_registry_makes_everything_unknown_and_nothing_broken(online, tmp_path, monkeypatch):
    online(fail_rate=1.0)
    monkeypatch.setenv("REFLINT_TIMEOUT", "0.5")
    page = write(
        tmp_path, "A mistyped DOI: doi:10.1093/rheumatology/ken1611 and a good one " "doi:10.2519/jospt.2017.7096.\n"
    )
    code, report, stderr = check(page, "--no-cache")
    assert codes(report) == []
    assert report["summary"]["unknown"] == 2
    assert code == 0
    assert "could not be verified" in stderr


# Stand-in for Cotchett MP et al., Phys Ther 2014 (title and year as published), under the
# 10.5555 example prefix: its real record is not among the recorded Crossref responses.
COTCHETT = {
    "DOI": "10.5555/synthetic.cotchett.2014",
    "type": "journal-article",
    "title": ["Effectiveness of trigger point dry needling for plantar heel pain: " "a randomized controlled trial"],
    "author": [
        {"family": "Cotchett", "given": "M. P."},
        {"family": "Munteanu", "given": "S. E."},
        {"family": "Landorf", "given": "K. B."},
    ],
    "container-title": ["Physical Therapy"],
    "issued": {"date-parts": [[2014]]},
}


def test_citations_without_a_reference_list_get_validated_suggestions(online):
    online(extra=[COTCHETT])
    _, report, _ = check(str(DATA / "citations" / "evidence-summary.md"), "--select", "RL4")
    assert sorted(codes(report)) == ["RL401", "RL401", "RL403", "RL403", "RL403"]
    suggested = {
        d["data"]["authors"][0]: d["data"].get("suggested_doi") for d in report["diagnostics"] if d["code"] == "RL401"
    }
    assert suggested == {"Gattie": "10.2519/jospt.2017.7096", "Cotchett": "10.5555/synthetic.cotchett.2014"}
    bibtex = next(d["data"]["bibtex"] for d in report["diagnostics"] if d["code"] == "RL401")
    assert bibtex.startswith("@article{") and "doi = {" in bibtex


def test_citation_lookup_rejects_a_same_author_work_on_another_topic(online, tmp_path):
    online()  # Dommerholt 2006 is registered; this sentence is about something else entirely
    page = write(tmp_path, "Sleep hygiene advice improved adolescent insomnia scores (Dommerholt 2006).\n")
    _, report, _ = check(page, "--select", "RL401")
    assert codes(report) == ["RL401"]
    assert "suggested_doi" not in report["diagnostics"][0]["data"]


# -- hostile registries: a hard deadline, no false alarms (issue 12) ----------------------------

GATTIE_REF = (
    "- Gattie E, Cleland JA, Snodgrass S. The effectiveness of trigger point dry needling for "
    "musculoskeletal conditions by physical therapists: a systematic review and meta-analysis. "
    "J Orthop Sports Phys Ther. 2017;47(3):133-149. doi:{doi}\n"
)
PYNE_REF = "- Pyne D, Shenker NG. Demystifying acupuncture. Rheumatology. 2008;47(8):1132-1136. " "doi:{doi}\n"
FALSE_ALARMS = {"RL201", "RL202"}


def timed_check(*args):
    started = time.monotonic()
    result = check(*args)
    return (*result, time.monotonic() - started)


@pytest.mark.parametrize(
    "knobs",
    [
        {"trickle_seconds": 0.5},
        {"trickle_seconds": 0.5, "declare_length": False},
        {"oversize_bytes": 50 * 1024 * 1024, "declare_length": False},
        {"hang_rate": 1.0, "hang_seconds": 60},
    ],
)
def test_a_hostile_registry_ends_within_the_time_limit_without_false_alarms(online, tmp_path, knobs):
    online(**knobs)
    page = write(
        tmp_path,
        "## References\n\n"
        + GATTIE_REF.format(doi="10.2519/jospt.2017.7096")
        + PYNE_REF.format(doi="10.1093/rheumatology/ken1611"),
    )
    code, report, stderr, elapsed = timed_check(page, "--no-cache", "--time-limit", "3")
    assert elapsed < 3 + 1
    assert not set(codes(report)) & FALSE_ALARMS
    assert report["summary"]["unknown"] == 2 and code == 0


def test_a_record_for_another_doi_is_unknown_not_a_mismatch(online, tmp_path):
    """The server answers Gattie's DOI with Pyne's record: before, RL202 "a different work"."""
    online(wrong_records={"10.2519/jospt.2017.7096": "10.1093/rheumatology/ken161"})
    page = write(tmp_path, "## References\n\n" + GATTIE_REF.format(doi="10.2519/jospt.2017.7096"))
    code, report, stderr = check(page, "--no-cache")
    assert codes(report) == [] and code == 0
    assert report["summary"]["unknown"] == 1
    assert "not a known alias" in stderr


def test_an_alias_doi_is_checked_against_its_primary_and_says_so(online, tmp_path):
    online(aliases={"10.5555/alias.of.gattie": "10.2519/jospt.2017.7096"})
    right = write(tmp_path, "## References\n\n" + GATTIE_REF.format(doi="10.5555/alias.of.gattie"))
    _, report, _ = check(right, "--no-cache", "--select", "RL2,RL3")
    assert codes(report) == [] and report["summary"]["unknown"] == 0
    wrong = tmp_path / "wrong.md"
    wrong.write_text("## References\n\n" + PYNE_REF.format(doi="10.5555/alias.of.gattie"), "utf-8")
    _, report, _ = check(str(wrong), "--no-cache", "--select", "RL202")
    assert codes(report) == ["RL202"]
    data = report["diagnostics"][0]["data"]
    assert data["doi"] == "10.5555/alias.of.gattie" and data["primary_doi"] == "10.2519/jospt.2017.7096"
    assert "an alias of" in report["diagnostics"][0]["message"]


def test_a_hanging_registry_is_remembered_until_the_cache_is_cleared(online, tmp_path, monkeypatch):
    server = online(hang_rate=1.0, hang_seconds=60)
    monkeypatch.setenv("REFLINT_TIMEOUT", "0.5")
    page = write(tmp_path, "## References\n\n" + GATTIE_REF.format(doi="10.2519/jospt.2017.7096"))
    code, report, stderr = check(page)
    assert code == 0 and report["summary"]["unknown"] == 1
    assert "did not answer" in stderr and "reflint cache clear --outages" in stderr
    asked = len(server.requests)
    code, report, stderr = check(page)
    assert len(server.requests) == asked  # the second run does not wait again
    assert code == 0 and report["summary"]["unknown"] == 1
    assert "asked again from" in stderr and "reflint cache clear --outages" in stderr
    forgot = CliRunner().invoke(main, ["cache", "clear", "--outages"])
    assert forgot.exit_code == 0 and "Forgot 1 remembered outage" in forgot.output
    check(page)
    assert len(server.requests) > asked  # asked again at once


def test_a_refused_connection_is_an_outage_not_a_broken_doi(tmp_path, monkeypatch):
    with socket.socket() as probe:  # a loopback port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.delenv("REFLINT_OFFLINE", raising=False)
    monkeypatch.setenv("REFLINT_CROSSREF_URL", f"http://127.0.0.1:{port}")
    monkeypatch.setenv("REFLINT_DOI_URL", f"http://127.0.0.1:{port}")
    page = write(tmp_path, "A mistyped DOI: doi:10.1093/rheumatology/ken1611.\n")
    code, report, stderr, elapsed = timed_check(page)
    assert codes(report) == [] and report["summary"]["unknown"] == 1 and code == 0
    assert "refused the connection" in stderr
    assert elapsed < 1.5


def test_a_cache_from_another_version_is_a_miss_not_a_traceback(tmp_path):
    from reflint.cache import Cache

    with Cache() as cache:  # REFLINT_CACHE_DIR: the test's private cache
        cache.put("doi:10.1093/rheumatology/ken161", ["an", "older", "shape"], positive=True)
    page = write(tmp_path, "See doi:10.1093/rheumatology/ken161 for details.\n")
    result = CliRunner().invoke(main, ["check", page, "--offline", "--format", "json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0 and json.loads(result.stdout)["summary"]["unknown"] == 1


def test_publisher_links_with_a_query_fragment_or_view_verify_as_their_doi(online, tmp_path):
    """A query (``?casa_token=...``), fragment (``#abstract``), page view (``/full``) or
    preprint version (bioRxiv's ``v2.full``) on a publisher's or doi.org link is not part of
    the DOI: looked up with it, a valid DOI would read as unregistered."""
    online()
    page = write(
        tmp_path,
        "Acupuncture was reviewed ([Rheumatology](https://academic.oup.com/rheumatology/article/"
        "10.1093/rheumatology/ken161?casa_token=AbC123&login=false)) and again "
        "(https://doi.org/10.1093/rheumatology/ken161#abstract), and as a page view "
        "(https://academic.oup.com/doi/10.1093/rheumatology/ken161/full). A preprint's page adds its "
        "version and view (https://www.biorxiv.org/content/10.1101/014852v2.full).\n",
    )
    code, report, _ = check(page)
    assert codes(report) == [] and report["summary"]["unknown"] == 0 and code == 0


def test_a_doi_with_markdown_escapes_verifies_as_the_doi_it_shows(online, tmp_path):
    """Editors and converters escape parentheses in Markdown (``\\(11\\)``); the page shows
    ``(11)``, and the DOI looked up must be that one, not one with backslashes."""
    online()
    page = write(tmp_path, "Doping in sport (doi:10.1016/s0140-6736\\(11\\)60792-7).\n")
    code, report, _ = check(page)
    assert codes(report) == [] and report["summary"]["unknown"] == 0 and code == 0
