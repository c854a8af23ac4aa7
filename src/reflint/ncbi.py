"""The NCBI E-utilities client: ESummary for PubMed (and PMC) records, in batches.

Same rules as the Crossref client (reflint.crossref, whose pacing and gate it reuses): one
pooled session, evenly spaced requests (about 3 a second without an API key, 10 with
``NCBI_API_KEY``), backoff with full jitter on 429, 5xx and timeouts, a circuit breaker and
an optional overall time limit. ``tool`` and ``email`` identify reflint to NCBI as its usage
policy asks. A failed request makes every ID of its batch *unknown*; only a per-record error
in a successful answer ("cannot get document summary") makes an ID *not found*.
"""

from __future__ import annotations

import logging
import os
import random
import threading
import time
from typing import Any, Callable

import requests

from reflint import __version__
from reflint.crossref import (BACKOFF_BASE, BACKOFF_CAP, MAX_RETRY_AFTER, PROJECT_URL, _Gate, _Limiter,
                              parse_retry_after)

log = logging.getLogger(__name__)

DEFAULT_NCBI_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
BATCH_SIZE = 200  # ESummary takes up to 200 IDs in one GET
RATE_WITHOUT_KEY, RATE_WITH_KEY = 3.0, 10.0
CONCURRENCY = 2
_TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)


class NcbiClient:
    """ESummary lookups; ``esummary`` answers {id: summary or None} or None when it failed."""

    def __init__(self, base_url: str | None = None, email: str | None = None, api_key: str | None = None,
                 timeout: float = 10.0, max_retries: int = 3, breaker_threshold: int = 5,
                 session: requests.Session | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, time_limit: float | None = None):
        self.base_url = (base_url or os.environ.get("REFLINT_NCBI_URL") or DEFAULT_NCBI_URL).rstrip("/")
        self.email = email or os.environ.get("REFLINT_MAILTO") or None
        self.api_key = api_key or os.environ.get("NCBI_API_KEY") or None
        self.timeout, self.max_retries, self.breaker_threshold = timeout, max_retries, breaker_threshold
        self._session = session or requests.Session()
        self._sleep, self._clock, self._random = sleep, clock, random.Random()
        self._deadline = clock() + time_limit if time_limit else None
        rate = RATE_WITH_KEY if self.api_key else RATE_WITHOUT_KEY
        self._limiter = _Limiter(rate, _Gate(CONCURRENCY), sleep, clock)
        self._headers = {"User-Agent": f"reflint/{__version__} ({PROJECT_URL})", "Accept": "application/json"}
        self._lock = threading.Lock()
        self._failures = 0
        self.broken = False
        self.stats = {"requests": 0, "retries": 0, "failures": 0, "skipped": 0}

    def esummary(self, ids: list[str], db: str = "pubmed") -> dict[str, dict | None] | None:
        """Summaries of up to 200 IDs of ``db`` in one request, by ID as asked.

        A record PubMed does not have maps to None; an ID the answer does not mention at all
        is left out (unknown). None: the request failed, every ID is unknown.
        """
        ids = list(dict.fromkeys(ids))
        if not ids:
            return {}
        if len(ids) > BATCH_SIZE:
            raise ValueError(f"esummary: at most {BATCH_SIZE} IDs a request")
        params: dict[str, Any] = {"db": db, "id": ",".join(ids), "retmode": "json", "tool": "reflint"}
        if self.email:
            params["email"] = self.email
        if self.api_key:
            params["api_key"] = self.api_key
        data = self._get(f"{self.base_url}/esummary.fcgi", params)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            return None  # e.g. {"error": "API rate limit exceeded"}: unknown, not "not found"
        found: dict[str, dict | None] = {}
        for uid in ids:
            entry = result.get(uid)
            if isinstance(entry, dict):
                found[uid] = None if entry.get("error") else entry
        return found

    # -- the request core (Crossref's approach: pace, retry with jitter, break, give up in time) --

    def _get(self, url: str, params: dict) -> Any:
        if self.broken or self._out_of_time():
            self._count("skipped")
            return None
        for attempt in range(self.max_retries + 1):
            data, delay = self._attempt(url, params, attempt)
            if delay is None:
                self._record(data is not None)
                return data
            if attempt == self.max_retries or self._out_of_time(delay):
                break
            self._count("retries")
            self._sleep(delay)
        self._record(False)
        return None

    def _attempt(self, url: str, params: dict, attempt: int) -> tuple[Any, float | None]:
        with self._limiter:
            self._count("requests")
            try:
                response = self._session.get(url, params=params, headers=self._headers,
                                             timeout=self._request_timeout(), allow_redirects=False)
            except _TRANSIENT:
                return None, self._backoff(attempt)
            except requests.RequestException:
                return None, None
        self._limiter.gate.adapt(None)
        if response.status_code == 429 or response.status_code >= 500:
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is not None and retry_after > MAX_RETRY_AFTER:
                return None, None
            if retry_after is not None:
                self._limiter.hold(retry_after)
            return None, retry_after if retry_after is not None else self._backoff(attempt)
        if response.status_code != 200:
            return None, None
        try:
            return response.json(), None
        except ValueError:
            return None, None

    def _out_of_time(self, wait: float = 0.0) -> bool:
        return self._deadline is not None and self._clock() + wait >= self._deadline

    def _request_timeout(self) -> float:
        if self._deadline is None:
            return self.timeout
        return max(0.05, min(self.timeout, self._deadline - self._clock()))

    def _backoff(self, attempt: int) -> float:
        return self._random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))

    def _record(self, ok: bool) -> None:
        with self._lock:
            if ok:
                self._failures = 0
                return
            self.stats["failures"] += 1
            self._failures += 1
            if self._failures >= self.breaker_threshold and not self.broken:
                self.broken = True
                log.warning("NCBI E-utilities unreachable after %d failed requests; "
                            "remaining PubMed lookups are reported as unknown", self._failures)

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1
