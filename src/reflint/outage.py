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
RETRY_NOW = "`reflint cache clear` asks it again now"


class Outage(NamedTuple):
    reason: str
    at: float  # epoch seconds


def _key(registry: str) -> str:
    return "outage:" + registry


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


def fresh_note(registry: str, reason: str) -> str:
    minutes = round(OUTAGE_TTL / 60)
    return (
        f"the registry {registry} did not answer ({reason}), so its lookups are unknown; "
        f"later runs in the next {minutes} minutes will not wait for it ({RETRY_NOW})"
    )


def remembered_note(registry: str, outage: Outage, now: float | None = None) -> str:
    now = time.time() if now is None else now
    retry = datetime.fromtimestamp(outage.at + OUTAGE_TTL, timezone.utc).strftime("%H:%M:%S UTC")
    return (
        f"the registry {registry} did not answer {round(now - outage.at)} s ago "
        f"({outage.reason}), so it was not asked and its lookups are unknown; it is asked "
        f"again from {retry} ({RETRY_NOW}, or `--no-cache` for one run)"
    )
