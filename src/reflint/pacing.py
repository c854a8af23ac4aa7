"""When a registry request may start: polite pacing to the server's advertised limits.

Crossref limits single-record lookups and list queries apart and caps concurrent requests
per client (DESIGN §5). A ``Limiter`` keeps the starts of one kind of request inside the
server's sliding window (``x-rate-limit-limit`` requests per ``x-rate-limit-interval``); a
``Gate`` shared by a client's limiters caps requests in flight. Both only ever tighten to
the ``x-rate-limit-*`` / ``x-concurrency-limit`` headers, never loosen past our ceilings.
See docs/decisions/0003-pacing-window.md.
"""

from __future__ import annotations

import email.utils
import re
import threading
from collections import deque
from datetime import datetime, timezone
from typing import Callable

# Requests per second per limiter kind, and concurrent requests per client (DESIGN §5);
# the response headers may only lower them.
POLITE_LIMITS = {"single": 10.0, "list": 3.0}
PUBLIC_LIMITS = {"single": 5.0, "list": 1.0}
POLITE_CONCURRENCY, PUBLIC_CONCURRENCY = 3, 1
# A request reaches the server within this long of its start, we assume: the server counts
# it on arrival, so it is counted no later than the earlier of this and its answer coming back.
ARRIVAL_ALLOWANCE = 0.1
MAX_WINDOW = 10_000  # requests remembered for a window the server advertises

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


class Turn:
    """One request's place in its limiter's window: when it started, and when its answer
    came back (None until then, and for ever if none came)."""

    __slots__ = ("start", "answered")

    def __init__(self, start: float):
        self.start: float = start
        self.answered: float | None = None

    def counted_by(self) -> float:
        """The latest time the server can have counted this request: it reached the server
        no later than its answer came back and, we assume, within ``ARRIVAL_ALLOWANCE`` of
        its start. (An answer still out may yet come back sooner than that: this errs late.)"""
        bound = self.start + ARRIVAL_ALLOWANCE
        return bound if self.answered is None else min(self.answered, bound)


def window_of(rate: float) -> tuple[int, float]:
    """A rate in requests per second as a window: (limit, interval in seconds)."""
    return (int(rate), 1.0) if rate >= 1 and rate == int(rate) else (1, 1.0 / rate)


class Limiter:
    """When one kind of request may start, behind the shared gate: at most ``limit`` in any
    ``interval`` (a sliding window, the reading of ``x-rate-limit-limit`` requests per
    ``x-rate-limit-interval`` that the strictest server enforces) and never two starts closer
    than ``interval / limit``.

    The window is counted as the server counts it, on arrival: a request may start
    ``interval`` after the one ``limit`` starts before it reached the server. That moment is
    unknown, but no later than its answer came back, and assumed no later than
    ``ARRIVAL_ALLOWANCE`` after its start when the answer is slower. So a quick server is
    paced exactly to its limit, whatever the jitter of our own start times, and a slow one
    with one allowance per window instead of a margin on every request. The even spacing
    means no burst, also at the end of a run, so the next run (which cannot know what this
    one sent) starts into a window that has room. The configured ceiling always applies;
    ``adapt`` adds the server's window, which can only slow us down.

        with limiter as turn:
            response = send()
            limiter.answered(turn)
    """

    def __init__(self, rate: float, gate: Gate, sleep: Callable, clock: Callable):
        self.ceiling = window_of(rate)
        self.windows = [self.ceiling]
        self.gate, self._sleep, self._clock = gate, sleep, clock
        self._lock = threading.Lock()
        self._turns: deque[Turn] = deque(maxlen=self.ceiling[0])
        self._held_until = float("-inf")

    def __enter__(self) -> Turn:
        self.gate.__enter__()
        try:
            while True:
                with self._lock:
                    now = self._clock()
                    ready = self._ready_at()
                    if ready <= now:
                        turn = Turn(now)
                        self._turns.append(turn)
                        return turn
                self._sleep(ready - now)
        except BaseException:
            self.gate.__exit__()
            raise

    def __exit__(self, *exc) -> None:
        self.gate.__exit__()

    def answered(self, turn: Turn) -> None:
        """The request of ``turn`` got an answer (any status): the server has counted it."""
        with self._lock:
            turn.answered = self._clock()

    def _ready_at(self) -> float:
        """When the next request may start (the caller holds ``_lock``)."""
        ready = self._held_until
        for limit, interval in self.windows:
            if self._turns:
                ready = max(ready, self._turns[-1].start + interval / limit)
            if len(self._turns) >= limit:
                ready = max(ready, self._turns[-limit].counted_by() + interval)
        return ready

    def adapt(self, headers) -> None:
        """Pace to what the server advertises as well, never faster than our own ceiling."""
        limit = _positive_int(headers.get("x-rate-limit-limit"))
        interval = parse_interval(headers.get("x-rate-limit-interval"))
        concurrency = _positive_int(headers.get("x-concurrency-limit"))
        if limit and interval:
            limit = min(limit, MAX_WINDOW)
            with self._lock:
                self.windows = [self.ceiling] + ([(limit, interval)] if (limit, interval) != self.ceiling else [])
                if limit > (self._turns.maxlen or 0):
                    self._turns = deque(self._turns, maxlen=limit)
        self.gate.adapt(concurrency)

    def delay(self) -> float:
        """How long a request starting now would wait for its turn, as far as we know now
        (a caller with a deadline asks before it commits to waiting)."""
        with self._lock:
            return max(0.0, self._ready_at() - self._clock())

    def hold(self, seconds: float) -> None:
        """Start nothing for ``seconds`` (a server's Retry-After applies to every thread)."""
        with self._lock:
            self._held_until = max(self._held_until, self._clock() + seconds)
