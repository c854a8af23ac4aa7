"""The fake Crossref + doi.org server answers in the shapes of the real APIs."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from fake_crossref import DEFAULT_RECORDS, FakeCrossref, load_records

GATTIE = "10.2519/jospt.2017.7096"
RETRACTED = "10.5555/synthetic.retracted.1"
SEED_REFERENCES = {  # reference strings as printed in /work/shared/seeds, DOIs dropped
    GATTIE: "Gattie, E., Cleland, JA & Snodgrass, S. The effectiveness of trigger point dry needling for "
    "musculoskeletal conditions by physical therapists: A systematic review and meta-analysis. "
    "J Orthop Sports Phys Ther. 2017;47(3):133-149.",
    "10.1179/106698111X13129729552065": "Dommerholt J. Dry needling — peripheral and central considerations. "
    "Journal of Manual & Manipulative Therapy. 2011;19(4):223-227.",
    "10.1179/jmt.2006.14.4.70E": "Dommerholt J, Mayoral Del Moral O, Gröbli C. Trigger Point Dry Needling. "
    "Journal of Manual & Manipulative Therapy. 2006;14(4):70E-87E.",
    "10.1097/JSM.0000000000000794": "Cushman, DM. et al. Postrace Dry Needling Does Not Reduce Subsequent "
    "Soreness and Cramping-A Randomized Controlled Trial. Clin J Sport Med. 2021;31(3):225-231.",
    "10.1016/j.ctim.2017.06.003": "Espejo-Antúnez, L. et al. Dry needling in the management of myofascial "
    "trigger points: A systematic review of randomized controlled trials. 2017.",
}
HALL = (
    "Hall, ML, Mackie, AC & Cury Ribeiro, D. Systematic review Effects of dry needling trigger point therapy "
    "in the shoulder region on patients with upper extremity pain and dysfunction: a systematic review with "
    "meta-analysis. Physiotherapy. 2018;104:167-177."
)
LIMIT_HEADERS = ("x-rate-limit-limit", "x-rate-limit-interval", "x-concurrency-limit")


@pytest.fixture
def http():
    with requests.Session() as session:
        session.trust_env = False  # loopback only, never through a proxy
        yield session


def search(http, url, text, **params):
    r = http.get(f"{url}/works", params={"query.bibliographic": text, "rows": 5, **params}, timeout=5)
    assert r.status_code == 200
    return r.json()["message"]["items"]


def test_single_work(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/works/10.2519/JOSPT.2017.7096", timeout=5)
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok" and body["message-type"] == "work"
    assert body["message"]["DOI"] == GATTIE
    assert r.headers["x-rate-limit-limit"] == "10" and r.headers["x-rate-limit-interval"] == "1s"
    assert r.headers["x-concurrency-limit"] == "3"
    encoded = http.get(f"{fake_crossref.url}/works/10.2519%2Fjospt.2017.7096", timeout=5)
    assert encoded.json()["message"]["DOI"] == GATTIE


def test_single_work_not_found(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/works/10.1016/", timeout=5)
    assert r.status_code == 404 and r.text == "Resource not found."
    assert all(h in r.headers for h in LIMIT_HEADERS)


def test_batch_with_select(fake_crossref, http):
    dois = [GATTIE, "10.9999/not-registered", RETRACTED]
    r = http.get(
        f"{fake_crossref.url}/works",
        timeout=5,
        params={"filter": ",".join(f"doi:{d}" for d in dois), "rows": 50, "select": "title,updated-by"},
    )
    body = r.json()
    assert body["message-type"] == "work-list" and r.headers["x-rate-limit-limit"] == "3"
    msg = body["message"]
    assert msg["total-results"] == 2 and msg["items-per-page"] == 50
    assert [i["DOI"] for i in msg["items"]] == [GATTIE, RETRACTED]
    assert set(msg["items"][0]) == {"DOI", "title"}
    assert msg["items"][1]["updated-by"][0]["type"] == "retraction"


def test_unknown_filter_is_a_validation_failure(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/works", params={"filter": "has-nothing:true"}, timeout=5)
    assert r.status_code == 400 and r.json()["message-type"] == "validation-failure"


@pytest.mark.parametrize("doi,agency", [(GATTIE, "crossref"), ("10.5281/ZENODO.123", "datacite")])
def test_agency(fake_crossref, http, doi, agency):
    r = http.get(f"{fake_crossref.url}/works/{doi}/agency", timeout=5)
    assert r.status_code == 200
    assert r.json()["message-type"] == "work-agency"
    assert r.json()["message"]["agency"]["id"] == agency


def test_agency_unknown(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/works/10.9999/nothing/agency", timeout=5)
    assert r.status_code == 404 and r.text == "Resource not found."


@pytest.mark.parametrize("doi", [GATTIE, "10.5281/zenodo.123"])
def test_handle_found(fake_crossref, http, doi):
    r = http.get(f"{fake_crossref.url}/api/handles/{doi}", timeout=5)
    assert r.status_code == 200
    assert r.json()["responseCode"] == 1 and r.json()["handle"] == doi
    assert r.json()["values"][0]["type"] == "URL"


def test_handle_not_found(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/api/handles/10.1179/jmt.2006.14.4.70X", timeout=5)
    assert r.status_code == 404
    assert r.json() == {"responseCode": 100, "handle": "10.1179/jmt.2006.14.4.70X"}


@pytest.mark.parametrize("doi", sorted(SEED_REFERENCES))
def test_query_ranks_the_cited_work_first(fake_crossref, http, doi):
    items = search(http, fake_crossref.url, SEED_REFERENCES[doi])
    assert items[0]["DOI"] == doi
    assert items[0]["score"] > items[1]["score"] > 0
    assert len(items) <= 5 and items == sorted(items, key=lambda i: -i["score"])


def test_query_near_miss_returns_similar_but_wrong_works(fake_crossref, http):
    # Hall 2018 is not in the records: Crossref-like search still answers with similar dry-needling
    # reviews, which the client-side validator must reject (author, year, journal all differ).
    items = search(http, fake_crossref.url, HALL)
    assert items and all(i["score"] > 0 for i in items)
    assert all(i["author"][0]["family"] != "Hall" for i in items)
    assert any("dry needling" in i["title"][0].lower() for i in items)


def test_query_without_overlap_is_empty(fake_crossref, http):
    assert search(http, fake_crossref.url, "Zyxwvut qqqq") == []


def test_query_author_and_date_filter(fake_crossref, http):
    r = http.get(
        f"{fake_crossref.url}/works",
        timeout=5,
        params={"query.author": "Dommerholt", "filter": "from-pub-date:2010,until-pub-date:2012"},
    )
    assert [i["DOI"] for i in r.json()["message"]["items"]] == ["10.1179/106698111X13129729552065"]


def test_bibtex_transform_and_content_negotiation(fake_crossref, http):
    r = http.get(f"{fake_crossref.url}/works/{GATTIE}/transform/application/x-bibtex", timeout=5)
    assert r.status_code == 200 and r.text.lstrip().startswith("@article{Gattie_2017,")
    assert f"DOI={{{GATTIE}}}" in r.text and "pages={133-149}" in r.text
    negotiated = http.get(f"{fake_crossref.url}/{GATTIE}", headers={"Accept": "application/x-bibtex"}, timeout=5)
    assert negotiated.status_code == 200 and negotiated.text == r.text
    missing = http.get(f"{fake_crossref.url}/10.9999/x", headers={"Accept": "application/x-bibtex"}, timeout=5)
    assert missing.status_code == 404


def test_retracted_work_and_notice(fake_crossref, http):
    work = http.get(f"{fake_crossref.url}/works/{RETRACTED}", timeout=5).json()["message"]
    assert work["updated-by"][0] == {
        "type": "retraction",
        "DOI": "10.5555/retraction.1",
        "label": "Retraction",
        "source": "retraction-watch",
        "updated": {"date-parts": [[2020, 1, 1]]},
    }
    notice = http.get(f"{fake_crossref.url}/works/10.5555/retraction.1", timeout=5).json()["message"]
    assert notice["update-to"][0]["DOI"] == RETRACTED


def test_requests_are_recorded(fake_crossref, http):
    http.get(f"{fake_crossref.url}/works", params={"filter": f"doi:{GATTIE}", "rows": 1}, timeout=5)
    method, path, query, stamp = fake_crossref.requests[-1]
    assert (method, path, query["filter"], query["rows"]) == ("GET", "/works", f"doi:{GATTIE}", "1")
    assert stamp <= time.monotonic()
    assert "User-Agent" in fake_crossref.request_headers[-1]


def test_rate_limit_429_when_enforced(fake_crossref_factory, http):
    fake = fake_crossref_factory(enforce_limits=True)
    statuses = []
    for _ in range(5):
        r = http.get(f"{fake.url}/works", params={"filter": f"doi:{GATTIE}"}, timeout=5)
        statuses.append(r.status_code)
        if r.status_code == 429:
            assert r.headers["Retry-After"] == "1"
            assert r.headers["x-rate-limit-limit"] == "3" and r.headers["x-concurrency-limit"] == "3"
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    assert fake.count_429 == 2
    # single-record requests have their own, larger window
    assert [http.get(f"{fake.url}/works/{GATTIE}", timeout=5).status_code for _ in range(10)] == [200] * 10
    assert http.get(f"{fake.url}/works/{GATTIE}", timeout=5).status_code == 429


def test_limits_not_enforced_by_default(fake_crossref, http):
    assert {http.get(f"{fake_crossref.url}/works/{GATTIE}", timeout=5).status_code for _ in range(15)} == {200}
    assert fake_crossref.count_429 == 0


def test_concurrency_limit(fake_crossref_factory):
    fake = fake_crossref_factory(enforce_limits=True, single_limit=100, latency=0.3)

    def get(_):
        return requests.get(f"{fake.url}/works/{GATTIE}", timeout=5, proxies={"http": None}).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = list(pool.map(get, range(6)))
    assert statuses.count(200) >= 3 and statuses.count(429) >= 1
    assert fake.count_429 == statuses.count(429)


def test_fail_rate_gives_503(fake_crossref_factory, http):
    fake = fake_crossref_factory(fail_rate=1)
    r = http.get(f"{fake.url}/works/{GATTIE}", timeout=5)
    assert r.status_code == 503 and all(h in r.headers for h in LIMIT_HEADERS)


def test_knobs_can_change_at_runtime(fake_crossref, http):
    fake_crossref.fail_rate = 1.0
    assert http.get(f"{fake_crossref.url}/works/{GATTIE}", timeout=5).status_code == 503
    fake_crossref.fail_rate = 0.0
    assert http.get(f"{fake_crossref.url}/works/{GATTIE}", timeout=5).status_code == 200


def test_faults_are_reproducible_with_a_seed(http):
    runs = []
    for _ in range(2):
        with FakeCrossref(fail_rate=0.5, seed=7) as fake:
            runs.append([http.get(f"{fake.url}/works/{GATTIE}", timeout=5).status_code for _ in range(12)])
    assert runs[0] == runs[1] and {200, 503} == set(runs[0])


def test_broken_json(fake_crossref_factory, http):
    fake = fake_crossref_factory(broken_json_rate=1)
    r = http.get(f"{fake.url}/works/{GATTIE}", timeout=5)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    with pytest.raises(ValueError):
        json.loads(r.text)


def test_stop_is_prompt_with_a_hanging_request():
    fake = FakeCrossref(hang_rate=1, hang_seconds=5).start()
    outcome = []

    def client():
        try:
            outcome.append(requests.get(f"{fake.url}/works/{GATTIE}", timeout=10, proxies={"http": None}))
        except requests.RequestException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=client, daemon=True)
    thread.start()
    deadline = time.monotonic() + 2
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.requests, "the request never reached the server"
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 1.5
    thread.join(timeout=2)
    assert not thread.is_alive() and isinstance(outcome[0], requests.RequestException)


def test_stop_is_prompt_with_idle_keep_alive_connections(http):
    fake = FakeCrossref().start()
    assert http.get(f"{fake.url}/works/{GATTIE}", timeout=5).status_code == 200  # connection stays pooled
    started = time.monotonic()
    fake.stop()
    assert time.monotonic() - started < 1.5


def test_records_file():
    lines = [json.loads(line) for line in DEFAULT_RECORDS.read_text(encoding="utf-8").splitlines()]
    sources = [line["source"] for line in lines]
    assert sources.count("built from the reference as printed in the seed article") == 12
    assert sources.count("synthetic") == 2
    assert len(lines) - 14 == 61
    dois = [m["DOI"].lower() for m in load_records()]
    assert len(dois) == len(set(dois)) and all(d.startswith("10.") for d in dois)


# -- hostile knobs ---------------------------------------------------------------------------------


def test_aliases_are_answered_with_the_primary_record_and_named_by_the_handle(fake_crossref_factory, http):
    fake = fake_crossref_factory(aliases={"10.5555/Alias.1": GATTIE})
    assert http.get(f"{fake.url}/works/10.5555/alias.1").json()["message"]["DOI"] == GATTIE
    assert http.get(f"{fake.url}/works/10.5555/alias.1/agency").json()["message"]["agency"]["id"] == "crossref"
    listed = http.get(f"{fake.url}/works", params={"filter": "doi:10.5555/alias.1"}).json()["message"]["items"]
    assert [item["DOI"] for item in listed] == [GATTIE]
    values = http.get(f"{fake.url}/api/handles/10.5555/alias.1").json()["values"]
    assert {(v["type"], v["data"]["value"]) for v in values} == {
        ("URL", f"https://doi.org/{GATTIE}"),
        ("HS_ALIAS", GATTIE),
    }


def test_wrong_records_answer_a_doi_with_another_work(fake_crossref_factory, http):
    fake = fake_crossref_factory(wrong_records={GATTIE: RETRACTED})
    assert http.get(f"{fake.url}/works/{GATTIE}").json()["message"]["DOI"] == RETRACTED
    values = http.get(f"{fake.url}/api/handles/{GATTIE}").json()["values"]
    assert [v["type"] for v in values] == ["URL"]  # exists, and no alias


def test_trickle_sends_headers_at_once_and_the_body_a_byte_at_a_time(fake_crossref_factory, http):
    fake = fake_crossref_factory(trickle_seconds=0.2, declare_length=False)
    started = time.monotonic()
    response = http.get(f"{fake.url}/works/{GATTIE}", stream=True, timeout=5)
    assert response.status_code == 200 and time.monotonic() - started < 1
    assert "Content-Length" not in response.headers
    first = next(response.iter_content(1))
    assert first == b"{"
    response.close()


def test_oversize_pads_the_body_with_json_whitespace(fake_crossref_factory, http):
    fake = fake_crossref_factory(oversize_bytes=100_000)
    response = http.get(f"{fake.url}/works/{GATTIE}")
    assert len(response.content) == 100_000 and response.json()["message"]["DOI"] == GATTIE
