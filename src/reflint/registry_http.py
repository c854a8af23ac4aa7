"""The request core of the registry client: paced, retried, bounded GETs and the circuit.

What a registry lookup *means* lives in :mod:`reflint.crossref`; this module only decides
how one logical GET is carried out: paced by :mod:`reflint.pacing`, each exchange bounded
in time and size by :mod:`reflint.transport`, retried with exponential backoff and full
jitter (honouring ``Retry-After``), all within one wall-clock budget (``time_limit``,
counted from the first request), and cut off by a circuit breaker.

A registry that has never answered this run gets short probes (``PROBE_TIMEOUT``); after
``PROBE_ATTEMPTS`` of them without an answer (or at once, when the name server says the
host does not exist) it is declared out (``outage`` says why), so a registry that hangs or
has no DNS costs seconds, not minutes (issue 9).

``requests`` and the transport load with the first request: most runs of a pre-commit hook
find every answer in the cache, and loading them costs each process about 60 ms.
"""

from __future__ import annotations

import json
import logging
import random
import socket
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from reflint.pacing import (
    POLITE_CONCURRENCY,
    POLITE_LIMITS,
    PUBLIC_CONCURRENCY,
    PUBLIC_LIMITS,
    Gate,
    Limiter,
    parse_retry_after,
)

if TYPE_CHECKING:
    import requests

log = logging.getLogger("reflint.crossref")

BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
MAX_RETRY_AFTER = 120.0  # a server asking for a longer pause gets an "unknown" instead of a hang
PROBE_TIMEOUT = 3.5  # seconds per exchange until the registry has answered once this run
PROBE_ATTEMPTS = 2  # failed exchanges, with no answer ever, that make the registry "out"


@lru_cache(maxsize=1)
def _transient() -> tuple[type[Exception], ...]:
    """What a retry may cure: a timeout, a lost connection, a body cut short."""
    import requests

    return (
        requests.Timeout,
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        requests.exceptions.ContentDecodingError,
    )


@dataclass(frozen=True)
class Reply:
    """What one logical GET came to. ``status`` None is a failure the server or network is
    to blame for (it counts toward the circuit breaker); ``data`` is the parsed JSON body."""

    status: int | None
    data: Any = None


FAILED = Reply(None)


class RegistryHTTP:
    """Paced, retried, bounded GETs for one client. ``polite`` picks the pool's limits."""

    def __init__(
        self,
        headers: dict,
        polite: bool,
        timeout: float = 10.0,
        max_retries: int = 4,
        breaker_threshold: int = 5,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        time_limit: float | None = None,
        limits: dict[str, float] | None = None,
        concurrency: int | None = None,
        name: str = "Crossref/doi.org",
    ):
        self.headers, self.name = headers, name
        self.timeout, self.max_retries, self.breaker_threshold = timeout, max_retries, breaker_threshold
        self._session = session
        self.sleep, self.random, self.clock = sleep, random.Random(), clock
        self.time_limit = time_limit
        self._deadline: float | None = None
        # another registry (NCBI) brings its own request kinds, rates and concurrency
        limits = limits or (POLITE_LIMITS if polite else PUBLIC_LIMITS)
        gate = Gate(concurrency or (POLITE_CONCURRENCY if polite else PUBLIC_CONCURRENCY))
        self.limiters = {kind: Limiter(rate, gate, sleep, clock) for kind, rate in limits.items()}
        self._lock = threading.Lock()
        self._consecutive_failures = 0
        self._silent_failures = 0  # exchanges that got no HTTP answer, since the last answer
        self.answered = False  # has the registry answered anything at all this run?
        self.broken = False
        self.outage: str | None = None  # why the circuit opened, for the user
        self.stats = {"requests": 0, "responses_429": 0, "retries": 0, "failures": 0, "skipped": 0}

    @property
    def session(self) -> requests.Session:
        """The pooled session, made at the first request."""
        with self._lock:
            if self._session is None:
                from reflint.transport import bounded_session

                self._session = bounded_session()
            return self._session

    def give_up(self, reason: str) -> None:
        """Open the circuit: every later GET fails at once, without a request."""
        with self._lock:
            self._open(reason)

    def get(self, kind: str, url: str, params: dict | None = None) -> Reply:
        """GET with pacing, retries and the breaker; 200 and 404 come back parsed."""
        self._start_budget()
        if self.broken or self._out_of_time():
            self._count("skipped")
            return FAILED
        limiter = self.limiters[kind]
        for attempt in range(self.max_retries + 1):
            reply, delay = self._attempt(limiter, url, params, attempt)
            if delay is None:
                break
            if attempt == self.max_retries or self.broken or self._out_of_time(delay):
                reply = FAILED
                break
            self._count("retries")
            self.sleep(delay)
        self._record(reply)
        return reply

    def _attempt(self, limiter: Limiter, url: str, params: dict | None, attempt: int) -> tuple[Reply, float | None]:
        """One HTTP exchange: the reply, and the delay before a retry if one is warranted."""
        if self._out_of_time(limiter.delay()):
            return FAILED, None  # its turn (a server's Retry-After) comes after the deadline
        import requests

        from reflint.transport import BodyTooLarge, fetch

        with limiter as turn:
            if self.broken or self._out_of_time():
                return FAILED, None  # decided while this request waited for its turn
            self._count("requests")
            seconds = self._exchange_seconds()
            try:
                response, body = fetch(self.session, url, seconds, params=params, headers=self.headers)
                limiter.answered(turn)
            except BodyTooLarge:
                limiter.answered(turn)
                self._heard()
                return FAILED, None  # the same body would come again: no retry
            except _transient() as exc:
                self._silence(url, exc, seconds)
                refused = isinstance(exc, requests.ConnectionError) and not isinstance(exc, requests.Timeout)
                if self.broken or (refused and attempt >= 1):
                    return FAILED, None  # no route or no name resolution: retrying won't help
                return FAILED, self._backoff(attempt)
            except requests.RequestException:
                return FAILED, None
        self._heard()
        limiter.adapt(response.headers)
        status = response.status_code
        if status == 429 or status >= 500:
            if status == 429:
                self._count("responses_429")
            retry_after = parse_retry_after(response.headers.get("Retry-After"))
            if retry_after is None:
                return FAILED, self._backoff(attempt)
            if retry_after > MAX_RETRY_AFTER:
                return FAILED, None
            limiter.hold(retry_after)
            return FAILED, retry_after
        if status not in (200, 404):
            return Reply(status), None  # redirects and other 4xx: unknown, not retried
        try:
            return Reply(status, json.loads(body)), None
        except ValueError:
            return (Reply(404) if status == 404 else FAILED), None

    def _start_budget(self) -> None:
        if self.time_limit and self._deadline is None:
            with self._lock:
                if self._deadline is None:
                    self._deadline = self.clock() + self.time_limit

    def _out_of_time(self, wait: float = 0.0) -> bool:
        return self._deadline is not None and self.clock() + wait >= self._deadline

    def _exchange_seconds(self) -> float:
        """This exchange's time: the timeout, shorter while the registry has never answered,
        and never past the run's budget."""
        seconds = self.timeout if self.answered else min(self.timeout, PROBE_TIMEOUT)
        if self._deadline is None:
            return seconds
        return max(0.05, min(seconds, self._deadline - self.clock()))

    def _heard(self) -> None:
        with self._lock:
            self.answered = True
            self._silent_failures = 0

    def _silence(self, url: str, exc: Exception, seconds: float) -> None:
        """An exchange got no answer. A registry that has never answered is out after
        PROBE_ATTEMPTS of them; one that did answer, after a breaker's run of them."""
        with self._lock:
            self._silent_failures += 1
            limit = self.breaker_threshold if self.answered else PROBE_ATTEMPTS
            if self._silent_failures >= limit or _no_such_host(exc):
                self._open(_why(url, exc, seconds))

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform over [0, min(cap, base * 2**attempt)]."""
        return self.random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt))

    def _record(self, reply: Reply) -> None:
        """Feed the circuit breaker: a run of failed requests opens it for good."""
        with self._lock:
            if reply.status is not None:
                self._consecutive_failures = 0
                return
            self.stats["failures"] += 1
            self._consecutive_failures += 1
            if self._consecutive_failures >= self.breaker_threshold:
                self._open(f"{self._consecutive_failures} failed requests in a row")

    def _open(self, reason: str) -> None:
        """Open the circuit (the caller holds ``_lock``)."""
        if self.broken:
            return
        self.broken, self.outage = True, reason
        log.info("%s unreachable (%s); remaining lookups are reported as unknown", self.name, reason)

    def _count(self, key: str) -> None:
        with self._lock:
            self.stats[key] += 1


def _no_such_host(exc: Exception) -> bool:
    """The name server said the host does not exist: asking again will not change that."""
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    cause = getattr(reason, "__cause__", None)
    definite = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
    return isinstance(cause, socket.gaierror) and cause.errno in definite


def _why(url: str, exc: Exception, seconds: float) -> str:
    """A short reason a user can act on: no DNS, refused, or silent."""
    import requests

    host = urlsplit(url).hostname or url
    text = repr(exc)
    if isinstance(exc, requests.Timeout):
        return f"no answer from {host} within {seconds:.1f} s"
    if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
        return f"cannot resolve the host name {host}"
    if "Connection refused" in text or "ConnectionRefused" in text:
        return f"{host} refused the connection"
    return f"cannot connect to {host}"


class RegistryClient:
    """What a registry's client says of its transport (``self.http``): the resolver and the
    outage memory read it alike for Crossref and NCBI."""

    http: RegistryHTTP

    @property
    def stats(self) -> dict:
        return self.http.stats

    @property
    def broken(self) -> bool:
        """The circuit is open: every later lookup is unknown at once, without a request."""
        return self.http.broken

    @property
    def outage(self) -> str | None:
        """Why the circuit opened, in words for the user."""
        return self.http.outage

    @property
    def registry(self) -> str:
        """Which registry this client asks: its URL, or URLs separated by a space (the outage
        memory's key)."""
        raise NotImplementedError

    @property
    def label(self) -> str:
        """The registry as the user reads it: ``NCBI E-utilities (https://...)``."""
        return f"{self.http.name} ({', '.join(self.registry.split())})"

    def give_up(self, reason: str) -> None:
        self.http.give_up(reason)
