"""Remember for a few minutes that the registry was not there, so the next run does not wait.

A pre-commit hook runs many times an hour; when the registry hangs or the machine has no
network, each run would spend seconds finding that out again. The resolver records the
outage in the answer cache (key ``outage:<registry>``) and, while it is fresh, skips the
network: those lookups are *unknown*, and the note says when the registry is asked again
and how to ask it now.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import NamedTuple

OUTAGE_TTL = 300.0  # seconds: short, because a registry that is back should be used again
RETRY_NOW = "`reflint cache clear --outages` asks it again now"


class Outage(NamedTuple):
    reason: str
    at: float  # epoch seconds


KEY_PREFIX = "outage:"


def _key(registry: str) -> str:
    return KEY_PREFIX + registry


def forget_all(cache) -> int:
    """Forget every remembered outage (``reflint cache clear --outages``): a registry that is
    back is asked again at once, and every answer already cached is kept."""
    return cache.forget(KEY_PREFIX)


def count_all(cache) -> int:
    """Outages in the cache (``reflint cache info`` counts them apart from the answers)."""
    return cache.count(KEY_PREFIX)


def recall(cache, registry: str, now: float | None = None) -> Outage | None:
    """The outage recorded for ``registry`` in the last OUTAGE_TTL seconds, if any."""
    entry = cache.lookup(_key(registry))
    value = entry.value if entry is not None else None
    if not isinstance(value, dict):
        return None
    reason, at = value.get("reason"), value.get("at")
    if not isinstance(reason, str) or not isinstance(at, int | float):
        return None
    age = (time.time() if now is None else now) - at
    return Outage(reason, float(at)) if 0 <= age < OUTAGE_TTL else None


def remember(cache, registry: str, reason: str, now: float | None = None) -> None:
    cache.put(_key(registry), {"reason": reason, "at": time.time() if now is None else now}, positive=False)


def fresh_note(label: str, reason: str) -> str:
    minutes = round(OUTAGE_TTL / 60)
    return (
        f"{label} did not answer ({reason}), so its lookups are unknown; "
        f"later runs in the next {minutes} minutes will not wait for it ({RETRY_NOW})"
    )


def remembered_note(label: str, outage: Outage, now: float | None = None) -> str:
    now = time.time() if now is None else now
    retry = datetime.fromtimestamp(outage.at + OUTAGE_TTL, timezone.utc).strftime("%H:%M:%S UTC")
    return (
        f"{label} did not answer {round(now - outage.at)} s ago "
        f"({outage.reason}), so it was not asked and its lookups are unknown; it is asked "
        f"again from {retry} ({RETRY_NOW}, or `--no-cache` for one run)"
    )


class Watch:
    """One registry's outage memory for one run, so Crossref and NCBI each keep their own.

    ``recall`` before the registry is asked; ``live`` says whether to ask it; ``skip`` marks
    a lookup left unknown because of a remembered outage; ``notes`` (at the end) records an
    outage this run met, or says the remembered one was not asked.
    """

    def __init__(self, client):
        self.client = client
        self.remembered: Outage | None = None
        self.skipped = False

    @property
    def registry(self) -> str | None:
        return getattr(self.client, "registry", None)

    @property
    def live(self) -> bool:
        return self.client is not None and self.remembered is None

    def recall(self, cache) -> None:
        self.remembered = recall(cache, self.registry) if self.registry else None
        self.skipped = False

    def skip(self) -> None:
        self.skipped = self.skipped or self.remembered is not None

    def notes(self, cache) -> list[str]:
        registry, reason = self.registry, getattr(self.client, "outage", None)
        label = str(getattr(self.client, "label", registry))  # the key is two URLs for Crossref
        if self.remembered is not None:
            return [remembered_note(label, self.remembered)] if self.skipped and registry else []
        if registry and getattr(self.client, "broken", False) and reason:
            remember(cache, registry, reason)
            return [fresh_note(label, reason)]
        return []
