"""When a registry request may start: polite pacing to the server's advertised limits.

Crossref limits single-record lookups and list queries apart and caps concurrent requests
per client (DESIGN §5). A ``_Limiter`` spaces the starts of one kind of request evenly; a
``_Gate`` shared by a client's limiters caps requests in flight. Both only ever tighten to
the ``x-rate-limit-*`` / ``x-concurrency-limit`` headers, never loosen past our ceilings.
"""

from __future__ import annotations

import email.utils
import re
import threading
from datetime import datetime, timezone
from typing import Callable

# Requests per second per limiter kind, and concurrent requests per client (DESIGN §5);
# the response headers may only lower them.
POLITE_LIMITS = {"single": 10.0, "list": 3.0}
PUBLIC_LIMITS = {"single": 5.0, "list": 1.0}
POLITE_CONCURRENCY, PUBLIC_CONCURRENCY = 3, 1
PACING_MARGIN = 1.1  # space requests 10% wider than allowed: network jitter must not cost a 429

_INTERVAL = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


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


class Gate:
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


class Limiter:
    """Evenly spaced request starts for one kind of request, behind the shared gate.

    Spacing (rather than a token bucket) never bursts, which is the polite reading of
    "N requests per interval"; the margin keeps arrivals inside the server's window despite
    jitter. ``adapt`` only ever tightens below the configured ceiling.
    """

    def __init__(self, rate: float, gate: Gate, sleep: Callable, clock: Callable):
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

    def delay(self) -> float:
        """How long a request starting now would wait for its turn (a caller with a deadline
        asks before it commits to waiting)."""
        with self._lock:
            return max(0.0, self._next_at - self._clock())

    def hold(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (a server's Retry-After applies to every thread)."""
        with self._lock:
            self._next_at = max(self._next_at, self._clock() + seconds)
