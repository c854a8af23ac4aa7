"""The Crossref REST API and doi.org Handle API client (see docs/decisions/0001-http-client.md).

Everything here serves one rule from DESIGN §4: a network problem is *unknown*, never
*invalid*. Only an explicit "not found" from the server (HTTP 404, Handle responseCode 100)
makes a DOI invalid; timeouts, 429, 5xx, redirects, odd JSON and an open circuit are unknown.

Etiquette (DESIGN §5): one pooled session identified by a User-Agent with a mailto, two
pacing limiters ("single" record lookups and "list" queries, which Crossref limits apart)
that tighten to the ``x-rate-limit-*`` / ``x-concurrency-limit`` headers of every response,
exponential backoff with full jitter that honours ``Retry-After``, and a circuit breaker so
an outage costs a handful of requests rather than one per DOI. Only the two configured
hosts are ever contacted: redirects are not followed.
"""

from __future__ import annotations

import email.utils
import enum
import logging
import os
import random
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, NamedTuple
from urllib.parse import quote

import requests

from reflint import __version__

log = logging.getLogger(__name__)

DEFAULT_CROSSREF_URL = "https://api.crossref.org"
DEFAULT_DOI_URL = "https://doi.org"
PROJECT_URL = "https://github.com/reflint/reflint"
SELECT = "DOI,title,author,issued,container-title,volume,issue,page,type,updated-by,update-to"
NO_MAILTO_WARNING = ("no mailto: using Crossref's public pool at lower limits; "
                     "set REFLINT_MAILTO or `mailto` in config")

# Requests per second per limiter kind, and concurrent requests per client (DESIGN §5);
# the response headers may only lower them.
POLITE_LIMITS = {"single": 10.0, "list": 3.0}
PUBLIC_LIMITS = {"single": 5.0, "list": 1.0}
POLITE_CONCURRENCY, PUBLIC_CONCURRENCY = 3, 1

BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
PACING_MARGIN = 1.1  # space requests 10% wider than allowed: network jitter must not cost a 429
MAX_RETRY_AFTER = 120.0  # a server asking for a longer pause gets an "unknown" instead of a hang

_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_TRANSIENT = (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
              requests.exceptions.ContentDecodingError)
_warned_no_mailto = False
_warn_lock = threading.Lock()


class Verdict(str, enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


VALID, INVALID, UNKNOWN = Verdict.VALID, Verdict.INVALID, Verdict.UNKNOWN


class WorkResult(NamedTuple):
    verdict: Verdict
    message: dict | None = None


class AgencyResult(NamedTuple):
    verdict: Verdict
    agency: str | None = None


@dataclass(frozen=True)
class _Reply:
    """What one logical GET came to. ``status`` None is a failure the server or network is
    to blame for (it counts toward the circuit breaker); ``data`` is the parsed JSON body."""
    status: int | None
    data: Any = None


_FAILED = _Reply(None)


def quote_doi(doi: str) -> str:
    """Percent-encode a DOI for a URL path (DOI Handbook §2.5.2.4).

    Everything but unreserved characters and ``/`` is encoded, so ``# ? % ; < > ( ) :`` and
    spaces of SICI-style DOIs survive the trip. A DOI with a ``.`` or ``..`` segment gets its
    slashes encoded as well: requests normalises dot segments (and decodes ``%2E``), which
    would turn ``10.1/../x`` into a different API path.
    """
    if any(segment in (".", "..") for segment in doi.split("/")):
        return quote(doi, safe="")
    return quote(doi, safe="/")


def batchable(doi: str) -> bool:
    """Whether a DOI can go into a ``filter=doi:A,doi:B`` list request: commas separate
    filters and whitespace or control characters would spoil the whole batch's request."""
    return bool(doi) and "," not in doi and all(c.isprintable() and not c.isspace() for c in doi)


def parse_interval(value: str | None) -> float | None:
    """``x-rate-limit-interval`` ("1s", "60s", "500ms", "1m") in seconds, None if unreadable."""
    match = _INTERVAL.match(value or "")
    if not match:
        return None
    seconds = float(match.group(1)) * _UNIT_SECONDS[(match.group(2) or "s").lower()]
    return seconds if seconds > 0 else None


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as delta-seconds or an HTTP date, in seconds from now (never negative)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def _positive_int(value: str | None) -> int | None:
    try:
        number = int(str(value).strip())
    except ValueError:
        return None
    return number if number > 0 else None


class _Gate:
    """At most ``concurrency`` requests in flight. Crossref's concurrency limit is per client,
    not per endpoint, so both limiters of a client share one gate. Until the first response
    has told us the server's limits, only one request goes out at a time."""

    def __init__(self, concurrency: int):
        self._ceiling = self.concurrency = concurrency
        self._cond = threading.Condition()
        self._active = 0
        self.probing = True

    def __enter__(self) -> None:
        with self._cond:
            while self._active >= (1 if self.probing else self.concurrency):
                self._cond.wait()
            self._active += 1

    def __exit__(self, *exc) -> None:
        with self._cond:
            self._active -= 1
            self._cond.notify_all()

    def adapt(self, concurrency: int | None) -> None:
        with self._cond:
            self.probing = False
            if concurrency:
                self.concurrency = min(concurrency, self._ceiling)
            self._cond.notify_all()


class _Limiter:
    """Evenly spaced request starts for one kind of request, behind the shared gate.

    Spacing (rather than a token bucket) never bursts, which is the polite reading of
    "N requests per interval"; the margin keeps arrivals inside the server's window despite
    jitter. ``adapt`` only ever tightens below the configured ceiling.
    """

    def __init__(self, rate: float, gate: _Gate, sleep: Callable, clock: Callable):
        self._ceiling_rate, self.spacing = rate, PACING_MARGIN / rate
        self.gate, self._sleep, self._clock = gate, sleep, clock
        self._lock = threading.Lock()
        self._next_at = self._last_start = float("-inf")

    def __enter__(self) -> None:
        self.gate.__enter__()
        with self._lock:
            now = self._clock()
            start = max(now, self._next_at)
            self._last_start, self._next_at = start, start + self.spacing
        if start > now:
            self._sleep(start - now)

    def __exit__(self, *exc) -> None:
        self.gate.__exit__()

    def adapt(self, headers) -> None:
        """Pace to what the server advertises, never faster than our own ceiling."""
        limit = _positive_int(headers.get("x-rate-limit-limit"))
        interval = parse_interval(headers.get("x-rate-limit-interval"))
        concurrency = _positive_int(headers.get("x-concurrency-limit"))
        if limit and interval:
            with self._lock:
                self.spacing = PACING_MARGIN * max(interval / limit, 1.0 / self._ceiling_rate)
                self._next_at = max(self._next_at, self._last_start + self.spacing)
        self.gate.adapt(concurrency)

    def hold(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (a server's Retry-After applies to every thread)."""
        with self._lock:
            self._next_at = max(self._next_at, self._clock() + seconds)


class CrossrefClient:
    """Crossref and doi.org lookups with valid / invalid / unknown verdicts."""

    def __init__(self, crossref_url: str | None = None, doi_url: str | None = None,
                 mailto: str | None = None, timeout: float = 10.0, max_retries: int = 4,
                 breaker_threshold: int = 5, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, time_limit: float | None = None):
        self.crossref_url = (crossref_url or os.environ.get("REFLINT_CROSSREF_URL")
                             or DEFAULT_CROSSREF_URL).rstrip("/")
        self.doi_url = (doi_url or os.environ.get("REFLINT_DOI_URL") or DEFAULT_DOI_URL).rstrip("/")
        self.mailto = mailto or os.environ.get("REFLINT_MAILTO") or None
        self.timeout, self.max_retries, self.breaker_threshold = timeout, max_retries, breaker_threshold
        self._session = session or requests.Session()
        self._sleep, self._random, self._clock = sleep, random.Random(), clock
        # An overall budget (pre-commit): past it every lookup is unknown at once.
        self._deadline = clock() + time_limit if time_limit else None
        limits = POLITE_LIMITS if self.mailto else PUBLIC_LIMITS
        gate = _Gate(POLITE_CONCURRENCY if self.mailto else PUBLIC_CONCURRENCY)
        self._limiters = {kind: _Limiter(rate, gate, sleep, clock) for kind, rate in limits.items()}
        agent = f"reflint/{__version__} ({PROJECT_URL}"
        self._headers = {"User-Agent": agent + (f"; mailto:{self.mailto})" if self.mailto else ")"),
                         "Accept": "application/json"}
        self._lock = threading.Lock()
        self._consecutive_failures = 0
        self.broken = False
        self.stats = {"requests": 0, "responses_429": 0, "retries": 0, "failures": 0, "skipped": 0}
        if not self.mailto:
            _warn_no_mailto()

    # -- public lookups ------------------------------------------------------------------

    def works_by_dois(self, dois: list[str]) -> dict[str, dict] | None:
        """Records of many DOIs in ONE list request: {lowercased DOI: message}.

        DOIs Crossref does not know are simply absent; None means the request failed and
        every DOI of the batch is unknown. Callers chunk (~50) and keep ``batchable`` DOIs.
        """
        dois = list(dict.fromkeys(dois))
        if not dois:
            return {}
        if not all(batchable(d) for d in dois):
            raise ValueError("works_by_dois: leave out DOIs that are not batchable()")
        params = {"filter": ",".join(f"doi:{d}" for d in dois), "rows": len(dois), "select": SELECT}
        items = self._items(self._get("list", f"{self.crossref_url}/works", params))
        if items is None:
            return None
        return {item["DOI"].lower(): item for item in items if isinstance(item.get("DOI"), str)}

    def work(self, doi: str) -> WorkResult:
        """``/works/{doi}``: VALID with the record, INVALID on 404 (not a Crossref DOI)."""
        reply = self._get("single", f"{self.crossref_url}/works/{quote_doi(doi)}")
        message = _message(reply)
        if isinstance(message, dict):
            return WorkResult(VALID, message)
        return WorkResult(INVALID if reply.status == 404 else UNKNOWN)

    def agency(self, doi: str) -> AgencyResult:
        """``/works/{doi}/agency``: the registration agency id ("crossref", "datacite", ...)."""
        reply = self._get("single", f"{self.crossref_url}/works/{quote_doi(doi)}/agency")
        message = _message(reply)
        agency = message.get("agency") if isinstance(message, dict) else None
        if isinstance(agency, dict) and isinstance(agency.get("id"), str):
            return AgencyResult(VALID, agency["id"])
        return AgencyResult(INVALID if reply.status == 404 else UNKNOWN)

    def handle(self, doi: str) -> Verdict:
        """doi.org Handle API: responseCode 1 exists, 100 does not (also sent with HTTP 404)."""
        reply = self._get("single", f"{self.doi_url}/api/handles/{quote_doi(doi)}")
        code = reply.data.get("responseCode") if isinstance(reply.data, dict) else None
        if reply.status == 200 and code == 1:
            return VALID
        if reply.status in (200, 404) and code == 100:
            return INVALID
        return UNKNOWN

    def search(self, reference: str, rows: int = 5, *, author: str | None = None,
               from_year: int | None = None, until_year: int | None = None) -> list[dict] | None:
        """``query.bibliographic`` candidates for a reference (with ``score``), None on failure."""
        params: dict[str, Any] = {"query.bibliographic": reference, "rows": rows,
                                  "select": SELECT + ",score"}
        if author:
            params["query.author"] = author
        dates = []
        if from_year is not None:
            dates.append(f"from-pub-date:{from_year}")
        if until_year is not None:
            dates.append(f"until-pub-date:{until_year}")
        if dates:
            params["filter"] = ",".join(dates)
        return self._items(self._get("list", f"{self.crossref_url}/works", params))

    # -- the one request core ------------------------------------------------------------

    def _get(self, kind: str, url: str, params: dict | None = None) -> _Reply:
        """GET with pacing, retries and the breaker; 200 and 404 come back parsed."""
        assert url.startswith((self.crossref_url + "/", self.doi_url + "/")), url
        if self.broken or self._out_of_time():
            self._count("skipped")
            return _FAILED
        if url.startswith(self.crossref_url + "/") and self.mailto:
            params = {**(params or {}), "mailto": self.mailto}
        limiter = self._limiters[kind]
        for attempt in range(self.max_retries + 1):
            reply, delay = self._attempt(limiter, url, params, attempt)
            if delay is None:
                break
            if attempt == self.max_retries or self._out_of_time(delay):
                reply = _FAILED
                break
            self._count("retries")
            self._sleep(delay)
        self._record(reply)
        return reply

    def _attempt(self, limiter: _Limiter, url: str, params: dict | None,
                 attempt: int) -> tuple[_Reply, float | None]:
        """One HTTP exchange: the reply, and the delay before a retry if one is warranted."""
        with limiter:
            self._count("requests")
            try:
                response = self._session.get(url, params=params, headers=self._headers,
                                             timeout=self._request_timeout(), allow_redirects=False)
            except _TRANSIENT as exc:
                refused = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
                if refused and attempt >= 1:
                    return _FAILED, None  # no route or no name resolution: retrying won't help
                return _FAILED, self._backoff(attempt)
            except requests.RequestException:
                return _FAILED, None
        limiter.adapt(response.headers)
        status = response.status_code
        if status == 429 or status >= 500:
            if status == 429:
                self._count("responses_429")
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None:
                return _FAILED, self._backoff(attempt)
            if retry_after > MAX_RETRY_AFTER:
                return _FAILED, None
            limiter.hold(retry_after)
            return _FAILED, retry_after
        if status not in (200, 404):
            return _Reply(status), None  # redirects and other 4xx: unknown, not retried
        try:
            return _Reply(status, response.json()), None
        except ValueError:
            return (_Reply(404) if status == 404 else _FAILED), None

    def _out_of_time(self, wait: float = 0.0) -> bool:
        return self._deadline is not None and self._clock() + wait >= self._deadline

    def _request_timeout(self) -> float:
        if self._deadline is None:
            return self.timeout
        return max(0.05, min(self.timeout, self._deadline - self._clock()))

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform over [0, min(cap, base * 2**attempt)]."""
        return self._random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))

    def _record(self, reply: _Reply) -> None:
        """Feed the circuit breaker: a run of failed requests opens it for good."""
        with self._lock:
            if reply.status is not None:
                self._consecutive_failures = 0
                return
            self.stats["failures"] += 1
            self._consecutive_failures += 1
            if self._consecutive_failures >= self.breaker_threshold and not self.broken:
                self.broken = True
                log.warning("Crossref/doi.org unreachable after %d failed requests; "
                            "remaining lookups are reported as unknown", self._consecutive_failures)

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1

    @staticmethod
    def _items(reply: _Reply) -> list[dict] | None:
        message = _message(reply)
        items = message.get("items") if isinstance(message, dict) else None
        if not isinstance(items, list):
            return None
        return [item for item in items if isinstance(item, dict)]


def _message(reply: _Reply) -> Any:
    """The ``message`` of a 200 Crossref reply, None otherwise."""
    if reply.status == 200 and isinstance(reply.data, dict):
        return reply.data.get("message")
    return None


def _warn_no_mailto() -> None:
    """Warn once per process: every client of a mailto-less run shares the public pool."""
    global _warned_no_mailto
    with _warn_lock:
        if _warned_no_mailto:
            return
        _warned_no_mailto = True
    log.warning(NO_MAILTO_WARNING)
