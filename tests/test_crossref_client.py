"""The Crossref / doi.org client against the `responses` mock: never the network.

Time is fake: the injected sleep advances the injected clock, so pacing, backoff and
Retry-After are asserted on the recorded sleeps and request times, instantly.
"""

import json
import logging
import re
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
import requests
import responses

from reflint import __version__, crossref, pacing, registry_http, transport
from reflint.crossref import INVALID, SELECT, UNKNOWN, VALID, CrossrefClient, batchable, quote_doi
from reflint.pacing import parse_interval, parse_retry_after

API = "https://api.test"
DOI_ORG = "https://doi.test"
SICI = "10.1002/(SICI)1097-4636(199706)35:4<415::AID-JBM1>3.0.CO;2-H"
WORK = {"status": "ok", "message-type": "work", "message": {"DOI": "10.1234/abc", "title": ["T"]}}
A = pacing.ARRIVAL_ALLOWANCE  # an unanswered request counts as reaching the server this long after its start
ANY_WORK = re.compile(re.escape(API) + r"/works/.*")


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def _no_env(monkeypatch):
    for name in ("REFLINT_CROSSREF_URL", "REFLINT_DOI_URL", "REFLINT_MAILTO"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def fake():
    return FakeTime()


@pytest.fixture
def client(fake):
    return CrossrefClient(API, DOI_ORG, mailto="dev@example.org", sleep=fake.sleep, clock=fake.clock)


@pytest.fixture
def mock():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def query(call):
    return {k: v[0] for k, v in parse_qs(urlsplit(call.request.url).query).items()}


def path(call):
    return urlsplit(call.request.url).path


# -- identification ---------------------------------------------------------------------------


def test_user_agent_and_mailto_param(client, mock):
    mock.get(ANY_WORK, json=WORK)
    client.work("10.1234/abc")
    request = mock.calls[0].request
    assert request.headers["User-Agent"] == (
        f"reflint/{__version__} (https://github.com/reflint/reflint; mailto:dev@example.org)"
    )
    assert query(mock.calls[0])["mailto"] == "dev@example.org"


def test_without_mailto_public_pool_and_one_warning(fake, mock, monkeypatch, caplog):
    monkeypatch.setattr(crossref, "_warned_no_mailto", False)
    with caplog.at_level(logging.WARNING, logger="reflint.crossref"):
        first = CrossrefClient(API, DOI_ORG, sleep=fake.sleep, clock=fake.clock)
        CrossrefClient(API, DOI_ORG, sleep=fake.sleep, clock=fake.clock)
    assert [r.getMessage() for r in caplog.records] == [crossref.NO_MAILTO_WARNING]
    assert first.http.limiters["single"].windows == [(5, 1.0)]
    assert first.http.limiters["list"].windows == [(1, 1.0)]
    assert first.http.limiters["single"].gate.concurrency == 1
    mock.get(ANY_WORK, json=WORK)
    first.work("10.1234/abc")
    assert mock.calls[0].request.headers["User-Agent"] == (
        f"reflint/{__version__} (https://github.com/reflint/reflint)"
    )
    assert "mailto" not in query(mock.calls[0])


def test_urls_and_mailto_from_environment(monkeypatch):
    monkeypatch.setenv("REFLINT_CROSSREF_URL", "http://127.0.0.1:9/")
    monkeypatch.setenv("REFLINT_DOI_URL", "http://127.0.0.1:8")
    monkeypatch.setenv("REFLINT_MAILTO", "env@example.org")
    client = CrossrefClient()
    assert (client.crossref_url, client.doi_url, client.mailto) == (
        "http://127.0.0.1:9",
        "http://127.0.0.1:8",
        "env@example.org",
    )
    assert CrossrefClient("http://other").crossref_url == "http://other"


# -- DOIs in URLs -----------------------------------------------------------------------------


@pytest.mark.parametrize("doi", [SICI, "10.1000/a#b?c d%20e", '10.1000/x;y[z]{w}|^`\\"', "10.1/ü"])
def test_odd_dois_are_percent_encoded_and_survive(client, mock, doi):
    mock.get(ANY_WORK, status=404)
    assert client.work(doi).verdict is INVALID
    sent = path(mock.calls[0])
    assert not set(sent) & set('#? <>;()[]{}|^`\\"')
    assert unquote(sent) == "/works/" + doi


def test_sici_encoding_exactly():
    assert quote_doi(SICI) == ("10.1002/%28SICI%291097-4636%28199706%2935%3A4%3C415%3A%3AAID-JBM1%3E3.0.CO%3B2-H")


def test_dot_segments_cannot_escape_the_works_path(client, mock):
    mock.get(re.compile(re.escape(API) + r"/.*"), status=404)
    client.work("10.1/../../members")
    assert path(mock.calls[0]) == "/works/10.1%2F..%2F..%2Fmembers"


def test_batchable():
    assert batchable(SICI) and batchable("10.1234/abc")
    assert not batchable("10.1234/a,b")
    assert not batchable("10.1234/a b")
    assert not batchable("")


# -- verdicts ---------------------------------------------------------------------------------


def test_200_is_valid_with_message(client, mock):
    mock.get(f"{API}/works/10.1234/abc", json=WORK)
    verdict, message = client.work("10.1234/abc")
    assert verdict is VALID and message["title"] == ["T"]


def test_404_is_invalid(client, mock):
    mock.get(f"{API}/works/10.1234/nope", status=404, body="Resource not found.")
    assert client.work("10.1234/nope") == (INVALID, None)
    assert client.stats["failures"] == 0


def test_other_4xx_is_unknown_and_not_retried(client, mock):
    mock.get(ANY_WORK, status=400, body="bad")
    assert client.work("10.1234/abc").verdict is UNKNOWN
    assert len(mock.calls) == 1 and client.stats["retries"] == 0


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '{"message": "text"}'])
def test_malformed_json_is_unknown(client, mock, body):
    mock.get(ANY_WORK, body=body, content_type="application/json")
    assert client.work("10.1234/abc") == (UNKNOWN, None)


def test_agency(client, mock):
    mock.get(
        f"{API}/works/10.5061/dryad.x/agency",
        json={"message": {"DOI": "10.5061/dryad.x", "agency": {"id": "datacite"}}},
    )
    mock.get(f"{API}/works/10.9999/gone/agency", status=404)
    assert client.agency("10.5061/dryad.x") == (VALID, "datacite")
    assert client.agency("10.9999/gone") == (INVALID, None)


@pytest.mark.parametrize(
    "status, body, verdict",
    [
        (200, {"responseCode": 1, "handle": "10.1/x"}, VALID),
        (404, {"responseCode": 100, "handle": "10.1/x"}, INVALID),
        (200, {"responseCode": 100}, INVALID),
        (200, {"responseCode": 2}, UNKNOWN),
        (404, {"other": True}, UNKNOWN),
    ],
)
def test_handle_api(client, mock, status, body, verdict):
    mock.get(f"{DOI_ORG}/api/handles/10.1/x", status=status, json=body)
    assert client.handle("10.1/x") is verdict
    assert "mailto" not in query(mock.calls[0])  # doi.org gets the User-Agent only


# -- list requests ----------------------------------------------------------------------------


def test_works_by_dois_is_one_list_request(client, mock):
    items = [{"DOI": "10.1234/ABC", "title": ["A"]}, {"DOI": "10.1/x"}]
    mock.get(f"{API}/works", json={"message": {"items": items, "total-results": 2}})
    found = client.works_by_dois(["10.1234/abc", "10.1/x", "10.1/missing", "10.1/x"])
    assert set(found) == {"10.1234/abc", "10.1/x"}
    assert len(mock.calls) == 1
    params = query(mock.calls[0])
    assert params["filter"] == "doi:10.1234/abc,doi:10.1/x,doi:10.1/missing"
    assert params["rows"] == "3"
    assert params["select"] == SELECT
    assert params["mailto"] == "dev@example.org"


def test_works_by_dois_edge_cases(client, mock):
    assert client.works_by_dois([]) == {}
    with pytest.raises(ValueError):
        client.works_by_dois(["10.1/a,b"])
    mock.get(f"{API}/works", status=500)
    assert client.works_by_dois(["10.1/x"]) is None


def test_search_parameters(client, mock):
    mock.get(f"{API}/works", json={"message": {"items": [{"DOI": "10.1/x", "score": 80.0}]}})
    found = client.search("Smith J. A study. J Things 2020;1:2-3", author="Smith", from_year=2019, until_year=2021)
    assert found == [{"DOI": "10.1/x", "score": 80.0}]
    params = query(mock.calls[0])
    assert params["query.bibliographic"] == "Smith J. A study. J Things 2020;1:2-3"
    assert params["query.author"] == "Smith"
    assert params["rows"] == "5"
    assert params["filter"] == "from-pub-date:2019,until-pub-date:2021"
    assert params["select"] == SELECT + ",score"


# -- retries, Retry-After, circuit breaker -------------------------------------------------------


def test_503_then_200_is_valid_after_a_retry(client, mock, fake):
    mock.get(ANY_WORK, status=503)
    mock.get(ANY_WORK, json=WORK)
    assert client.work("10.1234/abc").verdict is VALID
    assert len(mock.calls) == 2
    assert client.stats["retries"] == 1
    assert 0 <= fake.sleeps[0] <= registry_http.BACKOFF_BASE  # full jitter on the first retry


def test_429_retry_after_seconds_is_honoured(client, mock, fake):
    mock.get(ANY_WORK, status=429, headers={"Retry-After": "7"})
    mock.get(ANY_WORK, json=WORK)
    assert client.work("10.1234/abc").verdict is VALID
    assert fake.sleeps == [7.0]
    assert client.stats["responses_429"] == 1


def test_retry_after_http_date():
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == 30
    assert parse_retry_after(format_datetime(now - timedelta(seconds=30), usegmt=True), now) == 0
    assert parse_retry_after("soon", now) is None


def test_retry_after_too_long_gives_up_instead_of_hanging(client, mock, fake):
    mock.get(ANY_WORK, status=429, headers={"Retry-After": "3600"})
    assert client.work("10.1234/abc").verdict is UNKNOWN
    assert fake.sleeps == [] and len(mock.calls) == 1
    mock.replace(responses.GET, ANY_WORK, json=WORK)
    assert client.work("10.1234/abc").verdict is VALID
    assert fake.now < 1  # and later requests are not held for an hour either


def test_timeouts_exhaust_retries_with_growing_backoff(fake, mock):
    """A registry that has answered before and then times out gets the full retries."""
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.c", max_retries=3, sleep=fake.sleep, clock=fake.clock)
    client.http.random.uniform = lambda low, high: high  # the jitter's upper bound
    mock.get(ANY_WORK, json=WORK)
    assert client.work("10.1234/abc").verdict is VALID
    fake.sleeps.clear()
    fake.now += 1  # past the pacing interval: only backoff sleeps follow
    mock.replace(responses.GET, ANY_WORK, body=requests.Timeout("slow"))
    assert client.work("10.1234/abc").verdict is UNKNOWN
    assert len(mock.calls) == 5
    assert fake.sleeps == [0.5, 1.0, 2.0]
    assert client.stats == {"requests": 5, "responses_429": 0, "retries": 3, "failures": 1, "skipped": 0}
    assert not client.broken


@pytest.mark.parametrize(
    "error, reason",
    [
        (requests.Timeout("slow"), "no answer from api.test within 3.5 s"),
        (
            requests.ConnectionError("Failed to resolve 'api.test' (NameResolutionError)"),
            "cannot resolve the host name api.test",
        ),
        (requests.ConnectionError("[Errno 111] Connection refused"), "api.test refused the connection"),
    ],
)
def test_a_registry_that_never_answered_is_out_after_two_short_probes(fake, mock, error, reason):
    """A hanging or unresolvable registry must cost seconds: two probes, then nothing."""
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.c", sleep=fake.sleep, clock=fake.clock)
    mock.get(re.compile(".*"), body=error)
    assert client.works_by_dois(["10.1/a", "10.1/b"]) is None
    assert len(mock.calls) == registry_http.PROBE_ATTEMPTS
    assert client.broken and client.outage == reason
    assert client.work("10.1/c").verdict is UNKNOWN and client.handle("10.1/c") is UNKNOWN
    assert len(mock.calls) == registry_http.PROBE_ATTEMPTS


def test_circuit_opens_and_later_calls_make_no_request(fake, mock):
    client = CrossrefClient(
        API, DOI_ORG, mailto="a@b.c", max_retries=1, breaker_threshold=2, sleep=fake.sleep, clock=fake.clock
    )
    mock.get(re.compile(".*"), status=503)
    assert client.work("10.1/a").verdict is UNKNOWN
    assert not client.broken
    assert client.works_by_dois(["10.1/b"]) is None
    assert client.broken
    seen = len(mock.calls)
    assert seen == 4
    assert client.work("10.1/c") == (UNKNOWN, None)
    assert client.agency("10.1/c") == (UNKNOWN, None)
    assert client.handle("10.1/c") is UNKNOWN
    assert client.search("anything") is None
    assert len(mock.calls) == seen
    assert client.stats["skipped"] == 4


def test_a_success_resets_the_failure_run(fake, mock):
    client = CrossrefClient(
        API, DOI_ORG, mailto="a@b.c", max_retries=0, breaker_threshold=2, sleep=fake.sleep, clock=fake.clock
    )
    for status in (503, 404, 503, 404):
        mock.get(ANY_WORK, status=status)
    for _ in range(4):
        client.work("10.1/a")
    assert not client.broken


# -- redirects --------------------------------------------------------------------------------


def test_redirect_to_another_host_is_not_followed(client, mock):
    mock.get(ANY_WORK, status=302, headers={"Location": "http://publisher.example/article"})
    publisher = mock.get("http://publisher.example/article", body="<html>")
    assert client.work("10.1234/abc").verdict is UNKNOWN
    assert len(mock.calls) == 1 and publisher.call_count == 0


# -- pacing -----------------------------------------------------------------------------------


def _timed(mock, fake, url, headers, body):
    times = []

    def answer(request):
        times.append(fake.now)
        return 200, headers, json.dumps(body)

    mock.add_callback(responses.GET, url, callback=answer, content_type="application/json")
    return times


def test_default_polite_pacing(client, mock, fake):
    """Starts evenly spaced at exactly the polite pool's rates: 10 single, 3 list a second."""
    times = _timed(mock, fake, ANY_WORK, {}, WORK)
    for _ in range(12):
        client.work("10.1234/abc")
    assert times == pytest.approx([k / 10 for k in range(12)])
    searches = _timed(mock, fake, f"{API}/works", {}, {"message": {"items": []}})
    for _ in range(4):
        client.search("x")
    assert searches == pytest.approx([1.1 + k / 3 for k in range(4)])  # the list limiter has its own pace


def _limiter(fake, rate=3.0):
    gate = pacing.Gate(3)
    gate.adapt(None)  # past the first answer: three at a time
    return pacing.Limiter(rate, gate, fake.sleep, fake.clock)


def _start(limiter, at=None, fake=None):
    if at is not None:
        fake.now = at
    with limiter as turn:
        return turn


def test_the_window_counts_a_request_when_the_server_can_have_counted_it(fake):
    """At most 3 starts in any second counted as the server counts them, on arrival: no later
    than the answer came back, and (no answer yet, or a slow one) ``A`` after the start."""
    limiter = _limiter(fake)
    first = _start(limiter, 0.0, fake)
    fake.now = 0.02
    limiter.answered(first)  # a quick answer: counted by 0.02
    second = _start(limiter, 0.34, fake)  # never answered: counted by 0.34 + A
    third = _start(limiter, 0.68, fake)
    assert _start(limiter).start == pytest.approx(1.02)  # not 1.0 + A, not the spacing's 1.0133
    fake.now = 1.2
    limiter.answered(third)  # a slow answer: counted by 0.68 + A
    assert _start(limiter).start == pytest.approx(second.start + A + 1)
    assert _start(limiter).start == pytest.approx(third.start + A + 1)
    assert fake.sleeps == pytest.approx([1.02 - 0.68, 0.34 + A + 1 - 1.2, 0.34])


def test_a_late_start_does_not_shorten_the_window(fake):
    """Spacing follows the actual starts: a request that started late (an oversleeping
    thread) moves the ones after it, so four starts never fall within one second."""
    limiter = _limiter(fake)
    starts = [_start(limiter, at, fake).start for at in (0.0, 0.5, 0.6)]  # 0.5: late
    for _ in range(4):
        limiter.answered(limiter._turns[-1])
        starts.append(_start(limiter).start)
    assert all(b - a >= 1 / 3 - 1e-9 for a, b in zip(starts, starts[1:]))
    assert all(starts[k + 3] - starts[k] >= 1 for k in range(len(starts) - 3))


def test_rate_limit_headers_slow_the_limiter(client, mock, fake):
    headers = {"x-rate-limit-limit": "2", "x-rate-limit-interval": "1s", "x-concurrency-limit": "1"}
    times = _timed(mock, fake, ANY_WORK, headers, WORK)
    for _ in range(4):
        client.work("10.1234/abc")
    assert times == pytest.approx([0.0, 0.5, 1.0, 1.5])
    assert fake.sleeps == pytest.approx([0.5, 0.5, 0.5])
    assert client.http.limiters["single"].windows == [(10, 1.0), (2, 1.0)]
    assert client.http.limiters["single"].gate.concurrency == 1
    assert client.http.limiters["list"].windows == [(3, 1.0)]  # the other limiter keeps its pace


def test_a_longer_advertised_window_sets_the_pace_too(client, mock, fake):
    headers = {"x-rate-limit-limit": "4", "x-rate-limit-interval": "2s"}
    times = _timed(mock, fake, f"{API}/works", headers, {"message": {"items": []}})
    for _ in range(4):
        client.search("x")
    assert times == pytest.approx([0.0, 0.5, 1.0, 1.5])  # 4 in 2 s is slower than 3 in 1 s


def test_headers_never_raise_the_pace_above_the_pool_limits(client, mock, fake):
    headers = {"x-rate-limit-limit": "50", "x-rate-limit-interval": "1s", "x-concurrency-limit": "20"}
    times = _timed(mock, fake, f"{API}/works", headers, {"message": {"items": []}})
    for _ in range(4):
        client.search("x")
    assert times == pytest.approx([0.0, 1 / 3, 2 / 3, 1.0])
    assert client.http.limiters["list"].gate.concurrency == 3


def test_one_request_at_a_time_until_the_server_has_answered(client, mock):
    gate = client.http.limiters["single"].gate
    assert gate.probing
    mock.get(ANY_WORK, body=requests.ConnectionError("down"))
    client.http.max_retries = 0
    client.work("10.1/x")
    assert gate.probing  # no response, still nothing known
    mock.replace(responses.GET, ANY_WORK, json=WORK)  # no limit headers at all
    client.work("10.1/x")
    assert not gate.probing and gate.concurrency == 3


def test_retry_after_holds_the_limiter_for_later_requests(fake, mock):
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.c", max_retries=0, sleep=fake.sleep, clock=fake.clock)
    mock.get(f"{API}/works", status=429, headers={"Retry-After": "4"})
    assert client.search("x") is None  # no retry left: gives up at once ...
    assert fake.sleeps == []
    mock.replace(responses.GET, f"{API}/works", json={"message": {"items": []}})
    assert client.search("x") == []
    assert fake.sleeps == [4.0]  # ... but the next request still waits for the server's pause


def test_concurrency_is_capped_per_client_across_both_kinds(mock, fake):
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.c", sleep=fake.sleep, clock=fake.clock)  # pacing takes no time
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(request):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.02)
        with lock:
            in_flight[0] -= 1
        return 200, {}, json.dumps({"message": {"items": [], "DOI": "10.1/x"}})

    mock.add_callback(responses.GET, re.compile(re.escape(API) + ".*"), callback=slow)
    jobs = [lambda: client.work("10.1/x"), lambda: client.search("x")] * 12
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda job: job(), jobs))
    assert len(mock.calls) == 24
    assert 2 <= peak[0] <= pacing.POLITE_CONCURRENCY


@pytest.mark.parametrize(
    "value, seconds", [("1s", 1), ("60s", 60), ("500ms", 0.5), ("2m", 120), ("", None), ("soon", None), ("0s", None)]
)
def test_parse_interval(value, seconds):
    assert parse_interval(value) == seconds


@responses.activate
def test_time_limit_turns_remaining_lookups_unknown_without_requests():
    """pre-commit's bound: once the run's budget is spent nothing more is sent."""
    now = [0.0]
    responses.add(responses.GET, f"{API}/works/10.1/a", json={"message": {"DOI": "10.1/a"}})
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.org", time_limit=5, clock=lambda: now[0], sleep=lambda s: None)
    assert client.work("10.1/a").verdict == VALID
    now[0] = 6.0
    assert client.work("10.1/b").verdict == UNKNOWN
    assert len(responses.calls) == 1 and client.stats["skipped"] == 1


def test_the_time_limit_starts_with_the_first_request_not_with_the_client(mock):
    """Parsing a big repository before the first lookup must not eat the lookup budget."""
    now = [0.0]
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.org", time_limit=5, clock=lambda: now[0], sleep=lambda s: None)
    now[0] = 100.0  # a long parse
    mock.get(ANY_WORK, json=WORK)
    assert client.work("10.1234/abc").verdict is VALID
    now[0] = 104.0
    assert client.work("10.1234/abc").verdict is VALID
    now[0] = 105.5
    assert client.work("10.1234/abc").verdict is UNKNOWN
    assert len(mock.calls) == 2


def test_exchanges_are_short_until_the_registry_answers_and_never_outlast_the_budget(mock):
    now = [0.0]
    client = CrossrefClient(
        API, DOI_ORG, mailto="a@b.org", timeout=10, time_limit=12, clock=lambda: now[0], sleep=lambda s: None
    )
    mock.get(ANY_WORK, json=WORK)
    client.work("10.1234/abc")
    now[0] = 1.0
    client.work("10.1234/abc")
    now[0] = 9.0
    client.work("10.1234/abc")
    timeouts = [call.request.req_kwargs["timeout"] for call in mock.calls]
    assert timeouts == [registry_http.PROBE_TIMEOUT, 10, pytest.approx(3.0)]


# -- hostile bodies and aliases (responses) ----------------------------------------------------


def test_an_oversized_body_is_unknown_and_not_asked_again(client, mock):
    huge = json.dumps({"message": {"DOI": "10.1234/abc", "padding": "x" * (transport.MAX_BODY_BYTES)}})
    mock.get(ANY_WORK, body=huge, content_type="application/json")
    assert client.work("10.1234/abc") == (UNKNOWN, None)
    assert len(mock.calls) == 1 and client.stats["retries"] == 0


HANDLE_VALUES = {
    "hs-alias": [
        {"index": 1, "type": "URL", "data": {"value": "https://publisher.example/a"}},
        {"index": 2, "type": "HS_ALIAS", "data": {"value": "10.1000/Primary"}},
    ],
    "doi-url": [{"index": 1, "type": "URL", "data": {"value": "https://doi.org/10.1000/Primary"}}],
    "own-page": [{"index": 1, "type": "URL", "data": {"value": "https://publisher.example/a"}}],
}


@pytest.mark.parametrize(
    "kind, expected",
    [("hs-alias", (VALID, "10.1000/Primary")), ("doi-url", (VALID, "10.1000/Primary")), ("own-page", (VALID, None))],
)
def test_alias_target_from_the_handle(client, mock, kind, expected):
    mock.get(
        f"{DOI_ORG}/api/handles/10.1000/alias",
        json={"responseCode": 1, "handle": "10.1000/alias", "values": HANDLE_VALUES[kind]},
    )
    assert client.alias_target("10.1000/alias") == expected


def test_alias_target_of_a_missing_or_unreachable_handle(client, mock):
    mock.get(f"{DOI_ORG}/api/handles/10.1000/gone", status=404, json={"responseCode": 100})
    mock.get(f"{DOI_ORG}/api/handles/10.1000/busy", status=400)
    assert client.alias_target("10.1000/gone") == (INVALID, None)
    assert client.alias_target("10.1000/busy") == (UNKNOWN, None)


# -- hostile servers on loopback: every exchange ends by its deadline -----------------------------


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    "knobs",
    [
        {"trickle_seconds": 0.2},  # 200 OK, then one byte every 0.2 s: the first record alone takes minutes
        {"trickle_seconds": 0.2, "declare_length": False},  # and the body ends only when the connection does
        {"hang_rate": 1.0, "hang_seconds": 60},  # accepts the connection, never answers
    ],
)
def test_a_hostile_server_cannot_outlast_the_time_limit(fake_crossref_factory, knobs):
    server = fake_crossref_factory(**knobs)
    client = CrossrefClient(server.url, server.url, "t@example.org", timeout=30, time_limit=2)
    result, elapsed = timed(lambda: client.works_by_dois(["10.2519/jospt.2017.7096"]))
    assert result is None
    assert elapsed < 2 + 1
    assert client.work("10.2519/jospt.2017.7096").verdict is UNKNOWN  # later lookups: at once


def test_a_trickling_registry_is_given_up_after_two_short_probes(fake_crossref_factory):
    server = fake_crossref_factory(trickle_seconds=0.3)
    client = CrossrefClient(server.url, server.url, "t@example.org", timeout=1.0)
    result, elapsed = timed(lambda: client.work("10.2519/jospt.2017.7096"))
    assert result.verdict is UNKNOWN and client.broken
    assert len(server.requests) == registry_http.PROBE_ATTEMPTS
    assert elapsed < registry_http.PROBE_ATTEMPTS * 1.0 + 1


@pytest.mark.parametrize("declare_length", [True, False])
def test_an_oversized_body_is_abandoned_early(fake_crossref_factory, declare_length):
    """50 MB for one DOI: nothing near that much is read, and the verdict is unknown."""
    server = fake_crossref_factory(oversize_bytes=50 * 1024 * 1024, declare_length=declare_length)
    client = CrossrefClient(server.url, server.url, "t@example.org", timeout=30)
    result, elapsed = timed(lambda: client.work("10.2519/jospt.2017.7096"))
    assert result.verdict is UNKNOWN
    assert len(server.requests) == 1  # not asked again: the same body would come back
    assert elapsed < 5


def test_the_deadline_watchdog_leaves_good_exchanges_alone(fake_crossref_factory):
    server = fake_crossref_factory(latency=0.05)
    client = CrossrefClient(server.url, server.url, "t@example.org", timeout=2)
    assert all(client.work("10.2519/jospt.2017.7096").verdict is VALID for _ in range(5))
    assert not client.broken


def test_https_connections_take_the_same_hooks(monkeypatch):
    """The watched HTTPS connection resolves within the deadline and reports like urllib3."""
    from urllib3.exceptions import NameResolutionError, NewConnectionError

    from reflint.transport import _WatchedHTTPSConnection, _Watchdog

    def no_dns(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with socket.socket() as probe:  # a loopback port nobody listens on: refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with _Watchdog(5):
        with pytest.raises(NewConnectionError):
            _WatchedHTTPSConnection("127.0.0.1", port)._new_conn()
        monkeypatch.setattr(socket, "getaddrinfo", no_dns)
        with pytest.raises(NameResolutionError):
            _WatchedHTTPSConnection("registry.invalid", 443)._new_conn()


def test_a_name_server_that_never_answers_costs_the_exchange_time_only(monkeypatch):
    from reflint import transport

    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: time.sleep(30))
    session = transport.bounded_session()
    started = time.monotonic()
    with pytest.raises((requests.ConnectionError, requests.Timeout)):
        transport.fetch(session, "http://registry.invalid/works", 0.5)
    assert time.monotonic() - started < 1.5


def test_a_host_the_name_server_does_not_know_is_out_after_one_exchange(monkeypatch):
    def no_such_host(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)
    client = CrossrefClient("http://registry.invalid", "http://registry.invalid", "t@example.org")
    assert client.works_by_dois(["10.1/a"]) is None
    assert client.broken and client.stats["requests"] == 1 and client.stats["retries"] == 0
    assert client.outage == "cannot resolve the host name registry.invalid"


def test_a_long_retry_after_never_holds_a_lookup_past_the_time_limit(fake, mock):
    client = CrossrefClient(API, DOI_ORG, mailto="a@b.c", time_limit=5, sleep=fake.sleep, clock=fake.clock)
    mock.get(f"{API}/works", status=429, headers={"Retry-After": "60"})
    assert client.search("x") is None
    mock.replace(responses.GET, f"{API}/works", json={"message": {"items": []}})
    assert client.search("y") is None  # its turn would come a minute after the deadline
    assert len(mock.calls) == 1 and sum(fake.sleeps) < 5
